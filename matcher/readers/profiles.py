"""Turn developer and partner files into validated profiles, or into every problem they have.

Messages never contain a name, email or phone: they cite file, row and column, and quote only
values of columns that hold no personal data (ids, regions, languages, skills, sectors).
"""

from __future__ import annotations

import collections
import dataclasses
import functools
import itertools
import operator
import re
from collections.abc import Callable, Collection
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError

from matcher.errors import Problem, ProblemLog
from matcher.i18n import N_, _
from matcher.models import Developer, Partner, Profile
from matcher.readers.construct import ProfileBuilder
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
from matcher.text import (
    clean_id,
    fold,
    looks_personal,
    quote,
    quote_safe,
    raw_items,
    split_list,
    suggest,
)
from matcher.tuning import collection_paused
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
_ROW_NUMBER = operator.attrgetter("number")  # a raw row's number

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
    with collection_paused():
        return _read(
            path,
            DEVELOPER_COLUMNS,
            DEVELOPER_REQUIRED,
            _DEVELOPER,
            Developer,
            sheet=sheet,
            encoding=encoding,
        )


def read_partners(
    path: Path, *, sheet: str | None = None, encoding: str | None = None
) -> tuple[list[Partner], list[Problem], RawTable]:
    """Read a partners file; return the valid profiles, every problem, and the raw table."""
    with collection_paused():
        return _read(
            path,
            PARTNER_COLUMNS,
            PARTNER_REQUIRED,
            _PARTNER,
            Partner,
            sheet=sheet,
            encoding=encoding,
        )


def _read(
    path: Path,
    columns: Columns,
    required: Collection[str],
    steps: tuple[_Step, ...],
    model: type[P],
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
    cells = _Columns(table.rows, mapping, table.columns)
    footers = footer_rows(table.rows, mapping, required, columns=cells)
    profiles, clean_ids = _build(
        file=table.file,
        rows=table.rows,
        mapping=mapping,
        columns=cells,
        steps=steps,
        model=model,
        log=log,
        footers=footers,
        required=required,
    )
    numbers = list(map(_ROW_NUMBER, table.rows))
    if footers:
        kept = [(i, n) for i, n in zip(clean_ids, numbers, strict=True) if n not in footers]
    else:
        kept = list(zip(clean_ids, numbers, strict=True))
    # The first row of each id (the dict keeps the last row it is given), in row order.
    first = dict(reversed(kept))
    order = dict.fromkeys(map(operator.itemgetter(0), kept))
    ids = dict(zip(order, map(first.__getitem__, order), strict=True))
    ids.pop("", None)
    return profiles, log.items, dataclasses.replace(table, ids=ids)


# Deletes every ASCII character fold() turns into a space, keeping letters and digits.
_ASCII_NON_ALNUM = str.maketrans(
    "", "", "".join(chr(c) for c in range(128) if not chr(c).isalnum())
)
_LONGEST_PLACEHOLDER = max(len(p.replace(" ", "")) for p in _PLACEHOLDERS)


@functools.lru_cache(maxsize=4096)
def _folded_placeholder(value: str) -> bool:
    return fold(value) in _PLACEHOLDERS


def _is_placeholder(value: str) -> bool:
    """Return whether a stripped cell means "nothing here" ("N/A", "-", "néant")."""
    if value in _PLACEHOLDER_MARKS:
        return True
    # Ids, e-mails and phones are distinct on every row: an ASCII cell with more letters and
    # digits than any placeholder cannot fold to one, and is ruled out without folding.
    if value.isascii() and len(value.translate(_ASCII_NON_ALNUM)) > _LONGEST_PLACEHOLDER:
        return False
    return _folded_placeholder(value)


# The ASCII lines with at most _LONGEST_PLACEHOLDER letters and digits: the only ASCII cells
# that may fold to a placeholder (the classes are disjoint, so matching is linear).
_FEW_ALNUM = re.compile(
    rf"^[^0-9A-Za-z\n]*(?:[0-9A-Za-z][^0-9A-Za-z\n]*){{0,{_LONGEST_PLACEHOLDER}}}$", re.M
)


# The letters and digits of each placeholder; "" for the marks ("-", "/", "?").
_PLACEHOLDER_KEYS = frozenset({p.replace(" ", "") for p in _PLACEHOLDERS} | {""})
_PLACEHOLDER_LINE = re.compile(
    "^(?:" + "|".join(sorted(_PLACEHOLDER_KEYS, key=len, reverse=True)) + ")$", re.M
)
# Keeps only the ASCII letters, digits and line breaks.
_ASCII_LINES_ALNUM = str.maketrans(
    "", "", "".join(chr(c) for c in range(128) if not chr(c).isalnum() and chr(c) != "\n")
)


def _placeholders(values: Collection[str]) -> set[str]:
    """Return the values that are placeholders, testing one by one only those that may be."""
    listed = list(values)
    joined = "\n".join(listed)
    if joined.isascii() and joined.count("\n") == len(listed) - 1:
        # Plain ASCII lines (ids, e-mails, phones): fold() keeps an ASCII value's letters and
        # digits, in lower case, between spaces, so a value whose letters and digits alone
        # spell no placeholder cannot be one. One translate and split test them all.
        keys = joined.translate(_ASCII_LINES_ALNUM).lower()
        found: set[str] = set()
        line = start = 0
        for match in _PLACEHOLDER_LINE.finditer(keys):
            line += keys.count("\n", start, match.start())
            start = match.start()
            if _is_placeholder(listed[line]):
                found.add(listed[line])
        return found
    plain = [v for v in values if v.isascii() and "\n" not in v]
    maybe = set(_FEW_ALNUM.findall("\n".join(plain)))
    if len(plain) < len(values):
        maybe.update(set(values).difference(plain))
    return {v for v in maybe if _is_placeholder(v)}


class _Columns:
    """Every row's cells, column by column: stripped, placeholders emptied, built on demand.

    ``raw`` may give each header's cells as read (``RawTable.columns``), row by row.
    """

    def __init__(
        self,
        rows: list[RawRow],
        mapping: dict[str, str],
        raw: dict[str, tuple[str, ...]] | None = None,
    ):
        self.rows = rows
        self.dicts = [row.cells for row in rows]
        self.mapping = mapping
        self.raw = raw or {}
        self.cells: dict[str, list[str]] = {}

    def column(self, field: str) -> list[str]:
        """Return the cells of ``field`` for every row ("" when the column is absent)."""
        found = self.cells.get(field)
        if found is None:
            header = self.mapping.get(field)
            if header is None:
                found = [""] * len(self.rows)
            else:
                distinct: Collection[str] | None = None
                if header in self.raw:
                    cells = self.raw[header]
                    if field in ("name", "first_name"):
                        found = list(map(str.strip, cells))
                    else:
                        # Strip each distinct cell once; most need nothing stripped.
                        listed = list(set(cells))
                        stripped = list(map(str.strip, listed))
                        if stripped == listed:
                            found, distinct = list(cells), listed
                        else:
                            strip = dict(zip(listed, stripped, strict=True))
                            found = list(map(strip.__getitem__, cells))
                else:
                    try:
                        found = list(map(str.strip, map(operator.itemgetter(header), self.dicts)))
                    except KeyError:  # rows built by hand may lack a cell
                        found = [raw.cells.get(header, "").strip() for raw in self.rows]
                if field not in ("name", "first_name"):
                    # A region or a skill list repeats thousands of times: test each value once.
                    empty = _placeholders(set(found) if distinct is None else distinct)
                    if empty:
                        found = ["" if v in empty else v for v in found]
            self.cells[field] = found
        return found

    def text(self, field: str, index: int) -> str:
        """Return the cell of ``field`` on the row at ``index`` of the table."""
        try:
            return self.cells[field][index]
        except KeyError:
            return self.column(field)[index]


def footer_rows(
    rows: list[RawRow],
    mapping: dict[str, str],
    required: Collection[str],
    *,
    columns: _Columns | None = None,
) -> set[int]:
    """Return the numbers of rows that are totals or notes rather than applications.

    Such a row fills at most two required columns, and either starts with a word such as
    "Total" or "NB", or sits with others like it at the bottom of the table.
    """
    columns = columns or _Columns(rows, mapping)
    counted = [field for field in required if field in mapping]
    if "name" in required and "name" not in mapping and "first_name" in mapping:
        counted.append("first_name")
    # A row fills at most two of them when it leaves all but two empty: count the empty
    # cells (few in a real file) rather than the filled ones.
    empty = collections.Counter(
        itertools.chain.from_iterable(
            itertools.compress(range(len(rows)), map(operator.not_, columns.column(field)))
            for field in counted
            if "" in columns.column(field)
        )
    )
    least = len(counted) - 2
    sparse = [False] * len(rows) if least > 0 else [True] * len(rows)
    for index, count in empty.items():
        sparse[index] = count >= least

    def labelled(raw: RawRow) -> bool:
        first = next((c for c in raw.cells.values() if c.strip()), "")
        return bool(_FOOTER.match(fold(first)))

    found = {raw.number for raw, few in zip(rows, sparse, strict=True) if few and labelled(raw)}
    for raw, few in zip(reversed(rows), reversed(sparse), strict=True):
        if not few:
            break
        found.add(raw.number)
    if len(found) == len(rows):
        return set()  # nothing but sparse rows: report what each one lacks instead
    return found


@functools.lru_cache(maxsize=65536)
def _parts(normalise: Callable[[str], tuple[str, bool]], item: str) -> tuple[str, ...]:
    """Return the tags one list item names: "web et mobile", "SEO / contenu" are two each."""
    parts = tuple(p for p in _JOINS.split(item) if p.strip())
    whole_known = _normalised(normalise, item)[1]
    if not whole_known and len(parts) > 1 and all(_normalised(normalise, p)[1] for p in parts):
        return parts
    return (item,)


@functools.lru_cache(maxsize=65536)
def _normalised(normalise: Callable[[str], tuple[str, bool]], item: str) -> tuple[str, bool]:
    """Return ``normalise(item)``: the items of list cells repeat across distinct lists."""
    return normalise(item)


class _Row:
    """One row being validated: reads its cells by field and records located problems."""

    def __init__(
        self,
        file: str,
        raw: RawRow,
        mapping: dict[str, str],
        log: ProblemLog,
        *,
        columns: _Columns | None = None,
        index: int = 0,
    ):
        self.file = file
        self.row = raw.number
        self.raw = raw
        self.mapping = mapping
        self.log = log
        self.errors = 0
        self.columns = columns or _Columns([raw], mapping)
        self.index = index if columns is not None else 0
        self.id = self.text("id")

    def text(self, field: str) -> str:
        """Return the stripped cell of ``field``; "" when absent or a placeholder ("N/A", "-")."""
        return self.columns.text(field, self.index)

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
        items = [part for item in split_list(self.text(field)) for part in _parts(normalise, item)]
        for item in items:
            kind = looks_personal(item)
            if kind is not None:
                # A name or contact shifted into a list column: neither quoted nor kept.
                self.warn(
                    field,
                    _("a value that looks like {kind} is not a {what}; it is ignored").format(
                        kind=_(kind), what=_(what)
                    ),
                    _("check that the cells of this row are in the right columns"),
                    "personal-value",
                )
                continue
            tag, known = _normalised(normalise, item)
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
        # The number as given: rounding coordinates to 2 decimals moved people by a kilometre.
        value = float(cleaned.replace(",", "."))
        if scale != 1.0:
            value = round(value * scale, 2)  # months in years: no more precise than the input
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
                what=_(what), words=words, text=quote_safe(text)
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


@dataclass(frozen=True)
class _Step:
    """One check of a row, run once per distinct value of the cells it reads.

    ``check`` reads only the cells of ``reads`` and returns one value per field of
    ``fields``; its messages never name the row, so the same cells give the same values and
    problems on every row. With ``values`` the cells are personal and distinct on every row
    (ids, names, contacts): ``check`` then only looks at which cells are empty, and
    ``values`` turns the columns of ``reads`` into the field's column. ``fast``, for a step
    reading one cell, returns the value ``check`` gives a cell when it reports nothing about
    it, or ``_UNSURE``: then ``check`` is run.
    """

    fields: tuple[str, ...]
    reads: tuple[str, ...]
    check: Callable[[_Row], Any]
    values: Callable[..., list[Any]] | None = None
    fast: Callable[[str], Any] | None = None


_UNSURE = object()


def _plain_tags(
    normalise: Callable[[str], tuple[str, bool]], *, empty: bool
) -> Callable[[str], Any]:
    """Return the fast path of a tag list cell: its tags when each item is one known tag.

    An item that is a known tag, not several joined ("web et mobile"), and not personal
    data gives no warning in :meth:`_Row.tags`; a cell of such items is read without it.
    Without ``empty`` a cell with no tag is left to the check (it reports that).
    """

    # Each raw item's tag ("" to skip an empty item, None when unsure): split_list() strips
    # and de-duplicates the items, which the de-duplicated tags make no difference to.
    seen: dict[str, str | None] = {}

    def fast(text: str) -> Any:
        tags: list[str] = []
        for raw in raw_items(text):
            try:
                tag = seen[raw]
            except KeyError:
                if len(seen) > 65536:
                    seen.clear()
                item = raw.strip()
                tag = seen[raw] = _plain_tag(normalise, item) if item else ""
            if tag is None:
                return _UNSURE
            if tag and tag not in tags:
                tags.append(tag)
        if not tags and not empty:
            return _UNSURE
        return tuple(tags)

    return fast


@functools.lru_cache(maxsize=65536)
def _plain_tag(normalise: Callable[[str], tuple[str, bool]], item: str) -> str | None:
    """Return the tag of a list item that :meth:`_Row.tags` reads silently, else None."""
    if _parts(normalise, item) != (item,) or looks_personal(item) is not None:
        return None
    tag, known = _normalised(normalise, item)
    return tag if known else None


def _codes(row: _Row) -> tuple[str, str | None]:
    region, province = row.place()
    return (region.code if region else "", province.code if province else None)


def _full_name(first: str, name: str) -> str:
    return " ".join(v for v in (first, name) if v)


def _full_names(first: list[str], names: list[str]) -> list[str]:
    if not any(first):
        return names  # the same strings _full_name gives: no first name column to join
    return list(map(_full_name, first, names))


def _clean_ids(ids: list[str]) -> list[str]:
    return list(map(clean_id, ids))


def _or_none(texts: list[str]) -> list[str | None]:
    return [text or None for text in texts]


_COMMON: tuple[_Step, ...] = (
    _Step(("id",), ("id",), lambda row: row.required("id"), values=_clean_ids),
    _Step(("name",), ("first_name", "name"), lambda row: row.name(), values=_full_names),
    _Step(("region", "province"), ("province", "region"), lambda row: _codes(row)),
    _Step(("languages",), ("languages",), lambda row: row.languages()),
    _Step(
        ("availability_hours",),
        ("availability_hours",),
        lambda row: row.number(
            "availability_hours", 0, 168, N_("the hours available per week (0 to 168)")
        ),
    ),
    _Step(("lat", "lon"), ("lat", "lon"), lambda row: row.coordinates()),
    _Step(("email",), ("email",), lambda row: None, values=_or_none),
    _Step(("phone",), ("phone",), lambda row: None, values=_or_none),
)


def _skills(row: _Row) -> tuple[str, ...]:
    skills: tuple[str, ...] = ()
    if row.required("skills"):
        skills = row.tags("skills", "skill", normalise_skill, SKILLS)
        if not skills:
            row.error("skills", _("no skill given"), _(_EMPTY_HINTS["skills"]), "empty")
    return skills


_DEVELOPER: tuple[_Step, ...] = (
    *_COMMON,
    _Step(("skills",), ("skills",), _skills, fast=_plain_tags(normalise_skill, empty=False)),
    _Step(
        ("sectors",),
        ("sectors",),
        lambda row: row.tags("sectors", "sector", normalise_sector, SECTORS),
        fast=_plain_tags(normalise_sector, empty=True),
    ),
    _Step(
        ("experience_years",),
        ("experience_years",),
        lambda row: row.number("experience_years", 0, 80, N_("the years of experience (0 to 80)")),
    ),
    _Step(
        ("mobility",),
        ("mobility",),
        lambda row: row.choice("mobility", resolve_mobility) or "region",
    ),
    _Step(("gender",), ("gender",), lambda row: row.choice("gender", resolve_gender)),
)


def _sector(row: _Row) -> str:
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
        # A name or contact in the sector column is reported by tags() and never kept.
        sector = "" if looks_personal(sectors[0]) else tag
        if not known:
            row.tags("sector", "sector", normalise_sector, SECTORS)
    return sector


def _needs(row: _Row) -> tuple[str, ...]:
    needs = row.tags("needs", "skill", normalise_skill, SKILLS)
    if not needs:
        row.warn(
            "needs",
            _("no needs listed"),
            _("every developer will count as covering this partner's needs"),
            "no-needs",
        )
    return needs


_PARTNER: tuple[_Step, ...] = (
    *_COMMON,
    # An empty kind is reported here, an unknown one after the needs: as a person reads the row.
    _Step((), ("kind",), lambda row: row.required("kind")),
    _Step(("sector",), ("sector",), _sector),
    _Step(("needs",), ("needs",), _needs, fast=_plain_tags(normalise_skill, empty=False)),
    _Step(("kind",), ("kind",), lambda row: row.choice("kind", resolve_kind)),
)


@dataclass
class _Outcome:
    """What one step found: its fields' values on every row, and the rows' problems."""

    values: dict[str, list[Any]]
    problems: dict[int, tuple[Problem, ...]]
    # For fields found per distinct key: the objects every value of the field is one of.
    distinct: dict[str, list[Any]] = dataclasses.field(default_factory=dict)


def _group_codes(columns: list[list[Any]]) -> list[int]:
    """Return one number per row, the same on two rows exactly when all their cells are.

    Each column's distinct values are numbered and the numbers combined in mixed radix:
    ints hash at once, where tuples of cells would be built and hashed on every lookup.
    """
    codes: list[int] = [0] * len(columns[0])
    scale = 1
    for column in columns:
        number = {value: n for n, value in enumerate(dict.fromkeys(column))}
        shifted = map(operator.mul, map(number.__getitem__, column), itertools.repeat(scale))
        codes = list(map(operator.add, codes, shifted))
        scale *= len(number)
    return codes


def _run_step(
    step: _Step, columns: _Columns, probe: Callable[[int, _Step], tuple[Any, list[Problem]]]
) -> _Outcome:
    """Run ``step`` on every row, probing one row per distinct key."""
    cells = [columns.column(field) for field in step.reads]
    keys: list[Any]
    if step.values is not None:
        empty = [list(map(operator.not_, c)) for c in cells]
        keys = empty[0] if len(empty) == 1 else _group_codes(empty)
    else:
        keys = cells[0] if len(cells) == 1 else _group_codes(cells)
    # The first row of each key, as the dict keeps the last index it is given.
    first: dict[Any, int] = dict(zip(reversed(keys), range(len(keys) - 1, -1, -1), strict=True))
    found: dict[Any, tuple[Any, list[Problem]]] = {}
    fast = step.fast
    for key, index in first.items():
        value = _UNSURE if fast is None else fast(key)
        found[key] = probe(index, step) if value is _UNSURE else (value, [])
    values: dict[str, list[Any]] = {}
    distinct: dict[str, list[Any]] = {}
    if step.values is not None:
        values[step.fields[0]] = step.values(*cells)
    else:
        for at, field in enumerate(step.fields):
            if len(step.fields) == 1:
                value_of = {key: value for key, (value, _) in found.items()}
            else:
                value_of = {key: value[at] for key, (value, _) in found.items()}
            values[field] = list(map(value_of.__getitem__, keys))
            distinct[field] = list(value_of.values())
    bad = {key for key, (_, problems) in found.items() if problems}
    problems = {i: tuple(found[k][1]) for i, k in enumerate(keys) if k in bad} if bad else {}
    return _Outcome(values, problems, distinct)


def _build(
    *,
    file: str,
    rows: list[RawRow],
    mapping: dict[str, str],
    columns: _Columns,
    steps: tuple[_Step, ...],
    model: type[P],
    log: ProblemLog,
    footers: set[int],
    required: Collection[str],
) -> tuple[list[P], list[str]]:
    """Check every row step by step; return the profiles of the rows without errors, and ids.

    The ids are every row's id as :func:`clean_id` cleans it.
    """

    def probe(index: int, step: _Step) -> tuple[Any, list[Problem]]:
        recorder = ProblemLog()
        row = _Row(file, rows[index], mapping, recorder, columns=columns, index=index)
        return step.check(row), recorder.items

    outcomes = [_run_step(step, columns, probe) for step in steps]
    by_field = {field: col for outcome in outcomes for field, col in outcome.values.items()}
    by_field["row"] = list(map(_ROW_NUMBER, rows))
    builder = _builder(model)
    distinct = {field: d for outcome in outcomes for field, d in outcome.distinct.items()}
    slow = builder.slow_rows(by_field, distinct=distinct)
    names = builder.fields if slow is not None else tuple(by_field)
    # Every row's field values at once (zip runs in C), for the rows that turn out valid.
    records = list(zip(*(by_field[name] for name in names), strict=True))
    flagged = set().union(*(outcome.problems for outcome in outcomes))
    made = builder.make(records, skip=slow | flagged) if slow is not None else []
    profiles: list[P] = []
    first_row: dict[str, int] = {}
    # "D-01" and "d-01" are two ids to the computer and one to a person reading a list.
    first_case: dict[str, tuple[str, int]] = {}
    ids: list[str] = by_field["id"]
    if (
        made
        and not footers
        and not flagged
        and not slow
        and all(ids)
        and len(set(map(str.casefold, ids))) == len(ids)
    ):
        # Every row valid, built directly, under an id no other row has even in other
        # capitals: the loop below would report nothing and keep every profile.
        return [p for p in made if p is not None], ids
    for index, raw in enumerate(rows):
        if raw.number in footers:
            _footer(file, raw, index, mapping, columns, required, log)
            continue
        errors = 0
        if index in flagged:
            for outcome in outcomes:
                for problem in outcome.problems.get(index, ()):
                    log.items.append(dataclasses.replace(problem, row=raw.number))
                    errors += problem.severity == "error"
        profile: P | None = None
        if not errors and made and made[index] is not None:
            profile = made[index]
        elif not errors:
            values = dict(zip(names, records[index], strict=True))
            try:
                profile = model.model_validate(values)
            except ValidationError as exc:
                for field in sorted({str(e["loc"][0]) for e in exc.errors() if e["loc"]}):
                    log.error(
                        file,
                        raw.number,
                        mapping.get(field),
                        _("{field} is not valid").format(field=field),
                    )
        row_id = ids[index]
        if row_id:
            folded = row_id.casefold()
            if row_id in first_row:
                log.error(
                    file,
                    raw.number,
                    mapping.get("id"),
                    _("id {id} already used on row {row}").format(
                        id=quote_safe(row_id), row=first_row[row_id]
                    ),
                    _("give every row a unique id"),
                    code="duplicate-id",
                )
                profile = None
            elif folded in first_case:
                other, other_row = first_case[folded]
                log.error(
                    file,
                    raw.number,
                    mapping.get("id"),
                    _('id {id} differs from the id "{other}" of row {row} only in capitals').format(
                        id=quote_safe(row_id), other=other, row=other_row
                    ),
                    _("ids that differ only in capitals are easily confused; make them different"),
                    code="duplicate-id",
                )
                profile = None
            else:
                first_row[row_id] = raw.number
                first_case[folded] = (row_id, raw.number)
        if profile is not None:
            profiles.append(profile)
    return profiles, ids


@functools.cache
def _builder(model: type[P]) -> ProfileBuilder[P]:
    """Return the builder of ``model``'s profiles (its field checks are made once)."""
    return ProfileBuilder(model)


def _footer(
    file: str,
    raw: RawRow,
    index: int,
    mapping: dict[str, str],
    columns: _Columns,
    required: Collection[str],
    log: ProblemLog,
) -> None:
    """Report a total or a note under the table, naming the required cells it lacks."""
    missing = ", ".join(
        f'"{mapping[f]}"' for f in required if f in mapping and not columns.text(f, index)
    )
    log.error(
        file,
        raw.number,
        None,
        _(
            "this row does not look like an application: most required columns are empty "
            "(a total, a count or a note under the table?)"
        ),
        _(
            "delete the row (every row under the header is read as a person), or fill in {missing}"
        ).format(missing=missing),
        code="not-a-record",
    )
