"""The MILPs behind regional clubs, on raw travel matrices (whole metres), solved by HiGHS.

``solve_travel`` is tier 1 (least travel, a capacitated p-median counting clubs per seat);
``solve_composition`` is tier 2 (most clubs that share a language and mix kinds, among the
placements of least travel); ``open_seats`` is the reduced-cost fixing that links them.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix

from matcher.models import KINDS
from matcher.solver.quiet import native_stdout_to_stderr

IntArray = npt.NDArray[np.int64]
# Up to this many pair × seat placements tier 1 adds x[i, s] ≤ y[s]: on small regions the
# tighter relaxation halves the search, on large ones the extra rows cost more than they save
# (bench/bench_clubs.py: 50 pairs 0.85 → 0.36 s, 500 pairs 0.5 → 1.4 s with the rows).
STRONG_ROWS_MAX = 1_000


@dataclass(frozen=True)
class KeptClub:
    """A club of an earlier run whose remaining members stay together, at its seat."""

    id: str
    seat: int  # index into the region's seats
    members: tuple[int, ...]  # indices into the region's members


@dataclass(frozen=True)
class TravelSolution:
    """Tier 1: each pair's seat, clubs per seat, travel (metres) and what was proved."""

    seat_of: IntArray
    clubs_at: IntArray
    travel: int
    bound: int
    optimal: bool
    additions: tuple[tuple[int, int], ...] = ()  # (member, kept club) for --keep
    shortfall: int = 0  # places missing below the minimum size (only with --keep)


def partition_possible(n: int, low: int, high: int) -> bool:
    """Return whether ``n`` pairs split into clubs of ``low``–``high`` pairs each."""
    return any(k * low <= n <= k * high for k in range(1, n // max(low, 1) + 1))


class _Rows:
    """The constraint rows of a model, built one row at a time: lower ≤ Σ value·x ≤ upper."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.values: list[float] = []
        self.lower: list[float] = []
        self.upper: list[float] = []

    def add(self, entries: Sequence[tuple[int, float]], lo: float, hi: float) -> None:
        """Add the row ``lo ≤ Σ value·x[col] ≤ hi`` over ``entries`` (col, value)."""
        r = len(self.lower)
        for col, val in entries:
            self.rows.append(r)
            self.cols.append(col)
            self.values.append(val)
        self.lower.append(lo)
        self.upper.append(hi)


def _run_milp(
    c: npt.NDArray[np.float64],
    integrality: npt.NDArray[np.int8],
    lb: npt.NDArray[np.float64],
    ub: npt.NDArray[np.float64],
    rows: _Rows,
    time_limit: float,
) -> tuple[npt.NDArray[np.float64] | None, float | None, bool]:
    """Minimise ``c·x``; return (x or None, proven lower bound or None, optimal)."""
    matrix = coo_matrix(
        (rows.values, (rows.rows, rows.cols)), shape=(len(rows.lower), c.shape[0])
    ).tocsr()
    with native_stdout_to_stderr():
        res = milp(
            c,
            integrality=integrality,
            bounds=Bounds(lb, ub),
            constraints=LinearConstraint(matrix, np.array(rows.lower), np.array(rows.upper)),
            options={"mip_rel_gap": 0.0, "time_limit": max(time_limit, 0.05), "disp": False},
        )
    x = None if res.x is None else np.asarray(res.x)
    bound = res.get("mip_dual_bound")
    optimal = res.status == 0 and x is not None
    if optimal and bound is None:
        bound = float(res.fun)
    return x, (None if bound is None else float(bound)), optimal


def solve_travel(
    cost: IntArray,
    *,
    low: int,
    high: int,
    time_limit: float,
    kept: Sequence[KeptClub] = (),
    fixed: frozenset[int] = frozenset(),
) -> TravelSolution:
    """Place every pair at a seat, in clubs of ``low``–``high``, for the least total travel.

    Without ``kept`` clubs the size bounds are hard (the caller checks a partition exists).
    With them, the members in ``fixed`` stay in their kept club, the others join a kept club
    or a new one, and places missing below ``low`` are minimised first, then travel.
    """
    n, m = cost.shape
    free = [i for i in range(n) if i not in fixed]
    n_free = len(free)
    n_kept = len(kept)
    k_max = max(1, n_free // max(low, 1)) if not kept else max(1, n_free)
    # Variables: x[i, s] (free pair i at a new club at seat s), y[s] (new clubs at s),
    # with --keep also a[i, j] (free pair i joins kept club j), short_s and short_j.
    nx = n_free * m
    na = n_free * n_kept
    soft = bool(kept)
    n_short = (m + n_kept) if soft else 0
    n_var = nx + m + na + n_short
    big = float(int(cost.sum()) + 1) if soft else 0.0
    c = np.zeros(n_var)
    for fi, i in enumerate(free):
        c[fi * m : (fi + 1) * m] = cost[i]
        for j, club in enumerate(kept):
            c[nx + m + fi * n_kept + j] = cost[i, club.seat]
    if soft:
        c[nx + m + na :] = big
    integrality = np.ones(n_var, dtype=np.int8)
    lb = np.zeros(n_var)
    ub = np.ones(n_var)
    ub[nx : nx + m] = k_max
    if soft:
        ub[nx + m + na :] = np.inf
    rows = _Rows()
    add = rows.add

    for fi in range(n_free):
        entries = [(fi * m + s, 1.0) for s in range(m)]
        entries += [(nx + m + fi * n_kept + j, 1.0) for j in range(n_kept)]
        add(entries, 1.0, 1.0)
    for s in range(m):
        members = [(fi * m + s, 1.0) for fi in range(n_free)]
        add([*members, (nx + s, -float(high))], -np.inf, 0.0)
        lower = [*members, (nx + s, -float(low))]
        if soft:
            lower.append((nx + m + na + s, 1.0))
        add(lower, 0.0, np.inf)
    if n_free * m <= STRONG_ROWS_MAX:
        for fi in range(n_free):
            for s in range(m):
                add([(fi * m + s, 1.0), (nx + s, -1.0)], -np.inf, 0.0)
    for j, club in enumerate(kept):
        base = len(club.members)
        joins = [(nx + m + fi * n_kept + j, 1.0) for fi in range(n_free)]
        add(joins, -np.inf, float(max(high, base) - base))
        add([*joins, (nx + m + na + m + j, 1.0)], float(low - base), np.inf)

    x, bound, optimal = _run_milp(c, integrality, lb, ub, rows, time_limit)
    if x is None:
        return _fallback(cost, low=low, high=high, kept=kept, fixed=fixed, bound=bound)
    xi = np.rint(x).astype(np.int64)
    seat_of = np.full(n, -1, dtype=np.int64)
    additions: list[tuple[int, int]] = []
    for fi, i in enumerate(free):
        row = xi[fi * m : (fi + 1) * m]
        if row.any():
            seat_of[i] = int(np.argmax(row))
        else:
            j = int(np.argmax(xi[nx + m + fi * n_kept : nx + m + (fi + 1) * n_kept]))
            additions.append((i, j))
            seat_of[i] = kept[j].seat
    for club in kept:
        for i in club.members:
            seat_of[i] = club.seat
    travel = int(cost[np.arange(n), seat_of].sum()) if n else 0
    shortfall = int(xi[nx + m + na :].sum()) if soft else 0
    if optimal:
        lower_bound = travel
    elif soft or bound is None:
        # With --keep the objective also weighs shortfalls, so its bound says nothing
        # about travel alone; the kept members' own travel is all that is certain.
        lower_bound = sum(int(cost[i, club.seat]) for club in kept for i in club.members)
    else:
        lower_bound = math.ceil(bound - 1e-6)
        optimal = lower_bound >= travel  # whole metres: reaching the travel proves it
    return TravelSolution(
        seat_of=seat_of,
        clubs_at=xi[nx : nx + m].copy(),
        travel=travel,
        bound=max(0, min(travel, lower_bound)),
        optimal=optimal,
        additions=tuple(additions),
        shortfall=shortfall,
    )


def _fallback(
    cost: IntArray,
    *,
    low: int,
    high: int,
    kept: Sequence[KeptClub],
    fixed: frozenset[int],
    bound: float | None,
) -> TravelSolution:
    """Return a feasible placement when HiGHS found none in time, and the LP's bound.

    Every free pair starts at its nearest seat; while some seat holds a count no split into
    clubs fits, the emptiest such seat is closed and its pairs go to their nearest open seat.
    """
    n, m = cost.shape
    free = [i for i in range(n) if i not in fixed]
    seat_of = np.full(n, -1, dtype=np.int64)
    for club in kept:
        for i in club.members:
            seat_of[i] = club.seat
    clubs_at = np.zeros(m, dtype=np.int64)
    if free:
        open_ = np.ones(m, dtype=bool)
        seat_of[free] = np.argmin(cost[free], axis=1)
        while True:
            counts = np.bincount(seat_of[free], minlength=m)
            wrong = [
                s
                for s in range(m)
                if counts[s] and not partition_possible(int(counts[s]), low, high)
            ]
            if not wrong or open_.sum() == 1:
                break
            worst = min(wrong, key=lambda s: (counts[s], s))
            open_[worst] = False
            movers = [i for i in free if seat_of[i] == worst]
            masked = np.where(open_[None, :], cost[movers], np.iinfo(np.int64).max)
            seat_of[movers] = np.argmin(masked, axis=1)
        counts = np.bincount(seat_of[free], minlength=m)
        for s in range(m):
            count = int(counts[s])
            if count:
                clubs_at[s] = next(
                    (k for k in range(1, count + 1) if k * low <= count <= k * high), 1
                )
    travel = int(cost[np.arange(n), seat_of].sum()) if n else 0
    if not kept:
        found = relaxation(cost, low=low, high=high)
        if found is not None:
            bound = max(bound or 0.0, found[0])
    proved = 0 if bound is None or kept else min(travel, math.ceil(bound - 1e-6))
    return TravelSolution(
        seat_of=seat_of,
        clubs_at=clubs_at,
        travel=travel,
        bound=proved,
        # Costs are whole metres, so a bound that reaches the travel proves it least.
        optimal=not kept and proved >= travel,
    )


def open_seats(cost: IntArray, *, low: int, high: int, travel: int) -> npt.NDArray[np.bool_]:
    """Return which (pair, seat) placements some pairing of travel ≤ ``travel`` may use.

    Reduced-cost fixing on tier 1's LP relaxation: with LP optimum z and reduced cost d of
    "pair i at seat s", every pairing that places i at s travels at least z + d, so where
    that exceeds ``travel`` no least-travel pairing does it. The composition tier then
    leaves those placements out, which keeps its optimum and makes it far smaller.
    """
    found = relaxation(cost, low=low, high=high)
    if found is None:
        return np.ones(cost.shape, dtype=bool)
    z, reduced = found
    # Costs are whole metres: a margin of a metre (or a millionth) absorbs LP round-off.
    margin = max(1.0, 1e-6 * float(travel))
    return np.asarray(z + reduced <= travel + margin)


def relaxation(
    cost: IntArray, *, low: int, high: int
) -> tuple[float, npt.NDArray[np.float64]] | None:
    """Return tier 1's LP optimum (a lower bound on travel) and each placement's reduced cost."""
    n, m = int(cost.shape[0]), int(cost.shape[1])
    nx = n * m
    k_max = max(1, n // max(low, 1))
    c = np.concatenate([cost.reshape(-1).astype(np.float64), np.zeros(m)])
    eq_rows, eq_cols = np.repeat(np.arange(n), m), np.arange(nx)
    a_eq = coo_matrix((np.ones(nx), (eq_rows, eq_cols)), shape=(n, nx + m))
    ub_r: list[int] = []
    ub_c: list[int] = []
    ub_v: list[float] = []
    for s in range(m):
        for row, sign in ((2 * s, 1.0), (2 * s + 1, -1.0)):
            ub_r += [row] * n + [row]
            ub_c += [i * m + s for i in range(n)] + [nx + s]
            ub_v += [sign] * n + [-sign * (high if sign > 0 else low)]
    # x[i, s] ≤ y[s]: a pair meets at a seat only if a club does, the strong p-median row
    # that keeps the relaxation from opening fractions of clubs.
    for i in range(n):
        for s in range(m):
            row = 2 * m + i * m + s
            ub_r += [row, row]
            ub_c += [i * m + s, nx + s]
            ub_v += [1.0, -1.0]
    n_rows = 2 * m + nx
    a_ub = coo_matrix((ub_v, (ub_r, ub_c)), shape=(n_rows, nx + m))
    bounds = [(0.0, 1.0)] * nx + [(0.0, float(k_max))] * m
    with native_stdout_to_stderr():
        res = linprog(
            c,
            A_ub=a_ub.tocsr(),
            b_ub=np.zeros(n_rows),
            A_eq=a_eq.tocsr(),
            b_eq=np.ones(n),
            bounds=bounds,
            method="highs",
        )
    if res.status != 0 or res.x is None:
        return None
    return float(res.fun), np.asarray(res.lower.marginals)[:nx].reshape(n, m)


def solve_composition(
    cost: IntArray,
    *,
    travel: int,
    low: int,
    high: int,
    speaks: npt.NDArray[np.bool_],
    kind: IntArray,
    time_limit: float,
    allowed: npt.NDArray[np.bool_] | None = None,
) -> tuple[list[tuple[int, list[int]]], int, bool] | None:
    """Among placements of travel ≤ ``travel``, form the most clubs that share and mix.

    Returns ([(seat, members)…], upper bound on such clubs, optimal), or None when HiGHS
    found no placement in time.
    """
    n, m = int(cost.shape[0]), int(cost.shape[1])
    n_lang = int(speaks.shape[1])
    n_kind = len(KINDS)
    k_max = n // low
    per = m + n * m + n_lang + n_kind + 1
    n_var = k_max * per

    def v(k: int, s: int) -> int:
        return k * per + s

    def x(k: int, i: int, s: int) -> int:
        return k * per + m + i * m + s

    def h(k: int, lang: int) -> int:
        return k * per + m + n * m + lang

    def q(k: int, kd: int) -> int:
        return k * per + m + n * m + n_lang + kd

    def g(k: int) -> int:
        return k * per + per - 1

    c = np.zeros(n_var)
    for k in range(k_max):
        c[g(k)] = -1.0
    rows = _Rows()
    add = rows.add

    for i in range(n):
        add([(x(k, i, s), 1.0) for k in range(k_max) for s in range(m)], 1.0, 1.0)
    add(
        [(x(k, i, s), float(cost[i, s])) for k in range(k_max) for i in range(n) for s in range(m)],
        -np.inf,
        float(travel),
    )
    for k in range(k_max):
        for s in range(m):
            inside = [(x(k, i, s), 1.0) for i in range(n)]
            add([*inside, (v(k, s), -float(high))], -np.inf, 0.0)
            add([*inside, (v(k, s), -float(low))], 0.0, np.inf)
        add([(v(k, s), 1.0) for s in range(m)], -np.inf, 1.0)
        if k + 1 < k_max:  # open clubs come first: no two numberings of one solution
            add([(v(k, s), 1.0) for s in range(m)] + [(v(k + 1, s), -1.0) for s in range(m)], 0, 1)
        for lang in range(n_lang):
            outsiders = [
                (x(k, i, s), 1.0) for i in range(n) if not speaks[i, lang] for s in range(m)
            ]
            add([*outsiders, (h(k, lang), float(high))], -np.inf, float(high))
        add([(g(k), 1.0)] + [(h(k, lang), -1.0) for lang in range(n_lang)], -np.inf, 0.0)
        for kd in range(n_kind):
            holders = [(x(k, i, s), -1.0) for i in range(n) if kind[i] == kd for s in range(m)]
            add([(q(k, kd), 1.0), *holders], -np.inf, 0.0)
        add([(g(k), 2.0)] + [(q(k, kd), -1.0) for kd in range(n_kind)], -np.inf, 0.0)
    integrality = np.ones(n_var, dtype=np.int8)
    ub = np.ones(n_var)
    # Number clubs by their first member: pair i is in one of clubs 0..i. Every partition
    # keeps one numbering, so no optimum is lost and the search skips the copies.
    for i in range(n):
        for k in range(k_max):
            for s in range(m):
                if k > i or (allowed is not None and not allowed[i, s]):
                    ub[x(k, i, s)] = 0.0
    x_opt, bound, optimal = _run_milp(c, integrality, np.zeros(n_var), ub, rows, time_limit)
    if x_opt is None:
        return None
    xi = np.rint(x_opt).astype(np.int64)
    clubs: list[tuple[int, list[int]]] = []
    for k in range(k_max):
        opened = [s for s in range(m) if xi[v(k, s)]]
        if not opened:
            continue
        s = opened[0]
        clubs.append((s, [i for i in range(n) if xi[x(k, i, s)]]))
    best = -bound if bound is not None else float(k_max)
    return clubs, math.floor(best + 1e-6), optimal
