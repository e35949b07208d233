"""The sentence a short region gets: the cause, and the single relaxation that would help."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from instances import (
    MOHAMMADIA,
    RABAT,
    SETTAT,
    cli,
    config_toml,
    dev,
    load,
    par,
    write_instance,
)

from matcher.pipeline import MatchResult, RegionReport, run_match

CASA = "Casablanca-Settat"


def run(folder: Path) -> MatchResult:
    dataset, config, locks, forbid = load(folder)
    return run_match(dataset, config, locks=locks, forbid=forbid)


def region(result: MatchResult, code: str = "MA-06") -> RegionReport:
    return next(r for r in result.regions if r.code == code)


def filled_with(
    tmp_path: Path,
    devs: list[dict[str, str]],
    pars: list[dict[str, str]],
    quotas: dict[str, Any],
    **config: Any,
) -> int:
    """Solve the instance again under a relaxed config, independently of the diagnosis."""
    folder = write_instance(tmp_path / "relaxed", devs, pars, config_toml(quotas, **config))
    dataset, cfg, _, _ = load(folder)
    return region(run_match(dataset, cfg, diagnose=False)).filled


def test_too_few_partners(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2", province=MOHAMMADIA), dev("D3", province=SETTAT)],
        [par("P1")],
        config_toml({"MA-06": 3}),
    )
    report = region(run(folder))
    assert (report.filled, report.shortfall) == (1, 2)
    assert report.diagnosis == (
        f"{CASA}: 3 wanted, 1 possible — only 1 partner(s) applied here; "
        "no single rule relaxation would fill more"
    )
    assert report.relaxations == ()


def test_too_few_developers_in_reach(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        # D2 lives in Rabat and works in their own province only.
        [dev("D1"), dev("D2", region="MA-04", province=RABAT, mobility="local")],
        [par("P1"), par("P2", province=MOHAMMADIA), par("P3", province=SETTAT)],
        config_toml({"MA-06": 3}),
    )
    report = region(run(folder))
    assert report.filled == 1
    assert report.diagnosis is not None
    assert report.diagnosis.startswith(f"{CASA}: 3 wanted, 1 possible — ")
    assert "only 1 developer(s) can work here" in report.diagnosis
    assert "partner(s) applied" not in report.diagnosis
    assert report.diagnosis.endswith("no single rule relaxation would fill more")


def test_no_shared_language(tmp_path: Path) -> None:
    devs = [dev("D1"), dev("D2", province=MOHAMMADIA, languages="es;en")]
    pars = [par("P1"), par("P2", province=MOHAMMADIA)]
    folder = write_instance(tmp_path / "in", devs, pars, config_toml({"MA-06": 2}))
    report = region(run(folder))
    assert report.filled == 1
    assert report.diagnosis == (
        f"{CASA}: 2 wanted, 1 possible — too few pairs share a language; "
        "without the shared-language rule would give 2 of 2"
    )
    assert report.relaxations == (("language", 2),)
    relaxed = filled_with(
        tmp_path, devs, pars, {"MA-06": 2}, rules={"require_shared_language": False}
    )
    assert relaxed == 2


def test_distance(tmp_path: Path) -> None:
    # Settat is ~83 km from Casablanca: out of reach at 50 km, in reach at 100 km.
    devs = [dev("D1"), dev("D2", province=SETTAT)]
    pars = [par("P1"), par("P2", province=MOHAMMADIA)]
    rules = {"max_distance_km": 50}
    folder = write_instance(tmp_path / "in", devs, pars, config_toml({"MA-06": 2}, rules=rules))
    report = region(run(folder))
    assert report.filled == 1
    assert report.diagnosis is not None
    assert "too few developers live within 50 km of the partners" in report.diagnosis
    assert "allowing up to 100 km would give 2 of 2" in report.diagnosis
    assert dict(report.relaxations) == {"distance": 2}
    assert filled_with(tmp_path, devs, pars, {"MA-06": 2}, rules={"max_distance_km": 100}) == 2


def test_minimum_score(tmp_path: Path) -> None:
    # D2 has none of the skills the partners need: score 57.5, under a minimum of 80.
    devs = [dev("D1"), dev("D2", province=MOHAMMADIA, skills="seo")]
    pars = [par("P1"), par("P2", province=MOHAMMADIA)]
    rules = {"min_score": 80}
    folder = write_instance(tmp_path / "in", devs, pars, config_toml({"MA-06": 2}, rules=rules))
    report = region(run(folder))
    assert report.filled == 1
    assert report.diagnosis == (
        f"{CASA}: 2 wanted, 1 possible — too few pairs reach the minimum score of 80; "
        "without the minimum score would give 2 of 2"
    )
    assert filled_with(tmp_path, devs, pars, {"MA-06": 2}, rules={"min_score": 0}) == 2


def test_cross_region_mobility(tmp_path: Path) -> None:
    # D2 lives in Rabat (~87 km away) and works in their own region only.
    devs = [dev("D1"), dev("D2", region="MA-04", province=RABAT)]
    pars = [par("P1"), par("P2", province=MOHAMMADIA)]
    folder = write_instance(tmp_path / "in", devs, pars, config_toml({"MA-06": 2}))
    report = region(run(folder))
    assert report.filled == 1
    assert report.diagnosis is not None
    assert "only 1 developer(s) can work here" in report.diagnosis
    assert "developers from other regions may not work here" in report.diagnosis
    assert "allowing developers from other regions would give 2 of 2" in report.diagnosis
    assert dict(report.relaxations) == {"mobility": 2}
    # The relaxation is the config change "cross_region = always", and it does give 2.
    assert filled_with(tmp_path, devs, pars, {"MA-06": 2}, rules={"cross_region": "always"}) == 2


def test_cross_region_relaxation_leaves_local_developers_local(tmp_path: Path) -> None:
    # D2 asked to work in their own province only: no config change brings them here.
    devs = [dev("D1"), dev("D2", region="MA-04", province=RABAT, mobility="local")]
    pars = [par("P1"), par("P2", province=MOHAMMADIA)]
    folder = write_instance(tmp_path / "in", devs, pars, config_toml({"MA-06": 2}))
    report = region(run(folder))
    assert report.filled == 1
    assert report.relaxations == ()
    assert report.diagnosis is not None
    assert report.diagnosis.endswith("no single rule relaxation would fill more")
    assert filled_with(tmp_path, devs, pars, {"MA-06": 2}, rules={"cross_region": "always"}) == 1


def test_mix_rule(tmp_path: Path) -> None:
    devs = [dev("D1"), dev("D2", province=MOHAMMADIA)]
    pars = [par("M1", kind="merchant"), par("M2", kind="merchant", province=MOHAMMADIA)]
    mix = "max_per_kind = { merchant = 1 }"
    folder = write_instance(tmp_path / "in", devs, pars, config_toml({"MA-06": 2}, mix=mix))
    report = region(run(folder))
    assert report.filled == 1
    assert report.diagnosis == (
        f"{CASA}: 2 wanted, 1 possible — the mix rules (places per partner kind, share of "
        "women) cannot all be met; without the mix rules would give 2 of 2"
    )
    assert report.relaxations == (("mix", 2),)


def test_women_share_rule(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2", province=MOHAMMADIA)],
        [par("P1"), par("P2", province=MOHAMMADIA)],
        config_toml({"MA-06": 2}, mix="min_women_share = 0.5"),
    )
    report = region(run(folder))
    assert report.filled == 0
    assert report.diagnosis is not None
    assert report.diagnosis.startswith(f"{CASA}: 2 wanted, 0 possible")
    assert "without the mix rules would give 2 of 2" in report.diagnosis


def test_only_short_regions_get_a_diagnosis(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        [
            dev("D1"),
            dev("D2", province=MOHAMMADIA, languages="es"),
            dev("R1", region="MA-04", province=RABAT),
        ],
        [
            par("P1"),
            par("P2", province=MOHAMMADIA),
            par("Q1", region="MA-04", province=RABAT),
        ],
        config_toml({"MA-06": 2, "MA-04": 1}),
    )
    result = run(folder)
    casa, rabat = region(result, "MA-06"), region(result, "MA-04")
    assert casa.shortfall == 1 and casa.diagnosis is not None
    assert "language" in casa.diagnosis
    assert (rabat.filled, rabat.shortfall, rabat.diagnosis, rabat.relaxations) == (1, 0, None, ())
    assert [r.code for r in result.shortfalls] == ["MA-06"]
    # Regions that want no pairs are never short.
    assert all(r.diagnosis is None for r in result.regions if r.code not in {"MA-06"})


def test_min_of_a_range_is_what_counts(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2", province=MOHAMMADIA)],
        [par("P1"), par("P2", province=MOHAMMADIA)],
        config_toml({"MA-06": (2, 4)}),
    )
    report = region(run(folder))
    # 2 pairs meet the range's min of 2: not short, although the max of 4 is not reached.
    assert (report.filled, report.shortfall, report.diagnosis) == (2, 0, None)


def test_diagnosis_in_match_json(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2", province=MOHAMMADIA, languages="es")],
        [par("P1"), par("P2", province=MOHAMMADIA)],
        config_toml({"MA-06": 2}),
    )
    res = cli("match", folder, "--dry-run", "--json")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    casa = next(r for r in data["regions"] if r["code"] == "MA-06")
    assert casa["shortfall"] == 1
    assert "without the shared-language rule would give 2 of 2" in casa["diagnosis"]
    assert casa["relaxations"] == {"language": 2}
    assert data["written"] == []


@pytest.mark.parametrize("strict", [True, False])
def test_strict_shortfall_exits_4(tmp_path: Path, strict: bool) -> None:
    folder = write_instance(
        tmp_path / "in", [dev("D1")], [par("P1"), par("P2")], config_toml({"MA-06": 2})
    )
    out = tmp_path / "out"
    res = cli("match", folder, "--out", out, *(["--strict"] if strict else []))
    assert res.exit_code == (4 if strict else 0)
    assert (out / "pairings.csv").exists() is (not strict)


def test_several_relaxations_best_first_then_the_others(tmp_path: Path) -> None:
    # D2 shares no language; D3 and D4 live in Rabat and may not cross into the region.
    devs = [
        dev("D1"),
        dev("D2", province=MOHAMMADIA, languages="es;en"),
        dev("D3", region="MA-04", province=RABAT),
        dev("D4", region="MA-04", province=RABAT),
    ]
    pars = [par("P1"), par("P2", province=MOHAMMADIA), par("P3", province=SETTAT)]
    folder = write_instance(tmp_path / "in", devs, pars, config_toml({"MA-06": 3}))
    report = region(run(folder))
    assert report.filled == 1
    assert dict(report.relaxations) == {"mobility": 3, "language": 2}
    assert report.diagnosis is not None
    assert report.diagnosis.endswith(
        "allowing developers from other regions would give 3 of 3 "
        "(without the shared-language rule: 2)"
    )
    # the cause named is the best relaxation's, not the others'
    assert "developers from other regions may not work here" in report.diagnosis
    assert "too few pairs share a language" not in report.diagnosis


def test_equally_good_relaxations_are_named_together(tmp_path: Path) -> None:
    devs = [dev("D1"), dev("D2", province=MOHAMMADIA, languages="es;en")]
    devs.append(dev("D3", region="MA-04", province=RABAT))
    pars = [par("P1"), par("P2", province=MOHAMMADIA)]
    folder = write_instance(tmp_path / "in", devs, pars, config_toml({"MA-06": 2}))
    report = region(run(folder))
    assert report.filled == 1
    assert report.diagnosis is not None
    assert report.diagnosis.endswith(
        "allowing developers from other regions or without the shared-language rule "
        "would each give 2 of 2"
    )
