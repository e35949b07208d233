"""Tests for the five criteria, the weighted score and the block scorer."""

from __future__ import annotations

import math
import random
from typing import Any

import numpy as np
import profiles
import pytest

from matcher.config import CRITERIA, MatcherConfig
from matcher.geo import EARTH_RADIUS_KM
from matcher.models import KINDS, Developer, Partner
from matcher.reference import PROVINCES, REGIONS
from matcher.scoring import Breakdown, breakdown, score_block

# One point: every pair placed here has distance 0 and distance criterion 1.
HERE = {"lat": 34.0, "lon": -6.8}


def dev(**fields: Any) -> Developer:
    """Return a developer placed HERE who matches ``par()`` perfectly unless told otherwise."""
    return profiles.dev(**{"province": None, **HERE, **fields})


def par(**fields: Any) -> Partner:
    """Return a partner placed HERE who matches ``dev()`` perfectly unless told otherwise."""
    return profiles.par(**{"province": None, **HERE, **fields})


def config(**sections: Any) -> MatcherConfig:
    """Return a config with the given sections overridden."""
    return MatcherConfig.model_validate(sections)


def one(developer: Developer, partner: Partner, cfg: MatcherConfig | None = None) -> Breakdown:
    """Return the breakdown of one pair, checking it against the block scorer."""
    cfg = cfg or MatcherConfig()
    result = breakdown(developer=developer, partner=partner, config=cfg)
    block = score_block(developers=[developer], partners=[partner], config=cfg)
    for name in CRITERIA:
        assert getattr(result, name) == float(block.criteria[name][0, 0])
    assert result.score == float(block.score[0, 0])
    return result


@pytest.mark.parametrize(
    ("skills", "needs", "expected"),
    [
        (("web",), ("web", "seo"), 0.5),
        (("web", "seo"), ("web", "seo"), 1.0),
        (("mobile",), ("web", "seo"), 0.0),
        ((), ("web",), 0.0),
        (("web",), (), 1.0),  # a partner with no needs is fully covered
        ((), (), 1.0),
        (("web", "seo", "data"), ("web", "seo", "mobile"), float(np.float32(2 / 3))),
        (("web", "web"), ("web", "web", "seo"), 0.5),  # duplicates count once
        (("E-Commerce",), ("ecommerce", "seo"), 0.5),  # tags compare folded
    ],
)
def test_skills_is_the_share_of_needs_covered(
    skills: tuple[str, ...], needs: tuple[str, ...], expected: float
) -> None:
    assert one(dev(skills=skills), par(needs=needs)).skills == expected


@pytest.mark.parametrize(
    ("dev_langs", "par_langs", "expected", "shared"),
    [
        (("fr",), ("fr", "ary"), 1.0, ("fr",)),  # the partner's first language
        (("ary",), ("fr", "ary"), 0.5, ("ary",)),  # another of the partner's languages
        (("en", "ary", "fr"), ("fr", "ary"), 1.0, ("fr", "ary")),
        (("en",), ("fr", "ary"), 0.0, ()),
        (("zgh", "es"), ("ar", "zgh", "es"), 0.5, ("zgh", "es")),
    ],
)
def test_languages_prefers_the_partners_first_language(
    dev_langs: tuple[str, ...],
    par_langs: tuple[str, ...],
    expected: float,
    shared: tuple[str, ...],
) -> None:
    result = one(dev(languages=dev_langs), par(languages=par_langs))
    assert result.languages == expected
    assert result.shared_languages == shared


def _north_of(km: float) -> dict[str, float]:
    """Return coordinates ``km`` due north of HERE."""
    return {"lat": HERE["lat"] + math.degrees(km / EARTH_RADIUS_KM), "lon": HERE["lon"]}


@pytest.mark.parametrize(
    ("km", "max_km", "expected"),
    [
        (0.0, 250.0, 1.0),
        (125.0, 250.0, 0.5),
        (50.0, 200.0, 0.75),
        (250.0, 250.0, 0.0),
        (400.0, 250.0, 0.0),  # never below 0
    ],
)
def test_distance_falls_linearly_to_zero_at_max_distance(
    km: float, max_km: float, expected: float
) -> None:
    cfg = config(rules={"max_distance_km": max_km})
    result = one(dev(**_north_of(km)), par(), cfg)
    assert result.distance_km == pytest.approx(km, abs=1e-3)
    assert result.distance == pytest.approx(expected, abs=1e-6)


def test_distance_uses_given_coordinates_rabat_casablanca() -> None:
    result = one(
        dev(lat=34.0209, lon=-6.8416, region="MA-04"),
        par(lat=33.5731, lon=-7.5898, region="MA-06"),
    )
    assert result.distance_km == pytest.approx(85.20, abs=0.01)
    assert result.distance == pytest.approx(1 - 85.20 / 250, abs=1e-4)


def test_distance_falls_back_to_province_centroids() -> None:
    # Rabat prefecture (33.9667, -6.8392) and Casablanca prefecture (33.5667, -7.6005).
    result = one(
        dev(lat=None, lon=None, province="04.421", region="MA-04"),
        par(lat=None, lon=None, province="06.141", region="MA-06"),
    )
    assert result.distance_km == pytest.approx(83.25, abs=0.01)


def test_distance_falls_back_to_region_capitals() -> None:
    result = one(dev(lat=None, lon=None, region="MA-04"), par(lat=None, lon=None, region="MA-06"))
    assert result.distance_km == pytest.approx(85.20, abs=0.01)


def test_same_province_without_coordinates_is_distance_zero() -> None:
    result = one(
        dev(lat=None, lon=None, province="04.421"), par(lat=None, lon=None, province="04.421")
    )
    assert result.distance_km == 0.0
    assert result.distance == 1.0


@pytest.mark.parametrize(
    ("sectors", "sector", "expected"),
    [
        (("textile",), "textile", 1.0),
        (("food", "textile"), "textile", 1.0),
        (("food",), "textile", 0.0),
        ((), "textile", 0.5),  # no stated interest
        (("Textile ",), "textile", 1.0),
    ],
)
def test_sector(sectors: tuple[str, ...], sector: str, expected: float) -> None:
    assert one(dev(sectors=sectors), par(sector=sector)).sector == expected


@pytest.mark.parametrize(
    ("dev_hours", "par_hours", "expected"),
    [
        (10, 40, 0.25),
        (40, 10, 0.25),
        (20, 20, 1.0),
        (None, 10, 1.0),
        (10, None, 1.0),
        (None, None, 1.0),
        (0, 0, 1.0),
        (0, 10, 0.0),
        (30, 40, 0.75),
    ],
)
def test_availability(dev_hours: float | None, par_hours: float | None, expected: float) -> None:
    result = one(dev(availability_hours=dev_hours), par(availability_hours=par_hours))
    assert result.availability == expected


def test_perfect_pair_scores_100() -> None:
    result = one(dev(), par())
    assert result.score == pytest.approx(100.0, abs=1e-9)
    assert (result.cross_region, result.penalty) == (False, 0.0)


def test_weighted_total_uses_default_weights() -> None:
    # skills 0.5 (weight 0.35), languages 0.5 (0.20), sector 0 (0.15), the rest 1 (0.30).
    result = one(
        dev(skills=("web",), languages=("ary",), sectors=("food",)),
        par(needs=("web", "seo"), languages=("fr", "ary")),
    )
    assert (result.skills, result.languages, result.sector) == (0.5, 0.5, 0.0)
    assert result.score == pytest.approx(100 * (0.35 * 0.5 + 0.20 * 0.5 + 0.30), abs=1e-9)


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ({"skills": 1, "languages": 0, "distance": 0, "sector": 0, "availability": 0}, 50.0),
        ({"skills": 0, "languages": 0, "distance": 0, "sector": 1, "availability": 0}, 0.0),
        ({"skills": 1, "languages": 0, "distance": 0, "sector": 1, "availability": 0}, 25.0),
        ({"skills": 2, "languages": 0, "distance": 0, "sector": 2, "availability": 0}, 25.0),
        ({"skills": 3, "languages": 1, "distance": 0, "sector": 0, "availability": 0}, 62.5),
    ],
)
def test_weights_are_normalised(weights: dict[str, float], expected: float) -> None:
    # skills 0.5, sector 0, languages 1.
    result = one(dev(sectors=("food",)), par(needs=("web", "seo")), config(weights=weights))
    assert result.score == pytest.approx(expected, abs=1e-9)


@pytest.mark.parametrize(("penalty", "expected"), [(15, 85.0), (0, 100.0), (40, 60.0)])
def test_cross_region_penalty(penalty: float, expected: float) -> None:
    cfg = config(rules={"cross_region_penalty": penalty})
    result = one(dev(region="MA-04"), par(region="MA-06"), cfg)
    assert result.cross_region is True
    assert result.penalty == float(penalty)
    assert result.score == pytest.approx(expected, abs=1e-9)


def test_a_pair_in_the_same_region_has_no_penalty() -> None:
    result = one(dev(region="MA-06"), par(region="MA-06"))
    assert (result.cross_region, result.penalty) == (False, 0.0)


SKILLS = ("web", "seo", "mobile", "payments", "design", "data", "e-commerce", "photography")
LANGUAGES = ("ary", "ar", "fr", "zgh", "en", "es")
SECTORS = ("agriculture", "textile", "food", "tourism")


def random_people(seed: int, n_dev: int, n_par: int) -> tuple[list[Developer], list[Partner]]:
    """Return random profiles over a few regions, with every location fallback represented."""
    rng = random.Random(seed)
    regions = [r.code for r in REGIONS[:5]]

    def place() -> dict[str, Any]:
        region = rng.choice(regions)
        provinces = [p.code for p in PROVINCES if p.region == region]
        out: dict[str, Any] = {"region": region, "lat": None, "lon": None}
        if rng.random() < 0.7:
            out["province"] = rng.choice(provinces)
        if rng.random() < 0.3:
            out["lat"], out["lon"] = rng.uniform(32, 36), rng.uniform(-8, -2)
        return out

    def hours() -> float | None:
        return rng.choice([None, 0, 5, 10, 20, 40, 12.5])

    developers = [
        dev(
            id=f"D-{i:03d}",
            languages=tuple(rng.sample(LANGUAGES, rng.randint(1, 3))),
            skills=tuple(rng.sample(SKILLS, rng.randint(0, 4))),
            sectors=tuple(rng.sample(SECTORS, rng.randint(0, 2))),
            availability_hours=hours(),
            mobility=rng.choice(["local", "region", "remote"]),
            **place(),
        )
        for i in range(n_dev)
    ]
    partners = [
        par(
            id=f"P-{i:03d}",
            languages=tuple(rng.sample(LANGUAGES, rng.randint(1, 3))),
            needs=tuple(rng.sample(SKILLS, rng.randint(0, 3))),
            sector=rng.choice(SECTORS),
            kind=rng.choice(KINDS),
            availability_hours=hours(),
            **place(),
        )
        for i in range(n_par)
    ]
    return developers, partners


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_breakdown_equals_score_block_element_wise(seed: int) -> None:
    developers, partners = random_people(seed, 40, 35)
    cfg = config(
        weights={
            "skills": 0.3,
            "languages": 0.1,
            "distance": 0.33,
            "sector": 0.2,
            "availability": 0.07,
        },
        rules={"max_distance_km": 180},
    )
    block = score_block(developers=developers, partners=partners, config=cfg)
    assert block.score.shape == (40, 35)
    assert block.score.dtype == np.float64
    assert all(block.criteria[name].dtype == np.float32 for name in CRITERIA)
    for i, d in enumerate(developers):
        for j, p in enumerate(partners):
            got = breakdown(developer=d, partner=p, config=cfg)
            for name in CRITERIA:
                assert getattr(got, name) == float(block.criteria[name][i, j]), (i, j, name)
            assert got.distance_km == float(block.distance_km[i, j])
            assert got.cross_region == bool(block.cross_region[i, j])
            assert bool(got.shared_languages) == bool(block.shared_any[i, j])
            assert got.score == float(block.score[i, j]), (i, j)


def test_sub_blocks_score_exactly_like_the_whole_block() -> None:
    developers, partners = random_people(7, 30, 25)
    cfg = MatcherConfig()
    whole = score_block(developers=developers, partners=partners, config=cfg)
    part = score_block(developers=developers[5:17], partners=partners[3:20], config=cfg)
    assert np.array_equal(part.score, whole.score[5:17, 3:20])
    assert np.array_equal(part.distance_km, whole.distance_km[5:17, 3:20])


def test_criteria_stay_in_unit_interval() -> None:
    developers, partners = random_people(11, 50, 50)
    block = score_block(developers=developers, partners=partners, config=MatcherConfig())
    for name in CRITERIA:
        values = block.criteria[name]
        assert values.min() >= 0.0
        assert values.max() <= 1.0


def test_empty_sides_give_empty_blocks() -> None:
    block = score_block(developers=[], partners=[par()], config=MatcherConfig())
    assert block.score.shape == (0, 1)
    block = score_block(developers=[dev()], partners=[], config=MatcherConfig())
    assert block.score.shape == (1, 0)


@pytest.mark.parametrize(
    ("mobility", "region", "remote_score", "expected_distance", "remote"),
    [
        ("remote", "MA-06", 0.5, 0.5, True),  # another region: a remote pair
        ("remote", "MA-06", 0.8, 0.8, True),
        ("remote", "MA-04", 0.5, 1.0, False),  # same region: in person, 1 − km / max
        ("region", "MA-06", 0.5, 1.0, False),  # crossing in person (cross_region = "always")
    ],
)
def test_remote_pairs_have_a_fixed_distance_criterion(
    mobility: str, region: str, remote_score: float, expected_distance: float, remote: bool
) -> None:
    cfg = config(rules={"cross_region": "always", "remote_distance_score": remote_score})
    result = one(dev(mobility=mobility, region=region), par(), cfg)
    assert (result.distance, result.remote) == (float(np.float32(expected_distance)), remote)
    assert result.cross_region is (region != "MA-04")
