"""The ``matcher`` application: the root options and the table of commands."""

from __future__ import annotations

from typing import Annotated

import typer

from matcher import __version__
from matcher.cli import clubs, explain, match, rematch, report, setup, validate
from matcher.cli.options import stdout

app = typer.Typer(
    name="matcher",
    help="Form developer + partner pairs (binômes) under per-region quotas.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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


app.command(name="validate")(validate.validate)
app.command(name="regions")(setup.regions)
app.command(name="init")(setup.init)
app.command(name="synth")(setup.synth)
app.command(name="match")(match.match)
app.command(name="explain")(explain.explain)
app.command(name="rematch")(rematch.rematch)
app.command(name="report")(report.report)
app.command(name="clubs")(clubs.clubs)


def main() -> None:
    """Run the command-line interface."""
    app()
