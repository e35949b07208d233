"""Benchmark: score one 5,000 x 5,000 region densely, then build its edges chunk by chunk.

Run with ``.venv/bin/python bench/bench_scoring.py [n]``; not part of the test suite.
"""

from __future__ import annotations

import random
import resource
import sys
import time
import tracemalloc
from collections.abc import Callable
from typing import TypeVar

import numpy as np

from matcher.config import MatcherConfig
from matcher.edges import build_edges
from matcher.models import KINDS, Developer, Partner
from matcher.reference import PROVINCES, REGIONS
from matcher.rules import allowed_mask
from matcher.scoring import score_block

REGION = "MA-06"
SKILLS = ("web", "seo", "mobile", "payments", "design", "data", "e-commerce", "photography")
LANGUAGES = ("ary", "ar", "fr", "zgh", "en", "es")
SECTORS = ("agriculture", "textile", "food", "tourism", "pottery", "leather")
T = TypeVar("T")


def people(*, n: int, seed: int = 0) -> tuple[list[Developer], list[Partner]]:
    """Return ``n`` developers and ``n`` partners of one region with random profiles."""
    rng = random.Random(seed)
    provinces = [p.code for p in PROVINCES if p.region == REGION]

    def where() -> dict[str, object]:
        if rng.random() < 0.3:
            return {"lat": rng.uniform(32.3, 33.7), "lon": rng.uniform(-9.2, -6.8)}
        return {"province": rng.choice(provinces) if rng.random() < 0.8 else None}

    developers = [
        Developer.model_validate(
            {
                "id": f"D-{i:05d}",
                "name": f"dev {i}",
                "region": REGION,
                "languages": tuple(rng.sample(LANGUAGES, rng.randint(1, 3))),
                "skills": tuple(rng.sample(SKILLS, rng.randint(1, 4))),
                "sectors": tuple(rng.sample(SECTORS, rng.randint(0, 2))),
                "availability_hours": rng.choice((None, 5, 10, 20, 40)),
                "mobility": rng.choice(("local", "region", "remote")),
                **where(),
            }
        )
        for i in range(n)
    ]
    partners = [
        Partner.model_validate(
            {
                "id": f"P-{i:05d}",
                "name": f"partner {i}",
                "region": REGION,
                "kind": rng.choice(KINDS),
                "sector": rng.choice(SECTORS),
                "languages": tuple(rng.sample(LANGUAGES, rng.randint(1, 3))),
                "needs": tuple(rng.sample(SKILLS, rng.randint(0, 3))),
                "availability_hours": rng.choice((None, 5, 10, 20, 40)),
                **where(),
            }
        )
        for i in range(n)
    ]
    return developers, partners


def measure(label: str, run: Callable[[], T]) -> T:
    """Run ``run`` once and print its wall time and traced peak memory."""
    tracemalloc.start()
    start = time.perf_counter()
    result = run()
    seconds = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    print(f"{label:<44} {seconds:8.2f} s   peak {peak / 2**20:8.1f} MiB")
    return result


def main() -> None:
    """Run the benchmark and print its numbers."""
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 5000
    config = MatcherConfig()
    developers, partners = people(n=n)
    region_index = {r.code: i for i, r in enumerate(REGIONS)}
    caps = np.full(len(REGIONS) * len(KINDS), config.quota(REGION)[1], dtype=np.int64)
    print(f"{n} developers x {n} partners in {REGION}")

    edges_plain = measure(
        "build_edges (chunks of 512, no pruning)",
        lambda: build_edges(
            developers=developers,
            partners=partners,
            config=config,
            region_index=region_index,
            group_cap=None,
        ),
    )
    edges_pruned = measure(
        "build_edges (chunks of 512, pruning)",
        lambda: build_edges(
            developers=developers,
            partners=partners,
            config=config,
            region_index=region_index,
            group_cap=caps,
        ),
    )
    block = measure(
        "score_block (one dense block)",
        lambda: score_block(developers=developers, partners=partners, config=config),
    )
    allowed = measure(
        "allowed_mask (one dense block)",
        lambda: allowed_mask(
            block=block,
            developers=developers,
            partners=partners,
            config=config,
        ),
    )
    print(
        f"allowed pairs: {int(np.count_nonzero(allowed))}  edges: {len(edges_plain)}"
        f"  after pruning: {len(edges_pruned)} ({edges_pruned.pruned} pruned)"
    )
    max_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(f"process max RSS: {max_rss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
