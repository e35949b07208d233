"""Hand-computed small cases for the exact solver."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pytest

from matcher.errors import InputError
from matcher.solver import (
    AssignmentProblem,
    InfeasibleLocksError,
    InvalidProblemError,
    RegionSpec,
    solve,
)

ARTISAN, FARMER, MERCHANT = 0, 1, 2


def build(
    edges: list[tuple[int, int, float]],
    partners: list[tuple[int, int]],
    female: list[bool],
    regions: list[RegionSpec],
    locks: list[tuple[int, int]] = (),  # type: ignore[assignment]
) -> AssignmentProblem:
    """Build a problem from (dev, partner, score) edges and (region, kind) partners."""
    pairs = [(d, p) for d, p, _ in edges]
    return AssignmentProblem(
        n_dev=len(female),
        n_par=len(partners),
        edge_dev=np.array([d for d, _, _ in edges], dtype=np.int64),
        edge_par=np.array([p for _, p, _ in edges], dtype=np.int64),
        edge_score=np.array([s for _, _, s in edges], dtype=np.float64),
        par_region=np.array([r for r, _ in partners], dtype=np.int64),
        par_kind=np.array([k for _, k in partners], dtype=np.int64),
        dev_female=np.array(female, dtype=np.bool_),
        regions=tuple(regions),
        locked=np.array([pairs.index(lk) for lk in locks], dtype=np.int64),
    )


def complete(n_dev: int, n_par: int, score: float = 10.0) -> list[tuple[int, int, float]]:
    """Every developer with every partner, one score."""
    return [(d, p, score) for d in range(n_dev) for p in range(n_par)]


@dataclass
class Case:
    """One hand-computed instance and its optimum."""

    name: str
    problem: AssignmentProblem
    filled: list[int]
    score: float
    pairs: set[tuple[int, int]] | None = None
    priority_filled: int = 0
    min_filled: int | None = None
    methods: tuple[str, ...] = field(default=("auto", "milp"))


CASES = [
    Case(
        # 2 of 3 places are reserved for merchants and there is one merchant: at most
        # 3 − 2 = 1 artisan, so 1 artisan + 1 merchant and one reserved place stays empty.
        "reserved-place shortfall",
        build(
            complete(4, 4),
            [(0, ARTISAN), (0, ARTISAN), (0, ARTISAN), (0, MERCHANT)],
            [False] * 4,
            [RegionSpec(3, 3, min_per_kind=(0, 0, 2))],
        ),
        filled=[2],
        score=20.0,
        min_filled=2,
    ),
    Case(
        "max_per_kind shortfall",
        build(
            complete(3, 4),
            [(0, ARTISAN), (0, ARTISAN), (0, ARTISAN), (0, FARMER)],
            [False] * 3,
            [RegionSpec(3, 3, max_per_kind=(1, None, None))],
        ),
        filled=[2],
        score=20.0,
    ),
    Case(
        # one woman among four developers and a share of 0.5: at most 2 pairs
        "women-share shortfall",
        build(
            [(d, p, 10.0 + d + p) for d in range(4) for p in range(3)],
            [(0, ARTISAN)] * 3,
            [True, False, False, False],
            [RegionSpec(3, 3, min_women_share=0.5)],
        ),
        filled=[2],
        # woman 0 and the best man (3) on two partners: (10 + 0 + p) + (10 + 3 + p')
        score=(10.0 + 0) + (10.0 + 3) + 1 + 2,
    ),
    Case(
        "priority region wins a shared developer",
        build(
            [(0, 0, 90.0), (0, 1, 10.0)],
            [(0, ARTISAN), (1, ARTISAN)],
            [False],
            [RegionSpec(1, 1), RegionSpec(1, 1, priority=True)],
        ),
        filled=[0, 1],
        score=10.0,
        pairs={(0, 1)},
        priority_filled=1,
    ),
    Case(
        "minimum of every region before extra places",
        build(
            [(0, 0, 100.0), (0, 2, 1.0), (1, 1, 100.0)],
            [(0, ARTISAN), (0, ARTISAN), (1, ARTISAN)],
            [False, False],
            [RegionSpec(2, 1), RegionSpec(2, 1)],
        ),
        filled=[1, 1],
        score=101.0,
        pairs={(0, 2), (1, 1)},
        min_filled=2,
    ),
    Case(
        "fill before score, even with a negative score",
        build(
            [(0, 0, -5.0), (1, 0, 3.0), (1, 1, 4.0)],
            [(0, FARMER), (0, FARMER)],
            [False, False],
            [RegionSpec(2, 0)],
        ),
        filled=[2],
        score=-1.0,
        pairs={(0, 0), (1, 1)},
    ),
    Case(
        "quota cuts the lighter pairs",
        build(
            [(0, 0, 5.0), (1, 1, 7.0), (2, 2, 6.0)],
            [(0, MERCHANT)] * 3,
            [False] * 3,
            [RegionSpec(2, 2)],
        ),
        filled=[2],
        score=13.0,
        pairs={(1, 1), (2, 2)},
        methods=("auto", "assignment", "milp"),
    ),
    Case(
        "a lock is kept even when it costs a pair",
        build(
            [(0, 0, 1.0), (0, 1, 10.0), (1, 1, 2.0)],
            [(0, ARTISAN), (0, ARTISAN)],
            [False, False],
            [RegionSpec(2, 2)],
            locks=[(0, 1)],
        ),
        filled=[1],
        score=10.0,
        pairs={(0, 1)},
        methods=("auto", "assignment", "milp"),
    ),
    Case(
        "a locked man is balanced by a woman",
        build(
            [(0, 0, 1.0), (1, 1, 1.0), (2, 1, 9.0)],
            [(0, ARTISAN), (0, ARTISAN)],
            [False, True, False],
            [RegionSpec(2, 2, min_women_share=0.5)],
            locks=[(0, 0)],
        ),
        filled=[2],
        score=2.0,
        pairs={(0, 0), (1, 1)},
    ),
    Case(
        "independent regions are solved apart",
        build(
            [(0, 0, 3.0), (1, 0, 4.0), (2, 1, 5.0), (3, 1, 6.0)],
            [(0, ARTISAN), (1, FARMER)],
            [False] * 4,
            [RegionSpec(1, 1), RegionSpec(1, 1, priority=True)],
        ),
        filled=[1, 1],
        score=10.0,
        pairs={(1, 0), (3, 1)},
        priority_filled=1,
        methods=("auto", "assignment", "milp"),
    ),
    Case(
        "a region with max 0 gets nothing",
        build(
            complete(2, 2),
            [(0, ARTISAN), (1, ARTISAN)],
            [False] * 2,
            [RegionSpec(0, 0), RegionSpec(2, 1)],
        ),
        filled=[0, 1],
        score=10.0,
    ),
]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hand_computed(case: Case) -> None:
    for method in case.methods:
        sol = solve(case.problem, method=method)  # type: ignore[arg-type]
        p = case.problem
        assert list(sol.filled) == case.filled, method
        assert sol.total_score == pytest.approx(case.score), method
        assert sol.priority_filled == case.priority_filled, method
        if case.min_filled is not None:
            assert sol.min_filled == case.min_filled, method
        if case.pairs is not None:
            got = {(int(p.edge_dev[e]), int(p.edge_par[e])) for e in sol.edges}
            assert got == case.pairs, method
        assert sol.optimal and sol.gap == 0.0 and sol.bound == pytest.approx(sol.total_score)


@pytest.mark.parametrize(
    ("name", "problem", "region", "rule"),
    [
        (
            "two locks in a one-place region",
            build(
                complete(2, 2),
                [(1, ARTISAN)] * 2,
                [False] * 2,
                [RegionSpec(2, 2), RegionSpec(1, 1)],
                locks=[(0, 0), (1, 1)],
            ),
            1,
            "quota",
        ),
        (
            "locks over max_per_kind",
            build(
                complete(2, 2),
                [(0, FARMER)] * 2,
                [False] * 2,
                [RegionSpec(2, 2, max_per_kind=(None, 1, None))],
                locks=[(0, 0), (1, 1)],
            ),
            0,
            "max_per_kind",
        ),
        (
            "locks in places reserved for another kind",
            build(
                complete(2, 2),
                [(0, ARTISAN)] * 2,
                [False] * 2,
                [RegionSpec(2, 2, min_per_kind=(0, 1, 0))],
                locks=[(0, 0), (1, 1)],
            ),
            0,
            "min_per_kind",
        ),
        (
            "a locked man and no woman to balance him",
            build(
                complete(2, 2),
                [(0, ARTISAN)] * 2,
                [False, False],
                [RegionSpec(2, 2, min_women_share=0.5)],
                locks=[(0, 0)],
            ),
            0,
            "min_women_share",
        ),
        (
            "one developer in two locks",
            build(
                complete(1, 2),
                [(0, ARTISAN)] * 2,
                [False],
                [RegionSpec(2, 2)],
                locks=[(0, 0), (0, 1)],
            ),
            0,
            "duplicate_developer",
        ),
    ],
)
def test_infeasible_locks(name: str, problem: AssignmentProblem, region: int, rule: str) -> None:
    for method in ("auto", "assignment", "milp"):
        with pytest.raises(InfeasibleLocksError) as info:
            solve(problem, method=method)  # type: ignore[arg-type]
        assert isinstance(info.value, InputError)
        assert info.value.region == region, name
        assert info.value.rule == rule, name
        assert f"region {region}" in str(info.value)


def test_invalid_problem() -> None:
    p = build(complete(1, 1), [(0, ARTISAN)], [False], [RegionSpec(1, 2)])
    with pytest.raises(InvalidProblemError, match="min <= max"):
        solve(p)
    p = build(complete(1, 1), [(0, ARTISAN)], [False], [RegionSpec(1, 1, min_per_kind=(1, 1, 0))])
    with pytest.raises(InvalidProblemError, match="reserves 2 places"):
        solve(p)


def test_deterministic_under_ties() -> None:
    p = build(complete(6, 6, 5.0), [(0, ARTISAN)] * 6, [False] * 6, [RegionSpec(3, 3)])
    first = solve(p)
    for _ in range(3):
        again = solve(p)
        assert list(again.edges) == list(first.edges)


@pytest.mark.parametrize("men_first", [True, False])
def test_a_tied_optimum_that_meets_the_women_share_needs_no_milp(
    men_first: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Four developers tie at 10 with four partners, two places, at least half women: among
    # the tied optima the flow leans to the women's pairs, so HiGHS never has to run.
    import importlib

    # matcher.solver exports a function named solve, which hides the module of that name
    solve_module = importlib.import_module("matcher.solver.solve")

    def no_milp(*args: object, **kwargs: object) -> object:
        raise AssertionError("HiGHS was called")

    monkeypatch.setattr(solve_module, "solve_flow", no_milp)
    female = [False, False, True, True] if men_first else [True, True, False, False]
    problem = build(
        complete(4, 4),
        [(0, ARTISAN)] * 4,
        female,
        [RegionSpec(max=2, min=0, min_women_share=1.0)],
    )
    solution = solve(problem)
    chosen = problem.edge_dev[solution.edges].tolist()
    assert solution.method == "flow"
    assert solution.total_score == 20.0
    assert all(female[d] for d in chosen) and len(chosen) == 2


def test_lean_to_women_gives_up_when_the_share_cannot_be_met_by_ties() -> None:
    # The woman's only pair scores 1 against the men's 10: no tied optimum meets a share of
    # one half, so the lean returns None and HiGHS decides (one man and the woman, 11).
    problem = build(
        [(0, 0, 10.0), (1, 1, 10.0), (2, 0, 1.0)],
        [(0, ARTISAN), (0, ARTISAN)],
        [False, False, True],
        [RegionSpec(max=2, min=0, min_women_share=0.5)],
    )
    solution = solve(problem)
    chosen = sorted(
        zip(
            problem.edge_dev[solution.edges].tolist(),
            problem.edge_par[solution.edges].tolist(),
            strict=True,
        )
    )
    assert solution.method == "milp"
    assert chosen == [(1, 1), (2, 0)]
    assert solution.total_score == 11.0
