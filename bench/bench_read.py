"""Benchmark reading + validation and scoring at national size, phase by phase.

Not run by CI. Usage: python bench/bench_read.py [--read-only] [rows per side ...] (default
12000 60000). For each size it synthesises a call (``matcher synth``'s generator), writes it
as CSV, then prints the wall and CPU time of: synth, CSV parsing, validation (models), and
scoring + edge building (default rules, quota 50 per region, with the exact developer-side
pruning); ``--read-only`` stops after reading, and reads three times (best of three).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from matcher.tuning import tune_process

tune_process()  # as the CLI does, before numpy is imported

from matcher.config import MatcherConfig, Quotas  # noqa: E402
from matcher.dataset import load_dataset  # noqa: E402
from matcher.pipeline import build_instance  # noqa: E402
from matcher.readers.table import read_table  # noqa: E402
from matcher.synth import generate, write_call  # noqa: E402

T = TypeVar("T")


def timed(label: str, run: Callable[[], T]) -> T:
    """Run ``run`` once and print its wall and CPU time."""
    wall, cpu = time.perf_counter(), time.process_time()
    value = run()
    print(
        f"  {label:<22} {time.perf_counter() - wall:7.2f} s wall "
        f"{time.process_time() - cpu:7.2f} s CPU"
    )
    return value


def bench(rows: int, config: MatcherConfig, *, read_only: bool) -> None:
    """Measure every phase for ``rows`` developers and ``rows`` partners."""
    print(f"{rows:,} developers × {rows:,} partners")
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        call = timed("synth", lambda: generate(developers=rows, partners=rows, seed=1))
        timed("write CSV", lambda: write_call(call, folder))
        dev, par = folder / "developers.csv", folder / "partners.csv"
        for _ in range(3 if read_only else 1):
            timed("parse CSV (both)", lambda: (read_table(dev), read_table(par)))
            dataset = timed("read + validate (both)", lambda: load_dataset(dev, par))
    if read_only:
        return
    instance = timed("score + edges", lambda: build_instance(dataset, config))
    print(f"  {len(instance.edges):,} edges kept, {instance.edges.pruned:,} pruned")


def main() -> None:
    """Run the benchmark for each size given (rows per side)."""
    read_only = "--read-only" in sys.argv[1:]
    sizes = [int(a) for a in sys.argv[1:] if a != "--read-only"] or [12_000, 60_000]
    config = MatcherConfig(quotas=Quotas(default=50))
    for rows in sizes:
        bench(rows, config, read_only=read_only)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
