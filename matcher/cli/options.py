"""What every command shares: the consoles, the error boundary, options and input lookup."""

from __future__ import annotations

import dataclasses
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

from matcher.cli import interrupt
from matcher.errors import InputError, MatcherError, UsageError
from matcher.i18n import N_, _
from matcher.tuning import thawed_on_exit

if TYPE_CHECKING:  # the outputs module (numpy, scipy) is imported only when a command runs
    from matcher.outputs import OutputOptions
    from matcher.previous import PreviousRun

# No markup by default: ids, cells and paths such as "[bold]D-1" or "out/[/]" are shown as
# they are. A print that wants style passes markup=True and escapes every value it shows.
stdout = Console(highlight=False, markup=False)
stderr = Console(stderr=True, highlight=False, markup=False)

T = TypeVar("T")


def _fail(exc: MatcherError) -> NoReturn:
    from matcher.render import problems_text

    stderr.print(
        "[bold red]" + _("error: ") + "[/]" + escape(str(exc)), soft_wrap=True, markup=True
    )
    if isinstance(exc, InputError):
        stderr.print(problems_text([*exc.problems, *exc.warnings]), soft_wrap=True, end="")
    raise typer.Exit(exc.exit_code)


def guarded(func: Callable[[], T]) -> T:
    """Run a command body, turning library errors into a message and an exit code."""
    try:
        with thawed_on_exit():  # a body may freeze_heap(); tests run many bodies a process
            return interrupt.run(func)
    except MatcherError as exc:
        _fail(exc)
    except typer.Exit:
        raise
    except Exception as exc:  # the last line of defence: never a traceback for users
        if os.environ.get("MATCHER_DEBUG"):
            raise
        stderr.print(
            _(
                "[bold red]unexpected error:[/] {name}. "
                "Set MATCHER_DEBUG=1 to see details, and report it."
            ).format(name=type(exc).__name__),
            markup=True,
        )
        raise typer.Exit(1) from None


FolderArg = Annotated[
    Path | None,
    typer.Argument(
        help=N_("Folder holding developers.*, partners.* and (optionally) matcher.toml.")
    ),
]
DevOpt = Annotated[Path | None, typer.Option("--developers", help=N_("Developers file."))]
ParOpt = Annotated[Path | None, typer.Option("--partners", help=N_("Partners file."))]
ConfOpt = Annotated[Path | None, typer.Option("--config", help=N_("matcher.toml to use."))]
SheetOpt = Annotated[str | None, typer.Option("--sheet", help=N_("XLSX sheet (default: first)."))]
EncOpt = Annotated[
    str | None,
    typer.Option("--encoding", help=N_("Force the CSV encoding (utf-8, cp1252, cp1256…).")),
]
JsonOpt = Annotated[bool, typer.Option("--json", help=N_("Print JSON on stdout instead."))]


def resolve_inputs(
    folder: Path | None, developers: Path | None, partners: Path | None, config: Path | None
) -> tuple[Path, Path, Path | None]:
    """Return the developers, partners and config paths from a folder and/or options."""
    from matcher.dataset import find_inputs

    found_config: Path | None = None
    if folder is not None:
        if not folder.is_dir():
            raise UsageError(
                _("{folder} is not a folder; give a folder or --developers and --partners").format(
                    folder=folder
                )
            )
        dev_f, par_f, found_config = find_inputs(folder)
        developers, partners = developers or dev_f, partners or par_f
    if developers is None or partners is None:
        raise UsageError(_("give a folder, or both --developers and --partners"))
    for path in (developers, partners, config):
        if path is not None and not path.exists():
            raise UsageError(_("{path} does not exist").format(path=path))
    return developers, partners, config or found_config


def print_json(data: Any) -> None:
    """Print ``data`` as indented JSON on stdout."""
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


OutOpt = Annotated[
    Path, typer.Option("--out", help=N_("Folder for pairings.csv, unmatched.csv, manifest.json."))
]
ForceOpt = Annotated[bool, typer.Option("--force", help=N_("Overwrite existing output files."))]
StrictOpt = Annotated[
    bool,
    typer.Option(
        "--strict", help=N_("Exit 4 (and write nothing) when a region falls short of its quota.")
    ),
]
BomOpt = Annotated[
    bool, typer.Option("--bom", help=N_("Start CSV files with a UTF-8 BOM (Excel)."))
]
ContactsOpt = Annotated[
    bool,
    typer.Option(
        "--contacts", help=N_("Also export emails and phones (personal data: only when needed).")
    ),
]
RedactOpt = Annotated[
    bool,
    typer.Option(
        "--redact", help=N_("Replace names by keyed pseudonyms (key in MATCHER_REDACT_KEY).")
    ),
]


ExcelOpt = Annotated[
    bool,
    typer.Option(
        "--excel", help=N_("Write CSV for French Excel: ';' separators, decimal commas, a BOM.")
    ),
]


HeadersOpt = Annotated[
    str,
    typer.Option(
        "--headers",
        metavar="en|fr",
        help=N_("Column names of the CSV files: en (the codes) or fr (for staff)."),
    ),
]


def output_options(
    *, bom: bool, contacts: bool, redact: bool, excel: bool = False, headers: str = "en"
) -> OutputOptions:
    """Build the output options, reading the pseudonym key from the environment."""
    from matcher.outputs import OutputOptions

    if redact and contacts:
        # E-mail addresses usually spell the person's name: they would undo the pseudonyms.
        raise UsageError(
            _(
                "--redact and --contacts cannot be combined: e-mails and phones identify the "
                "people the pseudonyms hide; write the contacts in a separate, unredacted run"
            )
        )
    key = _redact_key() if redact else None
    if headers not in ("en", "fr"):
        raise UsageError(_('--headers must be "en" or "fr", not "{value}"').format(value=headers))
    return OutputOptions(bom=bom, contacts=contacts, redact_key=key, excel=excel, headers=headers)


def _redact_key() -> bytes:
    raw = os.environ.get("MATCHER_REDACT_KEY", "")
    if len(raw) < 8:
        raise UsageError(
            _(
                "--redact needs a secret key of 8 characters or more in the "
                "MATCHER_REDACT_KEY environment variable"
            )
        )
    return raw.encode("utf-8")


def carry_redaction(options: OutputOptions, run: PreviousRun) -> OutputOptions:
    """Return ``options`` redacted, with the same key, when the result they build on was."""
    from matcher.outputs import redact_check

    if not run.redacted:
        return options
    if options.contacts:
        raise UsageError(
            _("{folder} was written with --redact: --contacts would reveal who is who").format(
                folder=run.folder
            )
        )
    if options.redact_key is None:
        if len(os.environ.get("MATCHER_REDACT_KEY", "")) < 8:
            raise UsageError(
                _(
                    "{folder} was written with --redact, so this result must be too: set "
                    "MATCHER_REDACT_KEY to the key it was written with"
                ).format(folder=run.folder)
            )
        options = dataclasses.replace(options, redact_key=_redact_key())
    assert options.redact_key is not None
    if run.redact_check is not None and redact_check(options.redact_key) != run.redact_check:
        raise UsageError(
            _(
                "MATCHER_REDACT_KEY is not the key {folder} was written with: the pseudonyms "
                "would not match; set the same key"
            ).format(folder=run.folder)
        )
    return options


XlsxOpt = Annotated[
    bool,
    typer.Option(
        "--xlsx", help=N_("Also write pairings.xlsx: a summary, a sheet per region, the unmatched.")
    ),
]


ResultArg = Annotated[Path, typer.Argument(help=N_("A result folder written by `matcher match`."))]


def jsonable(obj: Any) -> Any:
    """Turn dataclasses, tuples and floats into JSON-ready values (floats to 4 places)."""
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return {k: jsonable(v) for k, v in dataclasses.asdict(obj).items()}
    if isinstance(obj, tuple | list):
        return [jsonable(v) for v in obj]
    if isinstance(obj, float):
        return round(obj, 4)
    return obj
