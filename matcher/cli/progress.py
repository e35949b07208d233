"""The live progress display on stderr, fed by the library's progress callback."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from matcher.cli import interrupt
from matcher.cli.options import stderr
from matcher.i18n import _
from matcher.progress import ProgressCallback


def _labels() -> dict[str, str]:
    return {
        "read": _("reading the files"),
        "score": _("scoring the pairs"),
        "solve": _("solving"),
        "explain": _("explaining who is unpaired"),
        "diagnose": _("diagnosing shortfalls"),
        "write": _("writing the result"),
    }


def wanted(*, as_json: bool) -> bool:
    """Return whether to show progress: on a terminal, and never with --json."""
    return stderr.is_terminal and not as_json


@contextmanager
def progress_display(*, enabled: bool) -> Iterator[ProgressCallback | None]:
    """Yield a progress callback that draws on stderr, or None when ``enabled`` is False."""
    if not enabled:
        yield None
        return
    labels = _labels()
    bar = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=stderr,
        transient=True,
    )
    tasks: dict[str, TaskID] = {}

    def report(phase: str, done: int, total: int) -> None:
        task = tasks.get(phase)
        if task is None:
            for other in tasks.values():  # a new phase means the earlier ones are over
                bar.update(other, completed=bar.tasks[other].total)
            task = tasks[phase] = bar.add_task(labels.get(phase, phase), total=max(total, 1))
        bar.update(task, completed=done, total=max(total, 1))

    undo = interrupt.on_interrupt(bar.stop)
    with bar:
        try:
            yield report
        finally:
            undo()
