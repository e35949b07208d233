"""The ``match`` command: preview or write the optimal pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matcher.cli.options import (
    BomOpt,
    ConfOpt,
    ContactsOpt,
    DevOpt,
    EncOpt,
    ExcelOpt,
    FolderArg,
    ForceOpt,
    JsonOpt,
    OutOpt,
    ParOpt,
    RedactOpt,
    SheetOpt,
    StrictOpt,
    XlsxOpt,
    guarded,
    output_options,
    print_json,
    resolve_inputs,
    stderr,
    stdout,
)
from matcher.errors import ShortfallError


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
    xlsx: XlsxOpt = False,
) -> None:
    """Form the optimal pairs: preview with --dry-run, or write them to --out."""

    def body() -> None:
        from matcher.outputs import RESULT_FILES, check_writable, workbook_file, write_result
        from matcher.pipeline import load_run_inputs, run_match
        from matcher.render import match_view, result_json
        from matcher.workbook import WORKBOOK

        options = output_options(bom=bom, contacts=contacts, redact=redact, excel=excel)
        names = (*RESULT_FILES, WORKBOOK) if xlsx else RESULT_FILES
        if not dry_run:
            check_writable(out, names, force=force)
        dev_f, par_f, conf_f = resolve_inputs(folder, developers, partners, config)
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
            data["written"] = [] if dry_run or (strict and short) else [str(out / n) for n in names]
            print_json(data)
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
                stdout.print("[dim]dry run: nothing was written[/]", markup=True)
            return
        paths = write_result(
            out,
            result,
            options=options,
            extra_files={WORKBOOK: workbook_file(result, options)} if xlsx else None,
            extra_manifest={"read_options": {"sheet": sheet, "encoding": encoding}},
        )
        if not as_json:
            stdout.print("wrote " + ", ".join(str(p) for p in paths))

    guarded(body)
