"""Benchmark the shortfall diagnosis: how much slower a run with a shortfall gets.

Not run by CI. Usage: python bench/bench_diagnosis.py [developers partners quota]
or python bench/bench_diagnosis.py FOLDER… (only the calls in those folders, e.g. the
imbalanced 6,000 × 1,200 call of `matcher synth`, each with its matcher.toml).
Prints, per case, the median wall time of run_match without and with the diagnosis and
their ratio (the target is at most 1.5), then the wall time of `matcher match --dry-run`
and `matcher validate` on examples/morocco (target: at most 2 s, diagnosis included).
The machine may be shared: wall times are inflated then, the ratios less so.
"""

from __future__ import annotations

import resource
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from matcher.config import MatcherConfig, Quotas
from matcher.dataset import load_dataset
from matcher.diagnosis import Change, apply_changes
from matcher.models import Dataset
from matcher.pipeline import load_run_inputs, run_match
from matcher.synth import generate, write_call

MOROCCO = Path(__file__).resolve().parent.parent / "examples" / "morocco"


def median(func: Callable[[], object], repeat: int = 3) -> tuple[float, float]:
    """Return the median wall and CPU times of ``func`` (children included) over runs."""
    walls, cpus = [], []
    for _ in range(repeat):
        start, cpu = time.perf_counter(), _cpu()
        func()
        walls.append(time.perf_counter() - start)
        cpus.append(_cpu() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def case(name: str, dataset: Dataset, config: MatcherConfig) -> None:
    """Print one case: with and without diagnosis, and what the diagnosis said."""
    plain, plain_cpu = median(lambda: run_match(dataset, config, diagnose=False))
    result = run_match(dataset, config)
    full, full_cpu = median(lambda: run_match(dataset, config))
    print(f"{name}: {len(result.shortfalls)} short region(s)")
    print(
        f"  run_match without diagnosis {plain:6.2f} s (CPU {plain_cpu:5.2f} s), "
        f"with {full:6.2f} s (CPU {full_cpu:5.2f} s): ×{full / plain:.2f} wall, "
        f"×{full_cpu / plain_cpu:.2f} CPU"
    )
    for report in result.shortfalls[:3]:
        print(f"  · {report.diagnosis}")


def cli_time(*args: str) -> tuple[float, float]:
    """Return the median wall time of one matcher command, interpreter start included."""
    command = [sys.executable, "-m", "matcher", *args]
    return median(lambda: subprocess.run(command, check=True, capture_output=True))


def folder_case(folder: Path) -> None:
    """Print the case of one call folder (developers.*, partners.*, matcher.toml)."""
    dataset, config, _, _ = load_run_inputs(
        developers=folder / "developers.csv",
        partners=folder / "partners.csv",
        config_path=folder / "matcher.toml",
    )
    case(str(folder), dataset, config)


def main() -> None:
    """Run the cases and print their timings."""
    if len(sys.argv) > 1 and Path(sys.argv[1]).is_dir():
        for folder in sys.argv[1:]:
            folder_case(Path(folder))
        return
    dataset, config, _, _ = load_run_inputs(
        developers=MOROCCO / "developers.csv",
        partners=MOROCCO / "partners.csv",
        config_path=MOROCCO / "matcher.toml",
    )
    case("examples/morocco", dataset, config)
    if "remote_max_distance_km" in type(config.rules).model_fields:
        rules = config.rules.model_copy(update={"remote_max_distance_km": 250.0})
        case(
            "examples/morocco, remote pairs held to 250 km",
            dataset,
            config.model_copy(update={"rules": rules}),
        )
    n_dev = int(sys.argv[1]) if len(sys.argv) > 1 else 1200
    n_par = int(sys.argv[2]) if len(sys.argv) > 2 else 1800
    quota = int(sys.argv[3]) if len(sys.argv) > 3 else 25
    with tempfile.TemporaryDirectory() as tmp:
        write_call(generate(developers=n_dev, partners=n_par, seed=3), Path(tmp))
        synth = load_dataset(Path(tmp) / "developers.csv", Path(tmp) / "partners.csv")
    synth_config = MatcherConfig(quotas=Quotas(default=quota))
    case(f"synth {n_dev} × {n_par}, quota {quota}", synth, synth_config)
    # The shipped rules (kind mix, women share, remote-only) on a call of the example's size,
    # with remote pairs held to 250 km: several short regions, each a real search.
    with tempfile.TemporaryDirectory() as tmp:
        write_call(generate(developers=600, partners=900, seed=3), Path(tmp))
        small = load_dataset(Path(tmp) / "developers.csv", Path(tmp) / "partners.csv")
    shipped = apply_changes(
        config,
        (
            Change("quotas.default", 20),
            Change("quotas.regions", {}),
            Change("rules.remote_max_distance_km", 250.0),
        ),
    )
    case("synth 600 × 900, the shipped rules, quota 20, remote ≤ 250 km", small, shipped)
    for label, args in (
        ("match examples/morocco --dry-run", ("match", str(MOROCCO), "--dry-run")),
        ("validate examples/morocco", ("validate", str(MOROCCO))),
        ("validate examples/morocco --diagnose", ("validate", str(MOROCCO), "--diagnose")),
    ):
        wall, cpu = cli_time(*args)
        print(f"matcher {label:38s} {wall:6.2f} s (CPU {cpu:5.2f} s)")


if __name__ == "__main__":
    main()
