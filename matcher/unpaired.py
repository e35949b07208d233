"""Why each valid person was left unpaired: a reason code and the deciding fact.

Works at national size: the paired flags are boolean arrays and every edge is looked at
by numpy, never by a Python loop. Of the counterparts the pruned edge set leaves out,
only the few paired people, and the crossing developers the scorer may have skipped, are
scored again (see ``unpaired_people``); both sides are encoded once for all of it.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import attrgetter
from typing import TYPE_CHECKING, Literal, cast

import numpy as np
import numpy.typing as npt

from matcher.config import MatcherConfig
from matcher.edges import EdgeSet
from matcher.i18n import _
from matcher.models import KINDS, Developer, Partner
from matcher.reference import REGIONS, get_region
from matcher.rules import RULE_TEXT, RULES, feature_masks, may_cross_regions
from matcher.scoring import (
    MOBILITIES,
    DeveloperFeatures,
    PartnerFeatures,
    breakdown,
    encode,
    score_features,
)
from matcher.solver import RegionSpec
from matcher.specs import group_caps, partner_groups
from matcher.words import side_word

if TYPE_CHECKING:
    from matcher.kernel import DeveloperBits

Side = Literal["developer", "partner"]
Int64s = npt.NDArray[np.int64]
Float64s = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
Int64s2 = npt.NDArray[np.int64]  # a block: rows x columns
Float64s2 = npt.NDArray[np.float64]  # a block: rows x columns

# About a million scored pairs per block bounds the memory of the re-scoring.
_CELLS_PER_BLOCK = 1 << 20
_REACH_RULES = ("mobility_local", "cross_region_not_allowed")
_MOBILITY = attrgetter("mobility")
_REGION = attrgetter("region")
_KIND = attrgetter("kind")


@dataclass(frozen=True)
class Unpaired:
    """Somebody valid who was not paired, with a reason code and the deciding fact."""

    side: Side
    id: str
    name: str
    region: str
    reason: str
    detail: str


@dataclass
class _People:
    """What every classification needs: both sides, the rules and who is paired with whom."""

    devs: Sequence[Developer]
    pars: Sequence[Partner]
    config: MatcherConfig
    forbidden: frozenset[tuple[str, str]]
    dev_mate: Int64s  # per developer, the partner paired with them (-1: none)
    par_mate: Int64s  # per partner, the developer paired with them (-1: none)
    caps: Mapping[str, int]  # per region code, its most pairs
    filled: Mapping[str, int]  # per region code, its pairs formed
    # per region code: the reason and text of a partner whose region wants no pairs
    quota_zero: dict[str, tuple[str, str]] = field(default_factory=dict)
    # (side, region, at least): the reason, translated template and values of _free_left_in
    forms: dict[tuple[str, str, bool], tuple[str, str, dict[str, object]]] = field(
        default_factory=dict
    )
    taken: dict[tuple[int, int], float] = field(default_factory=dict)  # (developer, partner)
    # Both sides encoded once, on first need, with the forbidden pairs as indices.
    features: tuple[DeveloperFeatures, PartnerFeatures] | None = None
    forbid_cells: tuple[Int64s, Int64s] | None = None
    dev_bits: DeveloperBits | None = None  # the kernel's packed developer features


def unpaired_people(
    *,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    config: MatcherConfig,
    edges: EdgeSet,
    forbidden: frozenset[tuple[str, str]],
    dev_pair: Mapping[int, int],
    par_pair: Mapping[int, int],
    caps: Mapping[str, int],
    filled: Mapping[str, int],
    specs: Sequence[RegionSpec],
) -> list[Unpaired]:
    """Return every unpaired developer, then every unpaired partner, with reason and detail.

    A person's counterparts are their edges; when none of those is free and pruning dropped
    edges, every compatible counterpart counts instead. For a partner those are found
    without scoring every developer: the edge set counted each partner's allowed
    developers (``par_allowed``), so the free ones number that count minus the paired
    developers compatible with the partner, and only the paired developers are scored.
    When the scorer skipped crossing developers against a region (matcher.bounds), the
    count without them is a lower bound, said as "at least n"; where that bound leaves no
    free developer (the reason then depends on them), they are scored and counted.

    Most people have free compatible counterparts left: their reasons are worked out as
    columns (region, count, at least) and each distinct one is worded once.
    """
    n_dev, n_par = len(developers), len(partners)
    dev_mate = np.full(n_dev, -1, dtype=np.int64)
    par_mate = np.full(n_par, -1, dtype=np.int64)
    for d, p in dev_pair.items():
        dev_mate[d], par_mate[p] = p, d
    people = _People(developers, partners, config, forbidden, dev_mate, par_mate, caps, filled)
    encoded = edges.features  # the scorer's encoding of the same people, when it has one
    if encoded is not None and (len(encoded[0]), len(encoded[1])) == (n_dev, n_par):
        people.features = encoded
    may_cross = {m: may_cross_regions(mobility=m, config=config) for m in MOBILITIES}
    skipped = edges.skipped > 0
    scene = _Scene(
        people=people,
        edges=edges,
        reach=_Reach.of(people, edges),
        crossing=np.fromiter(
            map(may_cross.__getitem__, map(_MOBILITY, developers)), np.bool_, n_dev
        ),
        dev_paired=dev_mate >= 0,
        par_paired=par_mate >= 0,
        skipped=skipped,
        pruned=edges.pruned > 0 or skipped,
        specs=specs,
    )
    unpaired_d, done_d = _developer_reasons(scene)
    unpaired_p, done_p = _partner_reasons(scene)
    out = [
        Unpaired("developer", d.id, d.name, d.region, reason, detail)
        for d, (reason, detail) in zip(
            map(developers.__getitem__, unpaired_d.tolist()), done_d, strict=True
        )
    ]
    out += [
        Unpaired("partner", p.id, p.name, p.region, reason, detail)
        for p, (reason, detail) in zip(
            map(partners.__getitem__, unpaired_p.tolist()), done_p, strict=True
        )
    ]
    return out


@dataclass(frozen=True, eq=False)
class _Scene:
    """What both sides' reasons read: the people, the edges, who is paired, who may cross."""

    people: _People
    edges: EdgeSet
    reach: _Reach
    crossing: Bools  # per developer: may work in another region
    dev_paired: Bools
    par_paired: Bools
    skipped: bool  # the scorer skipped crossing developers against some regions
    pruned: bool  # the edges are not every allowed pair
    specs: Sequence[RegionSpec]


def _developer_reasons(scene: _Scene) -> tuple[Int64s, list[tuple[str, str]]]:
    """Return the unpaired developers (indices) and each one's (reason, detail)."""
    people, edges, reach = scene.people, scene.edges, scene.reach
    n_dev = len(people.devs)
    par_paired = scene.par_paired
    e_dev, e_par, e_score = edges.dev, edges.par, edges.score
    free_edge = ~par_paired[e_par]  # the edge's partner is free
    n_free = np.bincount(e_dev[free_edge], minlength=n_dev)
    # The region a developer's reason names: its own if a free partner is there, else the
    # first region (in code order) with one.
    par_region, dev_region = reach.par_region, reach.dev_region
    free_at = np.flatnonzero(free_edge)
    owner, where = e_dev[free_at], par_region[e_par[free_at]]
    free_region = np.full(n_dev, len(REGIONS), dtype=np.int64)
    np.minimum.at(free_region, owner, where)
    at_home = np.zeros(n_dev, dtype=np.bool_)
    at_home[owner[where == dev_region[owner]]] = True
    free_region[at_home] = dev_region[at_home]
    starts = np.searchsorted(e_dev, np.arange(n_dev + 1))
    # Without pruning the edges are every allowed pair; with it, somebody whose edges are
    # all taken may still have free compatible counterparts outside them.
    # A crossing developer skipped against a region has pairs there that dev_allowed lacks.
    maybe = (edges.dev_allowed > 0) | (scene.crossing & scene.skipped)
    redo = np.flatnonzero(~scene.dev_paired & (n_free == 0) & maybe & scene.pruned)
    counted, beaten, unsure = _count_free_partners(
        people, redo, edges=edges, reach=reach, crossing=scene.crossing
    )
    full = _developer_counterparts(people, unsure)
    # Per developer, the free compatible partners left (0: explained another way), the
    # region the reason names and whether the count is a lower bound.
    left, region, least = n_free.copy(), free_region, np.zeros(n_dev, dtype=np.bool_)
    left[counted.who], region[counted.who], least[counted.who] = (
        counted.n,
        counted.region,
        counted.at_least,
    )
    for i, (others, _scores) in full.items():
        free = others[~par_paired[others]]
        if len(free):
            free_in = np.bincount(par_region[free], minlength=len(REGIONS)) > 0
            left[i], region[i] = len(free), _named_index(int(dev_region[i]), free_in)
    unpaired = np.flatnonzero(~scene.dev_paired)
    texts = _free_left_column(
        "developer", unpaired, left=left, region=region, at_least=least, people=people
    )
    # People with no allowed pair at all, as (place in the list, index): explained together
    # at the end, in blocks.
    lonely: list[tuple[int, int]] = []
    starts_l = starts.tolist()
    for k in np.flatnonzero(left[unpaired] == 0).tolist():
        i = int(unpaired[k])
        if i in beaten:
            texts[k] = _outscored("developer", i, *beaten[i], people)
        elif i in full and len(full[i][0]):
            # (none at all: a crossing developer the scorer may have skipped, who turns
            # out to have no compatible partner; the branches below explain them)
            others, scores = full[i]
            texts[k] = _outscored("developer", i, others, scores, people)
        elif starts_l[i + 1] > starts_l[i]:
            sel = slice(starts_l[i], starts_l[i + 1])
            texts[k] = _outscored("developer", i, e_par[sel], e_score[sel], people)
        else:
            lonely.append((k, i))
    _explain_lonely("developer", lonely, texts, people)
    # Every text is set now: the column's Nones were the lonely, explained just above.
    return unpaired, cast(list[tuple[str, str]], texts)


def _partner_reasons(scene: _Scene) -> tuple[Int64s, list[tuple[str, str]]]:
    """Return the unpaired partners (indices) and each one's (reason, detail)."""
    people, edges, reach = scene.people, scene.edges, scene.reach
    n_par = len(people.pars)
    par_paired, par_region = scene.par_paired, reach.par_region
    n_free = np.bincount(edges.par[~scene.dev_paired[edges.dev]], minlength=n_par)
    quota_zero = np.array([people.caps.get(r.code, 1) == 0 for r in REGIONS], dtype=np.bool_)[
        par_region
    ]
    taken = ~par_paired & ~quota_zero & (n_free == 0)
    allowed = edges.par_allowed
    at_least = np.zeros(n_par, dtype=np.bool_)
    # Per partner, the free compatible developers left (0: explained another way).
    left = np.where(quota_zero, 0, n_free)
    outscored: dict[int, tuple[Int64s, Float64s]] = {}
    if scene.pruned:
        redo = np.flatnonzero(taken & ((allowed > 0) | scene.skipped))
        paired_n = _paired_compatible_counts(people, redo, par_region)
        if scene.skipped:
            # Counting the skipped developers exactly means scoring them: only done where
            # the count without them leaves no free developer (the reason depends on it).
            # Elsewhere that count is a lower bound, given as "at least".
            lower = allowed - paired_n
            unsure = _unscored_regions(reach, crossing=scene.crossing)
            sure = np.zeros(n_par, dtype=np.bool_)
            sure[redo] = (lower[redo] > 0) & unsure[redo]
            at_least = sure
            allowed = allowed + _skipped_compatible(
                people,
                reach,
                edges=edges,
                wanted=redo[~sure[redo]],
                crossing=scene.crossing,
                specs=scene.specs,
            )
        counts = redo[allowed[redo] > 0]
        free_n = allowed[counts] - paired_n[counts]
        left[counts] = np.maximum(free_n, 0)
        outscored = _paired_compatible(people, counts[free_n <= 0], par_region)
    else:
        kept = _partner_edges(edges, np.flatnonzero(taken))
        outscored = {j: found for j, found in kept.items() if len(found[0])}
    unpaired = np.flatnonzero(~par_paired)
    texts = _free_left_column(
        "partner", unpaired, left=left, region=par_region, at_least=at_least, people=people
    )
    lonely: list[tuple[int, int]] = []
    quota_zero_l = quota_zero.tolist()
    for k in np.flatnonzero(left[unpaired] == 0).tolist():
        j = int(unpaired[k])
        if quota_zero_l[j]:
            texts[k] = _quota_zero(people.pars[j].region, people)
        elif j in outscored:
            texts[k] = _outscored("partner", j, *outscored[j], people)
        else:
            lonely.append((k, j))
    _explain_lonely("partner", lonely, texts, people)
    return unpaired, cast(list[tuple[str, str]], texts)


def _free_left_column(
    side: Side, who: Int64s, *, left: Int64s, region: Int64s, at_least: Bools, people: _People
) -> list[tuple[str, str] | None]:
    """Return, per person of ``who``, the reason of ``_free_left_in`` (None where left is 0).

    ``left``, ``region`` (an index in REGIONS) and ``at_least`` are per person of the side.
    """
    texts: list[tuple[str, str] | None] = [None] * len(who)
    at = np.flatnonzero(left[who] > 0)
    if not len(at):
        return texts
    chosen = who[at]
    n_regions = len(REGIONS)
    # One key per distinct (count, at least, region): tens of thousands of people share it.
    key = (left[chosen] * 2 + at_least[chosen]) * n_regions + region[chosen]
    distinct, inverse = np.unique(key, return_inverse=True)
    worded = [
        _free_left_in(
            side,
            REGIONS[k % n_regions].code,
            k // n_regions // 2,
            people,
            at_least=bool(k // n_regions % 2),
        )
        for k in distinct.tolist()
    ]
    for pos, k in zip(at.tolist(), inverse.tolist(), strict=True):
        texts[pos] = worded[k]
    return texts


def _explain_lonely(
    side: Side, found: list[tuple[int, int]], texts: list[tuple[str, str] | None], people: _People
) -> None:
    """Set ``texts[k]`` for each (k, person) of ``found``, people with no allowed pair at all."""
    worded = _no_candidates(side, [person for _k, person in found], people)
    for (k, _person), text in zip(found, worded, strict=True):
        texts[k] = text


def _quota_zero(region: str, people: _People) -> tuple[str, str]:
    """Explain a partner of a region that wants no pairs."""
    found = people.quota_zero.get(region)
    if found is None:
        found = people.quota_zero[region] = (
            "quota_full",
            _("{region} wants no pairs (quota 0)").format(region=get_region(region).name),
        )
    return found


def _free_left_in(
    side: Side, region: str, n: int, people: _People, *, at_least: bool = False
) -> tuple[str, str]:
    """Explain ``n`` free compatible counterparts left in ``region``: its quota or mix rules.

    ``at_least``: ``n`` is a lower bound (see unpaired_people).
    """
    # _free_left_column asks once per distinct text; the many counts of one wording (side,
    # region, bound) share its translated template.
    form = people.forms.get((side, region, at_least))
    if form is None:
        form = people.forms[side, region, at_least] = _free_left_form(
            side, region, people, at_least=at_least
        )
    reason, template, values = form
    return reason, template.format(n=n, **values)


def _free_left_form(
    side: Side, region: str, people: _People, *, at_least: bool
) -> tuple[str, str, dict[str, object]]:
    """Return the reason, the translated template and its values but ``n`` for a region."""
    values: dict[str, object] = {
        "region": get_region(region).name,
        "side": side_word("partner" if side == "developer" else "developer"),
    }
    cap = people.caps[region]
    full = people.filled.get(region, 0) >= cap
    if full:
        values["cap"] = cap
    if at_least and full:
        return (
            "quota_full",
            _(
                "{region} already has its {cap} pairs; at least {n} compatible {side}(s) left "
                "unpaired too"
            ),
            values,
        )
    if at_least:
        return (
            "excluded_by_rule",
            _(
                "{region}'s mix rules (places reserved per partner kind, "
                "maximum per kind, share of women) leave no place for "
                "a pair with at least {n} free compatible {side}(s)"
            ),
            values,
        )
    if full:
        return (
            "quota_full",
            _("{region} already has its {cap} pairs; {n} compatible {side}(s) left unpaired too"),
            values,
        )
    return (
        "excluded_by_rule",
        _(
            "{region}'s mix rules (places reserved per partner kind, "
            "maximum per kind, share of women) leave no place for "
            "a pair with the {n} free compatible {side}(s)"
        ),
        values,
    )


def _outscored(
    side: Side, own: int, others: Int64s, scores: Float64s, people: _People
) -> tuple[str, str]:
    """Explain that every compatible counterpart (all paired) went to someone else."""
    devs, pars = people.devs, people.pars
    best = int(np.argmax(scores))
    other = int(others[best])
    if side == "developer":
        taker = int(people.par_mate[other])
        pair = (taker, other)
        best_id, taker_id, region = pars[other].id, devs[taker].id, pars[other].region
    else:
        taker = int(people.dev_mate[other])
        pair = (other, taker)
        best_id, taker_id, region = devs[other].id, pars[taker].id, pars[own].region
    # Many of the outscored lost the same best counterpart: score each pair formed once.
    taken = people.taken.get(pair)
    if taken is None:
        taken = people.taken[pair] = breakdown(
            developer=devs[pair[0]], partner=pars[pair[1]], config=people.config
        ).score
    return "outscored", _(
        "every compatible {side} in reach ({n}) was paired with someone "
        "else; the best, {best} (score {score:.1f}), is paired "
        "with {taker} (score {taken:.1f}) in {region}"
    ).format(
        side=side_word("partner" if side == "developer" else "developer"),
        n=len(others),
        best=best_id,
        score=float(scores[best]),
        taker=taker_id,
        taken=taken,
        region=get_region(region).name,
    )


def _partner_edges(edges: EdgeSet, wanted: Int64s) -> dict[int, tuple[Int64s, Float64s]]:
    """Return, per wanted partner, its edges' developers (in index order) and scores."""
    if not len(wanted):
        return {}
    hit = np.flatnonzero(np.isin(edges.par, wanted))
    # Stable on edges sorted by (developer, partner): each partner's developers stay in order.
    hit = hit[np.argsort(edges.par[hit], kind="stable")]
    owners, starts = np.unique(edges.par[hit], return_index=True)
    bounds = [*starts.tolist(), len(hit)]
    return {
        int(p): (edges.dev[hit[a:b]], edges.score[hit[a:b]])
        for p, a, b in zip(owners.tolist(), bounds, bounds[1:], strict=False)
    }


def _allowed_block(
    people: _People, rows: Int64s, cols: Int64s
) -> tuple[Bools, npt.NDArray[np.float64]]:
    """Score developers ``rows`` against partners ``cols``: which pairs pass, and their scores.

    Only the allowed pairs' scores are meaningful. Where the scorer used the fused kernel
    (numba is loaded), the kernel scores the block: the same pairs and scores as numpy.
    """
    if "numba" not in sys.modules:
        first, score = _first_rules(people, rows, cols)
        allowed: Bools = first < 0
        return allowed, score
    r, c, found = _kernel_hits(people, rows, cols)
    allowed = np.zeros((len(rows), len(cols)), dtype=np.bool_)
    allowed[r, c] = True
    score = np.zeros((len(rows), len(cols)), dtype=np.float64)
    score[r, c] = found
    return allowed, score


def _allowed_per_column(people: _People, rows: Int64s, cols: Int64s) -> Int64s:
    """Return, per partner of ``cols``, how many developers of ``rows`` pass with them."""
    if "numba" not in sys.modules:
        counts: Int64s = (_first_rules(people, rows, cols)[0] < 0).sum(axis=0)
        return counts
    # the kernel's hits, one per allowed pair, counted without a dense block
    return np.bincount(_kernel_hits(people, rows, cols)[1], minlength=len(cols))


def _kernel_hits(people: _People, rows: Int64s, cols: Int64s) -> tuple[Int64s, Int64s, Float64s]:
    """Return the allowed pairs of ``rows`` x ``cols`` by the fused kernel: (row, column, score).

    Rows and columns are places in the block; each allowed pair comes once.
    """
    from matcher.kernel import developer_bits, partner_table, score_chunk

    if people.features is None:
        people.features = encode(developers=people.devs, partners=people.pars)
    dev_feat, par_feat = people.features
    if people.dev_bits is None:
        people.dev_bits = developer_bits(dev_feat)
    crosses = [may_cross_regions(mobility=m, config=people.config) for m in MOBILITIES]
    forbidden = _forbidden_block(people, rows, cols)
    r, c, found, _, _ = score_chunk(
        rows=rows,
        developers=dev_feat,
        dev_bits=people.dev_bits,
        may_cross=np.array(crosses, dtype=np.bool_)[dev_feat.mobility],
        table=partner_table(par_feat.take(cols), col_group=None, group_cap=None),
        config=people.config,
        forbidden=forbidden if forbidden.any() else None,
        locks=None,
    )
    return r, c, found


def _in_reach(people: _People, devs: Int64s, region: str) -> Int64s:
    """Return the developers among ``devs`` who may work in ``region`` (the others never pass)."""
    keep = [
        i
        for i in devs.tolist()
        if people.devs[i].region == region
        or may_cross_regions(mobility=people.devs[i].mobility, config=people.config)
    ]
    return np.array(keep, dtype=np.int64)


def _paired_blocks(
    people: _People, wanted: Int64s, par_region: Int64s
) -> Iterator[tuple[Int64s, Int64s]]:
    """Return blocks of the paired developers in reach of the wanted partners' regions.

    Yields blocks of bounded size as (developers, partners), the partners of a region in
    the order of ``wanted``, the regions in code order, and the developers in index order;
    a region with no paired developer in reach gives one block without developers.
    """
    paired = np.flatnonzero(people.dev_mate >= 0)
    wanted_region = par_region[wanted]
    for r in sorted(np.unique(wanted_region).tolist(), key=lambda r: REGIONS[r].code):
        rows = _in_reach(people, paired, REGIONS[r].code)
        cols_all = wanted[wanted_region == r]
        step = max(1, _CELLS_PER_BLOCK // max(len(rows), 1))
        for start in range(0, len(cols_all), step if len(rows) else len(cols_all)):
            yield rows, cols_all[start : start + step]


def _paired_compatible_counts(people: _People, wanted: Int64s, par_region: Int64s) -> Int64s:
    """Return, per partner, how many paired developers are compatible (0 if not wanted).

    ``par_region``: each partner's region, as an index in REGIONS.
    """
    counts = np.zeros(len(people.pars), dtype=np.int64)
    for rows, cols in _paired_blocks(people, wanted, par_region):
        if len(rows):
            counts[cols] = _allowed_per_column(people, rows, cols)
    return counts


def _paired_compatible(
    people: _People, wanted: Int64s, par_region: Int64s
) -> dict[int, tuple[Int64s, Float64s]]:
    """Return, per wanted partner, the paired developers compatible with them and the scores.

    Developers come in index order, as in every other list of counterparts. Only paired
    developers in reach of each partner's region (``par_region``, indices in REGIONS) are
    scored, in blocks of bounded size.
    """
    out: dict[int, tuple[Int64s, Float64s]] = {}
    for rows, cols in _paired_blocks(people, wanted, par_region):
        if not len(rows):
            out.update({j: (rows, np.zeros(0, dtype=np.float64)) for j in cols.tolist()})
            continue
        mask, score = _allowed_block(people, rows, cols)
        # per column, its hits in row order: the nonzeros of the transpose, split
        col_at, row_at = np.nonzero(mask.T)
        bounds = np.searchsorted(col_at, np.arange(len(cols) + 1)).tolist()
        found_rows, found_scores = rows[row_at], score[row_at, col_at]
        for k, j in enumerate(cols.tolist()):
            a, b = bounds[k], bounds[k + 1]
            out[j] = (found_rows[a:b], found_scores[a:b])
    return out


@dataclass(frozen=True, eq=False)
class _Reach:
    """Each side's region index, and which regions each developer was scored against."""

    par_region: Int64s
    dev_region: Int64s
    reached: Bools  # [developer, region]

    @classmethod
    def of(cls, people: _People, edges: EdgeSet) -> _Reach:
        """Work out the regions of both sides and where the developers were scored."""
        region_at = {r.code: i for i, r in enumerate(REGIONS)}
        at = region_at.__getitem__
        par_region = np.fromiter(map(at, map(_REGION, people.pars)), np.int64, len(people.pars))
        dev_region = np.fromiter(map(at, map(_REGION, people.devs)), np.int64, len(people.devs))
        return cls(par_region, dev_region, edges.scored)


def _unscored_regions(reach: _Reach, *, crossing: Bools) -> Bools:
    """Return, per partner, whether some crossing developer from elsewhere has no edge there.

    Those are the developers the scorer may have skipped against the partner's region.
    """
    away = crossing[:, None] & (reach.dev_region[:, None] != np.arange(len(REGIONS))[None, :])
    unsure: Bools = (away & ~reach.reached).any(axis=0)[reach.par_region]
    return unsure


def _skipped_compatible(
    people: _People,
    reach: _Reach,
    *,
    edges: EdgeSet,
    wanted: Int64s,
    crossing: Bools,
    specs: Sequence[RegionSpec],
) -> Int64s:
    """Return, per partner, the compatible developers ``par_allowed`` misses (0 if not wanted).

    The scorer skips only crossing developers from another region, and each of those it
    scores against a region keeps an edge in every group there holding an allowed pair of
    theirs (the group's cap is at least 1): so the crossing developers with no edge into the
    region hold every skipped one, and the others among them add nothing. Partners of a
    group with cap 0 keep no edge at all: their count is redone over every developer.
    """
    par_region, dev_region, reached = reach.par_region, reach.dev_region, reach.reached
    kind_at = {kind: k for k, kind in enumerate(KINDS)}.__getitem__
    par_kind = np.fromiter(map(kind_at, map(_KIND, people.pars)), np.int64, len(people.pars))
    par_cap = group_caps(specs)[partner_groups(specs, par_region=par_region, par_kind=par_kind)]
    extra = np.zeros(len(people.pars), dtype=np.int64)
    for region in np.unique(par_region[wanted]).tolist():
        cols = wanted[par_region[wanted] == region]
        home = dev_region == region
        for capped, rows_mask in (
            (True, crossing & ~home & ~reached[:, region]),
            (False, crossing | home),
        ):
            group = cols[(par_cap[cols] > 0) == capped]
            rows = np.flatnonzero(rows_mask)
            if not len(group) or not len(rows):
                continue
            step = max(1, _CELLS_PER_BLOCK // len(rows))
            for start in range(0, len(group), step):
                block = group[start : start + step]
                extra[block] += (_first_rules(people, rows, block)[0] < 0).sum(axis=0)
            if not capped:
                extra[group] -= edges.par_allowed[group]
    return extra


def _named_index(home: int, free_in: Bools) -> int:
    """Return the region a developer's reason names: its own if free_in there, else the first."""
    return home if free_in[home] else int(np.argmax(free_in))


@dataclass(frozen=True, eq=False)
class _Counted:
    """Developers with free compatible partners left: who, the region named, count, bound."""

    who: Int64s
    region: Int64s  # an index in REGIONS
    n: Int64s
    at_least: Bools

    @classmethod
    def none(cls) -> _Counted:
        """Return the empty set."""
        empty = np.zeros(0, dtype=np.int64)
        return cls(empty, empty, empty, np.zeros(0, dtype=np.bool_))


def _count_free_partners(
    people: _People, wanted: Int64s, *, edges: EdgeSet, reach: _Reach, crossing: Bools
) -> tuple[_Counted, dict[int, tuple[Int64s, Float64s]], list[int]]:
    """Count the wanted developers' free compatible partners by scoring the paired ones only.

    The scorer counted each developer's allowed pairs per region (``region_allowed``), so
    the free ones there number that count minus the paired partners compatible with the
    developer, and only the paired partners are scored. Returns: the developers with some
    free, with the region named (the developer's own if it has free ones, else the first
    region that has), the count and whether it is a lower bound; per developer, (compatible
    partners, scores) when none is free and the developer was scored wherever it may work
    (all are then paired); and the developers left, crossing ones not scored somewhere
    (matcher.bounds) with no free partner where they were, whose reasons need every partner
    scored.
    """
    beaten: dict[int, tuple[Int64s, Float64s]] = {}
    if not len(wanted):
        return _Counted.none(), beaten, []
    par_region = reach.par_region
    has_partners = np.bincount(par_region, minlength=len(REGIONS)) > 0
    paired = np.flatnonzero(people.par_mate >= 0)
    compatible = np.zeros((len(wanted), len(REGIONS)), dtype=np.int64)
    _paired_in_reach(people, wanted, edges.scored, par_region, paired, compatible, None)
    free: Int64s = edges.region_allowed[wanted] - compatible
    away: Bools = crossing[wanted, None] & ~edges.scored[wanted] & has_partners[None, :]
    unscored: Bools = np.asarray(away.any(axis=1), dtype=np.bool_)
    totals: Int64s = np.asarray(free.sum(axis=1), dtype=np.int64)
    some = totals > 0
    free_in = free[some] > 0
    home = reach.dev_region[wanted[some]]
    at_home = free_in[np.arange(len(home)), home]
    counted = _Counted(
        who=wanted[some],
        region=np.where(at_home, home, np.argmax(free_in, axis=1)),
        n=totals[some],
        at_least=unscored[some],
    )
    unsure: list[int] = wanted[~some & unscored].tolist()
    beaten_at: list[int] = np.flatnonzero(~some & ~unscored & compatible.any(axis=1)).tolist()
    # Every compatible partner of these is paired: list them, with the scores.
    found: list[list[tuple[int, float]]] = [[] for _ in range(len(wanted))]
    if beaten_at:
        rows = np.array(beaten_at, dtype=np.int64)
        _paired_in_reach(people, wanted[rows], edges.scored, par_region, paired, None, found, rows)
    for k in beaten_at:
        pairs = sorted(found[k])
        beaten[int(wanted[k])] = (
            np.array([p for p, _ in pairs], dtype=np.int64),
            np.array([sc for _, sc in pairs], dtype=np.float64),
        )
    return counted, beaten, unsure


def _paired_in_reach(
    people: _People,
    devs: Int64s,
    scored: Bools,
    par_region: Int64s,
    paired: Int64s,
    counts: Int64s | None,
    found: list[list[tuple[int, float]]] | None,
    slots: Int64s | None = None,
) -> None:
    """Score ``devs`` against the paired partners of the regions they were scored in.

    Adds to ``counts[k, region]`` the compatible ones of ``devs[k]``, or appends them with
    their scores to ``found[slots[k]]``.
    """
    for r in range(scored.shape[1]):
        at = np.flatnonzero(scored[devs, r])
        cols = paired[par_region[paired] == r]
        if not len(at) or not len(cols):
            continue
        step = max(1, _CELLS_PER_BLOCK // len(cols))
        for start in range(0, len(at), step):
            block = at[start : start + step]
            mask, score = _allowed_block(people, devs[block], cols)
            if counts is not None:
                counts[block, r] = mask.sum(axis=1)
            if found is not None:
                for row, k in enumerate(block.tolist()):
                    hit = np.flatnonzero(mask[row])
                    slot = k if slots is None else int(slots[k])
                    found[slot].extend(
                        zip(cols[hit].tolist(), score[row, hit].tolist(), strict=True)
                    )


def _developer_counterparts(
    people: _People, wanted: list[int]
) -> dict[int, tuple[Int64s, Float64s]]:
    """Return, per wanted developer, every compatible partner (in index order) and the scores.

    A developer who may not cross regions is scored against the partners of their own
    region only: every other partner breaks the cross-region rule.
    """
    out: dict[int, tuple[Int64s, Float64s]] = {}
    if not wanted:
        return out
    groups: dict[str | None, list[int]] = {}
    for i in wanted:
        dev = people.devs[i]
        crosses = may_cross_regions(mobility=dev.mobility, config=people.config)
        groups.setdefault(None if crosses else dev.region, []).append(i)
    par_region = np.array([p.region for p in people.pars], dtype=object)
    for region, rows_list in groups.items():
        cols = np.arange(len(people.pars), dtype=np.int64)
        if region is not None:
            cols = cols[par_region == region]
        step = max(1, _CELLS_PER_BLOCK // max(len(cols), 1))
        for start in range(0, len(rows_list), step):
            rows = np.array(rows_list[start : start + step], dtype=np.int64)
            mask, score = _allowed_block(people, rows, cols)
            for k, i in enumerate(rows.tolist()):
                hit = np.flatnonzero(mask[k])
                out[i] = (cols[hit], score[k, hit])
    return out


def _rule_summary(violations: Counter[str], total: int, side: str, where: str) -> str:
    if total == 0:
        return _("there is no {side} in reach in {where}").format(side=side_word(side), where=where)
    parts = [
        f"{_(RULE_TEXT[code])} ({n})"
        for code, n in sorted(violations.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return _("none of the {total} {side}s in reach passes the rules: ").format(
        total=total, side=side_word(side)
    ) + ", ".join(parts)


def _no_candidates(side: Side, people_at: list[int], people: _People) -> list[tuple[str, str]]:
    """Explain why each person has no allowed pair at all, by the rule excluding each candidate.

    Counterparts ruled out only by mobility or the cross-region policy are "out of reach" and
    not counted, unless nobody at all is in reach. Both sides are encoded once and the
    people scored against the whole other side in blocks of bounded size.
    """
    if not people_at:
        return []
    everyone = np.arange(len(people.pars) if side == "developer" else len(people.devs))
    step = max(1, _CELLS_PER_BLOCK // max(len(everyone), 1))
    out: list[tuple[str, str]] = []
    for start in range(0, len(people_at), step):
        rows = np.array(people_at[start : start + step], dtype=np.int64)
        if side == "developer":
            first = _first_rules(people, rows, everyone)[0]
        else:
            first = _first_rules(people, everyone, rows)[0].T
        for k, i in enumerate(rows.tolist()):
            out.append(_no_candidates_text(side, i, first[k], people))
    return out


def _first_rules(
    people: _People, rows: Int64s, cols: Int64s
) -> tuple[Int64s2, npt.NDArray[np.float64]]:
    """Return, per pair of developers ``rows`` × partners ``cols``, the first rule broken and score.

    -1 marks an allowed pair. Cell values do not depend on the block, so they equal
    ``rules.first_violations`` and ``scoring.score_block`` on any block holding the pair.
    """
    if people.features is None:
        people.features = encode(developers=people.devs, partners=people.pars)
    if people.forbid_cells is None:
        people.forbid_cells = _forbidden_cells(people)
    dev_feat, par_feat = people.features
    sub_d, sub_p = dev_feat.take(rows), par_feat.take(cols)
    block = score_features(developers=sub_d, partners=sub_p, config=people.config)
    forbidden = _forbidden_block(people, rows, cols)
    masks = feature_masks(
        block=block, developers=sub_d, partners=sub_p, config=people.config, forbidden=forbidden
    )
    first = np.full(block.shape, -1, dtype=np.int64)
    for k in range(len(RULES) - 1, -1, -1):
        first[masks[RULES[k]]] = k
    return first, block.score


def _forbidden_block(people: _People, rows: Int64s, cols: Int64s) -> Bools:
    """Return which pairs of developers ``rows`` × partners ``cols`` are forbidden."""
    if people.forbid_cells is None:
        people.forbid_cells = _forbidden_cells(people)
    forbidden = np.zeros((len(rows), len(cols)), dtype=np.bool_)
    if len(people.forbid_cells[0]):
        row_of = np.full(len(people.devs), -1, dtype=np.int64)
        row_of[rows] = np.arange(len(rows))
        col_of = np.full(len(people.pars), -1, dtype=np.int64)
        col_of[cols] = np.arange(len(cols))
        r, c = row_of[people.forbid_cells[0]], col_of[people.forbid_cells[1]]
        hit = (r >= 0) & (c >= 0)
        forbidden[r[hit], c[hit]] = True
    return forbidden


def _forbidden_cells(people: _People) -> tuple[Int64s, Int64s]:
    """Return the (developer index, partner index) of every forbidden pair of known people."""
    if not people.forbidden:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    dev_at = {d.id: i for i, d in enumerate(people.devs)}
    par_at = {p.id: j for j, p in enumerate(people.pars)}
    known = [
        (dev_at[d], par_at[p]) for d, p in sorted(people.forbidden) if d in dev_at and p in par_at
    ]
    return (
        np.array([d for d, _p in known], dtype=np.int64),
        np.array([p for _d, p in known], dtype=np.int64),
    )


def _no_candidates_text(
    side: Side, i: int, first: npt.NDArray[np.int64], people: _People
) -> tuple[str, str]:
    """Explain one person's lack of any allowed pair from each candidate's first broken rule."""
    if side == "developer":
        where, other = get_region(people.devs[i].region).name, "partner"
    else:
        where, other = get_region(people.pars[i].region).name, "developer"
    # by_rule[0]: allowed pairs; by_rule[k + 1]: candidates whose first broken rule is k.
    by_rule = np.bincount(first + 1, minlength=len(RULES) + 1).tolist()
    if by_rule[0]:
        return "outscored", _(
            "the {n} compatible {other}(s) each had better-scoring {mine}s to choose from"
        ).format(n=by_rule[0], other=side_word(other), mine=side_word(side))
    broken = {rule: n for rule, n in zip(RULES, by_rule[1:], strict=True) if n}
    in_reach = Counter({rule: n for rule, n in broken.items() if rule not in _REACH_RULES})
    counts = in_reach or Counter(broken)
    code = "no_compatible_partner" if side == "developer" else "no_compatible_developer"
    if not counts:
        return code, _("there is no {other} at all").format(other=side_word(other))
    if not in_reach:
        return code, (
            _("no {other} in reach of {where}: ").format(other=side_word(other), where=where)
            + ", ".join(f"{_(RULE_TEXT[c])} ({n})" for c, n in sorted(counts.items()))
        )
    return code, _rule_summary(counts, sum(in_reach.values()), other, where)
