"""Read lists of (developer id, partner id) pairs: locks, forbids, or an earlier pairings.csv."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from matcher.errors import InputError, ProblemLog
from matcher.i18n import _
from matcher.text import fold

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


def read_pairs(path: Path, *, role: str) -> list[PairRow]:
    """Read a locks or forbid file (a previous ``pairings.csv`` works too)."""
    from matcher.readers import read_table

    table = read_table(path)
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
            _("found: {value}").format(value=", ".join(table.headers) or "no columns"),
            code="missing_column",
        )
        log.raise_if_errors(_("{file} is invalid").format(file=table.file))
    assert dev_col is not None and par_col is not None
    pairs: list[PairRow] = []
    for raw in table.rows:
        dev = raw.cells.get(dev_col, "").strip()
        par = raw.cells.get(par_col, "").strip()
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
    return pairs
