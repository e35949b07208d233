"""Validated profiles for unit tests: a Rabat developer and partner who pair well by default."""

from __future__ import annotations

from typing import Any

from matcher.models import Developer, Partner

# Rabat prefecture (Rabat-Salé-Kénitra).
RABAT = "04.421"


def dev(**fields: Any) -> Developer:
    """Return a Rabat developer who pairs well with ``par()`` unless told otherwise."""
    base: dict[str, Any] = {
        "id": "D-1",
        "name": "d",
        "region": "MA-04",
        "province": RABAT,
        "languages": ("fr",),
        "skills": ("web",),
        "sectors": ("textile",),
    }
    base.update(fields)
    return Developer.model_validate(base)


def par(**fields: Any) -> Partner:
    """Return a Rabat partner who pairs well with ``dev()`` unless told otherwise."""
    base: dict[str, Any] = {
        "id": "P-1",
        "name": "p",
        "region": "MA-04",
        "province": RABAT,
        "kind": "artisan",
        "sector": "textile",
        "languages": ("fr",),
        "needs": ("web",),
    }
    base.update(fields)
    return Partner.model_validate(base)
