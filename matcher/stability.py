"""Audit a pairing's stability: the blocking pairs, and what keeps each of them apart.

A blocking pair is a developer and a partner whom the rules allow together and who would
each score higher with the other than with their current pair (or are unpaired). matcher's
objective is not stability (quota places first, then the total score), so an optimal
pairing may have blocking pairs; for each one the audit names what forming it would cost:
forming (d, p) breaks d's and p's current pairs, and the pairing that results either breaks
a rule or a quota, or is worse in one of the objective's tiers. It is an audit only.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from matcher.config import MatcherConfig
from matcher.edges import build_edges
from matcher.errors import UsageError
from matcher.i18n import _
from matcher.models import KINDS, Developer, Partner
from matcher.reference import REGIONS, get_region
from matcher.scoring import breakdown
from matcher.solver import RegionSpec
from matcher.specs import region_specs

# The audit scores every allowed pair without pruning (a blocking pair may be one the
# solver's pruning dropped), so its cost grows with developers × partners: past this many
# cells (the national call has 3.6·10⁹) it would take minutes and gigabytes, and it is
# skipped instead of slowing every `match --out` down.
AUDIT_MAX_CELLS = 20_000_000


class AuditTooLargeError(UsageError):
    """The call is too large for the stability audit."""


def audit_fits(*, developers: int, partners: int) -> bool:
    """Return whether the stability audit of a call of this size is computed."""
    return developers * partners <= AUDIT_MAX_CELLS


if TYPE_CHECKING:
    from matcher.pipeline import Pair

Int64s = npt.NDArray[np.int64]
Float64s = npt.NDArray[np.float64]

REASONS: dict[str, str] = {
    "locked": "one of the current pairs is locked",
    "quota_full": "the partner's region has all its pairs",
    "max_per_kind": "the region has the most partners of that kind it allows",
    "reserved_kind": "the region's other places are reserved for other kinds",
    "women_share": "the region would fall below its share of women",
    "priority_places": "a priority region would lose a place",
    "min_places": "a region would fall below its min",
    "places": "one place fewer would be filled",
    "total_score": "the total score would be lower",
    "not_optimal": "forming it would improve the result (locked or kept pairs hold it back)",
}


@dataclass(frozen=True)
class BlockingPair:
    """Two people who prefer each other to their pairs, and what keeps them apart."""

    developer_id: str
    partner_id: str
    region: str
    score: float
    developer_pair: str | None  # the developer's current partner
    developer_score: float | None
    partner_pair: str | None  # the partner's current developer
    partner_score: float | None
    reason: str  # a key of REASONS
    detail: str


def _kinds_broken(counts: Sequence[int], spec: RegionSpec) -> str | None:
    if sum(counts) > spec.max:
        return "quota_full"
    for k, c in enumerate(counts):
        limit = spec.max_per_kind[k] if k < len(spec.max_per_kind) else None
        if limit is not None and c > limit:
            return "max_per_kind"
    if sum(max(0, c - spec.reserved(k)) for k, c in enumerate(counts)) > spec.free_places():
        return "reserved_kind"
    return None


def _women_ok(women: int, filled: int, spec: RegionSpec) -> bool:
    share = spec.share_fraction()
    return share is None or share.denominator * women >= share.numerator * filled


def _blocking(
    *,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    config: MatcherConfig,
    pairs: Sequence[tuple[str, str]],
    locked: Collection[tuple[str, str]],
    forbidden: frozenset[tuple[str, str]],
) -> tuple[_Audit, Int64s, Int64s, Float64s]:
    """Return the audit of the pairing and its blocking pairs (developer, partner, score),
    indices into the people sorted by id, best score first."""
    developers = sorted(developers, key=lambda d: d.id)
    partners = sorted(partners, key=lambda p: p.id)
    dev_pos = {d.id: i for i, d in enumerate(developers)}
    par_pos = {p.id: j for j, p in enumerate(partners)}
    region_index = {r.code: i for i, r in enumerate(REGIONS)}
    edges = build_edges(
        developers=developers,
        partners=partners,
        config=config,
        region_index=region_index,
        group_cap=None,
        forbidden=forbidden,
    )
    cur_dev = np.full(len(developers), -np.inf)
    cur_par = np.full(len(partners), -np.inf)
    partner_of: dict[int, tuple[int, float]] = {}
    developer_of: dict[int, tuple[int, float]] = {}
    for d_id, p_id in pairs:
        d, p = dev_pos[d_id], par_pos[p_id]
        score = breakdown(developer=developers[d], partner=partners[p], config=config).score
        cur_dev[d], cur_par[p] = score, score
        partner_of[d], developer_of[p] = (p, score), (d, score)
    blocking = (edges.score > cur_dev[edges.dev]) & (edges.score > cur_par[edges.par])
    b_dev, b_par, b_score = edges.dev[blocking], edges.par[blocking], edges.score[blocking]
    # People are sorted by id, so indices order ties by developer id, then partner id.
    order = np.lexsort((b_par, b_dev, -b_score))
    audit = _Audit(
        developers=developers,
        partners=partners,
        specs=region_specs(config),
        region_index=region_index,
        partner_of=partner_of,
        developer_of=developer_of,
        locked=set(locked),
    )
    return audit, b_dev[order], b_par[order], b_score[order]


def blocking_pairs(
    *,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    config: MatcherConfig,
    pairs: Sequence[tuple[str, str]],
    locked: Collection[tuple[str, str]] = (),
    forbidden: frozenset[tuple[str, str]] = frozenset(),
) -> list[BlockingPair]:
    """Return the blocking pairs of ``pairs`` (developer id, partner id), best score first."""
    if not audit_fits(developers=len(developers), partners=len(partners)):
        raise AuditTooLargeError(
            _(
                "the stability audit scores every allowed pair, and this call has "
                "{cells} developer × partner cells (the audit stops at {limit})"
            ).format(cells=len(developers) * len(partners), limit=AUDIT_MAX_CELLS)
        )
    audit, b_dev, b_par, b_score = _blocking(
        developers=developers,
        partners=partners,
        config=config,
        pairs=pairs,
        locked=locked,
        forbidden=forbidden,
    )
    devs, pars = audit.developers, audit.partners
    out = []
    for d, p, score in zip(b_dev.tolist(), b_par.tolist(), b_score.tolist(), strict=True):
        reason, detail = audit.reason(d, p, score)
        mine, theirs = audit.partner_of.get(d), audit.developer_of.get(p)
        out.append(
            BlockingPair(
                devs[d].id,
                pars[p].id,
                pars[p].region,
                score,
                None if mine is None else pars[mine[0]].id,
                None if mine is None else mine[1],
                None if theirs is None else devs[theirs[0]].id,
                None if theirs is None else theirs[1],
                reason,
                detail,
            )
        )
    return out


def count_blocking_pairs(
    *,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    config: MatcherConfig,
    pairs: Sequence[tuple[str, str]],
    locked: Collection[tuple[str, str]] = (),
    forbidden: frozenset[tuple[str, str]] = frozenset(),
) -> Counter[str] | None:
    """Return how many blocking pairs ``pairs`` has, per reason (None: too large to audit)."""
    if not audit_fits(developers=len(developers), partners=len(partners)):
        return None
    audit, b_dev, b_par, b_score = _blocking(
        developers=developers,
        partners=partners,
        config=config,
        pairs=pairs,
        locked=locked,
        forbidden=forbidden,
    )
    counts: Counter[str] = Counter()
    paired_dev = np.array([d in audit.partner_of for d in b_dev.tolist()], dtype=np.bool_)
    paired_par = np.array([p in audit.developer_of for p in b_par.tolist()], dtype=np.bool_)
    both_free = ~paired_dev & ~paired_par
    # Two unpaired people are priced by (region, kind, gender) alone: count them by that key.
    region = np.array(audit.region, dtype=np.int64)[b_par[both_free]]
    kind = np.array(audit.kind, dtype=np.int64)[b_par[both_free]]
    female = np.array(audit.female, dtype=np.int64)[b_dev[both_free]]
    keys, first, n = np.unique(
        (region * len(KINDS) + kind) * 2 + female, return_index=True, return_counts=True
    )
    free_dev, free_par = b_dev[both_free], b_par[both_free]
    for k, i in zip(first.tolist(), n.tolist(), strict=True):
        counts[audit.reason(int(free_dev[k]), int(free_par[k]), 0.0)[0]] += i
    del keys
    for d, p, score in zip(
        b_dev[~both_free].tolist(),
        b_par[~both_free].tolist(),
        b_score[~both_free].tolist(),
        strict=True,
    ):
        counts[audit.reason(d, p, score)[0]] += 1
    return counts


class _Audit:
    """The current pairing's counts per region, to price forming one blocking pair."""

    def __init__(
        self,
        *,
        developers: Sequence[Developer],
        partners: Sequence[Partner],
        specs: tuple[RegionSpec, ...],
        region_index: dict[str, int],
        partner_of: dict[int, tuple[int, float]],
        developer_of: dict[int, tuple[int, float]],
        locked: set[tuple[str, str]],
    ) -> None:
        self.developers, self.partners, self.specs = developers, partners, specs
        self.partner_of, self.developer_of, self.locked = partner_of, developer_of, locked
        self.region = [region_index[p.region] for p in partners]
        self.kind = [KINDS.index(p.kind) for p in partners]
        self.female = [d.gender == "female" for d in developers]
        self.counts = [[0] * len(KINDS) for _ in specs]
        self.women = [0] * len(specs)
        self.cache: dict[tuple[int, int, bool], tuple[str, str]] = {}
        for p, (d, _score) in developer_of.items():
            self.counts[self.region[p]][self.kind[p]] += 1
            self.women[self.region[p]] += self.female[d]

    def reason(self, d: int, p: int, score: float) -> tuple[str, str]:
        """Return why forming (d, p) — and breaking d's and p's pairs — is not better."""
        mine, theirs = self.partner_of.get(d), self.developer_of.get(p)
        if mine is None and theirs is None:
            # Two unpaired people (most blocking pairs): the answer depends only on the
            # partner's region and kind and on the developer's gender.
            key = (self.region[p], self.kind[p], self.female[d])
            if key not in self.cache:
                self.cache[key] = self._reason(d, p, score, mine, theirs)
            return self.cache[key]
        return self._reason(d, p, score, mine, theirs)

    def _reason(
        self,
        d: int,
        p: int,
        score: float,
        mine: tuple[int, float] | None,
        theirs: tuple[int, float] | None,
    ) -> tuple[str, str]:
        devs, pars = self.developers, self.partners
        current = []
        if mine is not None:
            current.append((devs[d].id, pars[mine[0]].id))
        if theirs is not None:
            current.append((devs[theirs[0]].id, pars[p].id))
        for dev_id, par_id in current:
            if (dev_id, par_id) in self.locked:
                return "locked", _("{developer} + {partner} is locked").format(
                    developer=dev_id, partner=par_id
                )
        counts = {r: list(c) for r, c in enumerate(self.counts)}
        women = dict(enumerate(self.women))
        touched = [self.region[p]]
        r = self.region[p]
        women[r] += self.female[d] - (self.female[theirs[0]] if theirs else 0)
        if theirs is None:
            counts[r][self.kind[p]] += 1
        if mine is not None:
            r2 = self.region[mine[0]]
            counts[r2][self.kind[mine[0]]] -= 1
            women[r2] -= self.female[d]
            touched.append(r2)
        spec = self.specs[r]
        name = get_region(REGIONS[r].code).name
        broken = _kinds_broken(counts[r], spec)
        if broken == "quota_full":
            return broken, _("{region} already has its {n} pairs").format(region=name, n=spec.max)
        if broken == "max_per_kind":
            kind = KINDS[self.kind[p]]
            return broken, _("{region} already has its {n} {kind} partners").format(
                region=name, n=spec.max_per_kind[self.kind[p]], kind=kind
            )
        if broken == "reserved_kind":
            return broken, _(
                "{region}'s remaining places are reserved for other kinds than {kind}"
            ).format(region=name, kind=KINDS[self.kind[p]])
        for t in dict.fromkeys(touched):
            before = _women_ok(self.women[t], sum(self.counts[t]), self.specs[t])
            if before and not _women_ok(women[t], sum(counts[t]), self.specs[t]):
                return "women_share", _(
                    "{region} would fall below its share of women ({share:g})"
                ).format(
                    region=get_region(REGIONS[t].code).name,
                    share=self.specs[t].min_women_share or 0,
                )
        tiers = [0, 0, 0]
        for t in dict.fromkeys(touched):
            old, new = sum(self.counts[t]), sum(counts[t])
            low = self.specs[t].min if self.specs[t].min < self.specs[t].max else self.specs[t].max
            tiers[0] += (new - old) if self.specs[t].priority else 0
            tiers[1] += min(new, low) - min(old, low)
            tiers[2] += new - old
        delta = score - (mine[1] if mine else 0.0) - (theirs[1] if theirs else 0.0)
        lost = get_region(REGIONS[touched[-1]].code).name
        for tier, code, text in (
            (tiers[0], "priority_places", _("{region}, a priority region, would lose a place")),
            (tiers[1], "min_places", _("{region} would fall below its min")),
            (tiers[2], "places", _("{region} would lose a pair and no place would be gained")),
        ):
            if tier < 0:
                return code, text.format(region=lost)
            if tier > 0:
                return "not_optimal", _("forming it would fill more places")
        if delta <= 0:
            return "total_score", _(
                "the total score would fall by {delta:.2f}: {score:.1f} against {current:.1f} "
                "for the two current pairs"
            ).format(delta=-delta, score=score, current=score - delta)
        return "not_optimal", _("forming it would raise the total score by {delta:.2f}").format(
            delta=delta
        )


def stability_manifest(by_reason: Counter[str] | None) -> dict[str, Any]:
    """Return the manifest entry of the audit: the count, and the count per reason."""
    if by_reason is None:
        return {"stability": {"skipped": f"more than {AUDIT_MAX_CELLS} developer x partner cells"}}
    return {
        "stability": {
            "blocking_pairs": sum(by_reason.values()),
            "by_reason": {code: by_reason[code] for code in REASONS if by_reason[code]},
        }
    }


def audit_manifest(
    *,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    config: MatcherConfig,
    pairs: Sequence[Pair],
    forbidden: Collection[tuple[str, str]] = (),
) -> dict[str, Any]:
    """Return the manifest entry of a result's stability audit (``match`` and ``rematch``)."""
    return stability_manifest(
        count_blocking_pairs(
            developers=developers,
            partners=partners,
            config=config,
            pairs=[(p.developer.id, p.partner.id) for p in pairs],
            locked=[(p.developer.id, p.partner.id) for p in pairs if p.locked],
            forbidden=frozenset(forbidden),
        )
    )
