"""Tests for the synthetic call generator and the shipped examples it produced."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import numpy as np
import openpyxl
import pytest

from matcher.errors import OutputExistsError, UsageError
from matcher.reference import PROVINCES, REGIONS
from matcher.synth import (
    DEVELOPER_FIELDS,
    LANGUAGES,
    MESSY_DEVELOPER_HEADERS,
    MESSY_PARTNER_HEADERS,
    MESSY_TITLE,
    PARTNER_FIELDS,
    SECTORS,
    SKILLS,
    SyntheticCall,
    _Generator,
    generate,
    write_call,
    write_messy,
)
from matcher.vocab.enums import resolve_gender, resolve_kind, resolve_mobility
from matcher.vocab.languages import resolve_language
from matcher.vocab.sectors import normalise_sector
from matcher.vocab.skills import normalise_skill

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
PROVINCE_REGION = {p.code: p.region for p in PROVINCES}
PROVINCE_BY_NAME = {p.name: p for p in PROVINCES}
REGION_BY_NAME = {r.name: r.code for r in REGIONS}
REGION_CODES = sorted(r.code for r in REGIONS)


@pytest.fixture(scope="module")
def big() -> SyntheticCall:
    """Return the call the morocco example is made of."""
    return generate(developers=600, partners=900, seed=2026)


@pytest.fixture(scope="module")
def small() -> SyntheticCall:
    """Return the call the messy example is made of."""
    return generate(developers=60, partners=80, seed=7)


def _split(cell: str) -> list[str]:
    return [item for item in cell.split(";") if item]


def _bytes(paths: list[Path]) -> dict[str, bytes]:
    return {path.name: path.read_bytes() for path in paths}


# -- determinism --------------------------------------------------------------------------


def test_same_seed_gives_the_same_rows(small: SyntheticCall) -> None:
    assert generate(developers=60, partners=80, seed=7) == small


def test_same_seed_gives_byte_identical_files(tmp_path: Path, small: SyntheticCall) -> None:
    again = generate(developers=60, partners=80, seed=7)
    first = _bytes(write_call(small, tmp_path / "a") + write_messy(small, tmp_path / "b"))
    second = _bytes(write_call(again, tmp_path / "c") + write_messy(again, tmp_path / "d"))
    assert first == second
    assert set(first) == {"developers.csv", "partners.csv", "partners.xlsx"}


def test_different_seed_gives_different_files(tmp_path: Path, small: SyntheticCall) -> None:
    other = generate(developers=60, partners=80, seed=8)
    assert other.developers != small.developers
    assert other.partners != small.partners
    first = _bytes(write_call(small, tmp_path / "a"))
    second = _bytes(write_call(other, tmp_path / "b"))
    assert first["developers.csv"] != second["developers.csv"]
    assert first["partners.csv"] != second["partners.csv"]


def test_more_partners_leave_the_developers_unchanged(small: SyntheticCall) -> None:
    bigger = generate(developers=60, partners=120, seed=7)
    assert bigger.developers == small.developers
    assert len(bigger.partners) == 120


@pytest.mark.parametrize(("developers", "partners"), [(-1, 0), (0, -5)])
def test_negative_counts_are_refused(developers: int, partners: int) -> None:
    with pytest.raises(UsageError, match="must not be negative"):
        generate(developers=developers, partners=partners, seed=1)


def test_zero_rows_is_an_empty_call() -> None:
    assert generate(developers=0, partners=0, seed=1) == SyntheticCall([], [])


# -- counts, ids, fields ------------------------------------------------------------------


@pytest.mark.parametrize(("developers", "partners"), [(60, 80), (600, 900), (13, 12)])
def test_counts_and_ids(developers: int, partners: int) -> None:
    call = generate(developers=developers, partners=partners, seed=3)
    assert [row["id"] for row in call.developers] == [
        f"D-{n:04d}" for n in range(1, developers + 1)
    ]
    assert [row["id"] for row in call.partners] == [f"P-{n:04d}" for n in range(1, partners + 1)]
    assert all(tuple(row) == DEVELOPER_FIELDS for row in call.developers)
    assert all(tuple(row) == PARTNER_FIELDS for row in call.partners)


def test_ids_widen_past_9999() -> None:
    call = generate(developers=10_000, partners=1, seed=1)
    assert call.developers[0]["id"] == "D-00001"
    assert call.developers[-1]["id"] == "D-10000"
    assert call.partners[0]["id"] == "P-0001"


def test_a_national_call_has_distinct_ids_and_emails() -> None:
    # Before, common names used up their 99 random suffixes near 20,000 people and the
    # generator looped for ever.
    call = generate(developers=60_000, partners=60_000, seed=1)
    for side in (call.developers, call.partners):
        assert len(side) == 60_000
        assert len({row["id"] for row in side}) == 60_000
        emails = [row["email"] for row in side if row["email"]]
        assert len(emails) > 50_000
        assert len(set(emails)) == len(emails)


def test_a_name_used_up_counts_on_from_100_deterministically() -> None:
    def emails(seed: int) -> list[str]:
        generator = _Generator(np.random.default_rng(seed))
        return [generator.email("Fatima", "Alaoui") for _ in range(300)]

    first = emails(4)
    assert len(set(first)) == 300
    assert first[0] == "fatima.alaoui@example.ma"
    assert "fatima.alaoui100@example.ma" in first
    assert emails(4) == first


@pytest.mark.parametrize("which", ["small", "big"])
def test_every_region_has_both_sides(which: str, request: pytest.FixtureRequest) -> None:
    call: SyntheticCall = request.getfixturevalue(which)
    assert sorted({row["region"] for row in call.developers}) == REGION_CODES
    assert sorted({row["region"] for row in call.partners}) == REGION_CODES


def test_developers_follow_the_real_imbalance(big: SyntheticCall) -> None:
    counts = Counter(row["region"] for row in big.developers)
    assert counts == {
        "MA-01": 60,
        "MA-02": 35,
        "MA-03": 80,
        "MA-04": 91,
        "MA-05": 35,
        "MA-06": 131,
        "MA-07": 70,
        "MA-08": 20,
        "MA-09": 45,
        "MA-10": 12,
        "MA-11": 13,
        "MA-12": 8,
    }
    assert counts["MA-06"] > counts["MA-12"]


def test_small_calls_keep_the_imbalance(small: SyntheticCall) -> None:
    counts = Counter(row["region"] for row in small.developers)
    assert counts["MA-06"] > counts["MA-12"] >= 1
    assert counts["MA-06"] == max(counts.values())


def test_partners_are_spread_over_every_region(big: SyntheticCall) -> None:
    counts = Counter(row["region"] for row in big.partners)
    assert min(counts.values()) >= 35
    assert max(counts.values()) <= 100
    assert sum(counts.values()) == 900


def test_rows_are_not_grouped_by_region(big: SyntheticCall) -> None:
    first_twenty = {row["region"] for row in big.developers[:20]}
    assert len(first_twenty) >= 6


@pytest.mark.parametrize("side", ["developers", "partners"])
def test_provinces_belong_to_their_region(big: SyntheticCall, side: str) -> None:
    rows: list[dict[str, str]] = getattr(big, side)
    with_province = [row for row in rows if row["province"]]
    assert all(PROVINCE_REGION[row["province"]] == row["region"] for row in with_province)
    empty_share = 1 - len(with_province) / len(rows)
    assert 0.03 <= empty_share <= 0.11  # about 1 in 15


def test_provinces_are_weighted_by_population(big: SyntheticCall) -> None:
    casablanca = Counter(
        row["province"].split(".")[0] + "." + row["province"].split(".")[1]
        for row in big.developers
        if row["region"] == "MA-06" and row["province"]
    )
    assert casablanca.most_common(1)[0][0] == "06.141"
    souss = Counter(row["province"] for row in big.developers if row["region"] == "MA-09")
    assert souss["09.001"] + souss["09.273"] + souss["09.541"] > souss["09.551"]


def test_developer_values_are_in_range(big: SyntheticCall) -> None:
    for row in big.developers:
        skills = _split(row["skills"])
        assert 2 <= len(skills) <= 5 and len(set(skills)) == len(skills)
        assert set(skills) <= set(SKILLS)
        assert 0 <= len(_split(row["sectors"])) <= 3
        assert set(_split(row["sectors"])) <= set(SECTORS)
        assert _split(row["languages"]) and set(_split(row["languages"])) <= set(LANGUAGES)
        assert row["availability_hours"] == "" or 5 <= int(row["availability_hours"]) <= 40
        assert row["experience_years"] == "" or 0 <= int(row["experience_years"]) <= 10
        assert row["mobility"] in {"local", "region", "remote"}
        assert row["gender"] in {"female", "male", ""}
        assert row["email"] == "" or re.fullmatch(r"[a-z0-9.]+@example\.ma", row["email"])
        assert row["phone"] == "" or re.fullmatch(r"\+212 6\d\d \d\d \d\d \d\d", row["phone"])
    assert any(row["sectors"] == "" for row in big.developers)
    assert any(row["availability_hours"] == "" for row in big.developers)


def test_developer_mix(big: SyntheticCall) -> None:
    n = len(big.developers)
    gender = Counter(row["gender"] for row in big.developers)
    mobility = Counter(row["mobility"] for row in big.developers)
    assert 0.33 <= gender["female"] / n <= 0.47
    assert 0.65 <= mobility["region"] / n <= 0.85
    assert 0.10 <= mobility["remote"] / n <= 0.20
    assert 0.05 <= mobility["local"] / n <= 0.15
    darija = sum("ary" in _split(row["languages"]) for row in big.developers)
    french = sum("fr" in _split(row["languages"]) for row in big.developers)
    assert darija / n >= 0.95
    assert french / n >= 0.7


def test_partner_values_are_in_range(big: SyntheticCall) -> None:
    for row in big.partners:
        needs = _split(row["needs"])
        assert 1 <= len(needs) <= 4 and set(needs) <= set(SKILLS)
        assert row["kind"] in {"artisan", "farmer", "merchant"}
        assert row["sector"] in SECTORS
        assert _split(row["languages"]) and set(_split(row["languages"])) <= set(LANGUAGES)
        assert row["availability_hours"] == "" or 1 <= int(row["availability_hours"]) <= 40
    assert len({row["name"] for row in big.partners}) == len(big.partners)


def test_every_region_has_every_kind(big: SyntheticCall) -> None:
    for region in REGION_CODES:
        kinds = Counter(row["kind"] for row in big.partners if row["region"] == region)
        assert min(kinds[kind] for kind in ("artisan", "farmer", "merchant")) >= 2, region


def test_cities_have_more_merchants_than_rural_regions(big: SyntheticCall) -> None:
    def share(region: str, kind: str) -> float:
        rows = [row for row in big.partners if row["region"] == region]
        return sum(row["kind"] == kind for row in rows) / len(rows)

    assert share("MA-06", "merchant") > share("MA-08", "merchant")
    assert share("MA-08", "farmer") > share("MA-06", "farmer")


@pytest.mark.parametrize(
    ("region", "sector"),
    [
        ("MA-09", "argan"),
        ("MA-08", "dates"),
        ("MA-12", "fishing"),
        ("MA-05", "carpets"),
        ("MA-10", "cactus"),
        ("MA-08", "roses"),
        ("MA-09", "saffron"),
    ],
)
def test_regions_have_their_typical_sector(big: SyntheticCall, region: str, sector: str) -> None:
    here = [row["sector"] for row in big.partners if row["region"] == region]
    everywhere = [row["sector"] for row in big.partners]
    share_here = here.count(sector) / len(here)
    assert here.count(sector) >= 5
    assert share_here >= 2 * everywhere.count(sector) / len(everywhere)


def test_local_specialities(big: SyntheticCall) -> None:
    saffron = [row for row in big.partners if row["sector"] == "saffron" and row["province"]]
    assert saffron and Counter(row["province"] for row in saffron).most_common(1)[0][0] == "09.541"
    roses = {row["region"] for row in big.partners if row["sector"] == "roses"}
    assert roses == {"MA-08"}
    argan = {row["region"] for row in big.partners if row["sector"] == "argan"}
    assert argan <= {"MA-07", "MA-09", "MA-10"}
    pottery = Counter(row["region"] for row in big.partners if row["sector"] == "pottery")
    assert {region for region, _ in pottery.most_common(2)} == {"MA-03", "MA-07"}
    camel = {row["region"] for row in big.partners if row["sector"] == "camel"}
    assert camel <= {"MA-09", "MA-10", "MA-11", "MA-12"}


@pytest.mark.parametrize(
    ("region", "language"), [("MA-09", "shi"), ("MA-11", "mey"), ("MA-05", "tzm")]
)
def test_regional_languages(big: SyntheticCall, region: str, language: str) -> None:
    rows = [row for row in big.partners if row["region"] == region]
    speakers = [row for row in rows if language in _split(row["languages"])]
    first = [row for row in rows if _split(row["languages"])[0] == language]
    assert len(speakers) / len(rows) >= 0.15
    assert first  # some partners prefer the regional language
    elsewhere = [row for row in big.partners if row["region"] in {"MA-04", "MA-06"}]
    assert sum(language in _split(row["languages"]) for row in elsewhere) / len(elsewhere) < 0.1


def test_tarifit_is_spoken_in_the_rif(big: SyntheticCall) -> None:
    rif = {row["province"] for row in big.partners if "rif" in _split(row["languages"])}
    assert rif - {""} <= {"01.051", "02.381", "02.167", "01.151", "02.113", "02.265", "03.561",
                          "01.511"}  # fmt: skip
    assert {"01.051", "02.381"} & rif


def test_some_partners_speak_no_french(big: SyntheticCall) -> None:
    farmers = [row for row in big.partners if row["kind"] == "farmer"]
    without = [row for row in farmers if "fr" not in _split(row["languages"])]
    assert len(without) / len(farmers) > 0.5


# -- files ----------------------------------------------------------------------------------


def test_write_call_writes_canonical_csv(tmp_path: Path, small: SyntheticCall) -> None:
    paths = write_call(small, tmp_path / "out")
    assert paths == [tmp_path / "out" / "developers.csv", tmp_path / "out" / "partners.csv"]
    for path, rows, fields in zip(
        paths, (small.developers, small.partners), (DEVELOPER_FIELDS, PARTNER_FIELDS), strict=True
    ):
        data = path.read_bytes()
        assert not data.startswith(b"\xef\xbb\xbf")
        text = data.decode("utf-8")
        assert text.splitlines()[0] == ",".join(fields)
        assert list(csv.DictReader(io.StringIO(text))) == rows
    assert paths[0].read_text(encoding="utf-8").splitlines()[1].startswith("D-0001,")
    assert not list((tmp_path / "out").glob(".*"))  # no temporary file left behind


def test_messy_csv_is_cp1252_with_french_headers(tmp_path: Path, small: SyntheticCall) -> None:
    path = write_messy(small, tmp_path)[0]
    data = path.read_bytes()
    with pytest.raises(UnicodeDecodeError):
        data.decode("utf-8")  # accented letters are single cp1252 bytes
    text = data.decode("cp1252")
    lines = text.split("\r\n")
    assert lines[0] == (
        "identifiant;nom;CIN;genre;région;province;compétences;langues;secteurs;"
        "disponibilité (h/semaine);expérience;mobilité;courriel;téléphone"
    )
    rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=";"))
    assert rows[0] == list(MESSY_DEVELOPER_HEADERS)
    body = rows[1:]
    assert len(body) == 60
    assert all(len(row) == len(MESSY_DEVELOPER_HEADERS) for row in body)
    first = dict(zip(MESSY_DEVELOPER_HEADERS, body[0], strict=True))
    source = small.developers[0]
    assert first["identifiant"] == "D-0001"
    assert first["nom"] == source["name"]
    assert re.fullmatch(r"ZZ\d{6}", first["CIN"])
    assert REGION_BY_NAME[first["région"]] == source["region"]
    assert first["langues"].split("|")[0] in {"darija", "tachelhit", "tarifit", "hassania",
                                              "tamazight du Moyen Atlas"}  # fmt: skip
    column = {name: [row[i] for row in body] for i, name in enumerate(MESSY_DEVELOPER_HEADERS)}
    assert set(column["région"]) <= set(REGION_BY_NAME)
    assert "Fès-Meknès" in column["région"]  # accents kept
    assert set(column["mobilité"]) <= {"local", "régional", "à distance"}
    assert set(column["genre"]) <= {"femme", "homme", ""}
    assert any("|" in cell for cell in column["compétences"])
    assert not any(";" in cell for cells in column.values() for cell in cells)
    assert all(
        cell == "" or re.fullmatch(r"06 00 \d\d \d\d \d\d", cell) for cell in column["téléphone"]
    )


def test_messy_provinces_are_named_in_their_region(tmp_path: Path, small: SyntheticCall) -> None:
    text = write_messy(small, tmp_path)[0].read_bytes().decode("cp1252")
    for row in list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";")):
        if row["province"]:
            province = PROVINCE_BY_NAME[row["province"]]
            assert province.region == REGION_BY_NAME[row["région"]]


def test_messy_xlsx_has_title_blank_row_and_header(tmp_path: Path, small: SyntheticCall) -> None:
    path = write_messy(small, tmp_path)[1]
    assert path.name == "partners.xlsx"
    sheet = openpyxl.load_workbook(path).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == MESSY_TITLE == "Appel à candidatures 2026 — partenaires"
    assert all(cell is None for cell in rows[0][1:])
    assert all(cell is None for cell in rows[1])
    assert rows[2] == MESSY_PARTNER_HEADERS
    assert len(rows) == 3 + 80
    record = dict(zip(MESSY_PARTNER_HEADERS, rows[3], strict=True))
    source = small.partners[0]
    assert record["identifiant"] == "P-0001"
    assert record["nom"] == source["name"]
    assert REGION_BY_NAME[str(record["région"])] == source["region"]
    kinds = {row[2] for row in rows[3:]}
    assert kinds <= {"artisan", "agriculteur", "commerçant"}
    assert {"agriculteur", "commerçant"} <= kinds
    hours = [row[8] for row in rows[3:] if row[8] is not None]
    assert hours and all(isinstance(value, int) for value in hours)


def test_messy_spellings_are_understood_by_the_vocabulary(
    tmp_path: Path, small: SyntheticCall
) -> None:
    paths = write_messy(small, tmp_path)
    text = paths[0].read_bytes().decode("cp1252")
    developers = list(csv.DictReader(io.StringIO(text, newline=""), delimiter=";"))
    for row, source in zip(developers, small.developers, strict=True):
        assert [resolve_language(x) for x in row["langues"].split("|")] == _split(
            source["languages"]
        )
        skills = [normalise_skill(x)[0] for x in row["compétences"].split("|") if x]
        assert skills == _split(source["skills"])
        sectors = [normalise_sector(x)[0] for x in row["secteurs"].split("|") if x]
        assert sectors == _split(source["sectors"])
        assert resolve_mobility(row["mobilité"]) == source["mobility"]
        if row["genre"]:
            assert resolve_gender(row["genre"]) == source["gender"]
    sheet = openpyxl.load_workbook(paths[1]).active
    for values, source in zip(sheet.iter_rows(min_row=4, values_only=True), small.partners,
                              strict=True):  # fmt: skip
        record = dict(zip(MESSY_PARTNER_HEADERS, values, strict=True))
        assert resolve_kind(str(record["type"])) == source["kind"]
        assert normalise_sector(str(record["secteur"]))[0] == source["sector"]
        assert [resolve_language(x) for x in str(record["langues"]).split("|")] == _split(
            source["languages"]
        )


@pytest.mark.parametrize("writer", [write_call, write_messy])
def test_existing_files_are_not_overwritten(
    tmp_path: Path, small: SyntheticCall, writer: Callable[..., list[Path]]
) -> None:
    paths = writer(small, tmp_path)
    before = _bytes(paths)
    other = generate(developers=5, partners=5, seed=99)
    with pytest.raises(OutputExistsError, match="already exist"):
        writer(other, tmp_path)
    assert _bytes(paths) == before
    writer(other, tmp_path, overwrite=True)
    assert _bytes(paths) != before
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(p.name for p in paths)


def test_one_existing_file_blocks_the_whole_write(tmp_path: Path, small: SyntheticCall) -> None:
    (tmp_path / "partners.csv").write_text("keep me\n", encoding="utf-8")
    with pytest.raises(OutputExistsError):
        write_call(small, tmp_path)
    assert not (tmp_path / "developers.csv").exists()
    assert (tmp_path / "partners.csv").read_text(encoding="utf-8") == "keep me\n"


# -- shipped examples ----------------------------------------------------------------------


def test_morocco_example_is_what_the_generator_makes(tmp_path: Path, big: SyntheticCall) -> None:
    fresh = _bytes(write_call(big, tmp_path))
    for name, data in fresh.items():
        assert (EXAMPLES / "morocco" / name).read_bytes() == data, name


def test_messy_example_is_what_the_generator_makes(tmp_path: Path, small: SyntheticCall) -> None:
    fresh = _bytes(write_messy(small, tmp_path))
    for name, data in fresh.items():
        assert (EXAMPLES / "messy" / name).read_bytes() == data, name
