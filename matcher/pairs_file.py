"""Read lists of (developer id, partner id) pairs: locks, forbids, or an earlier pairings.csv."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matcher.errors import InputError, ProblemLog
from matcher.i18n import _
from matcher.text import clean_id, fold

# matcher's own CSVs put an apostrophe before a cell Excel would run as a formula; an id read
# back from them (a pairings.csv given as --lock) must come back as it was.
_GUARDED = ("'=", "'+", "'-", "'@", "'\t", "'\r", "'\n", "'\uff1d", "'\uff0b", "'\uff0d", "'\uff20")

_DEV_HEADERS = {
    "developer id",
    "developer",
    "dev",
    "dev id",
    "developpeur",
    "id developpeur",
    "developpeur id",
    "developer_id",
}
_PAR_HEADERS = {
    "partner id",
    "partner",
    "partenaire",
    "id partenaire",
    "partenaire id",
    "partner_id",
}


@dataclass(frozen=True)
class PairRow:
    """One (developer id, partner id) pair and where it was read."""

    developer_id: str
    partner_id: str
    file: str
    row: int


@dataclass(frozen=True)
class PairList:
    """The pairs of one file and the SHA-256 of the bytes they were read from."""

    rows: list[PairRow]
    sha256: str


def unguard(value: str) -> str:
    """Undo the apostrophe matcher's CSV writer puts before a formula-like cell."""
    return value[1:] if value.startswith(_GUARDED) else value


def read_pairs(path: Path, *, role: str) -> list[PairRow]:
    """Read a locks or forbid file (a previous ``pairings.csv`` or ``pairings.xlsx`` works too)."""
    return read_pair_list(path, role=role).rows


def read_pair_list(path: Path, *, role: str) -> PairList:
    """Read a locks or forbid file with the hash of exactly the bytes read."""
    sheets = _pair_sheets(path)
    if sheets:
        parts = [_read_sheet(path, role=role, sheet=sheet) for sheet in sheets]
        return PairList([pair for part in parts for pair in part.rows], parts[0].sha256)
    return _read_sheet(path, role=role, sheet=None)


def _pair_sheets(path: Path) -> list[str]:
    """Return the sheets of a matcher workbook that hold pairs (one per region), else []."""
    if path.suffix.casefold() not in (".xlsx", ".xlsm") or not path.is_file():
        return []
    import openpyxl

    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception:  # a damaged workbook: read_table says what is wrong with it
        return []
    try:
        found = []
        for ws in book.worksheets:
            first = next(ws.iter_rows(min_row=1, max_row=1, values_only=True), ())
            headers = {fold(str(v).replace("_", " ")) for v in first if v is not None}
            if {"developer id", "partner id"} <= headers:
                found.append(ws.title)
        # One sheet is an ordinary table, read as before; several are pairings.xlsx's regions.
        return found if len(found) > 1 else []
    except Exception:
        return []
    finally:
        book.close()


def _read_sheet(path: Path, *, role: str, sheet: str | None) -> PairList:
    from matcher.readers import read_table

    table = read_table(path, sheet=sheet)
    folded = {fold(h.replace("_", " ")): h for h in table.headers}
    dev_col = next((folded[h] for h in folded if h in {fold(x) for x in _DEV_HEADERS}), None)
    par_col = next((folded[h] for h in folded if h in {fold(x) for x in _PAR_HEADERS}), None)
    log = ProblemLog()
    if dev_col is None or par_col is None:
        log.error(
            table.file,
            1,
            None,
            _("a {role} file needs the columns developer_id and partner_id").format(role=role),
            # The first line of a file that is not a pair list may be anything: never echo it.
            _("found {count} column(s), none named so; the first line must be the header").format(
                count=len(table.headers)
            ),
            code="missing_column",
        )
        log.raise_if_errors(_("{file} is invalid").format(file=table.file))
    assert dev_col is not None and par_col is not None
    pairs: list[PairRow] = []
    for raw in table.rows:
        dev = clean_id(unguard(raw.cells.get(dev_col, "").strip()))
        par = clean_id(unguard(raw.cells.get(par_col, "").strip()))
        if not dev and not par:
            continue
        if not dev or not par:
            column = dev_col if not dev else par_col
            log.error(
                table.file,
                raw.number,
                column,
                _("empty id"),
                _("give both a developer id and a partner id"),
                code="empty",
            )
            continue
        pairs.append(PairRow(dev, par, table.file, raw.number))
    log.raise_if_errors(_("{file} is invalid").format(file=table.file), InputError)
    return PairList(pairs, table.sha256)


def read_pair_records(path: Path) -> list[dict[str, str]]:
    """Return every pair row of a pairings.xlsx as text cells by header (regions in order)."""
    from matcher.readers import read_table

    records: list[dict[str, str]] = []
    for sheet in _pair_sheets(path):
        records += [raw.cells for raw in read_table(path, sheet=sheet).rows]
    return records
