"""Ctrl-C during a HiGHS solve: the main thread stays interruptible."""

from __future__ import annotations

import os
import signal
import threading
import time

import numpy as np
import pytest
from scipy.optimize import Bounds, LinearConstraint, OptimizeResult, milp

from matcher.solver.interrupt import call_interruptibly


def hard_milp() -> OptimizeResult:
    """A random multi-knapsack that HiGHS needs seconds for (capped at 5 s)."""
    rng = np.random.default_rng(0)
    n, m = 120, 60
    a = rng.integers(1, 50, (m, n)).astype(float)
    c = rng.integers(1, 100, n).astype(float)
    return milp(
        -c,
        integrality=np.ones(n),
        bounds=Bounds(0, 1),
        constraints=LinearConstraint(a, -np.inf, a.sum(axis=1) / 3),
        options={"time_limit": 5.0},
    )


def test_sigint_reaches_the_main_thread_during_a_long_milp() -> None:
    timer = threading.Timer(0.3, os.kill, (os.getpid(), signal.SIGINT))
    start = time.monotonic()
    timer.start()
    with pytest.raises(KeyboardInterrupt):
        call_interruptibly(hard_milp)
    assert time.monotonic() - start < 1.3


def test_result_and_errors_come_back() -> None:
    assert call_interruptibly(lambda: 6 * 7) == 42

    def boom() -> None:
        raise ValueError("from the worker")

    with pytest.raises(ValueError, match="from the worker"):
        call_interruptibly(boom)
