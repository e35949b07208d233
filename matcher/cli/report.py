"""The ``report`` command: one offline HTML page (map, charts, tables) and, asked, a workbook."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matcher.cli import interrupt
from matcher.cli.options import (
    ContactsOpt,
    ForceOpt,
    RedactOpt,
    ResultArg,
    XlsxOpt,
    guarded,
    output_options,
    stdout,
)
from matcher.i18n import _


def report(
    result: ResultArg,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the page (default: RESULT/report.html)."),
    ] = None,
    xlsx: XlsxOpt = False,
    force: ForceOpt = False,
    contacts: ContactsOpt = False,
    redact: RedactOpt = False,
) -> None:
    """Write a self-contained offline report of a result folder (and pairings.xlsx with --xlsx)."""

    def body() -> None:
        from matcher.outputs import check_writable, write_files
        from matcher.report.files import REPORT, report_files

        options = output_options(bom=False, contacts=contacts, redact=redact)
        page_path = out if out is not None else result / REPORT
        if page_path.is_dir():
            page_path = page_path / REPORT
        check_writable(page_path.parent, [page_path.name], force=force)
        page, extra = report_files(result, options=options, xlsx=xlsx)
        if xlsx:
            check_writable(result, [n for n in extra if n != "manifest.json"], force=force)
        # The page and the result's own files may live in different folders.
        with interrupt.committing():
            write_files(page_path.parent, {page_path.name: page[REPORT]})
            if extra:
                write_files(result, extra)
        written = [page_path, *(result / n for n in extra if n != "manifest.json")]
        stdout.print(_("wrote {files}").format(files=", ".join(str(p) for p in written)))

    guarded(body)
