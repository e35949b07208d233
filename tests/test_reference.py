"""Tests for the region and province tables and their lookups."""

from __future__ import annotations

import pytest

from matcher.reference import (
    PROVINCES,
    REGIONS,
    LookupFailure,
    Province,
    Region,
    get_province,
    get_region,
    region_names,
    resolve_province,
    resolve_region,
)
from matcher.reference.places import CITIES, PRE_2015, PRE_2015_SPELLINGS

REGION_SPELLINGS = [
    pytest.param(name, region.code, id=f"{region.code}:{name}")
    for region in REGIONS
    for name in region_names(region)
]


def test_twelve_regions_in_code_order() -> None:
    assert [r.code for r in REGIONS] == [f"MA-{n:02d}" for n in range(1, 13)]
    assert [r.hcp_code for r in REGIONS] == [f"{n:02d}" for n in range(1, 13)]


def test_region_fields() -> None:
    region = get_region("MA-09")
    assert region == Region(
        code="MA-09",
        hcp_code="09",
        name="Souss-Massa",
        name_ar="سوس-ماسة",
        name_en="Souss-Massa",
        capital="Agadir",
        capital_lat=30.4278,
        capital_lon=-9.5981,
        aliases=("Sous-Massa", "Souss Massa", "Sous Massa"),
    )


def test_get_region_is_exact() -> None:
    with pytest.raises(KeyError):
        get_region("ma-09")


@pytest.mark.parametrize(("text", "code"), REGION_SPELLINGS)
def test_every_region_spelling_resolves(text: str, code: str) -> None:
    assert resolve_region(text).code == code


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("ma-1", "MA-01"),
        ("MA01", "MA-01"),
        ("ma 12", "MA-12"),
        ("1", "MA-01"),
        ("09", "MA-09"),
        ("souss massa", "MA-09"),
        ("SOUSS-MASSA", "MA-09"),
        ("Fes-Meknes", "MA-03"),
        ("Draa Tafilalet", "MA-08"),
        ("l oriental", "MA-02"),
        ("L’Oriental", "MA-02"),
        ("Oriental", "MA-02"),
        ("Laayoune Sakia El Hamra", "MA-11"),
        ("Région de Souss-Massa", "MA-09"),
        ("Region Fès-Meknès", "MA-03"),
        ("الدار البيضاء سطات", "MA-06"),
        ("الدار البيضاء - سطات", "MA-06"),
        ("مراكش-اسفي", "MA-07"),
        ("مراكش أسفي", "MA-07"),
        ("جهة سوس ماسة", "MA-09"),
        ("سوس ماسه", "MA-09"),
    ],
)
def test_region_spelling_variants(text: str, code: str) -> None:
    assert resolve_region(text).code == code


def test_region_names_lists_codes_and_names_once() -> None:
    names = region_names(get_region("MA-06"))
    assert names[:4] == ["Casablanca-Settat", "MA-06", "06", "الدار البيضاء-سطات"]
    assert len(names) == len(set(names))


@pytest.mark.parametrize(
    ("text", "suggested"),
    [
        ("Oued Ed-Dahab-Lagouira", ["Dakhla-Oued Ed-Dahab"]),
        ("Laâyoune-Boujdour-Sakia El Hamra", ["Laâyoune-Sakia El Hamra"]),
        ("Guelmim-Es Semara", ["Guelmim-Oued Noun", "Laâyoune-Sakia El Hamra", "Souss-Massa"]),
        ("Souss-Massa-Drâa", ["Souss-Massa"]),
        ("Gharb-Chrarda-Béni Hssen", ["Rabat-Salé-Kénitra"]),
        ("Chaouia-Ouardigha", ["Casablanca-Settat", "Béni Mellal-Khénifra"]),
        ("Marrakech-Tensift-Al Haouz", ["Marrakech-Safi"]),
        ("Grand Casablanca", ["Casablanca-Settat"]),
        ("Rabat-Salé-Zemmour-Zaër", ["Rabat-Salé-Kénitra"]),
        ("Doukkala-Abda", ["Casablanca-Settat", "Marrakech-Safi"]),
        ("Tadla-Azilal", ["Béni Mellal-Khénifra"]),
        ("Meknès-Tafilalet", ["Fès-Meknès", "Drâa-Tafilalet", "Béni Mellal-Khénifra"]),
        ("Fès-Boulemane", ["Fès-Meknès"]),
        ("Taza-Al Hoceïma-Taounate", ["Fès-Meknès", "Tanger-Tétouan-Al Hoceïma", "L'Oriental"]),
        ("Tanger-Tétouan", ["Tanger-Tétouan-Al Hoceïma"]),
        ("souss massa draa", ["Souss-Massa"]),
        ("سوس ماسة درعة", ["Souss-Massa"]),
        ("Grand-Casablanca", ["Casablanca-Settat"]),
    ],
)
def test_pre_2015_region_names(text: str, suggested: list[str]) -> None:
    with pytest.raises(LookupFailure) as caught:
        resolve_region(text)
    assert caught.value.message == f'"{text}" is a pre-2015 region name'
    quoted = [f'"{name}"' for name in suggested]
    if len(quoted) == 1:
        assert caught.value.hint == f"did you mean {quoted[0]}?"
    else:
        listed = ", ".join(quoted[:-1]) + f" and {quoted[-1]}"
        assert caught.value.hint == f"it is now split between {listed}; give the current region"


def test_all_fifteen_renamed_pre_2015_regions_are_listed() -> None:
    assert len(PRE_2015) == 15
    assert set(PRE_2015) == set(PRE_2015_SPELLINGS)
    assert {code for codes in PRE_2015.values() for code in codes} <= {r.code for r in REGIONS}


def test_city_table_names_known_regions() -> None:
    assert set(CITIES) <= {r.code for r in REGIONS}


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Fès", "Fès-Meknès"),
        ("Fez", "Fès-Meknès"),
        ("Agadir", "Souss-Massa"),
        ("Casablanca", "Casablanca-Settat"),
        ("casa", "Casablanca-Settat"),
        ("Tanger", "Tanger-Tétouan-Al Hoceïma"),
        ("Tangier", "Tanger-Tétouan-Al Hoceïma"),
        ("Ouarzazate", "Drâa-Tafilalet"),
        ("Laâyoune", "Laâyoune-Sakia El Hamra"),
        ("Laayoune", "Laâyoune-Sakia El Hamra"),
        ("Dakhla", "Dakhla-Oued Ed-Dahab"),
        ("Oujda", "L'Oriental"),
        ("Marrakech", "Marrakech-Safi"),
        ("Marrakesh", "Marrakech-Safi"),
        ("Rabat", "Rabat-Salé-Kénitra"),
        ("Meknes", "Fès-Meknès"),
        ("Guelmim", "Guelmim-Oued Noun"),
        ("Béni Mellal", "Béni Mellal-Khénifra"),
        ("طنجة", "Tanger-Tétouan-Al Hoceïma"),
    ],
)
def test_city_names_suggest_their_region(text: str, region: str) -> None:
    with pytest.raises(LookupFailure) as caught:
        resolve_region(text)
    assert caught.value.message == f'"{text}" is a city, not a region'
    assert caught.value.hint == f'did you mean "{region}"?'


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("Nouaceur", "Casablanca-Settat"),
        ("Chtouka-Aït Baha", "Souss-Massa"),
        ("Al Haouz", "Marrakech-Safi"),
        ("Fahs-Anjra", "Tanger-Tétouan-Al Hoceïma"),
        ("Rehamna", "Marrakech-Safi"),
        ("Moulay Yacoub", "Fès-Meknès"),
    ],
)
def test_province_names_suggest_their_region(text: str, region: str) -> None:
    with pytest.raises(LookupFailure) as caught:
        resolve_region(text)
    assert caught.value.message == f'"{text}" is a province, not a region'
    assert caught.value.hint == f'did you mean "{region}"?'


@pytest.mark.parametrize("province", PROVINCES, ids=lambda p: p.code)
def test_every_province_name_is_refused_as_a_region(province: Province) -> None:
    with pytest.raises(LookupFailure, match="not a region") as caught:
        resolve_region(province.name)
    assert caught.value.hint is not None
    assert get_region(province.region).name in caught.value.hint or "split" in caught.value.hint


@pytest.mark.parametrize(
    ("text", "message", "hint"),
    [
        ("Sous Masa", 'unknown region "Sous Masa"', 'did you mean "Souss-Massa"?'),
        ("Drâa-Tafilalt", None, None),
        (
            "Atlantis",
            'unknown region "Atlantis"',
            'run "matcher regions" to see the accepted names',
        ),
        ("MA-13", 'unknown region "MA-13"', 'run "matcher regions" to see the accepted names'),
        ("13", 'unknown region "13"', 'run "matcher regions" to see the accepted names'),
        ("", "no region given", 'run "matcher regions" to see the accepted names'),
        (
            "x" * 50,
            f'unknown region "{"x" * 39}…"',
            'run "matcher regions" to see the accepted names',
        ),
    ],
)
def test_unknown_regions(text: str, message: str | None, hint: str | None) -> None:
    if message is None:  # a listed alias, so it must resolve rather than fail
        assert resolve_region(text).code == "MA-08"
        return
    with pytest.raises(LookupFailure) as caught:
        resolve_region(text)
    assert (caught.value.message, caught.value.hint) == (message, hint)


def test_lookup_failure_is_a_value_error() -> None:
    failure = LookupFailure("unknown region", "run it")
    assert isinstance(failure, ValueError)
    assert str(failure) == "unknown region; run it"
    assert LookupFailure("bad").hint is None


def test_province_table() -> None:
    assert len(PROVINCES) == 83
    assert [p.code for p in PROVINCES] == sorted(p.code for p in PROVINCES)
    assert len({p.code for p in PROVINCES}) == 83
    assert sum(p.iso is not None for p in PROVINCES) == 75
    assert {p.type for p in PROVINCES} == {
        "province",
        "prefecture",
        "prefecture_of_arrondissements",
    }


@pytest.mark.parametrize("province", PROVINCES, ids=lambda p: p.code)
def test_every_province_resolves_and_has_a_centroid(province: Province) -> None:
    assert resolve_province(province.name) == province
    assert resolve_province(province.name_ar) == province
    assert resolve_province(province.code) == province
    assert resolve_province(province.code.replace(".", "")) == province
    assert get_province(province.code) == province
    if province.iso:
        assert resolve_province(province.iso) == province
        assert resolve_province(province.iso.removeprefix("MA-")) == province
    assert 20.0 < province.lat < 36.5
    assert -17.5 < province.lon < -1.0
    get_region(province.region)


@pytest.mark.parametrize(
    ("code", "region"),
    [("06.385", "MA-06"), ("09.163", "MA-09"), ("06.141.01.00", "MA-06"), ("12.066", "MA-12")],
)
def test_province_parents(code: str, region: str) -> None:
    assert get_province(code).region == region


def test_province_fields() -> None:
    assert get_province("01.511") == Province(
        code="01.511",
        iso="MA-TNG",
        name="Tanger-Assilah",
        name_ar="طنجة-أصيلة",
        type="prefecture",
        region="MA-01",
        lat=35.5750,
        lon=-5.8846,
    )
    assert get_province("06.141.01.00").iso is None


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Tangier", "01.511"),
        ("tanger", "01.511"),
        ("Fez", "03.231"),
        ("fes", "03.231"),
        ("Meknes", "03.061"),
        ("Marrakesh", "07.351"),
        ("Laayoune", "11.321"),
        ("Agadir", "09.001"),
        ("Tetouan", "01.571"),
        ("Temara", "04.501"),
        ("Casablanca", "06.141"),
        ("Oujda", "02.411"),
        ("Dakhla", "12.391"),
        ("Smara", "11.221"),
        ("Taroudant", "09.541"),
        ("Mohammedia", "06.371"),
        ("Kelaa des Sraghna", "07.191"),
        ("Al Hoceïma", "01.051"),
        ("Inezgane", "09.273"),
        ("Province de Taza", "03.561"),
        ("Préfecture de Rabat", "04.421"),
        ("عمالة فاس", "03.231"),
        ("MA-tng", "01.511"),
        ("mdf", "01.573"),
        (" 01.511 ", "01.511"),
    ],
)
def test_province_spelling_variants(text: str, code: str) -> None:
    assert resolve_province(text).code == code


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("Tangr", 'did you mean "Tanger-Assilah"?'),
        ("Khourigba", 'did you mean "Khouribga"?'),
        ("Atlantis", None),
        ("99.999", None),
        ("MA-XYZ", None),
    ],
)
def test_unknown_province(text: str, hint: str | None) -> None:
    with pytest.raises(LookupFailure) as caught:
        resolve_province(text)
    assert caught.value.message == f'unknown province "{text}"'
    assert caught.value.hint == hint


def test_get_province_is_exact() -> None:
    with pytest.raises(KeyError):
        get_province("01511")
