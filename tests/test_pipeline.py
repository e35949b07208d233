"""End-to-end runs of the pipeline on hand-made instances: reasons, locks, forbids, optimality."""

from __future__ import annotations

import random
from collections import Counter
from pathlib import Path

import pytest
from instances import (
    EL_JADIDA,
    MOHAMMADIA,
    RABAT,
    SETTAT,
    allowed_pairs,
    brute_force,
    cli,
    config_toml,
    dev,
    load,
    par,
    random_instance,
    read_csv,
    write_instance,
    write_pairs_file,
)

from matcher.errors import InputError
from matcher.pipeline import REASONS, MatchResult, run_match
from matcher.previous import load_previous
from matcher.rematch import rematch
from matcher.rules import violated_rules


def match_folder(folder: Path) -> MatchResult:
    """Load a folder written by write_instance and run the match on it."""
    dataset, config, locks, forbid = load(folder)
    return run_match(dataset, config, locks=locks, forbid=forbid)


def unpaired_by_id(result: MatchResult) -> dict[str, tuple[str, str]]:
    return {u.id: (u.reason, u.detail) for u in result.unpaired}


def pair_ids(result: MatchResult) -> set[tuple[str, str]]:
    return {(p.developer.id, p.partner.id) for p in result.pairs}


def assert_everyone_once(folder: Path, result: MatchResult) -> None:
    """Every developer and partner of the input is in exactly one pair or one unpaired row."""
    dataset, _, _, _ = load(folder)
    seen = Counter(
        [("developer", p.developer.id) for p in result.pairs]
        + [("partner", p.partner.id) for p in result.pairs]
        + [(u.side, u.id) for u in result.unpaired]
    )
    expected = {("developer", d.id) for d in dataset.developers} | {
        ("partner", p.id) for p in dataset.partners
    }
    assert set(seen) == expected
    assert all(n == 1 for n in seen.values()), [k for k, n in seen.items() if n > 1]
    assert all(u.reason in REASONS and u.detail for u in result.unpaired)


# -- every reason code of unmatched.csv -----------------------------------------------------


def test_no_compatible_partner_names_the_language(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2", languages="es")],
        [par("P1"), par("P2", province=MOHAMMADIA)],
        config_toml({"MA-06": 2}),
    )
    result = match_folder(folder)
    reasons = unpaired_by_id(result)
    assert pair_ids(result) == {("D1", "P1")}
    reason, detail = reasons["D2"]
    assert reason == "no_compatible_partner"
    assert "language" in detail
    assert "2 partners" in detail  # both partners in reach, both ruled out by language
    # P2 shares a language with D1 only, who is taken: not a rule problem for P2.
    assert reasons["P2"][0] == "outscored"
    assert_everyone_once(folder, result)


def test_no_compatible_developer_names_the_distance(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2", province=MOHAMMADIA)],
        [par("P1"), par("P2", province=EL_JADIDA)],
        config_toml({"MA-06": 2}, rules={"max_distance_km": 50}),
    )
    result = match_folder(folder)
    reason, detail = unpaired_by_id(result)["P2"]
    assert reason == "no_compatible_developer"
    assert "too far" in detail
    assert "2 developers" in detail
    assert_everyone_once(folder, result)


def test_no_compatible_partner_when_nobody_is_in_reach(tmp_path: Path) -> None:
    # A Rabat developer who may not cross regions, and partners only in Casablanca-Settat.
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2", region="MA-04", province=RABAT)],
        [par("P1")],
        config_toml({"MA-06": 1, "MA-04": 1}),
    )
    result = match_folder(folder)
    reason, detail = unpaired_by_id(result)["D2"]
    assert reason == "no_compatible_partner"
    assert "in reach" in detail and "cross regions" in detail
    assert_everyone_once(folder, result)


@pytest.mark.parametrize("d2_province", ["06.141", MOHAMMADIA])
def test_quota_full(tmp_path: Path, d2_province: str) -> None:
    # With D2 in Casablanca both developers prefer P1, so D2's best edge is taken while P2,
    # also compatible with D2, is free: only the quota of 1 stops the second pair.
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2", province=d2_province)],
        [par("P1"), par("P2", province=MOHAMMADIA)],
        config_toml({"MA-06": 1}),
    )
    result = match_folder(folder)
    assert len(result.pairs) == 1
    reasons = unpaired_by_id(result)
    unpaired_dev = next(u for u in result.unpaired if u.side == "developer")
    unpaired_par = next(u for u in result.unpaired if u.side == "partner")
    for who in (unpaired_dev.id, unpaired_par.id):
        reason, detail = reasons[who]
        assert reason == "quota_full", (who, reason, detail)
        assert "Casablanca-Settat already has its 1 pairs" in detail
        assert "1 compatible" in detail
    assert result.shortfalls == []
    assert_everyone_once(folder, result)


def test_quota_zero_region_partner_is_quota_full(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        [dev("D1")],
        [par("P1"), par("P2", region="MA-04", province=RABAT)],
        config_toml({"MA-06": 1}),
    )
    result = match_folder(folder)
    reason, detail = unpaired_by_id(result)["P2"]
    assert reason == "quota_full"
    assert "quota 0" in detail and "Rabat-Salé-Kénitra" in detail


def test_outscored_names_who_took_the_best_counterpart(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2", skills="seo")],
        [par("P1")],
        config_toml({"MA-06": 2}),
    )
    result = match_folder(folder)
    assert pair_ids(result) == {("D1", "P1")}
    reason, detail = unpaired_by_id(result)["D2"]
    assert reason == "outscored"
    assert "P1 (score 57.5)" in detail
    assert "paired with D1 (score 92.5)" in detail
    assert_everyone_once(folder, result)


def test_excluded_by_max_per_kind(tmp_path: Path) -> None:
    # Two merchants, at most one merchant pair per region, two places.
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2")],
        [par("M1", kind="merchant"), par("M2", kind="merchant", province=MOHAMMADIA)],
        config_toml({"MA-06": 2}, mix="max_per_kind = { merchant = 1 }"),
    )
    result = match_folder(folder)
    assert len(result.pairs) == 1
    for u in result.unpaired:
        assert u.reason == "excluded_by_rule", (u.id, u.reason, u.detail)
        assert "mix rules" in u.detail
        assert "1 free compatible" in u.detail
    assert_everyone_once(folder, result)


def test_excluded_by_women_share(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2", province=MOHAMMADIA, gender="female"), dev("D3", province=SETTAT)],
        [par("P1"), par("P2", province=MOHAMMADIA), par("P3", province=SETTAT)],
        config_toml({"MA-06": 3}, mix="min_women_share = 0.5"),
    )
    result = match_folder(folder)
    # At least half the paired developers must be women: one woman allows two pairs only.
    assert len(result.pairs) == 2
    assert "D2" in {p.developer.id for p in result.pairs}
    assert {u.side for u in result.unpaired} == {"developer", "partner"}
    for u in result.unpaired:
        assert u.reason == "excluded_by_rule", (u.id, u.reason, u.detail)
        assert "share of women" in u.detail
    assert_everyone_once(folder, result)


def test_dropped_reason_after_rematch(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path / "in",
        [dev("D1"), dev("D2", province=MOHAMMADIA)],
        [par("P1"), par("P2", province=MOHAMMADIA)],
        config_toml({"MA-06": 2}),
    )
    assert cli("match", folder, "--out", tmp_path / "out").exit_code == 0
    outcome = rematch(load_previous(tmp_path / "out"), drop=["D1"])
    reasons = unpaired_by_id(outcome.result)
    assert reasons["D1"][0] == "dropped"
    assert "rematch" in reasons["D1"][1]
    assert "D1" not in {p.developer.id for p in outcome.result.pairs}
    # P1 lost its developer; D2 stays with P2, so P1 is left without a free developer.
    assert reasons["P1"][0] == "outscored"
    assert pair_ids(outcome.result) == {("D2", "P2")}


def test_unmatched_csv_carries_reason_and_detail(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path / "in",
        [dev("D1"), dev("D2", languages="es")],
        [par("P1")],
        config_toml({"MA-06": 1}),
    )
    assert cli("match", folder, "--out", tmp_path / "out").exit_code == 0
    rows = {r["id"]: r for r in read_csv(tmp_path / "out" / "unmatched.csv")}
    assert set(rows) == {"D2"}
    assert rows["D2"]["reason"] == "no_compatible_partner"
    assert "language" in rows["D2"]["detail"]
    assert rows["D2"]["side"] == "developer"


# -- locks and forbids ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def lock_folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three places; D4 is the weakest developer and D5 shares no language with anyone."""
    folder = tmp_path_factory.mktemp("locks")
    return write_instance(
        folder,
        [
            dev("D1"),
            dev("D2", province=MOHAMMADIA),
            dev("D3", province=SETTAT),
            dev("D4", skills="seo"),
            dev("D5", languages="es"),
        ],
        [par("P1"), par("P2", province=MOHAMMADIA), par("P3", province=SETTAT)],
        config_toml({"MA-06": 3}),
    )


def test_unlocked_optimum_ignores_the_weak_developers(lock_folder: Path) -> None:
    result = match_folder(lock_folder)
    assert pair_ids(result) == {("D1", "P1"), ("D2", "P2"), ("D3", "P3")}
    assert not any(p.locked for p in result.pairs)


def test_locks_are_honoured_and_flagged(lock_folder: Path) -> None:
    dataset, config, _, _ = load(lock_folder)
    # D4 + P1 is a poor pair; D5 + P3 even breaks the shared-language rule: a lock keeps both.
    locks = [("D4", "P1"), ("D5", "P3")]
    result = run_match(dataset, config, locks=locks)
    pairs = {(p.developer.id, p.partner.id): p for p in result.pairs}
    assert set(locks) <= set(pairs)
    assert {k for k, p in pairs.items() if p.locked} == set(locks)
    # The remaining place goes to the best remaining pair.
    assert set(pairs) == {("D4", "P1"), ("D5", "P3"), ("D2", "P2")}
    assert result.optimality.filled == 3


def test_lock_file_flows_to_pairings_csv(lock_folder: Path, tmp_path: Path) -> None:
    locks = write_pairs_file(tmp_path / "keep.csv", [("D4", "P2")])
    out = tmp_path / "out"
    res = cli("match", lock_folder, "--lock", locks, "--out", out)
    assert res.exit_code == 0, res.stderr
    rows = {(r["developer_id"], r["partner_id"]): r for r in read_csv(out / "pairings.csv")}
    assert rows[("D4", "P2")]["locked"] == "yes"
    assert [k for k, r in rows.items() if r["locked"] == "yes"] == [("D4", "P2")]
    assert len(rows) == 3


def test_forbid_is_honoured(lock_folder: Path) -> None:
    dataset, config, _, _ = load(lock_folder)
    forbid = [("D1", "P1"), ("D2", "P2")]
    result = run_match(dataset, config, forbid=forbid)
    assert not pair_ids(result) & set(forbid)
    edges = allowed_pairs(dataset.developers, dataset.partners, config, forbid)
    assert not set(forbid) & set(edges)
    best = brute_force(edges, {"MA-06": 3})
    assert result.optimality.filled == best[1] == 3
    assert result.optimality.total_score == pytest.approx(best[2], abs=1e-6)


def test_forbid_file_in_config_is_honoured(tmp_path: Path) -> None:
    folder = write_instance(
        tmp_path,
        [dev("D1"), dev("D2", skills="seo")],
        [par("P1")],
        config_toml({"MA-06": 1}),
        forbid=[("D1", "P1")],
    )
    result = match_folder(folder)
    assert pair_ids(result) == {("D2", "P1")}
    reason, detail = unpaired_by_id(result)["D1"]
    assert reason == "no_compatible_partner"
    assert "forbid" in detail


def test_lock_with_unknown_id_names_the_row(lock_folder: Path, tmp_path: Path) -> None:
    locks = write_pairs_file(tmp_path / "locks.csv", [("D1", "P1"), ("D9", "P2")])
    with pytest.raises(InputError) as info:
        load(lock_folder, lock_path=locks)
    (problem,) = info.value.problems
    assert problem.file == "locks.csv"
    assert problem.row == 3  # header is row 1
    assert problem.column == "developer_id"
    assert "D9" in problem.message
    res = cli("match", lock_folder, "--lock", locks, "--dry-run")
    assert res.exit_code == 3
    assert "locks.csv, row 3" in res.stderr
    assert "D9" in res.stderr


def test_lock_that_is_forbidden_is_refused(lock_folder: Path, tmp_path: Path) -> None:
    locks = write_pairs_file(tmp_path / "locks.csv", [("D2", "P1")])
    forbid = write_pairs_file(tmp_path / "forbid.csv", [("D2", "P1"), ("D3", "P3")])
    dataset, config, lock_list, forbid_list = load(lock_folder, lock_path=locks, forbid_path=forbid)
    with pytest.raises(InputError) as info:
        run_match(dataset, config, locks=lock_list, forbid=forbid_list)
    assert [p.code for p in info.value.problems] == ["lock_forbidden"]
    assert "D2 + P1" in info.value.problems[0].message
    res = cli("match", lock_folder, "--lock", locks, "--forbid", forbid, "--dry-run")
    assert res.exit_code == 3
    assert "both locked and forbidden" in res.stderr


def test_locks_beyond_the_quota_are_refused(lock_folder: Path) -> None:
    dataset, config, _, _ = load(lock_folder)
    config = config.model_copy(
        update={"quotas": config.quotas.model_copy(update={"regions": {"MA-06": 1}})}
    )
    with pytest.raises(InputError, match="locked pairs cannot all be kept"):
        run_match(dataset, config, locks=[("D1", "P1"), ("D2", "P2")])


# -- optimality against brute force ---------------------------------------------------------


@pytest.mark.parametrize("seed", range(40))
def test_run_match_is_optimal_against_brute_force(
    seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rng = random.Random(seed)
    folder, quotas, priority = random_instance(rng, tmp_path_factory.mktemp(f"rand{seed}"))
    dataset, config, _, _ = load(folder)
    result = run_match(dataset, config, diagnose=False)
    edges = allowed_pairs(dataset.developers, dataset.partners, config)
    best = brute_force(edges, quotas, priority=priority)
    opt = result.optimality
    assert (opt.priority_filled, opt.filled) == best[:2]
    assert opt.total_score == pytest.approx(best[2], abs=1e-6)
    assert opt.optimal
    # The pairs themselves are allowed, within quotas, and add up to the reported score.
    for p in result.pairs:
        assert violated_rules(developer=p.developer, partner=p.partner, config=config) == []
        assert edges[(p.developer.id, p.partner.id)][1] == pytest.approx(p.breakdown.score)
    per_region = Counter(p.region for p in result.pairs)
    assert all(n <= quotas.get(r, 0) for r, n in per_region.items())
    assert sum(p.breakdown.score for p in result.pairs) == pytest.approx(opt.total_score)
    assert_everyone_once(folder, result)


# -- remote pairs ------------------------------------------------------------------------------

DAKHLA_CITY = {"lat": "23.70", "lon": "-15.93"}  # Oued Ed-Dahab, Dakhla-Oued Ed-Dahab
TIZNIT_AREA = {"lat": "29.70", "lon": "-9.75"}  # Souss-Massa, ~906 km from Dakhla


def _remote_instance(tmp_path: Path, rules: dict[str, object]) -> Path:
    """Two Dakhla places: one local developer who can take only one, one remote developer."""
    return write_instance(
        tmp_path,
        [
            dev("D-LOCAL", region="MA-12", province="12.391", **DAKHLA_CITY),
            dev("D-REMOTE", region="MA-09", province="09.581", mobility="remote", **TIZNIT_AREA),
        ],
        [
            par("P1", region="MA-12", province="12.391", **DAKHLA_CITY),
            par("P2", region="MA-12", province="12.391", **DAKHLA_CITY),
        ],
        config_toml({"MA-12": 2}, rules=rules),
    )


def test_a_remote_developer_900_km_away_fills_a_dakhla_place(tmp_path: Path) -> None:
    result = match_folder(_remote_instance(tmp_path, {}))
    dakhla = next(r for r in result.regions if r.code == "MA-12")
    assert (dakhla.filled, dakhla.shortfall) == (2, 0)
    remote = next(p for p in result.pairs if p.developer.id == "D-REMOTE")
    b = remote.breakdown
    assert b.remote and b.cross_region
    assert 880 < b.distance_km < 930  # far beyond max_distance_km = 250
    assert b.distance == 0.5  # remote_distance_score, not 1 − km / max_distance_km
    assert b.penalty == 15.0  # the cross-region penalty still applies
    local = next(p for p in result.pairs if p.developer.id == "D-LOCAL")
    assert not local.breakdown.remote and local.breakdown.distance == 1.0


def test_the_same_remote_pair_is_refused_beyond_remote_max_distance(tmp_path: Path) -> None:
    result = match_folder(_remote_instance(tmp_path, {"remote_max_distance_km": 500}))
    dakhla = next(r for r in result.regions if r.code == "MA-12")
    assert (dakhla.filled, dakhla.shortfall) == (1, 1)
    assert [p.developer.id for p in result.pairs] == ["D-LOCAL"]
    reason, detail = unpaired_by_id(result)["D-REMOTE"]
    assert reason == "no_compatible_partner"
    assert "too far apart (2)" in detail


def test_a_remote_pair_within_reach_of_the_limit_is_formed(tmp_path: Path) -> None:
    result = match_folder(_remote_instance(tmp_path, {"remote_max_distance_km": 1000}))
    assert {p.developer.id for p in result.pairs} == {"D-LOCAL", "D-REMOTE"}


def test_remote_rules_do_not_touch_same_region_pairs(tmp_path: Path) -> None:
    # A remote developer in Dakhla's own region is an in-person pair: held to max_distance_km.
    folder = write_instance(
        tmp_path,
        [dev("D-REMOTE", region="MA-12", province="12.391", mobility="remote", **DAKHLA_CITY)],
        [par("P1", region="MA-12", province="12.066")],  # Aousserd, ~170 km
        config_toml({"MA-12": 1}, rules={"max_distance_km": 100}),
    )
    result = match_folder(folder)
    assert result.pairs == []
    assert "too far apart (1)" in unpaired_by_id(result)["D-REMOTE"][1]
