"""Explain a club: its members, where it meets, and the travel its seat saves."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from matcher.club_files import MemberTravel, StoredClubs, member_travel
from matcher.clubs import Club, RegionClubs, distances, members_from_run, region_seats
from matcher.errors import InputError, Problem
from matcher.i18n import _
from matcher.previous import PreviousRun

Side = Literal["developer", "partner"]


@dataclass(frozen=True)
class SeatTravel:
    """The club's total travel if it met at one seat."""

    seat_code: str
    seat: str
    travel_km: float


@dataclass(frozen=True)
class ClubExplanation:
    """One club: members and their travel, its seat, and the seats it did not choose."""

    id: str
    region: str
    region_name: str
    seat_code: str
    seat: str
    members: tuple[MemberTravel, ...]
    travel_km: float
    next_seat: str | None
    next_travel_km: float | None
    saved_km: float | None
    shared_languages: tuple[str, ...]
    partner_kinds: tuple[tuple[str, int], ...]
    shares_and_mixes: bool
    seats: tuple[SeatTravel, ...]  # every seat of the region, least travel first


@dataclass(frozen=True)
class Membership:
    """Which club a person's pair is in."""

    club_id: str
    seat: str
    size: int


def _summary(stored: StoredClubs, club_id: str) -> dict[str, object]:
    for club in stored.data.get("clubs", []):
        if club["id"] == club_id:
            return dict(club)
    known = sorted(c["id"] for c in stored.data.get("clubs", []))
    raise InputError(
        _("no club with id {club}").format(club=club_id),
        [
            Problem(
                "clubs.csv",
                None,
                None,
                _("no club has id {club}").format(club=club_id),
                _("the clubs are {first} … {last}").format(first=known[0], last=known[-1])
                if known
                else None,
                code="unknown_id",
            )
        ],
    )


def explain_club(run: PreviousRun, stored: StoredClubs, *, club_id: str) -> ClubExplanation:
    """Explain one club: its members' travel, its seat, and what the next best seat costs."""
    summary = _summary(stored, club_id)
    weight = float(stored.data["settings"]["developer_weight"])
    region_code = str(summary["region_code"])
    members = members_from_run(run)[region_code]
    wanted = {(r["developer_id"], r["partner_id"]) for r in stored.rows if r["club_id"] == club_id}
    chosen = [m for m in members if (m.developer_id, m.partner_id) in wanted]
    seats = region_seats(region_code)
    partner_km, developer_km = distances(chosen, seats)
    totals = (partner_km + weight * developer_km).sum(axis=0)
    per_seat = sorted(
        (SeatTravel(s.code, s.name, round(float(totals[k]), 1)) for k, s in enumerate(seats)),
        key=lambda t: (t.travel_km, t.seat_code),
    )
    own = next(t for t in per_seat if t.seat_code == summary["seat_code"])
    others = [t for t in per_seat if t.seat_code != own.seat_code]
    nxt = others[0] if others else None
    seat = next(s for s in seats if s.code == own.seat_code)
    region = RegionClubs(
        region_code, str(summary["region"]), seats, tuple(chosen), [], 0, 0, True, 0, 0, True, ""
    )
    club = Club(club_id, region_code, seat, tuple(range(len(chosen))))
    travel = member_travel(region, club, weight=weight)
    kinds = summary["partner_kinds"]
    assert isinstance(kinds, dict)
    return ClubExplanation(
        id=club_id,
        region=region_code,
        region_name=str(summary["region"]),
        seat_code=own.seat_code,
        seat=own.seat,
        members=tuple(travel),
        travel_km=own.travel_km,
        next_seat=nxt.seat if nxt else None,
        next_travel_km=nxt.travel_km if nxt else None,
        saved_km=round(nxt.travel_km - own.travel_km, 1) if nxt else None,
        shared_languages=tuple(summary["shared_languages"]),  # type: ignore[arg-type]
        partner_kinds=tuple((str(k), int(v)) for k, v in kinds.items()),
        shares_and_mixes=bool(summary["shares_and_mixes"]),
        seats=tuple(per_seat),
    )


def membership(stored: StoredClubs | None, *, side: Side, person_id: str) -> Membership | None:
    """Return the club of the pair a person is in, or None (no clubs, or not paired)."""
    if stored is None:
        return None
    column = "developer_id" if side == "developer" else "partner_id"
    for row in stored.rows:
        if row[column] == person_id:
            size = sum(r["club_id"] == row["club_id"] for r in stored.rows)
            return Membership(row["club_id"], row["seat"], size)
    return None
