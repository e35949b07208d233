"""The lookup error readers turn into located problems, and the package-data reader."""

from __future__ import annotations

import csv
import io
from importlib import resources


class LookupFailure(ValueError):
    """A value names no known region, province, language or enum member."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message}; {self.hint}" if self.hint else self.message


def read_rows(name: str) -> list[dict[str, str]]:
    """Return the rows of a CSV file shipped in ``matcher/reference/data``."""
    text = (
        resources.files("matcher.reference").joinpath("data").joinpath(name).read_text("utf-8-sig")
    )
    return list(csv.DictReader(io.StringIO(text)))
