"""Shared pytest fixtures."""

from __future__ import annotations

import codecs
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

WriteCsv = Callable[..., Path]
WriteXlsx = Callable[..., Path]
WriteJson = Callable[[str, object], Path]


def _csv_cell(value: str, delimiter: str) -> str:
    if any(c in value for c in (delimiter, '"', "\n", "\r")):
        return '"' + value.replace('"', '""') + '"'
    return value


@pytest.fixture
def write_csv(tmp_path: Path) -> WriteCsv:
    """Return a function writing rows as a CSV file in tmp_path, the way Excel would."""

    def write(
        name: str,
        rows: Sequence[Sequence[str]],
        *,
        delimiter: str = ",",
        encoding: str = "utf-8",
        bom: bool = False,
        newline: str = "\r\n",
    ) -> Path:
        lines = [delimiter.join(_csv_cell(c, delimiter) for c in row) for row in rows]
        data = (newline.join(lines) + newline).encode(encoding)
        path = tmp_path / name
        path.write_bytes(codecs.BOM_UTF8 + data if bom else data)
        return path

    return write


@pytest.fixture
def write_xlsx(tmp_path: Path) -> WriteXlsx:
    """Return a function writing rows (any cell values) as one sheet of an .xlsx workbook."""
    openpyxl = pytest.importorskip("openpyxl")

    def write(name: str, rows: Sequence[Sequence[object]], *, sheet: str = "Feuil1") -> Path:
        book = openpyxl.Workbook()
        ws = book.active
        ws.title = sheet
        for number, row in enumerate(rows, start=1):
            for column, value in enumerate(row, start=1):
                if value is not None:
                    ws.cell(row=number, column=column, value=value)
        path = tmp_path / name
        book.save(path)
        return path

    return write


@pytest.fixture
def write_json(tmp_path: Path) -> WriteJson:
    """Return a function writing a JSON document in tmp_path."""

    def write(name: str, document: object) -> Path:
        path = tmp_path / name
        path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
        return path

    return write


@pytest.fixture(autouse=True)
def english() -> object:
    """Give every test English messages, whatever the machine's locale or an earlier test."""
    from matcher.i18n import set_language

    set_language("en")
    yield
    set_language("en")
