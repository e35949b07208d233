"""Benchmark the whole pipeline (load → score → solve → reasons → diagnosis) on synthetic calls.

Not run by CI. Usage: python bench/bench_pipeline.py [developers partners [quota]]
Prints wall time per stage and the peak resident memory.
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from pathlib import Path

from matcher.config import MatcherConfig, Quotas
from matcher.dataset import load_dataset
from matcher.pipeline import assemble, build_instance, run_match, solve_instance
from matcher.synth import generate, write_call


def main() -> None:
    """Run one benchmark and print its timings."""
    n_dev = int(sys.argv[1]) if len(sys.argv) > 1 else 6000
    n_par = int(sys.argv[2]) if len(sys.argv) > 2 else 9000
    quota = int(sys.argv[3]) if len(sys.argv) > 3 else 50
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        t0 = time.perf_counter()
        write_call(generate(developers=n_dev, partners=n_par, seed=1), folder)
        t1 = time.perf_counter()
        dataset = load_dataset(folder / "developers.csv", folder / "partners.csv")
        t2 = time.perf_counter()
    config = MatcherConfig(quotas=Quotas(default=quota))
    instance = build_instance(dataset, config)
    t3 = time.perf_counter()
    solution = solve_instance(instance)
    t4 = time.perf_counter()
    result = assemble(instance, solution)
    t5 = time.perf_counter()
    full = run_match(dataset, config)
    t6 = time.perf_counter()
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{n_dev} developers × {n_par} partners, quota {quota} per region")
    print(f"  synth+write {t1 - t0:6.2f} s   load+validate {t2 - t1:6.2f} s")
    print(f"  score+edges {t3 - t2:6.2f} s   ({len(instance.edges.dev)} edges kept)")
    print(f"  solve       {t4 - t3:6.2f} s   ({solution.method}, optimal={solution.optimal})")
    print(f"  reasons     {t5 - t4:6.2f} s   ({len(result.unpaired)} unpaired)")
    print(
        f"  run_match with diagnosis {t6 - t5:6.2f} s "
        f"({len(full.shortfalls)} short regions, {full.optimality.filled} pairs)"
    )
    print(f"  peak RSS    {peak_mib:6.0f} MiB")


if __name__ == "__main__":
    main()
