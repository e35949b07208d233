"""Command-line interface: each command parses options, calls the library, renders."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console

from matcher import __version__
from matcher.errors import InputError, MatcherError, UsageError

app = typer.Typer(
    name="matcher",
    help="Form developer + partner pairs (binômes) under per-region quotas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

stdout = Console(highlight=False)
stderr = Console(stderr=True, highlight=False)

T = TypeVar("T")


def _fail(exc: MatcherError) -> NoReturn:
    from matcher.render import problems_text

    stderr.print(f"[bold red]error:[/] {exc}", soft_wrap=True)
    if isinstance(exc, InputError):
        stderr.print(problems_text([*exc.problems, *exc.warnings]), soft_wrap=True, end="")
    raise typer.Exit(exc.exit_code)


def guarded(func: Callable[[], T]) -> T:
    """Run a command body, turning library errors into a message and an exit code."""
    try:
        return func()
    except MatcherError as exc:
        _fail(exc)
    except typer.Exit:
        raise
    except Exception as exc:  # the last line of defence: never a traceback for users
        if os.environ.get("MATCHER_DEBUG"):
            raise
        stderr.print(
            f"[bold red]unexpected error:[/] {type(exc).__name__}. "
            "Set MATCHER_DEBUG=1 to see details, and report it."
        )
        raise typer.Exit(1) from None


def _version(value: bool) -> None:
    if value:
        stdout.print(f"matcher {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help="Show the version and exit."
        ),
    ] = False,
) -> None:
    """Form developer + partner pairs (binômes) under per-region quotas."""


FolderArg = Annotated[
    Path | None,
    typer.Argument(help="Folder holding developers.*, partners.* and (optionally) matcher.toml."),
]
DevOpt = Annotated[Path | None, typer.Option("--developers", help="Developers file.")]
ParOpt = Annotated[Path | None, typer.Option("--partners", help="Partners file.")]
ConfOpt = Annotated[Path | None, typer.Option("--config", help="matcher.toml to use.")]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help="XLSX sheet (default: first).")]
EncOpt = Annotated[
    str | None, typer.Option("--encoding", help="Force the CSV encoding (utf-8, cp1252, cp1256…).")
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON on stdout instead.")]


def _inputs(
    folder: Path | None, developers: Path | None, partners: Path | None, config: Path | None
) -> tuple[Path, Path, Path | None]:
    from matcher.dataset import find_inputs

    found_config: Path | None = None
    if folder is not None:
        if not folder.is_dir():
            raise UsageError(
                f"{folder} is not a folder; give a folder or --developers and --partners"
            )
        dev_f, par_f, found_config = find_inputs(folder)
        developers, partners = developers or dev_f, partners or par_f
    if developers is None or partners is None:
        raise UsageError("give a folder, or both --developers and --partners")
    for path in (developers, partners, config):
        if path is not None and not path.exists():
            raise UsageError(f"{path} does not exist")
    return developers, partners, config or found_config


def _print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


@app.command()
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
            help="Also solve once to say how many pairs each region can form.",
        ),
    ] = True,
    as_json: JsonOpt = False,
) -> None:
    """Check the input files: a summary per region, then warnings and errors."""

    def body() -> None:
        from matcher.pipeline import load_run_inputs, run_match
        from matcher.render import dataset_summary, problems_text, summary_table

        try:
            dev_f, par_f, conf_f = _inputs(folder, developers, partners, config)
            dataset, cfg, locks, forbid = load_run_inputs(
                developers=dev_f,
                partners=par_f,
                config_path=conf_f,
                sheet=sheet,
                encoding=encoding,
            )
            result = (
                run_match(dataset, cfg, locks=locks, forbid=forbid, diagnose=False)
                if quotas
                else None
            )
        except InputError as exc:
            if as_json:
                _print_json(
                    {
                        "ok": False,
                        "regions": [],
                        "errors": [p.to_dict() for p in exc.problems],
                        "warnings": [p.to_dict() for p in exc.warnings],
                    }
                )
                raise typer.Exit(exc.exit_code) from None
            raise
        rows = dataset_summary(dataset, result)
        if as_json:
            _print_json(
                {
                    "ok": True,
                    "regions": rows,
                    "errors": [],
                    "warnings": [w.to_dict() for w in dataset.warnings],
                }
            )
            return
        stdout.print(summary_table(rows))
        if dataset.warnings:
            stderr.print(problems_text(dataset.warnings), end="")
        if result is not None and result.shortfalls:
            stdout.print(
                f"[yellow]{len(result.shortfalls)} region(s) cannot reach their quota[/]; "
                "`matcher match --dry-run` says why"
            )
        stdout.print(
            f"[green]ok:[/] {len(dataset.developers)} developers and "
            f"{len(dataset.partners)} partners are valid"
            + (f" ({len(dataset.warnings)} warning(s))" if dataset.warnings else "")
        )

    guarded(body)


@app.command()
def regions(as_json: JsonOpt = False) -> None:
    """List the 12 regions with their codes and every accepted name."""
    from matcher.reference import REGIONS, region_names
    from matcher.render import regions_table

    if as_json:
        _print_json(
            [
                {
                    "code": r.code,
                    "hcp_code": r.hcp_code,
                    "name": r.name,
                    "name_ar": r.name_ar,
                    "name_en": r.name_en,
                    "capital": r.capital,
                    "accepted": region_names(r),
                }
                for r in REGIONS
            ]
        )
        return
    stdout.print(regions_table(REGIONS))


@app.command()
def init(
    folder: Annotated[Path, typer.Argument(help="Folder to create the templates in.")],
    lang: Annotated[str, typer.Option("--lang", help="Header language: fr or en.")] = "fr",
) -> None:
    """Write empty developers.csv and partners.csv and a commented matcher.toml."""

    def body() -> None:
        from matcher.errors import OutputExistsError
        from matcher.outputs import write_files
        from matcher.templates import (
            CONFIG_TEMPLATE,
            DEVELOPER_HEADERS,
            PARTNER_HEADERS,
            header_line,
        )

        if lang not in ("fr", "en"):
            raise UsageError(f'--lang must be "fr" or "en", not "{lang}"')
        files = {
            "developers.csv": header_line(DEVELOPER_HEADERS[lang]).encode(),  # type: ignore[index]
            "partners.csv": header_line(PARTNER_HEADERS[lang]).encode(),  # type: ignore[index]
            "matcher.toml": CONFIG_TEMPLATE.encode(),
        }
        existing = [n for n in files if (folder / n).exists()]
        if existing:
            raise OutputExistsError(
                f"{folder} already holds {', '.join(existing)}; nothing was written"
            )
        write_files(folder, files)
        stdout.print(f"wrote {', '.join(str(folder / n) for n in files)}")

    guarded(body)


@app.command()
def synth(
    out: Annotated[Path, typer.Option("--out", help="Folder to write into.")],
    n_dev: Annotated[int, typer.Option("--developers", min=1, help="Developers.")] = 600,
    n_par: Annotated[int, typer.Option("--partners", min=1, help="Partners.")] = 900,
    seed: Annotated[int, typer.Option("--seed", help="Random seed.")] = 2026,
    messy: Annotated[
        bool,
        typer.Option(
            "--messy", help="Write as staff send it: cp1252 CSV and an XLSX, French headers."
        ),
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite existing files.")] = False,
) -> None:
    """Generate a realistic synthetic call for applications (deterministic)."""

    def body() -> None:
        from matcher.synth import generate, write_call, write_messy

        if out.exists() and not out.is_dir():
            raise UsageError(f"{out} exists and is not a folder")
        call = generate(developers=n_dev, partners=n_par, seed=seed)
        writer = write_messy if messy else write_call
        paths = writer(call, out, overwrite=force)
        stdout.print("wrote " + ", ".join(str(p) for p in paths))

    guarded(body)


def main() -> None:
    """Run the command-line interface."""
    app()


# Registers match, explain and rematch on ``app``; imported last because it uses ``app``.
from matcher import cli_explain, cli_match  # noqa: E402,F401
