"""The exact prunings keep the optimum and really remove edges."""

from __future__ import annotations

import importlib
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_solver_oracle import (
    SCORES,
    SHARES,
    Flags,
    check_against_oracle,
    oracle,
    oracle_prefer,
    problems,
)

import matcher.solver.prune as prune_module
from matcher.compiled import top_per_key
from matcher.solver import (
    AssignmentProblem,
    InfeasibleLocksError,
    RegionSpec,
    prune_developer_side,
    prune_heaviest,
    prune_partner_side,
    solve,
)
from matcher.solver.prune import group_top_count, heaviest_count, prune_group_top

# the package exports the function solve, which hides the module of the same name
solve_module = importlib.import_module("matcher.solver.solve")

SETTINGS = settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])


def restrict(p: AssignmentProblem, mask: npt.NDArray[np.bool_]) -> AssignmentProblem:
    """Return the problem on the kept edges only (locks renumbered)."""
    assert mask[p.locked].all()
    new_index = np.cumsum(mask) - 1
    return AssignmentProblem(
        n_dev=p.n_dev,
        n_par=p.n_par,
        edge_dev=p.edge_dev[mask],
        edge_par=p.edge_par[mask],
        edge_score=p.edge_score[mask],
        par_region=p.par_region,
        par_kind=p.par_kind,
        dev_female=p.dev_female,
        regions=p.regions,
        locked=new_index[p.locked].astype(np.int64),
        n_kinds=p.n_kinds,
    )


def same_optimum(p: AssignmentProblem, q: AssignmentProblem) -> None:
    """Assert the oracle finds the same tiers and score on both problems."""
    a, b = oracle(p), oracle(q)
    if a is None or b is None:
        assert a is b
        return
    assert a[:3] == b[:3]
    assert a[3] == pytest.approx(b[3], abs=1e-9)


def dev_side_mask(p: AssignmentProblem) -> npt.NDArray[np.bool_]:
    """Developer-side pruning with (region, kind) groups and their caps."""
    n_k = p.n_kinds
    caps = np.zeros(len(p.regions) * n_k, dtype=np.int64)
    for r, s in enumerate(p.regions):
        for k in range(n_k):
            caps[r * n_k + k] = s.kind_cap(k)
    group = p.par_region[p.edge_par] * n_k + p.par_kind[p.edge_par]
    return prune_developer_side(p.edge_dev, group, p.edge_score, caps, locked=p.locked)


@SETTINGS
@given(problems())
def test_developer_side_keeps_optimum(p: AssignmentProblem) -> None:
    same_optimum(p, restrict(p, dev_side_mask(p)))


@SETTINGS
@given(problems())
def test_partner_side_keeps_optimum(p: AssignmentProblem) -> None:
    total = sum(s.max for s in p.regions)
    women = np.array([s.share_fraction() is not None for s in p.regions], dtype=np.bool_)
    edge_class = np.where(
        women[p.par_region[p.edge_par]], p.dev_female[p.edge_dev].astype(np.int64), 0
    ).astype(np.int64)
    caps = np.full(p.n_par, total, dtype=np.int64)
    mask = prune_partner_side(p.edge_par, edge_class, p.edge_score, caps, locked=p.locked)
    same_optimum(p, restrict(p, mask))


@SETTINGS
@given(problems(Flags(regions=1, mix=False, women=False)))
def test_heaviest_keeps_optimum(p: AssignmentProblem) -> None:
    p = restrict(p, np.ones(p.n_edges, dtype=np.bool_))
    p = AssignmentProblem(**{**p.__dict__, "locked": np.zeros(0, dtype=np.int64)})
    k = p.regions[0].max
    cap = np.array([k], dtype=np.int64)
    zeros = np.zeros(p.n_edges, dtype=np.int64)
    q = restrict(p, prune_developer_side(p.edge_dev, zeros, p.edge_score, cap))
    zeros = np.zeros(q.n_edges, dtype=np.int64)
    caps = np.full(q.n_par, k, dtype=np.int64)
    q = restrict(q, prune_partner_side(q.edge_par, zeros, q.edge_score, caps))
    q = restrict(q, prune_heaviest(q.edge_score, k))
    same_optimum(p, q)


def random_problem(seed: int, n: int, n_reg: int, features: bool) -> AssignmentProblem:
    """A random instance bigger than the oracle can handle, with remote developers."""
    rng = np.random.default_rng(seed)
    par_region = rng.integers(0, n_reg, n)
    dev_home = rng.integers(0, n_reg, n)
    pairs = [
        (d, p)
        for d in range(n)
        for p in range(n)
        if (par_region[p] == dev_home[d] and rng.random() < 0.6) or rng.random() < 0.05
    ]
    regions = []
    for _ in range(n_reg):
        hi = int(rng.integers(1, 6))
        lo = int(rng.integers(0, hi + 1))
        mix_min: tuple[int, ...] = ()
        mix_max: tuple[int | None, ...] = ()
        share = None
        if features and rng.random() < 0.5:
            first = int(rng.integers(0, 2))
            mix_min = (first, 0, int(rng.integers(0, 2)) if hi > first else 0)
            mix_max = (None, int(rng.integers(0, hi + 1)), None)
        if features and rng.random() < 0.4:
            share = float(rng.choice([0.25, 0.5, 0.6]))
        regions.append(RegionSpec(hi, lo, bool(rng.random() < 0.3), mix_min, mix_max, share))
    scores = np.round(rng.normal(50, 20, len(pairs)), 1)
    return AssignmentProblem(
        n_dev=n,
        n_par=n,
        edge_dev=np.array([d for d, _ in pairs], dtype=np.int64),
        edge_par=np.array([p for _, p in pairs], dtype=np.int64),
        edge_score=scores.astype(np.float64),
        par_region=par_region.astype(np.int64),
        par_kind=rng.integers(0, 3, n).astype(np.int64),
        dev_female=rng.random(n) < 0.4,
        regions=tuple(regions),
        locked=np.array([0], dtype=np.int64)
        if pairs and rng.random() < 0.3
        else np.zeros(0, dtype=np.int64),
    )


@settings(deadline=None, max_examples=40)
@given(
    st.integers(0, 10**6),
    st.integers(8, 25),
    st.integers(1, 4),
    st.booleans(),
    st.sampled_from(["auto", "milp"]),
)
def test_solve_same_with_and_without_pruning(
    seed: int, n: int, n_reg: int, features: bool, method: str
) -> None:
    p = random_problem(seed, n, n_reg, features)
    try:
        pruned = solve(p, method=method)  # type: ignore[arg-type]
    except InfeasibleLocksError:
        with pytest.raises(InfeasibleLocksError):
            solve(p, method=method, prune=False)  # type: ignore[arg-type]
        return
    full = solve(p, method=method, prune=False)  # type: ignore[arg-type]
    assert (pruned.priority_filled, pruned.min_filled) == (full.priority_filled, full.min_filled)
    assert list(pruned.filled) == list(full.filled)
    assert pruned.total_score == pytest.approx(full.total_score, abs=1e-6)


def test_pruning_removes_edges() -> None:
    n, k = 20, 2
    rng = np.random.default_rng(7)
    dev = np.repeat(np.arange(n), n).astype(np.int64)
    par = np.tile(np.arange(n), n).astype(np.int64)
    score = rng.random(n * n)
    zeros = np.zeros(n * n, dtype=np.int64)
    dev_mask = prune_developer_side(dev, zeros, score, np.array([k], dtype=np.int64))
    assert dev_mask.sum() == n * k
    par_mask = prune_partner_side(par, zeros, score, np.full(n, k, dtype=np.int64))
    assert par_mask.sum() == n * k
    both = dev_mask & par_mask
    assert both.sum() < n * k
    assert prune_heaviest(score[both], k).sum() == (k - 1) * (2 * k - 1) + 1


def test_ties_keep_lowest_index_and_locks() -> None:
    dev = np.zeros(5, dtype=np.int64)
    group = np.zeros(5, dtype=np.int64)
    score = np.array([1.0, 2.0, 2.0, 2.0, 0.5])
    mask = prune_developer_side(
        dev, group, score, np.array([2], dtype=np.int64), locked=np.array([4], dtype=np.int64)
    )
    assert list(mask) == [False, True, True, False, True]
    tied = np.array([1.0, 2.0, 2.0, 2.0, 2.0, 2.0])
    assert list(prune_heaviest(tied, 2)) == [False, True, True, True, True, False]


def test_separate_groups_and_caps() -> None:
    dev = np.array([0, 0, 0, 1, 1], dtype=np.int64)
    group = np.array([0, 1, 1, 1, 0], dtype=np.int64)
    score = np.array([3.0, 1.0, 5.0, 4.0, 2.0])
    mask = prune_developer_side(dev, group, score, np.array([0, 1], dtype=np.int64))
    assert list(mask) == [False, False, True, True, False]


@settings(deadline=None, max_examples=100)
@given(st.integers(0, 10**6), st.integers(1, 3000), st.booleans(), st.booleans())
def test_threshold_filter_is_exact(seed: int, n: int, sorted_keys: bool, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    key = rng.integers(0, int(rng.integers(1, 300)), n).astype(np.int64)
    if sorted_keys:
        key = np.sort(key)
    score = rng.integers(0, 4, n).astype(np.float64) if ties else rng.normal(0, 1, n)
    cap = rng.integers(0, 7, int(key.max()) + 1).astype(np.int64)[key]
    exact = np.zeros(n, dtype=np.bool_)
    exact[prune_module._exact_top(key, score, cap)] = True
    candidates = prune_module._candidates(key, score, cap)
    assert candidates is not None
    assert np.all(np.diff(candidates) > 0)
    assert exact[~np.isin(np.arange(n), candidates)].sum() == 0
    with_filter = prune_module._keep_top_per_key(key, score, cap, None)
    old = prune_module._FILTER_FROM
    try:
        prune_module._FILTER_FROM = 1
        assert np.array_equal(prune_module._keep_top_per_key(key, score, cap, None), exact)
    finally:
        prune_module._FILTER_FROM = old
    assert np.array_equal(with_filter, exact)


# --- the group top-t pruning ------------------------------------------------------------------


@st.composite
def crowded_problems(draw: st.DrawFn) -> AssignmentProblem:
    """Draw a small instance with many edges into few places, where the group pruning bites."""
    n_dev = draw(st.sampled_from([7, 6, 5, 4]))
    n_par = draw(st.sampled_from([7, 6, 5, 4]))
    n_reg = draw(st.integers(1, 2))
    n_kinds = 3
    par_region = draw(st.lists(st.integers(0, n_reg - 1), min_size=n_par, max_size=n_par))
    par_kind = draw(st.lists(st.integers(0, 1), min_size=n_par, max_size=n_par))
    female = draw(st.lists(st.booleans(), min_size=n_dev, max_size=n_dev))
    density = draw(st.sampled_from([1.0, 0.8, 0.6]))
    rng = np.random.default_rng(draw(st.integers(0, 2**32 - 1)))
    pairs = [(d, q) for d in range(n_dev) for q in range(n_par) if rng.random() < density]
    scores = [draw(st.sampled_from(SCORES)) for _ in pairs]
    regions = []
    for _ in range(n_reg):
        hi = draw(st.sampled_from([1, 2, 1, 3]))
        min_k: tuple[int, ...] = ()
        max_k: tuple[int | None, ...] = ()
        if draw(st.booleans()):
            min_k = (draw(st.integers(0, 1)), 0, 0)
            max_k = (None, draw(st.integers(0, hi)), None)
        share = draw(st.sampled_from(SHARES))
        regions.append(
            RegionSpec(hi, draw(st.integers(0, hi)), draw(st.booleans()), min_k, max_k, share)
        )
    locks = []
    if pairs and draw(st.integers(0, 3)) == 0:
        locks = [int(rng.integers(0, len(pairs)))]
    return AssignmentProblem(
        n_dev=n_dev,
        n_par=n_par,
        edge_dev=np.array([d for d, _ in pairs], dtype=np.int64),
        edge_par=np.array([q for _, q in pairs], dtype=np.int64),
        edge_score=np.array(scores, dtype=np.float64),
        par_region=np.array(par_region, dtype=np.int64),
        par_kind=np.array(par_kind, dtype=np.int64),
        dev_female=np.array(female, dtype=np.bool_),
        regions=tuple(regions),
        locked=np.array(locks, dtype=np.int64),
        n_kinds=n_kinds,
    )


def group_mask(p: AssignmentProblem, protect: npt.NDArray[np.int64]) -> npt.NDArray[np.bool_]:
    """Group top-t pruning with every region in one component (K = all places)."""
    n_k = p.n_kinds
    caps = np.zeros(len(p.regions) * n_k, dtype=np.int64)
    for r, s in enumerate(p.regions):
        mixed = s.has_kind_rules(n_k)
        for k in range(n_k if mixed else 1):
            caps[r * n_k + k] = s.kind_cap(k) if mixed else s.max
    mixed_par = np.array([p.regions[r].has_kind_rules(n_k) for r in p.par_region], dtype=bool)
    group = p.par_region * n_k + np.where(mixed_par, p.par_kind, 0)
    women = np.array([s.share_fraction() is not None for s in p.regions], dtype=np.bool_)
    region = p.par_region[p.edge_par]
    edge_class = (women[region] & p.dev_female[p.edge_dev]).astype(np.int64)
    pairs = min(sum(s.max for s in p.regions), np.unique(p.edge_dev).shape[0])
    return prune_group_top(
        p.edge_dev,
        p.edge_par,
        group[p.edge_par],
        edge_class,
        p.edge_score,
        group_cap=caps,
        group_pairs=np.full(caps.shape[0], pairs, dtype=np.int64),
        locked=protect,
    )


GROUP_SETTINGS = settings(
    deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow]
)


@GROUP_SETTINGS
@given(crowded_problems())
def test_group_top_keeps_optimum(p: AssignmentProblem) -> None:
    mask = group_mask(p, p.locked)
    assume(not mask.all())
    same_optimum(p, restrict(p, mask))


@GROUP_SETTINGS
@given(crowded_problems(), st.integers(0, 2**32 - 1), st.sampled_from([0.2, 0.5]))
def test_group_top_keeps_preferred_optimum(p: AssignmentProblem, seed: int, share: float) -> None:
    prefer = np.random.default_rng(seed).random(p.n_edges) < share
    mask = group_mask(p, np.union1d(p.locked, np.flatnonzero(prefer)).astype(np.int64))
    assume(not mask.all())
    assert mask[prefer].all()
    q = restrict(p, mask)
    a, b = oracle_prefer(p, prefer), oracle_prefer(q, prefer[mask])
    if a is None or b is None:
        assert a is b
        return
    assert a[0][:3] == b[0][:3]
    assert a[0][3] == pytest.approx(b[0][3], abs=1e-9)
    assert a[1] == b[1]


@GROUP_SETTINGS
@given(crowded_problems(), st.sampled_from(["auto", "milp"]))
def test_solve_with_group_pruning_matches_oracle(p: AssignmentProblem, method: str) -> None:
    check_against_oracle(p, method)


def ints(values: list[int]) -> npt.NDArray[np.int64]:
    """Return ``values`` as an int64 array."""
    return np.array(values, dtype=np.int64)


@pytest.mark.parametrize(
    ("pairs", "cap", "devs", "pars", "t"),
    [
        (1, 1, [5], [5], 1),  # one place: the best edge
        (2, 2, [2, 1, 1], [2, 1, 1], 4),
        (3, 3, [5, 4, 1], [3, 3, 2], 9 + 4 + 1),  # the K − 1 and cap − 1 largest
        (4, 1, [3], [1, 1, 1], 3 + 1 + 1 + 1),  # missing developers count 1 each
        (3, 5, [1, 1], [4], 2 + 3 + 1),  # missing partners count 0
        (0, 5, [3], [3], 0),  # no place in the component
        (4, 0, [3], [3], 0),  # no place in the group
        (4, 2, [], [], 0),  # no edge
    ],
)
def test_group_top_count(pairs: int, cap: int, devs: list[int], pars: list[int], t: int) -> None:
    got = group_top_count(
        pairs=ints([pairs]),
        group_cap=ints([cap]),
        dev_key=ints([0] * len(devs)),
        dev_degree=ints(devs),
        par_key=ints([0] * len(pars)),
        par_degree=ints(pars),
    )
    assert got.tolist() == [t]


def test_group_top_count_per_key() -> None:
    got = group_top_count(
        pairs=ints([2, 3, 2]),
        group_cap=ints([1, 2, 2]),
        dev_key=ints([1, 0, 1, 0, 1]),
        dev_degree=ints([2, 4, 7, 6, 3]),
        par_key=ints([0, 1, 1]),
        par_degree=ints([9, 5, 2]),
    )
    # key 0: A = 6, B = 0; key 1: A = 7 + 3, B = 4; key 2 has no edge
    assert got.tolist() == [7, 15, 0]


@pytest.mark.parametrize("k", [1, 2, 3, 7, 50])
def test_group_top_count_is_heaviest_count_for_one_region(k: int) -> None:
    got = group_top_count(
        pairs=ints([k]),
        group_cap=ints([k]),
        dev_key=ints([0] * k),
        dev_degree=ints([k] * k),
        par_key=ints([0] * k),
        par_degree=ints([k] * k),
    )
    assert got.tolist() == [heaviest_count(k)]


def tight_problem() -> AssignmentProblem:
    """Two places; the optimum needs the 4th best edge, every vertex has at most 2 edges.

    Edges: (u, v) 10, (u, v') 9, (u', v) 9, (x, y) 8.5, (x', y') 1. The top three all touch
    (u, v), so without the 4th the best pairing is (u, v') + (u', v) = 18 < 18.5.
    """
    return AssignmentProblem(
        n_dev=4,
        n_par=4,
        edge_dev=np.array([0, 0, 1, 2, 3], dtype=np.int64),
        edge_par=np.array([0, 1, 0, 2, 3], dtype=np.int64),
        edge_score=np.array([10.0, 9.0, 9.0, 8.5, 1.0]),
        par_region=np.zeros(4, dtype=np.int64),
        par_kind=np.zeros(4, dtype=np.int64),
        dev_female=np.zeros(4, dtype=np.bool_),
        regions=(RegionSpec(2, 0),),
    )


def test_group_top_bound_is_tight() -> None:
    p = tight_problem()
    mask = group_mask(p, p.locked)
    # t = 2 (u's degree) + (2 − 1) (v's degree − 1) + 1 = 4: the 5th edge goes, the 4th stays.
    assert mask.tolist() == [True, True, True, True, False]
    full = oracle(p)
    assert full is not None and full[3] == 18.5
    same_optimum(p, restrict(p, mask))
    one_less = np.array([True, True, True, False, False])
    short = oracle(restrict(p, one_less))
    assert short is not None and short[3] == 18.0


def test_group_top_ties_and_locks() -> None:
    # one place: t = 1; ties go to the lower index, locks stay
    dev = np.array([0, 1, 2, 3], dtype=np.int64)
    par = np.array([0, 1, 2, 3], dtype=np.int64)
    zeros = np.zeros(4, dtype=np.int64)
    one = np.array([1], dtype=np.int64)
    score = np.array([1.0, 3.0, 3.0, 0.5])
    mask = prune_group_top(dev, par, zeros, zeros, score, group_cap=one, group_pairs=one)
    assert mask.tolist() == [False, True, False, False]
    mask = prune_group_top(
        dev, par, zeros, zeros, score, group_cap=one, group_pairs=one, locked=np.array([3])
    )
    assert mask.tolist() == [False, True, False, True]


def test_group_top_separates_women_class() -> None:
    # one place in a region with a women share: the best man and the best woman both stay
    dev = np.array([0, 1, 2, 3], dtype=np.int64)
    par = np.zeros(4, dtype=np.int64)
    zeros = np.zeros(4, dtype=np.int64)
    women = np.array([0, 1, 0, 1], dtype=np.int64)
    one = np.array([1], dtype=np.int64)
    score = np.array([5.0, 1.0, 4.0, 2.0])
    mask = prune_group_top(dev, par, zeros, women, score, group_cap=one, group_pairs=one)
    assert mask.tolist() == [True, False, False, True]


def coupled_problem(seed: int) -> AssignmentProblem:
    """Two regions of one place, every developer with every partner (all remote)."""
    rng = np.random.default_rng(seed)
    n = 6
    return AssignmentProblem(
        n_dev=n,
        n_par=n,
        edge_dev=np.repeat(np.arange(n), n).astype(np.int64),
        edge_par=np.tile(np.arange(n), n).astype(np.int64),
        edge_score=rng.integers(0, 20, n * n).astype(np.float64),
        par_region=np.array([0, 0, 0, 1, 1, 1], dtype=np.int64),
        par_kind=np.zeros(n, dtype=np.int64),
        dev_female=np.zeros(n, dtype=np.bool_),
        regions=(RegionSpec(1, 0), RegionSpec(1, 0)),
    )


@pytest.mark.parametrize("seed", range(5))
def test_solver_prunes_a_coupled_component(seed: int) -> None:
    p = coupled_problem(seed)
    edge_region = p.par_region[p.edge_par]
    locked = np.zeros(0, dtype=np.int64)
    keep = solve_module._prune(p, locked, edge_region, enabled=True)
    # the side prunings keep 1 edge per developer and region (K = 2, cap = 1); the group
    # pruning keeps t = 1 + 0 + 1 = 2 per region, its two best edges, and a second pass
    # keeps 1 if that split the two regions apart (K = 1)
    assert np.bincount(edge_region[keep], minlength=2).max() <= 2
    assert solve_module._prune(p, locked, edge_region, enabled=False).all()
    best = oracle(p)
    sol = solve(p)
    assert best is not None
    assert sol.total_score == best[3]
    assert (sol.priority_filled, sol.min_filled, int(sol.filled.sum())) == best[:3]


def test_group_passes_end_on_a_graph_without_edges() -> None:
    # regression: the pass loop once spun forever when there was nothing left to remove
    empty = np.zeros(0, dtype=np.int64)
    p = AssignmentProblem(
        n_dev=2,
        n_par=2,
        edge_dev=empty,
        edge_par=empty,
        edge_score=np.zeros(0),
        par_region=np.array([0, 1], dtype=np.int64),
        par_kind=np.zeros(2, dtype=np.int64),
        dev_female=np.zeros(2, dtype=np.bool_),
        regions=(RegionSpec(1, 0), RegionSpec(2, 1)),
    )
    assert solve_module._prune(p, empty, empty, enabled=True).tolist() == []
    assert solve(p).filled.tolist() == [0, 0]


def test_group_pruning_takes_the_gender_as_class_where_a_region_has_a_women_share(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    p = coupled_problem(0)
    edge_region = p.par_region[p.edge_par]
    locked = np.zeros(0, dtype=np.int64)
    female = np.array([True, False] * 3, dtype=np.bool_)
    shared = AssignmentProblem(
        **{
            **p.__dict__,
            "dev_female": female,
            "regions": (RegionSpec(1, 0), RegionSpec(1, 0, min_women_share=0.5)),
        }
    )
    seen: list[tuple[Any, Any]] = []
    real = solve_module.prune_group_top

    def spy(dev: Any, par: Any, group: Any, edge_class: Any, *args: Any, **kwargs: Any) -> Any:
        seen.append((np.column_stack([dev, par]), np.asarray(edge_class)))
        return real(dev, par, group, edge_class, *args, **kwargs)

    monkeypatch.setattr(solve_module, "prune_group_top", spy)
    solve_module._prune(shared, locked, edge_region, enabled=True)
    assert seen  # the pruning ran on the women-share component
    pairs, classes = seen[0]
    # a woman's edge into region 1 (the share) is class 1; every other edge class 0
    expected = female[pairs[:, 0]] & (shared.par_region[pairs[:, 1]] == 1)
    assert classes.tolist() == expected.astype(np.int64).tolist()
    assert expected.any() and not expected.all()


@settings(max_examples=200, deadline=None)
@given(
    st.integers(1, 80).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 9), min_size=n, max_size=n),
            st.lists(st.sampled_from([0.0, 2.5, 3.0, 9.75]), min_size=n, max_size=n),
            st.lists(st.integers(-1, 5), min_size=10, max_size=10),
            st.lists(st.integers(0, n - 1), max_size=4),
        )
    )
)
def test_the_compiled_top_per_key_keeps_what_the_numpy_one_keeps(
    drawn: tuple[list[int], list[float], list[int], list[int]],
) -> None:
    """Large edge sets take matcher.compiled; both paths keep the very same edges."""
    keys, scores, caps, locks = drawn
    key = np.array(keys, dtype=np.int64)
    score = np.array(scores, dtype=np.float64)
    cap = np.array(caps, dtype=np.int64)[key]
    locked = np.unique(np.array(locks, dtype=np.int64))
    exact = np.zeros(len(key), dtype=np.bool_)
    exact[prune_module._exact_top(key, score, cap)] = True
    # the compiled selection itself, over every key (_keep_top_per_key only hands it the
    # edge sets where every key is over its cap)
    assert top_per_key(key, score, cap).tolist() == exact.tolist()
    by_numpy = prune_module._keep_top_per_key(key, score, cap, locked)
    saved = prune_module._COMPILED_ALWAYS_FROM
    prune_module._COMPILED_ALWAYS_FROM = 1
    try:
        compiled = prune_module._keep_top_per_key(key, score, cap, locked)
    finally:
        prune_module._COMPILED_ALWAYS_FROM = saved
    assert compiled.tolist() == by_numpy.tolist()
    exact[locked] = True
    assert by_numpy.tolist() == exact.tolist()
