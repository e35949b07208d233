"""`matcher clubs` and `matcher explain --club` end to end: files, messages, exit codes."""

from __future__ import annotations

import csv
import json
import shutil
import stat
from collections import Counter
from pathlib import Path

import pytest
from instances import (
    CASABLANCA,
    EL_JADIDA,
    MOHAMMADIA,
    SETTAT,
    cli,
    config_toml,
    dev,
    par,
    read_csv,
    write_instance,
)

from matcher.club_files import CLUB_COLUMNS, CLUBS_CSV, CLUBS_JSON
from matcher.clubs import region_seats

PROVINCES = [CASABLANCA, MOHAMMADIA, SETTAT, EL_JADIDA]
KINDS = ["artisan", "farmer", "merchant"]
PARTNERS = [par(f"P{k:02d}", province=PROVINCES[k % 4], kind=KINDS[k % 3]) for k in range(14)]
DEVELOPERS = [dev(f"D{k:02d}", province=PROVINCES[k % 4]) for k in range(16)]
CONFIG = config_toml({"MA-06": 14})


def flat(text: str) -> str:
    """Return terminal output with its line wrapping undone."""
    return " ".join(text.split())


def matched(folder: Path) -> Path:
    """Write the instance and run `matcher match`; return the result folder."""
    write_instance(folder / "in", DEVELOPERS, PARTNERS, CONFIG)
    res = cli("match", folder / "in", "--out", folder / "out")
    assert res.exit_code == 0, res.stderr
    return folder / "out"


@pytest.fixture(scope="module")
def result(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A result folder with clubs of 3–5 pairs formed."""
    out = matched(tmp_path_factory.mktemp("clubs"))
    res = cli("clubs", out, "--size", "3-5")
    assert res.exit_code == 0, res.stderr
    return out


def test_clubs_csv_holds_every_pair_once_within_the_sizes(result: Path) -> None:
    pairs = {(r["developer_id"], r["partner_id"]) for r in read_csv(result / "pairings.csv")}
    rows = read_csv(result / CLUBS_CSV)
    assert list(rows[0]) == CLUB_COLUMNS
    members = [(r["developer_id"], r["partner_id"]) for r in rows]
    assert len(members) == len(set(members)) == 14
    assert set(members) == pairs
    sizes = Counter(r["club_id"] for r in rows)
    assert all(3 <= n <= 5 for n in sizes.values())
    seats = {s.code: s.name for s in region_seats("MA-06")}
    for r in rows:
        assert r["region_code"] == "MA-06" and seats[r["seat_code"]] == r["seat"]
        assert float(r["travel_km"]) == pytest.approx(
            float(r["partner_km"]) + float(r["developer_km"]), abs=0.11
        )


def test_clubs_json_agrees_with_clubs_csv(result: Path) -> None:
    data = json.loads((result / CLUBS_JSON).read_text(encoding="utf-8"))
    rows = read_csv(result / CLUBS_CSV)
    assert data["settings"]["size"] == {"min": 3, "max": 5}
    assert data["totals"]["pairs"] == 14 and data["totals"]["optimal"] is True
    sizes = Counter(r["club_id"] for r in rows)
    assert {c["id"]: c["size"] for c in data["clubs"]} == dict(sizes)
    for club in data["clubs"]:
        travel = [float(r["travel_km"]) for r in rows if r["club_id"] == club["id"]]
        assert club["max_travel_km"] == pytest.approx(max(travel), abs=0.11)
        assert club["total_travel_km"] == pytest.approx(sum(travel), abs=0.6)
        assert sum(club["partner_kinds"].values()) == club["size"]
    ma06 = next(r for r in data["regions"] if r["code"] == "MA-06")
    assert ma06["gap"] == 0 and ma06["optimal"] and ma06["bound_km"] == ma06["travel_km"]
    assert ma06["travel_km"] == pytest.approx(
        sum(float(r["travel_km"]) for r in rows), abs=0.1 * 14
    )
    empty = [r for r in data["regions"] if r["code"] != "MA-06"]
    assert all(r["status"] == "no_pairs" and r["clubs"] == 0 for r in empty)


def test_clubs_files_are_owner_only(result: Path) -> None:
    for name in (CLUBS_CSV, CLUBS_JSON):
        assert stat.S_IMODE((result / name).stat().st_mode) == 0o600


def test_clubs_output_reports_optimality(result: Path) -> None:
    res = cli("clubs", result, "--size", "3-5", "--dry-run")
    assert res.exit_code == 0, res.stderr
    assert "least travel proved in 12 of 12 regions (gap 0)" in flat(res.stdout)
    assert "dry run: nothing was written" in flat(res.stdout)


def test_clubs_refuses_to_overwrite(result: Path) -> None:
    before = (result / CLUBS_CSV).read_bytes()
    res = cli("clubs", result, "--size", "4-6")
    assert res.exit_code == 5
    assert "already holds clubs.csv, clubs.json; use --force" in flat(res.stderr)
    assert (result / CLUBS_CSV).read_bytes() == before


def test_clubs_force_overwrites_and_is_deterministic(tmp_path: Path) -> None:
    out = matched(tmp_path)
    assert cli("clubs", out).exit_code == 0
    first = (out / CLUBS_CSV).read_bytes(), (out / CLUBS_JSON).read_bytes()
    assert cli("clubs", out, "--force").exit_code == 0
    assert ((out / CLUBS_CSV).read_bytes(), (out / CLUBS_JSON).read_bytes()) == first
    # The default size is [clubs] size: 6–10, so 14 pairs make two clubs.
    sizes = Counter(r["club_id"] for r in read_csv(out / CLUBS_CSV))
    assert len(sizes) == 2 and all(6 <= n <= 10 for n in sizes.values())


def test_clubs_dry_run_json_writes_nothing(tmp_path: Path) -> None:
    out = matched(tmp_path)
    res = cli("clubs", out, "--dry-run", "--json", "--size", "14-20")
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    assert data["written"] == []
    assert [c["size"] for c in data["clubs"]] == [14]
    assert len(data["members"]) == 14
    assert not (out / CLUBS_CSV).exists() and not (out / CLUBS_JSON).exists()


def test_clubs_size_from_the_config(tmp_path: Path) -> None:
    write_instance(
        tmp_path / "in",
        DEVELOPERS,
        PARTNERS,
        CONFIG + "[clubs]\nsize = { min = 2, max = 2 }\n",
    )
    assert cli("match", tmp_path / "in", "--out", tmp_path / "out").exit_code == 0
    res = cli("clubs", tmp_path / "out", "--json")
    assert res.exit_code == 0, res.stderr
    assert [c["size"] for c in json.loads(res.stdout)["clubs"]] == [2] * 7


def test_infeasible_size_warns_and_forms_one_club(tmp_path: Path) -> None:
    out = matched(tmp_path)
    res = cli("clubs", out, "--size", "15-20")
    assert res.exit_code == 0, res.stderr
    assert (
        "warning: Casablanca-Settat: 14 pairs cannot be split into clubs of 15–20 pairs; "
        "they form one club of 14." in flat(res.stderr)
    )
    assert Counter(r["club_id"] for r in read_csv(out / CLUBS_CSV)) == {"C-01": 14}


def test_one_pair_region_message(tmp_path: Path) -> None:
    write_instance(tmp_path / "in", DEVELOPERS[:1], PARTNERS[:1], config_toml({"MA-06": 1}))
    assert cli("match", tmp_path / "in", "--out", tmp_path / "out").exit_code == 0
    res = cli("clubs", tmp_path / "out")
    assert res.exit_code == 0, res.stderr
    assert (
        "warning: Casablanca-Settat: only 1 pair; it forms a club of its own, which meets "
        "at Casablanca" in flat(res.stderr)
    )


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (["--size", "ten"], 2, '--size takes "MIN-MAX" pairs per club, such as "6-10"'),
        (["--size", "9-3"], 2, "the minimum must be 1 or more and at most the maximum"),
        (["--reopen"], 2, "--reopen re-forms the clubs of --keep; give --keep too"),
        (["--keep", "nowhere.csv"], 2, "nowhere.csv does not exist"),
        (["--time-limit", "0"], 2, "--time-limit"),
    ],
)
def test_clubs_usage_errors(result: Path, args: list[str], code: int, message: str) -> None:
    res = cli("clubs", result, "--dry-run", *args)
    assert res.exit_code == code
    assert message in flat(res.stderr)


def test_clubs_refuses_a_stale_result(tmp_path: Path) -> None:
    out = matched(tmp_path)
    partners = tmp_path / "in" / "partners.csv"
    partners.write_text(partners.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    res = cli("clubs", out)
    assert res.exit_code == 3
    assert "the partners file has changed since the run" in flat(res.stderr)
    assert not (out / CLUBS_CSV).exists()


def test_clubs_needs_a_result_folder(tmp_path: Path) -> None:
    res = cli("clubs", tmp_path)
    assert res.exit_code == 2
    assert "holds no manifest.json" in flat(res.stderr)


def test_keep_moves_no_kept_member_after_a_rematch(tmp_path: Path) -> None:
    out = matched(tmp_path)
    assert cli("clubs", out, "--size", "3-5").exit_code == 0
    old = read_csv(out / CLUBS_CSV)
    gone = old[0]["developer_id"]
    res = cli("rematch", out, "--drop", gone, "--out", tmp_path / "out2")
    assert res.exit_code == 0, res.stderr
    res = cli("clubs", tmp_path / "out2", "--size", "3-5", "--keep", out / CLUBS_CSV)
    assert res.exit_code == 0, res.stderr
    new = {(r["developer_id"], r["partner_id"]): r for r in read_csv(tmp_path / "out2" / CLUBS_CSV)}
    pairs = {
        (r["developer_id"], r["partner_id"]) for r in read_csv(tmp_path / "out2" / "pairings.csv")
    }
    assert set(new) == pairs
    kept = [r for r in old if (r["developer_id"], r["partner_id"]) in new]
    assert len(kept) == len(old) - 1
    for r in kept:  # same club, same seat
        now = new[(r["developer_id"], r["partner_id"])]
        assert (now["club_id"], now["seat_code"], now["kept"]) == (
            r["club_id"],
            r["seat_code"],
            "yes",
        )
    added = [p for p in pairs if p not in {(r["developer_id"], r["partner_id"]) for r in old}]
    assert len(added) == 1
    assert new[added[0]]["kept"] == "no"
    assert "Kept clubs of clubs.csv: no kept member moved." in flat(res.stdout)


def test_keep_with_reopen_says_how_many_moved(tmp_path: Path) -> None:
    out = matched(tmp_path)
    assert cli("clubs", out, "--size", "3-5").exit_code == 0
    res = cli(
        "clubs", out, "--size", "3-5", "--keep", out / CLUBS_CSV, "--reopen", "--json", "--dry-run"
    )
    assert res.exit_code == 0, res.stderr
    data = json.loads(res.stdout)
    # The same pairs re-formed from scratch give the same clubs: nobody moves.
    assert data["settings"]["reopened"] is True and data["totals"]["moved_if_reopened"] == 0


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (
            lambda t: t.replace("club_id,", "club,", 1),
            'clubs.csv, column "club_id": missing column',
        ),
        (
            lambda t: t.replace(",06.", ",01.", 1),
            'clubs.csv, row 2, column "seat_code": not a seat of region MA-06',
        ),
        (
            lambda t: t + t.splitlines()[1] + "\r\n",
            'column "partner_id": this pair is already listed on row 2',
        ),
    ],
)
def test_keep_rejects_a_damaged_clubs_csv(result: Path, tmp_path: Path, edit, message: str) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "clubs.csv"
    bad.write_text(edit((result / CLUBS_CSV).read_text(encoding="utf-8")), encoding="utf-8")
    res = cli("clubs", result, "--dry-run", "--keep", bad)
    assert res.exit_code == 3
    assert message in flat(res.stderr)


def test_explain_club(result: Path) -> None:
    rows = read_csv(result / CLUBS_CSV)
    club = rows[0]["club_id"]
    res = cli("explain", result, "--club", club)
    assert res.exit_code == 0, res.stderr
    members = [r for r in rows if r["club_id"] == club]
    assert f"Club {club} (Casablanca-Settat) meets at {members[0]['seat']}" in flat(res.stdout)
    for r in members:
        assert r["developer_id"] in flat(res.stdout) and r["partner_id"] in flat(res.stdout)
    assert "the next best seat" in flat(res.stdout)
    data = json.loads(cli("explain", result, "--club", club, "--json").stdout)
    assert data["seat_code"] == members[0]["seat_code"]
    assert data["seats"][0]["seat_code"] == data["seat_code"]  # its seat is the cheapest
    assert data["saved_km"] == pytest.approx(data["next_travel_km"] - data["travel_km"])
    assert data["saved_km"] >= 0
    assert data["travel_km"] == pytest.approx(sum(float(r["travel_km"]) for r in members), abs=0.6)


def test_explain_person_names_their_club(result: Path) -> None:
    row = read_csv(result / CLUBS_CSV)[0]
    size = sum(r["club_id"] == row["club_id"] for r in read_csv(result / CLUBS_CSV))
    res = cli("explain", result, "--developer", row["developer_id"])
    assert res.exit_code == 0, res.stderr
    assert (
        f"developer {row['developer_id']} is in club {row['club_id']}, which meets at "
        f"{row['seat']} ({size} pairs)."
    ) in flat(res.stdout)
    data = json.loads(cli("explain", result, "--partner", row["partner_id"], "--json").stdout)
    assert data["club"] == {"club_id": row["club_id"], "seat": row["seat"], "size": size}


def test_explain_unknown_club(result: Path) -> None:
    res = cli("explain", result, "--club", "C-99")
    assert res.exit_code == 3
    assert "clubs.csv: no club has id C-99; the clubs are C-01 … C-" in flat(res.stderr)


def test_explain_club_without_clubs(tmp_path: Path) -> None:
    out = matched(tmp_path)
    res = cli("explain", out, "--club", "C-01")
    assert res.exit_code == 2
    assert "holds no clubs yet; run `matcher clubs" in flat(res.stderr)
    res = cli("explain", out, "--developer", "D00")
    assert res.exit_code == 0 and "club" not in flat(res.stdout)


def test_explain_refuses_edited_clubs(tmp_path: Path, result: Path) -> None:
    copy = tmp_path / "out"
    shutil.copytree(result, copy)
    text = (copy / CLUBS_CSV).read_text(encoding="utf-8")
    (copy / CLUBS_CSV).write_text(text.replace(",no\r\n", ",yes\r\n", 1), encoding="utf-8")
    res = cli("explain", copy, "--club", "C-01")
    assert res.exit_code == 3
    assert "the clubs of" in flat(res.stderr) and "no longer match its pairs" in flat(res.stderr)


def test_explain_person_warns_about_stale_clubs_and_still_explains(
    tmp_path: Path, result: Path
) -> None:
    copy = tmp_path / "out"
    shutil.copytree(result, copy)
    (copy / CLUBS_JSON).write_text("{}", encoding="utf-8")
    res = cli("explain", copy, "--developer", "D00")
    assert res.exit_code == 0, res.stderr
    assert "warning: the clubs of" in flat(res.stderr)
    assert "is in club" not in flat(res.stdout)
    with (copy / "pairings.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    partner = next(r["partner_id"] for r in rows if r["developer_id"] == "D00")
    assert f"Developer D00 (MA-06) is paired with {partner}." in flat(res.stdout)


def test_clubs_files_hold_no_names(result: Path) -> None:
    text = (result / CLUBS_CSV).read_text(encoding="utf-8")
    text += (result / CLUBS_JSON).read_text(encoding="utf-8")
    assert "Dev D" not in text and "Partner P" not in text
