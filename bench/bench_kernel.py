"""Benchmark scoring + edge building: the numpy chunks against the fused kernel.

Not run by CI. Usage: python bench/bench_kernel.py [--numpy] [rows per side ...] (default
12000 60000). For each size it synthesises a call (``matcher synth``'s generator, seed 1),
reads it back and times ``build_edges`` as ``matcher match`` calls it (default rules, quota
50 per region, exact developer-side pruning) with the fused kernel, its JIT compilation
included (the first call in the process); ``--numpy`` also times the numpy path and checks
that both give identical arrays.
"""

from __future__ import annotations

import hashlib
import resource
import sys
import tempfile
import time
from pathlib import Path

from matcher.tuning import tune_process

tune_process()  # as the CLI does, before numpy is imported


from matcher.config import MatcherConfig, Quotas  # noqa: E402
from matcher.dataset import load_dataset  # noqa: E402
from matcher.edges import EdgeSet, build_edges  # noqa: E402
from matcher.reference import REGIONS  # noqa: E402
from matcher.rules import RULES  # noqa: E402
from matcher.specs import group_caps, region_specs  # noqa: E402
from matcher.synth import generate, write_call  # noqa: E402


def digest(edges: EdgeSet) -> str:
    """Return a hash over every array of the edge set."""
    h = hashlib.sha256()
    for array in (edges.dev, edges.par, edges.score, edges.locked):
        h.update(array.tobytes())
    for code in RULES:
        h.update(edges.rule_counts[code].tobytes())
    h.update(str(edges.pruned).encode())
    return h.hexdigest()[:16]


def bench(rows: int, config: MatcherConfig, *, with_numpy: bool) -> None:
    """Time build_edges for ``rows`` developers and ``rows`` partners."""
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        write_call(generate(developers=rows, partners=rows, seed=1), folder)
        dataset = load_dataset(folder / "developers.csv", folder / "partners.csv")
    developers = sorted(dataset.developers, key=lambda d: d.id)
    partners = sorted(dataset.partners, key=lambda p: p.id)
    specs = region_specs(config)
    caps = group_caps(specs)
    index = {r.code: i for i, r in enumerate(REGIONS)}
    print(f"{rows:,} developers × {rows:,} partners")
    for kernel in (True, False) if with_numpy else (True,):
        wall, cpu = time.perf_counter(), time.process_time()
        edges = build_edges(
            developers=developers,
            partners=partners,
            config=config,
            region_index=index,
            group_cap=caps,
            specs=specs,
            kernel=kernel,
        )
        print(
            f"  {'kernel' if kernel else 'numpy':<7} {time.perf_counter() - wall:7.2f} s wall "
            f"{time.process_time() - cpu:7.2f} s CPU  {len(edges):,} edges, "
            f"{edges.pruned:,} pruned, {edges.skipped:,} cells skipped, digest {digest(edges)}"
        )


def main() -> None:
    """Run the benchmark for each size given (rows per side)."""
    args = sys.argv[1:]
    with_numpy = "--numpy" in args
    sizes = [int(a) for a in args if a != "--numpy"] or [12_000, 60_000]
    config = MatcherConfig(quotas=Quotas(default=50))
    for rows in sizes:
        bench(rows, config, with_numpy=with_numpy)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MiB")


if __name__ == "__main__":
    main()
