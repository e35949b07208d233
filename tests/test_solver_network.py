"""The OR-Tools min-cost-flow path: staged solves, the int64 bound, the women-share hand-off."""

from __future__ import annotations

from unittest import mock

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_solver_oracle import (
    assert_matches,
    oracle,
    oracle_prefer,
    prefer_flags,
    problems,
)

from matcher.solver import AssignmentProblem, InfeasibleLocksError, RegionSpec, flow, network, solve
from matcher.solver.network import ORTOOLS_LIMIT, RESOLUTION, fits, tier_weights

STAGED = settings(deadline=None, max_examples=200, suppress_health_check=[HealthCheck.too_slow])


@STAGED
@given(problems(), st.integers(0, 2**32 - 1), st.sampled_from([0.0, 0.3, 1.0]))
def test_staged_flow_matches_oracle(p: AssignmentProblem, seed: int, density: float) -> None:
    """With the single solve forbidden, every component takes the two-stage solve."""
    prefer = prefer_flags(p, seed, density)
    best = oracle_prefer(p, prefer)
    with mock.patch.object(network, "SINGLE_STAGE_LIMIT", 0):
        if best is None:
            with pytest.raises(InfeasibleLocksError):
                solve(p, prefer=prefer)
            return
        sol = solve(p, prefer=prefer)
    assert_matches(p, sol, best[0])
    assert sol.preferred_kept == best[1]


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_method_names_the_path_taken(p: AssignmentProblem) -> None:
    """ "flow" unless a component went to HiGHS, which only a women share (broken) sends."""
    if oracle(p) is None:
        return
    sol = solve(p)
    if not any(s.share_fraction() is not None for s in p.regions):
        assert sol.method == "flow"
    else:
        assert sol.method in ("flow", "milp")


def one_region(share: float, female: list[bool], scores: list[float]) -> AssignmentProblem:
    """Return n developers × 1 partner-per-developer in one region of 1 place."""
    n = len(female)
    return AssignmentProblem(
        n_dev=n,
        n_par=1,
        edge_dev=np.arange(n, dtype=np.int64),
        edge_par=np.zeros(n, dtype=np.int64),
        edge_score=np.array(scores),
        par_region=np.zeros(1, dtype=np.int64),
        par_kind=np.zeros(1, dtype=np.int64),
        dev_female=np.array(female),
        regions=(RegionSpec(1, 0, False, (), (), share),),
    )


def test_flow_optimum_meeting_the_share_is_kept() -> None:
    sol = solve(one_region(0.5, [True, False], [9.0, 3.0]))
    assert (sol.edges.tolist(), sol.method) == ([0], "flow")


def test_flow_optimum_breaking_the_share_goes_to_highs() -> None:
    sol = solve(one_region(0.5, [True, False], [3.0, 9.0]))
    assert (sol.edges.tolist(), sol.method, sol.total_score) == ([0], "milp", 3.0)


# --- the int64 bound -----------------------------------------------------------------------

# The largest documented instance (issue 7, bench/national.py): 12 regions × 5,000 developers
# × 5,000 partners, 50 places per region, cross_region = "always" (one component of 600
# places), scores in [0, 100]. Node count of its network before any pruning: source, sink,
# 60,000 developers, 60,000 partners and per region 1 + 1 + 2 × 3 kind nodes.
NATIONAL_PLACES = 600
NATIONAL_NODES = 2 + 60_000 + 60_000 + 12 * 8
NATIONAL_SCORE_RANGE = 100 * RESOLUTION


def test_national_call_needs_the_staged_solve_and_its_stages_fit() -> None:
    single = tier_weights(
        places=NATIONAL_PLACES, score_max=NATIONAL_SCORE_RANGE, priority=True, mins=True
    )
    assert not fits(single, NATIONAL_NODES)  # the naive weights would overflow
    stage1 = tier_weights(
        places=NATIONAL_PLACES, score_max=0, priority=True, mins=True, fill_weight=1
    )
    assert fits(stage1, NATIONAL_NODES)
    # stage 2 with the fifth tier: scores × (P + 1) + preferred flag
    q5 = NATIONAL_SCORE_RANGE * (NATIONAL_PLACES + 1) + 1
    assert q5 * (NATIONAL_NODES + 3) <= ORTOOLS_LIMIT
    # and the weights really are separated: one place more beats every score and lower tier
    assert single.fill > NATIONAL_PLACES * NATIONAL_SCORE_RANGE
    assert single.mins > NATIONAL_PLACES * (single.fill + NATIONAL_SCORE_RANGE)
    assert single.prio > NATIONAL_PLACES * (single.mins + single.fill + NATIONAL_SCORE_RANGE)


def coupled_national_like(seed: int) -> AssignmentProblem:
    """12 regions of 50 places coupled by cross-region pairs: the single solve cannot fit."""
    rng = np.random.default_rng(seed)
    n_r, per = 12, 60
    n = n_r * per
    dev = np.repeat(np.arange(n, dtype=np.int64), 12)
    par = rng.integers(0, n, dev.shape[0]).astype(np.int64)
    key = np.unique(dev * n + par)
    dev, par = key // n, key % n
    return AssignmentProblem(
        n_dev=n,
        n_par=n,
        edge_dev=dev,
        edge_par=par,
        edge_score=rng.uniform(0, 100, dev.shape[0]),
        par_region=np.repeat(np.arange(n_r, dtype=np.int64), per),
        par_kind=rng.integers(0, 3, n).astype(np.int64),
        dev_female=rng.random(n) < 0.4,
        regions=tuple(
            RegionSpec(50, 30, r % 3 == 0, (5, 5, 5) if r % 2 else (), (None, None, 20))
            for r in range(n_r)
        ),
    )


def test_coupled_regions_take_the_staged_solve_and_agree_with_highs() -> None:
    problem = coupled_national_like(7)
    with mock.patch.object(network, "_potentials", wraps=network._potentials) as spy:
        flow = solve(problem)
    assert spy.call_count == 1  # one component, solved in two stages
    exact = solve(problem, method="milp")
    assert (flow.priority_filled, flow.min_filled) == (exact.priority_filled, exact.min_filled)
    assert flow.filled.tolist() == exact.filled.tolist()
    # scores read to 1e-6: at most 0.5e-6 per pair apart from the float optimum
    assert flow.total_score == pytest.approx(exact.total_score, abs=600 * 1e-6)
    assert flow.method == "flow"


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_milp_without_the_lp_first_matches_oracle(p: AssignmentProblem) -> None:
    """Large components whose flow optimum broke a share skip the LP: forced here."""
    best = oracle(p)
    with mock.patch.object(flow, "_LP_FIRST_MAX_EDGES", -1):
        if best is None:
            with pytest.raises(InfeasibleLocksError):
                solve(p)
            return
        sol = solve(p)
    assert_matches(p, sol, best)


def test_progress_counts_every_group_of_regions() -> None:
    # two regions no developer links: two groups, reported in order
    p = AssignmentProblem(
        n_dev=2,
        n_par=2,
        edge_dev=np.array([0, 1], dtype=np.int64),
        edge_par=np.array([0, 1], dtype=np.int64),
        edge_score=np.array([1.0, 2.0]),
        par_region=np.array([0, 1], dtype=np.int64),
        par_kind=np.zeros(2, dtype=np.int64),
        dev_female=np.zeros(2, dtype=np.bool_),
        regions=(RegionSpec(1, 1), RegionSpec(1, 1)),
    )
    seen: list[tuple[int, int]] = []
    sol = solve(p, progress=lambda done, total: seen.append((done, total)))
    assert seen == [(1, 2), (2, 2)]
    assert sol.edges.tolist() == [0, 1]
