"""Group each region's pairs into clubs that meet at a province seat: an exact p-median.

Two tiers, solved in turn with HiGHS (``scipy.optimize.milp``), per region:

1. **Travel.** Every pair goes to one seat; a seat holding ``n`` pairs in ``y`` clubs needs
   ``min·y ≤ n ≤ max·y``. Clubs at one seat are interchangeable, so counting clubs per seat
   (an integer ``y``) instead of naming them is exact for travel and has no symmetry. The
   travel of a pair at a seat is ``partner km + developer_weight × developer km`` (a remote
   developer counts 0), rounded to whole metres so that optima compare exactly.
2. **Composition.** Among the pairings of least travel, the most clubs whose members share a
   language and hold at least two partner kinds. This needs named clubs (pair × club × seat
   variables), so it is solved exactly only while that model stays small; otherwise each
   seat's pairs are dealt into its clubs by kind and the count is reported as found, not
   proved.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy.optimize import Bounds, LinearConstraint, linprog, milp
from scipy.sparse import coo_matrix

from matcher.errors import UsageError
from matcher.geo import haversine_km, locate
from matcher.i18n import _
from matcher.models import KINDS
from matcher.reference import PROVINCES, REGIONS, get_region
from matcher.solver.quiet import native_stdout_to_stderr

if TYPE_CHECKING:
    from matcher.previous import PreviousRun

IntArray = npt.NDArray[np.int64]
# Beyond this many open pair × club × seat variables the composition tier is dealt, not
# solved; beyond the dense count the model is not even built.
COMPOSITION_MAX_VARIABLES = 20_000
COMPOSITION_DENSE_LIMIT = 300_000
# Up to this many pair × seat placements tier 1 adds x[i, s] ≤ y[s]: on small regions the
# tighter relaxation halves the search, on large ones the extra rows cost more than they save
# (bench/bench_clubs.py: 50 pairs 0.85 → 0.36 s, 500 pairs 0.5 → 1.4 s with the rows).
STRONG_ROWS_MAX = 1_000
# The composition tier is not started with less time than this left in the region's budget.
COMPOSITION_MIN_SECONDS = 0.2


@dataclass(frozen=True)
class Seat:
    """A province or prefecture seat where clubs may meet."""

    code: str
    name: str
    lat: float
    lon: float


@dataclass(frozen=True)
class Member:
    """A pair as a club member: its ids, kind, shared languages and where both people are."""

    developer_id: str
    partner_id: str
    partner_kind: str
    partner_sector: str
    languages: tuple[str, ...]  # spoken by both the developer and the partner
    remote: bool  # a remote developer joins online: their distance counts 0
    developer_lat: float
    developer_lon: float
    partner_lat: float
    partner_lon: float


@dataclass(frozen=True)
class KeptClub:
    """A club of an earlier run whose remaining members stay together, at its seat."""

    id: str
    seat: int  # index into the region's seats
    members: tuple[int, ...]  # indices into the region's members


@dataclass(frozen=True)
class Club:
    """One club: its id, seat and members (indices into its region's members)."""

    id: str
    region: str
    seat: Seat
    members: tuple[int, ...]
    kept: bool = False


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


@dataclass
class RegionClubs:
    """The clubs of one region with the travel, bound and gap the solver proved."""

    code: str
    name: str
    seats: tuple[Seat, ...]
    members: tuple[Member, ...]
    clubs: list[Club]
    travel_km: float
    bound_km: float
    optimal: bool
    good_clubs: int
    good_bound: int
    composition_optimal: bool
    status: str  # optimal | time_limit | infeasible_size | one_pair | no_pairs | kept
    warnings: list[str] = field(default_factory=list)
    seconds: float = 0.0
    kept_members: frozenset[int] = frozenset()  # members that stayed in their kept club

    @property
    def gap(self) -> float:
        """Return (travel − bound) / travel: 0 when travel is proved least."""
        if self.travel_km <= 0:
            return 0.0
        return max(0.0, (self.travel_km - self.bound_km) / self.travel_km)


@dataclass
class ClubsResult:
    """Every region's clubs and the settings they were formed with."""

    regions: list[RegionClubs]
    size_min: int
    size_max: int
    developer_weight: float
    time_limit: float
    kept_from: str | None = None
    reopened: bool = False
    moved: int = 0  # kept members that left their club's other kept members (--reopen)

    @property
    def clubs(self) -> list[Club]:
        """Return every club, region by region."""
        return [c for r in self.regions for c in r.clubs]

    @property
    def warnings(self) -> list[str]:
        """Return every region's warnings."""
        return [w for r in self.regions for w in r.warnings]


def region_seats(region: str) -> tuple[Seat, ...]:
    """Return the province and prefecture seats of a region, by HCP code.

    Casablanca's préfectures d'arrondissements are parts of one town, Casablanca, whose
    prefecture is a seat already: several clubs may meet there.
    """
    return tuple(
        Seat(p.code, p.name, p.lat, p.lon)
        for p in PROVINCES
        if p.region == region and p.type != "prefecture_of_arrondissements"
    )


def distances(
    members: Sequence[Member], seats: Sequence[Seat]
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Return (partner km, developer km) from every member to every seat; remote devs 0."""
    if not members or not seats:
        empty = np.zeros((len(members), len(seats)))
        return empty, empty.copy()
    s_lat = np.array([s.lat for s in seats])[None, :]
    s_lon = np.array([s.lon for s in seats])[None, :]
    p_lat = np.array([m.partner_lat for m in members])[:, None]
    p_lon = np.array([m.partner_lon for m in members])[:, None]
    d_lat = np.array([m.developer_lat for m in members])[:, None]
    d_lon = np.array([m.developer_lon for m in members])[:, None]
    partner_km = haversine_km(p_lat, p_lon, s_lat, s_lon)
    developer_km = haversine_km(d_lat, d_lon, s_lat, s_lon)
    remote = np.array([m.remote for m in members])
    developer_km[remote, :] = 0.0
    return partner_km, developer_km


def travel_metres(
    partner_km: npt.NDArray[np.float64],
    developer_km: npt.NDArray[np.float64],
    *,
    developer_weight: float,
) -> IntArray:
    """Return each pair's travel to each seat in whole metres (the solver's exact costs)."""
    return np.rint((partner_km + developer_weight * developer_km) * 1000.0).astype(np.int64)


def parse_size(text: str) -> tuple[int, int]:
    """Return (min, max) from "6-10" (or "8" for an exact size); raise UsageError otherwise."""
    parts = [p.strip() for p in text.replace("–", "-").split("-")]
    if len(parts) == 1:
        parts = parts * 2
    if len(parts) != 2 or not all(p.isdigit() for p in parts):
        raise UsageError(
            _('--size takes "MIN-MAX" pairs per club, such as "6-10", not "{text}"').format(
                text=text
            )
        )
    low, high = int(parts[0]), int(parts[1])
    if low < 1 or low > high:
        raise UsageError(
            _("--size {text}: the minimum must be 1 or more and at most the maximum").format(
                text=text
            )
        )
    return low, high


def partition_possible(n: int, low: int, high: int) -> bool:
    """Return whether ``n`` pairs split into clubs of ``low``–``high`` pairs each."""
    return any(k * low <= n <= k * high for k in range(1, n // max(low, 1) + 1))


def possible_sizes(n: int, *, most: int = 3) -> list[tuple[int, int, int]]:
    """Return (clubs, smallest, largest) for splitting ``n`` pairs evenly into 1..most clubs."""
    out = []
    for k in range(1, min(most, n) + 1):
        out.append((k, n // k, -(-n // k)))
    return out


def _run_milp(
    c: npt.NDArray[np.float64],
    integrality: npt.NDArray[np.int8],
    lb: npt.NDArray[np.float64],
    ub: npt.NDArray[np.float64],
    rows: tuple[list[int], list[int], list[float]],
    row_lb: list[float],
    row_ub: list[float],
    time_limit: float,
) -> tuple[npt.NDArray[np.float64] | None, float | None, bool]:
    """Minimise ``c·x``; return (x or None, proven lower bound or None, optimal)."""
    r, col, val = rows
    matrix = coo_matrix((val, (r, col)), shape=(len(row_lb), c.shape[0])).tocsr()
    with native_stdout_to_stderr():
        res = milp(
            c,
            integrality=integrality,
            bounds=Bounds(lb, ub),
            constraints=LinearConstraint(matrix, np.array(row_lb), np.array(row_ub)),
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
    rows: tuple[list[int], list[int], list[float]] = ([], [], [])
    row_lb: list[float] = []
    row_ub: list[float] = []

    def add(entries: Sequence[tuple[int, float]], lo: float, hi: float) -> None:
        r = len(row_lb)
        for col, val in entries:
            rows[0].append(r)
            rows[1].append(col)
            rows[2].append(val)
        row_lb.append(lo)
        row_ub.append(hi)

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

    x, bound, optimal = _run_milp(c, integrality, lb, ub, rows, row_lb, row_ub, time_limit)
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


def deal(
    indices: Sequence[int], clubs: int, *, kinds: Sequence[str], ids: Sequence[str]
) -> list[list[int]]:
    """Split a seat's pairs into ``clubs`` clubs of near-equal size, dealt by kind to mix them."""
    order = sorted(indices, key=lambda i: (kinds[i], ids[i]))
    groups: list[list[int]] = [[] for _ in range(max(clubs, 1))]
    for k, i in enumerate(order):
        groups[k % len(groups)].append(i)
    return [sorted(g, key=lambda i: ids[i]) for g in groups if g]


def is_good(members: Sequence[Member]) -> bool:
    """Return whether a club's members share a language and hold two partner kinds or more."""
    if not members:
        return False
    common = set(members[0].languages)
    for m in members[1:]:
        common &= set(m.languages)
    return bool(common) and len({m.partner_kind for m in members}) >= 2


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
    rows: tuple[list[int], list[int], list[float]] = ([], [], [])
    row_lb: list[float] = []
    row_ub: list[float] = []

    def add(entries: Sequence[tuple[int, float]], lo: float, hi: float) -> None:
        r = len(row_lb)
        for col, val in entries:
            rows[0].append(r)
            rows[1].append(col)
            rows[2].append(val)
        row_lb.append(lo)
        row_ub.append(hi)

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
    x_opt, bound, optimal = _run_milp(
        c, integrality, np.zeros(n_var), ub, rows, row_lb, row_ub, time_limit
    )
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


def form_region(
    code: str,
    members: Sequence[Member],
    *,
    low: int,
    high: int,
    developer_weight: float,
    time_limit: float,
    kept: Sequence[KeptClub] = (),
) -> RegionClubs:
    """Form one region's clubs: tier 1 (travel), then tier 2 (shared language, mixed kinds)."""
    started = time.perf_counter()
    region = get_region(code)
    seats = region_seats(code)
    members = tuple(members)
    n = len(members)
    out = RegionClubs(code, region.name, seats, members, [], 0.0, 0.0, True, 0, 0, True, "")
    if n == 0:
        out.status = "no_pairs"
        return out
    partner_km, developer_km = distances(members, seats)
    cost = travel_metres(partner_km, developer_km, developer_weight=developer_weight)
    ids = [m.partner_id for m in members]
    kinds = [m.partner_kind for m in members]
    fixed = frozenset(i for club in kept for i in club.members)
    out.kept_members = fixed
    groups: list[tuple[int, list[int], str | None]] = []  # (seat, members, kept id)
    if kept:
        sol = solve_travel(cost, low=low, high=high, time_limit=time_limit, kept=kept, fixed=fixed)
        joined: dict[int, list[int]] = {j: list(c.members) for j, c in enumerate(kept)}
        for i, j in sol.additions:
            joined[j].append(i)
        for j, club in enumerate(kept):
            groups.append((club.seat, sorted(joined[j], key=lambda i: ids[i]), club.id))
        placed = {i for _, g, _ in groups for i in g}
        for s in range(len(seats)):
            here = [i for i in range(n) if i not in placed and sol.seat_of[i] == s]
            for g in deal(here, int(sol.clubs_at[s]), kinds=kinds, ids=ids):
                groups.append((s, g, None))
        out.status = "kept"
        out.composition_optimal = False
        if sol.shortfall:
            out.warnings.append(
                _(
                    "{region}: {short} place(s) are missing below the minimum of {low} "
                    "pairs in the kept clubs; give --reopen to re-form them"
                ).format(region=region.name, short=sol.shortfall, low=low)
            )
    elif n == 1 or not partition_possible(n, low, high):
        best = int(np.argmin(cost.sum(axis=0)))
        sol = TravelSolution(
            seat_of=np.full(n, best, dtype=np.int64),
            clubs_at=np.eye(len(seats), dtype=np.int64)[best],
            travel=int(cost[:, best].sum()),
            bound=int(cost[:, best].sum()),
            optimal=True,
        )
        groups.append((best, list(range(n)), None))
        if n == 1:
            out.status = "one_pair"
            out.warnings.append(
                _(
                    "{region}: only 1 pair; it forms a club of its own, which meets at {seat}"
                ).format(region=region.name, seat=seats[best].name)
            )
        else:
            out.status = "infeasible_size"
            sizes = ", ".join(
                _("{clubs} club(s) of {low}–{high}").format(clubs=k, low=a, high=b)
                if a != b
                else _("{clubs} club(s) of {size}").format(clubs=k, size=a)
                for k, a, b in possible_sizes(n)
            )
            out.warnings.append(
                _(
                    "{region}: {n} pairs cannot be split into clubs of {low}–{high} pairs; "
                    "they form one club of {n}. Sizes possible for {n} pairs: {sizes} "
                    "(change --size)"
                ).format(region=region.name, n=n, low=low, high=high, sizes=sizes)
            )
    else:
        sol = solve_travel(cost, low=low, high=high, time_limit=time_limit)
        for s in range(len(seats)):
            here = [i for i in range(n) if sol.seat_of[i] == s]
            for g in deal(here, int(sol.clubs_at[s]), kinds=kinds, ids=ids):
                groups.append((s, g, None))
        out.status = "optimal" if sol.optimal else "time_limit"
    _compose(out, groups, cost, sol, low=low, high=high, time_limit=time_limit, started=started)
    out.travel_km = sol.travel / 1000.0
    out.bound_km = sol.bound / 1000.0
    out.optimal = sol.optimal
    if not sol.optimal:
        out.warnings.append(
            _(
                "{region}: the time limit ended the search; the clubs are the best found, "
                "at most {gap:.2%} above the least travel"
            ).format(region=region.name, gap=out.gap)
        )
    out.seconds = time.perf_counter() - started
    return out


def _compose(
    out: RegionClubs,
    groups: list[tuple[int, list[int], str | None]],
    cost: IntArray,
    sol: TravelSolution,
    *,
    low: int,
    high: int,
    time_limit: float,
    started: float,
) -> None:
    """Run tier 2 where it can change something, then store the groups as clubs."""
    members = out.members
    n = len(members)
    good = sum(is_good([members[i] for i in g]) for _, g, _ in groups)
    # Clubs at one seat cost the same travel however many there are, so tier 2 may also
    # split a seat's pairs into more clubs: up to n // low of them.
    most = max(len(groups), n // max(low, 1))
    out.good_clubs, out.good_bound = good, most
    forced = out.status in ("infeasible_size", "one_pair") or n // max(low, 1) < 2
    if forced or good == most:
        out.good_bound = good if forced else most
        out.composition_optimal = True
        _store(out, groups)
        return
    out.composition_optimal = False
    if out.status == "kept" or most * n * len(out.seats) > COMPOSITION_DENSE_LIMIT:
        _store(out, groups)
        return
    allowed = open_seats(cost, low=low, high=high, travel=sol.travel)
    left = time_limit - (time.perf_counter() - started)
    if most * int(allowed.sum()) > COMPOSITION_MAX_VARIABLES or left < COMPOSITION_MIN_SECONDS:
        _store(out, groups)
        return
    languages = sorted({lang for m in members for lang in m.languages})
    speaks = np.array([[lang in m.languages for lang in languages] for m in members], dtype=bool)
    speaks = speaks.reshape(n, len(languages))
    kind = np.array([KINDS.index(m.partner_kind) for m in members], dtype=np.int64)
    found = solve_composition(
        cost,
        travel=sol.travel,
        low=low,
        high=high,
        speaks=speaks,
        kind=kind,
        time_limit=left,
        allowed=allowed,
    )
    if found is not None:
        clubs, bound, optimal = found
        travel = sum(int(cost[i, s]) for s, g in clubs for i in g)
        new_good = sum(is_good([members[i] for i in g]) for _, g in clubs)
        sizes_ok = all(low <= len(g) <= high for _, g in clubs)
        covered = sorted(i for _, g in clubs for i in g) == list(range(n))
        # HiGHS's answer is checked, not trusted: same travel, bounds, every pair once.
        if travel <= sol.travel and sizes_ok and covered and new_good >= good:
            groups = [(s, g, None) for s, g in clubs]
            good = new_good
            out.good_bound = good if optimal else max(good, min(bound, most))
            # Least travel is proved only when tier 1 was: only then is this the optimum.
            out.composition_optimal = optimal and sol.optimal
    out.good_clubs = good
    _store(out, groups)


def _store(out: RegionClubs, groups: list[tuple[int, list[int], str | None]]) -> None:
    ids = [m.partner_id for m in out.members]
    out.clubs = [
        Club(
            club_id or "",
            out.code,
            out.seats[s],
            tuple(sorted(g, key=lambda i: ids[i])),
            kept=club_id is not None,
        )
        for s, g, club_id in groups
        if g
    ]
    out.clubs.sort(key=lambda c: (c.seat.code, ids[c.members[0]]))


def number_clubs(regions: Sequence[RegionClubs], *, taken: Sequence[str] = ()) -> None:
    """Give every club without an id the next free "C-NN", in region and seat order."""
    numbers = [int(t.split("-")[-1]) for t in taken if t.split("-")[-1].isdigit()]
    next_number = max(numbers, default=0) + 1
    total = sum(1 for r in regions for c in r.clubs if not c.id) + next_number - 1
    width = max(2, len(str(total)))
    for region in regions:
        for k, club in enumerate(region.clubs):
            if not club.id:
                region.clubs[k] = Club(
                    f"C-{next_number:0{width}d}", club.region, club.seat, club.members, club.kept
                )
                next_number += 1


def all_regions() -> list[str]:
    """Return the 12 region codes in order."""
    return [r.code for r in REGIONS]


@dataclass(frozen=True)
class KeepRow:
    """One member line of an earlier clubs.csv, as --keep reads it."""

    club_id: str
    region: str
    seat_code: str
    developer_id: str
    partner_id: str


def members_from_run(run: PreviousRun) -> dict[str, list[Member]]:
    """Return each region's pairs as club members; a pair belongs to the partner's region."""
    developers = {d.id: d for d in run.dataset.developers}
    partners = {p.id: p for p in run.dataset.partners}
    out: dict[str, list[Member]] = {code: [] for code in all_regions()}
    for dev_id, par_id in sorted(run.pairs, key=lambda pair: (pair[1], pair[0])):
        d, p = developers[dev_id], partners[par_id]
        d_lat, d_lon, _src = locate(d)
        p_lat, p_lon, _src = locate(p)
        shared = tuple(lang for lang in p.languages if lang in set(d.languages))
        out[p.region].append(
            Member(
                developer_id=d.id,
                partner_id=p.id,
                partner_kind=p.kind,
                partner_sector=p.sector,
                languages=shared,
                remote=d.mobility == "remote",
                developer_lat=d_lat,
                developer_lon=d_lon,
                partner_lat=p_lat,
                partner_lon=p_lon,
            )
        )
    return out


def _kept_clubs(
    code: str, members: Sequence[Member], seats: Sequence[Seat], keep: Sequence[KeepRow]
) -> tuple[list[KeptClub], list[str]]:
    """Return the region's kept clubs (members still paired) and the ids of emptied ones."""
    index = {(m.developer_id, m.partner_id): i for i, m in enumerate(members)}
    seat_index = {s.code: k for k, s in enumerate(seats)}
    by_club: dict[str, list[KeepRow]] = {}
    for row in keep:
        if row.region == code:
            by_club.setdefault(row.club_id, []).append(row)
    kept: list[KeptClub] = []
    emptied: list[str] = []
    for club_id in sorted(by_club):
        rows = by_club[club_id]
        still = sorted(
            index[(r.developer_id, r.partner_id)]
            for r in rows
            if (r.developer_id, r.partner_id) in index
        )
        if not still:
            emptied.append(club_id)
            continue
        kept.append(KeptClub(club_id, seat_index[rows[0].seat_code], tuple(still)))
    return kept, emptied


def form_clubs(
    run: PreviousRun,
    *,
    low: int,
    high: int,
    time_limit: float = 10.0,
    keep: Sequence[KeepRow] | None = None,
    reopen: bool = False,
    kept_from: str | None = None,
) -> ClubsResult:
    """Form the clubs of every region of a result folder (optionally keeping earlier ones)."""
    weight = run.config.clubs.developer_weight
    by_region = members_from_run(run)
    regions: list[RegionClubs] = []
    for code in all_regions():
        members = by_region[code]
        kept: list[KeptClub] = []
        emptied: list[str] = []
        if keep is not None and not reopen:
            kept, emptied = _kept_clubs(code, members, region_seats(code), keep)
        region = form_region(
            code,
            members,
            low=low,
            high=high,
            developer_weight=weight,
            time_limit=time_limit,
            kept=kept,
        )
        for club_id in emptied:
            region.warnings.append(
                _("{club}: none of its members is paired any more; the club is closed").format(
                    club=club_id
                )
            )
        regions.append(region)
    taken = sorted({row.club_id for row in keep or ()})
    number_clubs(regions, taken=taken if keep is not None else ())
    result = ClubsResult(
        regions, low, high, weight, time_limit, kept_from=kept_from, reopened=reopen
    )
    if keep is not None and reopen:
        result.moved = moved_members(result, keep)
    return result


def moved_members(result: ClubsResult, keep: Sequence[KeepRow]) -> int:
    """Return how many still-paired members of the kept clubs left their club's majority."""
    club_of: dict[tuple[str, str], str] = {}
    for region in result.regions:
        for club in region.clubs:
            for i in club.members:
                m = region.members[i]
                club_of[(m.developer_id, m.partner_id)] = club.id
    moved = 0
    old: dict[str, list[str]] = {}
    for row in keep:
        now = club_of.get((row.developer_id, row.partner_id))
        if now is not None:
            old.setdefault(row.club_id, []).append(now)
    for now_ids in old.values():
        most = max(now_ids.count(c) for c in set(now_ids))
        moved += len(now_ids) - most
    return moved
