"""The French catalog is complete and compiled, and the language is chosen as documented."""

from __future__ import annotations

import gettext
import io
import re

import pytest

from matcher.cli.help import click_message, language_args
from matcher.i18n import _, current_language, detect_language, ngettext, set_language
from matcher.i18n_build import (
    MO_PATH,
    PO_PATH,
    extract_ids,
    merge,
    mo_bytes,
    read_catalog,
    untranslated,
)

IDS = extract_ids()
CATALOG = read_catalog()
_FIELD = re.compile(r"\{([^{}:!]*)[^{}]*\}")


def _fields(text: str) -> set[str]:
    return set(_FIELD.findall(text.replace("{{", "").replace("}}", "")))


def test_extraction_finds_the_messages_of_every_layer() -> None:
    # One message from the CLI, the views, the readers, the diagnosis and typer's words.
    for message in (
        "give a folder, or both --developers and --partners",
        "Pairs per region",
        "the file is empty",
        "only {n} partner(s) applied here",
        "Show this message and exit.",
    ):
        assert message in IDS
    assert len(IDS) > 300


def test_every_message_has_a_french_translation() -> None:
    missing = untranslated(IDS, CATALOG)
    assert not missing, "no French for:\n" + "\n".join(repr(m) for m in missing)


def test_a_new_english_message_without_french_is_reported() -> None:
    new = "a message somebody just added"
    assert untranslated([*IDS, new], CATALOG) == [new]
    merged = merge(read_catalog(), [new])
    assert untranslated([new], merged) == [new]  # merged with an empty translation


def test_no_fuzzy_or_duplicate_entries() -> None:
    fuzzy = [m.id for m in CATALOG if m.id and m.fuzzy]
    assert not fuzzy
    # A msgid may go on over several quoted lines (the header's is the only empty one).
    blocks = re.findall(r'^msgid ((?:".*"\n)+)', PO_PATH.read_text(encoding="utf-8"), re.MULTILINE)
    ids = ["".join(re.findall(r'^"(.*)"$', b, re.MULTILINE)) for b in blocks]
    dupes = sorted({i for i in ids if ids.count(i) > 1})
    assert not dupes, f"entries given twice (run python -m matcher.i18n_build): {dupes}"


def test_translations_keep_the_placeholders() -> None:
    wrong = [
        (m.id, m.string)
        for m in CATALOG
        if m.id and isinstance(m.id, str) and _fields(m.id) != _fields(str(m.string))
    ]
    assert not wrong


def test_committed_mo_matches_the_po() -> None:
    assert MO_PATH.read_bytes() == mo_bytes(CATALOG), "run python -m matcher.i18n_build"
    compiled = gettext.GNUTranslations(io.BytesIO(MO_PATH.read_bytes()))
    assert compiled.gettext("Pairs per region") == "Binômes par région"


@pytest.mark.parametrize(
    ("argv", "environ", "expected"),
    [
        (["--lang", "fr", "match"], {}, "fr"),
        (["--lang=fr"], {"LANG": "en_US.UTF-8"}, "fr"),
        (["--lang", "en"], {"MATCHER_LANG": "fr"}, "en"),
        ([], {"MATCHER_LANG": "fr"}, "fr"),
        ([], {"MATCHER_LANG": "fr", "LANG": "en_GB.UTF-8"}, "fr"),
        ([], {"LC_ALL": "fr_MA.UTF-8"}, "fr"),
        ([], {"LC_MESSAGES": "fr_FR.UTF-8", "LANG": "en_US.UTF-8"}, "fr"),
        ([], {"LANG": "fr_MA.UTF-8"}, "fr"),
        ([], {"LC_ALL": "C.UTF-8", "LANG": "fr_MA.UTF-8"}, "en"),  # the first one set decides
        ([], {"LANG": "ar_MA.UTF-8"}, "en"),
        ([], {}, "en"),
    ],
)
def test_detect_language(argv: list[str], environ: dict[str, str], expected: str) -> None:
    assert detect_language(argv=argv, environ=environ) == expected


@pytest.mark.parametrize(
    ("args", "moved"),
    [
        (["match", "x", "--lang", "fr", "--dry-run"], ["--lang", "fr", "match", "x", "--dry-run"]),
        (["--lang", "fr", "match", "x"], ["--lang", "fr", "match", "x"]),
        (["validate", "--lang=fr", "x"], ["--lang=fr", "validate", "x"]),
        # init's own --lang is the language of the template headers: it stays where it is.
        (["init", "x", "--lang", "en"], ["init", "x", "--lang", "en"]),
    ],
)
def test_language_args_moves_lang_before_the_command(args: list[str], moved: list[str]) -> None:
    assert language_args(args)[1] == moved


def test_init_lang_is_not_the_interface_language(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MATCHER_LANG", "fr")
    assert language_args(["init", "x", "--lang", "en"])[0] == "fr"


def test_set_language_switches_every_message() -> None:
    set_language("fr")
    assert current_language() == "fr"
    assert _("Pairs per region") == "Binômes par région"
    assert ngettext("pair", "pairs", 2) == "pairs"  # unknown ids fall back to English
    set_language("en")
    assert _("Pairs per region") == "Pairs per region"


@pytest.mark.parametrize(
    ("english", "french"),
    [
        ("No such option: --bogus", "option inconnue : --bogus"),
        (
            "No such option: --bogus (Possible options: --bom, --out)",
            "option inconnue : --bogus (options possibles : --bom, --out)",
        ),
        ("Missing argument 'result'.", "argument manquant : 'result'."),
        ("No such command 'bogus'.", "commande inconnue : 'bogus'."),
        ("Got unexpected extra argument (b)", "argument(s) en trop : b"),
        ("something click never said", "something click never said"),
    ],
)
def test_click_messages_in_french(english: str, french: str) -> None:
    set_language("fr")
    assert click_message(english) == french
