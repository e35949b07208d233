"""The hard rules: which pairs may be formed at all."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from matcher.config import MatcherConfig
from matcher.i18n import N_
from matcher.models import Developer, Partner
from matcher.scoring import (
    MOBILITIES,
    DeveloperFeatures,
    PartnerFeatures,
    ScoreBlock,
    breakdown,
    encode,
    score_block,
)

Bools = npt.NDArray[np.bool_]

# Scores and distances are compared with the limits at 1e-6, the solver's resolution:
# 100 × (0.35 + 0.20 + 0.20 + 0.075 + 0.075) is 89.99999999999999, and must pass 90.
DIGITS = 6

RULES: tuple[str, ...] = (
    "forbidden",
    "mobility_local",
    "cross_region_not_allowed",
    "no_shared_language",
    "too_far",
    "below_min_score",
)

RULE_TEXT: dict[str, str] = {
    "forbidden": N_("the pair is on the forbid list"),
    "mobility_local": N_("the developer works only in their own province"),
    "cross_region_not_allowed": N_(
        "the partner is in another region and the developer may not cross regions"
    ),
    "no_shared_language": N_("no language in common"),
    "too_far": N_("too far apart"),
    "below_min_score": N_("score below the minimum"),
}

_LOCAL, _REGION, _REMOTE = (MOBILITIES.index(m) for m in ("local", "region", "remote"))


def may_cross_regions(*, mobility: str, config: MatcherConfig) -> bool:
    """Return whether a developer with this mobility may pair with a partner in another region."""
    policy = config.rules.cross_region
    if policy == "remote-only":
        return mobility == "remote"
    if policy == "always":
        return mobility in ("region", "remote")
    return False


def _may_cross(mobility: npt.NDArray[np.int64], config: MatcherConfig) -> Bools:
    allowed = np.array(
        [may_cross_regions(mobility=m, config=config) for m in MOBILITIES], dtype=np.bool_
    )
    return allowed[mobility]


def _too_far(*, block: ScoreBlock, developers: DeveloperFeatures, config: MatcherConfig) -> Bools:
    """Return the pairs farther apart than their limit (remote pairs have their own)."""
    # Compared at the solver's resolution, so 9.9999999 km is not "beyond 10 km".
    km = np.round(block.distance_km.astype(np.float64), DIGITS)
    far: Bools = km > float(config.rules.max_distance_km)
    remote = block.cross_region & (developers.mobility == _REMOTE)[:, None]
    limit = config.rules.remote_max_distance_km
    far[remote] = False if limit is None else km[remote] > float(limit)
    return far


def distance_limit(*, remote: bool, config: MatcherConfig) -> float | None:
    """Return the distance a pair is held to: remote pairs have their own limit (or none)."""
    return config.rules.remote_max_distance_km if remote else config.rules.max_distance_km


def feature_masks(
    *,
    block: ScoreBlock,
    developers: DeveloperFeatures,
    partners: PartnerFeatures,
    config: MatcherConfig,
    forbidden: Bools | None = None,
) -> dict[str, Bools]:
    """Return, per rule code, which pairs of an encoded block break that rule."""
    rules = config.rules
    shape = block.shape
    same_region = developers.region[:, None] == partners.region[None, :]
    unknown = (developers.province[:, None] < 0) | (partners.province[None, :] < 0)
    same_province = developers.province[:, None] == partners.province[None, :]
    local_ok = same_region & (same_province | unknown)
    is_local = (developers.mobility == _LOCAL)[:, None]
    masks: dict[str, Bools] = {
        "forbidden": np.zeros(shape, dtype=np.bool_) if forbidden is None else forbidden,
        "mobility_local": is_local & ~local_ok,
        "cross_region_not_allowed": block.cross_region
        & ~_may_cross(developers.mobility, config)[:, None],
        "no_shared_language": (
            ~block.shared_any if rules.require_shared_language else np.zeros(shape, np.bool_)
        ),
        "too_far": _too_far(block=block, developers=developers, config=config),
        "below_min_score": np.round(block.score, DIGITS) < float(rules.min_score),
    }
    return masks


def forbidden_mask(
    *,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    forbidden: frozenset[tuple[str, str]],
) -> Bools:
    """Return which (developer, partner) pairs of the block are on the forbid list."""
    mask = np.zeros((len(developers), len(partners)), dtype=np.bool_)
    if not forbidden:
        return mask
    rows: dict[str, list[int]] = {}
    for i, dev in enumerate(developers):
        rows.setdefault(dev.id, []).append(i)
    cols: dict[str, list[int]] = {}
    for j, par in enumerate(partners):
        cols.setdefault(par.id, []).append(j)
    for dev_id, par_id in forbidden:
        for i in rows.get(dev_id, ()):
            mask[i, cols.get(par_id, [])] = True
    return mask


def violation_masks(
    *,
    block: ScoreBlock,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    config: MatcherConfig,
    forbidden: frozenset[tuple[str, str]] = frozenset(),
) -> dict[str, Bools]:
    """Return, per rule code, which pairs of a block scored by ``score_block`` break that rule."""
    dev, par = encode(developers=developers, partners=partners)
    return feature_masks(
        block=block,
        developers=dev,
        partners=par,
        config=config,
        forbidden=forbidden_mask(developers=developers, partners=partners, forbidden=forbidden),
    )


def allowed_mask(
    *,
    block: ScoreBlock,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    config: MatcherConfig,
    forbidden: frozenset[tuple[str, str]] = frozenset(),
) -> Bools:
    """Return which pairs of a block scored by ``score_block`` break no rule."""
    masks = violation_masks(
        block=block, developers=developers, partners=partners, config=config, forbidden=forbidden
    )
    allowed = np.ones(block.shape, dtype=np.bool_)
    for code in RULES:
        allowed &= ~masks[code]
    return allowed


def violated_rules(
    *,
    developer: Developer,
    partner: Partner,
    config: MatcherConfig,
    forbidden: frozenset[tuple[str, str]] = frozenset(),
) -> list[str]:
    """Return the codes of the rules this pair breaks, in ``RULES`` order; [] when allowed."""
    rules = config.rules
    same_region = developer.region == partner.region
    found: list[str] = []
    if (developer.id, partner.id) in forbidden:
        found.append("forbidden")
    if developer.mobility == "local":
        unknown = not developer.province or not partner.province
        if not (same_region and (unknown or developer.province == partner.province)):
            found.append("mobility_local")
    if not same_region and not may_cross_regions(mobility=developer.mobility, config=config):
        found.append("cross_region_not_allowed")
    result = breakdown(developer=developer, partner=partner, config=config)
    if rules.require_shared_language and not result.shared_languages:
        found.append("no_shared_language")
    limit = distance_limit(remote=result.remote, config=config)
    if limit is not None and round(result.distance_km, DIGITS) > limit:
        found.append("too_far")
    if round(result.score, DIGITS) < rules.min_score:
        found.append("below_min_score")
    return found


def first_violations(
    *,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    config: MatcherConfig,
    forbidden: frozenset[tuple[str, str]] = frozenset(),
) -> npt.NDArray[np.int64]:
    """Return, per pair of the block, the index in RULES of the first rule broken (-1: none)."""
    block = score_block(developers=developers, partners=partners, config=config)
    masks = violation_masks(
        block=block, developers=developers, partners=partners, config=config, forbidden=forbidden
    )
    first = np.full(block.shape, -1, dtype=np.int64)
    for k in range(len(RULES) - 1, -1, -1):
        first[masks[RULES[k]]] = k
    return first
