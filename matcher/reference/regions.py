"""The 12 regions of the 2015 division, and how people write (or mis-write) their names."""

from __future__ import annotations

import re
from dataclasses import dataclass

from matcher.i18n import _
from matcher.reference.lookup import LookupFailure, read_rows
from matcher.reference.places import CITIES, PRE_2015, PRE_2015_SPELLINGS
from matcher.reference.provinces import find_province
from matcher.text import build_index, fold, lookup, quote, quote_safe, suggest


@dataclass(frozen=True)
class Region:
    """One of the 12 regions, with its codes, names and capital."""

    code: str
    hcp_code: str
    name: str
    name_ar: str
    name_en: str
    capital: str
    capital_lat: float
    capital_lon: float
    aliases: tuple[str, ...]


# Spellings seen in application files beyond the reference table's aliases (which is shipped
# unchanged, as its notice says).
_MORE_ALIASES: dict[str, tuple[str, ...]] = {"MA-11": ("Laâyoune-Sakia Al Hamra",)}


def _load() -> tuple[Region, ...]:
    regions = [
        Region(
            code=row["iso_3166_2"],
            hcp_code=row["hcp_code"],
            name=row["name_fr_official"],
            name_ar=row["name_ar"],
            name_en=row["name_en"],
            capital=row["capital"],
            capital_lat=float(row["capital_lat"]),
            capital_lon=float(row["capital_lon"]),
            aliases=tuple(a.strip() for a in row["aliases"].split("|") if a.strip())
            + _MORE_ALIASES.get(row["iso_3166_2"], ()),
        )
        for row in read_rows("regions.csv")
    ]
    return tuple(sorted(regions, key=lambda r: r.code))


REGIONS: tuple[Region, ...] = _load()
_BY_CODE = {r.code: r for r in REGIONS}
_ISO = re.compile(r"^ma ?0?(\d{1,2})$")
_HCP = re.compile(r"^0?(\d{1,2})$")
_PREFIX = re.compile(r"^(?:region|jihat|جهه)(?: de la| de| du| d)? ")


def region_names(region: Region) -> list[str]:
    """Return every accepted spelling of ``region``, official name first."""
    names = [region.name, region.code, region.hcp_code, region.name_en, region.name_ar]
    return list(dict.fromkeys([*names, *region.aliases]))


_INDEX = build_index({r.code: region_names(r) for r in REGIONS})
_OLD_INDEX = build_index(PRE_2015_SPELLINGS)
_CITY_INDEX = build_index(CITIES)


def get_region(code: str) -> Region:
    """Return the region with this exact ISO code ("MA-01"); raise KeyError otherwise."""
    return _BY_CODE[code]


def _find(text: str) -> Region | None:
    folded = fold(text)
    for pattern in (_ISO, _HCP):
        match = pattern.match(folded)
        if match:
            return _BY_CODE.get(f"MA-{int(match.group(1)):02d}")
    code = lookup(_INDEX, text) or lookup(_INDEX, _PREFIX.sub("", folded))
    return _BY_CODE[code] if code else None


def _did_you_mean(codes: tuple[str, ...]) -> str:
    names = [f'"{_BY_CODE[code].name}"' for code in codes]
    if len(names) == 1:
        return _("did you mean {name}?").format(name=names[0])
    listed = ", ".join(names[:-1]) + _(" and ") + names[-1]
    return _("it is now split between {listed}; give the current region").format(listed=listed)


def resolve_region(text: str) -> Region:
    """Return the region ``text`` names; raise LookupFailure saying what it is otherwise."""
    if not fold(text):
        raise LookupFailure(
            _("no region given"), _('run "matcher regions" to see the accepted names')
        )
    found = _find(text)
    if found is not None:
        return found
    old = lookup(_OLD_INDEX, text)
    if old is not None:
        raise LookupFailure(
            _("{value} is a pre-2015 region name").format(value=quote(text)),
            _did_you_mean(PRE_2015[old]),
        )
    city = lookup(_CITY_INDEX, text)
    if city is not None:
        raise LookupFailure(
            _("{value} is a city, not a region").format(value=quote(text)), _did_you_mean((city,))
        )
    province = find_province(text)
    if province is not None:
        raise LookupFailure(
            _("{value} is a province, not a region").format(value=quote(text)),
            _did_you_mean((province.region,)),
        )
    near = suggest(text, [n for r in REGIONS for n in region_names(r) if not n[-1].isdigit()])
    near_region = _find(near) if near is not None else None
    if near_region is not None:
        hint = _('did you mean "{name}"?').format(name=near_region.name)
    else:
        hint = _('run "matcher regions" to see the accepted names')
    # A near miss of a region name is a typo worth quoting; anything else may be personal.
    shown = quote(text) if near_region is not None else quote_safe(text)
    raise LookupFailure(_("unknown region {value}").format(value=shown), hint)
