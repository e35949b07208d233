"""Tests for matcher.config: defaults, quotas by any spelling, and every error with its hint."""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest

from matcher.config import (
    CRITERIA,
    DEFAULT_PRIORITY,
    MatcherConfig,
    RegionRange,
    load_config,
    parse_config,
)
from matcher.errors import ConfigError, Problem
from matcher.reference import REGIONS
from matcher.templates import CONFIG_TEMPLATE

ALL_CODES = [r.code for r in REGIONS]
DEFAULT_WEIGHTS = {
    "skills": 0.35,
    "languages": 0.2,
    "distance": 0.2,
    "sector": 0.15,
    "availability": 0.1,
}


def _problems(data: dict[str, Any]) -> list[Problem]:
    with pytest.raises(ConfigError) as info:
        parse_config(data)
    assert info.value.exit_code == 3
    assert info.value.problems, "a ConfigError must carry at least one problem"
    return info.value.problems


def _one_problem(data: dict[str, Any]) -> Problem:
    problems = _problems(data)
    assert len(problems) == 1, [str(p) for p in problems]
    return problems[0]


# ---------------------------------------------------------------- defaults


def test_defaults_are_the_documented_ones() -> None:
    config = MatcherConfig()
    assert config.quotas.default == 10
    assert config.quotas.regions == {}
    assert config.rules.cross_region == "remote-only"
    assert config.rules.require_shared_language is True
    assert config.rules.min_score == 30
    assert config.rules.max_distance_km == 250
    assert config.rules.cross_region_penalty == 15
    assert config.rules.locks is None and config.rules.forbid is None
    assert config.mix.min_per_kind == {} and config.mix.max_per_kind == {}
    assert config.mix.min_women_share is None
    assert config.priority.regions == DEFAULT_PRIORITY
    assert [config.quota(code) for code in ALL_CODES] == [(10, 10)] * 12


def test_empty_mapping_and_missing_file_give_the_defaults() -> None:
    assert parse_config({}) == MatcherConfig()
    assert load_config(None) == MatcherConfig()


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ({}, DEFAULT_WEIGHTS),
        (
            {"skills": 7, "languages": 4, "distance": 4, "sector": 3, "availability": 2},
            DEFAULT_WEIGHTS,
        ),
        (
            {"skills": 1, "languages": 0, "distance": 0, "sector": 0, "availability": 0},
            {"skills": 1.0, "languages": 0.0, "distance": 0.0, "sector": 0.0, "availability": 0.0},
        ),
        (
            {"skills": 2, "languages": 2, "distance": 2, "sector": 2, "availability": 2},
            {name: 0.2 for name in CRITERIA},
        ),
    ],
)
def test_weights_are_normalised_to_sum_one(
    weights: dict[str, float], expected: dict[str, float]
) -> None:
    normalised = parse_config({"weights": weights}).weights.normalised()
    assert list(normalised) == list(CRITERIA)
    assert sum(normalised.values()) == pytest.approx(1.0)
    assert normalised == pytest.approx(expected)


# ---------------------------------------------------------------- quotas


@pytest.mark.parametrize(
    "spelling",
    ["Drâa-Tafilalet", "MA-08", "Draa-Tafilalet", "draa tafilalet", "08", "درعة تافيلالت"],
)
@pytest.mark.parametrize(
    ("quota", "expected"),
    [(12, (12, 12)), (0, (0, 0)), ({"min": 5, "max": 10}, (5, 10)), ({"min": 3, "max": 3}, (3, 3))],
)
def test_region_quota_by_any_spelling(spelling: str, quota: Any, expected: tuple[int, int]) -> None:
    config = parse_config({"quotas": {"default": 7, "regions": {spelling: quota}}})
    assert list(config.quotas.regions) == ["MA-08"]
    assert config.quota("MA-08") == expected
    assert all(config.quota(code) == (7, 7) for code in ALL_CODES if code != "MA-08")


def test_range_quota_is_kept_as_a_range() -> None:
    config = parse_config({"quotas": {"regions": {"MA-12": {"min": 5, "max": 10}}}})
    assert config.quotas.regions == {"MA-12": RegionRange(min=5, max=10)}


@pytest.mark.parametrize(
    ("first", "second"),
    [("Drâa-Tafilalet", "MA-08"), ("MA-08", "Draa-Tafilalet"), ("Drâa-Tafilalet", "08")],
)
def test_the_same_region_twice_under_two_spellings_is_an_error(first: str, second: str) -> None:
    problem = _one_problem({"quotas": {"regions": {first: 3, second: 4}}})
    assert problem.column == "quotas.regions"
    assert "given twice" in problem.message
    assert second in problem.message


@pytest.mark.parametrize("spelling", ["Guelmim-Oued Noun", "MA-10", "guelmim oued noun"])
def test_priority_regions_by_any_spelling(spelling: str) -> None:
    config = parse_config({"priority": {"regions": [spelling, "Dakhla-Oued Ed-Dahab", "MA-12"]}})
    assert config.priority.regions == ("MA-10", "MA-12")
    assert config.is_priority("MA-10") and not config.is_priority("MA-08")


# ---------------------------------------------------------------- unknown keys


@pytest.mark.parametrize(
    ("data", "column", "suggestion"),
    [
        ({"rulez": {}}, "rulez", '"rules"'),
        ({"quota": {"default": 3}}, "quota", '"quotas"'),
        ({"rules": {"min_scor": 3}}, "rules.min_scor", '"min_score"'),
        ({"rules": {"cross_regions": "never"}}, "rules.cross_regions", '"cross_region"'),
        ({"weights": {"skill": 0.5}}, "weights.skill", '"skills"'),
        ({"mix": {"min_women": 0.3}}, "mix.min_women", '"min_women_share"'),
        ({"quotas": {"defaut": 3}}, "quotas.defaut", '"default"'),
    ],
)
def test_unknown_key_names_the_key_and_suggests_the_right_one(
    data: dict[str, Any], column: str, suggestion: str
) -> None:
    problem = _one_problem(data)
    assert problem.code == "unknown_key"
    assert problem.column == column
    assert problem.message == "unknown key"
    assert problem.hint is not None and suggestion in problem.hint
    assert column in str(problem) and suggestion in str(problem)


def test_unknown_key_far_from_any_lists_the_known_keys() -> None:
    problem = _one_problem({"rules": {"zzzzzz": 1}})
    assert problem.column == "rules.zzzzzz"
    assert problem.hint is not None
    assert "min_score" in problem.hint and "cross_region" in problem.hint


def test_every_unknown_key_is_reported_at_once() -> None:
    problems = _problems({"rulez": {}, "weights": {"skill": 1}})
    assert sorted(p.column or "" for p in problems) == ["rulez", "weights.skill"]


# ---------------------------------------------------------------- bad values


@pytest.mark.parametrize(
    ("data", "column", "in_message"),
    [
        ({"weights": {"skills": -1}}, "weights.skills", "greater than or equal to 0"),
        (
            {"weights": {name: 0 for name in CRITERIA}},
            "weights",
            "at least one weight must be above 0",
        ),
        ({"mix": {"min_women_share": 1.5}}, "mix.min_women_share", "less than or equal to 1"),
        ({"mix": {"min_women_share": -0.1}}, "mix.min_women_share", "greater than or equal to 0"),
        ({"quotas": {"default": -1}}, "quotas.default", "greater than or equal to 0"),
        ({"rules": {"min_score": 101}}, "rules.min_score", "less than or equal to 100"),
        ({"rules": {"max_distance_km": 0}}, "rules.max_distance_km", "greater than 0"),
        ({"quotas": {"regions": {"MA-03": -2}}}, "quotas.regions", "0 or more"),
        (
            {"mix": {"min_per_kind": {"artisan": 3}, "max_per_kind": {"artisan": 2}}},
            "mix",
            "min_per_kind.artisan (3) is above max_per_kind.artisan (2)",
        ),
    ],
)
def test_bad_value_names_the_key(data: dict[str, Any], column: str, in_message: str) -> None:
    problem = _one_problem(data)
    assert problem.code == "bad_value"
    assert problem.column == column
    assert in_message in problem.message


@pytest.mark.parametrize("region", ["MA-01", "Drâa-Tafilalet"])
def test_range_with_min_above_max_is_one_clear_problem(region: str) -> None:
    problem = _one_problem({"quotas": {"regions": {region: {"min": 8, "max": 3}}}})
    assert problem.code == "bad_value"
    assert "min (8) is larger than max (3)" in problem.message
    # The key must name the region the way a coordinator wrote it, not pydantic's internals.
    assert problem.column is not None and "function" not in problem.column
    assert region in str(problem)


@pytest.mark.parametrize(
    ("quota", "in_message"),
    [
        ({"min": 4}, "max: Field required"),
        ({"min": -1, "max": 3}, "min: Input should be greater than or equal to 0"),
        ({"min": 1, "max": 3, "target": 2}, "target: Extra inputs are not permitted"),
        ("ten", "must be a whole number or { min = …, max = … }"),
        (2.5, "must be a whole number"),
    ],
)
def test_bad_region_quota_is_one_problem_naming_the_region(quota: Any, in_message: str) -> None:
    # Regression: a bad quota used to give one problem per union member, one of them
    # keyed "quotas.regions.MA-05.function-after[_min_le_max(), RegionRange]".
    problem = _one_problem({"quotas": {"regions": {"Béni Mellal-Khénifra": quota}}})
    assert problem.column == "quotas.regions"
    assert "'Béni Mellal-Khénifra'" in problem.message
    assert in_message in problem.message


def test_cross_region_value_lists_the_accepted_values() -> None:
    problem = _one_problem({"rules": {"cross_region": "sometimes"}})
    assert problem.column == "rules.cross_region"
    assert problem.hint is not None
    for value in ('"never"', '"remote-only"', '"always"'):
        assert value in problem.hint


def test_unknown_partner_kind_lists_the_kinds() -> None:
    problem = _one_problem({"mix": {"min_per_kind": {"potter": 1}}})
    assert problem.column is not None and problem.column.startswith("mix.min_per_kind")
    assert problem.hint == "kinds are artisan, farmer, merchant"


@pytest.mark.parametrize(
    ("name", "in_message", "suggestion"),
    [
        ("Souss-Massa-Drâa", "pre-2015 region", '"Souss-Massa"'),
        ("Tanger-Tétouan", "pre-2015 region", '"Tanger-Tétouan-Al Hoceïma"'),
        ("Gharb-Chrarda-Béni Hssen", "pre-2015 region", '"Rabat-Salé-Kénitra"'),
        ("Casablanca", "city", '"Casablanca-Settat"'),
        ("Souss", "unknown region", "matcher regions"),
    ],
)
@pytest.mark.parametrize("where", ["quotas", "priority"])
def test_wrong_region_name_gets_a_suggestion(
    name: str, in_message: str, suggestion: str, where: str
) -> None:
    data: dict[str, Any] = (
        {"quotas": {"regions": {name: 3}}}
        if where == "quotas"
        else {"priority": {"regions": ["MA-08", name]}}
    )
    problem = _one_problem(data)
    assert problem.column == f"{where}.regions"
    assert name in problem.message
    assert in_message in problem.message
    assert suggestion in str(problem)


@pytest.mark.parametrize(
    ("data", "reserved", "region"),
    [
        ({"mix": {"min_per_kind": {"artisan": 4, "farmer": 4, "merchant": 4}}}, 12, None),
        (
            {"quotas": {"default": 3}, "mix": {"min_per_kind": {"artisan": 2, "farmer": 2}}},
            4,
            None,
        ),
        (
            {
                "quotas": {"regions": {"Dakhla-Oued Ed-Dahab": 5}},
                "mix": {"min_per_kind": {"artisan": 2, "farmer": 2, "merchant": 2}},
            },
            6,
            "Dakhla-Oued Ed-Dahab",
        ),
        (
            {
                "quotas": {"regions": {"MA-02": {"min": 1, "max": 2}}},
                "mix": {"min_per_kind": {"merchant": 3}},
            },
            3,
            "L'Oriental",
        ),
    ],
)
def test_min_per_kind_reserving_more_than_a_quota(
    data: dict[str, Any], reserved: int, region: str | None
) -> None:
    problem = _one_problem(data)
    assert "min_per_kind" in problem.message
    assert f"reserves {reserved} places" in problem.message
    if region is not None:
        assert region in problem.message


def test_min_per_kind_that_fits_every_quota_is_accepted() -> None:
    config = parse_config(
        {
            "quotas": {"default": 6, "regions": {"MA-12": {"min": 2, "max": 6}}},
            "mix": {"min_per_kind": {"artisan": 2, "farmer": 2, "merchant": 2}},
        }
    )
    assert config.mix.min_per_kind == {"artisan": 2, "farmer": 2, "merchant": 2}


# ---------------------------------------------------------------- files


def test_invalid_toml_gives_the_line(tmp_path: Path) -> None:
    path = tmp_path / "matcher.toml"
    path.write_text("[quotas]\ndefault = 10\n\n[rules]\nmin_score = = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    (problem,) = info.value.problems
    assert problem.file == "matcher.toml"
    assert problem.row == 5
    assert "not valid TOML" in problem.message
    assert "line 5" in str(problem)


def test_config_file_errors_name_the_file(tmp_path: Path) -> None:
    path = tmp_path / "rules.toml"
    path.write_text("[rulez]\nmin_score = 3\n", encoding="utf-8")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    (problem,) = info.value.problems
    assert problem.file == "rules.toml"
    assert problem.column == "rulez"


def test_missing_config_file_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path / "absent.toml")
    assert info.value.problems[0].message == "file not found"


def test_config_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "matcher.toml"
    path.write_bytes(b"\xef\xbb\xbf[quotas]\ndefault = 4\n")
    assert load_config(path).quotas.default == 4


def test_relative_lock_and_forbid_paths_are_taken_from_the_config_folder(tmp_path: Path) -> None:
    folder = tmp_path / "call"
    folder.mkdir()
    absolute = folder / "sub" / "forbid.csv"
    path = folder / "matcher.toml"
    path.write_text(
        f'[rules]\nlocks = "lists/locks.csv"\nforbid = "{absolute.as_posix()}"\n', encoding="utf-8"
    )
    config = load_config(path)
    assert config.rules.locks == folder / "lists" / "locks.csv"
    assert config.rules.forbid == absolute


def test_parse_config_without_base_dir_keeps_relative_paths() -> None:
    config = parse_config({"rules": {"locks": "locks.csv"}})
    assert config.rules.locks == Path("locks.csv")


def test_init_template_parses_to_the_defaults(tmp_path: Path) -> None:
    assert parse_config(tomllib.loads(CONFIG_TEMPLATE)) == MatcherConfig()
    path = tmp_path / "matcher.toml"
    path.write_text(CONFIG_TEMPLATE, encoding="utf-8")
    assert load_config(path) == MatcherConfig()


def test_shipped_example_config_parses() -> None:
    path = Path(__file__).resolve().parent.parent / "examples" / "morocco" / "matcher.toml"
    config = load_config(path)
    assert config.quota("MA-12") == (10, 10)
    assert config.mix.min_per_kind == {"artisan": 2, "farmer": 2, "merchant": 2}
    assert config.priority.regions == ("MA-08", "MA-10", "MA-11", "MA-12", "MA-02")


# ---------------------------------------------------------------- clubs


def test_clubs_defaults_and_override() -> None:
    assert MatcherConfig().clubs.size.min == 6 and MatcherConfig().clubs.size.max == 10
    assert MatcherConfig().clubs.developer_weight == 1.0
    config = parse_config({"clubs": {"size": {"min": 4, "max": 8}, "developer_weight": 0.5}})
    assert (config.clubs.size.min, config.clubs.size.max) == (4, 8)
    assert config.clubs.developer_weight == 0.5


@pytest.mark.parametrize(
    ("data", "column", "in_message"),
    [
        (
            {"clubs": {"size": {"min": 10, "max": 6}}},
            "clubs.size",
            "min (10) is larger than max (6)",
        ),
        ({"clubs": {"size": {"min": 0, "max": 6}}}, "clubs.size.min", "greater than or equal to 1"),
        ({"clubs": {"developer_weight": -1}}, "clubs.developer_weight", "greater than or equal"),
    ],
)
def test_bad_clubs_value_names_the_key(data: dict[str, Any], column: str, in_message: str) -> None:
    problem = _one_problem(data)
    assert problem.column == column
    assert in_message in problem.message


def test_unknown_clubs_key_gets_a_suggestion() -> None:
    problem = _one_problem({"clubs": {"size": {"min": 6, "maxi": 10}}})
    assert problem.column == "clubs.size.maxi"
    assert problem.hint == 'did you mean "max"?'
