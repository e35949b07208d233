"""Command help in the user's language: typer's click objects translated when shown."""

from __future__ import annotations

import os
import re
from collections.abc import Callable, Sequence
from typing import Any

from typer import rich_utils
from typer._click.exceptions import UsageError as ClickUsageError
from typer.core import TyperCommand, TyperGroup

from matcher.i18n import N_, _, detect_language, set_language

# The words typer and click print around our help texts, translated like ours.
_PANEL_TITLES = {
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ABORTED_TEXT": N_("Aborted."),
    "RICH_HELP": N_("Try [blue]'{command_path} {help_option}'[/] for help."),
}
_HELP_OPTION = N_("Show this message and exit.")
# click's usage errors (exit 2), matched on their English text and said again in ours.
_CLICK_ERRORS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"^No such option: (?P<name>\S+)$"), N_("No such option: {name}")),
    (
        re.compile(r"^No such option: (?P<name>\S+) \(Possible options: (?P<options>.*)\)$"),
        N_("No such option: {name} (Possible options: {options})"),
    ),
    (re.compile(r"^No such command (?P<name>.+)\.$"), N_("No such command {name}.")),
    (re.compile(r"^Missing argument (?P<name>.+)\.$"), N_("Missing argument {name}.")),
    (re.compile(r"^Missing option (?P<name>.+)\.$"), N_("Missing option {name}.")),
    (
        re.compile(r"^Option (?P<name>.+) requires an argument\.$"),
        N_("Option {name} requires an argument."),
    ),
    (
        re.compile(r"^Got unexpected extra arguments? \((?P<args>.*)\)$"),
        N_("Unexpected extra argument(s): {args}"),
    ),
    (
        re.compile(r"^Invalid value for (?P<name>.+?): (?P<detail>.*)$", re.DOTALL),
        N_("Invalid value for {name}: {detail}"),
    ),
)


def click_message(text: str) -> str:
    """Return one of click's usage error messages in the interface language."""
    for pattern, template in _CLICK_ERRORS:
        found = pattern.match(text)
        if found:
            return _(template).format(**found.groupdict())
    return text


def _translated_errors(func: Callable[[], Any]) -> Any:
    try:
        return func()
    except ClickUsageError as exc:
        exc.message = click_message(exc.format_message())
        # format_message() of click's subclasses rebuilds the English text: use the plain one.
        exc.__class__ = ClickUsageError
        raise


# The command whose own --lang option means something else (the header language).
_OWN_LANG = ("init",)


def _translate(obj: Any) -> None:
    """Translate the help of a command, its options and its subcommands, in place."""
    if getattr(obj, "help", None):
        obj.help = _(obj.help)
    if getattr(obj, "short_help", None):
        obj.short_help = _(obj.short_help)
    for param in getattr(obj, "params", ()):
        if getattr(param, "help", None):
            param.help = _(param.help)
    for sub in getattr(obj, "commands", {}).values():
        _translate(sub)


def _typer_words() -> None:
    """Put typer's own words (panel titles, "Try … for help") in the interface language."""
    for name, text in _PANEL_TITLES.items():
        setattr(rich_utils, name, _(text))


def _prepare(obj: Any, ctx: Any) -> None:
    _typer_words()
    _translate(obj)
    option = obj.get_help_option(ctx)
    if option is not None:
        option.help = _(_HELP_OPTION)


def language_args(args: Sequence[str]) -> tuple[str, list[str]]:
    """Return the interface language and the arguments with ``--lang`` put before the command.

    ``--lang`` is an option of the root, but people type it anywhere: after the command name
    it is moved to the front, except for ``init`` whose own ``--lang`` is the header language.
    """
    args = list(args)
    command = next((i for i, a in enumerate(args) if not a.startswith("-")), len(args))
    # The root's only value-taking option is --lang: skip its value when finding the command.
    if command > 0 and args[command - 1] == "--lang":
        command = next(
            (i for i, a in enumerate(args) if i > command and not a.startswith("-")), len(args)
        )
    head, tail = args[:command], args[command:]
    if tail and tail[0] not in _OWN_LANG:
        moved: list[str] = []
        rest: list[str] = []
        i = 0
        while i < len(tail):
            if tail[i] == "--lang" and i + 1 < len(tail):
                moved += tail[i : i + 2]
                i += 2
                continue
            if tail[i].startswith("--lang="):
                moved.append(tail[i])
            else:
                rest.append(tail[i])
            i += 1
        head, tail = head + moved, rest
    return detect_language(argv=head, environ=os.environ), head + tail


class TranslatedGroup(TyperGroup):
    """The root command: picks the language from the arguments first, then shows help in it."""

    def make_context(
        self, info_name: str | None, args: list[str], parent: Any = None, **extra: Any
    ) -> Any:
        """Set the interface language before any option is parsed or any help is shown."""
        language, args = language_args(args)
        set_language(language)
        _typer_words()
        return _translated_errors(
            lambda: super(TranslatedGroup, self).make_context(
                info_name, args, parent=parent, **extra
            )
        )

    def invoke(self, ctx: Any) -> Any:
        """Run the command, giving click's usage errors in the interface language."""
        return _translated_errors(lambda: super(TranslatedGroup, self).invoke(ctx))

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        """Write the usage line with a translated prefix."""
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Show the help in the interface language."""
        _prepare(self, ctx)
        super().format_help(ctx, formatter)


class TranslatedCommand(TyperCommand):
    """A command whose help is shown in the interface language."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        """Write the usage line with a translated prefix."""
        pieces = self.collect_usage_pieces(ctx)
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=_("Usage: "))

    def format_help(self, ctx: Any, formatter: Any) -> None:
        """Show the help in the interface language."""
        _prepare(self, ctx)
        super().format_help(ctx, formatter)
