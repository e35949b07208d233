"""Languages spoken in the programme, by ISO 639 code, and the names people give them."""

from __future__ import annotations

import re

from matcher.i18n import _
from matcher.reference.lookup import LookupFailure
from matcher.text import build_index, fold, lookup, quote, quote_safe, suggest

LANGUAGES: dict[str, tuple[str, str]] = {
    "ary": ("arabe marocain (darija)", "Moroccan Arabic (Darija)"),
    "ar": ("arabe", "Arabic"),
    "zgh": ("amazighe standard marocain", "Standard Moroccan Tamazight"),
    "shi": ("tachelhit", "Tachelhit"),
    "rif": ("tarifit", "Tarifit"),
    "tzm": ("tamazight du Moyen Atlas", "Central Atlas Tamazight"),
    "mey": ("hassanya", "Hassaniya"),
    "fr": ("français", "French"),
    "en": ("anglais", "English"),
    "es": ("espagnol", "Spanish"),
}

SYNONYMS: dict[str, tuple[str, ...]] = {
    "ary": (
        "darija",
        "darja",
        "derija",
        "daridja",
        "darija marocaine",
        "arabe dialectal",
        "arabe marocain",
        "dialecte marocain",
        "marocain",
        "moroccan arabic",
        "moroccan",
        "moroccan darija",
        "الدارجة",
        "الدارجة المغربية",
        "المغربية",
    ),
    "ar": (
        "ara",
        "arb",
        "arabe",
        "arabic",
        "arabe classique",
        "arabe standard",
        "arabe littéraire",
        "standard arabic",
        "modern standard arabic",
        "fusha",
        "fousha",
        "العربية",
        "العربية الفصحى",
        "الفصحى",
        "عربي",
        "عربية",
    ),
    "zgh": (
        "amazigh",
        "amazighe",
        "tamazight",
        "tamazighte",
        "standard moroccan tamazight",
        "amazighe standard",
        "tamazight standard",
        "الأمازيغية",
        "الامازيغية",
        "تمازيغت",
    ),
    "shi": (
        "tachelhit",
        "tashelhit",
        "tachelhite",
        "tashelhiyt",
        "tachelhiyt",
        "chleuh",
        "chelha",
        "chleuh soussi",
        "soussi",
        "shilha",
        "tasusit",
        "تشلحيت",
        "تاشلحيت",
        "الشلحة",
        "السوسية",
    ),
    "rif": (
        "tarifit",
        "tarifiyt",
        "rifain",
        "riffian",
        "rifi",
        "rifia",
        "rif berber",
        "tamazight du rif",
        "الريفية",
        "تاريفيت",
    ),
    "tzm": (
        "tamazight du moyen atlas",
        "tamazight du maroc central",
        "central atlas tamazight",
        "middle atlas tamazight",
        "braber",
        "beraber",
        "tamazight central",
    ),
    "mey": ("hassaniya", "hassania", "hassaniyya", "hassanya", "hassani", "الحسانية"),
    "fr": ("fra", "fre", "french", "francais", "français", "الفرنسية", "فرنسية"),
    "en": ("eng", "english", "anglais", "الإنجليزية", "الانجليزية", "الإنكليزية", "انجليزية"),
    "es": (
        "spa",
        "esp",
        "spanish",
        "espagnol",
        "español",
        "espanol",
        "castillan",
        "castellano",
        "الإسبانية",
        "الاسبانية",
        "اسبانية",
    ),
}
FAMILY = ("ber", "berbère", "berbere", "berber", "berbere marocain", "البربرية")
_INDEX = build_index({code: (*SYNONYMS[code], *LANGUAGES[code]) for code in LANGUAGES})
_FAMILY = build_index({"ber": FAMILY})
_LOCALE = re.compile(r"^([a-z]{2,3}) [a-z]{2}$")
_CODES = ", ".join(LANGUAGES)


def resolve_language(text: str) -> str:
    """Return the ISO 639 code ``text`` names; raise LookupFailure with a hint otherwise."""
    code = lookup(_INDEX, text)
    locale = _LOCALE.match(fold(text))
    if code is None and locale is not None:
        # Locale tags such as "fr-FR" or "ar-MA" name the language by their first part.
        code = lookup(_INDEX, locale.group(1))
    if code is not None:
        return code
    if lookup(_FAMILY, text) is not None:
        raise LookupFailure(
            _("{value} is a language family, not a language").format(value=quote(text)),
            _(
                "give zgh (Standard Moroccan Tamazight), shi (Tachelhit), rif "
                "(Tarifit) or tzm (Central Atlas Tamazight)"
            ),
        )
    near = suggest(text, [name for names in SYNONYMS.values() for name in names])
    if near is not None:
        hint = _('did you mean "{near}" ({value})?').format(near=near, value=lookup(_INDEX, near))
    else:
        hint = _("accepted codes: {CODES}").format(CODES=_CODES)
    shown = quote(text) if near is not None else quote_safe(text)
    raise LookupFailure(_("unknown language {value}").format(value=shown), hint)
