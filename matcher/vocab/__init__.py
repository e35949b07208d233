"""Controlled vocabularies: languages, skills, sectors and the closed choices of a profile."""

from __future__ import annotations

from matcher.vocab.enums import resolve_gender, resolve_kind, resolve_mobility
from matcher.vocab.languages import LANGUAGES, resolve_language
from matcher.vocab.sectors import SECTORS, normalise_sector
from matcher.vocab.skills import SKILLS, normalise_skill

__all__ = [
    "LANGUAGES",
    "SECTORS",
    "SKILLS",
    "normalise_sector",
    "normalise_skill",
    "resolve_gender",
    "resolve_kind",
    "resolve_language",
    "resolve_mobility",
]
