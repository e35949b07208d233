"""Words for people in place of codes: language names, partner kinds, sides, mobilities."""

from __future__ import annotations

from collections.abc import Iterable

from matcher.i18n import N_, _

_LANGUAGE_WORDS = {
    "ary": N_("Darija"),
    "ar": N_("Arabic"),
    "zgh": N_("Tamazight"),
    "shi": N_("Tachelhit"),
    "rif": N_("Tarifit"),
    "tzm": N_("Middle Atlas Tamazight"),
    "mey": N_("Hassaniya"),
    "fr": N_("French"),
    "en": N_("English"),
    "es": N_("Spanish"),
}
_KIND_WORDS = {"artisan": N_("artisan"), "farmer": N_("farmer"), "merchant": N_("merchant")}
# Abbreviated so that the validate table fits 80 columns; the table's legend spells them out.
_KIND_HEADINGS = {"artisan": N_("Art."), "farmer": N_("Farm."), "merchant": N_("Merch.")}
# Sector tags as short words for tables (the tag itself stays in the files and --json).
_SECTOR_WORDS = {
    "argan": N_("argan"),
    "dates": N_("dates"),
    "pottery": N_("pottery"),
    "leather": N_("leather"),
    "carpets": N_("carpets"),
    "textiles": N_("textiles"),
    "olive-oil": N_("olive oil"),
    "fishing": N_("fishing"),
    "saffron": N_("saffron"),
    "honey": N_("honey"),
    "cosmetics": N_("cosmetics"),
    "woodwork": N_("woodwork"),
    "metalwork": N_("metalwork"),
    "jewellery": N_("jewellery"),
    "basketry": N_("basketry"),
    "dairy": N_("dairy"),
    "citrus": N_("citrus"),
    "cereals": N_("cereals"),
    "spices": N_("spices"),
    "almonds": N_("almonds"),
    "cactus": N_("cactus"),
    "roses": N_("roses"),
    "camel": N_("camel"),
    "groceries": N_("groceries"),
    "clothing": N_("clothing"),
    "food": N_("food"),
    "tourism": N_("tourism"),
}
_SIDE_WORDS = {"developer": N_("developer"), "partner": N_("partner")}


def language_word(code: str) -> str:
    """Return the name of a language (ISO 639 code) in the interface language."""
    return _(_LANGUAGE_WORDS[code]) if code in _LANGUAGE_WORDS else code


def language_words(codes: Iterable[str]) -> str:
    """Return language names joined by commas, or "—" when there are none."""
    return ", ".join(language_word(c) for c in codes) or "—"


def kind_word(kind: str) -> str:
    """Return a partner kind (artisan, farmer, merchant) in the interface language."""
    return _(_KIND_WORDS[kind]) if kind in _KIND_WORDS else kind


def kind_heading(kind: str) -> str:
    """Return the short heading of a partner kind's column (spelled out in the legend)."""
    return _(_KIND_HEADINGS[kind]) if kind in _KIND_HEADINGS else kind


def sector_word(tag: str) -> str:
    """Return a sector tag as a short word in the interface language (unknown tags as given)."""
    return _(_SECTOR_WORDS[tag]) if tag in _SECTOR_WORDS else tag


def side_word(side: str) -> str:
    """Return "developer" or "partner" in the interface language."""
    return _(_SIDE_WORDS[side]) if side in _SIDE_WORDS else side
