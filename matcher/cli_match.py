"""The ``match`` command: preview or write the optimal pairs."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from matcher.cli import (
    ConfOpt,
    DevOpt,
    EncOpt,
    FolderArg,
    JsonOpt,
    ParOpt,
    SheetOpt,
    _inputs,
    _print_json,
    app,
    guarded,
    stderr,
    stdout,
)
from matcher.errors import ShortfallError, UsageError

if TYPE_CHECKING:  # the outputs module (numpy, scipy) is imported only when a command runs
    from matcher.outputs import OutputOptions

OutOpt = Annotated[
    Path, typer.Option("--out", help="Folder for pairings.csv, unmatched.csv, manifest.json.")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite existing output files.")]
StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict", help="Exit 4 (and write nothing) when a region falls short of its quota."
    ),
]
BomOpt = Annotated[bool, typer.Option("--bom", help="Start CSV files with a UTF-8 BOM (Excel).")]
ContactsOpt = Annotated[
    bool,
    typer.Option(
        "--contacts", help="Also export emails and phones (personal data: only when needed)."
    ),
]
RedactOpt = Annotated[
    bool,
    typer.Option("--redact", help="Replace names by keyed pseudonyms (key in MATCHER_REDACT_KEY)."),
]


ExcelOpt = Annotated[
    bool,
    typer.Option(
        "--excel", help="Write CSV for French Excel: ';' separators, decimal commas, a BOM."
    ),
]


def output_options(
    *, bom: bool, contacts: bool, redact: bool, excel: bool = False
) -> OutputOptions:
    """Build the output options, reading the pseudonym key from the environment."""
    from matcher.outputs import OutputOptions

    key = None
    if redact:
        raw = os.environ.get("MATCHER_REDACT_KEY", "")
        if len(raw) < 8:
            raise UsageError(
                "--redact needs a secret key of 8 characters or more in the "
                "MATCHER_REDACT_KEY environment variable"
            )
        key = raw.encode("utf-8")
    return OutputOptions(bom=bom, contacts=contacts, redact_key=key, excel=excel)


@app.command()
def match(
    folder: FolderArg = None,
    developers: DevOpt = None,
    partners: ParOpt = None,
    config: ConfOpt = None,
    out: OutOpt = Path("out"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Preview per region; write nothing.")
    ] = False,
    strict: StrictOpt = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    lock: Annotated[
        Path | None,
        typer.Option(
            "--lock", help="CSV of developer_id,partner_id pairs to keep (a pairings.csv works)."
        ),
    ] = None,
    forbid: Annotated[
        Path | None,
        typer.Option("--forbid", help="CSV of developer_id,partner_id pairs never to form."),
    ] = None,
    bom: BomOpt = False,
    excel: ExcelOpt = False,
    contacts: ContactsOpt = False,
    redact: RedactOpt = False,
    sheet: SheetOpt = None,
    encoding: EncOpt = None,
) -> None:
    """Form the optimal pairs: preview with --dry-run, or write them to --out."""

    def body() -> None:
        from matcher.outputs import RESULT_FILES, check_writable, write_result
        from matcher.pipeline import load_run_inputs, run_match
        from matcher.render import match_view, result_json

        options = output_options(bom=bom, contacts=contacts, redact=redact, excel=excel)
        if not dry_run:
            check_writable(out, RESULT_FILES, force=force)
        dev_f, par_f, conf_f = _inputs(folder, developers, partners, config)
        dataset, cfg, locks, forbids = load_run_inputs(
            developers=dev_f,
            partners=par_f,
            config_path=conf_f,
            lock_path=lock,
            forbid_path=forbid,
            sheet=sheet,
            encoding=encoding,
        )
        result = run_match(dataset, cfg, locks=locks, forbid=forbids)
        short = result.shortfalls
        if as_json:
            data = result_json(result)
            data["written"] = (
                [] if dry_run or (strict and short) else [str(out / n) for n in RESULT_FILES]
            )
            _print_json(data)
        else:
            stdout.print(match_view(result))
            if result.warnings:
                stderr.print(
                    f"{len(result.warnings)} warning(s) about the input files; "
                    "run `matcher validate` to see them"
                )
        if strict and short:
            raise ShortfallError(
                f"{len(short)} region(s) fall short of their quota: "
                + ", ".join(r.name for r in short)
                + "; nothing was written (--strict)"
            )
        if dry_run:
            if not as_json:
                stdout.print("[dim]dry run: nothing was written[/]")
            return
        paths = write_result(
            out,
            result,
            options=options,
            extra_manifest={"read_options": {"sheet": sheet, "encoding": encoding}},
        )
        if not as_json:
            stdout.print("wrote " + ", ".join(str(p) for p in paths))

    guarded(body)
