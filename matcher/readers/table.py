"""Read a CSV, Excel or JSON file into a table of text cells, or say precisely why it cannot be.

This layer knows nothing about profiles: it finds the header row, decodes the bytes and checks
the shape of every row. Messages name files, rows and columns, never a cell's content.

Encoding detection for CSV (``encoding=`` overrides it):

1. a UTF-8 BOM means UTF-8, a UTF-16 BOM means UTF-16 (Excel's "Unicode text");
2. bytes that are valid UTF-8 are UTF-8;
3. otherwise the choice is between cp1252 (Excel's French Windows) and cp1256 (Arabic
   Windows). Both code pages put the French letters à â ç è é ê ë î ï ô ù û ü at the same
   bytes, so only the bytes they decode differently count as evidence. Each maximal run of
   such non-ASCII bytes is examined: a run of two or more bytes that cp1256 reads as Arabic
   letters is Arabic evidence; a run that cp1252 reads as letters and that touches an ASCII
   letter ("R\\xc9GION", "n\\xbA") is Latin evidence. One side must outweigh the other ten to
   one; otherwise (or with no evidence at all) the reader asks for ``--encoding``. A file
   where some lines are UTF-8 and others are not was pasted together: it is refused.

A row with more cells than the header is an error only when an extra cell holds a value
(Excel often writes trailing empty cells); a row with fewer cells is always an error in CSV,
and padded in Excel, where rows simply stop at their last value.
"""

from __future__ import annotations

import codecs
import datetime as dt
import hashlib
import itertools
import json
import operator
import re
import zipfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from matcher.errors import InputError, MatcherError, Problem, ProblemLog, UsageError
from matcher.i18n import N_, _
from matcher.text import compact

CSV_EXTENSIONS = (".csv", ".txt", ".tsv")
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
JSON_EXTENSIONS = (".json",)
EXTENSIONS = CSV_EXTENSIONS + XLSX_EXTENSIONS + JSON_EXTENSIONS

MAX_CELL = 10_000
MAX_HEADER = 200
# Bounds on what one file may hold: far above any call for applications, far below what
# exhausts the machine. Each refusal names the file and the limit.
MAX_ROWS = 200_000
MAX_COLUMNS = 500
MAX_CELLS = 5_000_000
MAX_FILE_BYTES = 200_000_000
# A workbook is a zip: its parts are checked by their declared size before any is inflated.
MAX_XLSX_INFLATED = 300_000_000
MAX_XLSX_RATIO = 200
HEADER_SEARCH_ROWS = 20
JSON_LIST_KEYS = ("developers", "partners", "rows")

HeaderTest = Callable[[Sequence[str]], bool]
_NUMBER = operator.itemgetter(0)  # a record's row number
_CELLS = operator.itemgetter(1)  # a record's cells


@dataclass(frozen=True)
class RawRow:
    """One data row as the user sees it: its number in the file and its cells by header."""

    number: int
    cells: dict[str, str]


@dataclass(frozen=True)
class RawTable:
    """A file's header and data rows as text, with what is needed to cite and audit it."""

    file: str
    path: Path
    headers: list[str]
    rows: list[RawRow]
    sha256: str
    encoding: str | None
    # The first data row of each id (footer rows left out), once the profiles are read.
    ids: dict[str, int] | None = field(default=None, compare=False)
    # Each header's cells, row by row as in ``rows``, when the rows were built in one go.
    columns: dict[str, tuple[str, ...]] | None = field(default=None, compare=False, repr=False)


def read_table(
    path: Path,
    *,
    sheet: str | None = None,
    encoding: str | None = None,
    is_header: HeaderTest | None = None,
) -> RawTable:
    """Read ``path`` (CSV, XLSX or JSON) into a table, raising InputError on file-level problems.

    ``is_header`` tells an Excel header row from title rows above it; without it the first
    non-empty row is the header.
    """
    path = Path(path)
    if not path.exists():
        raise UsageError(_("{path}: no such file").format(path=path))
    if not path.is_file():
        raise UsageError(_("{path}: not a file").format(path=path))
    name = path.name
    suffix = path.suffix.casefold()
    if suffix not in EXTENSIONS:
        accepted = ", ".join(EXTENSIONS)
        hint = _("save it as .xlsx or as CSV UTF-8")
        if suffix in (".xls", ".ods", ".numbers"):
            hint = _("matcher cannot read {suffix} files; {hint}").format(suffix=suffix, hint=hint)
        _fail(
            name,
            _("unknown file type; accepted: {accepted}").format(accepted=accepted),
            hint,
            code="bad-extension",
        )
    if encoding is not None:
        try:
            encoding = codecs.lookup(encoding).name
        except LookupError:
            raise UsageError(
                _(
                    "unknown encoding {encoding!r}; use utf-8, cp1252 (French "
                    "Windows) or cp1256 (Arabic Windows)"
                ).format(encoding=encoding)
            ) from None
    if path.stat().st_size > MAX_FILE_BYTES:
        _too_big(
            name, _("the file is larger than {limit} bytes").format(limit=f"{MAX_FILE_BYTES:,}")
        )
    data = path.read_bytes()
    digest = hashlib.sha256(data).hexdigest()
    if not data.strip(b" \t\r\n\x00").removeprefix(codecs.BOM_UTF8).strip():
        _fail(name, _("the file is empty"), code="empty-file")
    if suffix in XLSX_EXTENSIONS:
        headers, records, log = _read_xlsx(path, name, sheet, is_header)
        used: str | None = None
    elif suffix in JSON_EXTENSIONS:
        text, used = _decode(data, name, encoding, allow_legacy=False)
        headers, records, log = _read_json(text, name)
    else:
        text, used = _decode(data, name, encoding, allow_legacy=True)
        tab = suffix == ".tsv"
        headers, records, log = _read_csv(text, name, prefer_tab=tab, is_header=is_header)
    _check_size(name, headers, records)
    rows, columns = _rows(name, headers, records, log)
    log.raise_if_errors(_("{name} cannot be read").format(name=name))
    return RawTable(name, path, headers, rows, digest, used, columns=columns)


def _too_big(file: str, message: str) -> NoReturn:
    _fail(
        file,
        message,
        _("split the file, or remove the empty rows and columns below and beside the table"),
        code="too-large",
    )


def _check_size(file: str, headers: Sequence[str], records: Records) -> None:
    """Refuse a table with more rows, columns or cells than the limits."""
    if len(headers) > MAX_COLUMNS:
        _too_big(
            file,
            _("the table has {count} columns; the limit is {limit}").format(
                count=f"{len(headers):,}", limit=f"{MAX_COLUMNS:,}"
            ),
        )
    if len(records) > MAX_ROWS:
        _too_big(
            file,
            _("the table has more than {limit} rows").format(limit=f"{MAX_ROWS:,}"),
        )
    cells = sum(map(len, map(_CELLS, records)))
    if cells > MAX_CELLS:
        _too_big(
            file,
            _("the table has {count} cells; the limit is {limit}").format(
                count=f"{cells:,}", limit=f"{MAX_CELLS:,}"
            ),
        )


def _fail(
    file: str, message: str, hint: str | None = None, *, row: int | None = None, code: str
) -> NoReturn:
    """Raise the InputError for a problem that stops the whole file from being read."""
    raise InputError(
        _("{file} cannot be read").format(file=file),
        [Problem(file, row, None, message, hint, code=code)],
    )


# -- decoding -------------------------------------------------------------------------------

_HIGH_RUN = re.compile(rb"[\x80-\xff]+")
_ASCII_LETTER = frozenset(b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ")
_SAVE_HINT = N_('save the file as "CSV UTF-8" from Excel, or pass --encoding (cp1252 or cp1256)')


def _decode(data: bytes, file: str, encoding: str | None, *, allow_legacy: bool) -> tuple[str, str]:
    """Return the text of ``data`` and the encoding used."""
    if encoding is None:
        if data.startswith(codecs.BOM_UTF8):
            encoding = "utf-8-sig"
        elif data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            encoding = "utf-16"
        else:
            try:
                return data.decode("utf-8"), "utf-8"
            except UnicodeDecodeError as exc:
                if not allow_legacy:
                    _undecodable(file, data, exc, "utf-8")
                encoding = _guess_legacy(data, file, exc)
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as exc:
        _undecodable(file, data, exc, encoding)
    if "\x00" in text:
        _fail(
            file,
            _("the file holds binary data, not text"),
            _("if it is an Excel workbook, give it the .xlsx extension"),
            row=_line_of(data, text.index("\x00")),
            code="encoding",
        )
    return text.removeprefix("\ufeff"), encoding


def _line_of(data: bytes, offset: int) -> int:
    return data.count(b"\n", 0, offset) + 1


def _undecodable(file: str, data: bytes, exc: UnicodeDecodeError, encoding: str) -> NoReturn:
    hint = _(_SAVE_HINT)
    if file.casefold().endswith(JSON_EXTENSIONS):
        hint = _("save the JSON file as UTF-8, or pass --encoding (cp1252 or cp1256)")
    if data.startswith(b"PK\x03\x04"):
        hint = _("this looks like an Excel workbook; give it the .xlsx extension")
    _fail(
        file,
        _("the text cannot be read as {encoding}").format(encoding=encoding),
        hint,
        row=_line_of(data, exc.start),
        code="encoding",
    )


def _guess_legacy(data: bytes, file: str, exc: UnicodeDecodeError) -> str:
    """Choose cp1252 or cp1256 for bytes that are not UTF-8, or fail asking for --encoding."""
    row = _line_of(data, exc.start)
    if data.startswith(b"PK\x03\x04") or b"\x00" in data:
        _undecodable(file, data, exc, "text")
    if _has_utf8_line(data):
        # Some lines are UTF-8 with accents and others are not: two files were pasted together.
        _fail(
            file,
            _("the file mixes UTF-8 with another encoding from this row on"),
            _(_SAVE_HINT),
            row=row,
            code="encoding",
        )
    try:
        latin = data.decode("cp1252")
    except UnicodeDecodeError:
        latin = None
    arabic = data.decode("cp1256")
    if latin == arabic:
        return "cp1252"
    arabic_score = latin_score = 0
    for match in _HIGH_RUN.finditer(data):
        run = match.group()
        as_arabic = run.decode("cp1256")
        as_latin = run.decode("cp1252", errors="replace")
        if as_arabic == as_latin:
            continue  # shared French letters say nothing
        if len(run) >= 2 and all(_is_arabic(ch) for ch in as_arabic):
            arabic_score += len(run)
            continue
        start, end = match.span()
        touches_ascii = (start > 0 and data[start - 1] in _ASCII_LETTER) or (
            end < len(data) and data[end] in _ASCII_LETTER
        )
        if touches_ascii and as_latin.isalpha():
            latin_score += len(run)
    if latin is not None and latin_score > 0 and latin_score >= 10 * arabic_score:
        return "cp1252"
    if arabic_score > 0 and arabic_score >= 10 * latin_score:
        return "cp1256"
    _fail(
        file,
        _(
            "cannot tell which encoding the file uses (not UTF-8; neither "
            "clearly cp1252 nor cp1256)"
        ),
        _(
            "pass --encoding cp1252 (French Windows) or --encoding cp1256 "
            '(Arabic Windows), or save the file as "CSV UTF-8"'
        ),
        row=row,
        code="encoding",
    )


def _has_utf8_line(data: bytes) -> bool:
    """Return whether some line is valid UTF-8 with a non-ASCII letter (a legacy line can't be)."""
    for line in data.splitlines():
        if line.isascii():
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            continue
        if any(ord(ch) > 127 and ch.isalpha() for ch in text):
            return True
    return False


def _is_arabic(char: str) -> bool:
    return "\u0600" <= char <= "\u06ff" or char in "\u200c\u200d"


# -- CSV -----------------------------------------------------------------------------------

Records = list[tuple[int, list[str]]]


_SEP_LINE = re.compile(r'[ \t]*"?sep=([^\n"])"?[ \t]*(?:\n|$)', re.IGNORECASE)


def _read_csv(
    text: str, file: str, *, prefer_tab: bool, is_header: HeaderTest | None = None
) -> tuple[list[str], Records, ProblemLog]:
    """Split CSV text into records numbered by the line each one starts on.

    A first line ``sep=;`` (Excel writes it, and hides it when opening the file) names the
    delimiter; rows are then numbered as Excel shows them, without that line. Title rows above
    the header are skipped as in workbooks: when no row among the first ones is a header
    with the sniffed delimiter, the other delimiters are tried.
    """
    log = ProblemLog()
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    sep = _SEP_LINE.match(text)
    if sep is not None:
        text = text[sep.end() :]
        delimiters = [sep.group(1)]
    else:
        first = _sniff_delimiter(text, prefer_tab=prefer_tab)
        delimiters = [first, *(d for d in ("\t", ";", ",") if d != first and d in text)]
    # The sniffed delimiter decides, unless only another one finds the header row.
    found: tuple[Records, int] | None = None
    failure: InputError | None = None
    for index, delimiter in enumerate(delimiters):
        try:
            parsed = _parse_csv(text, file, delimiter)
        except InputError as exc:
            # A wrong delimiter can make a quote look unclosed.
            failure = exc if index == 0 else failure
            continue
        filled = list(map(str.strip, map("".join, map(_CELLS, parsed))))
        records = parsed if all(filled) else list(itertools.compress(parsed, filled))
        at = _header_index(records, is_header)
        if at is not None:
            found = (records, at)
            break
        if index == 0:
            found = (records, 0)  # nothing looks like a header: the first row is the header
    else:
        if failure is not None:
            raise failure
    assert found is not None
    records, at = found
    if not records:
        _fail(file, _("the file is empty"), code="empty-file")
    header_row, headers = records[at]
    return _headers(file, header_row, headers, log), records[at + 1 :], log


def _header_index(records: Records, is_header: HeaderTest | None) -> int | None:
    """Return the index of the header among the first rows, or None when none looks like one."""
    if not records:
        return None
    if is_header is None:
        return 0
    for index, (number, cells) in enumerate(records):
        if number > HEADER_SEARCH_ROWS:
            break
        if is_header(cells):
            return index
    return None


def _sniff_delimiter(text: str, *, prefer_tab: bool) -> str:
    """Return the delimiter used most in the header line (outside quotes)."""
    counts = {"\t": 0, ";": 0, ",": 0}
    quoted = False
    started = False
    for char in text:
        if char == '"':
            quoted = not quoted
        elif quoted:
            continue
        elif char == "\n":
            if started:
                break
        elif char in counts:
            counts[char] += 1
        if not char.isspace():
            started = True
    if prefer_tab and counts["\t"]:
        return "\t"
    # On a tie prefer tab, then ";", since header names may contain commas.
    return max(counts, key=lambda d: counts[d])


def _parse_csv(text: str, file: str, delimiter: str) -> Records:
    """Parse ``text`` with RFC 4180 quoting, tolerant of stray quotes inside plain cells."""
    plain = re.compile(f"[^{re.escape(delimiter)}\n]*")
    records: Records = []
    pos, line, end = 0, 1, len(text)
    while pos < end:
        quote = text.find('"', pos)
        quote = end if quote == -1 else quote
        # The lines before the one holding the next quote are one record each, whose cells
        # the delimiter separates: split them all at C speed (almost every line of a file).
        cut = text.rfind("\n", pos, quote)
        if cut != -1:
            lines = text[pos:cut].split("\n")
            cells = [x.split(delimiter) for x in lines]
            records += zip(range(line, line + len(lines)), cells, strict=True)
            pos, line = cut + 1, line + len(lines)
        if quote == end:
            if pos < end:  # a last line without a newline
                records.append((line, text[pos:].split(delimiter)))
            break
        record, pos, next_line = _quoted_record(text, file, delimiter, plain, pos=pos, line=line)
        records.append((line, record))
        line = next_line
    return records


def _quoted_record(
    text: str, file: str, delimiter: str, plain: re.Pattern[str], *, pos: int, line: int
) -> tuple[list[str], int, int]:
    """Parse the record starting at ``pos`` (on ``line``), which holds a quote.

    Return its cells, where the next record starts and that record's line.
    """
    end = len(text)
    cells: list[str] = []
    while True:
        if pos < end and text[pos] == '"':
            quote_line = line
            parts: list[str] = []
            i = pos + 1
            while True:
                j = text.find('"', i)
                if j == -1:
                    _unclosed(file, quote_line)
                parts.append(text[i:j])
                if text.startswith('""', j):
                    parts.append('"')
                    i = j + 2
                    continue
                break
            value = "".join(parts)
            line += value.count("\n")
            pos = j + 1
            if pos < end and text[pos] not in (delimiter, "\n"):
                if "\n" in value:
                    # The "closing" quote is really the opening quote of a later cell.
                    _unclosed(file, quote_line)
                match = plain.match(text, pos)
                assert match is not None
                value += match.group()
                pos = match.end()
        else:
            match = plain.match(text, pos)
            assert match is not None
            value = match.group()
            pos = match.end()
        cells.append(value)
        if pos < end and text[pos] == delimiter:
            pos += 1
            continue
        if pos < end:
            pos += 1
            line += 1
        return cells, pos, line


def _unclosed(file: str, row: int) -> NoReturn:
    _fail(
        file,
        _('a quote (") opened on this row is never closed'),
        _("close the quote, or remove it if it is not meant to enclose the cell"),
        row=row,
        code="unclosed-quote",
    )


# -- XLSX ----------------------------------------------------------------------------------


def _read_xlsx(
    path: Path, file: str, sheet: str | None, is_header: HeaderTest | None
) -> tuple[list[str], Records, ProblemLog]:
    """Read one sheet's non-empty rows, numbered as Excel numbers them."""
    import openpyxl  # heavy; only needed for workbooks
    from openpyxl.utils import get_column_letter

    log = ProblemLog()
    _check_zip(path, file)
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, OSError, ValueError) as exc:
        _not_a_workbook(path, file, exc)
    except Exception as exc:  # any failure inside a damaged zip or its XML
        _damaged_workbook(file, exc)
    try:
        if not book.worksheets:
            _fail(
                file,
                _("the workbook has no sheet"),
                _('open it in Excel and save it again as "Excel Workbook (.xlsx)"'),
                code="bad-workbook",
            )
        if sheet is None:
            ws = book.worksheets[0]
        else:
            ws = book[_sheet_name(file, sheet, book.sheetnames)]
        records = _sheet_records(ws)
        at = _header_index(records, is_header)
        if at is None or not records:
            # The first sheet may be a cover or instructions sheet: point to the data.
            other = None
            if sheet is None:
                other = next(
                    (
                        s.title
                        for s in book.worksheets[1:]
                        if _header_index(_sheet_records(s), is_header) is not None
                    ),
                    None,
                )
            if other is not None:
                state = _("is empty") if not records else _("has no header row")
                _fail(
                    file,
                    _(
                        'the first sheet "{title}" {state}; matcher reads the first '
                        "sheet unless told otherwise"
                    ).format(title=ws.title, state=state),
                    _(
                        'the data seems to be on sheet "{other}": pass --sheet '
                        '"{other}", or move that sheet first'
                    ).format(other=other),
                    code="sheet-not-found",
                )
    except MatcherError:
        raise
    except _TooWide as wide:
        _fail(
            file,
            _("a value in column {letter}, beyond the limit of {limit} columns").format(
                letter=wide.letter, limit=MAX_COLUMNS
            ),
            _("delete the columns after the table, or move the value into the table"),
            row=wide.row,
            code="too-large",
        )
    except Exception as exc:  # openpyxl reads the parts lazily, row by row
        _damaged_workbook(file, exc)
    finally:
        book.close()
    if not records:
        _fail(
            file,
            _('the sheet "{title}" is empty').format(title=ws.title),
            _(
                "put the header row and one row per person on this sheet, or "
                "choose the sheet with --sheet"
            ),
            code="empty-file",
        )
    at = at or 0
    header_row, header_cells = records[at]
    headers = _headers(file, header_row, header_cells, log)
    width = len(headers)
    shaped: Records = []
    for number, cells in records[at + 1 :]:
        # Excel rows simply stop at their last value: pad them, but a value beyond the last
        # header has nowhere to go.
        stray = [i for i, c in enumerate(cells[width:], start=width + 1) if c.strip()]
        if stray:
            letters = ", ".join(get_column_letter(i) for i in stray)
            log.error(
                file,
                number,
                None,
                _("column {letters} has a value but no header").format(letters=letters),
                _("give the column a header, or move the value into the right column"),
                code="ragged-row",
            )
            continue
        shaped.append((number, (cells + [""] * width)[:width]))
    return headers, shaped, log


def _sheet_records(ws: Any) -> Records:
    """Return a worksheet's non-empty rows, numbered as Excel numbers them.

    The sheet's XML is read sparsely: openpyxl's row iterator pads every row to the widest
    one and yields every missing row, so one cell at XFD1048576 costs billions of empty
    cells. Here a row costs what it holds, and reading stops once the limits are passed.
    """
    from openpyxl.utils import get_column_letter
    from openpyxl.worksheet._reader import WorkSheetParser

    records: Records = []
    count = 0
    with ws._get_source() as source:
        parser = WorkSheetParser(
            source,
            ws._shared_strings,
            data_only=True,
            epoch=ws.parent.epoch,
            date_formats=ws.parent._date_formats,
            timedelta_formats=ws.parent._timedelta_formats,
        )
        for number, row in parser.parse():
            values: dict[int, str] = {}
            for cell in row:
                text = _render(cell["value"])
                if not text.strip():
                    continue
                column = int(cell["column"])
                if column > MAX_COLUMNS:
                    raise _TooWide(number, get_column_letter(column))
                values[column] = text
            if not values:
                continue
            width = max(values)
            records.append((number, [values.get(i, "") for i in range(1, width + 1)]))
            count += width
            if len(records) > MAX_ROWS + HEADER_SEARCH_ROWS or count > MAX_CELLS:
                break  # enough to refuse it by size; reading on would only cost time
    return records


class _TooWide(Exception):
    """A sheet has a value beyond the last column matcher reads."""

    def __init__(self, row: int, letter: str) -> None:
        super().__init__(letter)
        self.row = row
        self.letter = letter


def _check_zip(path: Path, file: str) -> None:
    """Refuse a workbook whose parts would inflate past the limits, before inflating any."""
    try:
        with zipfile.ZipFile(path) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        _not_a_workbook(path, file, exc)
    inflated = sum(p.file_size for p in parts)
    ratio = max((p.file_size / max(p.compress_size, 1) for p in parts), default=0)
    if inflated > MAX_XLSX_INFLATED or (inflated > 10_000_000 and ratio > MAX_XLSX_RATIO):
        _too_big(
            file,
            _(
                "the workbook would inflate to {size} bytes (limit {limit}); it is mostly "
                "empty rows or a zip bomb"
            ).format(size=f"{inflated:,}", limit=f"{MAX_XLSX_INFLATED:,}"),
        )


def _damaged_workbook(file: str, exc: Exception) -> NoReturn:
    """Fail for a workbook whose zip or XML is damaged (truncated, a flipped byte…)."""
    _fail(
        file,
        _("the workbook is damaged and cannot be read ({error})").format(error=type(exc).__name__),
        _('open it in Excel and save it again as "Excel Workbook (.xlsx)", or as "CSV UTF-8"'),
        code="bad-workbook",
    )


def _sheet_name(file: str, sheet: str, names: list[str]) -> str:
    """Return the workbook's sheet ``sheet`` names, ignoring case, accents and spaces."""
    if sheet in names:
        return sheet
    close = [n for n in names if compact(n) == compact(sheet)]
    if len(close) == 1:
        return close[0]
    listed = ", ".join(f'"{n}"' for n in names)
    _fail(
        file,
        _('no sheet named "{sheet}"').format(sheet=sheet),
        _("the workbook has: {listed}").format(listed=listed),
        code="sheet-not-found",
    )


def _not_a_workbook(path: Path, file: str, exc: Exception) -> NoReturn:
    """Fail for a file named .xlsx that openpyxl cannot open, saying what it really is."""
    with path.open("rb") as handle:
        head = handle.read(4096)
    save = _('open it in Excel and save it as "Excel Workbook (.xlsx)" or "CSV UTF-8"')
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        # The OLE2 container of Excel 97-2003 files, also used for password-protected workbooks.
        message = _("this is an old Excel 97-2003 (.xls) workbook or a password-protected one")
        hint = _("remove any password, then {save}").format(save=save)
    elif head.startswith(b"PK"):
        message = _("cannot be opened as an Excel workbook ({error})").format(
            error=type(exc).__name__
        )
        hint = _("it may be damaged, or another program's format: {save}").format(save=save)
    elif b"\x00" not in head and head.lstrip(codecs.BOM_UTF8 + b" \t\r\n").startswith(b"<"):
        message = _("this is a web page or XML file (HTML), not an Excel workbook")
        hint = save
    elif b"\x00" not in head:
        message = _("this is a text (CSV) file, not an Excel workbook, despite its .xlsx extension")
        hint = _('rename it to "{stem}.csv"').format(stem=path.stem)
    else:
        message = _("cannot be opened as an Excel workbook ({error})").format(
            error=type(exc).__name__
        )
        hint = save
    _fail(file, message, hint, code="bad-workbook")


def _render(value: object) -> str:
    """Return a cell's value as the text a user reads in Excel (integers without ".0")."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return f"{value:.15g}"
    if isinstance(value, dt.datetime):
        if value.time() == dt.time():
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return str(value)
    return str(value).replace("\r\n", "\n")


# -- JSON ----------------------------------------------------------------------------------


def _read_json(text: str, file: str) -> tuple[list[str], Records, ProblemLog]:
    """Read a list of objects (or an object holding one) as rows numbered from 1."""
    log = ProblemLog()
    try:
        document = json.loads(text)
    except RecursionError:
        _fail(
            file,
            _("the JSON is nested too deeply"),
            _("give a list of flat records"),
            code="bad-json",
        )
    except json.JSONDecodeError as exc:
        lines = _json_lines(text)
        if lines is None:
            _fail(
                file,
                _("not valid JSON (line {lineno}, column {colno})").format(
                    lineno=exc.lineno, colno=exc.colno
                ),
                _("check the file with a JSON validator"),
                code="bad-json",
            )
        document = lines
    except ValueError:
        # Python refuses to read integers of more than 4,300 digits.
        _fail(
            file,
            _("the JSON holds a number thousands of digits long"),
            _("give a list of flat records"),
            code="bad-json",
        )
    items: object = document
    if isinstance(document, dict):
        key = next((k for k in JSON_LIST_KEYS if isinstance(document.get(k), list)), None)
        lists = [k for k, v in document.items() if isinstance(v, list)]
        if key is None and len(lists) == 1:
            only = document[lists[0]]
            if only and all(isinstance(r, dict) for r in only):
                key = lists[0]  # an export's only list of records ("data", "results")
        if key is None:
            keys = ", ".join(f'"{k}"' for k in JSON_LIST_KEYS)
            _fail(
                file,
                _("the JSON object has no {keys} list").format(keys=keys),
                _("give a list of records, or an object with one of these keys"),
                code="bad-json",
            )
        items = document[key]
    if not isinstance(items, list):
        _fail(file, _("the JSON document is not a list of records"), code="bad-json")
    headers: list[str] = []
    records: list[tuple[int, dict[str, str]]] = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            log.error(
                file,
                number,
                None,
                _("this record is not an object with named fields"),
                code="bad-json",
            )
            continue
        cells: dict[str, str] = {}
        for key, value in item.items():
            header = str(key)
            if header not in headers:
                headers.append(header)
            text_value = _json_cell(value)
            if text_value is None:
                log.error(
                    file,
                    number,
                    header,
                    _("nested objects are not allowed here"),
                    _("give text, a number or a list of texts"),
                    code="bad-json",
                )
                text_value = ""
            cells[header] = text_value
        records.append((number, cells))
    aligned: Records = [(n, [c.get(h, "") for h in headers]) for n, c in records]
    return _headers(file, 0, headers, log), aligned, log


def _json_lines(text: str) -> list[object] | None:
    """Return the records of a JSON Lines file (one object per line), or None if it is not one."""
    lines = [line for line in text.splitlines() if line.strip()]
    if len(lines) < 2:
        return None
    records: list[object] = []
    for line in lines:
        try:
            record = json.loads(line)
        except (ValueError, RecursionError):
            return None
        if not isinstance(record, dict):
            return None
        records.append(record)
    return records


def _json_cell(value: object) -> str | None:
    if isinstance(value, list):
        parts = [_json_cell(v) for v in value]
        if any(p is None or isinstance(v, list) for p, v in zip(parts, value, strict=True)):
            return None
        return ";".join(p for p in parts if p)
    if isinstance(value, dict):
        return None
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return _render(value)
    return str(value)


# -- shared --------------------------------------------------------------------------------


def _headers(file: str, row: int, cells: list[str], log: ProblemLog) -> list[str]:
    """Return the header names, with blanks named by position; report duplicates."""
    cells = list(cells)
    while cells and not cells[-1].strip():
        cells.pop()
    headers: list[str] = []
    seen: dict[str, int] = {}
    where = row or None
    for index, raw in enumerate(cells, start=1):
        header = " ".join(raw.split())
        if not header:
            header = f"(column {index})"
        elif len(header) > MAX_HEADER:
            log.error(
                file,
                where,
                f"(column {index})",
                _("the header is {n:,} characters long; the limit is {MAX_HEADER:,}").format(
                    n=len(header), MAX_HEADER=MAX_HEADER
                ),
                _("give the column a short name"),
                code="cell-too-long",
            )
            header = f"(column {index})"
        if header in seen:
            log.error(
                file,
                where,
                header,
                _("two columns have this header (columns {seen} and {index})").format(
                    seen=seen[header], index=index
                ),
                _("delete or rename one of them"),
                code="duplicate-column",
            )
        else:
            seen[header] = index
        headers.append(header)
    return headers


def _rows(
    file: str, headers: list[str], records: Records, log: ProblemLog
) -> tuple[list[RawRow], dict[str, tuple[str, ...]] | None]:
    """Turn records into rows, reporting ragged and over-long ones; skip empty rows.

    When every record becomes a row, also return each header's cells, column by column.
    """
    width = len(headers)
    cells_of = [cells for _number, cells in records]
    if (
        set(map(len, cells_of)) <= {width}
        and all(map(str.strip, map("".join, cells_of)))
        and max(map(len, itertools.chain.from_iterable(cells_of)), default=0) <= MAX_CELL
    ):
        # Every row has a value, the header's width and no over-long cell (whole columns
        # checked at C speed): nothing to report. The dicts are built by C loops.
        cells_by_header = map(dict, map(zip, itertools.repeat(headers), cells_of))
        built = list(map(RawRow, map(_NUMBER, records), cells_by_header))
        columns = zip(*cells_of, strict=True) if cells_of else ([] for _ in headers)
        return built, dict(zip(headers, map(tuple, columns), strict=True))
    rows: list[RawRow] = []
    for number, cells in records:
        if not "".join(cells).strip():
            continue
        extra = cells[width:]
        if len(cells) < width:
            log.error(
                file,
                number,
                None,
                _("this row has {n} cells but the header has {width}").format(
                    n=len(cells), width=width
                ),
                _(
                    "a delimiter is probably missing; a cell that contains the "
                    "delimiter must be enclosed in double quotes"
                ),
                code="ragged-row",
            )
            continue
        if extra and "".join(extra).strip():
            log.error(
                file,
                number,
                None,
                _("this row has {n} cells but the header has {width}").format(
                    n=len(cells), width=width
                ),
                _(
                    "a cell that contains the delimiter must be enclosed in "
                    "double quotes; a column with values needs a header"
                ),
                code="ragged-row",
            )
            continue
        row = dict(zip(headers, cells, strict=False))
        if max(map(len, cells), default=0) <= MAX_CELL:
            rows.append(RawRow(number, row))
            continue
        for header, value in row.items():
            if len(value) > MAX_CELL:
                log.error(
                    file,
                    number,
                    header,
                    _("the cell is {n:,} characters long; the limit is {MAX_CELL:,}").format(
                        n=len(value), MAX_CELL=MAX_CELL
                    ),
                    _("shorten it"),
                    code="cell-too-long",
                )
        rows.append(RawRow(number, row))
    return rows, None
