"""Ctrl-C at any moment: stop within a second, exit 130, leave no file behind.

The command's work runs in a worker thread while the main thread waits in short,
interruptible steps, so a SIGINT is handled at once even while the worker is inside a long
native call (a solver, a BLAS kernel) that would not let Python run a signal handler. Writing
files is the one thing not abandoned halfway: it happens inside :func:`committing`, which the
interrupt waits for (writes are fast), so the output folder holds either nothing new or every
file complete, never a partial or temporary file.
"""

from __future__ import annotations

import contextlib
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypeVar

from matcher.i18n import _

T = TypeVar("T")

EXIT_INTERRUPTED = 130
# How long an interrupt waits for a write under way before giving up on it.
_COMMIT_WAIT = 0.8

_commit = threading.Lock()
_cancelled = threading.Event()
_written = threading.Event()
_cleanups: list[Callable[[], None]] = []
_state = {"installed": False}


def install() -> None:
    """Handle SIGINT for the rest of the process (called by the real entry point only)."""
    signal.signal(signal.SIGINT, _on_interrupt)
    _state["installed"] = True


def run(work: Callable[[], T]) -> T:
    """Run ``work``, in a worker thread once :func:`install` was called; return its value.

    Exceptions raised by ``work`` are raised again here, in the caller's thread.
    """
    if not _state["installed"]:
        return work()
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = work()
        except BaseException as exc:  # handed to the main thread, which decides
            box["error"] = exc

    worker = threading.Thread(target=target, name="matcher-work", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(0.05)  # a SIGINT runs _on_interrupt between these waits
    if "error" in box:
        error = box["error"]
        assert isinstance(error, BaseException)
        raise error
    return box["value"]  # type: ignore[return-value]


@contextmanager
def committing() -> Iterator[None]:
    """Write files as one step that an interrupt lets finish, or that never starts after one."""
    with _commit:
        if _cancelled.is_set():
            # The process is exiting; a write must not begin now.
            threading.Event().wait()
        yield
        _written.set()


def on_interrupt(cleanup: Callable[[], None]) -> Callable[[], None]:
    """Run ``cleanup`` (e.g. stop a live display) before exiting on Ctrl-C; return an undo."""
    _cleanups.append(cleanup)
    return lambda: _cleanups.remove(cleanup) if cleanup in _cleanups else None


def _on_interrupt(signum: int, frame: FrameType | None) -> None:
    _cancelled.set()
    finished = _commit.acquire(timeout=_COMMIT_WAIT)
    for cleanup in list(_cleanups):
        # The exit must not fail on a display that is already gone.
        with contextlib.suppress(Exception):
            cleanup()
    if _written.is_set():
        message = _("interrupted: the files were already written")
    elif finished:
        message = _("interrupted: nothing was written")
    else:
        message = _("interrupted while writing; check the output folder")
    try:
        sys.stdout.flush()
        sys.stderr.write(f"\n{message}\n")
        sys.stderr.flush()
    finally:
        os._exit(EXIT_INTERRUPTED)
