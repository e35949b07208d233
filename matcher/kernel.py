"""A fused scoring kernel: rules, score and developer-side pruning of a chunk in one pass.

It computes exactly what ``scoring.score_features`` + ``rules.feature_masks`` + the
developer-side pruning compute for a chunk of developers against one region's partners, pair
by pair instead of some 50 whole-block numpy passes: the same float32 criteria, the same
float64 sum in ``CRITERIA`` order, the same first-broken-rule counts and the same kept edges
(each developer's best ``cap`` per group by score, ties to the lower column, plus the allowed
locks). Distances and availabilities come from tables over distinct places and hours built
by the numpy functions themselves, so they are bit-identical too.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from matcher.compiled import cap_best, jit
from matcher.config import CRITERIA, MatcherConfig
from matcher.geo import haversine_km
from matcher.rules import RULES
from matcher.scoring import (
    MOBILITIES,
    DeveloperFeatures,
    PartnerFeatures,
    _availability_values,
    _distance_values,
    _places,
)

Int64s = npt.NDArray[np.int64]
Float64s = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Words = npt.NDArray[np.uint64]

_M1 = np.uint64(0x5555555555555555)
_M2 = np.uint64(0x3333333333333333)
_M4 = np.uint64(0x0F0F0F0F0F0F0F0F)
_H01 = np.uint64(0x0101010101010101)
_S1, _S2, _S4, _S56 = np.uint64(1), np.uint64(2), np.uint64(4), np.uint64(56)
_LOCAL = MOBILITIES.index("local")
_REMOTE = MOBILITIES.index("remote")


def bits(one_hot: npt.NDArray[np.float32]) -> Words:
    """Pack a 0/1 matrix into rows of 64-bit words (at least one word a row)."""
    packed = np.packbits(one_hot > 0, axis=1, bitorder="little")
    width = max(1, -(-packed.shape[1] // 8))
    out = np.zeros((one_hot.shape[0], width * 8), dtype=np.uint8)
    out[:, : packed.shape[1]] = packed
    return np.ascontiguousarray(out).view(np.uint64)


@jit
def _popcount(x: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    x = x - ((x >> _S1) & _M1)
    x = (x & _M2) + ((x >> _S2) & _M2)
    x = (x + (x >> _S4)) & _M4
    return (x * _H01) >> _S56


@jit
def _any(a: Words, i: int, b: Words, j: int) -> bool:  # pragma: no cover - compiled
    for w in range(a.shape[1]):  # noqa: SIM110 - numba compiles no generator into any()
        if a[i, w] & b[j, w]:
            return True
    return False


@jit
def _kernel(  # pragma: no cover - compiled
    d_region: Int64s,
    d_province: Int64s,
    d_local: Bools,
    d_cross: Bools,
    d_remote: Bools,
    d_skills: Words,
    d_langs: Words,
    d_sectors: Words,
    d_has_sectors: Bools,
    d_place: Int64s,
    d_hour: Int64s,
    p_region: Int64s,
    p_province: Int64s,
    p_needs: Words,
    p_n_needs: npt.NDArray[np.float32],
    p_langs: Words,
    p_first: Words,
    p_sector: Words,
    p_place: Int64s,
    p_hour: Int64s,
    km_table: npt.NDArray[np.float32],
    distance_table: npt.NDArray[np.float32],
    hours_table: npt.NDArray[np.float32],
    weights: Float64s,
    penalty: float,
    max_km: float,
    remote_max_km: float,
    remote_score: float,
    min_score: float,
    require_language: bool,
    forbidden: Bools,
    use_forbidden: bool,
    locks: Bools,
    use_locks: bool,
    group_start: Int64s,
    group_cap: Int64s,
    prune: bool,
    floors: Float64s,
    d_female: Bools,
    rule_counts: Int64s,
    row_allowed: Int64s,
) -> tuple[Int64s, Int64s, Float64s]:
    n_rows, n_cols = d_region.shape[0], p_region.shape[0]
    out_row = np.empty(n_rows * n_cols, dtype=np.int64)
    out_col = np.empty(n_rows * n_cols, dtype=np.int64)
    out_score = np.empty(n_rows * n_cols, dtype=np.float64)
    row_score = np.empty(n_cols, dtype=np.float64)
    row_ok = np.empty(n_cols, dtype=np.bool_)
    buf = np.empty(n_cols, dtype=np.float64)
    at = np.empty(n_cols, dtype=np.int64)
    spare = np.empty(n_cols, dtype=np.float64)
    kept = 0
    one = np.float32(1.0)
    half = np.float32(0.5)
    zero = np.float32(0.0)
    w0, w1, w2, w3, w4 = weights[0], weights[1], weights[2], weights[3], weights[4]
    for i in range(n_rows):
        region, province = d_region[i], d_province[i]
        local, cross_ok, has_sectors = d_local[i], d_cross[i], d_has_sectors[i]
        remote_dev = d_remote[i]
        place, hour = d_place[i], d_hour[i]
        for j in range(n_cols):
            row_ok[j] = False
            rule = -1
            if use_forbidden and forbidden[i, j]:
                rule = 0
            same_region = region == p_region[j]
            if rule < 0 and local:
                unknown = province < 0 or p_province[j] < 0
                if not (same_region and (unknown or province == p_province[j])):
                    rule = 1
            if rule < 0 and not same_region and not cross_ok:
                rule = 2
            shared_any = _any(d_langs, i, p_langs, j)
            if rule < 0 and require_language and not shared_any:
                rule = 3
            km = km_table[place, p_place[j]]
            # A remote pair (a remote developer, a partner of another region) has its own
            # limit and a fixed distance criterion. Limits and min_score are compared at
            # the solver's 1e-6 resolution, as numpy's round(x, 6) does (x·10⁶, rint, /10⁶).
            remote = remote_dev and not same_region
            limit = remote_max_km if remote else max_km
            # (the rounding only matters within 10⁻³ of the limit: tested there only)
            if rule < 0 and km > limit - 1e-3 and np.rint(np.float64(km) * 1e6) / 1e6 > limit:
                rule = 4
            if rule < 0:
                if p_n_needs[j] == zero:
                    skills = one
                else:
                    count = np.uint64(0)
                    for w in range(d_skills.shape[1]):
                        count += _popcount(d_skills[i, w] & p_needs[j, w])
                    skills = np.float32(count) / max(p_n_needs[j], one)
                languages = zero
                if shared_any:
                    languages = one if _any(d_langs, i, p_first, j) else half
                sector = half
                if has_sectors:
                    sector = one if _any(d_sectors, i, p_sector, j) else zero
                score = 0.0
                score += np.float64(skills) * w0
                score += np.float64(languages) * w1
                if remote:
                    score += np.float64(np.float32(remote_score)) * w2
                else:
                    score += np.float64(distance_table[place, p_place[j]]) * w2
                score += np.float64(sector) * w3
                score += np.float64(hours_table[hour, p_hour[j]]) * w4
                score *= 100.0
                if not same_region:
                    score -= penalty
                if score < min_score + 1e-3 and np.rint(score * 1e6) / 1e6 < min_score:
                    rule = 5
                else:
                    row_ok[j] = True
                    row_score[j] = score
                    row_allowed[i] += 1
            if rule >= 0:
                rule_counts[rule, j] += 1
        if not prune:
            for j in range(n_cols):
                if row_ok[j]:
                    out_row[kept], out_col[kept], out_score[kept] = i, j, row_score[j]
                    kept += 1
            continue
        women = 1 if d_female[i] else 0
        for g in range(group_start.shape[0] - 1):
            lo, hi, cap = group_start[g], group_start[g + 1], group_cap[g]
            floor = floors[g, women]
            # Only the pairs at or above the floor compete for the developer's cap: those
            # below would be dropped afterwards anyway (edges._floors).
            m = 0
            for j in range(lo, hi):
                if row_ok[j] and row_score[j] >= floor:
                    buf[m] = row_score[j]
                    at[m] = j
                    m += 1
            if cap <= 0:
                threshold, ties = np.inf, 0
            elif m <= cap:
                threshold, ties = -np.inf, m
            else:
                threshold = cap_best(buf, m, cap, spare)
                above = 0
                for k in range(m):
                    if buf[k] > threshold:
                        above += 1
                ties = cap - above  # the lowest columns scoring exactly the threshold
            if use_locks:
                for j in range(lo, hi):
                    if not row_ok[j]:
                        continue
                    s = row_score[j]
                    keep = s >= floor and s > threshold
                    if not keep and s >= floor and s == threshold and ties > 0:
                        keep = True
                        ties -= 1
                    if keep or locks[i, j]:
                        out_row[kept], out_col[kept], out_score[kept] = i, j, s
                        kept += 1
                continue
            for k in range(m):  # in column order
                s = buf[k]
                keep = s > threshold
                if not keep and s == threshold and ties > 0:
                    keep = True
                    ties -= 1
                if keep:
                    out_row[kept], out_col[kept], out_score[kept] = i, at[k], s
                    kept += 1
    return out_row[:kept].copy(), out_col[:kept].copy(), out_score[:kept].copy()


@dataclass(frozen=True, eq=False)
class PartnerTable:
    """One region's partners, encoded once for every chunk scored against them."""

    region: Int64s
    province: Int64s
    needs: Words
    n_needs: npt.NDArray[np.float32]
    languages: Words
    first_language: Words
    sector: Words
    places: Float64s
    place: Int64s
    hours: Float64s
    hour: Int64s
    group_start: Int64s
    group_cap: Int64s
    group_ids: Int64s  # the partner group of each run of columns (0 without groups)
    prune: bool


def partner_table(
    partners: PartnerFeatures, *, col_group: Int64s | None, group_cap: Int64s | None
) -> PartnerTable:
    """Encode a region's partners (columns side by side per group) for the kernel."""
    places, place = _places(partners.lat, partners.lon)
    hours, hour = np.unique(partners.hours, return_inverse=True)
    n = len(partners)
    if col_group is None or group_cap is None or n == 0:
        starts, caps, prune = np.array([0, n], dtype=np.int64), np.zeros(1, np.int64), False
        ids = np.zeros(1, np.int64)
    else:
        cut = np.flatnonzero(col_group[1:] != col_group[:-1]) + 1
        starts = np.concatenate(([0], cut, [n])).astype(np.int64)
        ids = col_group[starts[:-1]].astype(np.int64)
        caps, prune = group_cap[ids].astype(np.int64), True
    return PartnerTable(
        region=partners.region,
        province=partners.province,
        needs=bits(partners.needs),
        n_needs=partners.n_needs.astype(np.float32),
        languages=bits(partners.languages),
        first_language=bits(partners.first_language),
        sector=bits(partners.sector),
        places=places,
        place=place,
        hours=hours,
        hour=hour.reshape(-1).astype(np.int64),
        group_start=starts,
        group_cap=caps,
        group_ids=ids,
        prune=prune,
    )


@dataclass(frozen=True, eq=False)
class DeveloperBits:
    """The developers' word-packed skills, languages and sectors."""

    skills: Words
    languages: Words
    sectors: Words


def developer_bits(developers: DeveloperFeatures) -> DeveloperBits:
    """Pack every developer's 0/1 features once for the kernel."""
    return DeveloperBits(
        skills=bits(developers.skills),
        languages=bits(developers.languages),
        sectors=bits(developers.sectors),
    )


def score_chunk(
    *,
    rows: Int64s,
    developers: DeveloperFeatures,
    dev_bits: DeveloperBits,
    may_cross: Bools,
    table: PartnerTable,
    config: MatcherConfig,
    forbidden: Bools | None,
    locks: Bools | None,
    floors: Float64s | None = None,
    female: Bools | None = None,
) -> tuple[Int64s, Int64s, Float64s, Int64s, Int64s]:
    """Return the kept (row, column, score), allowed pairs per row and per-rule column counts.

    With ``floors`` (per partner group and women class, indexed by the table's group ids)
    and ``female`` (per developer), an unlocked pair scoring below its floor is not kept,
    and only the pairs at or above it compete for the developer's cap: the same edges as
    keeping the best cap and then dropping those below the floor.
    """
    rules = config.rules
    lat, lon = developers.lat[rows], developers.lon[rows]
    places, place = _places(lat, lon)
    km_table, distance_table = _distance_values(
        haversine_km(
            places[:, 0:1], places[:, 1:2], table.places[None, :, 0], table.places[None, :, 1]
        ),
        float(rules.max_distance_km),
    )
    hours, hour = np.unique(developers.hours[rows], return_inverse=True)
    hours_table = _availability_values(hours[:, None], table.hours[None, :])
    weights = config.weights.normalised()
    rule_counts = np.zeros((len(RULES), len(table.region)), dtype=np.int64)
    row_allowed = np.zeros(len(rows), dtype=np.int64)
    dummy = np.zeros((1, 1), dtype=np.bool_)
    r, c, s = _kernel(
        developers.region[rows],
        developers.province[rows],
        developers.mobility[rows] == _LOCAL,
        may_cross[rows],
        developers.mobility[rows] == _REMOTE,
        dev_bits.skills[rows],
        dev_bits.languages[rows],
        dev_bits.sectors[rows],
        developers.has_sectors[rows],
        place,
        hour.reshape(-1).astype(np.int64),
        table.region,
        table.province,
        table.needs,
        table.n_needs,
        table.languages,
        table.first_language,
        table.sector,
        table.place,
        table.hour,
        np.ascontiguousarray(km_table),
        np.ascontiguousarray(distance_table),
        np.ascontiguousarray(hours_table),
        np.array([weights[name] for name in CRITERIA], dtype=np.float64),
        float(rules.cross_region_penalty),
        float(rules.max_distance_km),
        np.inf if rules.remote_max_distance_km is None else float(rules.remote_max_distance_km),
        float(rules.remote_distance_score),
        float(rules.min_score),
        bool(rules.require_shared_language),
        dummy if forbidden is None else forbidden,
        forbidden is not None,
        dummy if locks is None else locks,
        locks is not None,
        table.group_start,
        table.group_cap,
        table.prune,
        np.full((len(table.group_ids), 2), -np.inf)
        if floors is None
        else np.ascontiguousarray(floors[table.group_ids]),
        np.zeros(len(rows), np.bool_) if female is None else female[rows],
        rule_counts,
        row_allowed,
    )
    return r, c, s, row_allowed, rule_counts
