"""The ``clubs`` command: group a result's pairs into regional clubs at province seats."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matcher.cli import interrupt
from matcher.cli.options import (
    ForceOpt,
    JsonOpt,
    ResultArg,
    guarded,
    print_json,
    stderr,
    stdout,
)
from matcher.errors import UsageError
from matcher.i18n import _


def clubs(
    result: ResultArg,
    size: Annotated[
        str | None,
        typer.Option("--size", help="Pairs per club, MIN-MAX (default: [clubs] size, else 6-10)."),
    ] = None,
    time_limit: Annotated[
        float,
        typer.Option(
            "--time-limit", min=0.1, help="Seconds of search per region before the best found."
        ),
    ] = 10.0,
    keep: Annotated[
        Path | None,
        typer.Option(
            "--keep", help="An earlier clubs.csv: keep its clubs, only place the new pairs."
        ),
    ] = None,
    reopen: Annotated[
        bool,
        typer.Option("--reopen", help="With --keep: re-form every club, say how many moved."),
    ] = False,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Preview the clubs; write nothing.")
    ] = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Form regional clubs of pairs that meet at a province seat, with the least travel."""

    def body() -> None:
        from matcher.club_files import CLUB_FILES, club_files, read_keep
        from matcher.clubs import form_clubs, parse_size
        from matcher.outputs import check_writable, write_files
        from matcher.previous import load_previous
        from matcher.render import clubs_json, clubs_view

        if reopen and keep is None:
            raise UsageError(_("--reopen re-forms the clubs of --keep; give --keep too"))
        bounds = parse_size(size) if size is not None else None
        if not dry_run:
            check_writable(result, CLUB_FILES, force=force)
        run = load_previous(result)
        low, high = bounds or (run.config.clubs.size.min, run.config.clubs.size.max)
        kept = read_keep(keep) if keep is not None else None
        outcome = form_clubs(
            run,
            low=low,
            high=high,
            time_limit=time_limit,
            keep=kept,
            reopen=reopen,
            kept_from=None if keep is None else keep.name,
        )
        files = club_files(outcome, folder=result)
        written = [] if dry_run else [str(result / name) for name in files]
        if as_json:
            print_json(clubs_json(outcome, written=written))
        else:
            stdout.print(clubs_view(outcome))
            for warning in outcome.warnings:
                stderr.print(_("warning: {message}").format(message=warning), soft_wrap=True)
        if dry_run:
            if not as_json:
                stdout.print(_("dry run: nothing was written"))
            return
        with interrupt.committing():
            write_files(result, files)
        if not as_json:
            stdout.print(_("wrote {files}").format(files=", ".join(written)))

    guarded(body)
