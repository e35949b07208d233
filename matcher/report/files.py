"""The files ``matcher report`` writes: report.html and, when asked, pairings.xlsx."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from matcher.hashing import sha256_bytes
from matcher.outputs import CONTACT_COLUMNS, OutputOptions, pseudonym
from matcher.report.data import MANIFEST, ReportData, load_report
from matcher.report.page import render_report
from matcher.workbook import WORKBOOK, region_lines, workbook_bytes

REPORT = "report.html"
_NAME_OF = {"developer_name": "developer_id", "partner_name": "partner_id", "name": "id"}


def private_rows(rows: list[list[str]], options: OutputOptions) -> list[list[str]]:
    """Return rows without contact columns (unless asked for) and with names pseudonymised."""
    if not rows:
        return rows
    header = rows[0]
    keep = [i for i, h in enumerate(header) if options.contacts or h not in CONTACT_COLUMNS]
    out = [[header[i] for i in keep]]
    for row in rows[1:]:
        cells = dict(zip(header, row, strict=False))
        if options.redact_key:
            for name, id_column in _NAME_OF.items():
                if name in cells and id_column in cells:
                    cells[name] = pseudonym(options.redact_key, cells[id_column])
        out.append([cells.get(header[i], "") for i in keep])
    return out


def workbook_from_report(data: ReportData, options: OutputOptions) -> bytes:
    """Return pairings.xlsx for a result folder already read for the report."""
    objective = data.manifest["objective"]
    return workbook_bytes(
        pairings=private_rows(data.pairing_rows, options),
        unmatched=private_rows(data.unmatched_rows, options),
        regions=region_lines(data.regions),
        objective={
            "total_score": objective.get("total_score"),
            "optimal": objective.get("optimal"),
        },
    )


def _registered(manifest: dict[str, Any], workbook: bytes) -> bytes:
    """Return the manifest with pairings.xlsx listed among the outputs."""
    body = dict(manifest)
    outputs = dict(body["outputs"])
    outputs[WORKBOOK] = sha256_bytes(workbook)
    body["outputs"] = dict(sorted(outputs.items()))
    return (json.dumps(body, ensure_ascii=False, indent=2) + "\n").encode()


def report_files(
    folder: Path, *, options: OutputOptions, xlsx: bool = False
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Return (the page, files of the result folder): report.html, then workbook and manifest.

    The page honours ``--redact`` by showing no names and shows contacts only with
    ``--contacts``; the workbook follows the same rules as the CSV files.
    """
    data = load_report(folder, names=options.redact_key is None, contacts=options.contacts)
    page = {REPORT: render_report(data)}
    result: dict[str, bytes] = {}
    if xlsx:
        workbook = workbook_from_report(data, options)
        result = {WORKBOOK: workbook, MANIFEST: _registered(data.manifest, workbook)}
    return page, result
