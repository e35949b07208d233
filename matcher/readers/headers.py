"""Recognise the columns of a profile file from the headers staff actually write."""

from __future__ import annotations

import functools
import re
from collections.abc import Collection, Mapping, Sequence

from matcher.errors import Problem
from matcher.i18n import _
from matcher.text import compact, quote_safe, suggest

# Headers are shown shortened: a long one is more likely a pasted value than a name.
MAX_SHOWN = 60

Columns = Mapping[str, tuple[str, ...]]

_COMMON: dict[str, tuple[str, ...]] = {
    "id": (
        "id",
        "identifiant",
        "code",
        "référence",
        "ref",
        "n° dossier",
        "numéro de dossier",
        "dossier",
        "رقم",
        "الرقم",
    ),
    "name": (
        "name",
        "nom",
        "nom complet",
        "full name",
        "nom et prénom",
        "prénom nom",
        "nom prénom",
        "prénom et nom",
        "الاسم",
        "الاسم الكامل",
    ),
    # A separate first-name column is joined to "name" (French forms often split them).
    "first_name": ("first_name", "prénom", "prénoms", "first name", "given name"),
    "region": ("region", "région", "الجهة"),
    "province": (
        "province",
        "préfecture",
        "province/préfecture",
        "province ou préfecture",
        "prefecture/province",
        "الإقليم",
        "العمالة",
    ),
    "languages": (
        "languages",
        "langues",
        "langues parlées",
        "spoken languages",
        "langue",
        "language",
        "اللغات",
    ),
    "availability_hours": (
        "availability_hours",
        "availability",
        "disponibilité",
        "heures par semaine",
        "hours per week",
        "disponibilité hebdomadaire",
    ),
    "lat": ("lat", "latitude"),
    "lon": ("lon", "lng", "long", "longitude"),
    "email": (
        "email",
        "e-mail",
        "courriel",
        "mail",
        "adresse e-mail",
        "adresse mail",
        "البريد الإلكتروني",
    ),
    "phone": ("phone", "téléphone", "tel", "gsm", "portable", "mobile phone", "الهاتف"),
}

DEVELOPER_COLUMNS: Columns = {
    **_COMMON,
    "skills": ("skills", "compétences", "competences techniques", "المهارات"),
    # A developers file has no single "sector", so "secteur" can only mean its interests.
    "sectors": (
        "sectors",
        "secteurs",
        "secteurs d'intérêt",
        "interests",
        "centres d'intérêt",
        "secteur",
        "sector",
        "secteur d'intérêt",
        "القطاعات",
    ),
    "experience_years": (
        "experience",
        "experience_years",
        "expérience",
        "années d'expérience",
        "years of experience",
    ),
    "mobility": ("mobility", "mobilité"),
    "gender": ("gender", "genre", "sexe", "الجنس"),
}
PARTNER_COLUMNS: Columns = {
    **_COMMON,
    "kind": ("kind", "type", "catégorie", "profil", "type de partenaire", "partner type"),
    "sector": ("sector", "secteur", "filière", "activité", "secteur d'activité", "القطاع"),
    "needs": (
        "needs",
        "besoins",
        "besoins numériques",
        "digital needs",
        "skills wanted",
        "compétences recherchées",
        "الاحتياجات",
    ),
}
DEVELOPER_REQUIRED: tuple[str, ...] = ("id", "name", "region", "skills", "languages")
PARTNER_REQUIRED: tuple[str, ...] = ("id", "name", "kind", "sector", "region", "needs", "languages")

_UNIT = re.compile(r"\s*\([^()]*\)\s*$")


# Every header is compared with every alias, and the header row is searched for per file.
@functools.lru_cache(maxsize=4096)
def header_key(header: str) -> str:
    """Return the comparison key of a header: no unit in parentheses, case, accents or spaces."""
    return compact(_UNIT.sub("", header))


def _index(columns: Columns) -> dict[str, str]:
    index: dict[str, str] = {}
    for field, aliases in columns.items():
        for alias in (field, *aliases):
            index[header_key(alias)] = field
    return index


def match_header(header: str, columns: Columns) -> set[str]:
    """Return the fields ``header`` names: none, one, or several for "Région/Province"."""
    index = _index(columns)
    field = index.get(header_key(header))
    if field is not None:
        return {field}
    parts = [p for p in re.split(r"[/&+]| et | and ", _UNIT.sub("", header)) if p.strip()]
    found = {index.get(header_key(p)) for p in parts} if len(parts) > 1 else set()
    return {f for f in found if f is not None} if None not in found else set()


def count_known(headers: Sequence[str], columns: Columns) -> int:
    """Return how many of ``headers`` name a known column (to find a header row)."""
    return sum(1 for h in headers if len(match_header(h, columns)) == 1)


def map_headers(
    headers: list[str],
    columns: Columns,
    *,
    file: str,
    required: Collection[str] = (),
) -> tuple[dict[str, str], list[str], list[Problem]]:
    """Map fields to the user's headers; return (field -> header, unknown headers, problems)."""
    problems: list[Problem] = []
    mapping: dict[str, str] = {}
    unknown: list[str] = []
    for header in headers:
        fields = match_header(header, columns)
        if not fields:
            unknown.append(header)
        elif len(fields) > 1:
            names = _(" and ").join(sorted(fields))
            problems.append(
                Problem(
                    file,
                    None,
                    header,
                    _("this header names {names} at once").format(names=names),
                    _("give each its own column"),
                    code="ambiguous-column",
                )
            )
        else:
            field = fields.pop()
            if field in mapping:
                problems.append(
                    Problem(
                        file,
                        None,
                        header,
                        _('this column and column "{other}" both hold {field}').format(
                            other=mapping[field], field=field
                        ),
                        _("delete or rename one of them"),
                        code="duplicate-column",
                    )
                )
            else:
                mapping[field] = header
    missing = [f for f in required if f not in mapping]
    if "name" in missing and "first_name" in mapping:
        missing.remove("name")
    if missing:
        problems.append(_missing(file, missing, headers, unknown, columns, any_known=bool(mapping)))
    elif unknown:
        listed = ", ".join(quote_safe(h, MAX_SHOWN) for h in unknown)
        these = (
            _("these columns and ignores them")
            if len(unknown) > 1
            else _("this column and ignores it")
        )
        problems.append(
            Problem(
                file,
                None,
                None,
                _("matcher does not use {these}: {listed}").format(these=these, listed=listed),
                _("their values are not read"),
                "warning",
                "unknown-columns",
            )
        )
    return mapping, unknown, problems


def _missing(
    file: str,
    missing: list[str],
    headers: list[str],
    unknown: list[str],
    columns: Columns,
    *,
    any_known: bool,
) -> Problem:
    """Build the one error that lists every missing required column and what was found."""
    wanted = "; ".join(f"{f} ({', '.join(_shown(f, columns))})" for f in missing)
    message = _("missing required columns: {wanted}").format(wanted=wanted)
    if not any_known:
        # Without a single known header the first row is probably data: never echo it.
        return Problem(
            file,
            None,
            None,
            message,
            _("the first row does not look like a header row; add one with the column names"),
            code="missing-columns",
        )
    # A data row taken for the header shows as descriptions, not as the person's values.
    found = ", ".join(quote_safe(h, MAX_SHOWN) for h in headers)
    hints = [_("columns found: {found}").format(found=found)]
    for header in unknown:
        close = suggest(
            _UNIT.sub("", header), [a for f in missing for a in _shown(f, columns)], cutoff=0.8
        )
        if close is not None:
            hints.append(
                _('did you mean "{close}" for column {header}?').format(
                    close=close, header=quote_safe(header, MAX_SHOWN)
                )
            )
    return Problem(file, None, None, message, "; ".join(hints), code="missing-columns")


def _shown(field: str, columns: Columns) -> list[str]:
    """Return the names shown to users for ``field``: its English and French aliases."""
    names = (field, *columns[field])
    return list(dict.fromkeys(a for a in names if not any("\u0600" <= c <= "\u06ff" for c in a)))
