"""clubs.csv and clubs.json: write them, read them back, and refuse stale or damaged ones."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from matcher.clubs import (
    Club,
    ClubsResult,
    KeepRow,
    RegionClubs,
    distances,
    is_good,
    region_seats,
)
from matcher.errors import InputError, Problem, StaleResultError, UsageError
from matcher.hashing import sha256_bytes, sha256_file
from matcher.i18n import _
from matcher.models import KINDS
from matcher.outputs import PAIRINGS, csv_bytes
from matcher.previous import _read_csv
from matcher.reference import get_region

CLUBS_CSV = "clubs.csv"
CLUBS_JSON = "clubs.json"
CLUB_FILES = (CLUBS_CSV, CLUBS_JSON)
CLUB_COLUMNS = [
    "club_id",
    "region_code",
    "region",
    "seat_code",
    "seat",
    "developer_id",
    "partner_id",
    "partner_kind",
    "partner_km",
    "developer_km",
    "developer_remote",
    "travel_km",
    "kept",
]
KEEP_COLUMNS = ("club_id", "region_code", "seat_code", "developer_id", "partner_id")


@dataclass(frozen=True)
class MemberTravel:
    """One member's distances to their club's seat, in km."""

    developer_id: str
    partner_id: str
    partner_kind: str
    partner_km: float
    developer_km: float
    remote: bool
    travel_km: float


def member_travel(region: RegionClubs, club: Club, *, weight: float) -> list[MemberTravel]:
    """Return each member's distances to the club's seat (developer km 0 when remote)."""
    members = [region.members[i] for i in club.members]
    partner_km, developer_km = distances(members, [club.seat])
    return [
        MemberTravel(
            m.developer_id,
            m.partner_id,
            m.partner_kind,
            round(float(partner_km[k, 0]), 1),
            round(float(developer_km[k, 0]), 1),
            m.remote,
            round(float(partner_km[k, 0] + weight * developer_km[k, 0]), 1),
        )
        for k, m in enumerate(members)
    ]


def clubs_rows(result: ClubsResult) -> list[list[str]]:
    """Return clubs.csv as rows (header first): one row per member, club by club."""
    rows = [CLUB_COLUMNS]
    for region in result.regions:
        for club in sorted(region.clubs, key=lambda c: c.id):
            travel = member_travel(region, club, weight=result.developer_weight)
            for i, t in zip(club.members, travel, strict=True):
                rows.append(
                    [
                        club.id,
                        region.code,
                        region.name,
                        club.seat.code,
                        club.seat.name,
                        t.developer_id,
                        t.partner_id,
                        t.partner_kind,
                        f"{t.partner_km:.1f}",
                        f"{t.developer_km:.1f}",
                        "yes" if t.remote else "no",
                        f"{t.travel_km:.1f}",
                        "yes" if i in region.kept_members else "no",
                    ]
                )
    return rows


def club_summary(region: RegionClubs, club: Club, *, weight: float) -> dict[str, Any]:
    """Return one club's summary: size, kinds, sectors, shared languages, travel."""
    members = [region.members[i] for i in club.members]
    travel = [t.travel_km for t in member_travel(region, club, weight=weight)]
    common = set(members[0].languages)
    for m in members[1:]:
        common &= set(m.languages)
    kinds = Counter(m.partner_kind for m in members)
    sectors = Counter(m.partner_sector for m in members)
    return {
        "id": club.id,
        "region_code": region.code,
        "region": region.name,
        "seat_code": club.seat.code,
        "seat": club.seat.name,
        "size": len(members),
        "kept": club.kept,
        "partner_kinds": {k: kinds[k] for k in KINDS},
        "sectors": dict(sorted(sectors.items())),
        "shared_languages": [lang for lang in members[0].languages if lang in common],
        "shares_and_mixes": is_good(members),
        "mean_travel_km": round(sum(travel) / len(travel), 1),
        "max_travel_km": round(max(travel), 1),
        "total_travel_km": round(sum(travel), 1),
    }


def region_summary(region: RegionClubs) -> dict[str, Any]:
    """Return one region's outcome: clubs, travel, bound, gap, what was proved, warnings."""
    return {
        "code": region.code,
        "name": region.name,
        "pairs": len(region.members),
        "clubs": len(region.clubs),
        "status": region.status,
        "travel_km": round(region.travel_km, 3),
        "bound_km": round(region.bound_km, 3),
        "gap": round(region.gap, 6),
        "optimal": region.optimal,
        "clubs_sharing_and_mixing": region.good_clubs,
        "clubs_sharing_and_mixing_bound": region.good_bound,
        "composition_optimal": region.composition_optimal,
        "warnings": list(region.warnings),
    }


def clubs_data(result: ClubsResult, *, pairings_sha256: str) -> dict[str, Any]:
    """Return clubs.json's content, without the hash of clubs.csv (added by club_files)."""
    weight = result.developer_weight
    return {
        "tool": "matcher",
        "command": "clubs",
        "pairings_sha256": pairings_sha256,
        "settings": {
            "size": {"min": result.size_min, "max": result.size_max},
            "developer_weight": weight,
            "time_limit_s": result.time_limit,
            "kept_from": result.kept_from,
            "reopened": result.reopened,
        },
        "totals": {
            "pairs": sum(len(r.members) for r in result.regions),
            "clubs": len(result.clubs),
            "travel_km": round(sum(r.travel_km for r in result.regions), 3),
            "bound_km": round(sum(r.bound_km for r in result.regions), 3),
            "optimal": all(r.optimal for r in result.regions),
            "moved_if_reopened": result.moved if result.reopened else None,
        },
        "regions": [region_summary(r) for r in result.regions],
        "clubs": [
            club_summary(r, c, weight=weight)
            for r in result.regions
            for c in sorted(r.clubs, key=lambda c: c.id)
        ],
    }


def club_files(result: ClubsResult, *, folder: Path) -> dict[str, bytes]:
    """Return clubs.csv and clubs.json as bytes; clubs.json records both files' sources."""
    csv_data = csv_bytes(clubs_rows(result))
    data = clubs_data(result, pairings_sha256=sha256_file(folder / PAIRINGS))
    data["clubs_csv_sha256"] = sha256_bytes(csv_data)
    text = json.dumps(data, ensure_ascii=False, indent=2) + "\n"
    return {CLUBS_CSV: csv_data, CLUBS_JSON: text.encode("utf-8")}


def read_keep(path: Path) -> list[KeepRow]:
    """Read an earlier clubs.csv for --keep; raise InputError naming rows and columns."""
    if not path.is_file():
        raise UsageError(
            _("{path} does not exist; --keep takes the clubs.csv of an earlier run").format(
                path=path
            )
        )
    try:
        rows = _read_csv(path)
    except (UnicodeDecodeError, ValueError):
        rows = []
    name = path.name
    header = set(rows[0]) if rows else set()
    missing = [c for c in KEEP_COLUMNS if c not in header]
    if missing:
        raise InputError(
            _("{file} is not a clubs.csv written by matcher").format(file=name),
            [
                Problem(
                    name,
                    None,
                    column,
                    _("missing column"),
                    _("give the clubs.csv that `matcher clubs` wrote"),
                    code="missing_column",
                )
                for column in missing
            ],
        )
    problems: list[Problem] = []
    seen: dict[tuple[str, str], int] = {}
    out: list[KeepRow] = []
    for number, row in enumerate(rows, start=2):
        keep = KeepRow(*(row[c].strip() for c in KEEP_COLUMNS))
        try:
            get_region(keep.region)
        except KeyError:
            problems.append(
                Problem(
                    name,
                    number,
                    "region_code",
                    _("not a region code"),
                    _("use MA-01 … MA-12"),
                )
            )
            continue
        if keep.seat_code not in {s.code for s in region_seats(keep.region)}:
            problems.append(
                Problem(
                    name,
                    number,
                    "seat_code",
                    _("not a seat of region {region}").format(region=keep.region),
                    _("give the clubs.csv that `matcher clubs` wrote"),
                )
            )
            continue
        pair = (keep.developer_id, keep.partner_id)
        if pair in seen:
            problems.append(
                Problem(
                    name,
                    number,
                    "partner_id",
                    _("this pair is already listed on row {row}").format(row=seen[pair]),
                    _("a pair belongs to one club"),
                )
            )
            continue
        seen[pair] = number
        out.append(keep)
    clubs_seats: dict[str, set[tuple[str, str]]] = {}
    for keep in out:
        clubs_seats.setdefault(keep.club_id, set()).add((keep.region, keep.seat_code))
    for club_id, places in sorted(clubs_seats.items()):
        if len(places) > 1:
            problems.append(
                Problem(
                    name,
                    None,
                    "seat_code",
                    _("club {club} is listed at more than one seat").format(club=club_id),
                    _("a club meets at one seat"),
                )
            )
    if problems:
        raise InputError(_("{file} cannot be kept").format(file=name), problems)
    return out


@dataclass(frozen=True)
class StoredClubs:
    """The clubs of a result folder, as clubs.csv and clubs.json hold them."""

    rows: list[dict[str, str]]
    data: dict[str, Any]


def load_clubs(folder: Path) -> StoredClubs | None:
    """Return the folder's clubs, None when it has none; raise when they are stale."""
    csv_path, json_path = folder / CLUBS_CSV, folder / CLUBS_JSON
    if not csv_path.exists() and not json_path.exists():
        return None
    stale = _(
        "was changed, or the pairs changed, after `matcher clubs`; run "
        "`matcher clubs {folder} --force` again"
    ).format(folder=folder)
    try:
        data = json.loads(json_path.read_text(encoding="utf-8"))
        ok = data["pairings_sha256"] == sha256_file(folder / PAIRINGS) and data[
            "clubs_csv_sha256"
        ] == sha256_file(csv_path)
    except (OSError, ValueError, KeyError, TypeError):
        ok = False
    if not ok:
        raise StaleResultError(
            _("the clubs of {folder} no longer match its pairs").format(folder=folder),
            [Problem(CLUBS_CSV, None, None, stale, code="stale")],
        )
    return StoredClubs(_read_csv(csv_path), data)
