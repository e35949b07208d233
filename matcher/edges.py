"""The allowed pairs (edges) of a run, scored region by region in bounded memory."""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from itertools import pairwise
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from matcher.bounds import region_bars, upper_scores
from matcher.config import MatcherConfig
from matcher.models import KINDS, Developer, Partner
from matcher.progress import ProgressCallback, report
from matcher.rules import RULES, feature_masks, may_cross_regions
from matcher.scoring import (
    MOBILITIES,
    DeveloperFeatures,
    PartnerFeatures,
    encode,
    score_features,
)
from matcher.solver import RegionSpec
from matcher.solver.network import RESOLUTION
from matcher.solver.prune import prune_developer_side
from matcher.specs import partner_groups

if TYPE_CHECKING:
    from matcher.kernel import DeveloperBits, PartnerTable

Int64s = npt.NDArray[np.int64]
Float64s = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# The machine this serves has two cores; more threads only add memory (one block each).
_MAX_WORKERS = 2
_CELLS_PER_CHUNK = 1 << 20
# From this many scored pairs on, the fused kernel (matcher/kernel.py) scores the chunks: its
# one-off JIT compilation (about 1.5 s of CPU) then costs less than the numpy passes it saves.
KERNEL_FROM_CELLS = 20_000_000


@dataclass(frozen=True, eq=False)
class EdgeSet:
    """Allowed and locked pairs as parallel arrays, sorted by (developer, partner)."""

    dev: Int64s  # index into the developers given
    par: Int64s  # index into the partners given
    score: Float64s
    locked: Int64s  # edge indices of the locked pairs, kept even when they break a rule
    pruned: int  # allowed edges dropped by developer-side pruning
    # Per rule code, per partner: candidate developers whose first broken rule is this one.
    rule_counts: dict[str, Int64s]
    # Per partner: allowed pairs (no rule broken), pruned ones included.
    par_allowed: Int64s
    # Per developer and region (``region_index`` order): scored against its partners. An
    # edge into a region means it was scored there, not the other way round: pruning and
    # the bars (matcher.bounds) may leave none.
    scored: Bools
    # Per developer and region (same order): its allowed pairs there, pruned ones included.
    region_allowed: Int64s
    # Cells not scored: crossing developers a region provably does not need (bounds.py).
    skipped: int = 0
    # Both sides' encoded features (the order of the developers and partners given), for
    # whoever scores more pairs of the same people later.
    features: tuple[DeveloperFeatures, PartnerFeatures] | None = None

    def __len__(self) -> int:
        return len(self.dev)

    @property
    def dev_allowed(self) -> Int64s:
        """Return each developer's allowed pairs over every region it was scored in."""
        allowed: Int64s = self.region_allowed.sum(axis=1)
        return allowed


def _id_order(ids: list[str]) -> Int64s:
    """Return the stable order that sorts ``ids`` (the pipeline hands them already sorted)."""
    if all(a <= b for a, b in pairwise(ids)):
        return np.arange(len(ids), dtype=np.int64)
    return np.argsort(np.array(ids, dtype=object), kind="stable").astype(np.int64)


def _index_pairs(
    pairs: Sequence[tuple[int, int]], n_dev: int, n_par: int, what: str
) -> tuple[Int64s, Int64s]:
    dev = np.array([d for d, _ in pairs], dtype=np.int64)
    par = np.array([p for _, p in pairs], dtype=np.int64)
    bad = (dev < 0) | (dev >= n_dev) | (par < 0) | (par >= n_par)
    if bad.any():
        raise ValueError(f"{what} pair out of range: {pairs[int(np.argmax(bad))]}")
    return dev, par


def _contenders(*, score: Float64s, allowed: Bools, col_group: Int64s, group_cap: Int64s) -> Bools:
    """Return the allowed cells that score at least each row's group_cap-th best in their group.

    Every edge developer-side pruning keeps is among these (ties at the threshold included),
    so pruning only the contenders gives the same result at a fraction of the sorting.
    """
    out = np.zeros(score.shape, dtype=np.bool_)
    # Rounding to float32 never reverses an order, so the cap-th best rounded score is the
    # rounded cap-th best score: every cell at or above the exact threshold is at or above
    # the rounded one. The superset costs a few more cells; the selection runs on half
    # the bytes.
    rounded = score.astype(np.float32)
    for group in np.unique(col_group):
        found = np.flatnonzero(col_group == group)
        cap = int(group_cap[group])
        if cap <= 0:
            continue
        cols: slice | Int64s = found
        if found[-1] - found[0] + 1 == len(found):
            cols = slice(int(found[0]), int(found[-1]) + 1)  # a view instead of a copy
        if cap >= len(found):
            out[:, cols] = allowed[:, cols]
            continue
        sub = np.where(allowed[:, cols], rounded[:, cols], np.float32(-np.inf))
        threshold = np.partition(sub, len(found) - cap, axis=1)[:, len(found) - cap]
        out[:, cols] = allowed[:, cols] & (sub >= threshold[:, None])
    return out


@dataclass(frozen=True, eq=False)
class _Chunk:
    """Some developers against every partner of one region: one unit of scoring work."""

    rows: Int64s  # developer indices
    cols: Int64s  # partner indices of the region
    partners: PartnerFeatures  # features of ``cols``
    forbidden: tuple[Int64s, Int64s]  # (developer index, column in ``cols``) of the region
    locks: tuple[Int64s, Int64s]
    region: int = 0  # index of the region in build_edges' list of regions
    # Per partner group and women class, the score below which an unlocked pair is not kept
    # (a bar of matcher.bounds already known: those pairs would be dropped anyway).
    floors: Float64s | None = None


@dataclass(frozen=True, eq=False)
class _ChunkEdges:
    """The edges a chunk keeps, and what its rules and pruning removed."""

    dev: Int64s
    par: Int64s
    score: Float64s
    pruned: int
    rule_counts: dict[str, Int64s]  # per rule, per column of the chunk's region
    row_allowed: Int64s  # per row of the chunk: allowed pairs
    col_allowed: Int64s  # per column of the chunk's region: allowed pairs


def _workers(tasks: int) -> int:
    return max(1, min(tasks, os.cpu_count() or 1, _MAX_WORKERS))


def _cells(rows: Int64s, pairs: tuple[Int64s, Int64s], shape: tuple[int, int]) -> Bools:
    """Return a chunk-shaped mask of the (developer index, column) pairs among ``rows``."""
    mask = np.zeros(shape, dtype=np.bool_)
    dev, col = pairs
    if len(dev) == 0:
        return mask
    order = np.argsort(rows, kind="stable")
    at = np.minimum(np.searchsorted(rows[order], dev), len(rows) - 1)
    hit = rows[order][at] == dev
    mask[order[at[hit]], col[hit]] = True
    return mask


def _chunk_edges(
    task: _Chunk,
    *,
    developers: DeveloperFeatures,
    config: MatcherConfig,
    par_group: Int64s | None,
    group_cap: Int64s | None,
    dev_female: Bools | None = None,
) -> _ChunkEdges:
    """Score one chunk, apply the rules and keep what the exact pruning needs."""
    rows, cols = task.rows, task.cols
    chunk_dev = developers.take(rows)
    block = score_features(developers=chunk_dev, partners=task.partners, config=config)
    masks = feature_masks(
        block=block,
        developers=chunk_dev,
        partners=task.partners,
        config=config,
        forbidden=_cells(rows, task.forbidden, block.shape),
    )
    allowed = np.ones(block.shape, dtype=np.bool_)
    rule_counts: dict[str, Int64s] = {}
    for code in RULES:
        first = masks[code] & allowed
        rule_counts[code] = first.sum(axis=0).astype(np.int64)
        allowed &= ~masks[code]
    row_allowed = allowed.sum(axis=1).astype(np.int64)
    col_allowed = allowed.sum(axis=0).astype(np.int64)
    pruned = 0
    if group_cap is not None and par_group is not None:
        lock_cells = _cells(rows, task.locks, block.shape)
        n_allowed = int(np.count_nonzero(allowed))
        contenders = _contenders(
            score=block.score, allowed=allowed, col_group=par_group[cols], group_cap=group_cap
        )
        contenders |= allowed & lock_cells
        r, c = np.nonzero(contenders)
        e_dev, e_par, e_score = rows[r], cols[c], block.score[r, c]
        keep = prune_developer_side(
            edge_dev=e_dev,
            edge_group=par_group[e_par],
            edge_score=e_score,
            group_cap=group_cap,
            locked=np.flatnonzero(lock_cells[r, c]).astype(np.int64),
        )
        if task.floors is not None and dev_female is not None:
            women = dev_female[e_dev].astype(np.int64)
            keep &= (e_score >= task.floors[par_group[e_par], women]) | lock_cells[r, c]
        e_dev, e_par, e_score = e_dev[keep], e_par[keep], e_score[keep]
        pruned = n_allowed - len(e_dev)
    else:
        r, c = np.nonzero(allowed)
        e_dev, e_par, e_score = rows[r], cols[c], block.score[r, c]
    return _ChunkEdges(e_dev, e_par, e_score, pruned, rule_counts, row_allowed, col_allowed)


def _kernel_chunk_edges(
    task: _Chunk,
    *,
    developers: DeveloperFeatures,
    dev_bits: DeveloperBits,
    may_cross: Bools,
    table: PartnerTable,
    config: MatcherConfig,
    dev_female: Bools | None = None,
) -> _ChunkEdges:
    """Score one chunk with the fused kernel: the same edges, scores and counts as numpy."""
    from matcher.kernel import score_chunk

    rows, cols = task.rows, task.cols
    shape = (len(rows), len(cols))
    r, c, score, row_allowed, counts = score_chunk(
        rows=rows,
        developers=developers,
        dev_bits=dev_bits,
        may_cross=may_cross,
        table=table,
        config=config,
        forbidden=_cells(rows, task.forbidden, shape) if len(task.forbidden[0]) else None,
        locks=_cells(rows, task.locks, shape) if len(task.locks[0]) else None,
        floors=task.floors if dev_female is not None else None,
        female=dev_female,
    )
    rule_counts = {code: counts[k] for k, code in enumerate(RULES)}
    pruned = int(row_allowed.sum()) - len(r) if table.prune else 0
    col_allowed = len(rows) - counts.sum(axis=0)
    return _ChunkEdges(
        rows[r], cols[c], score, pruned, rule_counts, row_allowed, col_allowed.astype(np.int64)
    )


def _kernel_runner(
    *,
    regions: Sequence[tuple[PartnerFeatures, Int64s]],
    developers: DeveloperFeatures,
    may_cross: Bools,
    config: MatcherConfig,
    par_group: Int64s | None,
    group_cap: Int64s | None,
    dev_female: Bools | None,
) -> Callable[[_Chunk], _ChunkEdges]:
    """Return a function scoring a chunk with the fused kernel."""
    # Imported here so that small runs never pay for importing numba.
    from matcher.kernel import developer_bits, partner_table

    dev_bits = developer_bits(developers)
    tables = [
        partner_table(
            region_par,
            col_group=None if par_group is None else par_group[cols],
            group_cap=group_cap,
        )
        for region_par, cols in regions
    ]

    def run(task: _Chunk) -> _ChunkEdges:
        return _kernel_chunk_edges(
            task,
            developers=developers,
            dev_bits=dev_bits,
            may_cross=may_cross,
            table=tables[task.region],
            config=config,
            dev_female=dev_female,
        )

    return run


def _region_pairs(dev: Int64s, par: Int64s, cols: Int64s, n_par: int) -> tuple[Int64s, Int64s]:
    """Return the (developer, column in ``cols``) of the pairs whose partner is in ``cols``."""
    col_of = np.full(n_par, -1, dtype=np.int64)
    col_of[cols] = np.arange(len(cols), dtype=np.int64)
    inside = col_of[par] >= 0
    return dev[inside], col_of[par[inside]]


def _chunks(
    rows: Int64s,
    cols: Int64s,
    partners: PartnerFeatures,
    forbidden: tuple[Int64s, Int64s],
    locks: tuple[Int64s, Int64s],
    region: int,
    chunk_rows: int,
) -> list[_Chunk]:
    """Split ``rows`` against one region's partners into chunks of about a million cells."""
    # A developer's edges into this region all fall in one chunk, and edges into other
    # regions belong to other groups, so pruning chunk by chunk is exact. About a million
    # cells a chunk keeps its arrays in cache-friendly, reusable memory (larger blocks were
    # faulted in and zeroed afresh on every chunk).
    step = _chunk_step(cols, chunk_rows)
    return [
        _Chunk(rows[start : start + step], cols, partners, forbidden, locks, region)
        for start in range(0, len(rows), step)
    ]


def _chunk_step(cols: Int64s, chunk_rows: int) -> int:
    """Return how many developers a chunk against these partners holds."""
    return max(1, min(chunk_rows, _CELLS_PER_CHUNK // max(len(cols), 1)))


def _run_all(
    run: Callable[[_Chunk], _ChunkEdges],
    tasks: Sequence[_Chunk],
    progress: ProgressCallback | None,
    *,
    done: int,
    total: int,
) -> list[_ChunkEdges]:
    """Score ``tasks`` on every core, returning their results in task order."""
    # numpy releases the GIL in the kernels that cost (products, distances, partitions) and
    # the fused kernel runs without it, so chunks score on every core; results are gathered
    # in task order, hence deterministic.
    out: list[_ChunkEdges] = []
    if not tasks:
        return out
    report(progress, "score", done, total)
    with ThreadPoolExecutor(max_workers=_workers(len(tasks))) as pool:
        for found in pool.map(run, tasks):
            out.append(found)
            report(progress, "score", done + len(out), total)
    return out


def _region_bars(
    cols: Int64s,
    stay: Sequence[_ChunkEdges],
    *,
    specs: Sequence[RegionSpec],
    group_cap: Int64s,
    par_group: Int64s,
    dev_female: Bools,
    may_cross: Bools,
) -> dict[tuple[int, int], float]:
    """Return the bars of one region's (group, women class) keys (bounds.region_bars).

    ``stay`` holds the results of the region's own developers against it.
    """
    return region_bars(
        specs=specs,
        region=int(par_group[cols[0]]) // len(KINDS),
        group_cap=group_cap,
        par_group=par_group,
        dev_female=dev_female,
        edge_dev=np.concatenate([*(f.dev for f in stay), np.zeros(0, np.int64)]),
        edge_par=np.concatenate([*(f.par for f in stay), np.zeros(0, np.int64)]),
        edge_score=np.concatenate([*(f.score for f in stay), np.zeros(0, np.float64)]),
        region_cols=cols,
        dev_stays=~may_cross,
    )


def _worth_scoring(
    rows: Int64s,
    partners: PartnerFeatures,
    bars: Mapping[tuple[int, int], float],
    *,
    developers: DeveloperFeatures,
    config: MatcherConfig,
    dev_female: Bools,
) -> Bools:
    """Return which crossing developers at ``rows`` may be needed in one region (bounds.py)."""
    # A developer is needed when it may beat the bar of at least one group of its class.
    bar = np.full(2, np.inf)
    for (_, women_class), value in bars.items():
        bar[women_class] = min(bar[women_class], value)
    if not any(women_class == 1 for _, women_class in bars):
        bar[1] = bar[0]  # no women share here: one class for everybody
    bound = upper_scores(
        developers=developers,
        rows=rows,
        partners=partners,
        region=int(partners.region[0]),
        config=config,
    )
    wanted: Bools = bound >= bar[dev_female[rows].astype(np.int64)]
    return wanted


def _bar_table(bars: Sequence[Mapping[tuple[int, int], float]], n_groups: int) -> Float64s:
    """Return every (group, women class)'s bar as an array (−inf where none: keep all)."""
    table = np.full((n_groups, 2), -np.inf)
    for region in bars:
        women = any(c == 1 for _, c in region)
        for (g, c), value in region.items():
            table[g, c] = value
            if not women:
                table[g, 1] = value  # one class for everybody there
    return table


def _floors(table: Float64s) -> Float64s:
    """Return the scorer's floors for these bars: a little lower, never above a kept pair.

    A pair scoring below bar − 10⁻⁵ scores at least ten units of the solver's 10⁻⁶
    resolution below the bar, so _above_bar drops it too: the floors only spare work.
    """
    floors: Float64s = table - 1e-5
    return floors


def _above_bar(
    found: _ChunkEdges,
    *,
    table: Float64s,
    par_group: Int64s,
    dev_female: Bools,
    lock_keys: Int64s,
    n_par: int,
) -> _ChunkEdges:
    """Drop the unlocked edges scoring below their key's bar (bounds.py: in no optimum)."""
    # Compared at the solver's resolution: a dropped edge scores strictly less there, so
    # the exchange of bounds.py strictly raises the solver's own objective.
    g = par_group[found.par]
    bar = table[g, dev_female[found.dev].astype(np.int64)]
    keep = np.rint(found.score * RESOLUTION) >= np.rint(bar * RESOLUTION)
    if len(lock_keys):
        keep |= np.isin(found.dev * n_par + found.par, lock_keys)
    if keep.all():
        return found
    return replace(
        found,
        dev=found.dev[keep],
        par=found.par[keep],
        score=found.score[keep],
        pruned=found.pruned + int(np.count_nonzero(~keep)),
    )


def build_edges(
    *,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    config: MatcherConfig,
    region_index: Mapping[str, int],
    group_cap: Int64s | None,
    forbidden: frozenset[tuple[str, str]] = frozenset(),
    locks: Sequence[tuple[int, int]] = (),
    chunk_rows: int = 512,
    progress: ProgressCallback | None = None,
    kernel: bool | None = None,
    specs: Sequence[RegionSpec] | None = None,
) -> EdgeSet:
    """Score and filter every pair that may be formed, region by region, in developer chunks.

    A chunk holds at most ``chunk_rows`` developers, fewer against a large region.
    Only developers who may work in a partner's region are scored against it. With
    ``group_cap`` (indexed by ``region_index[region] * len(KINDS) + kind``), each developer
    keeps only their best ``group_cap[g]`` edges per partner group ``g``: its (region,
    kind), or with ``specs`` the groups of specs.partner_groups (kinds apart only where a
    kind rule applies).
    Locked pairs
    (developer index, partner index) are always present. ``kernel`` chooses the fused
    kernel (True) or numpy (False); by default the kernel scores from ``KERNEL_FROM_CELLS``
    pairs on. Both give identical edges, scores, counts and pruning.

    With ``specs`` (and ``group_cap``), a developer who may cross regions is not scored
    against a region that provably does not need them (matcher.bounds); ``skipped`` counts
    those cells.
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    n_dev, n_par = len(developers), len(partners)
    dev_feat, par_feat = encode(developers=developers, partners=partners)
    # Visiting people in id order makes the result, including pruning ties, independent of
    # the order they were given in.
    dev_by_id = _id_order([d.id for d in developers])
    par_by_id = _id_order([p.id for p in partners])
    may_cross = np.array(
        [may_cross_regions(mobility=m, config=config) for m in MOBILITIES], dtype=np.bool_
    )[dev_feat.mobility]

    par_group: Int64s | None = None
    dev_female: Bools | None = None
    if group_cap is not None:
        par_region = np.array([region_index[p.region] for p in partners], dtype=np.int64)
        par_kind = par_feat.kind  # KINDS order, as encoded
        par_group = par_region * len(KINDS) + par_kind
        if specs is not None:
            par_group = partner_groups(specs, par_region=par_region, par_kind=par_kind)
            dev_female = np.array([d.gender == "female" for d in developers], dtype=np.bool_)

    dev_pos = {d.id: i for i, d in enumerate(developers)} if forbidden else {}
    par_pos = {p.id: j for j, p in enumerate(partners)} if forbidden else {}
    known = [
        (dev_pos[d], par_pos[p]) for d, p in sorted(forbidden) if d in dev_pos and p in par_pos
    ]
    forbid_dev, forbid_par = _index_pairs(known, n_dev, n_par, "forbidden")
    lock_dev, lock_par = _index_pairs(list(locks), n_dev, n_par, "locked")
    lock_keys = np.unique(lock_dev * n_par + lock_par)

    # With the specs, crossing developers are scored against another region only when they
    # may beat the bar its own developers set (matcher.bounds): everyone is scored against
    # their own region first.
    skip = dev_female is not None  # set with the specs and the caps
    stay_tasks: list[_Chunk] = []
    crossers: list[Int64s] = []  # per region, the crossing developers to consider
    regions: list[tuple[PartnerFeatures, Int64s]] = []
    for region in np.unique(par_feat.region):
        cols = par_by_id[par_feat.region[par_by_id] == region]
        if par_group is not None:
            # Each group's partners side by side, in id order within the group: the pruning
            # ranks a developer's edges within one group only, so its ties are unchanged,
            # and the contenders select on column slices instead of copies.
            cols = cols[np.argsort(par_group[cols], kind="stable")]
        region_par = par_feat.take(cols)
        regions.append((region_par, cols))
        region_forbid = _region_pairs(forbid_dev, forbid_par, cols, n_par)
        region_locks = _region_pairs(lock_dev, lock_par, cols, n_par)
        # Developers who may not cross regions are scored against their own region only.
        home = dev_feat.region[dev_by_id] == region
        crossing = may_cross[dev_by_id]
        stay = dev_by_id[home] if skip else dev_by_id[home | crossing]
        crossers.append(dev_by_id[crossing & ~home] if skip else dev_by_id[:0])
        stay_tasks += _chunks(
            stay, cols, region_par, region_forbid, region_locks, len(regions) - 1, chunk_rows
        )

    if kernel is None:
        cells = sum(len(t.rows) * len(t.cols) for t in stay_tasks)
        cells += sum(len(c) * len(cols) for c, (_, cols) in zip(crossers, regions, strict=True))
        kernel = cells >= KERNEL_FROM_CELLS
    run: Callable[[_Chunk], _ChunkEdges]
    if kernel:
        run = _kernel_runner(
            regions=regions,
            developers=dev_feat,
            may_cross=may_cross,
            config=config,
            par_group=par_group,
            group_cap=group_cap,
            dev_female=dev_female,
        )
    else:

        def run(task: _Chunk) -> _ChunkEdges:
            return _chunk_edges(
                task,
                developers=dev_feat,
                config=config,
                par_group=par_group,
                group_cap=group_cap,
                dev_female=dev_female,
            )

    # what the progress display expects before skipping: every crosser's chunks too
    planned = len(stay_tasks) + sum(
        -(-len(rows) // _chunk_step(cols, chunk_rows))
        for rows, (_, cols) in zip(crossers, regions, strict=True)
    )
    bars: list[dict[tuple[int, int], float]] = []
    table: Float64s | None = None  # every (group, women class)'s bar, with the specs
    floors: Float64s | None = None
    if not skip:
        found_stay = _run_all(run, stay_tasks, progress, done=0, total=planned)
    else:
        assert specs is not None and group_cap is not None and par_group is not None
        assert dev_female is not None

        def region_bars_of(found: Sequence[_ChunkEdges], r: int) -> dict[tuple[int, int], float]:
            return _region_bars(
                regions[r][1],
                found,
                specs=specs,
                group_cap=group_cap,
                par_group=par_group,
                dev_female=dev_female,
                may_cross=may_cross,
            )

        # Each region's first chunk is scored first: its pairs give a first bar, below which
        # the region's other chunks keep no pair (matcher.bounds: any matching of allowed
        # pairs gives a valid bar), which spares most of their selection work.
        first = [k == 0 or t.region != stay_tasks[k - 1].region for k, t in enumerate(stay_tasks)]
        lead = [t for t, f in zip(stay_tasks, first, strict=True) if f]
        found_lead = _run_all(run, lead, progress, done=0, total=planned)
        early = [
            region_bars_of([f for t, f in zip(lead, found_lead, strict=True) if t.region == r], r)
            for r in range(len(regions))
        ]
        floors = _floors(_bar_table(early, len(group_cap)))
        rest = [replace(t, floors=floors) for t, f in zip(stay_tasks, first, strict=True) if not f]
        found_rest = iter(_run_all(run, rest, progress, done=len(lead), total=planned))
        leads = iter(found_lead)
        found_stay = [next(leads) if f else next(found_rest) for f in first]
        for r in range(len(regions)):
            mine = [f for t, f in zip(stay_tasks, found_stay, strict=True) if t.region == r]
            # Both bars are valid; the higher one drops more.
            final = region_bars_of(mine, r)
            bars.append(
                {key: max(value, early[r].get(key, -np.inf)) for key, value in final.items()}
            )
        table = _bar_table(bars, len(group_cap))
        floors = _floors(table)
    cross_tasks: list[_Chunk] = []
    skipped = 0
    for r, ((region_par, cols), rows) in enumerate(zip(regions, crossers, strict=True)):
        if not len(rows):
            continue
        assert dev_female is not None  # crossers are held back only with the specs
        wanted = _worth_scoring(
            rows,
            region_par,
            bars[r],
            developers=dev_feat,
            config=config,
            dev_female=dev_female,
        )
        wanted |= np.isin(rows, lock_dev[np.isin(lock_par, cols)])
        skipped += int(np.count_nonzero(~wanted)) * len(cols)
        cross_tasks += [
            replace(t, floors=floors)
            for t in _chunks(
                rows[wanted],
                cols,
                region_par,
                _region_pairs(forbid_dev, forbid_par, cols, n_par),
                _region_pairs(lock_dev, lock_par, cols, n_par),
                r,
                chunk_rows,
            )
        ]
    found_cross = _run_all(
        run, cross_tasks, progress, done=len(stay_tasks), total=len(stay_tasks) + len(cross_tasks)
    )

    rule_counts = {code: np.zeros(n_par, dtype=np.int64) for code in RULES}
    region_of = [region_index[partners[int(cols[0])].region] for _, cols in regions]
    scored = np.zeros((n_dev, max(region_index.values(), default=-1) + 1), dtype=np.bool_)
    region_allowed = np.zeros(scored.shape, dtype=np.int64)
    par_allowed = np.zeros(n_par, dtype=np.int64)
    out_dev: list[Int64s] = []
    out_par: list[Int64s] = []
    out_score: list[Float64s] = []
    pruned = 0
    for task, found in zip([*stay_tasks, *cross_tasks], [*found_stay, *found_cross], strict=True):
        if table is not None:
            assert par_group is not None and dev_female is not None
            found = _above_bar(
                found,
                table=table,
                par_group=par_group,
                dev_female=dev_female,
                lock_keys=lock_keys,
                n_par=n_par,
            )
        for code in RULES:
            rule_counts[code][task.cols] += found.rule_counts[code]
        scored[task.rows, region_of[task.region]] = True
        region_allowed[task.rows, region_of[task.region]] += found.row_allowed
        par_allowed[task.cols] += found.col_allowed
        out_dev.append(found.dev)
        out_par.append(found.par)
        out_score.append(found.score)
        pruned += found.pruned

    dev_arr = np.concatenate([*out_dev, np.zeros(0, np.int64)]).astype(np.int64)
    par_arr = np.concatenate([*out_par, np.zeros(0, np.int64)]).astype(np.int64)
    score_arr = np.concatenate([*out_score, np.zeros(0, np.float64)]).astype(np.float64)

    # Locked pairs that a rule excluded are scored on their own and added back.
    missing = lock_keys[:0]
    if len(lock_keys):
        missing = lock_keys[~np.isin(lock_keys, dev_arr * n_par + par_arr)]
    if len(missing):
        extra_dev, extra_par = missing // n_par, missing % n_par
        extra_score = np.array(
            [
                score_features(
                    developers=dev_feat.take(extra_dev[k : k + 1]),
                    partners=par_feat.take(extra_par[k : k + 1]),
                    config=config,
                ).score[0, 0]
                for k in range(len(missing))
            ],
            dtype=np.float64,
        )
        dev_arr = np.concatenate([dev_arr, extra_dev])
        par_arr = np.concatenate([par_arr, extra_par])
        score_arr = np.concatenate([score_arr, extra_score])

    # Each (developer, partner) appears once, so one key orders them as (developer, partner).
    order = np.argsort(dev_arr * n_par + par_arr, kind="stable")
    dev_arr, par_arr, score_arr = dev_arr[order], par_arr[order], score_arr[order]
    keys = dev_arr * n_par + par_arr
    locked = np.searchsorted(keys, lock_keys).astype(np.int64)
    return EdgeSet(
        features=(dev_feat, par_feat),
        scored=scored,
        region_allowed=region_allowed,
        skipped=skipped,
        dev=dev_arr,
        par=par_arr,
        score=score_arr,
        locked=locked,
        pruned=pruned,
        rule_counts=rule_counts,
        par_allowed=par_allowed,
    )
