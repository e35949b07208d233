"""Tests for matcher.dataset: finding the input files and loading both sides together."""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from profiles import dev, par

from matcher.dataset import find_inputs, load_dataset
from matcher.errors import InputError, UsageError
from matcher.models import Developer, Partner

WriteCsv = Callable[..., Path]
WriteXlsx = Callable[..., Path]

DEV_HEADER = ["id", "name", "region", "skills", "languages"]
PARTNER_HEADER = ["id", "nom", "type", "secteur", "région", "besoins", "langues"]
DEVS = [
    DEV_HEADER,
    ["D-3", "Amina", "Souss-Massa", "web", "fr"],
    ["D-1", "Omar", "MA-06", "seo; tissage", "ar"],
]
PARTNERS = [
    PARTNER_HEADER,
    ["P-2", "Coop", "artisan", "poterie", "Fès-Meknès", "photo", "ary"],
    ["P-1", "Souk", "commerçant", "épicerie", "MA-01", "web", "fr"],
]


@pytest.mark.parametrize(
    ("names", "expected"),
    [
        (["developers.csv", "partners.xlsx", "matcher.toml"], ("developers.csv", "partners.xlsx")),
        (["Developers.CSV", "partners.json", "notes.txt"], ("Developers.CSV", "partners.json")),
        (
            ["developers.tsv", "partners.csv", "~$developers.xlsx"],
            ("developers.tsv", "partners.csv"),
        ),
    ],
)
def test_find_inputs(tmp_path: Path, names: list[str], expected: tuple[str, str]) -> None:
    for name in names:
        (tmp_path / name).write_text("x")
    developers, partners, config = find_inputs(tmp_path)
    assert (developers.name, partners.name) == expected
    assert config == (tmp_path / "matcher.toml" if "matcher.toml" in names else None)


@pytest.mark.parametrize(
    ("names", "words"),
    [
        (["partners.csv"], "no developers file"),
        (["developers.csv"], "no partners file"),
        (["developers.csv", "developers.xlsx", "partners.csv"], "several developers files"),
    ],
)
def test_find_inputs_problems(tmp_path: Path, names: list[str], words: str) -> None:
    for name in names:
        (tmp_path / name).write_text("x")
    with pytest.raises(UsageError, match=words):
        find_inputs(tmp_path)


def test_find_inputs_unreadable_format_is_invalid_input(tmp_path: Path) -> None:
    for name in ("developers.xls", "partners.csv"):
        (tmp_path / name).write_text("x")
    with pytest.raises(InputError, match=r"cannot read developers\.xls") as info:
        find_inputs(tmp_path)
    [problem] = info.value.problems
    assert (problem.file, problem.row, problem.code) == ("developers.xls", None, "bad-extension")
    assert "developers.xlsx" in (problem.hint or "")


def test_find_inputs_needs_a_folder(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such folder"):
        find_inputs(tmp_path / "missing")


def test_load_dataset_sorts_and_records_sources(write_csv: WriteCsv, write_xlsx: WriteXlsx) -> None:
    developers = write_csv("developers.csv", DEVS, delimiter=";")
    partners = write_xlsx("partners.xlsx", PARTNERS)
    dataset = load_dataset(developers, partners)
    assert [d.id for d in dataset.developers] == ["D-1", "D-3"]
    assert [p.id for p in dataset.partners] == ["P-1", "P-2"]
    assert [(p.file, p.row, p.code) for p in dataset.warnings] == [
        ("developers.csv", 3, "unknown-skill")
    ]
    assert [(s.role, s.path, s.sha256) for s in dataset.sources] == [
        ("developers", str(developers), hashlib.sha256(developers.read_bytes()).hexdigest()),
        ("partners", str(partners), hashlib.sha256(partners.read_bytes()).hexdigest()),
    ]


def test_id_on_both_sides_names_both_files(write_csv: WriteCsv) -> None:
    partners = [*PARTNERS, ["D-1", "Atelier", "artisan", "tapis", "MA-08", "web", "fr"]]
    with pytest.raises(InputError) as info:
        load_dataset(write_csv("developers.csv", DEVS), write_csv("partners.csv", partners))
    [problem] = info.value.problems
    assert (problem.file, problem.row, problem.column, problem.code) == (
        "partners.csv",
        4,
        "id",
        "shared-id",
    )
    assert problem.message == 'id "D-1" is also used in developers.csv, row 3'
    assert [w.code for w in info.value.warnings] == ["unknown-skill"]
    assert "invalid" in str(info.value)


def test_errors_of_both_files_are_reported_together(write_csv: WriteCsv, tmp_path: Path) -> None:
    devs = [*DEVS, ["D-9", "Sara", "Souss-Massa-Drâa", "web", "fr"]]
    partners = tmp_path / "partners.csv"
    partners.write_bytes(b'id,name\nP-1,"Coop\n')
    with pytest.raises(InputError) as info:
        load_dataset(write_csv("developers.csv", devs), partners)
    assert [(p.file, p.row, p.code) for p in info.value.problems] == [
        ("developers.csv", 4, "unknown-region"),
        ("partners.csv", 2, "unclosed-quote"),
    ]
    assert all(p.severity == "error" for p in info.value.problems)
    assert [w.code for w in info.value.warnings] == ["unknown-skill"]


def test_missing_file_is_a_usage_error(write_csv: WriteCsv, tmp_path: Path) -> None:
    with pytest.raises(UsageError):
        load_dataset(write_csv("developers.csv", DEVS), tmp_path / "partners.csv")


@pytest.mark.parametrize(
    ("people", "count"),
    [
        ([dev(skills=("web", "data"), sectors=("textile",)), dev(skills=("data",))], 3),
        ([dev(skills=("web",), sectors=("textile",)), dev(skills=("mobile", "data"))], 4),
        ([par(sector="textile", needs=("web",)), par(sector="argan", needs=("web", "data"))], 4),
        ([par(sector="web", needs=("web", "data")), par(sector="data", needs=())], 2),
    ],
)
def test_the_distinct_tags_of_a_file_are_its_skills_sectors_and_needs(
    people: list[Developer | Partner], count: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import matcher.dataset as dataset

    monkeypatch.setattr(dataset, "MAX_DISTINCT_TAGS", 3)
    problems = dataset._too_many_tags("x.csv", people)
    if count <= 3:
        assert problems == []
    else:
        [problem] = problems
        assert problem.message.startswith(f"{count} distinct skills and sectors; the limit is 3")


def test_ids_on_both_sides_are_reported_in_row_order_citing_first_rows(
    write_csv: WriteCsv,
) -> None:
    devs = [*DEVS, ["D-3", "Sara", "MA-08", "web", "fr"], ["P-9", "Ali", "MA-08", "web", "fr"]]
    partners = [
        *PARTNERS,
        ["P-9", "Atelier", "artisan", "tapis", "MA-08", "web", "fr"],
        ["D-3", "Souk", "artisan", "tapis", "MA-08", "web", "fr"],
        ["D-1", "Dar", "artisan", "tapis", "MA-08", "web", "fr"],
    ]
    with pytest.raises(InputError) as info:
        load_dataset(write_csv("developers.csv", devs), write_csv("partners.csv", partners))
    shared = [(p.row, p.message) for p in info.value.problems if p.code == "shared-id"]
    assert shared == [
        (4, 'id "P-9" is also used in developers.csv, row 5'),
        (5, 'id "D-3" is also used in developers.csv, row 2'),
        (6, 'id "D-1" is also used in developers.csv, row 3'),
    ]
