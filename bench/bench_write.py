"""Time the reasons for the unpaired and the result files on a folder of a national call.

Not run by CI. Usage: python bench/bench_write.py FOLDER [--runs 5] [--save FILE | --check FILE]
Builds and solves the instance once (not timed), then, ``--runs`` times in one process,
times ``pipeline.assemble`` (the reasons) and ``outputs.result_files`` (pairings.csv,
unmatched.csv, manifest.json as bytes) in CPU seconds, each followed by a thousand
allocations so that a collection the step left pending is counted in it. As in
``matcher match``, the heap is frozen before the files are made (``tuning.freeze_heap``).
Prints the minimum and the median of each. ``--save`` writes the files' SHA-256 to FILE
(JSON), ``--check`` asserts they equal the ones saved before a change.
"""

from __future__ import annotations

import argparse
import gc
import hashlib
import json
import statistics
import time
from pathlib import Path

from matcher.outputs import OutputOptions, result_files
from matcher.pipeline import assemble, build_instance, load_run_inputs, solve_instance
from matcher.stability import audit_manifest


def _settle() -> None:
    """Allocate a little, so that a collection pending after a step runs now."""
    _ = [object() for _ in range(1000)]


def main() -> None:
    """Build, solve, then time assemble and result_files; save or check the files' hashes."""
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--save", type=Path)
    parser.add_argument("--check", type=Path)
    args = parser.parse_args()
    folder: Path = args.folder
    dataset, config, locks, forbid = load_run_inputs(
        developers=folder / "developers.csv",
        partners=folder / "partners.csv",
        config_path=folder / "matcher.toml",
    )
    instance = build_instance(dataset, config, locks=locks, forbid=forbid)
    solution = solve_instance(instance)
    options = OutputOptions()
    reasons: list[float] = []
    writing: list[float] = []
    hashes: dict[str, str] = {}
    for _ in range(args.runs):
        gc.collect()
        gc.freeze()  # as matcher match does before run_match, and again after it
        cpu = time.process_time()
        result = assemble(instance, solution)
        _settle()
        reasons.append(time.process_time() - cpu)
        gc.freeze()
        audit = audit_manifest(
            developers=dataset.developers,
            partners=dataset.partners,
            config=config,
            pairs=result.pairs,
            forbidden=forbid,
        )
        cpu = time.process_time()
        files = result_files(result, options=options, extra_manifest={**audit}, out=folder)
        _settle()
        writing.append(time.process_time() - cpu)
        hashes = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
        del result, files  # reference counting frees frozen objects too
    for name, times in (("assemble", reasons), ("result_files", writing)):
        print(
            f"{name}: min {min(times):.2f} s, median {statistics.median(times):.2f} s CPU"
            f" ({args.runs} runs)"
        )
    if args.save:
        args.save.write_text(json.dumps(hashes, indent=2, sort_keys=True) + "\n")
    if args.check:
        before = json.loads(args.check.read_text())
        assert before == hashes, "the result files changed"
        print("result files identical to", args.check)


if __name__ == "__main__":
    main()
