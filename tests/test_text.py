"""Tests for text folding, suggestions and list splitting."""

from __future__ import annotations

import pytest

from matcher.text import (
    build_index,
    compact,
    fold,
    lookup,
    quote,
    raw_items,
    slug,
    split_list,
    suggest,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Béni Mellal-Khénifra", "beni mellal khenifra"),
        ("L’Oriental", "l oriental"),
        ("L'Oriental", "l oriental"),
        ("  Drâa   Tafilalet ", "draa tafilalet"),
        ("ÉLÈVE", "eleve"),
        ("Straße", "strasse"),
        ("a_b.c,d/e(f)g`h‘i", "a b c d e f g h i"),
        ("01.511", "01 511"),
        ("", ""),
        ("الدار البيضاء-سطات", "الدار البيضاء سطات"),
        ("أكادير", "اكادير"),
        ("إفران", "افران"),
        ("آسفي", "اسفي"),
        ("ٱلعربية", "العربيه"),
        ("مستشفى", "مستشفي"),
        ("مؤسسة", "موسسه"),
        ("بئر", "بير"),
        ("العـربـيـة", "العربيه"),
        ("مُحَمَّد", "محمد"),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_compact_ignores_spaces_and_hyphens() -> None:
    assert compact("E-Commerce") == compact("ecommerce") == "ecommerce"


@pytest.mark.parametrize(
    ("text", "expected"),
    [("Impression 3D", "impression-3d"), ("Réalité  virtuelle!", "realite-virtuelle")],
)
def test_slug(text: str, expected: str) -> None:
    assert slug(text) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [("Fès", '"Fès"'), ("x" * 41, '"' + "x" * 39 + '…"'), ("x" * 40, '"' + "x" * 40 + '"')],
)
def test_quote_truncates(value: str, expected: str) -> None:
    assert quote(value) == expected


@pytest.mark.parametrize(
    ("text", "choices", "expected"),
    [
        ("Sous Masa", ["Souss-Massa", "Fès-Meknès"], "Souss-Massa"),
        ("fes meknes", ["Souss-Massa", "Fès-Meknès"], "Fès-Meknès"),
        ("zzzz", ["Souss-Massa", "Fès-Meknès"], None),
        ("", ["Souss-Massa"], None),
        ("Souss", [], None),
    ],
)
def test_suggest(text: str, choices: list[str], expected: str | None) -> None:
    assert suggest(text, choices) == expected


def test_suggest_cutoff() -> None:
    assert suggest("Sous", ["Souss-Massa"]) is None
    assert suggest("Sous", ["Souss-Massa"], cutoff=0.3) == "Souss-Massa"


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("web; mobile | seo, data", ["web", "mobile", "seo", "data"]),
        ("web\nmobile\r\nseo", ["web", "mobile", "seo"]),
        (" web ;; ; mobile ", ["web", "mobile"]),
        ("web;mobile;web", ["web", "mobile"]),
        ("", []),
        ("  ", []),
    ],
)
def test_split_list(cell: str, expected: list[str]) -> None:
    assert split_list(cell) == expected


def test_build_index_and_lookup() -> None:
    index = build_index({"e-commerce": ("boutique en ligne",)})
    assert lookup(index, "E commerce") == "e-commerce"
    assert lookup(index, "ecommerce") == "e-commerce"
    assert lookup(index, "Boutique-en-ligne") == "e-commerce"
    assert lookup(index, "web") is None


def test_build_index_rejects_a_name_for_two_keys() -> None:
    with pytest.raises(ValueError, match="names both"):
        build_index({"a": ("x",), "b": ("X",)})


@pytest.mark.parametrize(
    ("cell", "items"),
    [
        (" a;;b ,a", [" a", "", "b ", "a"]),
        ("web|data\nseo", ["web", "data", "seo"]),
        ("", [""]),
    ],
)
def test_raw_items_keep_the_items_as_written(cell: str, items: list[str]) -> None:
    assert raw_items(cell) == items
    assert split_list(cell) == list(dict.fromkeys(i.strip() for i in items if i.strip()))
