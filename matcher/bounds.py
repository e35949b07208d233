"""Which regions a cross-region developer provably cannot help: bounds that skip scoring.

At national size most of the scoring work is the developers allowed to cross (remote ones)
against every other region, and a region rich in its own candidates never needs them: a
pair across regions loses the cross-region penalty and (for a remote pair) part of the
distance criterion, so its best possible score is below what the region's own pairs reach.

Why skipping is exact. Let g be a group of region B (the whole region, or one kind of it
when a kind rule applies: the groups of matcher.solver.prune), c a women class (the
developer's gender where B has a women share, else one class), cap the most pairs g can
hold and K the most pairs any pairing holds (the sum of every region's max). Suppose some
allowed pairs of g, between developers of class c, form a matching T of t = K + cap − 1
pairs that all score more than a bound U. Let M be an optimum holding an unlocked pair e of
g with a developer of class c that scores at most U (so e ∉ T). M − e has at most K − 1
developers and at most cap − 1 partners of g paired, and each of them is in at most one
pair of T (T is a matching): at most K + cap − 2 < t pairs of T touch M − e, so some f ∈ T
touches none. M' = M − e + f is a matching with the same region, kind and women counts
(f is in g and of class c), hence the same fill tiers, and a higher score: M was not
optimal. So no optimum holds a pair of g scoring at most U with a class-c developer.

A crossing developer d whose best possible score in B (``upper_scores``) is below that U
for every group of B (for d's class) is therefore in no optimum there, and is not scored
against B. The matching T is built greedily from the pairs already scored: every
developer against their own region first. Locked pairs are never skipped.

The same bar drops scored pairs (``matcher.edges``): an unlocked pair of g, of any
developer, that scores below the bar of its (g, c) is in no optimum by the argument above,
which never asks where e's developer lives. The edges are compared at the solver's
resolution (round(score · 10⁶) strictly below round(bar · 10⁶)), so M' is strictly better
in the solver's own objective too, whatever tier follows the score. T's pairs all score at
least the bar and are kept, so every exchange stays inside the kept edges.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matcher.config import MatcherConfig
from matcher.geo import haversine_km
from matcher.scoring import (
    MOBILITIES,
    DeveloperFeatures,
    PartnerFeatures,
    _distance_values,
    _places,
    weighted_score,
)
from matcher.solver import RegionSpec
from matcher.solver.prune import distinct_codes

Int64s = npt.NDArray[np.int64]
Float64s = npt.NDArray[np.float64]
Float32s = npt.NDArray[np.float32]
Bools = npt.NDArray[np.bool_]

# Added to every upper bound: it only makes skipping more cautious.
_MARGIN = 1e-9


def matching_bar(*, edge_dev: Int64s, edge_par: Int64s, edge_score: Float64s, size: int) -> float:
    """Return the lowest score of a greedy matching of ``size`` pairs over the best edges.

    Edges are taken by (score desc, position asc), each kept when neither end is taken
    yet; −inf when that greedy pass finds no such matching (+inf when ``size`` is 0: nothing is
    needed).
    """
    if size <= 0:
        return float(np.inf)
    if len(edge_score) < size:
        return float(-np.inf)
    if min(len(distinct_codes(edge_dev)), len(distinct_codes(edge_par))) < size:
        return float(-np.inf)  # no matching that large: spare the greedy pass
    # The greedy pass usually ends within the best few times ``size`` edges: it first runs
    # on the edges scoring at least the (4 size)-th best (ties included, so they are exactly
    # the first edges of the full order, in that order) and sorts everything only if the
    # matching is not complete by then.
    head = 4 * size
    if head < len(edge_score):
        floor = np.partition(edge_score, len(edge_score) - head)[len(edge_score) - head]
        top = np.flatnonzero(edge_score >= floor)
        found = _greedy(edge_dev, edge_par, edge_score, top, size)
        if found is not None:
            return found
    found = _greedy(edge_dev, edge_par, edge_score, np.arange(len(edge_score)), size)
    return float(-np.inf) if found is None else found


def _greedy(
    edge_dev: Int64s, edge_par: Int64s, edge_score: Float64s, at: Int64s, size: int
) -> float | None:
    """Run the greedy matching over the edges ``at`` (in position order); None if short."""
    order = at[np.lexsort((at, -edge_score[at]))]
    used_dev: set[int] = set()
    used_par: set[int] = set()
    for d, p, score in zip(
        edge_dev[order].tolist(), edge_par[order].tolist(), edge_score[order].tolist(), strict=True
    ):
        if d in used_dev or p in used_par:
            continue
        used_dev.add(d)
        used_par.add(p)
        if len(used_dev) == size:
            return float(score)
    return None


def region_bars(
    *,
    specs: Sequence[RegionSpec],
    region: int,
    group_cap: Int64s,
    par_group: Int64s,
    dev_female: Bools,
    edge_dev: Int64s,
    edge_par: Int64s,
    edge_score: Float64s,
    region_cols: Int64s,
    dev_stays: Bools,
) -> dict[tuple[int, int], float]:
    """Return, per (group, women class) of ``region``, the score a crossing developer must beat.

    The edges given are allowed pairs of ``region`` already scored; ``region_cols`` are the
    region's partners; ``dev_stays`` flags the developers who may not cross regions. A group
    whose cap is 0 needs nobody (+inf); one whose edges hold no greedy matching large
    enough gives no bar (−inf). The bar is the higher of two, both exact: a matching of
    K + cap − 1 pairs over every developer's edges, and one of max + cap − 1 over the edges
    of developers who may not cross (they can only be paired in this region, where the
    other pairs of an optimum number at most max − 1 and touch at most max + cap − 2 of
    its pairs, each through its developer or through a partner of the group).
    """
    pairs = sum(s.max for s in specs)
    region_max = specs[region].max
    stays = dev_stays[edge_dev]
    women = specs[region].share_fraction() is not None
    edge_class = (
        dev_female[edge_dev].astype(np.int64) if women else np.zeros(len(edge_dev), np.int64)
    )
    edge_group = par_group[edge_par]
    out: dict[tuple[int, int], float] = {}
    for g in np.unique(par_group[region_cols]).tolist():
        cap = int(group_cap[g])
        for c in (0, 1) if women else (0,):
            sel = (edge_group == g) & (edge_class == c)
            every = matching_bar(
                edge_dev=edge_dev[sel],
                edge_par=edge_par[sel],
                edge_score=edge_score[sel],
                size=pairs + cap - 1 if cap > 0 else 0,
            )
            sel &= stays
            local = matching_bar(
                edge_dev=edge_dev[sel],
                edge_par=edge_par[sel],
                edge_score=edge_score[sel],
                size=region_max + cap - 1 if cap > 0 else 0,
            )
            out[(g, c)] = max(every, local)
    return out


def upper_scores(
    *,
    developers: DeveloperFeatures,
    rows: Int64s,
    partners: PartnerFeatures,
    region: int,
    config: MatcherConfig,
) -> Float64s:
    """Return, per developer at ``rows``, a bound on every score it can reach in ``region``.

    Every criterion is taken at its maximum over the region's partners (skills, languages
    and availability at 1; the distance criterion at its best over the region's places, or
    the remote value for a remote pair; the sector at 1, or 0.5 for a developer without
    sectors), summed with the score's own float operations in the same order, which are
    monotone, so the bound is never below a score.
    """
    rules = config.rules
    dev_places, dev_at = _places(developers.lat[rows], developers.lon[rows])
    par_places, _ = _places(partners.lat, partners.lon)
    _, distance = _distance_values(
        haversine_km(
            dev_places[:, 0:1], dev_places[:, 1:2], par_places[None, :, 0], par_places[None, :, 1]
        ),
        float(rules.max_distance_km),
    )
    best = distance.max(axis=1)[dev_at] if par_places.shape[0] else np.zeros(len(rows))
    cross = developers.region[rows] != region
    remote = cross & (developers.mobility[rows] == MOBILITIES.index("remote"))
    distance_best: Float32s = np.where(
        remote, np.float32(rules.remote_distance_score), best
    ).astype(np.float32)
    maxima: dict[str, Float32s] = {
        "skills": np.ones(len(rows), dtype=np.float32),
        "languages": np.ones(len(rows), dtype=np.float32),
        "distance": distance_best,
        "sector": np.where(developers.has_sectors[rows], 1.0, 0.5).astype(np.float32),
        "availability": np.ones(len(rows), dtype=np.float32),
    }
    result: Float64s = weighted_score(maxima, cross_region=cross, config=config) + _MARGIN
    return result
