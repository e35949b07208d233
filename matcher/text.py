"""Text folding, fuzzy suggestions and list-cell splitting shared by every lookup."""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import TypeVar

from matcher.i18n import N_

_ARABIC = str.maketrans(
    {
        "أ": "ا",
        "إ": "ا",
        "آ": "ا",
        "ٱ": "ا",
        "ة": "ه",
        "ى": "ي",
        "ؤ": "و",
        "ئ": "ي",
        "ی": "ي",
        "ک": "ك",
        "ـ": "",
        "œ": "oe",
        "æ": "ae",
        "ø": "o",
        "ł": "l",
        "đ": "d",
    }
)
_LIST_SEPARATORS = re.compile(r"[;|,\r\n]")
_SPACES = re.compile(r"\s+")
K = TypeVar("K", bound=str)


def fold(text: str) -> str:
    """Return ``text`` casefolded, without accents or harakat, with punctuation as spaces."""
    text = text.casefold().translate(_ARABIC)
    out: list[str] = []
    for char in unicodedata.normalize("NFKD", text):
        category = unicodedata.category(char)
        # Combining marks are accents and harakat; format characters are invisible (RLM, ZWJ).
        if category.startswith("M") or category == "Cf":
            continue
        # Punctuation and symbols separate words ("L'Oriental", "e-commerce", "01.511").
        out.append(" " if category[0] in "PSZC" else char)
    return _SPACES.sub(" ", "".join(out).translate(_ARABIC)).strip()


def compact(text: str) -> str:
    """Return ``fold(text)`` without spaces, so "e-commerce" and "ecommerce" compare equal."""
    return fold(text).replace(" ", "")


def slug(text: str) -> str:
    """Return ``text`` folded, with words joined by hyphens ("Impression 3D" → "impression-3d")."""
    return fold(text).replace(" ", "-")


def quote(value: str, limit: int = 40) -> str:
    """Return ``value`` in double quotes, shortened to ``limit`` characters with an ellipsis."""
    value = value.strip()
    if len(value) > limit:
        value = value[: limit - 1] + "…"
    return f'"{value}"'


def suggest(text: str, choices: Iterable[str], *, cutoff: float = 0.75) -> str | None:
    """Return the choice closest to ``text`` once both are folded, or None when none is close."""
    target = fold(text)
    if not target:
        return None
    by_fold: dict[str, str] = {}
    for choice in choices:
        by_fold.setdefault(fold(choice), choice)
    found = difflib.get_close_matches(target, list(by_fold), n=1, cutoff=cutoff)
    return by_fold[found[0]] if found else None


def raw_items(cell: str) -> list[str]:
    """Return the items of a list cell as written: unstripped, with empty ones and repeats."""
    return _LIST_SEPARATORS.split(cell)


def split_list(cell: str) -> list[str]:
    """Split a list cell on ``;``, ``|``, ``,`` and newlines into unique, non-empty items."""
    items: list[str] = []
    for raw in _LIST_SEPARATORS.split(cell):
        item = raw.strip()
        if item and item not in items:
            items.append(item)
    return items


def build_index(table: Mapping[K, Iterable[str]]) -> dict[str, K]:
    """Map the folded and compact forms of each canonical key and its synonyms to the key."""
    index: dict[str, K] = {}
    for canonical, synonyms in table.items():
        names: list[str] = [canonical, *synonyms]
        for name in names:
            for key in (fold(name), compact(name)):
                if not key:
                    continue
                other = index.setdefault(key, canonical)
                if other != canonical:
                    raise ValueError(f"{name!r} names both {other!r} and {canonical!r}")
    return index


def lookup(index: Mapping[str, K], text: str) -> K | None:
    """Return the canonical key ``text`` names in an index from :func:`build_index`."""
    return index.get(fold(text)) or index.get(compact(text))


def clean_id(text: str) -> str:
    """Return an id in NFC, without invisible characters or surrounding spaces.

    "D-é01" typed on a Mac (NFD), or pasted with a zero-width space, is the same id as the
    one typed on Windows: without this they would be different people.
    """
    if text.isascii():
        # No ASCII character is of category Cf and ASCII is already NFC: the common case
        # (ids such as "D-00001") skips the per-character scan.
        return text.strip()
    nfc = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in nfc if unicodedata.category(ch) != "Cf").strip()


_EMAIL = re.compile(r"\S+@\S+")
_PHONE = re.compile(r"^[+(]?[\d\s().\-/]{6,}$")
_WORD = re.compile(r"^[^\W\d_][^\W\d_'’\-.]*$")
# A Moroccan identity card number (CIN): one or two letters, then digits ("AB123456"). Ids
# such as "D-00001" keep their hyphen and are not taken for one.
_IDENTITY = re.compile(r"^[^\W\d_]{1,2}\d{5,8}$")


# A tag list repeats the same few words across a whole call: each is tested once.
@lru_cache(maxsize=16384)
def looks_personal(value: str) -> str | None:
    """Return what a cell looks like when it may be personal data (e-mail, phone, name)."""
    text = value.strip()
    if _EMAIL.search(text):
        return N_("an e-mail address")
    if _PHONE.match(text) and sum(ch.isdigit() for ch in text) >= 6:
        return N_("a phone number")
    if _IDENTITY.match(text):
        return N_("an identity number")
    words = text.split()
    if 2 <= len(words) <= 5 and all(_WORD.match(w) and w[0].isupper() for w in words):
        return N_("a person's name")
    return None


def quote_safe(value: str, limit: int = 40) -> str:
    """Return ``value`` quoted, or described ("a value that looks like an e-mail address").

    A cell that names nothing known may be a person's data shifted into the wrong column:
    it is quoted only when it cannot be personal.
    """
    from matcher.i18n import _

    kind = looks_personal(value)
    if kind is not None:
        return _("a value that looks like {kind}").format(kind=_(kind))
    return quote(value, limit)
