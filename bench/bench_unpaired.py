"""Time the reasons for the unpaired (``pipeline.assemble``) on a folder of a national call.

Not run by CI. Usage: python bench/bench_unpaired.py FOLDER [--save FILE | --check FILE]
Builds and solves the instance once (not timed), then times ``assemble`` and prints its
wall and CPU seconds. ``--save`` writes the unpaired list to FILE (pickle), ``--check``
asserts it equals the one saved before a change.
"""

from __future__ import annotations

import pickle
import sys
import time
from pathlib import Path

from matcher.pipeline import assemble, build_instance, load_run_inputs, solve_instance


def main() -> None:
    """Build, solve, time assemble, and save or check its unpaired list."""
    folder = Path(sys.argv[1])
    dataset, config, locks, forbid = load_run_inputs(
        developers=folder / "developers.csv",
        partners=folder / "partners.csv",
        config_path=folder / "matcher.toml",
    )
    instance = build_instance(dataset, config, locks=locks, forbid=forbid)
    solution = solve_instance(instance)
    print(f"edges {len(instance.edges):,}, pruned {instance.edges.pruned:,}")
    wall, cpu = time.perf_counter(), time.process_time()
    result = assemble(instance, solution)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    reasons: dict[str, int] = {}
    for person in result.unpaired:
        reasons[person.reason] = reasons.get(person.reason, 0) + 1
    print(f"pairs {len(result.pairs):,}, unpaired {len(result.unpaired):,}: {reasons}")
    print(f"assemble: {wall:.2f} s wall, {cpu:.2f} s CPU")
    if len(sys.argv) > 3 and sys.argv[2] == "--save":
        Path(sys.argv[3]).write_bytes(pickle.dumps(result.unpaired))
    elif len(sys.argv) > 3 and sys.argv[2] == "--check":
        before = pickle.loads(Path(sys.argv[3]).read_bytes())
        assert before == result.unpaired, "the unpaired list changed"
        print("unpaired list identical to", sys.argv[3])


if __name__ == "__main__":
    main()
