"""The ``matcher`` application: the root options and the table of commands."""

from __future__ import annotations

from typing import Annotated

import typer

from matcher import __version__
from matcher.cli import clubs, explain, interrupt, match, rematch, report, setup, validate
from matcher.cli.help import TranslatedCommand, TranslatedGroup
from matcher.cli.options import stdout
from matcher.i18n import N_, _, set_language
from matcher.tuning import tune_process

app = typer.Typer(
    name="matcher",
    cls=TranslatedGroup,
    help=N_("Form developer + partner pairs (binômes) under per-region quotas."),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        stdout.print(f"matcher {__version__}")
        raise typer.Exit()


def _lang(value: str | None) -> str | None:
    if value is not None:
        if value not in ("fr", "en"):
            raise typer.BadParameter(
                _('"{value}" is not a language: give fr or en').format(value=value)
            )
        set_language(value)
    return value


@app.callback()
def root(
    version: Annotated[
        bool,
        typer.Option(
            "--version", callback=_version, is_eager=True, help=N_("Show the version and exit.")
        ),
    ] = False,
    lang: Annotated[
        str | None,
        typer.Option(
            "--lang",
            metavar="fr|en",
            callback=_lang,
            is_eager=True,
            help=N_("Interface language: fr or en (default: MATCHER_LANG, then the locale)."),
        ),
    ] = None,
) -> None:
    """Form developer + partner pairs (binômes) under per-region quotas."""


app.command(
    name="validate",
    cls=TranslatedCommand,
    help=N_("Check the input files: a summary per region, then warnings and errors."),
)(validate.validate)
app.command(
    name="regions",
    cls=TranslatedCommand,
    help=N_("List the 12 regions with their codes and every accepted name."),
)(setup.regions)
app.command(
    name="init",
    cls=TranslatedCommand,
    help=N_("Write empty developers.csv and partners.csv and a commented matcher.toml."),
)(setup.init)
app.command(
    name="synth",
    cls=TranslatedCommand,
    help=N_("Generate a realistic synthetic call for applications (deterministic)."),
)(setup.synth)
app.command(
    name="match",
    cls=TranslatedCommand,
    help=N_("Form the optimal pairs: preview with --dry-run, or write them to --out."),
)(match.match)
app.command(
    name="explain",
    cls=TranslatedCommand,
    help=N_("Explain a decision of a result folder (re-reads its inputs; refuses changed ones)."),
)(explain.explain)
app.command(
    name="rematch",
    cls=TranslatedCommand,
    help=N_("Remove people who left, keep every other pair, refill the freed places optimally."),
)(rematch.rematch)
app.command(
    name="report",
    cls=TranslatedCommand,
    help=N_(
        "Write a self-contained offline report of a result folder (and pairings.xlsx with --xlsx)."
    ),
)(report.report)
app.command(
    name="clubs",
    cls=TranslatedCommand,
    help=N_("Form regional clubs of pairs that meet at a province seat, with the least travel."),
)(clubs.clubs)


def main() -> None:
    """Run the command-line interface."""
    tune_process()  # before numpy is first imported
    interrupt.install()
    app()
