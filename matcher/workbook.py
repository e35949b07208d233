"""Write pairings.xlsx: a summary sheet, one sheet per region and the unmatched people.

Every text cell is stored as text (its type set explicitly, so a name such as "=1+1" can never
run as a formula) and every number as a number. The bytes are the same for the same result:
the workbook's dates are fixed and the zip entries carry a fixed timestamp.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from matcher.i18n import _
from matcher.reference import REGIONS

WORKBOOK = "pairings.xlsx"

# Columns of pairings.csv / unmatched.csv stored as numbers in the workbook.
NUMBER_COLUMNS = frozenset(
    {"score", "skills", "languages", "distance", "sector", "availability", "distance_km"}
)
_FIXED_DATE = "2000-01-01T00:00:00Z"
_ZIP_DATE = (1980, 1, 1, 0, 0, 0)
_BAD_SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
_MAX_WIDTH = 50


@dataclass(frozen=True)
class RegionLine:
    """One line of the summary sheet: a region's quota and what was filled."""

    code: str
    name: str
    min: int
    max: int
    filled: int
    shortfall: int
    mean_score: float | None
    diagnosis: str | None


class _RegionFigures(Protocol):
    @property
    def code(self) -> str: ...
    @property
    def name(self) -> str: ...
    @property
    def min(self) -> int: ...
    @property
    def max(self) -> int: ...
    @property
    def filled(self) -> int: ...
    @property
    def shortfall(self) -> int: ...
    @property
    def mean_score(self) -> float | None: ...
    @property
    def diagnosis(self) -> str | None: ...


def region_lines(regions: Iterable[_RegionFigures]) -> list[RegionLine]:
    """Return the summary sheet's lines of a result's regions (a run's or a folder's)."""
    return [
        RegionLine(r.code, r.name, r.min, r.max, r.filled, r.shortfall, r.mean_score, r.diagnosis)
        for r in regions
    ]


def sheet_title(code: str, name: str) -> str:
    """Return a region's sheet name: code and name, within Excel's 31 characters."""
    return _BAD_SHEET_CHARS.sub("-", f"{code} {name}")[:31].rstrip()


def _typed(header: str, value: str) -> Any:
    if header in NUMBER_COLUMNS and value != "":
        try:
            return float(value.replace(",", "."))
        except ValueError:
            return value
    return value


def _fill(ws: Any, rows: Sequence[Sequence[Any]], *, table: bool) -> None:
    """Write rows; text as text, numbers as numbers; header frozen and filtered when a table."""
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    widths: dict[int, int] = {}
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row, start=1):
            cell = ws.cell(row=r, column=c)
            if isinstance(value, bool) or value is None:
                value = "" if value is None else str(value)
            cell.value = value
            if isinstance(value, str):
                # openpyxl would store "=…" as a formula; the type is forced to plain text.
                cell.data_type = "s"
            widths[c] = max(widths.get(c, 0), len(str(value)))
            if r == 1:
                cell.font = Font(bold=True)
    for c, width in widths.items():
        ws.column_dimensions[get_column_letter(c)].width = min(_MAX_WIDTH, width + 2)
    if table and rows:
        ws.freeze_panes = "A2"
        last = get_column_letter(len(rows[0]))
        ws.auto_filter.ref = f"A1:{last}{max(1, len(rows))}"


def _summary_rows(regions: Sequence[RegionLine], objective: dict[str, Any]) -> list[list[Any]]:
    rows: list[list[Any]] = [
        [
            "region_code",
            "region",
            _("wanted (min)"),
            _("wanted (max)"),
            _("filled"),
            _("shortfall"),
            _("mean score"),
            _("why short"),
        ]
    ]
    for r in regions:
        rows.append(
            [
                r.code,
                r.name,
                r.min,
                r.max,
                r.filled,
                r.shortfall,
                "" if r.mean_score is None else r.mean_score,
                r.diagnosis or "",
            ]
        )
    rows.append(
        [
            "",
            _("Total"),
            sum(r.min for r in regions),
            sum(r.max for r in regions),
            sum(r.filled for r in regions),
            sum(r.shortfall for r in regions),
            "",
            "",
        ]
    )
    rows.append([])
    rows.append(["", _("total score"), objective.get("total_score", "")])
    rows.append(["", _("optimal"), _("yes") if objective.get("optimal") else _("no")])
    return rows


def workbook_bytes(
    *,
    pairings: Sequence[Sequence[str]],
    unmatched: Sequence[Sequence[str]],
    regions: Sequence[RegionLine],
    objective: dict[str, Any],
) -> bytes:
    """Return pairings.xlsx from the rows of pairings.csv and unmatched.csv (headers first)."""
    from openpyxl import Workbook

    book = Workbook()
    summary = book.active
    summary.title = _("Summary")
    _fill(summary, _summary_rows(regions, objective), table=False)
    summary.freeze_panes = "A2"
    header = list(pairings[0]) if pairings else []
    region_at = header.index("region_code") if "region_code" in header else 0
    for region in REGIONS:
        rows = [r for r in pairings[1:] if r[region_at] == region.code]
        ws = book.create_sheet(sheet_title(region.code, region.name))
        _fill(
            ws,
            [header] + [[_typed(h, v) for h, v in zip(header, r, strict=True)] for r in rows],
            table=True,
        )
    ws = book.create_sheet(_("Unmatched"))
    _fill(ws, [list(r) for r in unmatched], table=True)
    return _deterministic(book)


def _deterministic(book: Any) -> bytes:
    """Save the workbook, then fix its dates and zip timestamps so the bytes never vary."""
    raw = io.BytesIO()
    book.save(raw)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(raw) as source,
        zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as target,
    ):
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = re.sub(
                    rb"(<dcterms:(?:created|modified)[^>]*>)[^<]*(</dcterms:)",
                    rb"\g<1>" + _FIXED_DATE.encode() + rb"\g<2>",
                    data,
                )
            entry = zipfile.ZipInfo(info.filename, date_time=_ZIP_DATE)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            target.writestr(entry, data)
    return out.getvalue()
