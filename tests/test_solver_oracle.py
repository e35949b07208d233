"""The exact solver against a brute-force oracle on random small instances."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from dataclasses import dataclass
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher.solver import (
    AssignmentProblem,
    InfeasibleLocksError,
    InvalidProblemError,
    RegionSpec,
    Solution,
    solve,
)

SCORES = [-7.0, -2.5, -1.0, 0.0, 0.0, 1.0, 2.0, 2.0, 3.5, 5.0, 10.0, 10.0, 42.25]
SHARES = [None, None, 0.0, 0.25, 0.3, 1 / 3, 0.5, 0.6, 2 / 3, 1.0]

Tiers = tuple[int, int, int, float]


def share_ok(female: int, filled: int, share: float | None) -> bool:
    """Women-share rule as documented: share read as a fraction with denominator ≤ 1000."""
    if share is None:
        return True
    frac = Fraction(share).limit_denominator(1000)
    return female * frac.denominator >= frac.numerator * filled


def rule_violations(p: AssignmentProblem, chosen: list[int]) -> list[str]:
    """Check every rule of the semantics explicitly (independent of the solver's helpers)."""
    out: list[str] = []
    devs = [int(p.edge_dev[e]) for e in chosen]
    pars = [int(p.edge_par[e]) for e in chosen]
    if len(set(devs)) != len(devs):
        out.append("developer used twice")
    if len(set(pars)) != len(pars):
        out.append("partner used twice")
    if not set(int(e) for e in p.locked) <= set(chosen):
        out.append("lock missing")
    for r, spec in enumerate(p.regions):
        in_r = [e for e in chosen if p.par_region[p.edge_par[e]] == r]
        filled = len(in_r)
        if filled > spec.max:
            out.append(f"region {r} over max")
        counts = [0] * p.n_kinds
        for e in in_r:
            counts[int(p.par_kind[p.edge_par[e]])] += 1
        for k, limit in enumerate(spec.max_per_kind):
            if limit is not None and counts[k] > limit:
                out.append(f"region {r} kind {k} over max_per_kind")
        mins = list(spec.min_per_kind) or [0] * p.n_kinds
        for size in range(p.n_kinds + 1):
            for subset in itertools.combinations(range(p.n_kinds), size):
                inside = sum(counts[k] for k in subset)
                outside_reserved = sum(mins[k] for k in range(p.n_kinds) if k not in subset)
                if inside > spec.max - outside_reserved:
                    out.append(f"region {r} subset {subset} breaks reserved places")
        female = sum(1 for e in in_r if p.dev_female[p.edge_dev[e]])
        if not share_ok(female, filled, spec.min_women_share):
            out.append(f"region {r} breaks women share")
    return out


def tiers_of(p: AssignmentProblem, chosen: list[int]) -> Tiers:
    """Return (priority filled, min filled, filled, score) of a pairing."""
    filled = [0] * len(p.regions)
    for e in chosen:
        filled[int(p.par_region[p.edge_par[e]])] += 1
    prio = sum(f for f, s in zip(filled, p.regions, strict=True) if s.priority)
    mins = sum(min(f, s.min) for f, s in zip(filled, p.regions, strict=True))
    return prio, mins, sum(filled), math.fsum(float(p.edge_score[e]) for e in chosen)


def all_matchings(p: AssignmentProblem) -> Iterator[list[int]]:
    """Enumerate every matching of the edge set (developer by developer)."""
    by_dev: list[list[int]] = [[] for _ in range(p.n_dev)]
    for e in range(p.n_edges):
        by_dev[int(p.edge_dev[e])].append(e)

    def rec(d: int, used: frozenset[int], acc: list[int]) -> Iterator[list[int]]:
        if d == p.n_dev:
            yield list(acc)
            return
        yield from rec(d + 1, used, acc)
        for e in by_dev[d]:
            par = int(p.edge_par[e])
            if par not in used:
                acc.append(e)
                yield from rec(d + 1, used | {par}, acc)
                acc.pop()

    yield from rec(0, frozenset(), [])


def brute_force(p: AssignmentProblem) -> Tiers | None:
    """Lexicographic max over every valid matching (None when none keeps the locks)."""
    best: Tiers | None = None
    for m in all_matchings(p):
        if rule_violations(p, m):
            continue
        t = tiers_of(p, m)
        if best is None or t > best:
            best = t
    return best


def oracle(p: AssignmentProblem) -> Tiers | None:
    """Same answer as brute_force, with equivalent partial matchings merged."""
    found = oracle_prefer(p, np.zeros(p.n_edges, dtype=np.bool_))
    return None if found is None else found[0]


SCORE_TIE = 1e-6


def better(a: tuple[float, int], b: tuple[float, int]) -> bool:
    """Return whether (score, preferred) ``a`` beats ``b``: scores within SCORE_TIE tie."""
    if abs(a[0] - b[0]) > SCORE_TIE:
        return a[0] > b[0]
    return a[1] > b[1]


def oracle_prefer(p: AssignmentProblem, prefer: np.ndarray) -> tuple[Tiers, int] | None:
    """Return the optimum of tiers 1–4 and the most preferred edges among those optima.

    Developers are enumerated one by one; two partial matchings with the same set of used
    partners and the same number of women per region satisfy every rule alike, have the
    same fill tiers and extend alike, so only the best by (score, preferred edges) is
    carried on. Every matching is still covered, so this is an exhaustive search, just
    fast enough for hypothesis. Scores closer than SCORE_TIE count as equal (the test
    scores are multiples of 1/4, so no tie is ever ambiguous).
    """
    n_r = len(p.regions)
    locked_of_dev: dict[int, int] = {}
    locked_partners: set[int] = set()
    for e in p.locked:
        d, par = int(p.edge_dev[e]), int(p.edge_par[e])
        if d in locked_of_dev or par in locked_partners:
            return None
        locked_of_dev[d] = int(e)
        locked_partners.add(par)
    by_dev: list[list[int]] = [[] for _ in range(p.n_dev)]
    for e in range(p.n_edges):
        by_dev[int(p.edge_dev[e])].append(e)
    # state (used partner mask, women per region) -> (score, preferred, edges)
    states: dict[tuple[int, tuple[int, ...]], tuple[float, int, tuple[int, ...]]] = {
        (0, (0,) * n_r): (0.0, 0, ())
    }
    for d in range(p.n_dev):
        options: list[int | None]
        if d in locked_of_dev:
            options = [locked_of_dev[d]]
        else:
            options = [None] + [e for e in by_dev[d] if int(p.edge_par[e]) not in locked_partners]
        new: dict[tuple[int, tuple[int, ...]], tuple[float, int, tuple[int, ...]]] = {}
        for (mask, women), (score, kept, edges) in states.items():
            for e in options:
                if e is None:
                    key, val = (mask, women), (score, kept, edges)
                else:
                    par = int(p.edge_par[e])
                    if mask >> par & 1:
                        continue
                    w = list(women)
                    if p.dev_female[d]:
                        w[int(p.par_region[par])] += 1
                    key = (mask | 1 << par, tuple(w))
                    val = (score + float(p.edge_score[e]), kept + int(prefer[e]), (*edges, e))
                if key not in new or better(val[:2], new[key][:2]):
                    new[key] = val
        states = new
    best: tuple[Tiers, int] | None = None
    for _, kept, edges in states.values():
        chosen = list(edges)
        if rule_violations(p, chosen):
            continue
        t = tiers_of(p, chosen)
        if (
            best is None
            or t[:3] > best[0][:3]
            or (t[:3] == best[0][:3] and better((t[3], kept), (best[0][3], best[1])))
        ):
            best = t, kept
    return best


@dataclass(frozen=True)
class Flags:
    """Which features an instance generator may use."""

    regions: int = 3
    mix: bool = True
    women: bool = True


@st.composite
def problems(draw: st.DrawFn, flags: Flags = Flags()) -> AssignmentProblem:
    """Draw a random small instance (up to 7 × 7)."""
    # Interesting values first: hypothesis favours (and shrinks towards) the first ones.
    n_dev = draw(st.sampled_from([5, 6, 7, 4, 3, 2, 1, 0]))
    n_par = draw(st.sampled_from([5, 6, 7, 4, 3, 2, 1, 0]))
    n_reg = draw(st.integers(1, flags.regions))
    n_kinds = 3
    par_region = draw(st.lists(st.integers(0, n_reg - 1), min_size=n_par, max_size=n_par))
    par_kind = draw(st.lists(st.integers(0, n_kinds - 1), min_size=n_par, max_size=n_par))
    female = draw(st.lists(st.booleans(), min_size=n_dev, max_size=n_dev))
    density = draw(st.sampled_from([0.45, 0.7, 1.0, 0.2]))
    seed = draw(st.integers(0, 2**32 - 1)) + 12345
    rng = np.random.default_rng(seed)
    pairs = [(d, q) for d in range(n_dev) for q in range(n_par) if rng.random() < density]
    scores = [draw(st.sampled_from(SCORES)) for _ in pairs]
    regions: list[RegionSpec] = []
    for _ in range(n_reg):
        hi = draw(st.sampled_from([2, 3, 4, 1, 0]))
        lo = draw(st.integers(0, hi))
        prio = draw(st.booleans())
        min_k: tuple[int, ...] = ()
        max_k: tuple[int | None, ...] = ()
        if flags.mix and draw(st.booleans()):
            left = hi
            mins = []
            for _k in range(n_kinds):
                m = draw(st.integers(0, min(left, 2)))
                mins.append(m)
                left -= m
            min_k = tuple(mins)
        if flags.mix and draw(st.booleans()):
            max_k = tuple(
                draw(st.one_of(st.none(), st.integers(0, hi + 1))) for _ in range(n_kinds)
            )
        share = draw(st.sampled_from(SHARES)) if flags.women else None
        regions.append(RegionSpec(hi, lo, prio, min_k, max_k, share))
    locks: list[int] = []
    if pairs and draw(st.integers(0, 2)) == 0:
        want = draw(st.integers(1, 3))
        used_d: set[int] = set()
        used_p: set[int] = set()
        for e in rng.permutation(len(pairs)):
            d, q = pairs[int(e)]
            if d not in used_d and q not in used_p and len(locks) < want:
                locks.append(int(e))
                used_d.add(d)
                used_p.add(q)
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
        locked=np.array(sorted(locks), dtype=np.int64),
        n_kinds=n_kinds,
    )


def assert_matches(p: AssignmentProblem, sol: Solution, best: Tiers) -> None:
    """Check a solution against the oracle's optimum and every rule."""
    chosen = [int(e) for e in sol.edges]
    assert chosen == sorted(chosen)
    assert rule_violations(p, chosen) == []
    got = tiers_of(p, chosen)
    assert got[:3] == best[:3]
    assert (sol.priority_filled, sol.min_filled, int(sol.filled.sum())) == best[:3]
    assert got[3] == pytest.approx(best[3], abs=1e-6)
    assert sol.total_score == pytest.approx(got[3], abs=1e-9)
    assert sol.bound >= sol.total_score - 1e-6
    assert sol.gap >= 0.0
    assert sol.optimal


def check_against_oracle(p: AssignmentProblem, method: str) -> Solution | None:
    """Solve with ``method`` and compare with the oracle; return the solution if any."""
    best = oracle(p)
    if best is None:
        with pytest.raises(InfeasibleLocksError):
            solve(p, method=method)  # type: ignore[arg-type]
        return None
    sol = solve(p, method=method)  # type: ignore[arg-type]
    assert_matches(p, sol, best)
    return sol


SETTINGS = settings(deadline=None, max_examples=250, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems())
def test_auto_matches_oracle(p: AssignmentProblem) -> None:
    check_against_oracle(p, "auto")


@settings(deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_milp_matches_oracle(p: AssignmentProblem) -> None:
    check_against_oracle(p, "milp")


@SETTINGS
@given(problems(Flags(regions=1, mix=False, women=False)))
def test_assignment_and_milp_agree(p: AssignmentProblem) -> None:
    a = check_against_oracle(p, "assignment")
    m = check_against_oracle(p, "milp")
    if a is None or m is None:
        assert a is m
        return
    assert a.method == "assignment"
    assert m.method == "milp"
    assert (a.priority_filled, a.min_filled, a.total_score) == pytest.approx(
        (m.priority_filled, m.min_filled, m.total_score), abs=1e-6
    )
    assert list(a.filled) == list(m.filled)


@settings(deadline=None, max_examples=150)
@given(problems())
def test_oracle_equals_plain_enumeration(p: AssignmentProblem) -> None:
    if p.n_dev > 5 or p.n_par > 5:
        p = AssignmentProblem(
            n_dev=p.n_dev,
            n_par=p.n_par,
            edge_dev=p.edge_dev[p.edge_dev < 5],
            edge_par=p.edge_par[p.edge_dev < 5],
            edge_score=p.edge_score[p.edge_dev < 5],
            par_region=p.par_region,
            par_kind=p.par_kind,
            dev_female=p.dev_female,
            regions=p.regions,
            n_kinds=p.n_kinds,
        )
    best = oracle(p)
    plain = brute_force(p)
    if best is None or plain is None:
        assert best is plain
        return
    assert best[:3] == plain[:3]
    assert best[3] == pytest.approx(plain[3], abs=1e-9)


# --- the fifth tier: most preferred edges among the optima of tiers 1–4 ---------------------


def prefer_flags(p: AssignmentProblem, seed: int, density: float) -> np.ndarray:
    """Return random preferred flags, one per edge."""
    rng = np.random.default_rng(seed)
    return rng.random(p.n_edges) < density


def brute_force_prefer(p: AssignmentProblem, prefer: np.ndarray) -> tuple[Tiers, int] | None:
    """Plain enumeration of oracle_prefer's answer (for small instances)."""
    best: tuple[Tiers, int] | None = None
    for m in all_matchings(p):
        if rule_violations(p, m):
            continue
        t, kept = tiers_of(p, m), sum(int(prefer[e]) for e in m)
        if (
            best is None
            or t[:3] > best[0][:3]
            or (t[:3] == best[0][:3] and better((t[3], kept), (best[0][3], best[1])))
        ):
            best = t, kept
    return best


def restrict_developers(p: AssignmentProblem, n: int) -> AssignmentProblem:
    """Return ``p`` with only the edges of developers 0..n-1 (locks dropped)."""
    sel = p.edge_dev < n
    return AssignmentProblem(
        n_dev=p.n_dev,
        n_par=p.n_par,
        edge_dev=p.edge_dev[sel],
        edge_par=p.edge_par[sel],
        edge_score=p.edge_score[sel],
        par_region=p.par_region,
        par_kind=p.par_kind,
        dev_female=p.dev_female,
        regions=p.regions,
        n_kinds=p.n_kinds,
    )


@settings(deadline=None, max_examples=60)
@given(problems(), st.integers(0, 2**32 - 1), st.sampled_from([0.3, 0.6, 1.0]))
def test_oracle_prefer_equals_plain_enumeration(
    p: AssignmentProblem, seed: int, density: float
) -> None:
    p = restrict_developers(p, 4)
    prefer = prefer_flags(p, seed, density)
    assert oracle_prefer(p, prefer) == brute_force_prefer(p, prefer)


PREFER_SETTINGS = settings(
    deadline=None, max_examples=150, suppress_health_check=[HealthCheck.too_slow]
)


@PREFER_SETTINGS
@given(
    problems(),
    st.integers(0, 2**32 - 1),
    st.sampled_from([0.3, 0.6, 0.1, 1.0]),
    st.sampled_from(["auto", "milp", "assignment"]),
    st.booleans(),
)
def test_prefer_matches_oracle(
    p: AssignmentProblem, seed: int, density: float, method: str, prune: bool
) -> None:
    prefer = prefer_flags(p, seed, density)
    best = oracle_prefer(p, prefer)
    if best is None:
        with pytest.raises(InfeasibleLocksError):
            solve(p, method=method, prune=prune, prefer=prefer)  # type: ignore[arg-type]
        return
    sol = solve(p, method=method, prune=prune, prefer=prefer)  # type: ignore[arg-type]
    assert_matches(p, sol, best[0])
    assert sol.preferred_kept == int(np.count_nonzero(prefer[sol.edges]))
    assert sol.preferred_kept == best[1]


@PREFER_SETTINGS
@given(problems(), st.sampled_from(["auto", "milp"]))
def test_prefer_own_edges_resolves_to_them(p: AssignmentProblem, method: str) -> None:
    """With prefer = an optimum's edges that optimum is the only answer: any tier-optimal
    pairing holding all |M| of them has |M| pairs (tier 3), so it is M."""
    sol = check_against_oracle(p, method)
    if sol is None:
        return
    prefer = np.zeros(p.n_edges, dtype=np.bool_)
    prefer[sol.edges] = True
    again = solve(p, method=method, prefer=prefer)  # type: ignore[arg-type]
    assert again.edges.tolist() == sol.edges.tolist()
    assert again.preferred_kept == sol.edges.shape[0]


def two_by_two(scores: list[float]) -> AssignmentProblem:
    """Return two developers, two partners, every pair allowed, one region of 2 places."""
    return AssignmentProblem(
        n_dev=2,
        n_par=2,
        edge_dev=np.array([0, 0, 1, 1], dtype=np.int64),
        edge_par=np.array([0, 1, 0, 1], dtype=np.int64),
        edge_score=np.array(scores),
        par_region=np.array([0, 0], dtype=np.int64),
        par_kind=np.array([0, 0], dtype=np.int64),
        dev_female=np.array([False, False]),
        regions=(RegionSpec(2, 0),),
    )


@pytest.mark.parametrize("method", ["auto", "assignment", "milp"])
def test_prefer_breaks_ties_but_never_costs_score(method: str) -> None:
    cross = np.array([False, True, True, False])
    tied = two_by_two([4.0, 4.0, 4.0, 4.0])
    assert solve(tied, method=method).preferred_kept == 0  # type: ignore[arg-type]
    sol = solve(tied, method=method, prefer=cross)  # type: ignore[arg-type]
    assert (sol.edges.tolist(), sol.total_score, sol.preferred_kept) == ([1, 2], 8.0, 2)
    # 1e-4 less on a preferred edge: inside the first score row's slack (1e-7 × 8000), so
    # the stage finds the preferred pairing, sees it scores less, and tightens the row.
    worse = two_by_two([4000.0, 4000.0 - 1e-4, 4000.0, 4000.0])
    sol = solve(worse, method=method, prefer=cross)  # type: ignore[arg-type]
    assert (sol.edges.tolist(), sol.total_score, sol.preferred_kept) == ([0, 3], 8000.0, 0)
    # 1e-9 less: below HiGHS's tolerances; the score is still never below the plain solve's.
    # The flow ("auto") reads scores to 1e-6 (matcher.solver.network), so there it is a tie
    # that the fifth tier breaks: the preferred pairing, 1e-9 below.
    tiny = two_by_two([4.0, 4.0 - 1e-9, 4.0, 4.0])
    plain = solve(tiny, method="milp")
    sol = solve(tiny, method=method, prefer=cross)  # type: ignore[arg-type]
    if method == "auto":
        assert (sol.edges.tolist(), sol.preferred_kept) == ([1, 2], 2)
        assert sol.total_score == pytest.approx(plain.total_score - 1e-9, abs=1e-12)
    else:
        assert sol.total_score >= plain.total_score


def test_prefer_must_be_one_bool_per_edge() -> None:
    p = AssignmentProblem(
        n_dev=1,
        n_par=1,
        edge_dev=np.array([0], dtype=np.int64),
        edge_par=np.array([0], dtype=np.int64),
        edge_score=np.array([1.0]),
        par_region=np.array([0], dtype=np.int64),
        par_kind=np.array([0], dtype=np.int64),
        dev_female=np.array([False]),
        regions=(RegionSpec(1, 0),),
    )
    with pytest.raises(InvalidProblemError):
        solve(p, prefer=np.array([True, False]))
    with pytest.raises(InvalidProblemError):
        solve(p, prefer=np.array([1]))  # type: ignore[arg-type]
