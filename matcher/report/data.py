"""Read a result folder for the report: manifest, pairs, unpaired people and (if any) clubs.

Only the folder is read, never the inputs, so a report can be made on another machine; the
files the manifest lists must still carry the hashes it recorded.
"""

from __future__ import annotations

import csv
import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from matcher.errors import InputError, Problem, StaleResultError, UsageError
from matcher.hashing import sha256_file
from matcher.i18n import _
from matcher.reference import get_region
from matcher.reference.provinces import find_province
from matcher.reference.regions import REGIONS

MANIFEST = "manifest.json"
PAIRINGS = "pairings.csv"
UNMATCHED = "unmatched.csv"
WORKBOOK = "pairings.xlsx"
CLUBS_CSV = "clubs.csv"
CLUBS_JSON = "clubs.json"
CRITERIA = ("skills", "languages", "distance", "sector", "availability")
CONTACTS = ("developer_email", "developer_phone", "partner_email", "partner_phone")
_QUOTED_FORMULA = ("'=", "'+", "'-", "'@", "'\t", "'\r", "'\n")


@dataclass(frozen=True)
class PairLine:
    """One pair as the report shows it."""

    region: str
    developer_id: str
    developer_name: str
    partner_id: str
    partner_name: str
    kind: str
    sector: str
    score: float
    criteria: dict[str, float]  # criterion -> value in [0, 1]
    distance_km: float | None
    locked: bool
    cross_region: bool
    contacts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Club:
    """One regional club: its seat (where it meets), its pairs and, when known, its place."""

    club_id: str
    region: str
    seat: str
    pairs: int
    lat: float | None
    lon: float | None
    mean_travel_km: float | None = None


@dataclass(frozen=True)
class RegionView:
    """One region's quota, pairs, shortfall, unpaired people and clubs."""

    code: str
    name: str
    priority: bool
    min: int
    max: int
    filled: int
    shortfall: int
    mean_score: float | None
    diagnosis: str | None
    relaxations: dict[str, int]
    pairs: list[PairLine]
    unpaired: dict[tuple[str, str], int]  # (side, reason) -> people
    clubs: list[Club]

    @property
    def ratio(self) -> float | None:
        """Return the share of wanted places filled (None when none were wanted)."""
        return self.filled / self.max if self.max else None


@dataclass(frozen=True)
class ReportData:
    """Everything the report shows, read from one result folder."""

    folder: Path
    manifest: dict[str, Any]
    regions: list[RegionView]
    weights: dict[str, float]
    names: bool  # whether people's names may be shown
    contacts: bool  # whether contact columns are shown
    pairing_rows: list[list[str]]  # pairings.csv as written (header first), for the workbook
    unmatched_rows: list[list[str]]

    @property
    def pairs(self) -> list[PairLine]:
        """Return every pair, region by region."""
        return [p for r in self.regions for p in r.pairs]

    @property
    def wanted(self) -> int:
        """Return the places wanted nationally (the sum of the regions' targets)."""
        return sum(r.max for r in self.regions)

    @property
    def filled(self) -> int:
        """Return the places filled nationally."""
        return sum(r.filled for r in self.regions)

    @property
    def mean_score(self) -> float | None:
        """Return the mean score of every pair."""
        pairs = self.pairs
        return round(sum(p.score for p in pairs) / len(pairs), 1) if pairs else None


def _cell(value: str) -> str:
    """Undo the apostrophe that made a cell formula-safe."""
    return value[1:] if value.startswith(_QUOTED_FORMULA) else value


def read_rows(path: Path) -> list[list[str]]:
    """Read a CSV matcher wrote ("," or, with ``--excel``, ";" between cells), header first."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        header = handle.readline()
        handle.seek(0)
        delimiter = ";" if ";" in header else ","
        return [[_cell(c) for c in row] for row in csv.reader(handle, delimiter=delimiter)]


def _number(text: str) -> float | None:
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _problem(name: str, message: str, hint: str) -> Problem:
    return Problem(name, None, None, message, hint, code="stale")


def _manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    if not folder.is_dir() or not path.exists():
        raise UsageError(
            _(
                "{folder} holds no {manifest}; give a folder written by `matcher match --out`"
            ).format(folder=folder, manifest=MANIFEST)
        )
    from matcher.manifest import parse_manifest

    # The shared model names the wrong key; the report also needs regions and objective.
    data = parse_manifest(path.read_bytes())[1]
    try:
        if not all(
            isinstance(data.get(key), kind)
            for key, kind in (("outputs", dict), ("regions", list), ("objective", dict))
        ):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        raise InputError(
            _("{manifest} is damaged").format(manifest=MANIFEST),
            [
                Problem(
                    MANIFEST,
                    None,
                    None,
                    _("not a manifest written by matcher"),
                    _("run `matcher match` again"),
                )
            ],
        ) from None
    return data


def check_outputs(folder: Path, manifest: dict[str, Any]) -> None:
    """Raise StaleResultError when a file the manifest lists was changed or removed."""
    problems = []
    outputs: dict[str, str] = manifest["outputs"]
    for name, digest in sorted(outputs.items()):
        path = folder / name
        # A result forwarded as its workbook alone may lack pairings.csv.
        spare = name == PAIRINGS and WORKBOOK in outputs and (folder / WORKBOOK).exists()
        if not path.exists() and spare:
            continue
        if not path.exists() or sha256_file(path) != digest:
            problems.append(
                _problem(
                    name,
                    _("was changed or removed after the run"),
                    _("results must not be edited; run `matcher match` again"),
                )
            )
    if problems:
        raise StaleResultError(
            _("{folder} no longer matches its manifest").format(folder=folder), problems
        )


def _pairing_rows(folder: Path) -> list[list[str]]:
    if (folder / PAIRINGS).exists() or not (folder / WORKBOOK).exists():
        return read_rows(folder / PAIRINGS)
    from matcher.pairs_file import read_pair_records

    records = read_pair_records(folder / WORKBOOK)
    header = list(records[0]) if records else []
    return [header] + [[r.get(h, "") for h in header] for r in records]


def _pair(row: dict[str, str], *, contacts: bool) -> PairLine:
    return PairLine(
        region=row["region_code"],
        developer_id=row["developer_id"],
        developer_name=row.get("developer_name", ""),
        partner_id=row["partner_id"],
        partner_name=row.get("partner_name", ""),
        kind=row.get("partner_kind", ""),
        sector=row.get("partner_sector", ""),
        score=_number(row.get("score", "")) or 0.0,
        criteria={c: _number(row.get(c, "")) or 0.0 for c in CRITERIA},
        distance_km=_number(row.get("distance_km", "")),
        locked=row.get("locked") == "yes",
        cross_region=row.get("cross_region") == "yes",
        contacts={c: row[c] for c in CONTACTS if contacts and row.get(c)},
    )


def _clubs(folder: Path, pairings_sha256: str | None) -> list[Club]:
    """Return the clubs of ``matcher clubs`` (clubs.csv, with clubs.json's details), if any."""
    if not (folder / CLUBS_CSV).exists():
        return []
    rows = read_rows(folder / CLUBS_CSV)
    if not rows or "club_id" not in rows[0]:
        return []
    details = _club_details(folder / CLUBS_JSON)
    made_from = details.pop("", {}).get("pairings_sha256")
    if made_from and pairings_sha256 and made_from != pairings_sha256:
        raise StaleResultError(
            _("the clubs of {folder} were formed from other pairs").format(folder=folder),
            [
                _problem(
                    CLUBS_JSON,
                    _("was made from another pairings.csv"),
                    _("run `matcher clubs` again, or remove clubs.csv and clubs.json"),
                )
            ],
        )
    header = rows[0]
    records = [dict(zip(header, r, strict=False)) for r in rows[1:]]
    members: Counter[str] = Counter(r["club_id"] for r in records)
    first: dict[str, dict[str, str]] = {}
    for r in records:
        first.setdefault(r["club_id"], r)
    clubs = []
    for club_id, r in sorted(first.items()):
        detail = details.get(club_id, {})
        region, seat = r.get("region_code", ""), r.get("seat", "")
        lat, lon = _place(detail) or _seat_place(r.get("seat_code", ""), seat, region)
        travel = detail.get("mean_travel_km")
        clubs.append(
            Club(
                club_id,
                region,
                seat,
                members[club_id],
                lat,
                lon,
                float(travel) if isinstance(travel, int | float) else None,
            )
        )
    return clubs


def _club_details(path: Path) -> dict[str, dict[str, Any]]:
    """Return clubs.json's entry for each club id (and, under "", the file's own fields)."""
    if not path.exists():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return {}
    items = data.get("clubs", []) if isinstance(data, dict) else data
    found: dict[str, dict[str, Any]] = {"": data if isinstance(data, dict) else {}}
    for item in items if isinstance(items, list) else []:
        if isinstance(item, dict) and item.get("id", item.get("club_id")) is not None:
            found[str(item.get("id", item.get("club_id")))] = item
    return found


def _place(detail: dict[str, Any]) -> tuple[float, float] | None:
    """Return a club's coordinates when clubs.json gives them."""
    seat = detail.get("seat")
    where = seat if isinstance(seat, dict) else detail
    for lat_key, lon_key in (("seat_lat", "seat_lon"), ("lat", "lon")):
        lat, lon = where.get(lat_key), where.get(lon_key)
        if isinstance(lat, int | float) and isinstance(lon, int | float):
            return float(lat), float(lon)
    return None


def _seat_place(code: str, seat: str, region: str) -> tuple[float | None, float | None]:
    """Place a seat by its province (code, then name) or its region's capital, else not at all."""
    province = find_province(code) if code else None
    if province is None and seat:
        province = find_province(seat)
    if province is not None:
        return province.lat, province.lon
    for r in REGIONS:
        if r.code == region and r.capital.casefold() == seat.casefold():
            return r.capital_lat, r.capital_lon
    return None, None


def load_report(folder: Path, *, names: bool = True, contacts: bool = False) -> ReportData:
    """Read and check a result folder; ``names``/``contacts`` say what the page may show."""
    manifest = _manifest(folder)
    check_outputs(folder, manifest)
    pairing_rows = _pairing_rows(folder)
    unmatched_rows = read_rows(folder / UNMATCHED) if (folder / UNMATCHED).exists() else [[]]
    header = pairing_rows[0] if pairing_rows else []
    pairs = [_pair(dict(zip(header, r, strict=False)), contacts=contacts) for r in pairing_rows[1:]]
    u_header = unmatched_rows[0]
    unpaired: Counter[tuple[str, str, str]] = Counter()
    for row in unmatched_rows[1:]:
        record = dict(zip(u_header, row, strict=False))
        unpaired[(record.get("region_code", ""), record["side"], record["reason"])] += 1
    clubs = _clubs(folder, manifest["outputs"].get(PAIRINGS))
    config = manifest.get("config", {})
    priority = set(config.get("priority", {}).get("regions", []))
    regions = []
    for entry in manifest["regions"]:
        code = entry["code"]
        regions.append(
            RegionView(
                code=code,
                name=get_region(code).name,
                priority=bool(entry.get("priority", code in priority)),
                min=int(entry["min"]),
                max=int(entry["max"]),
                filled=int(entry["filled"]),
                shortfall=int(entry["shortfall"]),
                mean_score=entry.get("mean_score"),
                diagnosis=entry.get("diagnosis"),
                relaxations=dict(entry.get("relaxations") or {}),
                pairs=sorted(
                    (p for p in pairs if p.region == code), key=lambda p: (-p.score, p.partner_id)
                ),
                unpaired={
                    (side, reason): n
                    for (region, side, reason), n in sorted(unpaired.items())
                    if region == code
                },
                clubs=[c for c in clubs if c.region == code],
            )
        )
    redacted = bool(manifest.get("options", {}).get("redacted"))
    weights = {c: float(config.get("weights", {}).get(c, 0.0)) for c in CRITERIA}
    return ReportData(
        folder=folder,
        manifest=manifest,
        regions=regions,
        weights=weights,
        names=names and not redacted,
        contacts=contacts and any(p.contacts for p in pairs),
        pairing_rows=pairing_rows,
        unmatched_rows=unmatched_rows,
    )
