"""The one error hierarchy of the library; only the CLI turns these into exit codes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

from matcher.i18n import _

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong (or worth knowing) about one place of one input file.

    Messages never contain a person's name, email or phone: they name ids, rows and
    columns, and may quote a cell only when the column holds no personal data.
    """

    file: str | None
    row: int | None
    column: str | None
    message: str
    hint: str | None = None
    severity: Severity = "error"
    code: str = "invalid"

    def location(self) -> str:
        """Return "file, row N, column "c"" with whatever parts are known."""
        parts: list[str] = []
        # In a TOML config (and a manifest) the places are lines and keys, not rows and columns.
        config = bool(self.file and self.file.endswith((".toml", "manifest.json")))
        if self.file:
            parts.append(self.file)
        if self.row is not None:
            parts.append((_("line {n}") if config else _("row {n}")).format(n=self.row))
        if self.column:
            where = _('key "{name}"') if config else _('column "{name}"')
            parts.append(where.format(name=self.column))
        return ", ".join(parts)

    def __str__(self) -> str:
        where = self.location()
        text = (
            _("{where}: {message}").format(where=where, message=self.message)
            if where
            else self.message
        )
        if self.hint:
            text = _("{message}; {hint}").format(message=text, hint=self.hint)
        return text

    def to_dict(self) -> dict[str, object]:
        """Return a JSON-ready dict."""
        return {
            "severity": self.severity,
            "code": self.code,
            "file": self.file,
            "row": self.row,
            "column": self.column,
            "message": self.message,
            "hint": self.hint,
        }


class MatcherError(Exception):
    """Root of every error the library raises on purpose."""

    exit_code = 1


class UsageError(MatcherError):
    """The command was called in a way that cannot work (missing file, bad option)."""

    exit_code = 2


class InputError(MatcherError):
    """An input file or the configuration is invalid; carries every problem found."""

    exit_code = 3

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.problems: list[Problem] = list(problems)
        self.warnings: list[Problem] = []


class ConfigError(InputError):
    """The configuration (matcher.toml or options) is invalid."""


class StaleResultError(InputError):
    """A result folder no longer matches the inputs recorded in its manifest."""


class OutputExistsError(MatcherError):
    """Refused to overwrite existing output files without --force."""

    exit_code = 5


class OutputError(MatcherError):
    """The output folder cannot take the files (a dangling link, read-only, disk full)."""

    exit_code = 2


class ShortfallError(MatcherError):
    """At least one region cannot meet its quota and strict mode was asked for."""

    exit_code = 4


@dataclass
class ProblemLog:
    """Collects problems so that every one is reported before failing."""

    items: list[Problem] = field(default_factory=list)

    def error(
        self,
        file: str | None,
        row: int | None,
        column: str | None,
        message: str,
        hint: str | None = None,
        code: str = "invalid",
    ) -> None:
        """Record an error."""
        self.items.append(Problem(file, row, column, message, hint, "error", code))

    def warn(
        self,
        file: str | None,
        row: int | None,
        column: str | None,
        message: str,
        hint: str | None = None,
        code: str = "warning",
    ) -> None:
        """Record a warning."""
        self.items.append(Problem(file, row, column, message, hint, "warning", code))

    def extend(self, problems: Iterable[Problem]) -> None:
        """Record several problems at once."""
        self.items.extend(problems)

    @property
    def errors(self) -> list[Problem]:
        """Return the errors only."""
        return [p for p in self.items if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        """Return the warnings only."""
        return [p for p in self.items if p.severity == "warning"]

    def raise_if_errors(self, message: str, cls: type[InputError] = InputError) -> None:
        """Raise ``cls`` carrying every error (and the warnings) when any error was recorded."""
        errs = self.errors
        if errs:
            exc = cls(message, errs)
            exc.warnings = self.warnings
            raise exc
