"""Solve phase of the national instance with and without the group top-t pruning.

Not run by CI. Usage:
    python bench/bench_group_prune.py [FOLDER] [--cache FILE]

FOLDER holds developers.csv, partners.csv and matcher.toml (e.g. ``matcher synth`` output;
default /tmp/nat60). The scored problem is built once with matcher.pipeline and, with
--cache, pickled there for the next run. ``matcher.solver.solve`` then runs twice on it:
"before" with prune_group_top replaced by a keep-everything mask (the prunings as they
were), "after" as shipped. For each it prints the edges handed to OR-Tools (summed over
the components), the time in OR-Tools and the whole solve's wall and CPU time, and it
asserts that both runs reach the same fill tiers and total score.
"""

from __future__ import annotations

import argparse
import importlib
import pickle
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from matcher.solver import AssignmentProblem, Solution, solve

# the package exports the function solve, which hides the module of the same name
solve_module = importlib.import_module("matcher.solver.solve")


def load_problem(folder: Path, cache: Path | None) -> AssignmentProblem:
    """Build the scored problem of FOLDER (or read it from the cache)."""
    if cache is not None and cache.exists():
        with cache.open("rb") as fh:
            problem: AssignmentProblem = pickle.load(fh)
        return problem
    from matcher.pipeline import build_instance, load_run_inputs

    dataset, config, _, _ = load_run_inputs(
        developers=folder / "developers.csv",
        partners=folder / "partners.csv",
        config_path=folder / "matcher.toml",
    )
    problem = build_instance(dataset, config).problem
    if cache is not None:
        with cache.open("wb") as fh:
            pickle.dump(problem, fh, protocol=pickle.HIGHEST_PROTOCOL)
    return problem


def run(problem: AssignmentProblem, *, group_prune: bool) -> tuple[Solution, dict[str, float]]:
    """Solve once, counting the edges and seconds spent in OR-Tools."""
    stats = {"or_edges": 0.0, "or_seconds": 0.0, "components": 0.0}
    real_network = solve_module.solve_network
    real_group = solve_module.prune_group_top

    def network(cp: Any) -> Any:
        start = time.perf_counter()
        result = real_network(cp)
        stats["or_seconds"] += time.perf_counter() - start
        stats["or_edges"] += cp.edge_dev.shape[0]
        stats["components"] += 1
        return result

    def keep_all(edge_dev: npt.NDArray[np.int64], *_: Any, **__: Any) -> npt.NDArray[np.bool_]:
        return np.ones(edge_dev.shape[0], dtype=np.bool_)

    patched: Callable[..., Any] = real_group if group_prune else keep_all
    solve_module.solve_network = network  # type: ignore[assignment]
    solve_module.prune_group_top = patched  # type: ignore[assignment]
    try:
        wall, cpu = time.perf_counter(), time.process_time()
        solution = solve(problem)
        stats["wall"] = time.perf_counter() - wall
        stats["cpu"] = time.process_time() - cpu
    finally:
        solve_module.solve_network = real_network  # type: ignore[assignment]
        solve_module.prune_group_top = real_group  # type: ignore[assignment]
    return solution, stats


def main() -> None:
    """Time both runs and check that they reach the same optimum."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=Path("/tmp/nat60"))
    parser.add_argument("--cache", type=Path, default=None)
    args = parser.parse_args()
    problem = load_problem(args.folder, args.cache)
    print(f"{problem.n_dev:,} developers, {problem.n_par:,} partners, {problem.n_edges:,} edges")
    results = {}
    for name, flag in (("before", False), ("after", True)):
        solution, stats = run(problem, group_prune=flag)
        results[name] = solution
        print(
            f"{name:6s}  {int(stats['or_edges']):>10,} edges to OR-Tools "
            f"({int(stats['components'])} components)  OR-Tools {stats['or_seconds']:6.2f} s  "
            f"solve {stats['wall']:6.2f} s wall {stats['cpu']:6.2f} s CPU  "
            f"tiers {solution.priority_filled}/{solution.min_filled}/"
            f"{int(solution.filled.sum())}  score {solution.total_score:.6f}"
        )
    before, after = results["before"], results["after"]
    assert (before.priority_filled, before.min_filled) == (after.priority_filled, after.min_filled)
    assert list(before.filled) == list(after.filled)
    assert abs(before.total_score - after.total_score) <= 1e-6 * max(1.0, abs(before.total_score))
    print("same optimum: fill tiers equal, total score equal within 1e-6 relative")


if __name__ == "__main__":
    main()
