"""The national call of issue 7: whole-pipeline cost and the solver against bare OR-Tools.

Not run by CI. Usage:
    python bench/national.py [--size 5000] [--calls national imbalanced]
                             [--configs default cross mix] [--unpruned-limit 15000000]

For each synthetic call (``national``: 12 regions × SIZE developers and SIZE partners a
region on average, drawn by ``matcher.synth``; ``imbalanced``: as many developers but a
fifth of the partners) and each config (``default`` rules, ``cross`` = cross_region
"always", ``mix`` = kind mix + min_women_share 0.3; 50 places a region), it runs
``matcher match --out`` in a child process (read, validate, score, solve, write) and reports
its wall time, CPU time and peak RSS. Then, in this process, on the same problem:

* ``solve/OR`` — matcher's solve phase (``matcher.solver.solve``, its own prunings
  included) over one OR-Tools ``SimpleMinCostFlow`` of the whole graph matcher hands its
  solver (same network and exact tier weights as matcher.solver.network, no components, no
  pruning, women share ignored), with both objectives;
* ``solve/OR unpruned`` — the same solve over OR-Tools on every allowed pair (no pruning
  anywhere: what a user of OR-Tools alone would write), when that graph has at most
  --unpruned-limit pairs (the full national graph has hundreds of millions).

The ratios compare CPU seconds of this process (both sides are single-threaded), which
a shared machine inflates less than wall time, each side timed after one untimed run of
both (so that neither pays the process's one-time set-up). The OR-Tools side builds the network with
matcher.solver.network (so a config with priority regions and min < max may take its two
stages, as matcher would). Prints one Markdown table for the README.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from matcher.config import load_config
from matcher.dataset import load_dataset
from matcher.edges import build_edges
from matcher.models import Dataset
from matcher.pipeline import Instance, build_instance
from matcher.solver import AssignmentProblem, Solution, solve
from matcher.solver.flow import ComponentProblem
from matcher.solver.network import solve_network
from matcher.synth import generate, write_call

CONFIGS = {
    "default": "[quotas]\ndefault = 50\n",
    "cross": '[quotas]\ndefault = 50\n[rules]\ncross_region = "always"\n',
    "mix": (
        "[quotas]\ndefault = 50\n[mix]\n"
        "min_per_kind = { artisan = 10, farmer = 10, merchant = 10 }\n"
        "max_per_kind = { merchant = 25 }\nmin_women_share = 0.3\n"
    ),
}
CONFIG_LABELS = {
    "default": "default rules",
    "cross": '`cross_region = "always"`',
    "mix": "kind mix + `min_women_share = 0.3`",
}


@dataclass(frozen=True)
class Objective:
    """The four tiers of a pairing."""

    prio: int
    mins: int
    filled: int
    score: float

    def tiers(self) -> tuple[int, int, int]:
        """Return the three fill tiers."""
        return self.prio, self.mins, self.filled

    def text(self) -> str:
        """Return the tiers as 'prio/min/filled, score'."""
        return f"{self.prio}/{self.mins}/{self.filled}, {self.score:.4f}"


def objective_of(problem: AssignmentProblem, chosen: np.ndarray) -> Objective:
    """Return the tiers of ``chosen`` (edge indices of ``problem``)."""
    filled = np.bincount(
        problem.par_region[problem.edge_par[chosen]], minlength=len(problem.regions)
    )
    return Objective(
        sum(int(f) for f, s in zip(filled, problem.regions, strict=True) if s.priority),
        sum(min(int(f), s.min) for f, s in zip(filled, problem.regions, strict=True)),
        int(filled.sum()),
        math.fsum(problem.edge_score[chosen].tolist()),
    )


def ortools_alone(problem: AssignmentProblem) -> tuple[float, Objective]:
    """Solve the whole graph as one OR-Tools network; return CPU seconds and objective."""
    start = time.process_time()
    par = problem.edge_par
    cp = ComponentProblem(
        edge_dev=problem.edge_dev,
        edge_par=par,
        edge_score=problem.edge_score,
        edge_region=problem.par_region[par],
        edge_kind=problem.par_kind[par],
        edge_female=problem.dev_female[problem.edge_dev],
        regions=problem.regions,
        region_ids=tuple(range(len(problem.regions))),
        locked=np.unique(problem.locked).astype(np.int64),
        n_kinds=problem.n_kinds,
    )
    result = solve_network(cp)
    elapsed = time.process_time() - start
    if result is None:
        raise SystemExit("the whole graph's costs do not fit int64")
    return elapsed, objective_of(problem, result.edges)


def timed_solve(problem: AssignmentProblem) -> tuple[float, Solution]:
    """Return matcher's solve CPU time and solution."""
    start = time.process_time()
    sol = solve(problem)
    return time.process_time() - start, sol


# The child reads its own high-water mark: ru_maxrss of a forked child keeps the parent's.
_CHILD = """
import atexit, os, runpy, sys
def _hwm():
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(x for x in status if x.startswith("VmHWM"))
    with open(os.environ["BENCH_HWM"], "w", encoding="ascii") as out:
        out.write(line.split()[1])
atexit.register(_hwm)
sys.argv = ["matcher", *sys.argv[1:]]
runpy.run_module("matcher", run_name="__main__")
"""


def child_run(folder: Path, config: Path, out: Path) -> tuple[float, float, float]:
    """Run ``matcher match --out`` in a child; return wall s, CPU s, peak RSS MiB."""
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parent.parent)
    env["BENCH_HWM"] = str(out.with_suffix(".hwm"))
    cmd = [sys.executable, "-c", _CHILD, "match", str(folder), "--config", str(config)]
    cmd += ["--out", str(out)]
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    code = os.waitstatus_to_exitcode(status)
    err = proc.stderr.read().decode() if proc.stderr else ""
    if code not in (0, 4):
        raise SystemExit(f"matcher match failed ({code}): {err[-2000:]}")
    peak_kib = int(Path(env["BENCH_HWM"]).read_text(encoding="ascii"))
    return wall, usage.ru_utime + usage.ru_stime, peak_kib / 1024


def unpruned_problem(
    dataset: Dataset, config_path: Path, instance: Instance, limit: int
) -> AssignmentProblem | None:
    """Return the problem over every allowed pair, or None above ``limit`` pairs."""
    # developers × partners of their own region bound the allowed pairs from below
    dev_regions = Counter(d.region for d in dataset.developers)
    par_regions = Counter(p.region for p in dataset.partners)
    if sum(n * par_regions[r] for r, n in dev_regions.items()) > limit:
        return None
    every = build_edges(
        developers=instance.developers,
        partners=instance.partners,
        config=load_config(config_path),
        region_index=instance.region_index,
        group_cap=None,
    )
    if len(every.dev) > limit:
        return None
    return replace(
        instance.problem,
        edge_dev=every.dev,
        edge_par=every.par,
        edge_score=every.score,
        locked=every.locked,
    )


def measure(call: str, folder: Path, config_path: Path, out: Path, limit: int) -> str:
    """Run one call × config and return its table row."""
    dataset = load_dataset(folder / "developers.csv", folder / "partners.csv")
    wall, cpu, rss = child_run(folder, config_path, out)
    instance = build_instance(dataset, load_config(config_path))
    problem = instance.problem
    # Both sides once untimed first: the first solve of a process pays some 0.08 s of
    # one-time set-up (lazy imports, first calls), which would otherwise fall on whichever
    # side runs first and, at 6,000 × 6,000, double its time.
    timed_solve(problem)
    ortools_alone(problem)
    t_m, sol = timed_solve(problem)
    t_or, obj_or = ortools_alone(problem)
    obj_m = objective_of(problem, sol.edges)
    agree = obj_m.tiers() == obj_or.tiers() and abs(obj_m.score - obj_or.score) <= 1e-6 * max(
        1, obj_m.filled
    )
    objectives = f"{obj_m.text()} / {obj_or.text()}" + ("" if agree else " (differ)")
    unpruned = unpruned_problem(dataset, config_path, instance, limit)
    if unpruned is None:
        versus = "not run (graph too large)"
    else:
        t_u, obj_u = ortools_alone(unpruned)
        versus = f"{t_u / t_m:.1f}× ({t_m:.2f} s vs {t_u:.2f} s, {unpruned.n_edges:,} pairs)"
        if obj_u.tiers() != obj_m.tiers():
            versus += f", OR-Tools tiers {obj_u.text()}"
    size = f"{problem.n_dev:,} × {problem.n_par:,}"
    return (
        f"| {call} {size} | {CONFIG_LABELS[config_path.stem.split('-')[-1]]} "
        f"| {wall:.1f} s / {cpu:.1f} s | {rss:,.0f} MiB | {sol.method} "
        f"| {t_m / t_or:.2f} ({t_m:.2f} s / {t_or:.2f} s) | {objectives} | {versus} |"
    )


def main() -> None:
    """Run the selected calls × configs and print the table."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=5000, help="people a region on average")
    parser.add_argument("--calls", nargs="*", default=["national", "imbalanced"])
    parser.add_argument("--configs", nargs="*", default=list(CONFIGS))
    parser.add_argument("--unpruned-limit", type=int, default=15_000_000)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rows: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        for call in args.calls:
            n_dev = 12 * args.size
            n_par = n_dev if call == "national" else n_dev // 5
            folder = Path(tmp) / call
            start = time.perf_counter()
            write_call(generate(developers=n_dev, partners=n_par, seed=args.seed), folder)
            print(f"synth {n_dev:,} × {n_par:,}: {time.perf_counter() - start:.1f} s", flush=True)
            for name in args.configs:
                config_path = Path(tmp) / f"{call}-{name}.toml"
                config_path.write_text(CONFIGS[name], encoding="utf-8")
                out = Path(tmp) / f"out-{call}-{name}"
                rows.append(measure(call, folder, config_path, out, args.unpruned_limit))
                print(rows[-1], flush=True)
    print()
    print(
        "| call | config | `match --out` wall / CPU | peak RSS | method "
        "| solve / OR-Tools, same graph | objective matcher / OR-Tools "
        "(priority/min/filled, score) | OR-Tools unpruned vs matcher's solve |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for line in rows:
        print(line)


if __name__ == "__main__":
    main()
