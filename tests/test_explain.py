"""`matcher explain`: why a person was paired as they were, and what forcing a pair costs."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

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
    read_csv,
    write_instance,
)

from matcher.errors import InputError
from matcher.explain import explain_pair, explain_person
from matcher.pipeline import MatchResult, run_match
from matcher.previous import load_previous
from matcher.rules import violated_rules
from matcher.scoring import breakdown

DEVELOPERS = [
    dev("D1"),
    dev("D2", province=MOHAMMADIA),
    dev("D3", province=SETTAT),
    dev("D4", skills="seo"),  # the weakest: outscored everywhere
    dev("D5", languages="es"),  # shares no language with anyone
    # A remote developer in Rabat: may pair in Casablanca-Settat (with a penalty) or at home.
    dev("R1", region="MA-04", province=RABAT, mobility="remote"),
]
PARTNERS = [
    par("P1"),
    par("P2", province=MOHAMMADIA),
    par("P3", province=SETTAT),
    par("Q1", region="MA-04", province=RABAT),
]
CONFIG = config_toml({"MA-06": 3, "MA-04": 1})


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A result folder written by `matcher match --out`."""
    base = tmp_path_factory.mktemp("explain")
    write_instance(base / "in", DEVELOPERS, PARTNERS, CONFIG)
    res = cli("match", base / "in", "--out", base / "out")
    assert res.exit_code == 0, res.stderr
    return base / "out"


def fresh_copy(tmp_path: Path) -> Path:
    """Write the instance and run match in a folder of its own (for tests that edit files)."""
    write_instance(tmp_path / "in", DEVELOPERS, PARTNERS, CONFIG)
    res = cli("match", tmp_path / "in", "--out", tmp_path / "out")
    assert res.exit_code == 0, res.stderr
    return tmp_path / "out"


def pairs_of(result: MatchResult) -> dict[tuple[str, str], float]:
    return {(p.developer.id, p.partner.id): p.breakdown.score for p in result.pairs}


@pytest.fixture(scope="module")
def inputs(run_dir: Path) -> Path:
    return run_dir.parent / "in"


def independent(inputs: Path, locks: list[tuple[str, str]]) -> MatchResult:
    dataset, config, _, forbid = load(inputs)
    return run_match(dataset, config, locks=locks, forbid=forbid, diagnose=False)


def test_the_run_is_what_the_tests_assume(run_dir: Path) -> None:
    pairs = {(r["developer_id"], r["partner_id"]) for r in read_csv(run_dir / "pairings.csv")}
    assert pairs == {("D1", "P1"), ("D2", "P2"), ("D3", "P3"), ("R1", "Q1")}


@pytest.mark.parametrize(
    ("developer", "partner"),
    [
        ("D4", "P1"),  # a weak pair replaces a strong one: same fill, lower score
        ("R1", "P1"),  # R1 leaves Rabat: Q1 is left alone, one place fewer
        ("D5", "P2"),  # breaks the language rule, but a lock may force it
        ("D1", "P2"),  # two existing pairs are reshuffled
    ],
)
def test_pair_cost_equals_difference_of_two_optima(
    run_dir: Path, inputs: Path, developer: str, partner: str
) -> None:
    res = cli("explain", run_dir, "--pair", f"{developer},{partner}", "--json")
    assert res.exit_code == 0, res.stderr
    shown = json.loads(res.stdout)

    base = independent(inputs, [])
    forced = independent(inputs, [(developer, partner)])
    before, after = pairs_of(base), pairs_of(forced)
    assert (developer, partner) in after

    assert shown["feasible"] is True
    assert shown["delta_filled"] == forced.optimality.filled - base.optimality.filled
    assert shown["delta_priority_filled"] == (
        forced.optimality.priority_filled - base.optimality.priority_filled
    )
    assert shown["base_score"] == pytest.approx(base.optimality.total_score, abs=1e-3)
    assert shown["forced_score"] == pytest.approx(forced.optimality.total_score, abs=1e-3)
    assert shown["delta_score"] == pytest.approx(
        forced.optimality.total_score - base.optimality.total_score, abs=1e-3
    )
    removed = {
        (c["developer_id"], c["partner_id"]) for c in shown["changes"] if c["change"] == "removed"
    }
    added = {
        (c["developer_id"], c["partner_id"]) for c in shown["changes"] if c["change"] == "added"
    }
    assert removed == set(before) - set(after)
    assert added == set(after) - set(before)
    for c in shown["changes"]:
        table = before if c["change"] == "removed" else after
        assert c["score"] == pytest.approx(table[(c["developer_id"], c["partner_id"])], abs=1e-3)
    assert shown["already_paired"] is False


def test_pair_cost_numbers_by_hand(run_dir: Path) -> None:
    run = load_previous(run_dir)
    weak = explain_pair(run, developer_id="D4", partner_id="P1")
    assert weak.allowed and weak.broken_rules == ()
    assert (weak.delta_filled, weak.delta_score) == (0, pytest.approx(57.5 - 92.5))
    assert {(c.change, c.developer_id, c.partner_id) for c in weak.changes} == {
        ("removed", "D1", "P1"),
        ("added", "D4", "P1"),
    }
    away = explain_pair(run, developer_id="R1", partner_id="P1")
    assert away.delta_filled == -1
    assert away.breakdown.cross_region and away.breakdown.penalty == 15
    no_language = explain_pair(run, developer_id="D5", partner_id="P2")
    assert not no_language.allowed
    assert no_language.broken_rules == ("no_shared_language",)
    assert no_language.feasible and no_language.delta_filled == 0


def test_pair_already_formed_costs_nothing(run_dir: Path) -> None:
    res = cli("explain", run_dir, "--pair", "D2,P2", "--json")
    assert res.exit_code == 0, res.stderr
    shown = json.loads(res.stdout)
    assert shown["already_paired"] is True
    assert (shown["delta_filled"], shown["delta_score"], shown["changes"]) == (0, 0.0, [])
    assert shown["breakdown"]["score"] == pytest.approx(92.5)


def test_pair_text_output_states_the_cost(run_dir: Path) -> None:
    res = cli("explain", run_dir, "--pair", "D4,P1")
    assert res.exit_code == 0, res.stderr
    text = " ".join(res.stdout.split())
    assert "Pair D4 + P1" in text
    assert "places filled +0" in text
    assert "total score -35.00 (370.00 → 335.00)" in text
    assert "2 pair change(s)" in text


def test_forbidden_pair_cannot_be_forced(tmp_path: Path) -> None:
    write_instance(tmp_path / "in", DEVELOPERS, PARTNERS, CONFIG, forbid=[("D4", "P1")])
    assert cli("match", tmp_path / "in", "--out", tmp_path / "out").exit_code == 0
    explained = explain_pair(load_previous(tmp_path / "out"), developer_id="D4", partner_id="P1")
    assert not explained.allowed and "forbidden" in explained.broken_rules
    assert not explained.feasible
    assert explained.infeasible_reason == "the pair is on the forbid list"


# -- explain --developer / --partner --------------------------------------------------------


def test_developer_paired(run_dir: Path) -> None:
    run = load_previous(run_dir)
    me = explain_person(run, side="developer", person_id="D1")
    assert me.partner_of == "P1"
    assert me.reason is None and me.detail is None
    assert me.breakdown is not None and me.breakdown.score == pytest.approx(92.5)
    ids = [a.id for a in me.alternatives]
    assert "P1" not in ids
    # Q1 is in Rabat and D1 may not cross regions: not an alternative.
    assert set(ids) == {"P2", "P3"}
    assert [a.score for a in me.alternatives] == sorted(
        (a.score for a in me.alternatives), reverse=True
    )
    assert me.alternatives[0].fate == "paired with D2 (score 92.5)"
    assert me.alternatives[1].fate == "paired with D3 (score 92.5)"


def test_developer_unpaired(run_dir: Path) -> None:
    run = load_previous(run_dir)
    unmatched = {r["id"]: r for r in read_csv(run_dir / "unmatched.csv")}
    me = explain_person(run, side="developer", person_id="D4")
    assert me.partner_of is None and me.breakdown is None
    assert me.reason == unmatched["D4"]["reason"] == "outscored"
    assert me.detail == unmatched["D4"]["detail"]
    assert me.reason_text == "every compatible counterpart was paired with someone else"
    assert [a.id for a in me.alternatives] == ["P1", "P2", "P3"]
    scores = [a.score for a in me.alternatives]
    assert scores == sorted(scores, reverse=True)
    dataset, config, _, _ = load(run_dir.parent / "in")
    devs = {d.id: d for d in dataset.developers}
    pars = {p.id: p for p in dataset.partners}
    paired = {r["partner_id"]: r for r in read_csv(run_dir / "pairings.csv")}
    for a in me.alternatives:
        expected = breakdown(developer=devs["D4"], partner=pars[a.id], config=config).score
        assert a.score == pytest.approx(expected, abs=1e-3)
        row = paired[a.id]
        assert a.fate == f"paired with {row['developer_id']} (score {float(row['score']):.1f})"


def test_developer_without_any_compatible_partner(run_dir: Path) -> None:
    run = load_previous(run_dir)
    me = explain_person(run, side="developer", person_id="D5")
    assert me.reason == "no_compatible_partner"
    assert me.detail is not None and "language" in me.detail
    assert me.alternatives == ()


def test_partner_explained_with_fates_of_alternatives(run_dir: Path) -> None:
    run = load_previous(run_dir)
    me = explain_person(run, side="partner", person_id="P1", top=10)
    assert me.partner_of == "D1"
    dataset, config, _, _ = load(run_dir.parent / "in")
    pars = {p.id: p for p in dataset.partners}
    compatible = sorted(
        (
            -breakdown(developer=d, partner=pars["P1"], config=config).score,
            d.id,
        )
        for d in dataset.developers
        if d.id != "D1" and not violated_rules(developer=d, partner=pars["P1"], config=config)
    )
    assert [a.id for a in me.alternatives] == [i for _, i in compatible]
    fates = {a.id: a.fate for a in me.alternatives}
    assert fates["D2"] == "paired with P2 (score 92.5)"
    assert fates["D4"] == "unpaired (every compatible counterpart was paired with someone else)"
    assert fates["R1"] == "paired with Q1 (score 92.5)"
    assert "D5" not in fates  # no shared language


def test_top_limits_alternatives(run_dir: Path) -> None:
    res = cli("explain", run_dir, "--partner", "P1", "--top", "1", "--json")
    assert res.exit_code == 0, res.stderr
    assert len(json.loads(res.stdout)["alternatives"]) == 1


def test_person_json_has_the_same_numbers(run_dir: Path) -> None:
    res = cli("explain", run_dir, "--developer", "D4", "--json")
    assert res.exit_code == 0, res.stderr
    shown = json.loads(res.stdout)
    direct = explain_person(load_previous(run_dir), side="developer", person_id="D4")
    assert shown["reason"] == direct.reason == "outscored"
    assert shown["detail"] == direct.detail
    assert [(a["id"], a["score"], a["fate"]) for a in shown["alternatives"]] == [
        (a.id, pytest.approx(a.score, abs=1e-4), a.fate) for a in direct.alternatives
    ]
    paired = json.loads(cli("explain", run_dir, "--developer", "D1", "--json").stdout)
    assert paired["partner_of"] == "P1"
    assert paired["breakdown"]["score"] == pytest.approx(92.5)


def test_person_text_output(run_dir: Path) -> None:
    res = cli("explain", run_dir, "--developer", "D4")
    assert res.exit_code == 0, res.stderr
    text = " ".join(res.stdout.split())
    # People read the reason in words; the code stays in unmatched.csv and --json.
    assert (
        "Developer D4 (MA-06) is not paired: every compatible counterpart was paired with "
        "someone else." in text
    )
    assert "paired with D1 (score 92.5)" in text
    res = cli("explain", run_dir, "--partner", "P2")
    assert "Partner P2 (MA-06) is paired with D2." in " ".join(res.stdout.split())


# -- refusals -------------------------------------------------------------------------------


def test_modified_developers_file_exits_3(tmp_path: Path) -> None:
    out = fresh_copy(tmp_path)
    devs_file = tmp_path / "in" / "developers.csv"
    devs_file.write_text(devs_file.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    res = cli("explain", out, "--developer", "D1")
    assert res.exit_code == 3
    err = " ".join(res.stderr.split())
    assert "developers.csv" in err
    assert "the developers file has changed since the run" in err
    with pytest.raises(InputError):
        load_previous(out)


def test_edited_pairings_exits_3(tmp_path: Path) -> None:
    out = fresh_copy(tmp_path)
    pairings = out / "pairings.csv"
    pairings.write_bytes(pairings.read_bytes().replace(b"D2,", b"D4,", 1))
    res = cli("explain", out, "--developer", "D1")
    assert res.exit_code == 3
    err = " ".join(res.stderr.split())
    assert "pairings.csv: was edited after the run: row(s) 4 hold pairs" in err
    assert "1 pair(s) of the result are missing" in err
    assert f"match … --lock {pairings}" in err


def test_missing_input_exits_3(tmp_path: Path) -> None:
    out = fresh_copy(tmp_path)
    shutil.move(tmp_path / "in" / "partners.csv", tmp_path / "partners.csv")
    res = cli("explain", out, "--partner", "P1")
    assert res.exit_code == 3
    assert "missing" in res.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--developer", "D99"], "no developer has id D99"),
        (["--partner", "D1"], "no partner has id D1"),  # a developer's id
        (["--pair", "D1,P99"], "no partner has id P99"),
    ],
)
def test_unknown_id_exits_3(run_dir: Path, args: list[str], message: str) -> None:
    res = cli("explain", run_dir, *args)
    assert res.exit_code == 3
    assert message in " ".join(res.stderr.split())


@pytest.mark.parametrize(
    "args",
    [
        ["--developer", "D1", "--partner", "P1"],
        ["--developer", "D1", "--pair", "D1,P1"],
        ["--partner", "P1", "--pair", "D1,P1"],
        [],
        ["--pair", "D1"],
    ],
)
def test_not_exactly_one_question_exits_2(run_dir: Path, args: list[str]) -> None:
    res = cli("explain", run_dir, *args)
    assert res.exit_code == 2


def test_folder_without_manifest_exits_2(tmp_path: Path) -> None:
    res = cli("explain", tmp_path, "--developer", "D1")
    assert res.exit_code == 2
    assert "manifest.json" in res.stderr
