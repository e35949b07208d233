"""The user's language, French or English, chosen once per process and served by gettext."""

from __future__ import annotations

import gettext
import os
from collections.abc import Mapping, Sequence
from pathlib import Path

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "matcher"
LANGUAGES = ("en", "fr")

_state: dict[str, gettext.NullTranslations | str] = {
    "translation": gettext.NullTranslations(),
    "language": "en",
}


def detect_language(
    *, argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None
) -> str:
    """Return "fr" or "en" from ``--lang``, ``MATCHER_LANG`` or the locale, in that order."""
    args = list(argv or ())
    for i, arg in enumerate(args):
        if arg == "--lang" and i + 1 < len(args):
            return _normalise(args[i + 1])
        if arg.startswith("--lang="):
            return _normalise(arg.split("=", 1)[1])
    env = os.environ if environ is None else environ
    if env.get("MATCHER_LANG"):
        return _normalise(env["MATCHER_LANG"])
    for name in ("LC_ALL", "LC_MESSAGES", "LANG"):
        value = env.get(name)
        if value:
            # The first locale variable that is set decides, as in POSIX.
            return "fr" if value.lower().startswith("fr") else "en"
    return "en"


def _normalise(value: str) -> str:
    return "fr" if value.strip().lower().startswith("fr") else "en"


def set_language(language: str) -> None:
    """Make ``language`` ("fr" or "en") the language of every message from now on."""
    lang = _normalise(language)
    translation: gettext.NullTranslations = (
        gettext.translation(DOMAIN, localedir=LOCALE_DIR, languages=[lang], fallback=True)
        if lang != "en"
        else gettext.NullTranslations()
    )
    _state["translation"] = translation
    _state["language"] = lang


def current_language() -> str:
    """Return the language messages are given in ("fr" or "en")."""
    return str(_state["language"])


def gettext_in(language: str, message: str) -> str:
    """Return ``message`` in ``language`` whatever the current language (for files)."""
    if _normalise(language) == "en":
        return message
    return gettext.translation(
        DOMAIN, localedir=LOCALE_DIR, languages=[_normalise(language)], fallback=True
    ).gettext(message)


def _translation() -> gettext.NullTranslations:
    translation = _state["translation"]
    assert isinstance(translation, gettext.NullTranslations)
    return translation


def _(message: str) -> str:
    """Return ``message`` in the current language."""
    return _translation().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """Return the singular or plural form of a message for ``n``, in the current language."""
    return _translation().ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Mark ``message`` for translation without translating it (translate it with ``_`` later).

    Module-level texts (help of typer options, tables of reasons) are built when the module is
    imported, before the language is known: they keep the English message id and are passed
    through ``_`` where they are shown.
    """
    return message
