"""Run a whole match without the CLI: load → score → solve → result."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from operator import attrgetter
from pathlib import Path

import numpy as np
import numpy.typing as npt

from matcher.config import MatcherConfig
from matcher.dataset import load_dataset
from matcher.diagnosis import MILP_PROBE_LIMIT, Finding, Fix, diagnose
from matcher.edges import EdgeSet, build_edges
from matcher.errors import InputError, Problem, ProblemLog
from matcher.i18n import N_, _
from matcher.models import Dataset, Developer, Partner, SourceFile
from matcher.pairs_file import PairRow
from matcher.progress import ProgressCallback, report
from matcher.reference import REGIONS, get_region
from matcher.scoring import Breakdown, breakdown
from matcher.solver import AssignmentProblem, RegionSpec, Solution, solve
from matcher.specs import assignment_problem, group_caps, region_specs
from matcher.tuning import collection_paused
from matcher.unpaired import Unpaired as Unpaired  # re-exported for outputs and rematch
from matcher.unpaired import unpaired_people

_REGION = attrgetter("region")

REASONS: dict[str, str] = {
    "no_compatible_partner": N_("no partner in reach passes the rules"),
    "no_compatible_developer": N_("no developer in reach passes the rules"),
    "quota_full": N_("compatible counterparts were left, but the region's quota was full"),
    "outscored": N_("every compatible counterpart was paired with someone else"),
    "excluded_by_rule": N_("a mix rule (places per kind, share of women) left no place"),
    "dropped": N_("left the programme (removed by rematch)"),
}


@dataclass(frozen=True)
class Pair:
    """One formed binôme; it belongs to the partner's region."""

    region: str
    developer: Developer
    partner: Partner
    breakdown: Breakdown
    locked: bool


@dataclass(frozen=True)
class RegionReport:
    """How one region fared: its quota, what was filled, and why any shortfall."""

    code: str
    name: str
    min: int
    max: int
    priority: bool
    developers: int
    partners: int
    filled: int
    mean_score: float | None
    lowest_score: float | None
    shortfall: int
    diagnosis: str | None
    relaxations: tuple[tuple[str, int], ...] = ()  # (rule, places filled) of each relaxation
    fix: Fix | None = None  # the smallest change to the config that fills the region
    helps: tuple[Fix, ...] = ()  # every single relaxation that fills more


@dataclass(frozen=True)
class Optimality:
    """What the solver proved about the chosen pairing."""

    method: str
    optimal: bool
    priority_filled: int
    min_filled: int
    filled: int
    total_score: float
    bound: float
    gap: float


@dataclass
class Instance:
    """A scored, indexed problem ready for the solver (kept for explain and rematch)."""

    developers: list[Developer]
    partners: list[Partner]
    config: MatcherConfig
    dev_index: dict[str, int]
    par_index: dict[str, int]
    region_index: dict[str, int]
    specs: tuple[RegionSpec, ...]
    edges: EdgeSet
    problem: AssignmentProblem
    forbidden: frozenset[tuple[str, str]]
    locks: tuple[tuple[int, int], ...]


@dataclass
class MatchResult:
    """Everything a run decided, ready to render or write."""

    pairs: list[Pair]
    unpaired: list[Unpaired]
    regions: list[RegionReport]
    optimality: Optimality
    config: MatcherConfig
    warnings: list[Problem] = field(default_factory=list)
    sources: list[SourceFile] = field(default_factory=list)

    @property
    def shortfalls(self) -> list[RegionReport]:
        """Return the regions that miss their target (or their min)."""
        return [r for r in self.regions if r.shortfall > 0]


def resolve_pairs(
    rows: Iterable[PairRow],
    *,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    role: str,
) -> list[tuple[str, str]]:
    """Check that every pair names known people; raise InputError listing every bad row."""
    dev_ids = {d.id for d in developers}
    par_ids = {p.id for p in partners}
    log = ProblemLog()
    out: list[tuple[str, str]] = []
    seen_dev: dict[str, int] = {}
    seen_par: dict[str, int] = {}
    for row in rows:
        ok = True
        if row.developer_id not in dev_ids:
            log.error(
                row.file,
                row.row,
                "developer_id",
                _("no developer has id {developer_id}").format(developer_id=row.developer_id),
                _("check the id against the developers file"),
                code="unknown_id",
            )
            ok = False
        if row.partner_id not in par_ids:
            log.error(
                row.file,
                row.row,
                "partner_id",
                _("no partner has id {partner_id}").format(partner_id=row.partner_id),
                _("check the id against the partners file"),
                code="unknown_id",
            )
            ok = False
        if ok and role == "lock":
            for ident, seen, col in (
                (row.developer_id, seen_dev, "developer_id"),
                (row.partner_id, seen_par, "partner_id"),
            ):
                if ident in seen:
                    log.error(
                        row.file,
                        row.row,
                        col,
                        _("{ident} is already locked on row {seen}").format(
                            ident=ident, seen=seen[ident]
                        ),
                        _("a person can be locked into one pair only"),
                        code="duplicate",
                    )
                    ok = False
                else:
                    seen[ident] = row.row
        if ok:
            out.append((row.developer_id, row.partner_id))
    log.raise_if_errors(_("the {role} list is invalid").format(role=role))
    return sorted(set(out))


def build_instance(
    dataset: Dataset,
    config: MatcherConfig,
    *,
    locks: Sequence[tuple[str, str]] = (),
    forbid: Iterable[tuple[str, str]] = (),
    progress: ProgressCallback | None = None,
) -> Instance:
    """Index the profiles, score every allowed pair and set up the solver's problem."""
    developers = sorted(dataset.developers, key=lambda d: d.id)
    partners = sorted(dataset.partners, key=lambda p: p.id)
    dev_index = {d.id: i for i, d in enumerate(developers)}
    par_index = {p.id: i for i, p in enumerate(partners)}
    forbidden = frozenset(forbid)
    clash = sorted(set(locks) & forbidden)
    if clash:
        raise InputError(
            _("a pair is both locked and forbidden"),
            [
                Problem(
                    None,
                    None,
                    None,
                    _("the pair {d} + {p} is both locked and forbidden").format(d=d, p=p),
                    _("remove it from one of the two lists"),
                    code="lock_forbidden",
                )
                for d, p in clash
            ],
        )
    region_index = {r.code: i for i, r in enumerate(REGIONS)}
    specs = region_specs(config)
    lock_idx = tuple(sorted((dev_index[d], par_index[p]) for d, p in locks))
    edges = build_edges(
        developers=developers,
        partners=partners,
        config=config,
        region_index=region_index,
        group_cap=group_caps(specs),
        specs=specs,
        forbidden=forbidden,
        locks=lock_idx,
        progress=progress,
    )
    problem = assignment_problem(
        developers=developers,
        partners=partners,
        region_index=region_index,
        specs=specs,
        edge_dev=edges.dev,
        edge_par=edges.par,
        edge_score=edges.score,
        locked=edges.locked,
    )
    return Instance(
        developers,
        partners,
        config,
        dev_index,
        par_index,
        region_index,
        specs,
        edges,
        problem,
        forbidden,
        lock_idx,
    )


def pair_flags(
    instance: Instance, pairs: Iterable[tuple[str, str]]
) -> npt.NDArray[np.bool_] | None:
    """Return one flag per edge of ``instance``: is it one of ``pairs`` (developer id, partner id).

    Pairs naming someone absent or with no edge (no longer allowed) are ignored, as no
    pairing could hold them; None when no pair is flagged.
    """
    n_par = len(instance.partners)
    wanted = [
        instance.dev_index[d] * n_par + instance.par_index[p]
        for d, p in pairs
        if d in instance.dev_index and p in instance.par_index
    ]
    if not wanted:
        return None
    keys = instance.edges.dev * n_par + instance.edges.par
    flags: npt.NDArray[np.bool_] = np.isin(keys, np.array(wanted, dtype=np.int64))
    return flags if bool(flags.any()) else None


def solve_instance(instance: Instance, *, prefer: npt.NDArray[np.bool_] | None = None) -> Solution:
    """Solve the instance exactly, naming regions in any error about locks.

    ``prefer`` (one flag per edge, see pair_flags) picks, among the optimal pairings, one
    holding the most flagged edges.
    """
    from matcher.solver import InfeasibleLocksError

    try:
        return solve(instance.problem, prefer=prefer)
    except InfeasibleLocksError as exc:
        text = str(exc)
        for code, i in instance.region_index.items():
            text = text.replace(f"region {i} ", f"{get_region(code).name} ")
        raise InputError(
            _("the locked pairs cannot all be kept"),
            [
                Problem(
                    None,
                    None,
                    None,
                    text,
                    _("remove some locks or raise the quota"),
                    code="infeasible_locks",
                )
            ],
        ) from None


def run_match(
    dataset: Dataset,
    config: MatcherConfig,
    *,
    locks: Sequence[tuple[str, str]] = (),
    forbid: Iterable[tuple[str, str]] = (),
    diagnose: bool = True,
    prefer_pairs: Iterable[tuple[str, str]] = (),
    progress: ProgressCallback | None = None,
) -> MatchResult:
    """Form the optimal pairs for a dataset and explain every shortfall and unpaired person.

    Among the optimal pairings, the one keeping the most of ``prefer_pairs`` (developer id,
    partner id) is chosen, e.g. a previous result's pairs, so that a re-solve moves as few
    of them as the optimum allows.
    """
    instance = build_instance(dataset, config, locks=locks, forbid=forbid, progress=progress)
    report(progress, "solve", 0, 1)
    solution = solve_instance(instance, prefer=pair_flags(instance, prefer_pairs))
    report(progress, "solve", 1, 1)
    report(progress, "explain", 0, 1)
    result = assemble(instance, solution)
    report(progress, "explain", 1, 1)
    if diagnose and result.shortfalls:
        report(progress, "diagnose", 0, 1)
        result.regions = diagnose_result(instance, solution, result)
        report(progress, "diagnose", 1, 1)
    result.warnings = list(dataset.warnings)
    result.sources = list(dataset.sources)
    return result


def check_quotas(
    dataset: Dataset,
    config: MatcherConfig,
    *,
    locks: Sequence[tuple[str, str]] = (),
    forbid: Iterable[tuple[str, str]] = (),
    diagnose: bool = False,
    progress: ProgressCallback | None = None,
) -> list[RegionReport]:
    """Return how many pairs each region can form, from one solve (what ``validate`` shows).

    Nobody's reason for being unpaired is worked out, so this is cheaper than run_match;
    with ``diagnose``, shortfalls get the diagnosis run_match would give them.
    """
    instance = build_instance(dataset, config, locks=locks, forbid=forbid, progress=progress)
    report(progress, "solve", 0, 1)
    solution = solve_instance(instance)
    report(progress, "solve", 1, 1)
    scores: dict[str, list[float]] = {}
    for e in solution.edges.tolist():
        region = instance.partners[int(instance.edges.par[e])].region
        scores.setdefault(region, []).append(float(instance.edges.score[e]))
    regions = []
    for region_report in _region_reports(instance, []):
        got = scores.get(region_report.code, [])
        need = region_report.min if region_report.min < region_report.max else region_report.max
        regions.append(
            replace(
                region_report,
                filled=len(got),
                mean_score=round(sum(got) / len(got), 2) if got else None,
                lowest_score=round(min(got), 2) if got else None,
                shortfall=max(0, need - len(got)),
            )
        )
    if not diagnose or not any(r.shortfall for r in regions):
        return regions
    opt = Optimality(solution.method, solution.optimal, 0, 0, 0, 0.0, 0.0, 0.0)
    return diagnose_result(instance, solution, MatchResult([], [], regions, opt, config))


def shortfall_findings(
    instance: Instance,
    solution: Solution,
    result: MatchResult,
    *,
    workers: int | None = None,
    exact_only: bool = False,
    milp_limit: int | None = MILP_PROBE_LIMIT,
) -> dict[str, Finding]:
    """Return the finding of each short region of the result (matcher.diagnosis.diagnose)."""
    e = solution.edges
    return diagnose(
        developers=instance.developers,
        partners=instance.partners,
        config=instance.config,
        region_index=instance.region_index,
        forbidden=instance.forbidden,
        locks=instance.locks,
        paired=list(
            zip(instance.edges.dev[e].tolist(), instance.edges.par[e].tolist(), strict=True)
        ),
        filled={r.code: r.filled for r in result.regions},
        short=[r.code for r in result.shortfalls],
        workers=workers,
        exact_only=exact_only,
        milp_limit=milp_limit,
    )


def diagnose_result(
    instance: Instance, solution: Solution, result: MatchResult
) -> list[RegionReport]:
    """Return the result's region reports with the diagnosis of every shortfall."""
    findings = shortfall_findings(instance, solution, result)
    out = []
    for region_report in result.regions:
        found = findings.get(region_report.code)
        if found is None:
            out.append(region_report)
            continue
        out.append(
            replace(
                region_report,
                diagnosis=found.text,
                relaxations=tuple((fix.rule, fix.filled) for fix in found.helps),
                fix=found.fix,
                helps=found.helps,
            )
        )
    return out


def assemble(instance: Instance, solution: Solution) -> MatchResult:
    """Turn a solver solution into pairs, unpaired people and region reports."""
    devs, pars, config = instance.developers, instance.partners, instance.config
    lock_set = set(instance.locks)
    pairs: list[Pair] = []
    dev_pair: dict[int, int] = {}
    par_pair: dict[int, int] = {}
    for e in solution.edges.tolist():
        d, p = int(instance.edges.dev[e]), int(instance.edges.par[e])
        dev_pair[d], par_pair[p] = p, d
        pairs.append(
            Pair(
                pars[p].region,
                devs[d],
                pars[p],
                breakdown(developer=devs[d], partner=pars[p], config=config),
                (d, p) in lock_set,
            )
        )
    pairs.sort(key=lambda x: (x.region, x.partner.id))
    filled = Counter(p.region for p in pairs)
    regions = _region_reports(instance, pairs)
    with collection_paused():  # a reason for each of up to 120,000 people, and no cycle
        unpaired = unpaired_people(
            developers=devs,
            partners=pars,
            config=config,
            edges=instance.edges,
            forbidden=instance.forbidden,
            dev_pair=dev_pair,
            par_pair=par_pair,
            caps={r.code: s.max for r, s in zip(REGIONS, instance.specs, strict=True)},
            filled=filled,
            specs=instance.specs,
        )
    opt = Optimality(
        method=solution.method,
        optimal=solution.optimal,
        priority_filled=int(solution.priority_filled),
        min_filled=int(solution.min_filled),
        filled=len(pairs),
        total_score=round(sum(p.breakdown.score for p in pairs), 6),
        bound=float(solution.bound),
        gap=float(solution.gap),
    )
    return MatchResult(pairs, unpaired, regions, opt, config)


def _region_reports(instance: Instance, pairs: Sequence[Pair]) -> list[RegionReport]:
    n_dev = Counter(map(_REGION, instance.developers))
    n_par = Counter(map(_REGION, instance.partners))
    reports = []
    for region, spec in zip(REGIONS, instance.specs, strict=True):
        scores = [p.breakdown.score for p in pairs if p.region == region.code]
        need = spec.min if spec.min < spec.max else spec.max
        reports.append(
            RegionReport(
                code=region.code,
                name=region.name,
                min=spec.min,
                max=spec.max,
                priority=spec.priority,
                developers=n_dev[region.code],
                partners=n_par[region.code],
                filled=len(scores),
                mean_score=round(sum(scores) / len(scores), 2) if scores else None,
                lowest_score=round(min(scores), 2) if scores else None,
                shortfall=max(0, need - len(scores)),
                diagnosis=None,
            )
        )
    return reports


def load_run_inputs(
    *,
    developers: Path,
    partners: Path,
    config_path: Path | None,
    lock_path: Path | None = None,
    forbid_path: Path | None = None,
    sheet: str | None = None,
    encoding: str | None = None,
    progress: ProgressCallback | None = None,
) -> tuple[Dataset, MatcherConfig, list[tuple[str, str]], list[tuple[str, str]]]:
    """Load the profiles, the config and the lock/forbid lists named by a run.

    Each file is hashed from the very bytes that were parsed, so a file edited while the run
    loads is recorded as the run saw it.
    """
    from matcher.config import read_config
    from matcher.pairs_file import read_pair_list

    config, config_sha = read_config(config_path)
    dataset = load_dataset(developers, partners, sheet=sheet, encoding=encoding, progress=progress)
    if config_path is not None and config_sha is not None:
        dataset.sources.append(SourceFile("config", str(config_path.resolve()), config_sha))
    locks: list[tuple[str, str]] = []
    forbid: list[tuple[str, str]] = []
    for role, path in (
        ("lock", lock_path or config.rules.locks),
        ("forbid", forbid_path or config.rules.forbid),
    ):
        if path is None:
            continue
        listed = read_pair_list(Path(path), role=role)
        pairs = resolve_pairs(
            listed.rows, developers=dataset.developers, partners=dataset.partners, role=role
        )
        dataset.sources.append(
            SourceFile(
                "locks" if role == "lock" else "forbid",
                str(Path(path).resolve()),
                listed.sha256,
            )
        )
        (locks if role == "lock" else forbid).extend(pairs)
    return dataset, config, locks, forbid
