"""Command-line interface: each command parses options, calls the library, renders.

``application.py`` builds the application from the command modules, which share ``options.py``;
imports run downwards only (application → commands → options). ``app`` and ``main`` are loaded
lazily here so that importing a command module does not import the application.
"""

from __future__ import annotations

from typing import Any


def __getattr__(name: str) -> Any:
    if name in ("app", "main"):
        from matcher.cli import application

        return getattr(application, name)
    raise AttributeError(name)
