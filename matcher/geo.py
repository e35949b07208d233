"""Where people are, and great-circle distances between them."""

from __future__ import annotations

from typing import Literal

import numpy as np
import numpy.typing as npt

from matcher.models import Profile
from matcher.reference import get_province, get_region

EARTH_RADIUS_KM = 6371.0088
LocationSource = Literal["given", "province", "region"]


def locate(profile: Profile) -> tuple[float, float, LocationSource]:
    """Return (lat, lon, source): given coordinates, else province centroid, else region capital."""
    if profile.lat is not None and profile.lon is not None:
        return float(profile.lat), float(profile.lon), "given"
    if profile.province is not None:
        try:
            province = get_province(profile.province)
        except (KeyError, ValueError):
            # An unknown province code was reported when reading; the region still locates them.
            pass
        else:
            return float(province.lat), float(province.lon), "province"
    region = get_region(profile.region)
    return float(region.capital_lat), float(region.capital_lon), "region"


def haversine_km(
    lat1: npt.ArrayLike, lon1: npt.ArrayLike, lat2: npt.ArrayLike, lon2: npt.ArrayLike
) -> npt.NDArray[np.float64]:
    """Return great-circle distances in km between points in degrees, broadcasting the inputs."""
    phi1 = np.radians(np.asarray(lat1, dtype=np.float64))
    phi2 = np.radians(np.asarray(lat2, dtype=np.float64))
    lam1 = np.radians(np.asarray(lon1, dtype=np.float64))
    lam2 = np.radians(np.asarray(lon2, dtype=np.float64))
    shape = np.broadcast_shapes(phi1.shape, phi2.shape, lam1.shape, lam2.shape)
    # In-place work on freshly allocated contiguous arrays bounds memory on large blocks and
    # makes every element take the same ufunc path, so a 1x1 block gives bit-identical results.
    hav = np.empty(shape, dtype=np.float64)
    np.subtract(phi2, phi1, out=hav)
    hav *= 0.5
    np.sin(hav, out=hav)
    np.square(hav, out=hav)
    lon_term = np.empty(shape, dtype=np.float64)
    np.subtract(lam2, lam1, out=lon_term)
    lon_term *= 0.5
    np.sin(lon_term, out=lon_term)
    np.square(lon_term, out=lon_term)
    lon_term *= np.cos(phi1)
    lon_term *= np.cos(phi2)
    hav += lon_term
    del lon_term
    np.clip(hav, 0.0, 1.0, out=hav)
    np.sqrt(hav, out=hav)
    np.arcsin(hav, out=hav)
    hav *= 2.0 * EARTH_RADIUS_KM
    return hav
