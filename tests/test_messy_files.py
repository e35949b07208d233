"""Application files as staff really send them: each case says what is read, or exactly why not.

Found by an adversarial sweep of the readers; every case here once failed or gave an unclear
message. Rows are the numbers the user sees (Excel's, or the CSV line), and no message may
carry a name, email or phone.
"""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from matcher.cli import app
from matcher.dataset import load_dataset
from matcher.errors import InputError, Problem
from matcher.models import Developer, Partner
from matcher.readers import read_developers, read_partners

WriteCsv = Callable[..., Path]
WriteXlsx = Callable[..., Path]
WriteJson = Callable[[str, object], Path]

DEV_HEADER = ["id", "nom", "région", "compétences", "langues"]
DEV_ROWS = [
    ["D-1", "Amina Secret", "Souss-Massa", "web", "ary | fr"],
    ["D-2", "Omar Secret", "Fès-Meknès", "mobile", "ar"],
]
PARTNER_HEADER = ["id", "nom", "type", "secteur", "région", "besoins", "langues"]
PARTNER_ROWS = [["P-1", "Coop Secret", "artisan", "argan", "Souss-Massa", "web", "ary"]]
SECRET = "Secret"


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


def _csv(rows: list[list[str]], delimiter: str = ";") -> str:
    return "".join(delimiter.join(row) + "\r\n" for row in rows)


def _errors(path: Path, *, partners: bool = False, sheet: str | None = None) -> list[Problem]:
    """Return the errors reading ``path`` gives, whether the file or its rows are at fault."""
    read = read_partners if partners else read_developers
    try:
        _, problems, _ = read(path, sheet=sheet)
    except InputError as exc:
        problems = exc.problems
    errors = [p for p in problems if p.severity == "error"]
    assert errors, "expected at least one error"
    assert all(SECRET not in str(p) for p in problems), "a name leaked into a message"
    return errors


def _developer(write_csv: WriteCsv, **cells: str) -> tuple[list[Developer], list[Problem]]:
    header = [*DEV_HEADER, *(c for c in cells if c not in DEV_HEADER)]
    row = dict(zip(DEV_HEADER, DEV_ROWS[0], strict=True)) | cells
    path = write_csv("developers.csv", [header, [row.get(h, "") for h in header]], delimiter=";")
    developers, problems, _ = read_developers(path)
    assert all(SECRET not in str(p) for p in problems)
    return developers, [p for p in problems if p.severity == "error"]


def _partner(write_csv: WriteCsv, **cells: str) -> tuple[list[Partner], list[Problem]]:
    row = dict(zip(PARTNER_HEADER, PARTNER_ROWS[0], strict=True)) | cells
    path = write_csv("partners.csv", [PARTNER_HEADER, list(row.values())], delimiter=";")
    partners, problems, _ = read_partners(path)
    assert all(SECRET not in str(p) for p in problems)
    return partners, [p for p in problems if p.severity == "error"]


# -- CSV as Excel and other tools write it ---------------------------------------------------


@pytest.mark.parametrize(
    ("data", "first_row"),
    [
        # Excel hides the "sep=" line, so rows are numbered as Excel shows them.
        (("sep=;\r\n" + _csv([DEV_HEADER, *DEV_ROWS])).encode("cp1252"), 2),
        (codecs.BOM_UTF8 + ('"sep=;"\n' + _csv([DEV_HEADER, *DEV_ROWS])).encode(), 2),
        (("SEP=,\n" + _csv([DEV_HEADER, *DEV_ROWS], ",")).encode(), 2),
        # Title rows above the header, with or without delimiters, as in workbooks.
        (
            _csv(
                [["Liste des candidats", "", "", "", ""], [""] * 5, DEV_HEADER, *DEV_ROWS]
            ).encode(),
            4,
        ),
        (("Liste des candidats - Souss\r\n\r\n" + _csv([DEV_HEADER, *DEV_ROWS])).encode(), 4),
    ],
    ids=["sep-line-cp1252", "quoted-sep-line-bom", "sep-line-comma", "title-row", "bare-title"],
)
def test_csv_preambles_are_skipped(tmp_path: Path, data: bytes, first_row: int) -> None:
    developers, problems, table = read_developers(_write(tmp_path, "developers.csv", data))
    assert [p for p in problems if p.severity == "error"] == []
    assert table.headers == DEV_HEADER
    assert [(d.id, d.row, d.languages) for d in developers] == [
        ("D-1", first_row, ("ary", "fr")),
        ("D-2", first_row + 1, ("ar",)),
    ]


def test_sep_line_errors_cite_the_row_excel_shows(tmp_path: Path) -> None:
    rows = [DEV_HEADER, DEV_ROWS[0], ["D-2", "Omar Secret", "Souss-Massa", "web", "klingon"]]
    path = _write(tmp_path, "developers.csv", ("sep=;\n" + _csv(rows)).encode())
    [problem] = _errors(path)
    assert (problem.file, problem.row, problem.column, problem.code) == (
        "developers.csv",
        3,
        "langues",
        "unknown-language",
    )


# -- totals and notes under the table ---------------------------------------------------------


@pytest.mark.parametrize(
    ("extra", "row", "missing"),
    [
        ([["Total", "2", "", "", ""]], 4, '"région", "compétences", "langues"'),
        ([[""] * 5, ["NB : dossiers reçus au 12/03", "", "", "", ""]], 5, '"nom", "région"'),
        ([["D-9", "Zineb Secret", "", "", ""]], 4, '"région", "compétences", "langues"'),
    ],
    ids=["total", "note", "bare-last-row"],
)
def test_rows_under_the_table_are_one_located_error(
    write_csv: WriteCsv, extra: list[list[str]], row: int, missing: str
) -> None:
    path = write_csv("developers.csv", [DEV_HEADER, *DEV_ROWS, *extra], delimiter=";")
    [problem] = _errors(path)
    assert (problem.file, problem.row, problem.column, problem.code) == (
        "developers.csv",
        row,
        None,
        "not-a-record",
    )
    assert problem.message.startswith("this row does not look like an application")
    assert problem.hint is not None and problem.hint.startswith("delete the row")
    assert missing in problem.hint


def test_total_row_in_a_workbook_uses_excel_rows(write_xlsx: WriteXlsx) -> None:
    rows: list[list[object]] = [
        ["Candidatures 2025"],
        [],
        DEV_HEADER,
        *DEV_ROWS,
        [],
        ["Sous-total", None, None, None, None, "=SUM(F4:F5)"],
    ]
    [problem] = _errors(write_xlsx("developers.xlsx", rows))
    assert (problem.row, problem.code) == (7, "not-a-record")


def test_incomplete_row_inside_the_table_keeps_its_own_errors(write_csv: WriteCsv) -> None:
    rows = [DEV_HEADER, ["D-3", "Zineb Secret", "", "", ""], *DEV_ROWS]
    problems = _errors(write_csv("developers.csv", rows, delimiter=";"))
    assert [(p.row, p.column, p.code) for p in problems] == [
        (2, "région", "empty"),
        (2, "langues", "empty"),
        (2, "compétences", "empty"),
    ]


def test_total_rows_in_both_files_are_not_a_shared_id(write_csv: WriteCsv) -> None:
    developers = write_csv("developers.csv", [DEV_HEADER, *DEV_ROWS, ["Total", "2", "", "", ""]])
    total = ["Total", "1", "", "", "", "", ""]
    partners = write_csv("partners.csv", [PARTNER_HEADER, *PARTNER_ROWS, total])
    with pytest.raises(InputError) as info:
        load_dataset(developers, partners)
    assert [(p.file, p.row, p.code) for p in info.value.problems] == [
        ("developers.csv", 4, "not-a-record"),
        ("partners.csv", 3, "not-a-record"),
    ]


# -- workbooks that are not what they seem -------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message", "hint"),
    [
        (
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 64,
            "this is an old Excel 97-2003 (.xls) workbook or a password-protected one",
            'save it as "Excel Workbook (.xlsx)"',
        ),
        (
            _csv([DEV_HEADER, *DEV_ROWS]).encode("cp1252"),
            "this is a text (CSV) file, not an Excel workbook, despite its .xlsx extension",
            'rename it to "developers.csv"',
        ),
        (
            b"<html><table><tr><td>id</td></tr></table></html>",
            "this is a web page or XML file (HTML), not an Excel workbook",
            "CSV UTF-8",
        ),
    ],
    ids=["ole2-xls", "csv-text", "html"],
)
def test_xlsx_that_is_something_else(tmp_path: Path, data: bytes, message: str, hint: str) -> None:
    [problem] = _errors(_write(tmp_path, "developers.xlsx", data))
    assert (problem.file, problem.row, problem.code) == ("developers.xlsx", None, "bad-workbook")
    assert problem.message == message
    assert hint in (problem.hint or "")


@pytest.mark.parametrize(
    ("cover", "state"),
    [([["Instructions"], ["Une ligne par candidat"]], "has no header row"), ([], "is empty")],
)
def test_data_on_another_sheet_is_pointed_to(
    tmp_path: Path, cover: list[list[str]], state: str
) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Lisez-moi"
    for row in cover:
        book.active.append(row)
    data = book.create_sheet("Candidatures")
    for row in [DEV_HEADER, *DEV_ROWS]:
        data.append(row)
    path = tmp_path / "developers.xlsx"
    book.save(path)
    [problem] = _errors(path)
    assert (problem.file, problem.code) == ("developers.xlsx", "sheet-not-found")
    assert problem.message.startswith(f'the first sheet "Lisez-moi" {state}')
    assert problem.hint is not None and 'pass --sheet "Candidatures"' in problem.hint
    # The sheet name is matched like headers are: case, accents and spaces do not matter.
    developers, _, _ = read_developers(path, sheet="candidatures ")
    assert [d.id for d in developers] == ["D-1", "D-2"]


# -- JSON exports ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        "\n".join(json.dumps(dict(zip(DEV_HEADER, r, strict=True))) for r in DEV_ROWS) + "\n",
        json.dumps(
            {"count": 2, "results": [dict(zip(DEV_HEADER, r, strict=True)) for r in DEV_ROWS]}
        ),
    ],
    ids=["json-lines", "only-list-key"],
)
def test_json_exports(tmp_path: Path, data: str) -> None:
    developers, problems, _ = read_developers(_write(tmp_path, "developers.json", data.encode()))
    assert problems == []
    assert [(d.id, d.row, d.region) for d in developers] == [
        ("D-1", 1, "MA-09"),
        ("D-2", 2, "MA-03"),
    ]


def test_json_in_cp1252_asks_for_utf8_json(tmp_path: Path) -> None:
    record = dict(zip(DEV_HEADER, DEV_ROWS[1], strict=True))
    data = json.dumps([record], ensure_ascii=False).encode("cp1252")
    [problem] = _errors(_write(tmp_path, "developers.json", data))
    assert (problem.row, problem.code) == (1, "encoding")
    assert problem.hint == "save the JSON file as UTF-8, or pass --encoding (cp1252 or cp1256)"


# -- values as staff type them ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "codes"),
    [
        ("Arabe, Français, Amazigh", ("ar", "fr", "zgh")),
        ("darija / français", ("ary", "fr")),
        ("Tamazight (Tachelhit)", ("shi",)),
        ("Amazighe (Tarifit)", ("rif",)),
        ("Français et Arabe", ("fr", "ar")),
        ("Arabe & Français", ("ar", "fr")),
        ("arabe+français", ("ar", "fr")),
        ("Darija - Français - Anglais", ("ary", "fr", "en")),
        ("Français, Anglais et Arabe", ("fr", "en", "ar")),
        ("Arabe (langue maternelle), Français (courant)", ("ar", "fr")),
        ("Anglais (notions)", ("en",)),
        ("arabe français", ("ar", "fr")),
        ("Arabe-Français", ("ar", "fr")),
        ("arabe marocain", ("ary",)),
        ("ar-MA; fr", ("ar", "fr")),
    ],
)
def test_languages_as_staff_write_them(
    write_csv: WriteCsv, cell: str, codes: tuple[str, ...]
) -> None:
    developers, errors = _developer(write_csv, langues=cell)
    assert errors == []
    assert developers[0].languages == codes


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("Darija et Berbère", '"Berbère" is a language family, not a language'),
        ("Français / Klingon", 'unknown language "Klingon"'),
        ("arabe klingon", 'unknown language "arabe klingon"'),
    ],
)
def test_languages_that_stay_errors_name_the_part(
    write_csv: WriteCsv, cell: str, message: str
) -> None:
    _, [problem] = _developer(write_csv, langues=cell)
    assert (problem.row, problem.column, problem.code) == (2, "langues", "unknown-language")
    assert problem.message == message


def test_skills_joined_by_words_are_split_when_each_part_is_known(write_csv: WriteCsv) -> None:
    developers, errors = _developer(write_csv, compétences="web et mobile; SEO / contenu")
    assert errors == []
    assert developers[0].skills == ("web", "mobile", "seo", "content")


@pytest.mark.parametrize(
    ("cell", "kind"),
    [
        ("Artisane", "artisan"),
        ("Agricultrice", "farmer"),
        ("Commerçante", "merchant"),
        ("Coopérative artisanale", "artisan"),
        ("Coopérative agricole", "farmer"),
        ("Agriculteur/Agricultrice", "farmer"),
        ("Commerce de détail", "merchant"),
    ],
)
def test_partner_kinds(write_csv: WriteCsv, cell: str, kind: str) -> None:
    partners, errors = _partner(write_csv, type=cell)
    assert errors == []
    assert partners[0].kind == kind


@pytest.mark.parametrize(
    ("cell", "message", "hint"),
    [
        (
            "Coopérative",
            '"Coopérative" does not say which kind of partner it is',
            "give its activity: artisan (coopérative artisanale), farmer (coopérative agricole) "
            "or merchant (commerçant)",
        ),
        (
            "Artisan/Commerçant",
            'unknown partner kind "Artisan/Commerçant"',
            "accepted: artisan, farmer (agriculteur) or merchant (commerçant)",
        ),
    ],
)
def test_partner_kinds_that_stay_errors(
    write_csv: WriteCsv, cell: str, message: str, hint: str
) -> None:
    _, [problem] = _partner(write_csv, type=cell)
    assert (problem.row, problem.column, problem.code) == (2, "type", "bad-kind")
    assert (problem.message, problem.hint) == (message, hint)


@pytest.mark.parametrize(
    ("cell", "gender"),
    [
        ("Mme", "female"),
        ("Mlle", "female"),
        ("Madame", "female"),
        ("Monsieur", "male"),
        ("Mr", "male"),
    ],
)
def test_civility_as_gender(write_csv: WriteCsv, cell: str, gender: str) -> None:
    developers, errors = _developer(write_csv, genre=cell)
    assert errors == []
    assert developers[0].gender == gender


@pytest.mark.parametrize(
    ("cell", "mobility"),
    [("Toute la région", "region"), ("Province uniquement", "local"), ("À distance", "remote")],
)
def test_mobility_phrases(write_csv: WriteCsv, cell: str, mobility: str) -> None:
    developers, errors = _developer(write_csv, mobilité=cell)
    assert errors == []
    assert developers[0].mobility == mobility


@pytest.mark.parametrize("cell", ["Oui", "non"])
def test_yes_no_mobility_is_an_error_with_the_choices(write_csv: WriteCsv, cell: str) -> None:
    _, [problem] = _developer(write_csv, mobilité=cell)
    assert (problem.row, problem.column, problem.code) == (2, "mobilité", "bad-mobility")
    assert problem.message == f'mobility "{cell}" does not say how far the developer can work'
    assert problem.hint == (
        "write local (own province only), region (anywhere in own region, the default) "
        "or remote (may also work with a partner in another region)"
    )


@pytest.mark.parametrize(
    ("column", "cell", "value"),
    [
        ("disponibilité", "20 h par semaine", 20.0),
        ("disponibilité", "20 heures par semaine", 20.0),
        ("disponibilité", "environ 20", 20.0),
        ("disponibilité", "~20h", 20.0),
        ("expérience", "6 mois", 0.5),
        ("expérience", "18 mois", 1.5),
        ("expérience", "2 années", 2.0),
    ],
)
def test_numbers_with_words(write_csv: WriteCsv, column: str, cell: str, value: float) -> None:
    developers, errors = _developer(write_csv, **{column: cell})
    assert errors == []
    field = "availability_hours" if column == "disponibilité" else "experience_years"
    assert getattr(developers[0], field) == value


@pytest.mark.parametrize(
    ("column", "cell", "hint"),
    [
        (
            "disponibilité",
            "10-15",
            "give one number, not a range: e.g. 12,5 (the middle of 10 and 15)",
        ),
        (
            "disponibilité",
            "10 à 15 h",
            "give one number, not a range: e.g. 12,5 (the middle of 10 and 15)",
        ),
        (
            "disponibilité",
            "mi-temps",
            'write the hours available per week (0 to 168) as a number: e.g. 20 for "mi-temps"',
        ),
        (
            "disponibilité",
            "Temps plein",
            'write the hours available per week (0 to 168) as a number: e.g. 40 for "Temps plein"',
        ),
        ("expérience", "2-3 ans", "give one number, not a range: e.g. 2,5 (the middle of 2 and 3)"),
        (
            "expérience",
            "débutant",
            "write the years of experience (0 to 80) as a number, e.g. 20 or 12,5",
        ),
    ],
)
def test_numbers_that_stay_errors_say_how_to_write_them(
    write_csv: WriteCsv, column: str, cell: str, hint: str
) -> None:
    _, [problem] = _developer(write_csv, **{column: cell})
    assert (problem.file, problem.row, problem.column, problem.code) == (
        "developers.csv",
        2,
        column,
        "bad-number",
    )
    field = "availability_hours" if column == "disponibilité" else "experience_years"
    assert problem.message == f"{field} is not a number"
    assert problem.hint == hint


@pytest.mark.parametrize("cell", ["N/A", "n/a", "-", "—", "néant", "nan", "?"])
def test_placeholders_mean_empty(write_csv: WriteCsv, cell: str) -> None:
    developers, errors = _developer(
        write_csv, disponibilité=cell, expérience=cell, mobilité=cell, genre=cell, province=cell
    )
    assert errors == []
    [developer] = developers
    assert (developer.availability_hours, developer.experience_years) == (None, None)
    assert (developer.mobility, developer.gender, developer.province) == ("region", None, None)


def test_placeholder_in_a_required_column_is_an_empty_cell(write_csv: WriteCsv) -> None:
    _, [problem] = _developer(write_csv, région="N/A")
    assert (problem.row, problem.column, problem.code) == (2, "région", "empty")
    assert problem.message == "region is empty"


@pytest.mark.parametrize("cell", ["Laâyoune Sakia Al Hamra", "Laayoune-Sakia Al Hamra"])
def test_region_spellings(write_csv: WriteCsv, cell: str) -> None:
    developers, errors = _developer(write_csv, région=cell)
    assert errors == []
    assert developers[0].region == "MA-11"


# -- the command line -----------------------------------------------------------------------


def test_validate_old_excel_file_in_a_folder_is_invalid_input(tmp_path: Path) -> None:
    (tmp_path / "developers.xls").write_bytes(b"\xd0\xcf\x11\xe0" + b"\x00" * 64)
    (tmp_path / "partners.csv").write_text(_csv([PARTNER_HEADER, *PARTNER_ROWS]))
    result = CliRunner().invoke(app, ["validate", str(tmp_path), "--json"])
    assert result.exit_code == 3
    report = json.loads(result.stdout)
    assert [(e["file"], e["code"]) for e in report["errors"]] == [
        ("developers.xls", "bad-extension")
    ]
    assert "developers.xlsx" in report["errors"][0]["hint"]


def test_validate_and_dry_run_a_messy_folder(tmp_path: Path) -> None:
    developers = "sep=;\r\n" + _csv(
        [
            ["Identifiant", "Nom", "Région", "Compétences", "Langues parlées", "Disponibilité"],
            ["D-1", "Amina Secret", "souss massa ", "web et mobile", "Darija / Français", "20h"],
            [
                "D-2",
                "Omar Secret",
                "Région Souss-Massa",
                "e-commerce",
                "Tamazight (Tachelhit)",
                "N/A",
            ],
        ]
    )
    (tmp_path / "developers.csv").write_bytes(developers.encode("cp1252"))
    partners = [
        ["N° dossier", "Nom", "Type", "Secteur", "Région", "Besoins", "Langues"],
        [
            "P-1",
            "Coop Secret",
            "Coopérative artisanale",
            "argan",
            "MA-9",
            "web",
            "Tachelhit et Darija",
        ],
        ["P-2", "Ferme Secret", "Agricultrice", "dattes", "9", "e-commerce", "Arabe"],
    ]
    (tmp_path / "partners.csv").write_text(_csv(partners, ","), encoding="utf-8-sig")
    runner = CliRunner()
    result = runner.invoke(app, ["validate", str(tmp_path), "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert report["errors"] == []
    assert [(r["code"], r["developers"]) for r in report["regions"] if r["developers"]] == [
        ("MA-09", 2)
    ]
    dry = runner.invoke(app, ["match", str(tmp_path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert SECRET not in dry.output
    assert not (tmp_path / "out").exists()
