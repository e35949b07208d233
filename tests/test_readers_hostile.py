"""Damaged workbooks, zip and JSON bombs, and tables past the size limits (issue 9).

Each case must end in an InputError whose one problem names the file (and the row or the
limit) and the fix: never another exception, never a cell's content.
"""

from __future__ import annotations

import io
import json
import re
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest

from matcher.errors import InputError
from matcher.readers import read_table
from matcher.readers import table as table_module

HEADER = ["id", "name", "kind", "sector", "region", "needs", "languages"]
ROWS = [
    ["P1", "Nora Boutaleb", "artisan", "pottery", "MA-06", "web", "ary;fr"],
    ["P2", "Partner two", "farmer", "olives", "MA-06", "web", "ary"],
]
SHEET = "xl/worksheets/sheet1.xml"


def _workbook() -> bytes:
    book = openpyxl.Workbook()
    ws = book.active
    ws.title = "Feuil1"
    for row in [HEADER, *ROWS]:
        ws.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _rewrite(data: bytes, part: str, edit: Callable[[bytes], bytes]) -> bytes:
    """Return the workbook with one part edited (the zip itself stays valid)."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as zin,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout,
    ):
        for item in zin.infolist():
            content = zin.read(item.filename)
            zout.writestr(item.filename, edit(content) if item.filename == part else content)
    return out.getvalue()


def _flip_in_sheet(data: bytes) -> bytes:
    """Flip one byte inside the compressed sheet, leaving the zip's directory intact."""
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        info = archive.getinfo(SHEET)
    start = info.header_offset + 30 + len(info.filename) + len(info.extra)
    damaged = bytearray(data)
    damaged[start + info.compress_size // 2] ^= 0xFF
    return bytes(damaged)


FIRST_CELL = b'<c r="A1" t="inlineStr"><is><t>id</t></is></c>'
DAMAGED: list[tuple[str, Callable[[bytes], bytes], str]] = [
    (
        "truncated sheet XML",
        lambda d: _rewrite(d, SHEET, lambda c: c[: len(c) // 2]),
        "the workbook is damaged and cannot be read (ParseError)",
    ),
    (
        "one flipped byte in the compressed sheet",
        _flip_in_sheet,
        "cannot be read",
    ),
    (
        "a shared-string index out of range",
        lambda d: _rewrite(
            d, SHEET, lambda c: c.replace(FIRST_CELL, b'<c r="A1" t="s"><v>999</v></c>')
        ),
        "the workbook is damaged and cannot be read (IndexError)",
    ),
    (
        "text in a numeric-typed cell",
        lambda d: _rewrite(
            d,
            SHEET,
            lambda c: c.replace(
                b"</row></sheetData>", b'<c r="H3" t="n"><v>abc</v></c></row></sheetData>'
            ),
        ),
        "the workbook is damaged and cannot be read (ValueError)",
    ),
    (
        "a workbook with no sheet",
        lambda d: _rewrite(
            d, "xl/workbook.xml", lambda c: re.sub(rb"<sheets>.*</sheets>", b"<sheets></sheets>", c)
        ),
        "the workbook has no sheet",
    ),
    (
        "a value at XFD1048576",
        lambda d: _rewrite(
            d,
            SHEET,
            lambda c: c.replace(
                b"</sheetData>",
                b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>',
            ),
        ),
        "row 1048576: a value in column XFD, beyond the limit of 500 columns",
    ),
    ("the zip cut in half", lambda d: d[: len(d) // 2], "cannot be opened as an Excel workbook"),
]


@pytest.mark.parametrize(
    ("damage", "fragment"), [c[1:] for c in DAMAGED], ids=[c[0] for c in DAMAGED]
)
def test_a_damaged_workbook_is_one_clear_problem(
    tmp_path: Path, damage: Callable[[bytes], bytes], fragment: str
) -> None:
    path = tmp_path / "partners.xlsx"
    path.write_bytes(damage(_workbook()))
    started = time.monotonic()
    with pytest.raises(InputError) as info:
        read_table(path)
    assert time.monotonic() - started < 10
    [problem] = info.value.problems
    text = str(problem)
    assert text.startswith("partners.xlsx") and fragment in text, text
    assert problem.hint and "Nora" not in text


def test_a_zip_bomb_is_refused_by_its_declared_size_before_reading(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty_rows = b"".join(b'<row r="%d"/>' % i for i in range(10, 200_000))
    path = tmp_path / "partners.xlsx"
    path.write_bytes(
        _rewrite(
            _workbook(), SHEET, lambda c: c.replace(b"</sheetData>", empty_rows + b"</sheetData>")
        )
    )
    monkeypatch.setattr(table_module, "MAX_XLSX_INFLATED", 1_000_000)

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the workbook was opened")

    monkeypatch.setattr(openpyxl, "load_workbook", never)
    with pytest.raises(InputError) as info:
        read_table(path)
    [problem] = info.value.problems
    assert "the workbook would inflate to" in problem.message
    assert "(limit 1,000,000)" in problem.message and problem.code == "too-large"


def test_empty_rows_cost_little(tmp_path: Path) -> None:
    empty_rows = b"".join(
        b'<row r="%d"><c r="A%d" s="0"/></row>' % (i, i) for i in range(10, 100_000)
    )
    path = tmp_path / "partners.xlsx"
    path.write_bytes(
        _rewrite(
            _workbook(), SHEET, lambda c: c.replace(b"</sheetData>", empty_rows + b"</sheetData>")
        )
    )
    started = time.monotonic()
    table = read_table(path)
    assert [r.cells["id"] for r in table.rows] == ["P1", "P2"]
    assert time.monotonic() - started < 30


JSON_BOMBS = [
    ("10,000 deep", "[" * 10_000 + "]" * 10_000, "the JSON is nested too deeply"),
    ("deep in a record", '[{"id": ' + "[" * 10_000 + "]" * 10_000 + "}]", "nested too deeply"),
    ("a 5,000-digit integer", '[{"id": ' + "9" * 5000 + "}]", "a number thousands of digits long"),
]


@pytest.mark.parametrize(
    ("text", "fragment"), [c[1:] for c in JSON_BOMBS], ids=[c[0] for c in JSON_BOMBS]
)
def test_a_json_bomb_is_one_clear_problem(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "developers.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_table(path)
    [problem] = info.value.problems
    assert problem.file == "developers.json" and fragment in problem.message


def test_json_lines_with_a_bomb_line_are_one_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "developers.json"
    path.write_text(json.dumps({"id": "D1"}) + "\n" + "[" * 10_000 + "\n", encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_table(path)
    assert "not valid JSON" in info.value.problems[0].message


@pytest.mark.parametrize(
    ("limit", "value", "make", "fragment"),
    [
        (
            "MAX_ROWS",
            5,
            lambda: "id,name\n" + "".join(f"D{i},x\n" for i in range(6)),
            "more than 5 rows",
        ),
        ("MAX_COLUMNS", 3, lambda: "a,b,c,d\n1,2,3,4\n", "the table has 4 columns; the limit is 3"),
        (
            "MAX_CELLS",
            7,
            lambda: "a,b\n1,2\n3,4\n5,6\n7,8\n",
            "the table has 8 cells; the limit is 7",
        ),
    ],
)
def test_tables_past_the_limits_name_the_limit(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    limit: str,
    value: int,
    make: Callable[[], str],
    fragment: str,
) -> None:
    monkeypatch.setattr(table_module, limit, value)
    path = tmp_path / "developers.csv"
    path.write_text(make(), encoding="utf-8")
    with pytest.raises(InputError) as info:
        read_table(path)
    [problem] = info.value.problems
    assert problem.file == "developers.csv" and fragment in problem.message
    assert problem.code == "too-large" and "split the file" in (problem.hint or "")
