"""Compare XLSX readers: matcher's sparse openpyxl reader against python-calamine.

Not run by CI. Usage: python bench/bench_xlsx.py [rows]
Writes a workbook of ``rows`` partners, times reading it both ways, then tries calamine on a
5 KB workbook whose one extra cell sits at XFD1048576 (in a subprocess: it may abort).
"""

from __future__ import annotations

import io
import subprocess
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import openpyxl

from matcher.readers import read_table

HEADER = ["id", "name", "kind", "sector", "region", "needs", "languages", "availability_hours"]


def _workbook(path: Path, rows: int) -> None:
    book = openpyxl.Workbook(write_only=True)
    sheet = book.create_sheet("Feuil1")
    sheet.append(HEADER)
    for i in range(rows):
        sheet.append([f"P-{i:06d}", f"Name {i}", "artisan", "pottery", "MA-06", "web", "ary", 10])
    book.save(path)


def _far_cell(source: Path, target: Path) -> None:
    """Copy a workbook, adding one value at the last cell a sheet can have."""
    out = io.BytesIO()
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
        for item in zin.infolist():
            data = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                far = b'<row r="1048576"><c r="XFD1048576"><v>1</v></c></row></sheetData>'
                data = data.replace(b"</sheetData>", far)
            zout.writestr(item.filename, data)
    target.write_bytes(out.getvalue())


def main() -> None:
    """Print the reading time of each reader, and what calamine does with the far cell."""
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 50_000
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "partners.xlsx"
        _workbook(path, rows)
        t0 = time.perf_counter()
        table = read_table(path)
        t1 = time.perf_counter()
        from python_calamine import CalamineWorkbook

        values = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
        t2 = time.perf_counter()
        print(f"{rows:,} rows: matcher/openpyxl {t1 - t0:.2f} s ({len(table.rows):,} rows)")
        print(f"{rows:,} rows: python-calamine {t2 - t1:.2f} s ({len(values) - 1:,} rows)")
        small = Path(tmp) / "small.xlsx"
        _workbook(small, 2)
        far = Path(tmp) / "far.xlsx"
        _far_cell(small, far)
        probe = (
            "from python_calamine import CalamineWorkbook as W;"
            f"print(W.from_path({str(far)!r}).get_sheet_by_index(0).height)"
        )
        done = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=600)
        print(
            f"calamine on a {far.stat().st_size:,}-byte workbook with a cell at XFD1048576: "
            f"exit {done.returncode}"
        )
        t3 = time.perf_counter()
        try:
            read_table(far)
        except Exception as exc:  # the InputError naming the column limit
            print(
                f"matcher/openpyxl on it: {type(exc).__name__} in {time.perf_counter() - t3:.2f} s"
            )


if __name__ == "__main__":
    main()
