"""The closed choices of a profile (partner kind, gender, mobility) and their spellings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypeVar

from matcher.i18n import _
from matcher.models import Gender, Kind, Mobility
from matcher.reference.lookup import LookupFailure
from matcher.text import build_index, fold, lookup, quote, quote_safe

_T = TypeVar("_T", bound=str)

KIND_SYNONYMS: dict[Kind, tuple[str, ...]] = {
    "artisan": (
        "artisane",
        "artisans",
        "artisanat",
        "craftsman",
        "craftswoman",
        "craftsperson",
        "craft",
        "crafts",
        "maalem",
        "maâlem",
        "coopérative artisanale",
        "cooperative artisanale",
        "حرفي",
        "حرفية",
        "صانع تقليدي",
    ),
    "farmer": (
        "agriculteur",
        "agricultrice",
        "agriculteurs",
        "agriculture",
        "fellah",
        "fellaha",
        "paysan",
        "paysanne",
        "coopérative agricole",
        "cooperative agricole",
        "éleveur",
        "éleveuse",
        "producteur",
        "productrice",
        "grower",
        "فلاح",
        "فلاحة",
    ),
    "merchant": (
        "commerçant",
        "commerçante",
        "commercant",
        "commercante",
        "commerce",
        "trader",
        "shopkeeper",
        "vendeur",
        "vendeuse",
        "marchand",
        "marchande",
        "retailer",
        "seller",
        "boutique",
        "commerce de détail",
        "commerce de detail",
        "تاجر",
        "تاجرة",
    ),
}
GENDER_SYNONYMS: dict[Gender, tuple[str, ...]] = {
    "female": (
        "f",
        "femme",
        "woman",
        "women",
        "féminin",
        "feminin",
        "féminine",
        "fille",
        "girl",
        "mme",
        "madame",
        "mlle",
        "mademoiselle",
        "أنثى",
        "انثى",
        "امرأة",
    ),
    "male": (
        "m",
        "h",
        "homme",
        "man",
        "men",
        "masculin",
        "garçon",
        "boy",
        "mr",
        "monsieur",
        "ذكر",
        "رجل",
    ),
    "other": ("autre", "x", "non-binary", "non binaire", "non-binaire", "nonbinary"),
}
MOBILITY_SYNONYMS: dict[Mobility, tuple[str, ...]] = {
    "local": (
        "locale",
        "province",
        "provincial",
        "provinciale",
        "ma province",
        "own province",
        "province uniquement",
        "uniquement ma province",
        "dans ma province",
    ),
    "region": (
        "régional",
        "regional",
        "régionale",
        "regionale",
        "région",
        "ma région",
        "own region",
        "toute la région",
        "dans ma région",
    ),
    "remote": (
        "à distance",
        "distance",
        "a distance",
        "national",
        "nationale",
        "télétravail",
        "teletravail",
        "en ligne",
        "online",
        "anywhere",
        "partout",
    ),
}
_KINDS = build_index(KIND_SYNONYMS)
_GENDERS = build_index(GENDER_SYNONYMS)
_MOBILITIES = build_index(MOBILITY_SYNONYMS)


# Answers that do not name a value but are often written in these columns, and what to do.
_KIND_VAGUE = frozenset({"cooperative", "cooperatives", "association", "groupement", "gie"})
_YES_NO = frozenset({"oui", "non", "yes", "no", "o", "n", "y", "vrai", "faux", "true", "false"})


def _resolve(
    index: Mapping[str, _T], text: str, what: str, accepted: str, *, personal: bool = False
) -> _T:
    found = lookup(index, text)
    if found is not None:
        return found
    # A person's own answer about themselves is personal data: never echo it.
    message = f"unknown {what}" if personal else f"unknown {what} {quote_safe(text)}"
    raise LookupFailure(message, _("accepted: {accepted}").format(accepted=accepted))


def resolve_kind(text: str) -> Kind:
    """Return the partner kind ``text`` names (artisan, farmer or merchant)."""
    if fold(text) in _KIND_VAGUE:
        raise LookupFailure(
            _("{value} does not say which kind of partner it is").format(value=quote(text)),
            _(
                "give its activity: artisan (coopérative artisanale), farmer "
                "(coopérative agricole) or merchant (commerçant)"
            ),
        )
    return _resolve(
        _KINDS,
        text,
        "partner kind",
        "artisan, farmer (agriculteur) or merchant (commerçant)",
    )


def resolve_gender(text: str) -> Gender:
    """Return the gender ``text`` names (female, male or other)."""
    return _resolve(
        _GENDERS,
        text,
        "gender",
        "female (f, femme), male (m, h, homme) or other (autre)",
        personal=True,
    )


def resolve_mobility(text: str) -> Mobility:
    """Return the mobility ``text`` names (local, region or remote)."""
    if fold(text) in _YES_NO:
        raise LookupFailure(
            _("mobility {value} does not say how far the developer can work").format(
                value=quote(text)
            ),
            _(
                "write local (own province only), region (anywhere in own "
                "region, the default) or remote (may also work with a partner "
                "in another region)"
            ),
        )
    return _resolve(
        _MOBILITIES,
        text,
        "mobility",
        "local (own province), region (own region, the default) or remote (à distance)",
    )
