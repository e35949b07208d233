"""Small hand-made instances for end-to-end tests: write CSV files and a matcher.toml.

Every helper writes real files (English headers, comma-separated, lists joined by ";") so
that the tests go through the same readers as a programme coordinator's files.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

from typer.testing import CliRunner, Result

from matcher.cli import app
from matcher.config import MatcherConfig
from matcher.models import Dataset, Developer, Partner
from matcher.pipeline import load_run_inputs
from matcher.rules import violated_rules
from matcher.scoring import breakdown

DEV_COLUMNS = [
    "id",
    "name",
    "region",
    "province",
    "skills",
    "languages",
    "sectors",
    "availability_hours",
    "mobility",
    "gender",
]
PAR_COLUMNS = [
    "id",
    "name",
    "kind",
    "sector",
    "region",
    "province",
    "needs",
    "languages",
    "availability_hours",
]

# Province centroids used below (HCP codes) and roughly how far apart they are.
CASABLANCA = "06.141"  # MA-06
MOHAMMADIA = "06.371"  # MA-06, ~25 km from Casablanca
SETTAT = "06.461"  # MA-06, ~83 km from Casablanca
EL_JADIDA = "06.181"  # MA-06, ~95 km from Casablanca
RABAT = "04.421"  # MA-04, ~87 km from Casablanca
KENITRA = "04.281"  # MA-04, ~40 km from Rabat


def dev(ident: str, **fields: Any) -> dict[str, str]:
    """Return a developer row: by default a Casablanca web developer speaking ary and fr."""
    row: dict[str, Any] = {
        "id": ident,
        "name": f"Dev {ident}",
        "region": "MA-06",
        "province": CASABLANCA,
        "skills": "web",
        "languages": "ary;fr",
        "sectors": "",
        "availability_hours": "10",
        "mobility": "region",
        "gender": "male",
    }
    row.update(fields)
    return {k: "" if v is None else str(v) for k, v in row.items()}


def par(ident: str, **fields: Any) -> dict[str, str]:
    """Return a partner row: by default a Casablanca artisan needing web, speaking ary and fr."""
    row: dict[str, Any] = {
        "id": ident,
        "name": f"Partner {ident}",
        "kind": "artisan",
        "sector": "pottery",
        "region": "MA-06",
        "province": CASABLANCA,
        "needs": "web",
        "languages": "ary;fr",
        "availability_hours": "10",
    }
    row.update(fields)
    return {k: "" if v is None else str(v) for k, v in row.items()}


def config_toml(
    quotas: Mapping[str, int | tuple[int, int]],
    *,
    default: int = 0,
    priority: Sequence[str] = (),
    rules: Mapping[str, Any] | None = None,
    mix: str = "",
    weights: Mapping[str, float] | None = None,
) -> str:
    """Return a matcher.toml: only the given regions want pairs, no priority regions."""
    lines = ["[quotas]", f"default = {default}", "[quotas.regions]"]
    for region, q in quotas.items():
        if isinstance(q, tuple):
            lines.append(f'"{region}" = {{ min = {q[0]}, max = {q[1]} }}')
        else:
            lines.append(f'"{region}" = {q}')
    lines += ["[priority]", "regions = [" + ", ".join(f'"{r}"' for r in priority) + "]"]
    if rules:
        lines.append("[rules]")
        lines += [f"{k} = {json.dumps(v)}" for k, v in rules.items()]
    if weights:
        lines.append("[weights]")
        lines += [f"{k} = {v}" for k, v in weights.items()]
    if mix:
        lines += ["[mix]", mix.strip()]
    return "\n".join(lines) + "\n"


def _write_table(path: Path, rows: Sequence[Mapping[str, str]], base: Sequence[str]) -> None:
    columns = list(base)
    for row in rows:
        columns += [k for k in row if k not in columns]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([row.get(c, "") for c in columns])


def write_pairs_file(path: Path, pairs: Iterable[tuple[str, str]]) -> Path:
    """Write a locks/forbid file (developer_id,partner_id) and return its path."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(["developer_id", "partner_id"])
        writer.writerows(pairs)
    return path


def write_instance(
    folder: Path,
    developers: Sequence[Mapping[str, str]],
    partners: Sequence[Mapping[str, str]],
    config: str = "",
    *,
    locks: Iterable[tuple[str, str]] | None = None,
    forbid: Iterable[tuple[str, str]] | None = None,
) -> Path:
    """Write developers.csv, partners.csv and matcher.toml (plus locks/forbid) into ``folder``.

    ``locks``/``forbid`` are written as locks.csv/forbid.csv and named in the config.
    """
    folder.mkdir(parents=True, exist_ok=True)
    _write_table(folder / "developers.csv", developers, DEV_COLUMNS)
    _write_table(folder / "partners.csv", partners, PAR_COLUMNS)
    extra = []
    if locks is not None:
        write_pairs_file(folder / "locks.csv", locks)
        extra.append('locks = "locks.csv"')
    if forbid is not None:
        write_pairs_file(folder / "forbid.csv", forbid)
        extra.append('forbid = "forbid.csv"')
    if extra:
        if "[rules]" in config:
            config = config.replace("[rules]", "[rules]\n" + "\n".join(extra), 1)
        else:
            config = config + "[rules]\n" + "\n".join(extra) + "\n"
    (folder / "matcher.toml").write_text(config, encoding="utf-8")
    return folder


def load(
    folder: Path, *, lock_path: Path | None = None, forbid_path: Path | None = None
) -> tuple[Dataset, MatcherConfig, list[tuple[str, str]], list[tuple[str, str]]]:
    """Load a folder written by ``write_instance`` the way ``matcher match`` does."""
    config = folder / "matcher.toml"
    return load_run_inputs(
        developers=folder / "developers.csv",
        partners=folder / "partners.csv",
        config_path=config if config.exists() else None,
        lock_path=lock_path,
        forbid_path=forbid_path,
    )


# -- running the CLI --------------------------------------------------------------------------

_RUNNER = CliRunner()


def cli(*args: str | Path) -> Result:
    """Run ``matcher ARGS`` in-process and return the result (exit code, stdout, stderr)."""
    return _RUNNER.invoke(app, [str(a) for a in args])


def read_csv(path: Path) -> list[dict[str, str]]:
    """Read an output CSV (pairings.csv, unmatched.csv, changes.csv) as dicts."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


# -- an independent oracle --------------------------------------------------------------------


def allowed_pairs(
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    config: MatcherConfig,
    forbidden: Iterable[tuple[str, str]] = (),
) -> dict[tuple[str, str], tuple[str, float]]:
    """Return every pair that breaks no rule, as (dev id, partner id) -> (region, score)."""
    banned = frozenset(forbidden)
    out = {}
    for d in developers:
        for p in partners:
            if not violated_rules(developer=d, partner=p, config=config, forbidden=banned):
                score = breakdown(developer=d, partner=p, config=config).score
                out[(d.id, p.id)] = (p.region, score)
    return out


def brute_force(
    edges: Mapping[tuple[str, str], tuple[str, float]],
    quotas: Mapping[str, int],
    *,
    required: Iterable[tuple[str, str]] = (),
    priority: Iterable[str] = (),
) -> tuple[int, int, float]:
    """Return the best (priority places, places filled, total score) over every matching.

    A matching of ``edges`` uses each person at most once, holds every ``required`` pair, and
    puts no more than ``quotas[region]`` pairs in a region (regions not named want none);
    matchings compare on pairs in ``priority`` regions, then pairs, then total score (the
    documented objective when every quota is an exact target). Exhaustive: for instances of
    a handful of people a side only.
    """
    prio = set(priority)
    must = list(required)
    used_d = {d for d, _ in must}
    used_p = {p for _, p in must}
    count: dict[str, int] = {}
    base_score = 0.0
    for pair in must:
        region, score = edges[pair]
        count[region] = count.get(region, 0) + 1
        base_score += score
    by_dev: dict[str, list[tuple[str, str, float]]] = {}
    for (d, p), (region, score) in sorted(edges.items()):
        if d not in used_d and p not in used_p:
            by_dev.setdefault(d, []).append((p, region, score))
    devs = sorted(by_dev)
    base_prio = sum(n for r, n in count.items() if r in prio)
    best = (base_prio, len(must), base_score)

    def better(a: tuple[int, int, float], b: tuple[int, int, float]) -> bool:
        return a[:2] > b[:2] or (a[:2] == b[:2] and a[2] > b[2] + 1e-9)

    def visit(i: int, taken: set[str], state: tuple[int, int, float]) -> None:
        nonlocal best
        if better(state, best):
            best = state
        if i == len(devs):
            return
        visit(i + 1, taken, state)
        for p, region, score in by_dev[devs[i]]:
            if p in taken or count.get(region, 0) >= quotas.get(region, 0):
                continue
            taken.add(p)
            count[region] = count.get(region, 0) + 1
            visit(
                i + 1,
                taken,
                (state[0] + (region in prio), state[1] + 1, state[2] + score),
            )
            count[region] -= 1
            taken.discard(p)

    visit(0, set(), best)
    return best


# -- random small instances ------------------------------------------------------------------

_PROVINCES = {
    "MA-06": ["06.141", MOHAMMADIA, SETTAT, EL_JADIDA],
    "MA-04": [RABAT, KENITRA],
}
_SKILLS = ["web", "seo", "mobile", "payments", "photography"]
_LANGS = ["ary", "fr", "ar", "en", "zgh"]


def random_instance(rng: random.Random, folder: Path) -> tuple[Path, dict[str, int], list[str]]:
    """Write a random instance (2–6 people a side, one or two regions, quotas 1–3).

    Return the folder, the quotas per region and the priority regions.
    """
    regions = rng.sample(sorted(_PROVINCES), rng.choice([1, 2]))
    n_dev, n_par = rng.randint(2, 6), rng.randint(2, 6)

    def where() -> tuple[str, str]:
        region = rng.choice(regions)
        return region, rng.choice(_PROVINCES[region])

    devs = []
    for i in range(n_dev):
        region, province = where()
        devs.append(
            dev(
                f"D{i}",
                region=region,
                province=province,
                skills=";".join(rng.sample(_SKILLS, rng.randint(1, 3))),
                languages=";".join(rng.sample(_LANGS[:3], rng.randint(1, 2))),
                sectors=rng.choice(["", "pottery", "olive-oil", "pottery;textiles"]),
                availability_hours=rng.choice(["", "5", "10", "20", "40"]),
                mobility=rng.choice(["local", "region", "region", "remote", "remote"]),
                gender=rng.choice(["female", "male"]),
            )
        )
    pars = []
    for j in range(n_par):
        region, province = where()
        pars.append(
            par(
                f"P{j}",
                region=region,
                province=province,
                kind=rng.choice(["artisan", "farmer", "merchant"]),
                sector=rng.choice(["pottery", "olive-oil", "textiles"]),
                needs=";".join(rng.sample(_SKILLS, rng.randint(0, 2))),
                languages=";".join(rng.sample(_LANGS, rng.randint(1, 3))),
                availability_hours=rng.choice(["", "5", "10", "20"]),
            )
        )
    quotas = {r: rng.randint(1, 3) for r in regions}
    priority = [r for r in regions if rng.random() < 0.3]
    rules = {
        "min_score": rng.choice([0, 30, 50]),
        "max_distance_km": rng.choice([60, 120, 250]),
        "cross_region": rng.choice(["never", "remote-only", "always"]),
        "cross_region_penalty": rng.choice([0, 15]),
        "require_shared_language": rng.random() < 0.8,
    }
    write_instance(folder, devs, pars, config_toml(quotas, priority=priority, rules=rules))
    return folder, quotas, priority


def all_ids(rows: Iterable[Mapping[str, str]], key: str) -> list[str]:
    """Return the values of one column."""
    return [r[key] for r in rows]


__all__ = [
    "CASABLANCA",
    "EL_JADIDA",
    "KENITRA",
    "MOHAMMADIA",
    "RABAT",
    "SETTAT",
    "all_ids",
    "allowed_pairs",
    "brute_force",
    "cli",
    "config_toml",
    "dev",
    "load",
    "par",
    "random_instance",
    "read_csv",
    "write_instance",
    "write_pairs_file",
]
