"""Tests for the hard rules, one pair at a time and vectorised."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from profiles import dev, par

from matcher.config import MatcherConfig
from matcher.models import KINDS, Developer, Partner
from matcher.reference import PROVINCES, REGIONS
from matcher.rules import (
    RULE_TEXT,
    RULES,
    allowed_mask,
    may_cross_regions,
    violated_rules,
    violation_masks,
)
from matcher.scoring import score_block

# Rabat prefecture and Salé prefecture (both Rabat-Salé-Kénitra, ~5 km apart), Casablanca
# prefecture (Casablanca-Settat, ~83 km from Rabat).
RABAT, SALE, CASA = "04.421", "04.441", "06.141"


def config(**rules: Any) -> MatcherConfig:
    """Return the default config with some rules overridden."""
    return MatcherConfig.model_validate({"rules": rules})


def strict(**rules: Any) -> MatcherConfig:
    """Return a config where max distance is 200 km and min score 60, unless overridden."""
    return config(**{"max_distance_km": 200, "min_score": 60, **rules})


CASES: list[tuple[str, Developer, Partner, MatcherConfig, frozenset[tuple[str, str]], list[str]]]
CASES = [
    ("good pair", dev(), par(), strict(), frozenset(), []),
    ("forbidden", dev(), par(), strict(), frozenset({("D-1", "P-1")}), ["forbidden"]),
    ("other pair forbidden", dev(), par(), strict(), frozenset({("D-1", "P-2")}), []),
    (
        "local, other province",
        dev(mobility="local"),
        par(province=SALE),
        strict(),
        frozenset(),
        ["mobility_local"],
    ),
    ("local, same province", dev(mobility="local"), par(), strict(), frozenset(), []),
    (
        "local, partner province unknown",
        dev(mobility="local"),
        par(province=None),
        strict(),
        frozenset(),
        [],
    ),
    (
        "local, own province unknown",
        dev(mobility="local", province=None),
        par(province=SALE),
        strict(),
        frozenset(),
        [],
    ),
    (
        "local, unknown province, other region",
        dev(mobility="local", province=None),
        par(region="MA-06", province=None),
        strict(cross_region="always"),
        frozenset(),
        ["mobility_local", "cross_region_not_allowed"],
    ),
    ("region, same region other province", dev(), par(province=SALE), strict(), frozenset(), []),
    (
        "region, other region",
        dev(),
        par(region="MA-06", province=CASA),
        strict(),
        frozenset(),
        ["cross_region_not_allowed"],
    ),
    (
        "region, other region, always",
        dev(),
        par(region="MA-06", province=CASA),
        strict(cross_region="always"),
        frozenset(),
        [],
    ),
    (
        "remote, other region",
        dev(mobility="remote"),
        par(region="MA-06", province=CASA),
        strict(),
        frozenset(),
        [],
    ),
    (
        "remote, other region, never",
        dev(mobility="remote"),
        par(region="MA-06", province=CASA),
        strict(cross_region="never"),
        frozenset(),
        ["cross_region_not_allowed"],
    ),
    (
        "no shared language",
        dev(languages=("en",)),
        par(),
        strict(),
        frozenset(),
        ["no_shared_language"],
    ),
    (
        "no shared language, not required",
        dev(languages=("en",)),
        par(),
        strict(require_shared_language=False),
        frozenset(),
        [],
    ),
    (
        "too far",
        dev(province=None, lat=34.0, lon=-6.8),
        par(province=None, lat=32.0, lon=-6.8),
        strict(),
        frozenset(),
        ["too_far"],
    ),  # ~222 km > 200 km
    (
        "within a larger max distance",
        dev(province=None, lat=34.0, lon=-6.8),
        par(province=None, lat=32.0, lon=-6.8),
        strict(max_distance_km=250),
        frozenset(),
        [],
    ),
    (
        "below min score",
        dev(skills=("seo",), sectors=("food",)),
        par(),
        strict(),
        frozenset(),
        ["below_min_score"],
    ),  # 100 - 35 - 15 = 50 < 60
    (
        "penalty pushes below min score",
        dev(mobility="remote"),
        par(region="MA-06", province=CASA),
        strict(min_score=80),
        frozenset(),
        ["below_min_score"],
    ),
    (
        "everything at once",
        dev(
            mobility="local",
            languages=("en",),
            skills=(),
            sectors=("x",),
            province=None,
            lat=34.0,
            lon=-6.8,
        ),
        par(region="MA-06", province=None, lat=31.0, lon=-8.0),
        strict(min_score=10),
        frozenset({("D-1", "P-1")}),
        list(RULES),
    ),
]


def test_the_penalty_alone_breaks_the_min_score() -> None:
    developer, partner = dev(mobility="remote"), par(region="MA-06", province=CASA)
    assert (
        violated_rules(
            developer=developer,
            partner=partner,
            config=strict(min_score=80, cross_region_penalty=0),
        )
        == []
    )


@pytest.mark.parametrize(
    ("developer", "partner", "cfg", "forbidden", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_each_rule_is_produced_by_a_specific_pair(
    developer: Developer,
    partner: Partner,
    cfg: MatcherConfig,
    forbidden: frozenset[tuple[str, str]],
    expected: list[str],
) -> None:
    assert (
        violated_rules(developer=developer, partner=partner, config=cfg, forbidden=forbidden)
        == expected
    )
    block = score_block(developers=[developer], partners=[partner], config=cfg)
    masks = violation_masks(
        block=block, developers=[developer], partners=[partner], config=cfg, forbidden=forbidden
    )
    assert [code for code in RULES if masks[code][0, 0]] == expected
    allowed = allowed_mask(
        block=block, developers=[developer], partners=[partner], config=cfg, forbidden=forbidden
    )
    assert bool(allowed[0, 0]) == (expected == [])


def test_every_rule_has_a_code_and_a_sentence() -> None:
    assert RULES == (
        "forbidden",
        "mobility_local",
        "cross_region_not_allowed",
        "no_shared_language",
        "too_far",
        "below_min_score",
    )
    assert set(RULE_TEXT) == set(RULES)
    assert RULE_TEXT["no_shared_language"] == "no language in common"
    assert all(text and text[0].islower() for text in RULE_TEXT.values())


@pytest.mark.parametrize(
    ("policy", "mobility", "expected"),
    [
        ("never", "local", False),
        ("never", "region", False),
        ("never", "remote", False),
        ("remote-only", "local", False),
        ("remote-only", "region", False),
        ("remote-only", "remote", True),
        ("always", "local", False),
        ("always", "region", True),
        ("always", "remote", True),
    ],
)
def test_who_may_cross_regions(policy: str, mobility: str, expected: bool) -> None:
    assert may_cross_regions(mobility=mobility, config=config(cross_region=policy)) is expected


def random_people(seed: int, n_dev: int, n_par: int) -> tuple[list[Developer], list[Partner]]:
    """Return random profiles over three neighbouring regions."""
    rng = random.Random(seed)
    regions = [r.code for r in REGIONS if r.code in ("MA-03", "MA-04", "MA-06")]
    langs = ("ary", "ar", "fr", "zgh", "en")
    skills = ("web", "seo", "mobile", "payments", "design")
    sectors = ("agriculture", "textile", "food")

    def place() -> dict[str, Any]:
        region = rng.choice(regions)
        provinces = [p.code for p in PROVINCES if p.region == region][:3]
        out: dict[str, Any] = {
            "region": region,
            "lat": None,
            "lon": None,
            "province": rng.choice([*provinces, None]),
        }
        if rng.random() < 0.2:
            out["lat"], out["lon"] = rng.uniform(32.5, 34.5), rng.uniform(-8, -5)
        return out

    developers = [
        dev(
            id=f"D-{i:03d}",
            languages=tuple(rng.sample(langs, rng.randint(1, 2))),
            skills=tuple(rng.sample(skills, rng.randint(0, 3))),
            sectors=tuple(rng.sample(sectors, rng.randint(0, 1))),
            mobility=rng.choice(["local", "region", "remote"]),
            availability_hours=rng.choice([None, 5, 20]),
            **place(),
        )
        for i in range(n_dev)
    ]
    partners = [
        par(
            id=f"P-{i:03d}",
            languages=tuple(rng.sample(langs, rng.randint(1, 2))),
            needs=tuple(rng.sample(skills, rng.randint(0, 2))),
            sector=rng.choice(sectors),
            kind=rng.choice(KINDS),
            availability_hours=rng.choice([None, 10, 40]),
            **place(),
        )
        for i in range(n_par)
    ]
    return developers, partners


@pytest.mark.parametrize(
    "rules",
    [
        {},
        {"cross_region": "never"},
        {"cross_region": "always", "min_score": 50, "max_distance_km": 120},
        {"require_shared_language": False, "min_score": 0, "cross_region_penalty": 0},
    ],
)
def test_allowed_mask_agrees_with_violated_rules(rules: dict[str, Any]) -> None:
    developers, partners = random_people(5, 40, 30)
    cfg = config(**rules)
    forbidden = frozenset({(developers[i].id, partners[j].id) for i, j in [(0, 0), (3, 7), (9, 2)]})
    block = score_block(developers=developers, partners=partners, config=cfg)
    allowed = allowed_mask(
        block=block, developers=developers, partners=partners, config=cfg, forbidden=forbidden
    )
    masks = violation_masks(
        block=block, developers=developers, partners=partners, config=cfg, forbidden=forbidden
    )
    assert allowed.shape == (40, 30)
    assert 0 < allowed.sum() < allowed.size  # the case is not trivial
    for i, d in enumerate(developers):
        for j, p in enumerate(partners):
            found = violated_rules(developer=d, partner=p, config=cfg, forbidden=forbidden)
            assert (found == []) == bool(allowed[i, j]), (i, j, found)
            assert found == [code for code in RULES if masks[code][i, j]], (i, j)
    assert masks["forbidden"].sum() == 3


def test_forbidden_matches_by_id_whatever_the_order() -> None:
    developers = [dev(id="D-2"), dev(id="D-1")]
    partners = [par(id="P-1"), par(id="P-2")]
    cfg = MatcherConfig()
    block = score_block(developers=developers, partners=partners, config=cfg)
    allowed = allowed_mask(
        block=block,
        developers=developers,
        partners=partners,
        config=cfg,
        forbidden=frozenset({("D-1", "P-2"), ("D-9", "P-1")}),
    )
    assert allowed.tolist() == [[True, True], [True, False]]
    assert allowed.dtype == np.bool_


@pytest.mark.parametrize(
    ("rules", "mobility", "expected"),
    [
        ({}, "remote", []),  # a remote pair has no distance limit by default
        ({"remote_max_distance_km": 500}, "remote", ["too_far"]),
        ({"remote_max_distance_km": 1000}, "remote", []),
        ({"cross_region": "always"}, "region", ["too_far"]),  # in person: max_distance_km
    ],
)
def test_remote_pairs_are_held_to_their_own_distance(
    rules: dict[str, Any], mobility: str, expected: list[str]
) -> None:
    # Casablanca to a partner placed ~900 km south: far beyond max_distance_km (250).
    developer = dev(region="MA-06", province=CASA, mobility=mobility)
    partner = par(region="MA-09", province=None, lat=25.5, lon=-7.6)
    cfg = config(**{"min_score": 0, **rules})
    assert violated_rules(developer=developer, partner=partner, config=cfg) == expected
    block = score_block(developers=[developer], partners=[partner], config=cfg)
    masks = violation_masks(block=block, developers=[developer], partners=[partner], config=cfg)
    assert bool(masks["too_far"][0, 0]) is ("too_far" in expected)
