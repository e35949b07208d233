"""The dispatcher: check locks, prune, split into components, solve each, merge."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import replace
from typing import Literal

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from matcher.solver.assignment import (
    MAX_DENSE_CELLS,
    assignment_size,
    prune_cardinality,
    solve_cardinality,
)
from matcher.solver.flow import ComponentProblem, ComponentResult, solve_flow
from matcher.solver.network import solve_network
from matcher.solver.problem import (
    AssignmentProblem,
    InfeasibleLocksError,
    InvalidProblemError,
    MilpTooLargeError,
    Solution,
    SolverError,
    kinds_ok,
    women_share_ok,
    women_share_regions,
)
from matcher.solver.prune import (
    distinct_codes,
    prune_developer_side,
    prune_group_top,
    prune_partner_side,
)

Method = Literal["auto", "assignment", "milp"]
_METHOD_RANK = {"assignment": 0, "flow": 1, "milp": 2}
# _prune repeats the group pruning while a pass removes at least 1/_GROUP_PASS_GAIN of the edges.
_GROUP_PASS_GAIN = 20


def solve(
    problem: AssignmentProblem,
    *,
    method: Method = "auto",
    prune: bool = True,
    prefer: npt.NDArray[np.bool_] | None = None,
    progress: Callable[[int, int], None] | None = None,
    milp_edge_limit: int | None = None,
) -> Solution:
    """Return an optimal pairing: priority fill, then min fill, then fill, then score.

    ``milp_edge_limit``: a component that needs HiGHS (``method="auto"``) with more edges
    than this raises MilpTooLargeError instead of being solved (the diagnosis bounds its
    probes so).

    ``method="auto"`` solves every component as an exact min-cost flow with OR-Tools
    (matcher.solver.network; reported as "flow"); a component with a women share whose flow
    optimum breaks the share, or whose costs cannot fit int64, goes to HiGHS (reported as
    "milp"). ``"assignment"`` uses the dense assignment path on every single-region
    component with no kind mix, no women share and no preferred edge (whatever its size),
    and HiGHS elsewhere; ``"milp"`` uses HiGHS everywhere. The method reported is the
    heaviest used: milp > flow > assignment. ``prune=False`` turns the exact prunings off
    (for testing them). Raises InfeasibleLocksError when the locks cannot all be kept.

    ``prefer`` (one flag per edge) adds a fifth tier: among the pairings optimal for the
    four tiers, one with the most flagged edges (e.g. the previous result's pairs, so that
    a re-solve moves as few of them as the optimum allows). In the flow it is the lowest
    digit of an exact integer objective (matcher.solver.network), in HiGHS its own stage
    after the score (matcher.solver.flow); never a bonus on scores, so it never costs
    score. A component holding a flagged edge skips the assignment fast path, and the
    prunings keep every flagged edge (see _prune).

    ``progress``, when given, is called as ``progress(done, total)`` after each group of
    linked regions is solved (``total`` groups), e.g. to drive a progress display.
    """
    problem.validate()
    flags = _prefer_flags(problem, prefer)
    locked = np.unique(problem.locked).astype(np.int64)
    _check_locks(problem, locked)
    if not problem.regions:
        return _finish(problem, np.zeros(0, dtype=np.int64), locked, 0.0, True, 0, flags)
    edge_region = problem.par_region[problem.edge_par]
    keep = _prune(problem, locked, edge_region, enabled=prune, prefer=flags)
    comp_of_region = _components(problem, keep, edge_region)

    chosen: list[npt.NDArray[np.int64]] = []
    gap = 0.0
    optimal = True
    # the method reported when no component needs solving: the one asked for
    rank = _METHOD_RANK["flow" if method == "auto" else method]
    n_comp = int(comp_of_region.max()) + 1 if comp_of_region.shape[0] else 0
    edge_comp = comp_of_region[edge_region[keep]]
    kept = np.flatnonzero(keep)
    order = np.argsort(edge_comp, kind="stable")
    bounds = np.searchsorted(edge_comp[order], np.arange(n_comp + 1))
    for c in range(n_comp):
        edges = kept[order[bounds[c] : bounds[c + 1]]]
        if edges.shape[0] == 0:
            if progress is not None:
                progress(c + 1, n_comp)
            continue
        region_ids = tuple(int(r) for r in np.flatnonzero(comp_of_region == c))
        result, local_edges = _solve_component(
            problem, edges, region_ids, locked, method, prune, flags, milp_edge_limit
        )
        chosen.append(local_edges[result.edges])
        if progress is not None:
            progress(c + 1, n_comp)
        gap += result.gap
        optimal = optimal and result.optimal
        rank = max(rank, _METHOD_RANK[result.method])

    all_chosen = np.sort(np.concatenate(chosen)) if chosen else np.zeros(0, dtype=np.int64)
    return _finish(problem, all_chosen.astype(np.int64), locked, gap, optimal, rank, flags)


def _prefer_flags(
    problem: AssignmentProblem, prefer: npt.NDArray[np.bool_] | None
) -> npt.NDArray[np.bool_] | None:
    """Return ``prefer`` as a checked boolean array, or None when nothing is flagged."""
    if prefer is None:
        return None
    flags = np.asarray(prefer)
    if flags.ndim != 1 or flags.shape[0] != problem.n_edges:
        raise InvalidProblemError(
            f"prefer must hold one flag per edge ({problem.n_edges}), got shape {flags.shape}"
        )
    if flags.dtype != np.bool_:
        raise InvalidProblemError(f"prefer must be a boolean array, got {flags.dtype}")
    return flags if bool(flags.any()) else None


def _check_locks(problem: AssignmentProblem, locked: npt.NDArray[np.int64]) -> None:
    """Raise InfeasibleLocksError when locks break a rule that more pairs cannot repair."""
    if locked.shape[0] == 0:
        return
    l_dev = problem.edge_dev[locked]
    l_par = problem.edge_par[locked]
    l_region = problem.par_region[l_par]
    for ends, who in ((l_dev, "developer"), (l_par, "partner")):
        values, counts = np.unique(ends, return_counts=True)
        if (counts > 1).any():
            twice = int(values[np.argmax(counts > 1)])
            region = int(l_region[np.argmax(ends == twice)])
            raise InfeasibleLocksError(
                f"region {region}: {who} {twice} is in more than one locked pair",
                region=region,
                rule=f"duplicate_{who}",
            )
    n_k = problem.n_kinds
    counts = np.bincount(
        l_region * n_k + problem.par_kind[l_par], minlength=len(problem.regions) * n_k
    ).reshape(len(problem.regions), n_k)
    for r, spec in enumerate(problem.regions):
        row = [int(c) for c in counts[r]]
        broken = kinds_ok(row, spec)
        if broken == "quota":
            raise InfeasibleLocksError(
                f"region {r}: {sum(row)} locked pairs exceed the quota of {spec.max}",
                region=r,
                rule="quota",
            )
        if broken == "max_per_kind":
            kind = next(
                k
                for k, c in enumerate(row)
                if k < len(spec.max_per_kind)
                and (lim := spec.max_per_kind[k]) is not None
                and c > lim
            )
            raise InfeasibleLocksError(
                f"region {r}: {row[kind]} locked pairs of kind {kind} exceed its maximum of "
                f"{spec.max_per_kind[kind]}",
                region=r,
                rule="max_per_kind",
                kind=kind,
            )
        if broken == "min_per_kind":
            raise InfeasibleLocksError(
                f"region {r}: the locked pairs take places reserved for other kinds "
                f"({spec.free_places()} places are not reserved)",
                region=r,
                rule="min_per_kind",
            )


def _prune(
    problem: AssignmentProblem,
    locked: npt.NDArray[np.int64],
    edge_region: npt.NDArray[np.int64],
    *,
    enabled: bool,
    prefer: npt.NDArray[np.bool_] | None = None,
) -> npt.NDArray[np.bool_]:
    """Return the edges worth keeping: usable ones, then the exact prunings when enabled.

    An edge of a (region, kind) that no valid pairing can use (cap 0) is dropped outright;
    a locked one there was already rejected by _check_locks, and a preferred one is in no
    valid pairing, so dropping it changes no tier.

    With ``prefer`` every usable preferred edge is protected like a lock (passed in the
    prunings' ``locked`` masks). Why the prunings stay exact for the fifth tier: each proof
    in matcher.solver.prune takes an optimum M with an edge e outside the kept set and
    builds M' = M − e + f (f kept) with the same fill tiers and a score not lower; the
    protected edges are kept, so e is not preferred, and M' holds at least as many
    preferred edges as M (f may or may not be one). The proofs use the ``locked`` mask only
    to know that e is outside it, and find f's free end by counting M's pairs against the
    cap, which protected edges do not change; so they hold word for word with more edges
    protected. Hence a tier-1–5 optimum stays one after each exchange, and repeating ends
    with a tier-1–5 optimum inside the kept edges. (The heaviest-edge pruning of the fast
    path needs every vertex to have at most k edges, which protected edges could break;
    components with a preferred edge never take that path, see _solve_component.)

    After the developer-side and partner-side prunings, the group top-t pruning
    (prune_group_top) runs in passes, each on the edges the previous steps kept and with K
    from their components: every proof holds for any edge set, so each pass is exact, and
    it counts its degrees in the edges it is given, protected ones included. Components
    with a women-share region skip it (see _prune_groups).
    """
    n_r, n_k = len(problem.regions), problem.n_kinds
    mixed = np.array([s.has_kind_rules(n_k) for s in problem.regions], dtype=np.bool_)
    group_cap = np.zeros(n_r * n_k, dtype=np.int64)
    for r, spec in enumerate(problem.regions):
        if mixed[r]:
            group_cap[r * n_k : (r + 1) * n_k] = [spec.kind_cap(k) for k in range(n_k)]
        else:
            group_cap[r * n_k] = spec.max
    # A region without a kind rule is one group: any of its partners may replace another.
    par_group = problem.par_region * n_k + np.where(mixed[problem.par_region], problem.par_kind, 0)
    edge_group = par_group[problem.edge_par]
    keep = group_cap[edge_group] > 0
    keep[locked] = True
    if not enabled:
        return keep
    # locks and usable preferred edges, all inside ``keep`` (the searchsorted maps need it)
    protect = locked if prefer is None else np.union1d(locked, np.flatnonzero(prefer & keep))
    if keep.all():
        # the common case: no copies of the (possibly huge) edge arrays
        sub = prune_developer_side(
            problem.edge_dev, edge_group, problem.edge_score, group_cap, locked=protect
        )
        keep &= sub
    else:
        idx = np.flatnonzero(keep)
        sub = prune_developer_side(
            problem.edge_dev[idx],
            edge_group[idx],
            problem.edge_score[idx],
            group_cap,
            locked=np.searchsorted(idx, protect),
        )
        keep[idx[~sub]] = False
    del edge_group

    comp_of_region, comp_pairs, idx = _component_pairs(problem, keep, edge_region)
    partner_cap = comp_pairs[comp_of_region[problem.par_region]]
    women = women_share_regions(problem.regions)
    edge_class = np.where(
        women[edge_region[idx]], problem.dev_female[problem.edge_dev[idx]].astype(np.int64), 0
    ).astype(np.int64)
    # Developers whose kept edges all lie in one region can only be paired there, so for
    # them the region's own max bounds the pairs (see prune_partner_side's edge_cap).
    dev_regions = np.zeros(problem.n_dev, dtype=np.int64)
    np.add.at(dev_regions, distinct_codes(problem.edge_dev[idx] * n_r + edge_region[idx]) // n_r, 1)
    single = dev_regions[problem.edge_dev[idx]] == 1
    region_max = np.array([s.max for s in problem.regions], dtype=np.int64)
    edge_class = edge_class * 2 + single
    edge_cap = np.where(
        single,
        np.minimum(region_max[edge_region[idx]], partner_cap[problem.edge_par[idx]]),
        partner_cap[problem.edge_par[idx]],
    )
    sub = prune_partner_side(
        problem.edge_par[idx],
        edge_class,
        problem.edge_score[idx],
        partner_cap,
        locked=np.searchsorted(idx, protect),
        edge_cap=edge_cap,
    )
    keep[idx[~sub]] = False
    del edge_class, edge_cap, single
    # Each pass lowers the degrees, hence the next pass's t, and may split components
    # (smaller K); stop once a pass removes under 1/20 of the edges.
    while True:
        before = int(np.count_nonzero(keep))
        _prune_groups(
            problem, keep, edge_region, par_group=par_group, group_cap=group_cap, protect=protect
        )
        removed = before - int(np.count_nonzero(keep))
        if removed == 0 or removed * _GROUP_PASS_GAIN < before:
            return keep


def _component_pairs(
    problem: AssignmentProblem, keep: npt.NDArray[np.bool_], edge_region: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return each region's component, a bound on each component's pairs, and the kept edges.

    A component holds at most the sum of its regions' maxima, and at most as many pairs as
    developers have a kept edge into it.
    """
    comp_of_region = _components(problem, keep, edge_region)
    n_comp = int(comp_of_region.max()) + 1
    comp_cap = np.zeros(n_comp, dtype=np.int64)
    np.add.at(comp_cap, comp_of_region, [s.max for s in problem.regions])
    idx = np.flatnonzero(keep)
    comp_devs = np.zeros(n_comp, dtype=np.int64)
    dev_comp = (
        distinct_codes(problem.edge_dev[idx] * n_comp + comp_of_region[edge_region[idx]]) % n_comp
    )
    np.add.at(comp_devs, dev_comp, 1)
    return comp_of_region, np.minimum(comp_cap, comp_devs), idx


def _prune_groups(
    problem: AssignmentProblem,
    keep: npt.NDArray[np.bool_],
    edge_region: npt.NDArray[np.int64],
    *,
    par_group: npt.NDArray[np.int64],
    group_cap: npt.NDArray[np.int64],
    protect: npt.NDArray[np.int64],
) -> None:
    """Apply prune_group_top to the kept edges, in place (K from their components).

    The side prunings leave every remote developer's edges, which link all regions into one
    component; this one bounds each group's edges by the pairs of that component instead.

    In a women-share region the developer's gender is the class. (The flow solves such a
    component without the share; which tied optimum it returns once decided whether HiGHS
    had to run, 238 s of CPU instead of 6 s at 12,000 x 12,000: _lean_to_women now picks,
    among the tied optima, one with the most women's pairs before HiGHS is called.)
    """
    n_k = problem.n_kinds
    comp_of_region, comp_pairs, idx = _component_pairs(problem, keep, edge_region)
    group_pairs = comp_pairs[comp_of_region[np.arange(group_cap.shape[0]) // n_k]]
    women = women_share_regions(problem.regions)
    i_dev = problem.edge_dev[idx]
    i_par = problem.edge_par[idx]
    sub = prune_group_top(
        i_dev,
        i_par,
        par_group[i_par],
        (women[edge_region[idx]] & problem.dev_female[i_dev]).astype(np.int64),
        problem.edge_score[idx],
        group_cap=group_cap,
        group_pairs=group_pairs,
        locked=np.searchsorted(idx, protect),
    )
    keep[idx[~sub]] = False


def _components(
    problem: AssignmentProblem,
    keep: npt.NDArray[np.bool_],
    edge_region: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Label regions so that regions sharing a developer get the same label.

    Labels are numbered by their smallest region index, so the merge order is deterministic.
    """
    n_r = len(problem.regions)
    if n_r == 0:
        return np.zeros(0, dtype=np.int64)
    idx = np.flatnonzero(keep)
    # bipartite graph regions (0..n_r-1) — developers (n_r..): connected components
    rows = edge_region[idx]
    cols = problem.edge_dev[idx] + n_r
    n = n_r + problem.n_dev
    graph = coo_matrix((np.ones(idx.shape[0], dtype=np.int8), (rows, cols)), shape=(n, n))
    _, labels = connected_components(graph, directed=False)
    region_labels: npt.NDArray[np.int64] = np.asarray(labels[:n_r], dtype=np.int64)
    _, first = np.unique(region_labels, return_index=True)
    renumber = np.empty(int(labels.max()) + 1, dtype=np.int64)
    renumber[region_labels[np.sort(first)]] = np.arange(first.shape[0])
    return renumber[region_labels]


def _solve_component(
    problem: AssignmentProblem,
    edges: npt.NDArray[np.int64],
    region_ids: tuple[int, ...],
    locked: npt.NDArray[np.int64],
    method: Method,
    prune: bool,
    prefer: npt.NDArray[np.bool_] | None = None,
    milp_edge_limit: int | None = None,
) -> tuple[ComponentResult, npt.NDArray[np.int64]]:
    """Solve the component on ``edges``; return its result and the map local → global edge.

    A component with a preferred edge goes to HiGHS, which has the fifth tier; one without
    needs none (every pairing of it keeps 0 preferred edges), so the fast path stays exact.
    """
    specs = tuple(problem.regions[r] for r in region_ids)
    comp_locked = np.intersect1d(edges, locked) if locked.shape[0] else locked
    comp_prefer = None if prefer is None else prefer[edges]
    if comp_prefer is not None and not comp_prefer.any():
        comp_prefer = None
    fast = (
        comp_prefer is None
        and method == "assignment"
        and len(specs) == 1
        and not specs[0].has_kind_rules(problem.n_kinds)
        and specs[0].share_fraction() is None
    )
    if fast and edges.shape[0]:
        l_dev = problem.edge_dev[comp_locked]
        l_par = problem.edge_par[comp_locked]
        free = edges[
            ~np.isin(problem.edge_dev[edges], l_dev) & ~np.isin(problem.edge_par[edges], l_par)
        ]
        k = specs[0].max - comp_locked.shape[0]
        if prune:
            free = free[
                prune_cardinality(
                    problem.edge_dev[free], problem.edge_par[free], problem.edge_score[free], k
                )
            ]
        _, side = assignment_size(problem.edge_dev[free], problem.edge_par[free], k)
        if side * side <= MAX_DENSE_CELLS or method == "assignment":
            picked = solve_cardinality(
                problem.edge_dev[free], problem.edge_par[free], problem.edge_score[free], k
            )
            local = np.sort(np.concatenate([comp_locked, free[picked]]))
            every = np.arange(local.shape[0], dtype=np.int64)
            return ComponentResult(every, 0.0, True, "assignment"), local
        # Too large for a dense matrix: HiGHS on the same pruned edges, locks added back.
        edges = np.sort(np.concatenate([comp_locked, free]))

    region_local = np.full(len(problem.regions), -1, dtype=np.int64)
    region_local[list(region_ids)] = np.arange(len(region_ids))
    par = problem.edge_par[edges]
    cp = ComponentProblem(
        edge_dev=problem.edge_dev[edges],
        edge_par=par,
        edge_score=problem.edge_score[edges],
        edge_region=region_local[problem.par_region[par]],
        edge_kind=problem.par_kind[par],
        edge_female=problem.dev_female[problem.edge_dev[edges]],
        regions=specs,
        region_ids=region_ids,
        locked=np.searchsorted(edges, comp_locked).astype(np.int64),
        n_kinds=problem.n_kinds,
        edge_prefer=comp_prefer,
    )
    if method != "auto":
        return solve_flow(cp), edges
    return _solve_exact(cp, milp_edge_limit), edges


def _solve_exact(cp: ComponentProblem, milp_edge_limit: int | None = None) -> ComponentResult:
    """Solve one component with the min-cost flow, and HiGHS only where it must.

    The flow ignores the women share, so its optimum bounds every pairing that meets it:
    when the flow's pairing already meets the share it is the optimum; otherwise HiGHS
    solves the MILP with the flow's fill tiers as its first probe (matcher.solver.flow).
    The flow returns None only when its costs cannot fit int64 (matcher.solver.network).
    """
    relaxed = solve_network(cp)
    if relaxed is None:
        _check_milp_size(cp, milp_edge_limit)
        return solve_flow(cp)
    if cp.is_valid(relaxed.edges):
        return relaxed
    leaning = _lean_to_women(cp)
    if leaning is not None:
        return leaning
    _check_milp_size(cp, milp_edge_limit)
    return solve_flow(cp, upper=cp.tiers(relaxed.edges))


def _check_milp_size(cp: ComponentProblem, limit: int | None) -> None:
    """Raise MilpTooLargeError when the component has more edges than ``limit``."""
    if limit is not None and cp.edge_dev.shape[0] > limit:
        raise MilpTooLargeError(int(cp.edge_dev.shape[0]), limit)


def _lean_to_women(cp: ComponentProblem) -> ComponentResult | None:
    """Return a flow optimum that meets the women share thanks to its ties, or None.

    Many pairings are often optimal (at national size whole regions tie at the best score),
    and the flow returns one of them whatever its women count. Solved again with the
    women's pairs of women-share regions as its lowest tier (the ``prefer`` digit of
    matcher.solver.network, below the score), the flow returns, among the same optima, one
    with the most such pairs. Its first four tiers are the flow's optimum, which bounds
    every pairing that meets the share, so if it meets the share it is the optimum. Not
    tried when the component already has preferred edges (that tier is taken).
    """
    if cp.edge_prefer is not None:
        return None
    women = women_share_regions(cp.regions)
    prefer = cp.edge_female & women[cp.edge_region]
    if not prefer.any():
        return None
    leaning = solve_network(replace(cp, edge_prefer=prefer))
    if leaning is None or not cp.is_valid(leaning.edges):
        return None
    return leaning


def _finish(
    problem: AssignmentProblem,
    chosen: npt.NDArray[np.int64],
    locked: npt.NDArray[np.int64],
    gap: float,
    optimal: bool,
    rank: int,
    prefer: npt.NDArray[np.bool_] | None = None,
) -> Solution:
    """Check the merged pairing against every rule and build the Solution."""
    n_r, n_k = len(problem.regions), problem.n_kinds
    dev = problem.edge_dev[chosen]
    par = problem.edge_par[chosen]
    region = problem.par_region[par]
    broken: list[str] = []
    if np.unique(dev).shape[0] != dev.shape[0] or np.unique(par).shape[0] != par.shape[0]:
        broken.append("not a matching")
    if np.setdiff1d(locked, chosen).shape[0]:
        broken.append("a lock is missing")
    counts = np.bincount(region * n_k + problem.par_kind[par], minlength=n_r * n_k)
    counts = counts.reshape(n_r, n_k)
    female = np.bincount(region[problem.dev_female[dev]], minlength=n_r)
    for r, spec in enumerate(problem.regions):
        row = [int(c) for c in counts[r]]
        if (rule := kinds_ok(row, spec)) is not None:
            broken.append(f"region {r} breaks {rule}")
        if not women_share_ok(int(female[r]), sum(row), spec.share_fraction()):
            broken.append(f"region {r} breaks min_women_share")
    if broken:
        raise SolverError("solver produced an invalid pairing: " + "; ".join(broken))

    filled = counts.sum(axis=1).astype(np.int64)
    score = math.fsum(problem.edge_score[chosen].tolist())
    method = next(name for name, r in _METHOD_RANK.items() if r == rank)
    return Solution(
        edges=chosen,
        filled=filled,
        priority_filled=int(
            sum(int(f) for f, s in zip(filled, problem.regions, strict=True) if s.priority)
        ),
        min_filled=int(
            sum(min(int(f), s.min) for f, s in zip(filled, problem.regions, strict=True))
        ),
        total_score=score,
        bound=score + gap,
        gap=gap,
        method=method,
        optimal=optimal,
        preferred_kept=0 if prefer is None else int(np.count_nonzero(prefer[chosen])),
    )
