"""Tests for matcher.readers.table: decoding, delimiters, shapes and file-level problems."""

from __future__ import annotations

import datetime as dt
import re
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matcher.errors import InputError, Problem, UsageError
from matcher.readers.table import _parse_csv, _quoted_record, read_table

WriteCsv = Callable[..., Path]
WriteJson = Callable[[str, object], Path]
WriteXlsx = Callable[..., Path]

HEADER = ["id", "name", "region", "skills", "languages"]
ROW = ["D-1", "Amina", "Souss-Massa", "web", "fr"]


def _problems(
    path: Path, *, sheet: str | None = None, encoding: str | None = None
) -> list[Problem]:
    with pytest.raises(InputError) as info:
        read_table(path, sheet=sheet, encoding=encoding)
    assert info.value.problems, "an InputError must carry its problems"
    return info.value.problems


def _write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("developers.csv", b""),
        ("developers.csv", b"  \r\n\r\n"),
        ("developers.csv", b"\xef\xbb\xbf"),
        ("developers.json", b"\n"),
    ],
)
def test_empty_file_is_an_error(tmp_path: Path, name: str, data: bytes) -> None:
    [problem] = _problems(_write(tmp_path, name, data))
    assert (problem.file, problem.row, problem.code) == (name, None, "empty-file")
    assert "empty" in problem.message


def test_header_only_is_not_an_error_here(write_csv: WriteCsv) -> None:
    table = read_table(write_csv("developers.csv", [HEADER]))
    assert table.headers == HEADER
    assert table.rows == []


@pytest.mark.parametrize(
    ("delimiter", "suffix"), [(",", ".csv"), (";", ".csv"), ("\t", ".tsv"), ("\t", ".txt")]
)
def test_delimiter_is_detected_from_header(
    write_csv: WriteCsv, delimiter: str, suffix: str
) -> None:
    row = ["D-1", "Amina, B.", "Souss-Massa", "web; seo", "fr"]
    table = read_table(write_csv(f"developers{suffix}", [HEADER, row], delimiter=delimiter))
    assert table.headers == HEADER
    assert [r.number for r in table.rows] == [2]
    assert table.rows[0].cells == dict(zip(HEADER, row, strict=True))


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
def test_line_endings(write_csv: WriteCsv, newline: str) -> None:
    table = read_table(write_csv("d.csv", [HEADER, ROW, ROW], newline=newline))
    assert [r.number for r in table.rows] == [2, 3]
    assert table.rows[1].cells["languages"] == "fr"


def test_quoted_multiline_cell_keeps_later_row_numbers(tmp_path: Path) -> None:
    data = (
        b'id,name,note\r\nD-1,"Line one\r\nline two\r\nline three",x\r\nD-2,Omar,"say ""hi"""\r\n'
    )
    table = read_table(_write(tmp_path, "d.csv", data))
    assert [r.number for r in table.rows] == [2, 5]
    assert table.rows[0].cells["name"] == "Line one\nline two\nline three"
    assert table.rows[1].cells["note"] == 'say "hi"'


def test_blank_lines_are_skipped_but_counted(tmp_path: Path) -> None:
    data = b"\r\nid,name\r\n\r\nD-1,A\r\n,\r\nD-2,B\r\n"
    table = read_table(_write(tmp_path, "d.csv", data))
    assert [r.number for r in table.rows] == [4, 6]


def test_ragged_rows_are_all_reported(tmp_path: Path) -> None:
    data = b"id,name,region\nD-1,A,MA-01\nD-2,A\nD-3,A,MA-01\nD-4,A,Fes,Meknes\nD-5,A,MA-01,\n"
    problems = _problems(_write(tmp_path, "developers.csv", data))
    assert [(p.file, p.row, p.code) for p in problems] == [
        ("developers.csv", 3, "ragged-row"),
        ("developers.csv", 5, "ragged-row"),
    ]
    assert "2 cells but the header has 3" in problems[0].message
    assert "4 cells but the header has 3" in problems[1].message
    assert all("Meknes" not in str(p) for p in problems)


@pytest.mark.parametrize(
    ("data", "row"),
    [
        (b'id,name\nD-1,A\nD-2,"Amina\nD-3,B\n', 3),
        # The stray quote "closes" on a later row's opening quote: still the row where it opened.
        (b'id,name,note\nD-1,A,x\nD-2,"Amina,x\nD-3,B,"a, b"\nD-4,C,y\n', 3),
    ],
)
def test_unclosed_quote_names_the_row_where_it_opens(tmp_path: Path, data: bytes, row: int) -> None:
    [problem] = _problems(_write(tmp_path, "developers.csv", data))
    assert (problem.row, problem.code) == (row, "unclosed-quote")
    assert "never closed" in problem.message
    assert "Amina" not in str(problem)


def test_stray_quote_inside_plain_cell_is_text(tmp_path: Path) -> None:
    table = read_table(_write(tmp_path, "d.csv", b'id,name\nD-1,Dar "Nour"\n'))
    assert table.rows[0].cells["name"] == 'Dar "Nour"'


def test_huge_cell_is_reported_quickly_without_content(tmp_path: Path) -> None:
    big = "x" * 200_000
    data = f'id,name,region\nD-1,"{big}",MA-01\nD-2,{big},MA-01\n'.encode()
    started = time.perf_counter()
    problems = _problems(_write(tmp_path, "developers.csv", data))
    assert time.perf_counter() - started < 2
    assert [(p.row, p.column, p.code) for p in problems] == [
        (2, "name", "cell-too-long"),
        (3, "name", "cell-too-long"),
    ]
    assert "200,000 characters" in problems[0].message
    assert "10,000" in problems[0].message
    assert all("xxxxxxxxxx" not in str(p) for p in problems)


def test_cp1252_semicolon_file_with_french_headers(tmp_path: Path) -> None:
    text = (
        "Identifiant;Nom complet;Région;Compétences;Langues parlées;Disponibilité (h/semaine)\r\n"
        "D-1;Hélène Benaïssa;Fès-Meknès;Création de site;français;12,5\r\n"
        "D-2;ÉLODIE;Drâa-Tafilalet;réseaux sociaux;arabe;8\r\n"
    )
    table = read_table(_write(tmp_path, "developers.csv", text.encode("cp1252")))
    assert table.encoding == "cp1252"
    assert table.headers[2] == "Région"
    assert table.rows[0].cells["Région"] == "Fès-Meknès"
    assert table.rows[1].cells["Nom complet"] == "ÉLODIE"
    assert table.rows[1].cells["Région"] == "Drâa-Tafilalet"


def test_cp1256_file_with_arabic(tmp_path: Path) -> None:
    text = (
        "id;الاسم;الجهة;compétences;langues\r\n"
        "D-1;فاطمة الزهراء;سوس ماسة;web;العربية\r\n"
        "D-2;Rachid;فاس مكناس;web;français\r\n"
    )
    table = read_table(_write(tmp_path, "developers.csv", text.encode("cp1256")))
    assert table.encoding == "cp1256"
    assert table.rows[0].cells["الجهة"] == "سوس ماسة"
    assert table.rows[1].cells["langues"] == "français"


def test_utf8_bom_is_stripped(write_csv: WriteCsv) -> None:
    table = read_table(write_csv("d.csv", [["région", *HEADER[1:]], ROW], bom=True))
    assert table.headers[0] == "région"
    assert table.encoding == "utf-8-sig"


def test_utf16_text_as_excel_writes_it(tmp_path: Path) -> None:
    data = "id\tname\r\nD-1\tRéda\r\n".encode("utf-16")
    table = read_table(_write(tmp_path, "d.txt", data))
    assert table.rows[0].cells == {"id": "D-1", "name": "Réda"}


def test_ambiguous_encoding_asks_for_encoding(tmp_path: Path) -> None:
    data = b"id,name\nD-1,x \xc9 y\n"
    [problem] = _problems(_write(tmp_path, "developers.csv", data))
    assert (problem.row, problem.code) == (2, "encoding")
    assert "--encoding" in (problem.hint or "")


def test_mixed_utf8_and_cp1252_is_refused(tmp_path: Path) -> None:
    data = "id,name\nD-1,Réda\nD-2,Hélène\n".encode() + "D-3,Zoé\n".encode("cp1252")
    [problem] = _problems(_write(tmp_path, "developers.csv", data))
    assert (problem.row, problem.code) == (4, "encoding")
    assert "mixes" in problem.message


def test_encoding_option_overrides_detection(tmp_path: Path) -> None:
    path = _write(tmp_path, "d.csv", "id,name\nD-1,x \xc9 y\n".encode("cp1252"))
    assert read_table(path, encoding="cp1256").rows[0].cells["name"] == "x ة y"
    assert read_table(path, encoding="latin-1").encoding == "iso8859-1"


def test_bad_encoding_name_is_a_usage_error(write_csv: WriteCsv) -> None:
    with pytest.raises(UsageError, match="unknown encoding"):
        read_table(write_csv("d.csv", [HEADER, ROW]), encoding="klingon")


def test_undecodable_bytes_with_given_encoding(tmp_path: Path) -> None:
    path = _write(tmp_path, "developers.csv", b"id,name\nD-1,A\nD-2,\xff\xfe\n")
    [problem] = _problems(path, encoding="utf-8")
    assert (problem.row, problem.code) == (3, "encoding")


def test_missing_file_is_a_usage_error(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="no such file"):
        read_table(tmp_path / "nope.csv")


@pytest.mark.parametrize("name", ["developers.xls", "developers.pdf", "developers"])
def test_unknown_extension(tmp_path: Path, name: str) -> None:
    [problem] = _problems(_write(tmp_path, name, b"id,name\n"))
    assert (problem.file, problem.code) == (name, "bad-extension")
    assert ".xlsx" in problem.message


def test_xlsx_renamed_csv_is_explained(tmp_path: Path, write_xlsx: WriteXlsx) -> None:
    data = write_xlsx("d.xlsx", [HEADER, ROW]).read_bytes()
    [problem] = _problems(_write(tmp_path, "developers.csv", data))
    assert problem.code == "encoding"
    assert ".xlsx" in (problem.hint or "")


def test_duplicate_header_is_an_error(write_csv: WriteCsv) -> None:
    [problem] = _problems(write_csv("d.csv", [["id", "name", "id"], ["1", "A", "2"]]))
    assert (problem.column, problem.code) == ("id", "duplicate-column")


def test_xlsx_title_rows_and_true_row_numbers(write_xlsx: WriteXlsx) -> None:
    rows: list[list[object]] = [
        ["Candidatures 2025 — Région Souss-Massa"],
        [],
        ["ID", "Nom", "Région", "Compétences", "Langues", "Heures", "Lat", "Date"],
        ["D-1", "Amina", "Souss-Massa", "web", "fr", 20.0, 30.42, dt.datetime(2025, 3, 1)],
        [],
        ["D-2", "Omar", "MA-09", "seo", "ar", 7, -9.5981, dt.date(2025, 3, 2)],
    ]
    table = read_table(write_xlsx("developers.xlsx", rows), is_header=lambda c: "ID" in c)
    assert table.headers[:2] == ["ID", "Nom"]
    assert [r.number for r in table.rows] == [4, 6]
    first, second = (r.cells for r in table.rows)
    assert (first["Heures"], first["Lat"], first["Date"]) == ("20", "30.42", "2025-03-01")
    assert (second["Heures"], second["Lat"], second["Date"]) == ("7", "-9.5981", "2025-03-02")
    assert table.encoding is None


def test_xlsx_ragged_and_long_cells_use_excel_rows(write_xlsx: WriteXlsx) -> None:
    rows: list[list[object]] = [
        ["Titre"],
        ["id", "name", "region"],
        ["D-1", "A", "MA-01", "stray"],
        ["D-2", "y" * 20_000, "MA-01"],
    ]
    with pytest.raises(InputError) as info:
        read_table(write_xlsx("developers.xlsx", rows), is_header=lambda c: "id" in c)
    problems = info.value.problems
    assert [(p.row, p.column, p.code) for p in problems] == [
        (3, None, "ragged-row"),
        (4, "name", "cell-too-long"),
    ]
    assert "column D has a value but no header" in problems[0].message


def test_xlsx_sheet_selection(tmp_path: Path) -> None:
    openpyxl = pytest.importorskip("openpyxl")
    book = openpyxl.Workbook()
    book.active.title = "Notes"
    book.create_sheet("Développeurs").append(HEADER)
    book["Développeurs"].append(ROW)
    path = tmp_path / "developers.xlsx"
    book.save(path)
    assert read_table(path, sheet="Développeurs").rows[0].cells["id"] == "D-1"
    [problem] = _problems(path, sheet="Devs")
    assert problem.code == "sheet-not-found"
    assert '"Notes", "Développeurs"' in (problem.hint or "")


def test_corrupt_xlsx(tmp_path: Path) -> None:
    [problem] = _problems(_write(tmp_path, "developers.xlsx", b"not a zip"))
    assert problem.code == "bad-workbook"


@pytest.mark.parametrize("wrap", [None, "developers", "rows"])
def test_json_records(write_json: WriteJson, wrap: str | None) -> None:
    records = [
        {"id": "D-1", "name": "Amina", "languages": ["ary", "fr"], "availability_hours": 20.0},
        {"id": "D-2", "name": "Omar", "lat": 33.57, "skills": "web"},
    ]
    table = read_table(write_json("developers.json", {wrap: records} if wrap else records))
    assert table.headers == ["id", "name", "languages", "availability_hours", "lat", "skills"]
    assert [r.number for r in table.rows] == [1, 2]
    assert table.rows[0].cells["languages"] == "ary;fr"
    assert table.rows[0].cells["availability_hours"] == "20"
    assert table.rows[1].cells["lat"] == "33.57"
    assert table.rows[1].cells["languages"] == ""


@pytest.mark.parametrize(
    ("document", "row", "column", "code"),
    [
        ('{"people": []}', None, None, "bad-json"),
        ("[1, 2", None, None, "bad-json"),
        ('[{"id": "D-1"}, "D-2"]', 2, None, "bad-json"),
        ('[{"id": "D-1", "name": {"first": "A"}}]', 1, "name", "bad-json"),
    ],
)
def test_json_problems(
    tmp_path: Path, document: str, row: int | None, column: str | None, code: str
) -> None:
    [problem] = _problems(_write(tmp_path, "developers.json", document.encode()))
    assert (problem.row, problem.column, problem.code) == (row, column, code)


# -- the CSV parser's fast path ----------------------------------------------------------------


def _record_by_record(text: str, delimiter: str) -> object:
    """Parse every record with the general (quote-aware) parser: the fast path's oracle."""
    plain = re.compile(f"[^{re.escape(delimiter)}\\n]*")
    records: list[tuple[int, list[str]]] = []
    pos, line = 0, 1
    try:
        while pos < len(text):
            cells, pos, next_line = _quoted_record(
                text, "x.csv", delimiter, plain, pos=pos, line=line
            )
            records.append((line, cells))
            line = next_line
    except InputError as exc:
        return exc.problems
    return records


def _parsed(text: str, delimiter: str) -> object:
    try:
        return _parse_csv(text, "x.csv", delimiter)
    except InputError as exc:
        return exc.problems


@settings(max_examples=400, deadline=None)
@given(
    text=st.text(alphabet=["a", "b", ",", ";", '"', "\n", " "], max_size=40),
    delimiter=st.sampled_from([",", ";"]),
)
def test_lines_split_at_c_speed_parse_as_the_quote_aware_parser_does(
    text: str, delimiter: str
) -> None:
    assert _parsed(text, delimiter) == _record_by_record(text, delimiter)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a,b\nc,d\n", [(1, ["a", "b"]), (2, ["c", "d"])]),
        ("a,b\n\nc", [(1, ["a", "b"]), (2, [""]), (3, ["c"])]),
        ('a,"b\nc"\nd,e\n"f",g', [(1, ["a", "b\nc"]), (3, ["d", "e"]), (4, ["f", "g"])]),
        ('x\ny,"say ""hi""",z\nw', [(1, ["x"]), (2, ["y", 'say "hi"', "z"]), (3, ["w"])]),
    ],
)
def test_quoted_and_plain_lines_keep_their_line_numbers(
    text: str, expected: list[tuple[int, list[str]]]
) -> None:
    assert _parse_csv(text, "x.csv", ",") == expected


def test_columns_hold_each_headers_cells_row_by_row(write_csv: WriteCsv) -> None:
    rows = [HEADER, ROW, ["D-2", "Ali, Jr", "Oriental", "data", " ar "], [*ROW[:1], "", "", "", ""]]
    table = read_table(write_csv("d.csv", rows))
    assert table.columns is not None
    assert list(table.columns) == HEADER
    for header in HEADER:
        assert table.columns[header] == tuple(row.cells[header] for row in table.rows)
    assert table.columns["languages"] == ("fr", " ar ", "")


def test_a_table_whose_rows_are_reshaped_has_no_columns(write_csv: WriteCsv) -> None:
    # Trailing empty cells beyond the header are dropped row by row.
    table = read_table(write_csv("d.csv", [HEADER, ROW, [*ROW, "", ""]]))
    assert table.columns is None
    assert [row.cells for row in table.rows] == [dict(zip(HEADER, ROW, strict=True))] * 2
