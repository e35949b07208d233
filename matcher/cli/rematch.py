"""The ``rematch`` command: remove people who left and refill their places."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matcher.cli import interrupt
from matcher.cli.options import (
    BomOpt,
    ContactsOpt,
    ExcelOpt,
    ForceOpt,
    HeadersOpt,
    JsonOpt,
    RedactOpt,
    ResultArg,
    carry_redaction,
    guarded,
    jsonable,
    output_options,
    print_json,
    stdout,
)
from matcher.errors import UsageError
from matcher.i18n import N_, _


def rematch(
    result: ResultArg,
    drop: Annotated[
        str | None, typer.Option("--drop", help=N_("Ids of people who left, comma-separated."))
    ] = None,
    drop_file: Annotated[
        Path | None,
        typer.Option("--drop-file", help=N_("A file with one id per line (or an 'id' column).")),
    ] = None,
    out: Annotated[Path, typer.Option("--out", help=N_("Folder for the new result."))] = Path(
        "out-rematch"
    ),
    reopen: Annotated[
        bool,
        typer.Option(
            "--reopen", help=N_("Re-solve everything instead of keeping the other pairs.")
        ),
    ] = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    bom: BomOpt = False,
    excel: ExcelOpt = False,
    headers: HeadersOpt = "en",
    contacts: ContactsOpt = False,
    redact: RedactOpt = False,
) -> None:
    """Remove people who left, keep every other pair, refill the freed places optimally."""

    def body() -> None:
        from matcher.outputs import RESULT_FILES, check_writable, result_files, write_files
        from matcher.previous import load_previous
        from matcher.rematch import changes_csv, read_drop_file, rematch_manifest
        from matcher.rematch import rematch as do_rematch
        from matcher.render import rematch_view, result_json

        options = output_options(
            bom=bom, contacts=contacts, redact=redact, excel=excel, headers=headers
        )
        ids = [x.strip() for x in (drop or "").split(",") if x.strip()]
        if drop_file is not None:
            ids += read_drop_file(drop_file)
        if not ids:
            raise UsageError(_("give the ids who left with --drop ID[,ID…] or --drop-file F"))
        if out.resolve() == result.resolve():
            raise UsageError(_("--out must be a new folder, not the result being re-matched"))
        check_writable(out, (*RESULT_FILES, "changes.csv"), force=force)
        run = load_previous(result)
        options = carry_redaction(options, run)
        outcome = do_rematch(run, drop=ids, reopen=reopen)
        files = result_files(
            outcome.result,
            options=options,
            extra_files={"changes.csv": changes_csv(outcome.changes, options=options)},
            extra_manifest=rematch_manifest(run, outcome),
            out=out,
        )
        with interrupt.committing():
            write_files(out, files)
        if as_json:
            data = result_json(outcome.result)
            data["changes"] = [jsonable(c) for c in outcome.changes]
            data["moved_if_reopened"] = outcome.moved_if_reopened
            print_json(data)
        else:
            stdout.print(rematch_view(outcome))
            stdout.print(_("wrote {paths}").format(paths=out))

    guarded(body)
