"""Keep HiGHS's native prints off stdout, which belongs to the CLI's --json output."""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator


@contextlib.contextmanager
def native_stdout_to_stderr() -> Iterator[None]:
    """Send whatever native code writes to file descriptor 1 to descriptor 2 meanwhile.

    HiGHS occasionally prints a diagnostic line from C++ straight to fd 1 even with output
    off; that would corrupt ``--json`` on stdout. Python-level writes are flushed first.
    """
    try:
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, ValueError):
        yield
        return
    try:
        os.dup2(2, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
