"""The sentence a short region gets, and the change it names: applied and re-run, it fills."""

from __future__ import annotations

import json
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from instances import (
    MOHAMMADIA,
    RABAT,
    SETTAT,
    cli,
    config_toml,
    dev,
    load,
    par,
    random_instance,
    write_instance,
)
from profiles import dev as dev_model
from profiles import par as par_model
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components
from test_solver_oracle import problems

from matcher import diagnosis
from matcher.config import MatcherConfig
from matcher.diagnosis import (
    Change,
    Fix,
    _edge_km,
    apply_changes,
    forced_fills,
    language_words,
)
from matcher.geo import haversine_km
from matcher.models import Dataset
from matcher.pipeline import (
    Instance,
    MatchResult,
    RegionReport,
    assemble,
    build_instance,
    run_match,
    shortfall_findings,
    solve_instance,
)
from matcher.scoring import encode
from matcher.solver import AssignmentProblem, InfeasibleLocksError, RegionSpec, solve

CASA = "Casablanca-Settat"
ROOT = Path(__file__).resolve().parent.parent
MOROCCO = ROOT / "examples" / "morocco"

DAKHLA_CITY = {"lat": "23.70", "lon": "-15.93"}  # Oued Ed-Dahab, Dakhla-Oued Ed-Dahab
TIZNIT_AREA = {"lat": "29.70", "lon": "-9.75"}  # Souss-Massa, ~906 km from Dakhla


def run(folder: Path) -> MatchResult:
    dataset, config, locks, forbid = load(folder)
    return run_match(dataset, config, locks=locks, forbid=forbid)


def region(result: MatchResult, code: str = "MA-06") -> RegionReport:
    return next(r for r in result.regions if r.code == code)


def rerun(folder: Path, changes: tuple[Change, ...], code: str = "MA-06") -> int:
    """Apply the changes to the folder's config, match again without diagnosis: the fill."""
    dataset, config, locks, forbid = load(folder)
    changed = apply_changes(config, changes)
    return region(
        run_match(dataset, changed, locks=locks, forbid=forbid, diagnose=False), code
    ).filled


def diagnosed(folder: Path, code: str = "MA-06") -> tuple[RegionReport, tuple[Change, ...]]:
    """Return the short region's report and the change it names, checked by re-running."""
    report = region(run(folder), code)
    assert report.fix is not None and report.fix.fills, report.diagnosis
    # The reported change, applied to the config and re-run, fills exactly as reported.
    assert rerun(folder, report.fix.changes, code) == report.fix.filled == report.fix.wanted
    return report, report.fix.changes


def _prober(instance: Instance, *, short: list[str]) -> diagnosis._Prober:
    """Return the diagnosis prober of an instance, as ``diagnose`` builds it."""
    return diagnosis._Prober(
        developers=instance.developers,
        partners=instance.partners,
        config=instance.config,
        region_index=instance.region_index,
        forbidden=instance.forbidden,
        locks=instance.locks,
        short=short,
    )


def tighter(change: Change, by: float) -> tuple[Change, ...]:
    return (Change(change.key, change.value + by),)


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
        "no change of one or two rules would fill more"
    )
    assert (report.relaxations, report.fix) == ((), None)


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
    assert report.diagnosis == (
        f"{CASA}: 3 wanted, 1 possible — only 1 developer(s) can work here; "
        "no change of one or two rules would fill more"
    )
    # No config change brings a "local" developer to another region.
    assert rerun(folder, (Change("rules.cross_region", "always"),)) == 1


def test_language(tmp_path: Path) -> None:
    devs = [dev("D1"), dev("D2", province=MOHAMMADIA, languages="es;en")]
    pars = [par("P1"), par("P2", province=MOHAMMADIA)]
    folder = write_instance(tmp_path, devs, pars, config_toml({"MA-06": 2}))
    report, changes = diagnosed(folder)
    assert changes == (Change("rules.require_shared_language", False),)
    assert report.diagnosis == (
        f"{CASA}: 2 wanted, 1 possible — too few pairs share a language; "
        "dropping the shared-language rule fills 2 of 2"
    )
    assert report.relaxations == (("language", 2),)


def test_in_person_distance_reports_the_threshold(tmp_path: Path) -> None:
    # Settat is ~84 km from Casablanca and Mohammadia: out of reach at 50 km.
    devs = [dev("D1"), dev("D2", province=SETTAT)]
    pars = [par("P1"), par("P2", province=MOHAMMADIA)]
    rules = {"max_distance_km": 50}
    folder = write_instance(tmp_path, devs, pars, config_toml({"MA-06": 2}, rules=rules))
    report, (change,) = diagnosed(folder)
    assert change.key == "rules.max_distance_km"
    assert report.diagnosis is not None
    assert "too few developers live within 50 km of the partners" in report.diagnosis
    assert f"raising max_distance_km to {change.value:.0f} km fills 2 of 2" in report.diagnosis
    # The threshold, not a doubling: one km less and the region is short again.
    assert 80 < change.value < 100
    assert rerun(folder, tighter(change, -1)) == 1


def test_minimum_score_reports_the_threshold(tmp_path: Path) -> None:
    # D2 has none of the skills the partners need: score 57.5, under a minimum of 80.
    devs = [dev("D1"), dev("D2", province=MOHAMMADIA, skills="seo")]
    pars = [par("P1"), par("P2", province=MOHAMMADIA)]
    rules = {"min_score": 80}
    folder = write_instance(tmp_path, devs, pars, config_toml({"MA-06": 2}, rules=rules))
    report, changes = diagnosed(folder)
    assert changes == (Change("rules.min_score", 57.5),)
    assert report.diagnosis == (
        f"{CASA}: 2 wanted, 1 possible — too few pairs reach the minimum score of 80; "
        "lowering min_score to 57.5 fills 2 of 2"
    )
    assert rerun(folder, tighter(changes[0], 0.1)) == 1


def test_cross_region_policy(tmp_path: Path) -> None:
    # D2 lives in Rabat (~87 km away) and works in their own region only.
    devs = [dev("D1"), dev("D2", region="MA-04", province=RABAT)]
    pars = [par("P1"), par("P2", province=MOHAMMADIA)]
    folder = write_instance(tmp_path, devs, pars, config_toml({"MA-06": 2}))
    report, changes = diagnosed(folder)
    assert changes == (Change("rules.cross_region", "always"),)
    assert report.diagnosis == (
        f"{CASA}: 2 wanted, 1 possible — only 1 developer(s) can work here; developers from "
        'other regions may not work here; setting cross_region = "always" fills 2 of 2'
    )


def test_remote_distance_reports_the_threshold(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        [
            dev("D-LOCAL", region="MA-12", province="12.391", **DAKHLA_CITY),
            dev("D-REMOTE", region="MA-09", province="09.581", mobility="remote", **TIZNIT_AREA),
        ],
        [
            par("P1", region="MA-12", province="12.391", **DAKHLA_CITY),
            par("P2", region="MA-12", province="12.391", **DAKHLA_CITY),
        ],
        config_toml({"MA-12": 2}, rules={"remote_max_distance_km": 500}),
    )
    report, (change,) = diagnosed(folder, "MA-12")
    assert change == Change("rules.remote_max_distance_km", 907.0)  # ~906.3 km, rounded up
    assert report.diagnosis == (
        "Dakhla-Oued Ed-Dahab: 2 wanted, 1 possible — remote developers are held to 500 km; "
        "allowing remote pairs up to 907 km fills 2 of 2"
    )
    assert rerun(folder, tighter(change, -1), "MA-12") == 1


def test_reserved_places_of_one_kind(tmp_path: Path) -> None:
    # A farmer place is reserved, but only artisans applied: it stays empty.
    devs = [dev("D1"), dev("D2", province=MOHAMMADIA)]
    pars = [par("P1"), par("P2", province=MOHAMMADIA)]
    mix = "min_per_kind = { farmer = 1 }"
    # Every region must have a place for the reserved one: the others want 1, and get none.
    quotas = config_toml({"MA-06": 2}, default=1, mix=mix)
    folder = write_instance(tmp_path, devs, pars, quotas)
    report, changes = diagnosed(folder)
    assert changes == (Change("mix.min_per_kind.farmer", 0),)
    assert report.diagnosis == (
        f"{CASA}: 2 wanted, 1 possible — 1 places are reserved for farmer partners; "
        "lowering mix.min_per_kind.farmer to 0 fills 2 of 2"
    )


def test_maximum_of_one_kind(tmp_path: Path) -> None:
    devs = [dev("D1"), dev("D2", province=MOHAMMADIA), dev("D3", province=SETTAT)]
    pars = [par(f"M{i}", kind="merchant") for i in range(1, 4)]
    mix = "max_per_kind = { merchant = 1 }"
    folder = write_instance(tmp_path, devs, pars, config_toml({"MA-06": 3}, mix=mix))
    report, changes = diagnosed(folder)
    # The smallest raise that fills: 3, not "without the mix rules".
    assert changes == (Change("mix.max_per_kind.merchant", 3),)
    assert report.diagnosis is not None
    assert "at most 1 merchant partners are allowed" in report.diagnosis
    assert rerun(folder, (Change("mix.max_per_kind.merchant", 2),)) == 2


def test_women_share_reports_the_share_that_fills(tmp_path: Path) -> None:
    # One woman among three developers: a share of 0.5 allows 2 pairs (1 of 2), not 3.
    devs = [
        dev("D1", gender="female"),
        dev("D2", province=MOHAMMADIA),
        dev("D3", province=SETTAT),
    ]
    pars = [par("P1"), par("P2", province=MOHAMMADIA), par("P3", province=SETTAT)]
    mix = "min_women_share = 0.5"
    folder = write_instance(tmp_path, devs, pars, config_toml({"MA-06": 3}, mix=mix))
    report, changes = diagnosed(folder)
    assert changes == (Change("mix.min_women_share", 0.33),)
    assert report.diagnosis == (
        f"{CASA}: 3 wanted, 2 possible — too few women developers for a share of 0.5; "
        "lowering mix.min_women_share to 0.33 fills 3 of 3"
    )
    assert rerun(folder, (Change("mix.min_women_share", 0.34),)) == 2


def test_a_priority_region_taking_the_supply(tmp_path: Path) -> None:
    # D1 works remotely from Casablanca; Rabat is a priority region and gets them first.
    folder = write_instance(
        tmp_path,
        [dev("D1", mobility="remote")],
        [par("P1"), par("Q1", region="MA-04", province=RABAT)],
        config_toml({"MA-06": 1, "MA-04": 1}, priority=["MA-04"]),
    )
    report, changes = diagnosed(folder)
    assert changes == (Change("priority.regions", ("MA-04", "MA-06")),)
    assert report.diagnosis == (
        f"{CASA}: 1 wanted, 0 possible — the priority regions take the developers it could "
        f"have; making {CASA} a priority region fills 1 of 1"
    )
    # The relaxations ranked after the one that fills are not tried: the quota one fills too.
    assert report.relaxations == (("priority", 1),)
    assert rerun(folder, (Change("quotas.regions.MA-04", 0),)) == 1


def test_the_quota_of_another_region_taking_the_supply(tmp_path: Path) -> None:
    # Both regions are priority; D1 lives in Rabat, so their pair there scores higher.
    folder = write_instance(
        tmp_path,
        [dev("D1", region="MA-04", province=RABAT, mobility="remote")],
        [par("P1"), par("Q1", region="MA-04", province=RABAT)],
        config_toml({"MA-06": 1, "MA-04": 1}, priority=["MA-04", "MA-06"]),
    )
    report, changes = diagnosed(folder)
    assert changes == (Change("quotas.regions.MA-04", 0),)
    assert report.diagnosis == (
        f"{CASA}: 1 wanted, 0 possible — Rabat-Salé-Kénitra takes developers it could have; "
        "lowering the quota of Rabat-Salé-Kénitra to 0 fills 1 of 1"
    )


def test_two_rules_together_when_no_single_one_fills(tmp_path: Path) -> None:
    # D2 lives in Settat (~84 km, beyond 50 km) and shares no language: both rules block.
    devs = [dev("D1"), dev("D2", province=SETTAT, languages="es")]
    pars = [par("P1"), par("P2", province=MOHAMMADIA)]
    rules = {"max_distance_km": 50}
    folder = write_instance(tmp_path, devs, pars, config_toml({"MA-06": 2}, rules=rules))
    report, changes = diagnosed(folder)
    assert report.helps == ()
    distance, language = changes
    assert distance.key == "rules.max_distance_km" and 80 < distance.value < 100
    assert language == Change("rules.require_shared_language", False)
    assert report.diagnosis == (
        f"{CASA}: 2 wanted, 1 possible — too few developers live within 50 km of the "
        "partners; too few pairs share a language; raising max_distance_km to "
        f"{distance.value:.0f} km and dropping the shared-language rule fills 2 of 2"
    )
    # Each rule alone is not enough; the distance found is the smallest that fills.
    assert rerun(folder, (distance,)) == 1
    assert rerun(folder, (language,)) == 1
    assert rerun(folder, (Change(distance.key, distance.value - 1), language)) == 1


def test_the_least_intrusive_fix_first_then_the_others(tmp_path: Path) -> None:
    # D2 shares no language; D3 and D4 live in Rabat and may not cross into the region.
    devs = [
        dev("D1"),
        dev("D2", province=MOHAMMADIA, languages="es;en"),
        dev("D3", region="MA-04", province=RABAT),
        dev("D4", region="MA-04", province=RABAT),
    ]
    pars = [par("P1"), par("P2", province=MOHAMMADIA), par("P3", province=SETTAT)]
    folder = write_instance(tmp_path, devs, pars, config_toml({"MA-06": 3}))
    report = region(run(folder))
    assert report.filled == 1
    # Dropping the language rule helps (2 of 3) but does not fill: the policy change does.
    assert dict(report.relaxations) == {"language": 2, "cross_region": 3}
    assert report.diagnosis is not None
    assert report.diagnosis.endswith(
        'setting cross_region = "always" fills 3 of 3 (dropping the shared-language rule: 2)'
    )
    assert "developers from other regions may not work here" in report.diagnosis
    assert "too few pairs share a language" not in report.diagnosis


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
    assert "dropping the shared-language rule fills 2 of 2" in casa["diagnosis"]
    assert casa["relaxations"] == {"language": 2}
    assert casa["fix"] == {
        "changes": {"rules.require_shared_language": False},
        "filled": 2,
        "fills": True,
    }
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


def _morocco(remote_limit: int) -> tuple[Dataset, MatcherConfig]:
    from matcher.pipeline import load_run_inputs

    dataset, config, _, _ = load_run_inputs(
        developers=MOROCCO / "developers.csv",
        partners=MOROCCO / "partners.csv",
        config_path=MOROCCO / "matcher.toml",
    )
    return dataset, apply_changes(config, (Change("rules.remote_max_distance_km", remote_limit),))


def test_shipped_example_held_to_250_km_names_the_remote_distance(tmp_path: Path) -> None:
    dataset, config = _morocco(250)
    dakhla = region(run_match(dataset, config), "MA-12")
    assert (dakhla.filled, dakhla.shortfall) == (8, 2)
    assert dakhla.fix is not None
    (change,) = dakhla.fix.changes
    assert change.key == "rules.remote_max_distance_km"
    assert dakhla.diagnosis is not None
    assert f"allowing remote pairs up to {change.value:,.0f} km fills 10 of 10" in (
        dakhla.diagnosis
    )
    fixed = apply_changes(config, dakhla.fix.changes)
    assert region(run_match(dataset, fixed, diagnose=False), "MA-12").filled == 10
    tight = apply_changes(config, tighter(change, -1))
    assert region(run_match(dataset, tight, diagnose=False), "MA-12").filled < 10


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ((Change("rules.min_score", 12.5),), {"rules": {"min_score": 12.5}}),
        ((Change("quotas.regions.MA-04", 3),), {"quotas": {"regions": {"MA-04": 3}}}),
        ((Change("mix.min_per_kind.farmer", 1),), {"mix": {"min_per_kind": {"farmer": 1}}}),
        ((Change("priority.regions", ("MA-01",)),), {"priority": {"regions": ["MA-01"]}}),
    ],
)
def test_apply_changes_is_a_config_edit(
    changes: tuple[Change, ...], expected: dict[str, Any]
) -> None:
    assert apply_changes(MatcherConfig(), changes) == MatcherConfig.model_validate(expected)


# -- the shortcuts give the same findings as the straightforward search ----------------------


def _findings(
    dataset: Dataset, config: MatcherConfig, *, exact_only: bool, milp_limit: int | None = None
) -> dict[str, tuple[str, Fix | None, tuple[Fix, ...]]]:
    instance = build_instance(dataset, config)
    solution = solve_instance(instance)
    result = assemble(instance, solution)
    found = shortfall_findings(
        instance, solution, result, workers=1, exact_only=exact_only, milp_limit=milp_limit
    )
    return {code: (f.text, f.fix, f.helps) for code, f in found.items()}


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    share=st.sampled_from([None, 0.3, 0.5, 1.0]),
    remote=st.sampled_from([None, 60.0, 150.0]),
    merchants=st.sampled_from([3, 1]),
)
def test_shortcuts_give_the_findings_of_full_solves(
    tmp_path_factory: pytest.TempPathFactory,
    seed: int,
    share: float | None,
    remote: float | None,
    merchants: int,
) -> None:
    folder, _, _ = random_instance(random.Random(seed), tmp_path_factory.mktemp("diag"))
    dataset, config, _, _ = load(folder)
    config = apply_changes(
        config,
        (
            Change("mix.min_women_share", share),
            Change("rules.remote_max_distance_km", remote),
            Change("mix.max_per_kind.merchant", merchants),
        ),
    )
    fast = _findings(dataset, config, exact_only=False)
    assert fast == _findings(dataset, config, exact_only=True)


def _labels(problem: AssignmentProblem) -> npt.NDArray[np.int64]:
    n_r = len(problem.regions)
    graph = coo_matrix(
        (
            np.ones(problem.n_edges, dtype=np.int8),
            (problem.par_region[problem.edge_par], problem.edge_dev + n_r),
        ),
        shape=(n_r + problem.n_dev, n_r + problem.n_dev),
    )
    return np.asarray(connected_components(graph, directed=False)[1][:n_r], dtype=np.int64)


@settings(deadline=None, max_examples=250, suppress_health_check=[HealthCheck.too_slow])
@given(problems())
def test_forced_fills_are_the_fills_of_the_scored_optimum(problem: AssignmentProblem) -> None:
    try:
        scored = solve(problem).filled
    except InfeasibleLocksError:
        return
    labels = _labels(problem)
    for r, spec in enumerate(problem.regions):
        forced = forced_fills(problem, labels=labels, regions=[r])
        if forced is not None:
            assert forced[r] == scored[r] == spec.max
    every = forced_fills(problem, labels=labels, regions=range(len(problem.regions)))
    if every is not None:
        assert np.array_equal(every, scored)


def _two_regions(*, female: list[bool], share: float | None) -> AssignmentProblem:
    """Two regions of 1 place; developer 0 may work in both, developer 1 only in region 1."""
    return AssignmentProblem(
        n_dev=2,
        n_par=2,
        edge_dev=np.array([0, 0, 1], dtype=np.int64),
        edge_par=np.array([0, 1, 1], dtype=np.int64),
        edge_score=np.array([1.0, 9.0, 2.0], dtype=np.float64),
        par_region=np.array([0, 1], dtype=np.int64),
        par_kind=np.array([0, 0], dtype=np.int64),
        dev_female=np.array(female, dtype=np.bool_),
        regions=(RegionSpec(1, 1), RegionSpec(1, 1, min_women_share=share)),
    )


def test_forced_fills_settle_a_women_share_without_the_scores() -> None:
    # Both regions fill (developer 0 in region 0), so both are fixed at 1 whatever the
    # scores; the women-share region gets its woman.
    problem = _two_regions(female=[False, True], share=0.5)
    forced = forced_fills(problem, labels=_labels(problem), regions=[0, 1])
    assert forced is not None
    assert forced.tolist() == [1, 1] == solve(problem).filled.tolist()


def test_forced_fills_leave_an_unfilled_component_to_the_solve() -> None:
    # Region 1 needs a woman and only developer 0 is one: one region fills, and which one
    # the tiers alone do not say.
    problem = _two_regions(female=[True, False], share=1.0)
    assert forced_fills(problem, labels=_labels(problem), regions=[0]) is None
    assert forced_fills(problem, labels=_labels(problem), regions=[1]) is None
    assert solve(problem).filled.tolist() == [0, 1]


@pytest.mark.parametrize("n_languages", [3, 64, 65, 130])
def test_language_words_say_who_shares_a_language_as_the_scorer_does(n_languages: int) -> None:
    rng = random.Random(n_languages)
    names = [f"Lang{i}" if i % 3 else f" lang{i} " for i in range(n_languages)]

    def lists(n: int) -> list[tuple[str, ...]]:
        return [tuple(rng.sample(names, rng.randint(0, 3))) for _ in range(n)]

    left, right = lists(40), lists(30)
    words = language_words(left, right)
    devs = [
        dev_model(id=f"D{i}", languages=("fr",)).model_copy(update={"languages": langs})
        for i, langs in enumerate(left)
    ]
    pars = [
        par_model(id=f"P{j}", languages=("fr",)).model_copy(update={"languages": langs})
        for j, langs in enumerate(right)
    ]
    dev_f, par_f = encode(developers=devs, partners=pars)
    expected = (dev_f.languages @ par_f.languages.T) > 0
    got = np.zeros_like(expected)
    for w in range(words[0].shape[1]):
        got |= (words[0][:, None, w] & words[1][None, :, w]) != 0
    assert np.array_equal(got, expected)
    assert expected.any() and not expected.all()


def test_edge_distances_are_those_of_each_pair_alone() -> None:
    rng = np.random.default_rng(7)
    # people at a few shared places, and one at a place of their own
    places = rng.uniform([21.0, -17.0], [36.0, -1.0], size=(5, 2))
    dev_at = rng.integers(0, 5, 50)
    par_at = rng.integers(0, 5, 40)
    dev_lat, dev_lon = places[dev_at, 0].copy(), places[dev_at, 1].copy()
    par_lat, par_lon = places[par_at, 0].copy(), places[par_at, 1].copy()
    dev_lat[0] += 0.123
    e_dev, e_par = rng.integers(0, 50, 500), rng.integers(0, 40, 500)
    direct = haversine_km(dev_lat[e_dev], dev_lon[e_dev], par_lat[e_par], par_lon[e_par])
    got = _edge_km(dev_lat, dev_lon, par_lat, par_lon, e_dev=e_dev, e_par=e_par)
    assert np.array_equal(got, direct)


def test_imbalanced_region_short_of_partners_gets_no_probe(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2", province=MOHAMMADIA), dev("D3", province=SETTAT)],
        [par("P1"), par("P2", province=MOHAMMADIA)],
        config_toml({"MA-06": 3}, rules={"min_score": 1, "require_shared_language": True}),
    )
    solves: list[MatcherConfig] = []
    real = diagnosis._Prober._solve

    def counted(self: Any, config: MatcherConfig, *, rescore: bool) -> Any:
        solves.append(config)
        return real(self, config, rescore=rescore)

    monkeypatch.setattr(diagnosis._Prober, "_solve", counted)
    report = region(run(folder))
    assert report.diagnosis is not None
    assert report.diagnosis.startswith(f"{CASA}: 3 wanted, 2 possible — only 2 partner(s)")
    assert report.diagnosis.endswith("no change of one or two rules would fill more")
    assert solves == []
    # Without that shortcut the region alone (two partners) settles every probe unsolved;
    monkeypatch.setattr(diagnosis, "_ceiling", lambda *a, **k: 3)
    assert region(run(folder)).diagnosis == report.diagnosis
    assert solves == []
    # without both, the same sentence costs a solve per relaxation and pair of them.
    monkeypatch.setattr(diagnosis._Prober, "alone_exceeds", lambda *a, **k: True)
    assert region(run(folder)).diagnosis == report.diagnosis
    assert len(solves) >= 2


@settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), remote=st.sampled_from([None, 60.0, 150.0, 400.0]))
def test_the_smaller_shared_graph_filters_to_the_full_ones_edges(
    tmp_path_factory: pytest.TempPathFactory, seed: int, remote: float | None
) -> None:
    folder, _, _ = random_instance(random.Random(seed), tmp_path_factory.mktemp("graph"))
    dataset, config, _, _ = load(folder)
    instance = build_instance(dataset, config)
    prober = _prober(instance, short=[])
    small, full = prober.graph(full=False), prober.graph(full=True)
    assert small is not None and full is not None
    # a probe that keeps the language rule and min_score, with any remote limit
    probe = apply_changes(config, (Change("rules.remote_max_distance_km", remote),))
    assert not prober.needs_full(probe)
    a, b = small.allowed(probe), full.allowed(probe)
    for name in ("dev", "par", "score", "km", "locked"):
        assert np.array_equal(getattr(small, name)[a], getattr(full, name)[b]), name
    assert len(full.dev) >= len(small.dev)


def test_a_search_stops_at_a_women_share_milp_above_the_limit(tmp_path: Path) -> None:
    # The shipped rules (women share, kind mix) on a 600 x 900 call held to 250 km: three
    # regions short, and their searches need the women-share MILP. Held to MILPs of one
    # pair, every search stops at its first such probe and says so, with no fix claimed.
    from matcher.dataset import load_dataset
    from matcher.synth import generate, write_call

    write_call(generate(developers=600, partners=900, seed=3), tmp_path)
    dataset = load_dataset(tmp_path / "developers.csv", tmp_path / "partners.csv")
    _, shipped = _morocco(250)
    config = apply_changes(shipped, (Change("quotas.default", 20), Change("quotas.regions", {})))
    found = _findings(dataset, config, exact_only=False, milp_limit=1)
    stopped = {code: text for code, (text, fix, _helps) in found.items() if "stopped" in text}
    assert stopped, found
    for code, text in stopped.items():
        assert found[code][1] is None
        assert text.endswith("pairs, more than the 1 a run allows")
        assert "the search for a change stopped: checking one needs an exact women-share" in text


# -- a region alone settles probes: exact against the solver on that region's pairs ----------


@settings(deadline=None, max_examples=30, suppress_health_check=[HealthCheck.too_slow])
@given(
    seed=st.integers(0, 10**6),
    share=st.sampled_from([None, 0.3, 0.5, 1.0]),
    change=st.sampled_from(
        [
            (),
            (Change("rules.remote_max_distance_km", None),),
            (Change("mix.min_per_kind.farmer", 0),),
            (Change("mix.max_per_kind.merchant", 3),),
            (Change("rules.max_distance_km", 400.0),),
            (Change("rules.cross_region", "always"),),
            (Change("rules.require_shared_language", False),),
        ]
    ),
)
def test_a_region_alone_holds_exactly_what_the_solver_finds_on_its_pairs(
    tmp_path_factory: pytest.TempPathFactory,
    seed: int,
    share: float | None,
    change: tuple[Change, ...],
) -> None:
    from matcher.edges import build_edges

    folder, _, _ = random_instance(random.Random(seed), tmp_path_factory.mktemp("alone"))
    dataset, config, _, _ = load(folder)
    config = apply_changes(
        config, (Change("mix.min_women_share", share), Change("mix.max_per_kind.merchant", 1))
    )
    instance = build_instance(dataset, config)
    prober = _prober(instance, short=[])
    changed = apply_changes(config, change)
    rescore = any(c.key in ("rules.max_distance_km", "rules.cross_region") for c in change)
    every = build_edges(
        developers=instance.developers,
        partners=instance.partners,
        config=changed,
        region_index=instance.region_index,
        group_cap=None,
        forbidden=instance.forbidden,
        locks=instance.locks,
    )
    specs = build_instance(dataset, changed).specs
    par_region = instance.problem.par_region
    for r, spec in enumerate(specs):
        mine = par_region[every.par] == r
        alone = solve(
            replace(
                instance.problem,
                edge_dev=every.dev[mine],
                edge_par=every.par[mine],
                edge_score=every.score[mine],
                regions=specs,
                locked=np.zeros(0, dtype=np.int64),
            )
        ).filled[r]
        for above in range(spec.max + 1):
            got = prober.alone_exceeds(change, region=r, above=above, rescore=rescore)
            # sound: "cannot exceed" only where the solver does not; and it tells
            assert got == (alone > above) or (got and sum(spec.min_per_kind) > 0), (
                r,
                above,
                alone,
            )


def test_a_change_two_searches_probe_at_once_is_solved_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading
    import time

    from matcher.solver import MilpTooLargeError

    folder, _, _ = random_instance(random.Random(7), tmp_path)
    dataset, config, _, _ = load(folder)
    instance = build_instance(dataset, config)
    prober = _prober(instance, short=["MA-06"])
    solved: list[MatcherConfig] = []

    def slow(self: Any, changed: MatcherConfig, *, rescore: bool) -> Any:
        solved.append(changed)
        time.sleep(0.2)  # long enough for the other thread to ask meanwhile
        if changed.rules.min_score == 1.0:
            raise MilpTooLargeError(500, 100)
        return np.arange(12, dtype=np.int64)

    monkeypatch.setattr(diagnosis._Prober, "_solve", slow)
    change = (Change("rules.min_score", 5.0),)
    got: list[Any] = []
    threads = [
        threading.Thread(target=lambda: got.append(prober.fills(change, rescore=False)))
        for _ in range(2)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(solved) == 1
    assert len(got) == 2 and all(np.array_equal(g, np.arange(12)) for g in got)
    # a probe above the MILP limit is not solved again either: it raises at once
    too_large = (Change("rules.min_score", 1.0),)
    for _ in range(2):
        with pytest.raises(MilpTooLargeError):
            prober.fills(too_large, rescore=False)
    assert len(solved) == 2


@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), share=st.sampled_from([None, 0.3, 1.0]))
def test_the_forced_flow_is_skipped_only_where_it_could_not_settle(
    tmp_path_factory: pytest.TempPathFactory, seed: int, share: float | None
) -> None:
    folder, _, _ = random_instance(random.Random(seed), tmp_path_factory.mktemp("force"))
    dataset, config, _, _ = load(folder)
    config = apply_changes(config, (Change("mix.min_women_share", share),))
    instance = build_instance(dataset, config)
    regions = sorted(
        {p.region for p in instance.partners} | {d.region for d in instance.developers}
    )
    for short in ([code] for code in regions):
        prober = _prober(instance, short=short)
        g = prober.graph(full=False)
        assert g is not None
        ok = g.allowed(config)
        forced = prober._forced(instance.specs, g.dev[ok], g.par[ok], g.score[ok], g.locked[ok])
        r = instance.region_index[short[0]]
        if not prober._may_force(instance.specs):
            assert forced is None
            assert prober.reach_cap(r) < instance.specs[r].min
        else:
            assert prober.reach_cap(r) >= instance.specs[r].min


def _alone_exceeds(folder: Path, *, code: str, above: int) -> tuple[bool, int]:
    """Return the region-alone check for ``above`` and what the solver fills there."""
    dataset, config, _, _ = load(folder)
    instance = build_instance(dataset, config)
    prober = _prober(instance, short=[])
    r = instance.region_index[code]
    filled = int(solve_instance(instance).filled[r])
    return prober.alone_exceeds((), region=r, above=above, rescore=False), filled


@pytest.mark.parametrize(
    ("case", "mix", "developers", "partners"),
    [
        (
            # 3 places, one reserved for artisans and one for farmers: 2 artisans fill 2
            # (the reserved artisan place and the free one), which a cap of 2 places
            # with no free place left would deny
            "reserved places",
            "min_per_kind = { artisan = 1, farmer = 1 }",
            [dev("D1"), dev("D2"), dev("D3")],
            [par("A1"), par("A2")],
        ),
        (
            # two artisan places reserved and a women share of 0.3: the only woman speaks
            # only Arabic, as the farmer does; 2 pairs meeting the reservations hold no
            # woman, yet 3 pairs (1 woman) meet the share
            "reserved places and a women share",
            "min_per_kind = { artisan = 2 }\nmin_women_share = 0.3",
            [dev("D1"), dev("D2"), dev("D3", gender="female", languages="ar")],
            [par("A1"), par("A2"), par("F1", kind="farmer", languages="ar")],
        ),
    ],
)
def test_a_region_alone_counts_every_pairing_its_kind_mix_allows(
    tmp_path: Path,
    case: str,
    mix: str,
    developers: list[dict[str, str]],
    partners: list[dict[str, str]],
) -> None:
    # the other regions need room for the reserved places too (they have no partners)
    quotas = config_toml({"MA-06": 3}, default=2, mix=mix)
    folder = write_instance(tmp_path, developers, partners, quotas)
    exceeds, filled = _alone_exceeds(folder, code="MA-06", above=1)
    assert filled > 1, case
    assert exceeds, case
