"""Which regions a cross-region developer provably cannot help: bounds that skip scoring.

At national size most of the scoring work is the developers allowed to cross (remote ones)
against every other region, and a region rich in its own candidates never needs them: a
pair across regions loses the cross-region penalty and (for a remote pair) part of the
distance criterion, so its best possible score is below what the region's own pairs reach.

Why skipping is exact. Take the chain of exact prunings of matcher.solver.prune applied to
every allowed edge: S1 = the developer-side pruning (each developer keeps at most
``group_cap[g]`` edges per group g, plus at most one lock); S2 = the partner-side pruning
with two developer classes per partner p of region B — developers who may not cross regions
(they can only be paired in B, so B's max bounds them) and the others (bounded by K, the sum
of every region's max) — separately per women class where B has a women share; S3 = the
group top-t pruning (``prune_group_top``): per group g and women class c, the best
t = (K − 1)·a + (cap_g − 1)·b + 1 edges, with a = cap_g (+1 with locks) bounding a
developer's edges in g and b = max_B + K (+1 with locks) bounding a partner's in S2. Each
step keeps an optimum of the problem it is given, so some optimum lies in S3.

The edges of developers who may not cross are scored first; they alone decide their own
S1 and S2 edges (other developers are other classes). When at least t of those S2 edges of
(g, c) score more than everything a crossing developer d can score in B (an upper bound
computed with the same float operations as the score, every criterion at its maximum),
none of d's edges into g is among the top t of S3's input, so S3 drops them all. If that
holds for every group of B, d's edges into B are outside S3 and the problem without them
still holds an optimum of the original: d is not scored against B. Locked pairs are never
skipped (they are added back by the scorer in any case).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matcher.config import CRITERIA, MatcherConfig
from matcher.geo import haversine_km
from matcher.scoring import MOBILITIES, DeveloperFeatures, PartnerFeatures, _distance_values
from matcher.solver import RegionSpec
from matcher.solver.prune import prune_partner_side

Int64s = npt.NDArray[np.int64]
Float64s = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# Added to every upper bound: it only makes skipping more cautious.
_MARGIN = 1e-9


def group_top_count(*, pairs: int, cap: int, dev_degree: int, par_degree: int) -> int:
    """Return t = (pairs − 1)·dev_degree + (cap − 1)·par_degree + 1 (0 when cap is 0)."""
    if cap <= 0:
        return 0
    return max(pairs - 1, 0) * dev_degree + (cap - 1) * par_degree + 1


def region_thresholds(
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
    has_locks: bool,
) -> dict[tuple[int, int], float]:
    """Return, per (group, women class) of ``region``, the score a crossing developer must beat.

    The edges given are the kept edges of the developers of ``region`` who may not cross
    (all of their edges); ``region_cols`` are the region's partners. A group whose cap is 0
    needs nobody (+inf); one with fewer than t such edges gives no bound (−inf).
    """
    spec = specs[region]
    total = sum(s.max for s in specs)
    women = spec.share_fraction() is not None
    extra = 1 if has_locks else 0
    edge_class = (
        dev_female[edge_dev].astype(np.int64) if women else np.zeros(len(edge_dev), np.int64)
    )
    out: dict[tuple[int, int], float] = {}
    n_par = int(par_group.shape[0])
    caps = np.full(n_par, spec.max, dtype=np.int64)
    keep = prune_partner_side(edge_par, edge_class, edge_score, caps) if len(edge_par) else None
    groups = np.unique(par_group[region_cols])
    for g in groups.tolist():
        cap = int(group_cap[g])
        for c in (0, 1) if women else (0,):
            if cap <= 0:
                out[(g, c)] = np.inf
                continue
            t = group_top_count(
                pairs=total, cap=cap, dev_degree=cap + extra, par_degree=spec.max + total + extra
            )
            if keep is None:
                out[(g, c)] = -np.inf
                continue
            sel = keep & (par_group[edge_par] == g) & (edge_class == c)
            scores = edge_score[sel]
            if len(scores) < t:
                out[(g, c)] = -np.inf
            else:
                out[(g, c)] = float(np.partition(scores, len(scores) - t)[len(scores) - t])
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
    dev_places, dev_at = np.unique(
        np.column_stack([developers.lat[rows], developers.lon[rows]]), axis=0, return_inverse=True
    )
    par_places = np.unique(np.column_stack([partners.lat, partners.lon]), axis=0)
    _, distance = _distance_values(
        haversine_km(
            dev_places[:, 0:1], dev_places[:, 1:2], par_places[None, :, 0], par_places[None, :, 1]
        ),
        float(rules.max_distance_km),
    )
    best = distance.max(axis=1)[dev_at.reshape(-1)] if par_places.shape[0] else np.zeros(len(rows))
    cross = developers.region[rows] != region
    remote = cross & (developers.mobility[rows] == MOBILITIES.index("remote"))
    best = np.where(remote, np.float32(rules.remote_distance_score), best).astype(np.float32)
    maxima = {
        "skills": np.ones(len(rows), dtype=np.float32),
        "languages": np.ones(len(rows), dtype=np.float32),
        "distance": best,
        "sector": np.where(developers.has_sectors[rows], 1.0, 0.5).astype(np.float32),
        "availability": np.ones(len(rows), dtype=np.float32),
    }
    weights = config.weights.normalised()
    bound = np.zeros(len(rows), dtype=np.float64)
    for name in CRITERIA:
        bound += maxima[name].astype(np.float64) * weights[name]
    bound *= 100.0
    bound -= np.where(cross, float(rules.cross_region_penalty), 0.0)
    result: Float64s = bound + _MARGIN
    return result
