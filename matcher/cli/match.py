"""The ``match`` command: preview or write the optimal pairs."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from matcher.cli import interrupt, progress
from matcher.cli.options import (
    BomOpt,
    ConfOpt,
    ContactsOpt,
    DevOpt,
    EncOpt,
    ExcelOpt,
    FolderArg,
    ForceOpt,
    HeadersOpt,
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
from matcher.i18n import N_, _


def match(
    folder: FolderArg = None,
    developers: DevOpt = None,
    partners: ParOpt = None,
    config: ConfOpt = None,
    out: OutOpt = Path("out"),
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help=N_("Preview per region; write nothing."))
    ] = False,
    strict: StrictOpt = False,
    verbose: Annotated[
        bool,
        typer.Option(
            "--verbose", help=N_("Also show the solver's bound, gap and method in the preview.")
        ),
    ] = False,
    force: ForceOpt = False,
    as_json: JsonOpt = False,
    lock: Annotated[
        Path | None,
        typer.Option(
            "--lock",
            help=N_("CSV of developer_id,partner_id pairs to keep (a pairings.csv works)."),
        ),
    ] = None,
    forbid: Annotated[
        Path | None,
        typer.Option("--forbid", help=N_("CSV of developer_id,partner_id pairs never to form.")),
    ] = None,
    bom: BomOpt = False,
    excel: ExcelOpt = False,
    headers: HeadersOpt = "en",
    contacts: ContactsOpt = False,
    redact: RedactOpt = False,
    sheet: SheetOpt = None,
    encoding: EncOpt = None,
    xlsx: XlsxOpt = False,
) -> None:
    """Form the optimal pairs: preview with --dry-run, or write them to --out."""

    def body() -> None:
        from matcher.outputs import (
            RESULT_FILES,
            check_writable,
            result_files,
            workbook_file,
            write_files,
        )
        from matcher.pipeline import load_run_inputs, run_match
        from matcher.render import match_view, result_json
        from matcher.tuning import freeze_heap
        from matcher.workbook import WORKBOOK

        options = output_options(
            bom=bom, contacts=contacts, redact=redact, excel=excel, headers=headers
        )
        names = (*RESULT_FILES, WORKBOOK) if xlsx else RESULT_FILES
        if not dry_run:
            check_writable(out, names, force=force)
        dev_f, par_f, conf_f = resolve_inputs(folder, developers, partners, config)
        show = progress.wanted(as_json=as_json)
        with progress.progress_display(enabled=show) as report:
            dataset, cfg, locks, forbids = load_run_inputs(
                developers=dev_f,
                partners=par_f,
                config_path=conf_f,
                lock_path=lock,
                forbid_path=forbid,
                sheet=sheet,
                encoding=encoding,
                progress=report,
            )
            freeze_heap()
            result = run_match(dataset, cfg, locks=locks, forbid=forbids, progress=report)
            freeze_heap()
        short = result.shortfalls
        if as_json:
            data = result_json(result)
            data["written"] = [] if dry_run or (strict and short) else [str(out / n) for n in names]
            print_json(data)
        else:
            stdout.print(match_view(result, verbose=verbose))
            if result.warnings:
                stderr.print(
                    _(
                        "{n} warning(s) about the input files; run `matcher validate` to see them"
                    ).format(n=len(result.warnings))
                )
        if strict and short:
            raise ShortfallError(
                _(
                    "{n} region(s) fall short of their quota: {regions}; "
                    "nothing was written (--strict)"
                ).format(n=len(short), regions=", ".join(r.name for r in short))
            )
        if dry_run:
            if not as_json:
                stdout.print("[dim]" + _("dry run: nothing was written") + "[/]", markup=True)
            return
        from matcher.stability import audit_manifest

        with progress.progress_display(enabled=show) as report:
            audit = audit_manifest(
                developers=dataset.developers,
                partners=dataset.partners,
                config=cfg,
                pairs=result.pairs,
                forbidden=forbids,
            )
            files = result_files(
                result,
                options=options,
                extra_files={WORKBOOK: workbook_file(result, options)} if xlsx else None,
                extra_manifest={
                    "read_options": {"sheet": sheet, "encoding": encoding},
                    **audit,
                },
                out=out,
            )
            if report is not None:
                report("write", 0, 1)
            with interrupt.committing():
                write_files(out, files)
        paths = [out / name for name in files]
        if not as_json:
            stdout.print(_("wrote {paths}").format(paths=", ".join(str(p) for p in paths)))

    guarded(body)
