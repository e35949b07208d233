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

The MILPs themselves, on raw travel matrices, are in ``club_solver``; this module turns a
result folder's pairs into members, seats and travel, and the solutions into clubs.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matcher.club_solver import (
    IntArray,
    KeptClub,
    TravelSolution,
    open_seats,
    partition_possible,
    solve_composition,
    solve_travel,
)
from matcher.errors import UsageError
from matcher.geo import haversine_km, locate
from matcher.i18n import _
from matcher.models import KINDS
from matcher.reference import PROVINCES, REGIONS, get_region

if TYPE_CHECKING:
    from matcher.previous import PreviousRun

# Beyond this many open pair × club × seat variables the composition tier is dealt, not
# solved; beyond the dense count the model is not even built.
COMPOSITION_MAX_VARIABLES = 20_000
COMPOSITION_DENSE_LIMIT = 300_000
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
class Club:
    """One club: its id, seat and members (indices into its region's members)."""

    id: str
    region: str
    seat: Seat
    members: tuple[int, ...]
    kept: bool = False


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


def possible_sizes(n: int, *, most: int = 3) -> list[tuple[int, int, int]]:
    """Return (clubs, smallest, largest) for splitting ``n`` pairs evenly into 1..most clubs."""
    out = []
    for k in range(1, min(most, n) + 1):
        out.append((k, n // k, -(-n // k)))
    return out


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
