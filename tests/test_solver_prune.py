"""The exact prunings keep the optimum and really remove edges."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_solver_oracle import Flags, oracle, problems

import matcher.solver.prune as prune_module
from matcher.solver import (
    AssignmentProblem,
    InfeasibleLocksError,
    RegionSpec,
    prune_developer_side,
    prune_heaviest,
    prune_partner_side,
    solve,
)

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
