"""Time a dry run on the issue-9 repro: 10 developers holding 1,235 unknown skills each.

Not run by CI. Usage: python bench/bench_tags.py [developers skills_each]
The partners are the shipped example's 900; every unpaired partner re-encodes the developers,
so the scoring vocabulary's ``add`` dominates when it is not linear.
"""

from __future__ import annotations

import csv
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

from matcher.pipeline import load_run_inputs, run_match

EXAMPLE = Path(__file__).resolve().parent.parent / "examples" / "morocco"


def main() -> None:
    """Print how long loading and matching take with many distinct tags."""
    n_dev = int(sys.argv[1]) if len(sys.argv) > 1 else 10
    each = int(sys.argv[2]) if len(sys.argv) > 2 else 1235
    rng = random.Random(1)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        with (folder / "developers.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "name", "region", "skills", "languages"])
            for i in range(n_dev):
                skills = ";".join(f"z{rng.randrange(10**6)}" for _ in range(each))
                writer.writerow([f"D{i}", f"Dev {i}", "MA-06", skills, "ary;fr"])
        shutil.copy(EXAMPLE / "partners.csv", folder / "partners.csv")
        t0 = time.perf_counter()
        dataset, config, locks, forbid = load_run_inputs(
            developers=folder / "developers.csv", partners=folder / "partners.csv", config_path=None
        )
        t1 = time.perf_counter()
        run_match(dataset, config, locks=locks, forbid=forbid)
        t2 = time.perf_counter()
        print(f"{n_dev} developers x {each} skills: load {t1 - t0:.1f} s, match {t2 - t1:.1f} s")


if __name__ == "__main__":
    main()
