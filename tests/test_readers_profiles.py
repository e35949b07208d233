"""Tests for matcher.readers.headers and matcher.readers.profiles: every row problem, located."""

from __future__ import annotations

import gc
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.errors import Problem, ProblemLog
from matcher.readers import (
    DEVELOPER_COLUMNS,
    DEVELOPER_REQUIRED,
    PARTNER_COLUMNS,
    map_headers,
    read_developers,
    read_partners,
)
from matcher.readers.profiles import (
    _DEVELOPER,
    _PARTNER,
    _UNSURE,
    _Columns,
    _group_codes,
    _is_placeholder,
    _placeholders,
    _Row,
    _Step,
    footer_rows,
)
from matcher.readers.table import RawRow
from matcher.vocab import SECTORS, SKILLS

WriteCsv = Callable[..., Path]
WriteJson = Callable[[str, object], Path]
WriteXlsx = Callable[..., Path]

DEV_HEADER = ["id", "name", "region", "skills", "languages"]
PARTNER_HEADER = ["id", "name", "kind", "sector", "region", "needs", "languages"]


def _dev(**cells: str) -> list[str]:
    row = {
        "id": "D-1",
        "name": "Amina",
        "region": "Souss-Massa",
        "skills": "web",
        "languages": "fr",
    }
    row.update(cells)
    return [row[h] for h in DEV_HEADER]


def _errors(problems: list[Problem]) -> list[Problem]:
    return [p for p in problems if p.severity == "error"]


def _only(problems: list[Problem], severity: str = "error") -> Problem:
    found = [p for p in problems if p.severity == severity]
    assert len(found) == 1, [str(p) for p in problems]
    return found[0]


# -- headers ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("ID", "id"),
        ("Identifiant", "id"),
        ("N° dossier", "id"),
        ("Nom et prénom", "name"),
        ("FULL NAME", "name"),
        ("Région", "region"),
        ("Province/Préfecture", "province"),
        ("Compétences", "skills"),
        ("Langues parlées", "languages"),
        ("Secteurs d'intérêt", "sectors"),
        ("Disponibilité (h/semaine)", "availability_hours"),
        ("hours per week", "availability_hours"),
        ("Années d'expérience", "experience_years"),
        ("Mobilité", "mobility"),
        ("Sexe", "gender"),
        ("Longitude", "lon"),
        ("E-mail", "email"),
        ("GSM", "phone"),
        ("  téléphone  ", "phone"),
    ],
)
def test_developer_header_aliases(header: str, field: str) -> None:
    mapping, unknown, problems = map_headers([header], DEVELOPER_COLUMNS, file="d.csv")
    assert mapping == {field: header}
    assert (unknown, problems) == ([], [])


@pytest.mark.parametrize(
    ("header", "field"),
    [("Type de partenaire", "kind"), ("Filière", "sector"), ("Besoins numériques", "needs")],
)
def test_partner_header_aliases(header: str, field: str) -> None:
    mapping, _, _ = map_headers([header], PARTNER_COLUMNS, file="p.csv")
    assert mapping == {field: header}


def test_missing_required_columns_are_listed_in_one_error() -> None:
    headers = ["ID", "Nom", "Compétance", "CIN"]
    _, _, problems = map_headers(
        headers, DEVELOPER_COLUMNS, file="d.csv", required=DEVELOPER_REQUIRED
    )
    problem = _only(problems)
    assert (problem.file, problem.row, problem.column, problem.code) == (
        "d.csv",
        None,
        None,
        "missing-columns",
    )
    assert "region (region, région)" in problem.message
    assert "skills (skills, compétences" in problem.message
    assert "languages (languages, langues" in problem.message
    assert 'columns found: "ID", "Nom", "Compétance", "CIN"' in (problem.hint or "")
    assert 'did you mean "compétences" for column "Compétance"' in (problem.hint or "")


def test_headerless_file_does_not_echo_its_first_row() -> None:
    headers = ["D-1", "Fatima Zahra", "0612345678"]
    _, _, problems = map_headers(
        headers, DEVELOPER_COLUMNS, file="d.csv", required=DEVELOPER_REQUIRED
    )
    problem = _only(problems)
    assert "header row" in (problem.hint or "")
    assert "Fatima" not in str(problem)


@pytest.mark.parametrize(
    ("headers", "column", "code"),
    [
        (["id", "Nom", "Nom complet"], "Nom complet", "duplicate-column"),
        (["id", "Région/Province"], "Région/Province", "ambiguous-column"),
    ],
)
def test_header_conflicts(headers: list[str], column: str, code: str) -> None:
    _, _, problems = map_headers(headers, DEVELOPER_COLUMNS, file="d.csv")
    problem = _only(problems)
    assert (problem.column, problem.code) == (column, code)


def test_first_name_column_is_joined_to_name(write_csv: WriteCsv) -> None:
    header = ["id", "Prénom", "Nom", "region", "skills", "languages"]
    path = write_csv("d.csv", [header, ["D-1", "Amina", "Alaoui", "MA-09", "web", "fr"]])
    [dev], problems, _ = read_developers(path)
    assert dev.name == "Amina Alaoui"
    assert problems == []


# -- whole files -----------------------------------------------------------------------------


def test_valid_developers(write_csv: WriteCsv) -> None:
    header = [
        *DEV_HEADER,
        "province",
        "sectors",
        "availability_hours",
        "experience_years",
        "mobility",
        "gender",
        "lat",
        "lon",
        "email",
        "phone",
    ]
    row = _dev(id=" D-7 ", languages="Darija; français; darija", skills="site web | SEO")
    row += [
        "Agadir Ida-Outanane",
        "argan",
        "12,5",
        "2",
        "à distance",
        "F",
        "30,42",
        "-9.6",
        "a@b.ma",
        "0612345678",
    ]
    [dev], problems, table = read_developers(write_csv("developers.csv", [header, row]))
    assert problems == []
    assert (dev.id, dev.row, dev.region, dev.province) == ("D-7", 2, "MA-09", "09.001")
    assert dev.languages == ("ary", "fr")
    assert dev.skills == ("web", "seo")
    assert (dev.availability_hours, dev.experience_years) == (12.5, 2)
    assert (dev.mobility, dev.gender, dev.lat, dev.lon) == ("remote", "female", 30.42, -9.6)
    assert (dev.email, dev.phone) == ("a@b.ma", "0612345678")
    assert table.file == "developers.csv"


def test_header_only_means_no_data_rows(write_csv: WriteCsv) -> None:
    devs, problems, _ = read_developers(write_csv("developers.csv", [DEV_HEADER]))
    problem = _only(problems)
    assert devs == []
    assert (problem.file, problem.row, problem.code) == ("developers.csv", None, "no-rows")
    assert "no data rows" in problem.message


def test_missing_column_stops_before_rows(write_csv: WriteCsv) -> None:
    path = write_csv("developers.csv", [DEV_HEADER[:-1], _dev(region="Atlantis")[:-1]])
    devs, problems, _ = read_developers(path)
    assert devs == []
    assert [p.code for p in problems] == ["missing-columns"]


def test_duplicate_id_names_the_first_row(write_csv: WriteCsv) -> None:
    rows = [DEV_HEADER, _dev(id="D-0042"), _dev(id="D-2"), _dev(id="D-0042 ")]
    devs, problems, _ = read_developers(write_csv("developers.csv", rows))
    problem = _only(problems)
    assert (problem.row, problem.column, problem.code) == (4, "id", "duplicate-id")
    assert problem.message == 'id "D-0042" already used on row 2'
    assert [d.id for d in devs] == ["D-0042", "D-2"]


@pytest.mark.parametrize(
    ("region", "words"),
    [
        ("Atlantis", ["unknown region", "Atlantis"]),
        ("Souss-Massa-Drâa", ["pre-2015", "Souss-Massa"]),
        ("Grand Casablanca", ["pre-2015", "Casablanca-Settat"]),
        ("Fès", ["city", "Fès-Meknès"]),
        ("Agadir", ["city", "Souss-Massa"]),
    ],
)
def test_region_errors_suggest_the_right_region(
    write_csv: WriteCsv, region: str, words: list[str]
) -> None:
    header = ["ID", "Nom", "Région", "Compétences", "Langues"]
    path = write_csv("developers.csv", [header, _dev(), _dev(id="D-2", region=region)])
    devs, problems, _ = read_developers(path)
    problem = _only(problems)
    assert (problem.file, problem.row, problem.column, problem.code) == (
        "developers.csv",
        3,
        "Région",
        "unknown-region",
    )
    for word in words:
        assert word in str(problem)
    assert [d.id for d in devs] == ["D-1"]


@pytest.mark.parametrize(
    ("region", "code"),
    [
        ("سوس ماسة", "MA-09"),
        ("MA-06", "MA-06"),
        ("casablanca settat", "MA-06"),
        ("Region de l'Oriental", "MA-02"),
    ],
)
def test_region_spellings_are_accepted(write_csv: WriteCsv, region: str, code: str) -> None:
    [dev], problems, _ = read_developers(write_csv("d.csv", [DEV_HEADER, _dev(region=region)]))
    assert (dev.region, problems) == (code, [])


def test_province_in_another_region(write_csv: WriteCsv) -> None:
    header = [*DEV_HEADER, "Province"]
    path = write_csv("d.csv", [header, [*_dev(region="Fès-Meknès"), "Agadir Ida-Outanane"]])
    devs, problems, _ = read_developers(path)
    problem = _only(problems)
    assert (problem.row, problem.column, problem.code) == (
        2,
        "Province",
        "province-region-mismatch",
    )
    assert "Agadir-Ida-Ou-Tanane" in problem.message
    assert "Souss-Massa" in problem.message
    assert "Fès-Meknès" in problem.message
    assert devs == []


def test_unknown_province(write_csv: WriteCsv) -> None:
    path = write_csv("d.csv", [[*DEV_HEADER, "province"], [*_dev(), "Gotham"]])
    problem = _only(read_developers(path)[1])
    assert (problem.column, problem.code) == ("province", "unknown-province")


def test_empty_name_says_nothing_else(write_csv: WriteCsv) -> None:
    header = ["ID", "nom", "Région", "Compétences", "Langues"]
    rows = [header, _dev(), _dev(id="D-2"), _dev(id="D-3"), _dev(id="D-4"), _dev(id="D-5", name="")]
    problem = _only(read_developers(write_csv("developers.csv", rows))[1])
    assert str(problem) == 'developers.csv, row 6, column "nom": name is empty'


@pytest.mark.parametrize("name", ["=SUM(A1:A9)", "+212600", "-Ali", "@Sara"])
def test_formula_like_name_is_kept_as_text(write_csv: WriteCsv, name: str) -> None:
    [dev], problems, _ = read_developers(write_csv("d.csv", [DEV_HEADER, _dev(name=name)]))
    assert (dev.name, problems) == (name, [])


def test_unknown_language_is_an_error(write_csv: WriteCsv) -> None:
    path = write_csv("d.csv", [DEV_HEADER, _dev(languages="fr; klingon")])
    devs, problems, _ = read_developers(path)
    problem = _only(problems)
    assert (problem.row, problem.column, problem.code) == (2, "languages", "unknown-language")
    assert "klingon" in problem.message
    assert devs == []


def test_unknown_skill_is_kept_with_a_warning(write_csv: WriteCsv) -> None:
    path = write_csv("d.csv", [DEV_HEADER, _dev(skills="web; tissage")])
    [dev], problems, _ = read_developers(path)
    problem = _only(problems, "warning")
    assert (problem.row, problem.column, problem.code) == (2, "skills", "unknown-skill")
    assert '"tissage"' in problem.message
    assert dev.skills == ("web", "tissage")


@pytest.mark.parametrize(
    ("column", "value", "code", "words"),
    [
        ("name", "", "empty", "name is empty"),
        ("id", "  ", "empty", "id is empty"),
        ("skills", "", "empty", "skills is empty"),
        ("skills", " ; ", "empty", "no skill given"),
        ("languages", "", "empty", "languages is empty"),
        ("region", "", "empty", "region is empty"),
    ],
)
def test_empty_required_cells(
    write_csv: WriteCsv, column: str, value: str, code: str, words: str
) -> None:
    path = write_csv("d.csv", [DEV_HEADER, _dev(**{column: value})])
    problem = _only(read_developers(path)[1])
    assert (problem.row, problem.column, problem.code) == (2, column, code)
    assert problem.message == words


@pytest.mark.parametrize(
    ("column", "value", "code", "words"),
    [
        ("Disponibilité (h/semaine)", "200", "out-of-range", "between 0 and 168"),
        ("Disponibilité (h/semaine)", "beaucoup", "bad-number", "not a number"),
        ("Expérience", "81", "out-of-range", "between 0 and 80"),
        ("lat", "95", "out-of-range", "between -90 and 90"),
        ("Mobilité", "partout sauf Rabat", "bad-mobility", "unknown mobility"),
        ("Sexe", "X-secret", "bad-gender", "unknown gender"),
    ],
)
def test_bad_optional_values(
    write_csv: WriteCsv, column: str, value: str, code: str, words: str
) -> None:
    path = write_csv("d.csv", [[*DEV_HEADER, column], [*_dev(), value]])
    problem = _only(read_developers(path)[1])
    assert (problem.row, problem.column, problem.code) == (2, column, code)
    assert words in problem.message
    if column in ("Sexe", "Disponibilité (h/semaine)"):
        assert value not in str(problem)


def test_every_problem_of_every_row_is_collected(write_csv: WriteCsv) -> None:
    rows = [
        DEV_HEADER,
        _dev(id="D-1", region="Atlantis", languages="klingon"),
        _dev(id="D-2"),
        _dev(id="D-3", name="", skills="", languages="fr; elvish"),
    ]
    problems = _errors(read_developers(write_csv("d.csv", rows))[1])
    assert [(p.row, p.column) for p in problems] == [
        (2, "region"),
        (2, "languages"),
        (4, "name"),
        (4, "languages"),
        (4, "skills"),
    ]


def test_national_id_column_is_ignored_and_never_echoed(write_csv: WriteCsv) -> None:
    header = [*DEV_HEADER, "CIN", "Numéro national"]
    rows = [header, [*_dev(), "AB123456", "N-998877"], [*_dev(id="D-2"), "CD654321", ""]]
    devs, problems, _ = read_developers(write_csv("d.csv", rows))
    problem = _only(problems, "warning")
    assert (problem.code, problem.row, problem.column) == ("unknown-columns", None, None)
    assert '"CIN", "Numéro national"' in problem.message
    assert len(devs) == 2
    dumped = " ".join(repr(d) for d in devs) + " ".join(str(p) for p in problems)
    for secret in ("AB123456", "N-998877", "CD654321"):
        assert secret not in dumped


def test_personal_values_never_appear_in_problems(write_csv: WriteCsv) -> None:
    header = [
        "ID",
        "Nom",
        "Région",
        "Compétences",
        "Langues",
        "E-mail",
        "Téléphone",
        "CIN",
        "Sexe",
        "Disponibilité",
        "lat",
        "lon",
        "Mobilité",
    ]
    personal = [
        [
            "D-1",
            "Fatima Zahra Bennani",
            "Atlantis",
            "",
            "klingon",
            "fatima.bennani@mail.ma",
            "+212 661-234567",
            "BE778899",
            "Femmelette",
            "Fatima",
            "abc",
            "",
            "",
        ],
        [
            "D-1",
            "",
            "Grand Casablanca",
            "tissage",
            "",
            "youssef@example.com",
            "0522334455",
            "JK112233",
            "youssef",
            "0661223344",
            "33,5",
            "youssef@example.com",
            "local",
        ],
        [
            "D-3",
            '=HYPERLINK("http://evil")',
            "Fès",
            "web",
            "fr",
            "not-an-email",
            "0600000000",
            "ZZ000000",
            "",
            "500",
            "-7",
            "33",
            "",
        ],
    ]
    problems = read_developers(write_csv("developers.csv", [header, *personal]))[1]
    assert len(_errors(problems)) >= 10
    shown = [str(p) for p in problems] + [p.hint or "" for p in problems]
    secrets = {cell for row in personal for cell in row[1:] if len(cell) > 2}
    secrets -= {"Atlantis", "Grand Casablanca", "tissage", "klingon", "Fès", "web", "33,5"}
    for text in shown:
        for secret in secrets:
            assert secret not in text, (secret, text)


def test_xlsx_with_title_row_reports_excel_rows(write_xlsx: WriteXlsx) -> None:
    rows: list[list[object]] = [
        ["Programme binômes — candidatures Souss-Massa"],
        ["exporté le 01/03/2025"],
        ["ID", "Nom", "Région", "Compétences", "Langues", "Disponibilité (h/semaine)"],
        ["D-1", "Amina", "Souss-Massa", "web", "fr", 20],
        [None],
        ["D-2", "Omar", "Souss-Massa-Drâa", "web", "ar", 10.5],
    ]
    devs, problems, _ = read_developers(write_xlsx("developers.xlsx", rows))
    problem = _only(problems)
    assert (problem.file, problem.row, problem.column) == ("developers.xlsx", 6, "Région")
    assert [(d.id, d.row, d.availability_hours) for d in devs] == [("D-1", 4, 20)]


def test_cp1252_french_file_gives_profiles(tmp_path: Path) -> None:
    text = (
        "Identifiant;Nom complet;Région;Province/Préfecture;Compétences;Langues parlées\r\n"
        "D-1;Hélène;Drâa-Tafilalet;Errachidia;Site web;Français;\r\n"
    )
    path = tmp_path / "developers.csv"
    path.write_bytes(text.encode("cp1252"))
    [dev], problems, table = read_developers(path)
    assert (dev.region, dev.name, dev.languages) == ("MA-08", "Hélène", ("fr",))
    assert table.encoding == "cp1252"
    assert problems == []


def test_cp1256_arabic_file_gives_profiles(tmp_path: Path) -> None:
    text = "الرقم;الاسم;الجهة;المهارات;اللغات\r\nD-1;فاطمة;سوس ماسة;web;العربية\r\n"
    path = tmp_path / "developers.csv"
    path.write_bytes(text.encode("cp1256"))
    [dev], problems, _ = read_developers(path)
    assert (dev.name, dev.region, dev.languages) == ("فاطمة", "MA-09", ("ar",))
    assert problems == []


def test_json_developers(write_json: WriteJson) -> None:
    records = [
        {
            "id": "D-1",
            "name": "Amina",
            "region": "MA-09",
            "skills": ["web", "seo"],
            "languages": ["fr", "ary"],
            "availability_hours": 15,
        }
    ]
    [dev], problems, _ = read_developers(write_json("developers.json", {"developers": records}))
    assert (dev.skills, dev.languages, dev.availability_hours) == (
        ("web", "seo"),
        ("fr", "ary"),
        15,
    )
    assert problems == []


def test_empty_json_list_has_no_data_rows(write_json: WriteJson) -> None:
    _, problems, _ = read_developers(write_json("developers.json", []))
    assert [p.code for p in problems] == ["no-rows"]


# -- partners --------------------------------------------------------------------------------


def _partner(**cells: str) -> list[str]:
    row = {
        "id": "P-1",
        "name": "Coop Argan",
        "kind": "agriculteur",
        "sector": "argan",
        "region": "Souss-Massa",
        "needs": "e-commerce; photo",
        "languages": "ary; fr",
    }
    row.update(cells)
    return [row[h] for h in PARTNER_HEADER]


def test_valid_partner(write_csv: WriteCsv) -> None:
    [partner], problems, _ = read_partners(write_csv("p.csv", [PARTNER_HEADER, _partner()]))
    assert problems == []
    assert (partner.kind, partner.sector, partner.region) == ("farmer", "argan", "MA-09")
    assert partner.languages == ("ary", "fr")
    assert partner.needs[0] == "e-commerce"


@pytest.mark.parametrize(
    ("cells", "column", "code", "severity"),
    [
        ({"kind": "pêcheur"}, "kind", "bad-kind", "error"),
        ({"kind": ""}, "kind", "empty", "error"),
        ({"sector": ""}, "sector", "empty", "error"),
        ({"sector": "argan; dattes"}, "sector", "several-sectors", "error"),
        ({"sector": "astronautique"}, "sector", "unknown-sector", "warning"),
        ({"needs": ""}, "needs", "no-needs", "warning"),
        ({"needs": "web; tissage"}, "needs", "unknown-skill", "warning"),
    ],
)
def test_partner_problems(
    write_csv: WriteCsv, cells: dict[str, str], column: str, code: str, severity: str
) -> None:
    problems = read_partners(write_csv("p.csv", [PARTNER_HEADER, _partner(**cells)]))[1]
    assert [(p.row, p.column, p.code, p.severity) for p in problems] == [
        (2, column, code, severity)
    ]
    if code == "bad-kind":
        assert "artisan" in (problems[0].hint or "")


@pytest.mark.parametrize(
    ("hours", "years", "expected"),
    [
        ("20h", "3 ans", (20.0, 3.0)),
        ("12,5 h/semaine", "2 years", (12.5, 2.0)),
        ("8 heures", "1 an", (8.0, 1.0)),
        ("40 hours/week", "0", (40.0, 0.0)),
        ("15", "4yrs", (15.0, 4.0)),
    ],
)
def test_hours_and_years_accept_their_unit(
    write_csv: WriteCsv, hours: str, years: str, expected: tuple[float, float]
) -> None:
    path = write_csv(
        "developers.csv",
        [[*DEV_HEADER, "availability_hours", "experience_years"], [*_dev(), hours, years]],
    )
    developers, problems, _ = read_developers(path)
    assert _errors(problems) == []
    assert (developers[0].availability_hours, developers[0].experience_years) == expected


@pytest.mark.parametrize("hours", ["20 km", "h20", "vingt", "20h30"])
def test_hours_with_another_unit_are_still_errors(write_csv: WriteCsv, hours: str) -> None:
    path = write_csv("developers.csv", [[*DEV_HEADER, "availability_hours"], [*_dev(), hours]])
    _, problems, _ = read_developers(path)
    problem = _only(problems)
    assert (problem.row, problem.column) == (2, "availability_hours")
    assert "not a number" in problem.message


# -- fast paths --------------------------------------------------------------------------------

_FAST_STEPS = [step for step in (*_DEVELOPER, *_PARTNER) if step.fast is not None]
# List items of every kind: known tags and their labels, spellings, unknown words, joined
# pairs, personal data shifted into the column, placeholders and separators.
_ITEMS = [
    *SKILLS,
    *SKILLS.values(),
    *SECTORS,
    *SECTORS.values(),
    "WEB",
    " Web ",
    "développement web",
    "web et mobile",
    "SEO / contenu",
    "web & cuisine",
    "cuisine moléculaire",
    "zzz",
    "Rachid Ouhmad",
    "Mobile Apps",  # a known skill that looks like a person's name: ignored, with a warning
    "Argan Oil",
    "amina@example.ma",
    "+212 600 00 00 00",
    "AB123456",
    "N/A",
    "-",
    "",
    " ",
    "web;data",
    "|",
]


def _checked(step: _Step, cell: str) -> tuple[str, tuple[object, list[Problem]]]:
    """Return the cell as the step sees it, and what its check gives with every problem."""
    field = step.reads[0]
    mapping = {field: field}
    raw = RawRow(2, {field: cell})
    columns = _Columns([raw], mapping)
    log = ProblemLog()
    value = step.check(_Row("x.csv", raw, mapping, log, columns=columns))
    return columns.column(field)[0], (value, log.items)


@settings(max_examples=300, deadline=None)
@given(
    step=st.sampled_from(_FAST_STEPS),
    items=st.lists(st.sampled_from(_ITEMS), max_size=5),
    separator=st.sampled_from([";", ",", "|", " ; ", "\n"]),
)
def test_a_fast_path_gives_what_the_check_gives_when_it_reports_nothing(
    step: _Step, items: list[str], separator: str
) -> None:
    assert step.fast is not None
    text, (value, problems) = _checked(step, separator.join(items))
    fast = step.fast(text)
    if fast is not _UNSURE:
        assert problems == []
        assert fast == value
        assert type(fast) is type(value)


@pytest.mark.parametrize(
    ("field", "cell", "expected"),
    [
        ("skills", "web; Mobile apps ;WEB", ("web", "mobile")),
        ("sectors", "", ()),
        ("needs", "data|web", ("data", "web")),
        ("skills", "", _UNSURE),  # "skills is empty" is the check's to report
        ("needs", "", _UNSURE),  # so is "no needs listed"
        ("skills", "web et mobile", _UNSURE),
        ("skills", "web;zzz", _UNSURE),
        ("sectors", "textile;Rachid Ouhmad", _UNSURE),
    ],
)
def test_a_fast_path_reads_plain_lists_and_leaves_the_rest_to_the_check(
    field: str, cell: str, expected: object
) -> None:
    (step,) = {s for s in _FAST_STEPS if s.reads == (field,)}
    assert step.fast is not None
    assert step.fast(cell) == expected


def _naive_footers(rows: list[RawRow], mapping: dict[str, str], required: list[str]) -> set[int]:
    """The footer rule as stated: at most two required cells filled, labelled or at the end."""
    filled = [sum(bool(row.cells[mapping[f]].strip()) for f in required) for row in rows]
    sparse = [n <= 2 for n in filled]
    found = {
        row.number
        for row, few in zip(rows, sparse, strict=True)
        if few and next((c for c in row.cells.values() if c.strip()), "").startswith("Total")
    }
    for row, few in zip(reversed(rows), reversed(sparse), strict=True):
        if not few:
            break
        found.add(row.number)
    return set() if len(found) == len(rows) else found


@settings(max_examples=200, deadline=None)
@given(
    grid=st.lists(
        st.lists(st.sampled_from(["x", "", " ", "Total"]), min_size=5, max_size=5),
        min_size=1,
        max_size=12,
    ),
    width=st.integers(min_value=1, max_value=5),
)
def test_footer_rows_counting_empty_cells_match_the_rule(grid: list[list[str]], width: int) -> None:
    required = DEV_HEADER[:width]
    mapping = {f: f for f in DEV_HEADER}
    rows = [RawRow(n, dict(zip(DEV_HEADER, cells, strict=True))) for n, cells in enumerate(grid, 2)]
    assert footer_rows(rows, mapping, required) == _naive_footers(rows, mapping, required)


@settings(max_examples=300, deadline=None)
@given(
    values=st.sets(
        st.one_of(
            st.sampled_from(["N/A", "n.a.", "Néant", "-", "none", "NULL", "x@y.ma", "D-00001"]),
            st.sampled_from(["N / D", "n-a", "--", "Nil.", "N..A", "?", "NaN", "nonE", "-?-"]),
            st.text(alphabet=["n", "A", "/", ".", " ", "-", "é", "\n", "l", "u", "O", "e", "D"]),
        ),
        max_size=8,
    )
)
def test_placeholders_are_found_as_testing_every_value_would(values: set[str]) -> None:
    assert _placeholders(values) == {v for v in values if _is_placeholder(v)}


def test_what_a_read_leaves_goes_to_the_oldest_generation(write_csv: WriteCsv) -> None:
    path = write_csv("developers.csv", [DEV_HEADER, _dev(), _dev(id="D-2")])
    developers, _, _ = read_developers(path)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0
    oldest = {id(o) for o in gc.get_objects(generation=2)}
    assert {id(d) for d in developers} <= oldest


def test_a_read_leaves_the_objects_a_process_froze_frozen(write_csv: WriteCsv) -> None:
    path = write_csv("developers.csv", [DEV_HEADER, _dev()])
    gc.freeze()
    try:
        frozen = gc.get_freeze_count()
        developers, _, _ = read_developers(path)
        assert gc.get_freeze_count() == frozen
        assert developers[0].id == "D-1"
    finally:
        gc.unfreeze()


@settings(max_examples=200, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["", "a", "b", "ab"]), st.sampled_from(["", "a", "c"]), st.booleans()
        ),
        min_size=1,
        max_size=30,
    )
)
def test_group_codes_are_equal_exactly_when_the_cells_are(
    rows: list[tuple[str, str, bool]],
) -> None:
    codes = _group_codes([list(column) for column in zip(*rows, strict=True)])
    for i, row in enumerate(rows):
        for j, other in enumerate(rows):
            assert (codes[i] == codes[j]) == (row == other)


def test_cells_read_column_by_column_are_stripped_and_emptied_of_placeholders(
    write_csv: WriteCsv,
) -> None:
    header = [*DEV_HEADER, "email", "mobility"]
    rows = [
        [*_dev(id=" D-1 ", region="  Souss-Massa "), " N/A ", " remote"],
        [*_dev(id="D-2", skills=" web ; data ", languages="fr "), "a@b.ma  ", "remote"],
        [*_dev(id="D-3"), "-", " Remote "],
    ]
    developers, problems, _ = read_developers(write_csv("developers.csv", [header, *rows]))
    assert _errors(problems) == []
    assert [(d.id, d.region, d.email, d.mobility) for d in developers] == [
        ("D-1", "MA-09", None, "remote"),
        ("D-2", "MA-09", "a@b.ma", "remote"),
        ("D-3", "MA-09", None, "remote"),
    ]
    assert developers[1].skills == ("web", "data")
    assert developers[1].languages == ("fr",)
