"""`matcher rematch`: drop people who left, keep every other pair, refill optimally."""

from __future__ import annotations

import json
import random
from collections import Counter
from pathlib import Path

import pytest
from instances import (
    EL_JADIDA,
    KENITRA,
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
)

from matcher.previous import load_previous
from matcher.rematch import rematch
from matcher.rules import violated_rules

QUOTAS = {"MA-06": 3, "MA-04": 1}
DEVELOPERS = [
    dev("D1"),
    dev("D2", province=MOHAMMADIA),
    dev("D3", province=SETTAT),
    dev("D4", languages="ar"),  # shares a language with P1 only
    dev("D5", province=EL_JADIDA, skills="seo"),  # weak everywhere
    dev("R1", region="MA-04", province=RABAT),
    dev("R2", region="MA-04", province=KENITRA),
]
PARTNERS = [
    par("P1", languages="ary;fr;ar"),
    par("P2", province=MOHAMMADIA),
    par("P3", province=SETTAT),
    par("Q1", region="MA-04", province=RABAT),
]
ORIGINAL = {("D1", "P1"), ("D2", "P2"), ("D3", "P3"), ("R1", "Q1")}


def pairs_in(folder: Path) -> dict[tuple[str, str], dict[str, str]]:
    return {(r["developer_id"], r["partner_id"]): r for r in read_csv(folder / "pairings.csv")}


def unmatched_in(folder: Path) -> dict[str, dict[str, str]]:
    return {r["id"]: r for r in read_csv(folder / "unmatched.csv")}


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """in/ (the inputs), out/ (match), re/ (rematch --drop D2,R1), re2/ (rematch of re/)."""
    root = tmp_path_factory.mktemp("rematch")
    write_instance(root / "in", DEVELOPERS, PARTNERS, config_toml(QUOTAS))
    res = cli("match", root / "in", "--out", root / "out")
    assert res.exit_code == 0, res.stderr
    res = cli("rematch", root / "out", "--drop", "D2,R1", "--out", root / "re")
    assert res.exit_code == 0, res.stderr
    res = cli("rematch", root / "re", "--drop", "D3", "--out", root / "re2")
    assert res.exit_code == 0, res.stderr
    return root


def test_the_first_run_is_what_the_tests_assume(base: Path) -> None:
    assert set(pairs_in(base / "out")) == ORIGINAL


def test_kept_pairs_are_unchanged_and_locked(base: Path) -> None:
    old, new = pairs_in(base / "out"), pairs_in(base / "re")
    kept = {k for k in old if not {"D2", "R1"} & set(k)}
    assert kept == {("D1", "P1"), ("D3", "P3")}
    assert kept <= set(new)
    for key in kept:
        assert new[key]["locked"] == "yes"
        assert new[key]["score"] == old[key]["score"]
    # The refill: P2 gets D5 (D4 shares no language with P2), Q1 gets R2.
    assert set(new) - kept == {("D5", "P2"), ("R2", "Q1")}
    assert all(new[k]["locked"] == "no" for k in set(new) - kept)


def test_dropped_people_leave_pairings_and_appear_as_dropped(base: Path) -> None:
    new = pairs_in(base / "re")
    everyone = {i for pair in new for i in pair}
    assert not {"D2", "R1"} & everyone
    unmatched = unmatched_in(base / "re")
    for ident in ("D2", "R1"):
        assert unmatched[ident]["reason"] == "dropped"
        assert unmatched[ident]["side"] == "developer"
    # Nobody appears twice, and everyone is somewhere.
    ids = [i for pair in new for i in pair] + list(unmatched)
    assert len(ids) == len(set(ids)) == len(DEVELOPERS) + len(PARTNERS)


def test_quotas_and_rules_still_hold(base: Path) -> None:
    dataset, config, _, _ = load(base / "in")
    devs = {d.id: d for d in dataset.developers}
    pars = {p.id: p for p in dataset.partners}
    rows = read_csv(base / "re" / "pairings.csv")
    for r in rows:
        broken = violated_rules(
            developer=devs[r["developer_id"]], partner=pars[r["partner_id"]], config=config
        )
        assert broken == [], r
    per_region = Counter(r["region_code"] for r in rows)
    assert all(n <= QUOTAS.get(region, 0) for region, n in per_region.items())
    assert per_region == Counter({"MA-06": 3, "MA-04": 1})


def test_changes_csv(base: Path) -> None:
    old, new = pairs_in(base / "out"), pairs_in(base / "re")
    rows = read_csv(base / "re" / "changes.csv")
    by_change: dict[str, set[tuple[str, str]]] = {"kept": set(), "removed": set(), "added": set()}
    for r in rows:
        by_change[r["change"]].add((r["developer_id"], r["partner_id"]))
    assert by_change["kept"] == set(old) & set(new)
    assert by_change["removed"] == set(old) - set(new) == {("D2", "P2"), ("R1", "Q1")}
    assert by_change["added"] == set(new) - set(old)
    assert len(rows) == sum(len(v) for v in by_change.values())
    for r in rows:
        key = (r["developer_id"], r["partner_id"])
        if r["change"] == "removed":
            assert r["reason"] == f"{key[0]} dropped out"
            assert r["score"] == ""
        else:
            assert r["score"] == new[key]["score"]
            assert r["region_code"] == new[key]["region_code"]
    # Removed rows come first: what a coordinator must act on.
    assert [r["change"] for r in rows][:2] == ["removed", "removed"]


def test_manifest_records_the_rematch(base: Path) -> None:
    manifest = json.loads((base / "re" / "manifest.json").read_text(encoding="utf-8"))
    info = manifest["rematch"]
    assert info["dropped"] == ["D2", "R1"]
    assert info["all_dropped"] == ["D2", "R1"]
    assert (info["kept"], info["removed"], info["added"]) == (2, 2, 2)
    assert info["reopen"] is False


def test_refill_is_optimal_given_the_kept_pairs(base: Path) -> None:
    dataset, config, _, _ = load(base / "in")
    devs = [d for d in dataset.developers if d.id not in {"D2", "R1"}]
    pars = [p for p in dataset.partners if p.id not in {"D2", "R1"}]
    edges = allowed_pairs(devs, pars, config)
    best = brute_force(edges, QUOTAS, required=[("D1", "P1"), ("D3", "P3")])
    got = read_csv(base / "re" / "pairings.csv")
    assert (len(got), sum(float(r["score"]) for r in got)) == (
        best[1],
        pytest.approx(best[2], abs=0.02),
    )


@pytest.mark.parametrize("seed", range(25))
def test_refill_is_optimal_on_random_instances(
    seed: int, tmp_path_factory: pytest.TempPathFactory
) -> None:
    rng = random.Random(1000 + seed)
    root = tmp_path_factory.mktemp(f"rematch{seed}")
    folder, quotas, priority = random_instance(rng, root / "in")
    assert cli("match", folder, "--out", root / "out").exit_code == 0
    run = load_previous(root / "out")
    people = sorted({d.id for d in run.dataset.developers} | {p.id for p in run.dataset.partners})
    in_pairs = sorted({i for pair in run.pairs for i in pair})
    pool = in_pairs or people
    drop = rng.sample(pool, min(len(pool), rng.randint(1, 2)))
    outcome = rematch(run, drop=drop)
    result = outcome.result
    gone = set(drop)
    kept = [(d, p) for d, p in run.pairs if d not in gone and p not in gone]
    new_pairs = {(p.developer.id, p.partner.id) for p in result.pairs}
    assert set(kept) <= new_pairs
    assert all(p.locked == ((p.developer.id, p.partner.id) in kept) for p in result.pairs)
    assert not gone & {i for pair in new_pairs for i in pair}
    assert {u.id for u in result.unpaired if u.reason == "dropped"} == gone

    devs = [d for d in run.dataset.developers if d.id not in gone]
    pars = [p for p in run.dataset.partners if p.id not in gone]
    edges = allowed_pairs(devs, pars, run.config)
    assert new_pairs <= set(edges)
    best = brute_force(edges, quotas, required=kept, priority=priority)
    opt = result.optimality
    assert (opt.priority_filled, opt.filled) == best[:2]
    assert opt.total_score == pytest.approx(best[2], abs=1e-6)
    # Re-solving from scratch can only do as well or better.
    free = brute_force(edges, quotas, priority=priority)
    assert (outcome.filled_if_reopened, outcome.score_if_reopened) == (
        free[1],
        pytest.approx(free[2], abs=1e-6),
    )


# -- --reopen -------------------------------------------------------------------------------


def test_reopen_moves_pairs_and_scores_at_least_as_well(base: Path, tmp_path: Path) -> None:
    stable = cli("rematch", base / "out", "--drop", "D2", "--out", tmp_path / "s", "--json")
    assert stable.exit_code == 0, stable.stderr
    reopen = cli(
        "rematch", base / "out", "--drop", "D2", "--out", tmp_path / "r", "--reopen", "--json"
    )
    assert reopen.exit_code == 0, reopen.stderr
    s, r = json.loads(stable.stdout), json.loads(reopen.stdout)
    # Stable: D1 stays with P1 and the weak D5 takes P2. Reopened: D1 moves to P2 so that
    # D4, who only shares a language with P1, can take P1.
    assert {(p["developer_id"], p["partner_id"]) for p in s["pairs"]} == {
        ("D1", "P1"),
        ("D5", "P2"),
        ("D3", "P3"),
        ("R1", "Q1"),
    }
    assert {(p["developer_id"], p["partner_id"]) for p in r["pairs"]} == {
        ("D4", "P1"),
        ("D1", "P2"),
        ("D3", "P3"),
        ("R1", "Q1"),
    }
    assert s["moved_if_reopened"] == r["moved_if_reopened"] == 1
    so, ro = s["optimality"], r["optimality"]
    assert (ro["priority_filled"], ro["filled"]) >= (so["priority_filled"], so["filled"])
    assert ro["total_score"] > so["total_score"]
    moved = [
        c
        for c in r["changes"]
        if c["change"] == "removed" and c["reason"] == "re-solved (--reopen)"
    ]
    assert [(c["developer_id"], c["partner_id"]) for c in moved] == [("D1", "P1")]
    # Nothing is locked after a reopen except what was locked before.
    assert not any(p["locked"] for p in r["pairs"])
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rematch"]["reopen"] is True


def test_reopen_text_reports_moved_pairs(base: Path, tmp_path: Path) -> None:
    stable = cli("rematch", base / "out", "--drop", "D2", "--out", tmp_path / "s")
    assert stable.exit_code == 0, stable.stderr
    assert "would move 1 existing pair(s)" in " ".join(stable.stdout.split())
    reopen = cli("rematch", base / "out", "--drop", "D2", "--out", tmp_path / "r", "--reopen")
    assert reopen.exit_code == 0, reopen.stderr
    text = " ".join(reopen.stdout.split())
    assert "--reopen" in text
    assert "1 existing pair(s)" in text


# -- a previous pairings.csv as a lock list -------------------------------------------------


def test_match_lock_with_previous_pairings_keeps_every_pair(base: Path, tmp_path: Path) -> None:
    # A late applicant, D9, would beat D1 for P1 (same sector, same hours): without locks
    # the new optimum changes; locking the old pairings keeps every one of them.
    late = dev("D9", sectors="pottery")
    write_instance(tmp_path / "in", [*DEVELOPERS, late], PARTNERS, config_toml(QUOTAS))
    free = cli("match", tmp_path / "in", "--out", tmp_path / "free")
    assert free.exit_code == 0, free.stderr
    assert ("D9", "P1") in pairs_in(tmp_path / "free")

    res = cli(
        "match", tmp_path / "in", "--lock", base / "out" / "pairings.csv", "--out", tmp_path / "o"
    )
    assert res.exit_code == 0, res.stderr
    locked = pairs_in(tmp_path / "o")
    assert set(locked) == ORIGINAL
    assert all(row["locked"] == "yes" for row in locked.values())
    assert unmatched_in(tmp_path / "o")["D9"]["reason"] in {"outscored", "quota_full"}


# -- refusals -------------------------------------------------------------------------------


def test_unknown_id_exits_3(base: Path, tmp_path: Path) -> None:
    res = cli("rematch", base / "out", "--drop", "D1,NOPE", "--out", tmp_path / "x")
    assert res.exit_code == 3
    assert "NOPE" in res.stderr
    assert not (tmp_path / "x" / "pairings.csv").exists()


def test_out_equal_to_source_exits_2(base: Path) -> None:
    before = (base / "out" / "pairings.csv").read_bytes()
    res = cli("rematch", base / "out", "--drop", "D1", "--out", base / "out")
    assert res.exit_code == 2
    assert (base / "out" / "pairings.csv").read_bytes() == before


def test_no_ids_exits_2(base: Path, tmp_path: Path) -> None:
    assert cli("rematch", base / "out", "--out", tmp_path / "x").exit_code == 2


def test_existing_out_exits_5_without_force(base: Path, tmp_path: Path) -> None:
    out = tmp_path / "taken"
    assert cli("rematch", base / "out", "--drop", "D1", "--out", out).exit_code == 0
    before = (out / "pairings.csv").read_bytes()
    res = cli("rematch", base / "out", "--drop", "D3", "--out", out)
    assert res.exit_code == 5
    assert "--force" in res.stderr
    assert (out / "pairings.csv").read_bytes() == before
    res = cli("rematch", base / "out", "--drop", "D3", "--out", out, "--force")
    assert res.exit_code == 0, res.stderr
    assert unmatched_in(out)["D3"]["reason"] == "dropped"


def test_drop_file(base: Path, tmp_path: Path) -> None:
    ids = tmp_path / "left.csv"
    ids.write_text("id\nD2\nR1\n", encoding="utf-8")
    res = cli("rematch", base / "out", "--drop-file", ids, "--out", tmp_path / "x")
    assert res.exit_code == 0, res.stderr
    assert set(pairs_in(tmp_path / "x")) == set(pairs_in(base / "re"))


def test_dropping_an_unpaired_person_changes_no_pair(base: Path, tmp_path: Path) -> None:
    res = cli("rematch", base / "out", "--drop", "D5", "--out", tmp_path / "x")
    assert res.exit_code == 0, res.stderr
    assert set(pairs_in(tmp_path / "x")) == ORIGINAL
    changes = read_csv(tmp_path / "x" / "changes.csv")
    assert {r["change"] for r in changes} == {"kept"}
    assert unmatched_in(tmp_path / "x")["D5"]["reason"] == "dropped"


# -- a chain of rematches -------------------------------------------------------------------


def test_chain_keeps_the_first_drop_excluded(base: Path) -> None:
    first, second = pairs_in(base / "re"), pairs_in(base / "re2")
    everyone = {i for pair in second for i in pair}
    assert not {"D2", "R1", "D3"} & everyone
    # Every pair of the first rematch that did not involve D3 is still there, locked.
    kept = {k for k in first if "D3" not in k}
    assert kept <= set(second)
    assert all(second[k]["locked"] == "yes" for k in kept)
    # P3 lost D3; no free developer can take it (D4 shares no language with P3).
    assert set(second) == kept
    unmatched = unmatched_in(base / "re2")
    assert unmatched["D3"]["reason"] == "dropped"
    manifest = json.loads((base / "re2" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rematch"]["dropped"] == ["D3"]
    assert manifest["rematch"]["all_dropped"] == ["D2", "D3", "R1"]


def test_chain_still_lists_earlier_drops_in_unmatched(base: Path) -> None:
    unmatched = unmatched_in(base / "re2")
    for ident in ("D2", "R1", "D3"):
        assert unmatched[ident]["reason"] == "dropped", ident
    ids = [i for pair in pairs_in(base / "re2") for i in pair] + list(unmatched)
    assert len(ids) == len(set(ids)) == len(DEVELOPERS) + len(PARTNERS)


def test_chain_refuses_an_earlier_drop_and_explains_it(base: Path, tmp_path: Path) -> None:
    again = cli("rematch", base / "re2", "--drop", "D2", "--out", tmp_path / "x")
    assert again.exit_code == 3
    res = cli("explain", base / "re2", "--developer", "D2")
    assert res.exit_code == 2
    assert "dropped" in res.stderr
    run = load_previous(base / "re2")
    assert "D2" not in {d.id for d in run.dataset.developers}


def test_pairs_kept_by_a_rematch_are_locks_but_not_user_locks(base: Path) -> None:
    run = load_previous(base / "re")
    assert set(run.locks) == set(pairs_in(base / "re")) - {
        k for k, row in pairs_in(base / "re").items() if row["locked"] != "yes"
    }
    assert run.locks  # the kept pairs are locked for explain
    assert run.user_locks == []  # but --reopen may move them


def test_user_locks_survive_reopen(tmp_path: Path) -> None:
    write_instance(tmp_path / "in", DEVELOPERS, PARTNERS, config_toml(QUOTAS), locks=[("D5", "P3")])
    assert cli("match", tmp_path / "in", "--out", tmp_path / "out").exit_code == 0
    assert load_previous(tmp_path / "out").user_locks == [("D5", "P3")]
    res = cli("rematch", tmp_path / "out", "--drop", "D1", "--reopen", "--out", tmp_path / "re")
    assert res.exit_code == 0, res.stderr
    new = pairs_in(tmp_path / "re")
    assert new[("D5", "P3")]["locked"] == "yes"
    assert all(row["locked"] == "no" for key, row in new.items() if key != ("D5", "P3"))
