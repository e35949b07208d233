"""Tests for locating people and great-circle distances."""

from __future__ import annotations

import math

import numpy as np
import pytest

from matcher.geo import EARTH_RADIUS_KM, haversine_km, locate
from matcher.models import Developer, Partner

RABAT = (34.0209, -6.8416)
CASABLANCA = (33.5731, -7.5898)


def _reference_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine written independently with the math module, for cross-checking."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


@pytest.mark.parametrize(
    ("a", "b", "expected_km", "tolerance"),
    [
        (RABAT, CASABLANCA, 85.20, 0.05),  # city centres; ≈ 87 km is the figure usually quoted
        (RABAT, RABAT, 0.0, 0.0),
        ((0.0, 0.0), (0.0, 1.0), 2 * math.pi * EARTH_RADIUS_KM / 360, 1e-9),  # 1° of equator
        ((0.0, 0.0), (1.0, 0.0), 2 * math.pi * EARTH_RADIUS_KM / 360, 1e-9),  # 1° of meridian
        ((90.0, 0.0), (-90.0, 0.0), math.pi * EARTH_RADIUS_KM, 1e-6),  # pole to pole
    ],
)
def test_known_distances(
    a: tuple[float, float], b: tuple[float, float], expected_km: float, tolerance: float
) -> None:
    got = float(haversine_km(a[0], a[1], b[0], b[1]))
    assert got == pytest.approx(expected_km, abs=tolerance)
    assert got == pytest.approx(_reference_km(*a, *b), abs=1e-9)


def test_rabat_casablanca_is_about_87_km() -> None:
    assert 83.0 < float(haversine_km(*RABAT, *CASABLANCA)) < 89.0


def test_distance_is_symmetric() -> None:
    assert float(haversine_km(*RABAT, *CASABLANCA)) == float(haversine_km(*CASABLANCA, *RABAT))


def test_broadcasting_gives_a_matrix_matching_pointwise_values() -> None:
    rng = np.random.default_rng(3)
    lat1, lon1 = rng.uniform(21, 36, 7), rng.uniform(-17, -1, 7)
    lat2, lon2 = rng.uniform(21, 36, 5), rng.uniform(-17, -1, 5)
    matrix = haversine_km(lat1[:, None], lon1[:, None], lat2[None, :], lon2[None, :])
    assert matrix.shape == (7, 5)
    assert matrix.dtype == np.float64
    for i in range(7):
        for j in range(5):
            expected = _reference_km(lat1[i], lon1[i], lat2[j], lon2[j])
            assert matrix[i, j] == pytest.approx(expected, abs=1e-9)
            single = haversine_km([[lat1[i]]], [[lon1[i]]], [[lat2[j]]], [[lon2[j]]])
            assert single[0, 0] == matrix[i, j]


def test_scalars_give_a_zero_dimensional_array() -> None:
    out = haversine_km(0.0, 0.0, 0.0, 1.0)
    assert out.shape == ()


def _dev(**fields: object) -> Developer:
    base: dict[str, object] = {
        "id": "D-1",
        "name": "x",
        "region": "MA-04",
        "languages": ("fr",),
        "skills": ("web",),
    }
    base.update(fields)
    return Developer.model_validate(base)


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"lat": 34.0, "lon": -6.5, "province": "04.421"}, (34.0, -6.5, "given")),
        ({"province": "04.421"}, (33.9667, -6.8392, "province")),  # Rabat prefecture centroid
        ({"province": "04.421", "lat": 34.0}, (33.9667, -6.8392, "province")),  # lon missing
        ({}, (34.0209, -6.8416, "region")),  # capital of Rabat-Salé-Kénitra
        ({"lon": -6.5}, (34.0209, -6.8416, "region")),  # lat missing
        ({"province": "99.999"}, (34.0209, -6.8416, "region")),  # unknown province code
    ],
)
def test_locate_falls_back_from_coordinates_to_province_to_region(
    fields: dict[str, object], expected: tuple[float, float, str]
) -> None:
    assert locate(_dev(**fields)) == expected


def test_locate_works_for_partners_too() -> None:
    partner = Partner(
        id="P-1", name="y", region="MA-06", kind="artisan", sector="textile", languages=("ar",)
    )
    assert locate(partner) == (33.5731, -7.5898, "region")
