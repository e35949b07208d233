"""Keep Ctrl-C working while a native solver runs: it runs in a thread, the main one waits."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")

# How long the main thread sleeps between checks; SIGINT is handled within about this.
_SLICE = 0.05


def call_interruptibly(fn: Callable[[], T]) -> T:
    """Return ``fn()``, run in a daemon thread so that the main thread stays interruptible.

    HiGHS (scipy's ``milp``/``linprog``) releases the GIL but, called from the main thread,
    keeps Python from running its SIGINT handler until it returns, which for a long MILP is
    minutes. Here the main thread only waits, in short slices, so KeyboardInterrupt is
    raised within about _SLICE; the abandoned worker is a daemon and dies with the process.
    Off the main thread (signals go to the main thread anyway) ``fn`` is simply called.
    """
    if threading.current_thread() is not threading.main_thread():
        return fn()
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = fn()
        except BaseException as exc:  # handed to the caller below
            box["error"] = exc

    worker = threading.Thread(target=target, name="matcher-solver", daemon=True)
    worker.start()
    while worker.is_alive():
        worker.join(_SLICE)
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box["value"]  # type: ignore[return-value]
