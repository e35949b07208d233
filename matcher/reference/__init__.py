"""Reference tables: the regions and provinces of Morocco, and how their names are written."""

from __future__ import annotations

from matcher.reference.lookup import LookupFailure
from matcher.reference.provinces import PROVINCES, Province, get_province, resolve_province
from matcher.reference.regions import (
    REGIONS,
    Region,
    get_region,
    region_names,
    resolve_region,
)

__all__ = [
    "PROVINCES",
    "REGIONS",
    "LookupFailure",
    "Province",
    "Region",
    "get_province",
    "get_region",
    "region_names",
    "resolve_province",
    "resolve_region",
]
