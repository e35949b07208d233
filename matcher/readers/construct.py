"""Build profiles without running pydantic again on values already checked column by column.

Validating 120,000 rows one model at a time cost most of the reading. The values of a
column repeat (a region, a skill list) or are plain text (ids, names, contacts), so each
field's values are checked once per *distinct* value against that field's own type and
constraints. A value is canonical when pydantic would keep it exactly as it is (same type,
same value): a row whose values are all canonical validates to a model whose ``__dict__`` is
those values in the model's field order, so it is built directly. Any other row goes through
``model_validate`` as before, so what is accepted, converted and refused is unchanged.
"""

from __future__ import annotations

import collections
import itertools
import math
import types
from collections.abc import Callable, Mapping, Sequence
from typing import Annotated, Any, Generic, TypeVar, Union, get_args, get_origin

from annotated_types import Ge, Le, MinLen
from pydantic import BaseModel, TypeAdapter, ValidationError
from pydantic.fields import FieldInfo

M = TypeVar("M", bound=BaseModel)
_UNIONS = (Union, types.UnionType)


def same(a: object, b: object) -> bool:
    """Return whether ``a`` and ``b`` are equal and of the same types, element by element."""
    if type(a) is not type(b):
        return False
    if isinstance(a, tuple):
        assert isinstance(b, tuple)
        return len(a) == len(b) and all(map(same, a, b))
    if isinstance(a, float):
        assert isinstance(b, float)
        return a == b and math.copysign(1.0, a) == math.copysign(1.0, b)
    return a == b


# A column check returns the rows whose value is not canonical for the field.
ColumnCheck = Callable[[Sequence[object]], set[int]]


def _by_type(allowed: frozenset[type], shortest: int) -> ColumnCheck:
    """Check a field whose values are canonical when of an allowed type (and long enough).

    Pydantic keeps a ``str`` or an ``int`` as it is; such columns hold a distinct value on
    every row (ids, names, contacts, row numbers), too many to validate one by one, so their
    types are scanned at C speed and rows are looked at one by one only if one is off. A
    length constraint makes pydantic read the text as UTF-8, refusing lone surrogates.
    """

    def canonical(value: object) -> bool:
        if type(value) not in allowed:
            return False
        if not shortest or value is None:
            return True
        assert isinstance(value, str)
        return len(value) >= shortest and _utf8(value)

    def check(values: Sequence[object]) -> set[int]:
        if set(map(type, values)) <= allowed:
            if not shortest:
                return set()
            if (
                type(None) not in allowed
                and min(map(len, values), default=shortest) >= shortest  # type: ignore[arg-type]
                and all(map(str.isascii, values))  # type: ignore[arg-type]
            ):
                return set()
        return {i for i, value in enumerate(values) if not canonical(value)}

    return check


def _utf8(text: str) -> bool:
    """Return whether ``text`` is valid Unicode (no lone surrogate from a JSON escape)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _texts(values: Sequence[object]) -> set[int]:
    """Check a ``tuple[str, ...]`` field (languages, skills): tuples of plain strings."""
    if set(map(type, values)) <= {tuple} and set(
        map(type, itertools.chain.from_iterable(values))  # type: ignore[arg-type]
    ) <= {str}:
        return set()
    return {
        i
        for i, value in enumerate(values)
        if type(value) is not tuple or not all(type(v) is str for v in value)
    }


def _by_value(canonical: Callable[[object], bool]) -> ColumnCheck:
    """Check a field value by distinct value (a region, a number of hours, a choice)."""

    def check(values: Sequence[object]) -> set[int]:
        # Distinct objects, not distinct values: 20 == 20.0 and "x" == Text("x"), yet only
        # one of each pair is what pydantic keeps. A check step shares one object per value.
        distinct = dict(zip(map(id, values), values, strict=True))
        off = {key for key, value in distinct.items() if not canonical(value)}
        if not off:
            return set()
        return {i for i, value in enumerate(values) if id(value) in off}

    return check


def _bounded(info: FieldInfo, optional: bool) -> Callable[[object], bool]:
    """Return the check of a ``float`` field with bounds: a float within them (NaN is not)."""
    low = [c.ge for c in info.metadata if isinstance(c, Ge)]
    high = [c.le for c in info.metadata if isinstance(c, Le)]

    def canonical(value: object) -> bool:
        if value is None:
            return optional
        return (
            type(value) is float
            and all(value >= b for b in low)  # type: ignore[operator]
            and all(value <= b for b in high)  # type: ignore[operator]
        )

    return canonical


def _adapted(info: FieldInfo) -> Callable[[object], bool]:
    """Return whether pydantic, validating the field alone, keeps a value exactly as it is."""
    annotation: Any = info.annotation
    if info.metadata:
        annotation = Annotated.__class_getitem__((annotation, *info.metadata))  # type: ignore[attr-defined]
    adapter: TypeAdapter[Any] = TypeAdapter(annotation)

    def canonical(value: object) -> bool:
        try:
            return same(adapter.validate_python(value), value)
        except ValidationError:
            return False

    return canonical


def _column_check(info: FieldInfo) -> ColumnCheck:
    """Return the column check of one model field."""
    annotation = info.annotation
    members = set(get_args(annotation)) if get_origin(annotation) in _UNIONS else {annotation}
    optional = type(None) in members
    members.discard(type(None))
    kinds = {type(c) for c in info.metadata}
    if members == {str} and kinds <= {MinLen}:
        shortest = max((c.min_length for c in info.metadata), default=0)
        allowed: frozenset[type] = frozenset({str, type(None)} if optional else {str})
        return _by_type(allowed, shortest)
    if annotation is int and not kinds:
        return _by_type(frozenset({int}), 0)
    if annotation == tuple[str, ...] and not kinds:
        return _texts
    if members == {float} and kinds <= {Ge, Le}:
        return _by_value(_bounded(info, optional))
    return _by_value(_adapted(info))


class ProfileBuilder(Generic[M]):
    """Build ``model`` instances from rows of values, validating only the rows that need it."""

    def __init__(self, model: type[M]) -> None:
        self.model = model
        self.fields: tuple[str, ...] = tuple(model.model_fields)
        decorators = model.__pydantic_decorators__
        # Validators could make one field depend on another: then every row is validated.
        self.exact = not (
            decorators.validators
            or decorators.field_validators
            or decorators.root_validators
            or decorators.model_validators
            or model.__private_attributes__
            or model.model_config.get("extra") == "allow"
        )
        self.checks = {name: _column_check(info) for name, info in model.model_fields.items()}

    def slow_rows(
        self,
        columns: Mapping[str, Sequence[object]],
        *,
        distinct: Mapping[str, Sequence[object]] | None = None,
    ) -> set[int] | None:
        """Return the rows that ``model_validate`` must build; None for every row.

        ``columns`` holds each field's value on every row, by field name; without every field
        (pydantic would fill in defaults and leave them out of ``model_fields_set``) or with
        validators, every row is validated. ``distinct`` may give, for some fields, objects
        that every value of the column is one of: when they are all canonical, so is the
        column, and it is not scanned.
        """
        if not self.exact or set(columns) != set(self.fields):
            return None
        distinct = distinct or {}
        slow: set[int] = set()
        for name in self.fields:
            check = self.checks[name]
            if name in distinct and not check(distinct[name]):
                continue
            slow.update(check(columns[name]))
        return slow

    def make(self, records: Sequence[Sequence[object]], *, skip: set[int]) -> list[M | None]:
        """Return the model of each record (its values in field order), None at ``skip``.

        Every record not skipped must hold canonical values only (none of ``slow_rows``).
        The profiles share one ``model_fields_set``, as ``model_construct(_fields_set=…)``
        lets them: a frozen model never changes its own, and ``model_copy`` copies it.
        """
        model, fields, every = self.model, self.fields, set(self.fields)
        keep = [i for i in range(len(records)) if i not in skip] if skip else None
        chosen = records if keep is None else [records[i] for i in keep]
        # What model_validate leaves on an instance when it keeps every value given, set
        # with C loops (map over builtins), not a Python loop over 100,000 rows.
        states = list(map(dict, map(zip, itertools.repeat(fields), chosen)))
        profiles: list[M] = list(map(model.__new__, itertools.repeat(model, len(states))))
        for name, values in (
            ("__dict__", states),
            ("__pydantic_fields_set__", itertools.repeat(every)),
            ("__pydantic_extra__", itertools.repeat(None)),
            ("__pydantic_private__", itertools.repeat(None)),
        ):
            collections.deque(map(_set, profiles, itertools.repeat(name), values), maxlen=0)
        if keep is None:
            return list(profiles)
        made: list[M | None] = [None] * len(records)
        for index, profile in zip(keep, profiles, strict=True):
            made[index] = profile
        return made


_set = object.__setattr__
