"""How the library says how far a long run has got: a callback its caller may render."""

from __future__ import annotations

from collections.abc import Callable

# (phase, done, total): phase is one of PHASES, done counts up to total units of that phase.
ProgressCallback = Callable[[str, int, int], None]

PHASES: tuple[str, ...] = ("read", "score", "solve", "explain", "diagnose", "write")


def report(progress: ProgressCallback | None, phase: str, done: int, total: int) -> None:
    """Tell ``progress`` (when given) that ``done`` of ``total`` units of ``phase`` are done."""
    if progress is not None:
        progress(phase, done, total)
