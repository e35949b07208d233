"""Time and memory of matcher.solver.solve on large random instances (not run by CI).

Usage: .venv/bin/python bench/bench_solver.py [--only NAME ...] [--seed N]
"""

from __future__ import annotations

import argparse
import resource
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from matcher.solver import AssignmentProblem, RegionSpec, solve


@dataclass(frozen=True)
class Scenario:
    """A named instance builder."""

    name: str
    build: Callable[[np.random.Generator], AssignmentProblem]


def complete_regions(
    rng: np.random.Generator,
    n_regions: int,
    size: int,
    spec: RegionSpec,
    remote_share: float = 0.0,
) -> AssignmentProblem:
    """Every developer with every partner of its region (plus a few remote pairs)."""
    n = n_regions * size
    local = np.arange(size, dtype=np.int64)
    dev = np.concatenate([np.repeat(local + r * size, size) for r in range(n_regions)])
    par = np.concatenate([np.tile(local + r * size, size) for r in range(n_regions)])
    if remote_share > 0:
        extra = int(remote_share * dev.shape[0])
        e_dev = rng.integers(0, n, extra)
        e_par = rng.integers(0, n, extra)
        cross = (e_dev // size) != (e_par // size)
        key = np.unique(e_dev[cross] * n + e_par[cross])
        dev = np.concatenate([dev, key // n])
        par = np.concatenate([par, key % n])
        order = np.lexsort((par, dev))
        dev, par = dev[order], par[order]
    score = rng.uniform(0, 100, dev.shape[0])
    return AssignmentProblem(
        n_dev=n,
        n_par=n,
        edge_dev=dev,
        edge_par=par,
        edge_score=score,
        par_region=np.repeat(np.arange(n_regions, dtype=np.int64), size),
        par_kind=rng.integers(0, 3, n).astype(np.int64),
        dev_female=rng.random(n) < 0.4,
        regions=tuple(
            RegionSpec(
                spec.max,
                spec.min,
                r % 3 == 0,
                spec.min_per_kind,
                spec.max_per_kind,
                spec.min_women_share,
            )
            for r in range(n_regions)
        ),
    )


SCENARIOS = [
    Scenario(
        "12 regions x 1000x1000, k=10",
        lambda rng: complete_regions(rng, 12, 1000, RegionSpec(10, 10)),
    ),
    Scenario(
        "12 regions x 1000x1000, k=50",
        lambda rng: complete_regions(rng, 12, 1000, RegionSpec(50, 50)),
    ),
    Scenario(
        "1 region 3000x3000, k=50", lambda rng: complete_regions(rng, 1, 3000, RegionSpec(50, 50))
    ),
    Scenario(
        "12 regions x 1000x1000, k=10, mix + women 0.3",
        lambda rng: complete_regions(
            rng, 12, 1000, RegionSpec(10, 8, False, (2, 2, 2), (None, None, 5), 0.3)
        ),
    ),
    Scenario(
        "12 regions x 300x300, k=10, mix + women 0.3 + 2% remote pairs (one component)",
        lambda rng: complete_regions(
            rng, 12, 300, RegionSpec(10, 8, False, (2, 2, 2), (None, None, 5), 0.3), 0.02
        ),
    ),
]


def run(scenario: Scenario, seed: int) -> None:
    """Build, solve and report one scenario."""
    problem = scenario.build(np.random.default_rng(seed))
    tracemalloc.start()
    start = time.perf_counter()
    sol = solve(problem)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(
        f"{scenario.name}: {problem.n_edges:,} edges, {elapsed:.2f} s, "
        f"peak traced {peak / 2**20:.0f} MiB, max RSS {rss:.0f} MiB | "
        f"method={sol.method} filled={int(sol.filled.sum())} score={sol.total_score:.2f} "
        f"gap={sol.gap:.3g} optimal={sol.optimal}"
    )


def main() -> None:
    """Run the selected scenarios."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--only", nargs="*", type=int, help="scenario numbers (0-based)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    for i, scenario in enumerate(SCENARIOS):
        if args.only is None or i in args.only:
            run(scenario, args.seed)


if __name__ == "__main__":
    main()
