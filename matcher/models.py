"""Validated profiles of both sides, and the dataset that holds them."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from matcher.errors import Problem

Kind = Literal["artisan", "farmer", "merchant"]
KINDS: tuple[Kind, ...] = ("artisan", "farmer", "merchant")
Mobility = Literal["local", "region", "remote"]
Gender = Literal["female", "male", "other"]


class Profile(BaseModel):
    """Fields both sides share. Codes are canonical: region "MA-01", province HCP "01.511"."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str = Field(min_length=1)
    name: str
    region: str  # ISO 3166-2 code of the region, e.g. "MA-08"
    province: str | None = None  # HCP code, e.g. "08.201"
    languages: tuple[str, ...]  # ISO 639 codes, in the order given (first = preferred)
    availability_hours: float | None = Field(default=None, ge=0, le=168)
    lat: float | None = Field(default=None, ge=-90, le=90)
    lon: float | None = Field(default=None, ge=-180, le=180)
    email: str | None = None
    phone: str | None = None
    row: int = 0  # row number in the source file, as the user sees it (for messages)


class Developer(Profile):
    """A young developer applying to found a startup."""

    skills: tuple[str, ...]
    sectors: tuple[str, ...] = ()
    experience_years: float | None = Field(default=None, ge=0, le=80)
    mobility: Mobility = "region"
    gender: Gender | None = None


class Partner(Profile):
    """An artisan, farmer or merchant looking for a developer."""

    kind: Kind
    sector: str
    needs: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceFile:
    """An input file as read: where, which role, and its SHA-256."""

    role: str  # "developers", "partners", "config", "locks", "forbid"
    path: str
    sha256: str


@dataclass
class Dataset:
    """Both sides' valid profiles, with the warnings found while reading them."""

    developers: list[Developer]
    partners: list[Partner]
    warnings: list[Problem] = field(default_factory=list)
    sources: list[SourceFile] = field(default_factory=list)
