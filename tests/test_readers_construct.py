"""Tests for matcher.readers.construct: profiles built directly equal pydantic's, exactly."""

from __future__ import annotations

import csv
import math
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from matcher.errors import Problem
from matcher.models import Developer, Partner
from matcher.readers import read_developers, read_partners
from matcher.readers.construct import ProfileBuilder, same
from matcher.synth import generate, write_call, write_messy

DEV_BASE: dict[str, Any] = {
    "id": "D-1",
    "name": "Amina",
    "region": "MA-04",
    "province": "04.421",
    "languages": ("fr",),
    "availability_hours": 20.0,
    "lat": None,
    "lon": None,
    "email": None,
    "phone": None,
    "row": 2,
    "skills": ("web",),
    "sectors": (),
    "experience_years": None,
    "mobility": "region",
    "gender": None,
}
PARTNER_BASE: dict[str, Any] = {
    "id": "P-1",
    "name": "Hanout",
    "region": "MA-04",
    "province": None,
    "languages": ("fr",),
    "availability_hours": None,
    "lat": 34.0,
    "lon": -6.8,
    "email": "a@b.ma",
    "phone": None,
    "row": 2,
    "kind": "artisan",
    "sector": "textile",
    "needs": ("web",),
}


class Text(str):
    """A str subclass: equal to its text, but not what pydantic returns."""


NAN = float("nan")
TEXTS = ["D-1", "", " ", "é\u0301", "a\ud800b", None, 1, 1.0, b"D-1", Text("D-1"), ("D-1",)]
TUPLES = [("fr",), (), ("fr", "ary"), ["fr"], ("fr", 1), ("fr", None), (Text("fr"),), "fr", None]
FLOATS = [0.0, -0.0, 20.0, 20, True, 79.99, 80.0, 80.5, 168.0, 168.0001, -1e-9, NAN]
FLOATS += [math.inf, -math.inf, None, "20", 1e308]
COORDS = [-90.0, 90.0, 90.1, -180.0, -180.5, 0.0, 34, None, NAN, "34"]
ROWS = [0, 2, -1, 10**30, True, 2.0, "2", None]
CHOICES = ["region", "Region", "local", "remote", None, "", 1, "female", "male", "other", "x"]
CHOICES += ["artisan", "farmer", "merchant", Text("region")]
CASES = {
    "id": TEXTS,
    "name": TEXTS,
    "region": TEXTS,
    "province": TEXTS,
    "email": TEXTS,
    "phone": TEXTS,
    "sector": TEXTS,
    "languages": TUPLES,
    "skills": TUPLES,
    "sectors": TUPLES,
    "needs": TUPLES,
    "availability_hours": FLOATS,
    "experience_years": FLOATS,
    "lat": COORDS,
    "lon": COORDS,
    "row": ROWS,
    "mobility": CHOICES,
    "gender": CHOICES,
    "kind": CHOICES,
}


def _kept(model: type[BaseModel], base: dict[str, Any], field: str, value: object) -> bool:
    """Return whether model_validate accepts ``value`` and keeps it exactly (the oracle)."""
    try:
        profile = model.model_validate({**base, field: value})
    except ValidationError:
        return False
    return same(getattr(profile, field), value)


@pytest.mark.parametrize(
    ("model", "base", "field", "value"),
    [
        (model, base, field, value)
        for model, base in ((Developer, DEV_BASE), (Partner, PARTNER_BASE))
        for field in model.model_fields
        for value in CASES[field]
    ],
)
def test_a_value_is_canonical_exactly_when_pydantic_keeps_it(
    model: type[BaseModel], base: dict[str, Any], field: str, value: object
) -> None:
    builder = ProfileBuilder(model)
    flagged = builder.checks[field]([base[field], value, base[field]])
    assert (flagged == set()) == _kept(model, base, field, value)
    assert flagged <= {1}


def test_slow_rows_are_the_rows_holding_a_value_pydantic_would_change() -> None:
    builder = ProfileBuilder(Developer)
    columns: dict[str, list[object]] = {f: [v] * 6 for f, v in DEV_BASE.items()}
    # Two NaNs are two distinct values: neither may slip through as "already seen".
    columns["availability_hours"] = [20.0, 20, 20.0, float("nan"), float("nan"), None]
    columns["id"] = ["D-1", "D-2", "", "D-4", "D-5", "D-6"]
    columns["languages"] = [("fr",), ("fr",), ("fr",), ("fr",), ("fr",), ["fr"]]
    assert builder.slow_rows(columns) == {1, 2, 3, 4, 5}
    del columns["gender"]  # pydantic would fill the default and leave it out of fields_set
    assert builder.slow_rows(columns) is None


def test_distinct_values_spare_the_scan_only_when_all_are_canonical() -> None:
    builder = ProfileBuilder(Developer)
    columns: dict[str, list[object]] = {f: [v] * 3 for f, v in DEV_BASE.items()}
    hours, bad = 20.0, 20
    columns["availability_hours"] = [hours, bad, hours]
    # The caller vouches that the column holds only these objects; here it does not, to
    # show that the column itself is not looked at when they are all canonical.
    assert builder.slow_rows(columns, distinct={"availability_hours": [hours]}) == set()
    assert builder.slow_rows(columns, distinct={"availability_hours": [hours, bad]}) == {1}


def _state(profile: BaseModel) -> tuple[Any, ...]:
    """Return everything an instance holds, types included, in order."""
    return (
        type(profile),
        [(k, type(v), repr(v)) for k, v in profile.__dict__.items()],
        profile.model_fields_set,
        profile.__pydantic_extra__,
        profile.__pydantic_private__,
        profile.model_dump_json(),
        hash(profile),
    )


@pytest.mark.parametrize(("model", "base"), [(Developer, DEV_BASE), (Partner, PARTNER_BASE)])
def test_a_built_profile_is_the_validated_one(model: type[BaseModel], base: dict[str, Any]) -> None:
    builder = ProfileBuilder(model)
    records = [tuple({**base, "row": n, "id": f"X-{n}"}[f] for f in builder.fields) for n in (3, 4)]
    made = builder.make(records, skip={1})
    assert made[1] is None
    assert made[0] is not None
    validated = model.model_validate(dict(zip(builder.fields, records[0], strict=True)))
    assert _state(made[0]) == _state(validated)
    assert made[0] == validated
    # A copy with changes gets its own fields set: the shared one is never written to.
    changed = made[0].model_copy(update={"name": "Other"})
    assert changed.name == "Other"
    assert made[0].name == validated.name
    assert made[0].model_fields_set == set(builder.fields)
    assert changed.model_fields_set is not made[0].model_fields_set


def _read_both(folder: Path) -> tuple[list[Any], list[Problem]]:
    developers = next(p for p in folder.iterdir() if p.stem == "developers")
    partners = next(p for p in folder.iterdir() if p.stem == "partners")
    devs, dev_problems, _ = read_developers(developers)
    parts, part_problems, _ = read_partners(partners)
    return [*devs, *parts], [*dev_problems, *part_problems]


def _pydantic_only(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ProfileBuilder, "slow_rows", lambda self, columns, **_: None)


def _compare(folder: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, int]:
    fast, fast_problems = _read_both(folder)
    with monkeypatch.context() as patch:
        _pydantic_only(patch)
        slow, slow_problems = _read_both(folder)
    assert [_state(p) for p in fast] == [_state(p) for p in slow]
    assert fast_problems == slow_problems
    return len(fast), len(fast_problems)


@pytest.mark.parametrize("write", [write_call, write_messy])
def test_a_synthetic_call_reads_the_same_as_with_pydantic_on_every_row(
    write: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write(generate(developers=400, partners=300, seed=7), tmp_path)
    profiles, _problems = _compare(tmp_path, monkeypatch)
    assert profiles > 600


# One row per kind of bad cell, beside good rows: what is refused and said must not change.
BAD_DEVELOPERS = [
    {"id": ""},
    {"id": "D-1"},  # duplicate of the first good row
    {"id": "d-1"},  # differs only in capitals
    {"id": "D-\u200b9"},
    {"name": ""},
    {"region": ""},
    {"region": "Atlantis"},
    {"region": "Souss-Massa-Drâa"},
    {"province": "99.999"},
    {"province": "04.421", "region": "MA-09"},
    {"skills": ""},
    {"skills": "N/A"},
    {"skills": "web;amina@example.ma"},
    {"skills": "web;cuisine moléculaire"},
    {"skills": "Web et Mobile"},
    {"languages": ""},
    {"languages": "klingon"},
    {"languages": "Tamazight (Tachelhit); darija / français"},
    {"sectors": "textile;Rachid Ouhmad"},
    {"availability_hours": "20-30"},
    {"availability_hours": "200"},
    {"availability_hours": "mi temps"},
    {"availability_hours": "20 h/semaine"},
    {"availability_hours": "-0"},
    {"availability_hours": "nan"},
    {"availability_hours": "inf"},
    {"experience_years": "6 mois"},
    {"experience_years": "81"},
    {"experience_years": "2,5"},
    {"mobility": "partout"},
    {"mobility": "Remote / Télétravail"},
    {"gender": "F / Femme"},
    {"gender": "x"},
    {"lat": "34", "lon": ""},
    {"lat": "95", "lon": "-6"},
    {"lat": "6", "lon": "34"},
    {"email": "N/A", "phone": "-"},
]
DEV_GOOD = {
    "id": "D-1",
    "name": "Amina Alaoui",
    "gender": "female",
    "region": "Rabat-Salé-Kénitra",
    "province": "",
    "skills": "web;data",
    "languages": "fr;ary",
    "sectors": "textile",
    "availability_hours": "20",
    "experience_years": "3",
    "mobility": "region",
    "lat": "",
    "lon": "",
    "email": "amina@example.ma",
    "phone": "+212 600 00 00 00",
}
BAD_PARTNERS = [
    {"kind": ""},
    {"kind": "pêcheur"},
    {"kind": "Agriculteur/Agricultrice"},
    {"sector": ""},
    {"sector": "textile;bois"},
    {"sector": "cuisine moléculaire"},
    {"sector": "amina@example.ma"},
    {"needs": ""},
    {"needs": "web;Rachid Ouhmad"},
    {"availability_hours": "trois"},
    {"region": "MA-13"},
]
PARTNER_GOOD = {
    "id": "P-1",
    "name": "Hanout Al Amal",
    "kind": "merchant",
    "sector": "groceries",
    "region": "MA-09",
    "province": "",
    "needs": "payments;logistics",
    "languages": "shi;fr",
    "availability_hours": "5",
    "lat": "30.4",
    "lon": "-9.6",
    "email": "",
    "phone": "",
}


def _write(path: Path, good: dict[str, str], bad: list[dict[str, str]], prefix: str) -> None:
    rows = [dict(good)]
    for n, cells in enumerate(bad, start=2):
        rows.append({**good, "id": f"{prefix}-{n}", **cells})
        rows.append({**good, "id": f"{prefix}-{n}-ok"})
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(good))
        writer.writeheader()
        writer.writerows(rows)


def test_rows_with_every_kind_of_bad_cell_give_the_same_problems_and_profiles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _write(tmp_path / "developers.csv", DEV_GOOD, BAD_DEVELOPERS, "D")
    _write(tmp_path / "partners.csv", PARTNER_GOOD, BAD_PARTNERS, "P")
    profiles, problems = _compare(tmp_path, monkeypatch)
    # The good rows are kept, most bad ones are refused or warned about: both paths ran.
    rows = 1 + 2 * len(BAD_DEVELOPERS) + 1 + 2 * len(BAD_PARTNERS)
    assert len(BAD_DEVELOPERS) + len(BAD_PARTNERS) < profiles < rows
    assert problems > 30
