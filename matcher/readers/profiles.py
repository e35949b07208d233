"""Turn developer and partner files into validated profiles, or into every problem they have.

Messages never contain a name, email or phone: they cite file, row and column, and quote only
values of columns that hold no personal data (ids, regions, languages, skills, sectors).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection
from pathlib import Path
from typing import TypeVar

from pydantic import ValidationError

from matcher.errors import Problem, ProblemLog
from matcher.i18n import N_, _
from matcher.models import Developer, Partner, Profile
from matcher.readers.headers import (
    DEVELOPER_COLUMNS,
    DEVELOPER_REQUIRED,
    PARTNER_COLUMNS,
    PARTNER_REQUIRED,
    Columns,
    count_known,
    map_headers,
)
from matcher.readers.table import RawRow, RawTable, read_table
from matcher.reference import LookupFailure, Province, Region, get_region, resolve_province
from matcher.reference import resolve_region as _resolve_region
from matcher.text import fold, quote, split_list, suggest
from matcher.vocab import (
    SECTORS,
    SKILLS,
    normalise_sector,
    normalise_skill,
    resolve_gender,
    resolve_kind,
    resolve_language,
    resolve_mobility,
)

P = TypeVar("P", bound=Profile)

# Roughly Morocco's bounding box, Dakhla-Oued Ed-Dahab included.
_MOROCCO_LAT = (20.5, 36.5)
_MOROCCO_LON = (-17.5, -0.5)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+)")
_UNIT_FIELDS = frozenset({"availability_hours", "experience_years"})
_UNIT = re.compile(
    r"(h|hr|hrs|heures?|hours?)((/|par|per|a)?(semaine|sem|week|wk|s|w))?$|(ans?|années?|years?|yrs?)$",
    re.IGNORECASE,
)
_MONTHS = re.compile(r"(mois|months?)$", re.IGNORECASE)
_ABOUT = re.compile(r"^(~|≈|environ|env\.?|approximativement|approx\.?|about|around)", re.I)
_RANGE = re.compile(
    r"(\d+(?:[.,]\d+)?)[a-z]*(?:-|–|—|à|a|to|/)(\d+(?:[.,]\d+)?)[a-zéè/]*", re.IGNORECASE
)
_WORK_TIME = {
    "mi temps": "20",
    "demi temps": "20",
    "temps partiel": "20",
    "temps plein": "40",
    "plein temps": "40",
    "full time": "40",
    "part time": "20",
}
# Cells that mean "nothing here" in Excel files: treated as empty in every column but names.
_PLACEHOLDERS = frozenset({"n a", "na", "nd", "n d", "nan", "none", "null", "neant", "nil"})
_PLACEHOLDER_MARKS = frozenset({"-", "--", "---", "–", "—", "/", "?", "."})
# A row under the table that starts like this is a total or a note, not an application.
_FOOTER = re.compile(
    r"^(total|totaux|sous total|somme|sum|moyenne|average|nombre|nb|note|notes|remarques?|"
    r"sources?|legende|commentaires?|signature|fait a|mise a jour|count)\b"
)
# Ways to join several values in one list item: "darija / français", "Français et Arabe".
_JOINS = re.compile(r"\s*(?:/|&|\+|\bet\b|\band\b|\s[-–]\s)\s*", re.IGNORECASE)
_QUALIFIED = re.compile(r"^(.*?)\s*\(([^()]*)\)$")
# The vocabularies an unknown tag is reported against, as the messages name them.
_VOCABULARY_WORDS = (N_("skill"), N_("sector"))
_EMPTY_HINTS = {
    "id": N_("give every row a unique id"),
    "region": N_("give one of the 12 regions"),
    "skills": N_('list the skills separated by ";"'),
    "languages": N_('list the languages separated by ";", e.g. "ary; fr"'),
    "kind": N_("accepted: artisan, farmer (agriculteur) or merchant (commerçant)"),
    "sector": N_("give the partner's sector of activity"),
}


def read_developers(
    path: Path, *, sheet: str | None = None, encoding: str | None = None
) -> tuple[list[Developer], list[Problem], RawTable]:
    """Read a developers file; return the valid profiles, every problem, and the raw table."""
    return _read(
        path, DEVELOPER_COLUMNS, DEVELOPER_REQUIRED, _developer, sheet=sheet, encoding=encoding
    )


def read_partners(
    path: Path, *, sheet: str | None = None, encoding: str | None = None
) -> tuple[list[Partner], list[Problem], RawTable]:
    """Read a partners file; return the valid profiles, every problem, and the raw table."""
    return _read(path, PARTNER_COLUMNS, PARTNER_REQUIRED, _partner, sheet=sheet, encoding=encoding)


def _read(
    path: Path,
    columns: Columns,
    required: Collection[str],
    build: Callable[[_Row], P | None],
    *,
    sheet: str | None,
    encoding: str | None,
) -> tuple[list[P], list[Problem], RawTable]:
    table = read_table(
        path,
        sheet=sheet,
        encoding=encoding,
        is_header=lambda cells: count_known(cells, columns) >= 2,
    )
    log = ProblemLog()
    if not table.rows:
        log.error(
            table.file,
            None,
            None,
            _("the file has no data rows"),
            _("add one row per person below the header row"),
            code="no-rows",
        )
        if not table.headers:
            return [], log.items, table
    mapping, _unknown, header_problems = map_headers(
        table.headers, columns, file=table.file, required=required
    )
    log.extend(header_problems)
    if log.errors:
        return [], log.items, table
    profiles: list[P] = []
    first_row: dict[str, int] = {}
    footers = footer_rows(table.rows, mapping, required)
    for raw in table.rows:
        if raw.number in footers:
            missing = ", ".join(
                f'"{mapping[f]}"' for f in required if f in mapping and not _cell(raw, mapping, f)
            )
            log.error(
                table.file,
                raw.number,
                None,
                _(
                    "this row does not look like an application: most required columns are empty "
                    "(a total, a count or a note under the table?)"
                ),
                _(
                    "delete the row (every row under the header is read as a person), or fill in "
                    "{missing}"
                ).format(missing=missing),
                code="not-a-record",
            )
            continue
        row = _Row(table.file, raw, mapping, log)
        profile = build(row)
        if row.id:
            if row.id in first_row:
                row.error(
                    "id",
                    _('id "{id}" already used on row {row}').format(
                        id=row.id, row=first_row[row.id]
                    ),
                    _("give every row a unique id"),
                    code="duplicate-id",
                )
                profile = None
            else:
                first_row[row.id] = raw.number
        if profile is not None:
            profiles.append(profile)
    return profiles, log.items, table


def _cell(raw: RawRow, mapping: dict[str, str], field: str) -> str:
    """Return the stripped cell of ``field``; "" when absent or a placeholder such as "N/A"."""
    header = mapping.get(field)
    value = raw.cells.get(header, "").strip() if header is not None else ""
    if field not in ("name", "first_name") and (
        fold(value) in _PLACEHOLDERS or value in _PLACEHOLDER_MARKS
    ):
        return ""
    return value


def footer_rows(rows: list[RawRow], mapping: dict[str, str], required: Collection[str]) -> set[int]:
    """Return the numbers of rows that are totals or notes rather than applications.

    Such a row fills at most two required columns, and either starts with a word such as
    "Total" or "NB", or sits with others like it at the bottom of the table.
    """

    def sparse(raw: RawRow) -> bool:
        filled = sum(1 for f in required if _cell(raw, mapping, f))
        if "name" in required and "name" not in mapping and _cell(raw, mapping, "first_name"):
            filled += 1
        return filled <= 2

    def labelled(raw: RawRow) -> bool:
        first = next((c for c in raw.cells.values() if c.strip()), "")
        return bool(_FOOTER.match(fold(first)))

    found = {raw.number for raw in rows if sparse(raw) and labelled(raw)}
    for raw in reversed(rows):
        if not sparse(raw):
            break
        found.add(raw.number)
    if len(found) == len(rows):
        return set()  # nothing but sparse rows: report what each one lacks instead
    return found


class _Row:
    """One row being validated: reads its cells by field and records located problems."""

    def __init__(self, file: str, raw: RawRow, mapping: dict[str, str], log: ProblemLog):
        self.file = file
        self.row = raw.number
        self.raw = raw
        self.mapping = mapping
        self.log = log
        self.errors = 0
        self.id = self.text("id")

    def text(self, field: str) -> str:
        """Return the stripped cell of ``field``; "" when absent or a placeholder ("N/A", "-")."""
        return _cell(self.raw, self.mapping, field)

    def error(
        self, field: str, message: str, hint: str | None = None, code: str = "invalid"
    ) -> None:
        """Record an error on this row, in ``field``'s column."""
        self.errors += 1
        self.log.error(self.file, self.row, self.mapping.get(field), message, hint, code)

    def warn(
        self, field: str, message: str, hint: str | None = None, code: str = "warning"
    ) -> None:
        """Record a warning on this row, in ``field``'s column."""
        self.log.warn(self.file, self.row, self.mapping.get(field), message, hint, code)

    def required(self, field: str, hint: str | None = None) -> str:
        """Return the cell of a required field, recording an error when it is empty."""
        value = self.text(field)
        if not value:
            default = _EMPTY_HINTS.get(field)
            hint = hint or (_(default) if default else None)
            self.error(field, _("{field} is empty").format(field=field), hint, "empty")
        return value

    def name(self) -> str:
        """Return the name (first name joined when given apart); never validate its content."""
        full = " ".join(v for v in (self.text("first_name"), self.text("name")) if v)
        if not full:
            field = "name" if "name" in self.mapping else "first_name"
            self.error(field, _("name is empty"), code="empty")
        return full

    def place(self) -> tuple[Region | None, Province | None]:
        """Return the region and province, checking that the province lies in the region."""
        province: Province | None = None
        province_text = self.text("province")
        if province_text:
            try:
                province = resolve_province(province_text)
            except LookupFailure as exc:
                self.error("province", exc.message, exc.hint, "unknown-province")
        hint = _EMPTY_HINTS["region"]
        if province is not None:
            hint = f'the province is in "{get_region(province.region).name}"'
        region_text = self.required("region", hint)
        if not region_text:
            return None, province
        try:
            region = _resolve_region(region_text)
        except LookupFailure as exc:
            self.error("region", exc.message, exc.hint, "unknown-region")
            return None, province
        if province is not None and province.region != region.code:
            right = get_region(province.region).name
            self.error(
                "province",
                f'province "{province.name}" is in {right}, not in {region.name}',
                f'write region "{right}" or correct the province',
                "province-region-mismatch",
            )
        return region, province

    def languages(self) -> tuple[str, ...]:
        """Return the ISO codes of the languages, de-duplicated in the order given."""
        text = self.required("languages")
        if not text:
            return ()
        codes: list[str] = []
        items = split_list(text)
        if not items:
            self.error("languages", _("no language given"), _(_EMPTY_HINTS["languages"]), "empty")
        for item in items:
            try:
                found = _resolve_languages(item)
            except LookupFailure as exc:
                self.error("languages", exc.message, exc.hint, "unknown-language")
                continue
            codes.extend(c for c in found if c not in codes)
        return tuple(codes)

    def tags(
        self,
        field: str,
        what: str,
        normalise: Callable[[str], tuple[str, bool]],
        vocabulary: dict[str, str],
    ) -> tuple[str, ...]:
        """Return the tags of a list cell; unknown ones are kept with a warning."""
        tags: list[str] = []
        items: list[str] = []
        for item in split_list(self.text(field)):
            parts = [p for p in _JOINS.split(item) if p.strip()]
            # "web et mobile", "SEO / contenu": several tags when each part is one.
            whole_known = normalise(item)[1]
            if not whole_known and len(parts) > 1 and all(normalise(p)[1] for p in parts):
                items.extend(parts)
            else:
                items.append(item)
        for item in items:
            tag, known = normalise(item)
            if not known:
                near = suggest(item, [*vocabulary, *vocabulary.values()])
                hint = (
                    _('did you mean "{value}"?').format(value=normalise(near)[0])
                    if near is not None
                    else _("check the spelling; known values: {values}").format(
                        values=", ".join(vocabulary)
                    )
                )
                self.warn(
                    field,
                    _("unknown {what} {item}, kept as {tag}").format(
                        what=_(what), item=quote(item), tag=quote(tag)
                    ),
                    hint,
                    f"unknown-{what}",
                )
            if tag and tag not in tags:
                tags.append(tag)
        return tuple(tags)

    def number(self, field: str, low: float, high: float, what: str) -> float | None:
        """Return an optional number (decimal comma accepted) within [low, high]."""
        text = self.text(field)
        if not text:
            return None
        cleaned = "".join(text.split()).replace("\u202f", "")
        scale = 1.0
        if field in _UNIT_FIELDS:
            # Forms often say "20h", "20 h/semaine", "environ 20" or "3 ans": the unit is the
            # column's own; months of experience are counted in years.
            cleaned = _ABOUT.sub("", cleaned)
            if field == "experience_years" and _MONTHS.search(cleaned):
                cleaned, scale = _MONTHS.sub("", cleaned), 1 / 12
            cleaned = _UNIT.sub("", cleaned)
        if not _NUMBER.fullmatch(cleaned):
            self.error(
                field,
                _("{field} is not a number").format(field=field),
                self._number_hint(text, what),
                "bad-number",
            )
            return None
        value = round(float(cleaned.replace(",", ".")) * scale, 2)
        if not low <= value <= high:
            self.error(
                field,
                _("{field} must be between {low:g} and {high:g}").format(
                    field=field, low=low, high=high
                ),
                _("give {what}").format(what=_(what)),
                "out-of-range",
            )
            return None
        return value

    @staticmethod
    def _number_hint(text: str, what: str) -> str:
        """Return how to write a number the way matcher reads it, for what was written."""
        compacted = "".join(text.split()).casefold()
        span = _RANGE.fullmatch(compacted)
        if span is not None:
            low, high = (float(g.replace(",", ".")) for g in span.groups())
            middle = f"{(low + high) / 2:g}".replace(".", ",")
            return _(
                "give one number, not a range: e.g. {middle} (the middle of {low:g} and {high:g})"
            ).format(middle=middle, low=low, high=high)
        words = _WORK_TIME.get(fold(text))
        if words is not None:
            return _("write {what} as a number: e.g. {words} for {text}").format(
                what=_(what), words=words, text=quote(text)
            )
        return _("write {what} as a number, e.g. 20 or 12,5").format(what=_(what))

    def coordinates(self) -> tuple[float | None, float | None]:
        """Return lat and lon, both or neither; warn when they fall outside Morocco."""
        lat = self.number("lat", -90, 90, N_("the latitude in decimal degrees"))
        lon = self.number("lon", -180, 180, N_("the longitude in decimal degrees"))
        if (lat is None) != (lon is None):
            given = "lat" if lat is not None else "lon"
            self.warn(
                given,
                _("{given} is given without the other coordinate; both are ignored").format(
                    given=given
                ),
                _("give both lat and lon, or neither"),
                "half-coordinates",
            )
            return None, None
        if (
            lat is not None
            and lon is not None
            and not (
                _MOROCCO_LAT[0] <= lat <= _MOROCCO_LAT[1]
                and _MOROCCO_LON[0] <= lon <= _MOROCCO_LON[1]
            )
        ):
            self.warn(
                "lat",
                _("the coordinates are outside Morocco"),
                _("check that lat and lon are not swapped and that lon is negative"),
                "outside-morocco",
            )
        return lat, lon

    def choice(self, field: str, resolve: Callable[[str], str]) -> str | None:
        """Return the value a closed-choice cell names, or None when empty or invalid."""
        text = self.text(field)
        if not text:
            return None
        try:
            return resolve(text)
        except LookupFailure as exc:
            failure = exc
        # "Agriculteur/Agricultrice", "F / Femme": one value written several ways.
        parts = [p for p in _JOINS.split(text) if p.strip()]
        if len(parts) > 1:
            try:
                found = {resolve(p) for p in parts}
            except LookupFailure:
                found = set()
            if len(found) == 1:
                return found.pop()
        self.error(field, failure.message, failure.hint, f"bad-{field}")
        return None

    def optional(self, field: str) -> str | None:
        """Return an optional free-text cell (email, phone) as given, or None when empty."""
        return self.text(field) or None

    def model(self, cls: type[P], values: dict[str, object]) -> P | None:
        """Build the profile when the row had no error; never echo values from pydantic."""
        if self.errors:
            return None
        try:
            return cls.model_validate({**values, "row": self.row})
        except ValidationError as exc:
            fields = sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]})
            for field in fields:
                self.error(field, _("{field} is not valid").format(field=field), code="invalid")
            return None


def _resolve_languages(item: str) -> list[str]:
    """Return the codes of one list item: "Tamazight (Tachelhit)", "darija / français"…

    A qualifier in parentheses is read as the language when it names one (it is the more
    precise), otherwise ignored ("Français (courant)"). Several languages joined by "/", "et",
    "&", "+" or " - " are each read; words simply side by side ("arabe français") only when
    every word names a language.
    """
    try:
        return [resolve_language(item)]
    except LookupFailure as exc:
        failure = exc
    qualified = _QUALIFIED.match(item)
    if qualified is not None:
        for candidate in (qualified.group(2).strip(), qualified.group(1).strip()):
            if candidate:
                try:
                    return _resolve_languages(candidate)
                except LookupFailure:
                    continue
    parts = [p.strip() for p in _JOINS.split(item) if p.strip()]
    if len(parts) > 1:
        return [code for part in parts for code in _resolve_languages(part)]
    words = [w for w in re.split(r"[\s\-–]+", item) if w]
    if len(words) > 1:
        try:
            return [resolve_language(w) for w in words]
        except LookupFailure:
            pass
    raise failure


def _common(row: _Row) -> dict[str, object]:
    """Validate the cells both sides share, in column order of importance."""
    row.required("id")
    name = row.name()
    region, province = row.place()
    languages = row.languages()
    hours = row.number("availability_hours", 0, 168, N_("the hours available per week (0 to 168)"))
    lat, lon = row.coordinates()
    return {
        "id": row.id,
        "name": name,
        "region": region.code if region else "",
        "province": province.code if province else None,
        "languages": languages,
        "availability_hours": hours,
        "lat": lat,
        "lon": lon,
        "email": row.optional("email"),
        "phone": row.optional("phone"),
    }


def _developer(row: _Row) -> Developer | None:
    values = _common(row)
    skills: tuple[str, ...] = ()
    if row.required("skills"):
        skills = row.tags("skills", "skill", normalise_skill, SKILLS)
        if not skills:
            row.error("skills", _("no skill given"), _(_EMPTY_HINTS["skills"]), "empty")
    values.update(
        skills=skills,
        sectors=row.tags("sectors", "sector", normalise_sector, SECTORS),
        experience_years=row.number(
            "experience_years", 0, 80, N_("the years of experience (0 to 80)")
        ),
        mobility=row.choice("mobility", resolve_mobility) or "region",
        gender=row.choice("gender", resolve_gender),
    )
    return row.model(Developer, values)


def _partner(row: _Row) -> Partner | None:
    values = _common(row)
    kind = row.required("kind")
    sector_text = row.required("sector")
    sector = ""
    sectors = split_list(sector_text)
    if len(sectors) > 1:
        row.error(
            "sector",
            _("{n} sectors given; a partner has one").format(n=len(sectors)),
            _("keep the main sector"),
            "several-sectors",
        )
    elif sectors:
        tag, known = normalise_sector(sectors[0])
        sector = tag
        if not known:
            row.tags("sector", "sector", normalise_sector, SECTORS)
    needs = row.tags("needs", "skill", normalise_skill, SKILLS)
    if not needs:
        row.warn(
            "needs",
            _("no needs listed"),
            _("every developer will count as covering this partner's needs"),
            "no-needs",
        )
    values.update(
        kind=row.choice("kind", resolve_kind) if kind else None,
        sector=sector,
        needs=needs,
    )
    return row.model(Partner, values)
