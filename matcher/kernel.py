"""A fused scoring kernel: rules, score and developer-side pruning of a chunk in one pass.

It computes exactly what ``scoring.score_features`` + ``rules.feature_masks`` + the
developer-side pruning compute for a chunk of developers against one region's partners, pair
by pair instead of some 50 whole-block numpy passes: the same float32 criteria, the same
float64 sum in ``CRITERIA`` order, the same first-broken-rule counts and the same kept edges
(each developer's best ``cap`` per group by score, ties to the lower column, plus the allowed
locks). Distances come from tables over distinct places built by the numpy functions
themselves, and availabilities from the same min / max arithmetic, so they are bit-identical
too.

Each developer row is scored in passes over the region's partners that hold no
data-dependent branch, so that the compiler runs them in SIMD: the partners' words are laid
out [word, partner], each place's distances are spread over the columns once a chunk, every
rule and criterion is computed for every pair and combined by selects, and the rule counts
are packed into one integer a column. Measured on the 60,000 × 60,000 call
(bench/bench_kernel.py): about 15 ns a pair pair by pair, about 5 ns in these passes.
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


def _by_word(one_hot: npt.NDArray[np.float32]) -> Words:
    """Pack a 0/1 matrix into words laid out [word, row], as the kernel reads partners."""
    return np.ascontiguousarray(bits(one_hot).T)


@jit
def _popcount(x: np.uint64) -> np.uint64:  # pragma: no cover - compiled
    x = x - ((x >> _S1) & _M1)
    x = (x & _M2) + ((x >> _S2) & _M2)
    x = (x + (x >> _S4)) & _M4
    return (x * _H01) >> _S56


_FIELD_BITS = 10
_FIELD_ROWS = (1 << _FIELD_BITS) - 1  # rows a field holds before it is unpacked
assert len(RULES) * _FIELD_BITS < 64, "every rule's field fits in one int64"


@jit
def _unpack(packed: Int64s, rule_counts: Int64s) -> None:  # pragma: no cover - compiled
    """Add each rule's packed per-column counts to ``rule_counts`` and clear them."""
    mask = np.int64(_FIELD_ROWS)
    for rule in range(rule_counts.shape[0]):
        shift = np.int64(_FIELD_BITS * rule)
        for j in range(packed.shape[0]):
            rule_counts[rule, j] += (packed[j] >> shift) & mask
    packed[:] = 0


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
    d_hours: Float64s,
    p_region: Int64s,
    p_province: Int64s,
    p_needs: Words,
    p_n_needs: npt.NDArray[np.float32],
    p_langs: Words,
    p_first: Words,
    p_sector: Words,
    p_hours: Float64s,
    km_cols: npt.NDArray[np.float32],
    distance_cols: npt.NDArray[np.float32],
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
    floor_cols: Float64s,
    d_female: Bools,
    rule_counts: Int64s,
    row_allowed: Int64s,
) -> tuple[Int64s, Int64s, Float64s]:
    # Passes without data-dependent branches (see the module docstring): each pair's
    # arithmetic is the same as pair by pair, only the order of the work changes.
    n_rows, n_cols = d_region.shape[0], p_region.shape[0]
    out_row = np.empty(n_rows * n_cols, dtype=np.int64)
    out_col = np.empty(n_rows * n_cols, dtype=np.int64)
    out_score = np.empty(n_rows * n_cols, dtype=np.float64)
    row_score = np.empty(n_cols, dtype=np.float64)
    row_ok = np.empty(n_cols, dtype=np.bool_)
    # allowed and at or above the floor; padded to whole words, read 8 columns at a time
    above_floor = np.zeros(-(-n_cols // 8) * 8, dtype=np.bool_)
    above_words = above_floor.view(np.uint64)
    code = np.empty(n_cols, dtype=np.int8)
    # per column, each rule's count over the last rows in a 10-bit field: one add a pair
    packed = np.zeros(n_cols, dtype=np.int64)
    lang_any = np.empty(n_cols, dtype=np.uint64)
    first_any = np.empty(n_cols, dtype=np.uint64)
    sector_any = np.empty(n_cols, dtype=np.uint64)
    skill_count = np.empty(n_cols, dtype=np.uint64)
    buf = np.empty(n_cols, dtype=np.float64)
    at = np.empty(n_cols, dtype=np.int64)
    spare = np.empty(n_cols, dtype=np.float64)
    kept = 0
    one = np.float32(1.0)
    half = np.float32(0.5)
    zero = np.float32(0.0)
    remote32 = np.float32(remote_score)
    no_penalty = 0.0
    w0, w1, w2, w3, w4 = weights[0], weights[1], weights[2], weights[3], weights[4]
    for i in range(n_rows):
        if i % _FIELD_ROWS == 0 and i > 0:
            _unpack(packed, rule_counts)
        region, province = d_region[i], d_province[i]
        local, cross_ok, has_sectors = d_local[i], d_cross[i], d_has_sectors[i]
        remote_dev = d_remote[i]
        km_row = km_cols[d_place[i]]
        distance_row = distance_cols[d_place[i]]
        dev_hours = d_hours[i]
        women = 1 if d_female[i] else 0
        floor_row = floor_cols[women]
        lang_any[:] = 0
        first_any[:] = 0
        sector_any[:] = 0
        skill_count[:] = 0
        for w in range(d_langs.shape[1]):
            word = d_langs[i, w]
            for j in range(n_cols):
                lang_any[j] |= word & p_langs[w, j]
                first_any[j] |= word & p_first[w, j]
        for w in range(d_sectors.shape[1]):
            word = d_sectors[i, w]
            for j in range(n_cols):
                sector_any[j] |= word & p_sector[w, j]
        for w in range(d_skills.shape[1]):
            word = d_skills[i, w]
            for j in range(n_cols):
                skill_count[j] += _popcount(word & p_needs[w, j])
        allowed = 0
        candidates = 0  # allowed pairs at or above their floor
        for j in range(n_cols):
            same_region = region == p_region[j]
            p_prov = p_province[j]
            # (``not``, never ``~``, on booleans: the same in Python and compiled)
            in_province = same_region & ((province < 0) | (p_prov < 0) | (province == p_prov))
            broke_local = local & (not in_province)
            broke_cross = (not same_region) & (not cross_ok)
            shared_any = lang_any[j] != 0
            broke_language = require_language & (not shared_any)
            km = km_row[j]
            # A remote pair (a remote developer, a partner of another region) has its own
            # limit and a fixed distance criterion. Limits and min_score are compared at
            # the solver's 1e-6 resolution, as numpy's round(x, 6) does (x·10⁶, rint, /10⁶).
            remote = remote_dev & (not same_region)
            limit = remote_max_km if remote else max_km
            broke_distance = (km > limit - 1e-3) & (np.rint(np.float64(km) * 1e6) / 1e6 > limit)
            needs = p_n_needs[j]
            skills = np.float32(skill_count[j]) / max(needs, one)
            skills = one if needs == zero else skills
            languages = (one if first_any[j] != 0 else half) if shared_any else zero
            sector = (one if sector_any[j] != 0 else zero) if has_sectors else half
            distance = remote32 if remote else distance_row[j]
            # availability as scoring._availability_values: min / max, 1 when either is
            # missing (NaN) or both are 0
            par_hours = p_hours[j]
            high = dev_hours if dev_hours > par_hours else par_hours
            low = par_hours if dev_hours > par_hours else dev_hours
            known = (high > 0) & (not np.isnan(dev_hours)) & (not np.isnan(par_hours))
            hours = np.float32(low / high) if known else one
            score = 0.0
            score += np.float64(skills) * w0
            score += np.float64(languages) * w1
            score += np.float64(distance) * w2
            score += np.float64(sector) * w3
            score += np.float64(hours) * w4
            score *= 100.0
            score -= no_penalty if same_region else penalty
            broke_score = (score < min_score + 1e-3) & (np.rint(score * 1e6) / 1e6 < min_score)
            rule = -1
            rule = 5 if broke_score else rule
            rule = 4 if broke_distance else rule
            rule = 3 if broke_language else rule
            rule = 2 if broke_cross else rule
            rule = 1 if broke_local else rule
            code[j] = rule
            packed[j] += np.int64(rule >= 0) << np.int64(_FIELD_BITS * max(rule, 0))
            row_ok[j] = rule < 0
            row_score[j] = score
            allowed += rule < 0
            above = (rule < 0) & (score >= floor_row[j])
            above_floor[j] = above
            candidates += above
        if use_forbidden:  # the first rule: it overrides whatever else the pair broke
            for j in range(n_cols):
                if forbidden[i, j]:
                    rule = code[j]
                    packed[j] += 1 - (np.int64(rule >= 0) << np.int64(_FIELD_BITS * max(rule, 0)))
                    allowed -= row_ok[j]
                    candidates -= above_floor[j]
                    code[j] = 0
                    row_ok[j] = False
                    above_floor[j] = False
        row_allowed[i] += allowed
        if not prune:
            for j in range(n_cols):
                if row_ok[j]:
                    out_row[kept], out_col[kept], out_score[kept] = i, j, row_score[j]
                    kept += 1
            continue
        if candidates == 0 and not use_locks:
            continue  # no pair competes for a cap: none is kept
        for g in range(group_start.shape[0] - 1):
            lo, hi, cap = group_start[g], group_start[g + 1], group_cap[g]
            floor = floor_row[lo]
            # Only the pairs at or above the floor compete for the developer's cap: those
            # below would be dropped afterwards anyway (edges._floors).
            m = 0
            j = lo
            while j < hi:
                if j & 7 == 0 and j + 8 <= hi and above_words[j >> 3] == 0:
                    j += 8  # most pairs are below the floor: skip 8 at once
                    continue
                if above_floor[j]:
                    buf[m] = row_score[j]
                    at[m] = j
                    m += 1
                j += 1
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
    _unpack(packed, rule_counts)
    return out_row[:kept].copy(), out_col[:kept].copy(), out_score[:kept].copy()


@dataclass(frozen=True, eq=False)
class PartnerTable:
    """One region's partners, encoded once for every chunk scored against them."""

    region: Int64s
    province: Int64s
    needs: Words  # [word, partner], as are the languages and the sector
    n_needs: npt.NDArray[np.float32]
    languages: Words
    first_language: Words
    sector: Words
    places: Float64s  # the distinct places
    place: Int64s  # each column's place
    hours: Float64s  # each column's hours (NaN when missing)
    group_start: Int64s
    group_cap: Int64s
    group_ids: Int64s  # the partner group of each run of columns (0 without groups)
    prune: bool


def partner_table(
    partners: PartnerFeatures, *, col_group: Int64s | None, group_cap: Int64s | None
) -> PartnerTable:
    """Encode a region's partners (columns side by side per group) for the kernel."""
    places, place = _places(partners.lat, partners.lon)
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
        needs=_by_word(partners.needs),
        n_needs=partners.n_needs.astype(np.float32),
        languages=_by_word(partners.languages),
        first_language=_by_word(partners.first_language),
        sector=_by_word(partners.sector),
        places=places,
        place=place,
        hours=np.ascontiguousarray(partners.hours, dtype=np.float64),
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


def _floor_cols(table: PartnerTable, floors: Float64s | None) -> Float64s:
    """Return each column's floor per women class, [class, column] (-inf without floors)."""
    n = len(table.region)
    if floors is None:
        return np.full((2, n), -np.inf)
    per_group = floors[table.group_ids]  # [run of columns, class]
    lengths = np.diff(table.group_start)
    return np.ascontiguousarray(np.repeat(per_group, lengths, axis=0).T)


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
    # Each place's row spread over the columns once, so that the kernel reads both values
    # in column order (a gather per pair would keep it from running in SIMD).
    km_cols = np.ascontiguousarray(km_table[:, table.place])
    distance_cols = np.ascontiguousarray(distance_table[:, table.place])
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
        developers.hours[rows],
        table.region,
        table.province,
        table.needs,
        table.n_needs,
        table.languages,
        table.first_language,
        table.sector,
        table.hours,
        km_cols,
        distance_cols,
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
        _floor_cols(table, floors),
        np.zeros(len(rows), np.bool_) if female is None else female[rows],
        rule_counts,
        row_allowed,
    )
    return r, c, s, row_allowed, rule_counts
