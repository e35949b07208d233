"""The ``validate`` command: are the files clean, can every region be filled?"""

from __future__ import annotations

from typing import Annotated

import typer

from matcher.cli import progress
from matcher.cli.options import (
    ConfOpt,
    DevOpt,
    EncOpt,
    FolderArg,
    JsonOpt,
    ParOpt,
    SheetOpt,
    guarded,
    print_json,
    resolve_inputs,
    stderr,
    stdout,
)
from matcher.errors import InputError, UsageError
from matcher.i18n import N_, _


def validate(
    folder: FolderArg = None,
    developers: DevOpt = None,
    partners: ParOpt = None,
    config: ConfOpt = None,
    sheet: SheetOpt = None,
    encoding: EncOpt = None,
    quotas: Annotated[
        bool,
        typer.Option(
            "--quotas/--no-quotas",
            help=N_("Also solve once to say how many pairs each region can form."),
        ),
    ] = True,
    diagnose: Annotated[
        bool,
        typer.Option(
            "--diagnose",
            help=N_("Also say, for each region that falls short, the change that fills it."),
        ),
    ] = False,
    as_json: JsonOpt = False,
) -> None:
    """Check the input files: a summary per region, then warnings and errors."""

    def body() -> None:
        from matcher.pipeline import check_quotas, load_run_inputs
        from matcher.render import dataset_summary, problems_text, summary_view
        from matcher.tuning import freeze_heap

        try:
            dev_f, par_f, conf_f = resolve_inputs(folder, developers, partners, config)
            if diagnose and not quotas:
                raise UsageError(_("--diagnose needs the quota check; drop --no-quotas"))
            with progress.progress_display(enabled=progress.wanted(as_json=as_json)) as on_progress:
                dataset, cfg, locks, forbid = load_run_inputs(
                    developers=dev_f,
                    partners=par_f,
                    config_path=conf_f,
                    sheet=sheet,
                    encoding=encoding,
                    progress=on_progress,
                )
                freeze_heap()
                regions = (
                    check_quotas(
                        dataset,
                        cfg,
                        locks=locks,
                        forbid=forbid,
                        diagnose=diagnose,
                        progress=on_progress,
                    )
                    if quotas
                    else None
                )
        except InputError as exc:
            if as_json:
                print_json(
                    {
                        "ok": False,
                        "regions": [],
                        "errors": [p.to_dict() for p in exc.problems],
                        "warnings": [p.to_dict() for p in exc.warnings],
                    }
                )
                raise typer.Exit(exc.exit_code) from None
            raise
        rows = dataset_summary(dataset, regions)
        if diagnose and regions is not None:
            for row, report in zip(rows, regions, strict=True):
                row["diagnosis"] = report.diagnosis
        if as_json:
            print_json(
                {
                    "ok": True,
                    "regions": rows,
                    "errors": [],
                    "warnings": [w.to_dict() for w in dataset.warnings],
                }
            )
            return
        stdout.print(summary_view(rows))
        if dataset.warnings:
            stderr.print(problems_text(dataset.warnings), end="")
        short = [r for r in regions or [] if r.shortfall]
        if short and diagnose:
            stdout.print(
                _("[yellow]{n} region(s) cannot reach their quota:[/]").format(n=len(short)),
                markup=True,
            )
            for report in short:
                stdout.print(f"• {report.diagnosis}", soft_wrap=True)
        elif short:
            stdout.print(
                _(
                    "[yellow]{n} region(s) cannot reach their quota[/]; "
                    "`matcher validate --diagnose` says why and what fills them"
                ).format(n=len(short)),
                markup=True,
            )
        stdout.print(
            _("[green]ok:[/] {developers} developers and {partners} partners are valid").format(
                developers=len(dataset.developers), partners=len(dataset.partners)
            )
            + (_(" ({n} warning(s))").format(n=len(dataset.warnings)) if dataset.warnings else ""),
            markup=True,
        )

    guarded(body)
