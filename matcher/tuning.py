"""Process-wide settings that make large runs faster; entry points apply them, once, early."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager

# glibc mallopt parameters (malloc.h).
_M_TRIM_THRESHOLD = -1
_M_MMAP_THRESHOLD = -3
_KEEP = 1 << 30  # bytes


def tune_process() -> None:
    """Use one BLAS thread (unless set) and keep freed memory for reuse, where possible.

    Scoring runs its own threads over many small matrix products: BLAS threads on top only
    spin, doubling the CPU time, so they are set to one before numpy is first imported
    (unless the user set them). Scoring also allocates and frees arrays of tens of MB per
    chunk; glibc returns each one to the system and the next one is faulted in and zeroed
    again, which cost as much as the arithmetic (265 -> 145 ms of CPU per 512 x 6,667
    chunk). Raising glibc's mmap and trim thresholds keeps that memory in the process for
    the next chunk; the peak memory is the same. Elsewhere this does nothing.
    """
    for variable in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(variable, "1")
    if not sys.platform.startswith("linux"):
        return
    try:
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6")
        mallopt = libc.mallopt
    except (OSError, AttributeError):  # not glibc (musl has no mallopt)
        return
    mallopt(_M_MMAP_THRESHOLD, _KEEP)
    mallopt(_M_TRIM_THRESHOLD, _KEEP)


def freeze_heap() -> None:
    """Keep every object alive now out of later garbage collections, until thawed.

    A national call holds some two million tracked objects (the profiles, then the reasons
    for the unpaired) that live until the run ends; every full collection walked all of them
    again: 1.8 s of the 60,000 x 60,000 run's CPU went to collections, 0.9 s once frozen.
    Reference counting still frees frozen objects.
    """
    gc.freeze()


@contextmanager
def thawed_on_exit() -> Iterator[None]:
    """Hand every frozen object back to the collector on leaving (for many commands a process)."""
    try:
        yield
    finally:
        gc.unfreeze()


@contextmanager
def collection_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a step makes many objects and no cycles.

    Reading 100,000 rows, or the reasons for 118,800 unpaired people, allocate millions of
    small objects and no cycle; the collector would rescan the growing heap again and again
    (a third of the reading time, two full collections of the reasons' step), and reference
    counting frees what the step drops. What the step leaves lives as long as the run: it
    is moved to the oldest generation, as the collector would after tracing it all twice
    (0.2-0.4 s for 60,000 rows read), unless the process froze objects of its own. Then
    nothing is moved (thawing would release theirs) and nothing new is frozen (a library
    caller's objects would never be collected): ``matcher match`` freezes its heap itself
    after loading and after the run. Nested use keeps the outer pause.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            if not gc.get_freeze_count():
                gc.freeze()  # every tracked object, in O(1)…
                gc.unfreeze()  # …back into the oldest generation, still collectable
            gc.enable()
