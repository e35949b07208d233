"""Regional clubs (clubs.py and its MILPs, club_solver.py): the p-median against a brute-force
oracle, the size rules, and --keep."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

import numpy as np
import pytest
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matcher import clubs, i18n
from matcher.club_solver import KeptClub, _fallback, open_seats, partition_possible, solve_travel
from matcher.clubs import (
    Member,
    deal,
    distances,
    form_region,
    is_good,
    parse_size,
    possible_sizes,
    region_seats,
    travel_metres,
)
from matcher.errors import UsageError

# Guelmim-Oued Noun: four seats (Assa-Zag, Guelmim, Sidi Ifni, Tan-Tan), a few hundred km apart.
REGION = "MA-10"
SEATS = region_seats(REGION)
# Where members may live: the seats themselves (so that many travel costs tie) and two towns.
POINTS = [(s.lat, s.lon) for s in SEATS] + [(28.99, -10.06), (28.44, -11.10)]
LANGUAGES = ("ary", "mey", "fr")
KINDS = ("artisan", "farmer", "merchant")


def member(
    k: int,
    *,
    home: int = 0,
    dev_home: int = 0,
    kind: str = "artisan",
    languages: Sequence[str] = ("ary",),
    remote: bool = False,
) -> Member:
    """Return a pair numbered k living at POINTS[home] (partner) and POINTS[dev_home]."""
    return Member(
        developer_id=f"D{k:02d}",
        partner_id=f"P{k:02d}",
        partner_kind=kind,
        partner_sector="food",
        languages=tuple(languages),
        remote=remote,
        developer_lat=POINTS[dev_home][0],
        developer_lon=POINTS[dev_home][1],
        partner_lat=POINTS[home][0],
        partner_lon=POINTS[home][1],
    )


def partitions(items: list[int]) -> Iterator[list[list[int]]]:
    """Yield every set partition of ``items``."""
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for part in partitions(rest):
        yield [[first], *part]
        for k in range(len(part)):
            yield [*part[:k], [first, *part[k]], *part[k + 1 :]]


def oracle(
    members: Sequence[Member], cost: np.ndarray, low: int, high: int
) -> tuple[int, int, list[list[list[int]]]]:
    """Return (least travel, most clubs sharing and mixing at it, partitions of least travel)."""
    scored = []
    for part in partitions(list(range(len(members)))):
        if not all(low <= len(block) <= high for block in part):
            continue
        # Seats may hold several clubs, so each club meets at its own best seat.
        travel = sum(int(cost[block].sum(axis=0).min()) for block in part)
        good = sum(is_good([members[i] for i in block]) for block in part)
        scored.append((travel, good, part))
    least = min(t for t, _, _ in scored)
    best = [(g, part) for t, g, part in scored if t == least]
    return least, max(g for g, _ in best), [part for _, part in best]


member_specs = st.tuples(
    st.integers(0, len(POINTS) - 1),
    st.integers(0, len(POINTS) - 1),
    st.sampled_from(KINDS),
    st.sets(st.sampled_from(LANGUAGES), min_size=1, max_size=2),
    st.booleans(),
)


@st.composite
def regions(draw: st.DrawFn) -> tuple[list[Member], int, int, float]:
    """Draw a small region: up to 9 pairs, size bounds a partition can meet, a weight."""
    specs = draw(st.lists(member_specs, min_size=2, max_size=9))
    low = draw(st.integers(1, 4))
    high = draw(st.integers(low, 6))
    n = len(specs)
    if not partition_possible(n, low, high):
        low = 1  # clubs of one pair always fit; the infeasible case has its own test
    weight = draw(st.sampled_from([0.0, 0.5, 1.0, 2.0]))
    members = [
        member(k, home=h, dev_home=d, kind=kind, languages=sorted(langs), remote=remote)
        for k, (h, d, kind, langs, remote) in enumerate(specs)
    ]
    return members, low, high, weight


@settings(max_examples=70, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(regions())
def test_clubs_match_the_brute_force_oracle(case: tuple[list[Member], int, int, float]) -> None:
    members, low, high, weight = case
    assert partition_possible(len(members), low, high)
    out = form_region(REGION, members, low=low, high=high, developer_weight=weight, time_limit=10)
    partner_km, developer_km = distances(members, SEATS)
    cost = travel_metres(partner_km, developer_km, developer_weight=weight)
    travel, good, optima = oracle(members, cost, low, high)

    placed = sorted(i for club in out.clubs for i in club.members)
    assert placed == list(range(len(members)))  # every pair in exactly one club
    assert all(low <= len(club.members) <= high for club in out.clubs)
    assert round(out.travel_km * 1000) == travel
    assert out.optimal and out.gap == 0 and out.bound_km == out.travel_km
    # The travel each club reports is what its members travel to its own seat.
    seat_index = {s.code: k for k, s in enumerate(SEATS)}
    assert sum(int(cost[list(c.members), seat_index[c.seat.code]].sum()) for c in out.clubs) == (
        travel
    )
    assert out.composition_optimal
    assert out.good_clubs == good == out.good_bound
    # Reduced-cost fixing never rules out a placement that a least-travel pairing uses.
    allowed = open_seats(cost, low=low, high=high, travel=travel)
    for part in optima:
        totals = [cost[block].sum(axis=0) for block in part]
        for block, t in zip(part, totals, strict=True):
            for s in np.flatnonzero(t == t.min()):
                assert allowed[block, s].all()
    assert out.good_clubs == sum(is_good([members[i] for i in c.members]) for c in out.clubs)


def test_second_tier_splits_a_seat_into_clubs_that_share_and_mix() -> None:
    # Everyone lives in Guelmim: any split costs 0 km. Only the second tier tells them apart:
    # two clubs, each of one language and both kinds, beat the dealt split.
    members = [
        member(0, home=1, dev_home=1, kind="artisan", languages=["ary"]),
        member(1, home=1, dev_home=1, kind="artisan", languages=["mey"]),
        member(2, home=1, dev_home=1, kind="farmer", languages=["ary"]),
        member(3, home=1, dev_home=1, kind="farmer", languages=["mey"]),
    ]
    out = form_region(REGION, members, low=2, high=2, developer_weight=1, time_limit=10)
    assert out.travel_km == 0
    groups = sorted(sorted(members[i].partner_id for i in c.members) for c in out.clubs)
    assert groups == [["P00", "P02"], ["P01", "P03"]]
    assert out.good_clubs == 2 and out.composition_optimal


def test_several_clubs_may_meet_at_one_seat() -> None:
    members = [member(k, home=1, dev_home=1, kind=KINDS[k % 3]) for k in range(9)]
    out = form_region(REGION, members, low=3, high=3, developer_weight=1, time_limit=10)
    assert len(out.clubs) == 3
    assert {c.seat.name for c in out.clubs} == {"Guelmim"}
    assert out.travel_km == 0 and out.optimal


def test_a_remote_developer_travels_nothing() -> None:
    near = member(0, home=1, dev_home=0, remote=True)  # partner in Guelmim, developer far
    out = form_region(REGION, [near], low=1, high=1, developer_weight=1, time_limit=10)
    assert out.clubs[0].seat.name == "Guelmim"
    assert out.travel_km == 0


def test_infeasible_size_gives_one_club_and_names_the_possible_sizes() -> None:
    members = [member(k, home=k % 4, kind=KINDS[k % 3]) for k in range(7)]
    out = form_region(REGION, members, low=8, high=10, developer_weight=1, time_limit=10)
    assert out.status == "infeasible_size"
    assert [len(c.members) for c in out.clubs] == [7]
    assert out.warnings == [
        "Guelmim-Oued Noun: 7 pairs cannot be split into clubs of 8–10 pairs; they form "
        "one club of 7. Sizes possible for 7 pairs: 1 club(s) of 7, 2 club(s) of 3–4, "
        "3 club(s) of 2–3 (change --size)"
    ]
    # The one club still meets where its members travel least.
    partner_km, developer_km = distances(members, SEATS)
    cost = travel_metres(partner_km, developer_km, developer_weight=1)
    assert round(out.travel_km * 1000) == int(cost.sum(axis=0).min())


def test_one_pair_region_says_so() -> None:
    out = form_region(
        REGION, [member(0, home=3, dev_home=3)], low=6, high=10, developer_weight=1, time_limit=10
    )
    assert out.status == "one_pair"
    assert [len(c.members) for c in out.clubs] == [1]
    assert out.clubs[0].seat.name == "Tan-Tan"
    assert out.warnings == [
        "Guelmim-Oued Noun: only 1 pair; it forms a club of its own, which meets at Tan-Tan"
    ]


def test_region_without_pairs_has_no_club() -> None:
    out = form_region(REGION, [], low=6, high=10, developer_weight=1, time_limit=10)
    assert out.status == "no_pairs" and out.clubs == [] and out.warnings == []


def test_keep_moves_no_kept_member() -> None:
    # Two kept clubs, one at Guelmim and one at Tan-Tan; the new pairs live near the other
    # seat, so re-forming from scratch would move them, but kept members never move.
    members = [member(k, home=1, dev_home=1) for k in range(3)]
    members += [member(k, home=3, dev_home=3) for k in range(3, 6)]
    members += [member(k, home=3, dev_home=3) for k in range(6, 9)]  # new pairs
    seat = {s.name: k for k, s in enumerate(SEATS)}
    kept = [
        KeptClub("C-07", seat["Guelmim"], (0, 1, 2)),
        KeptClub("C-02", seat["Tan-Tan"], (3, 4)),
    ]
    out = form_region(REGION, members, low=3, high=4, developer_weight=1, time_limit=10, kept=kept)
    by_id = {c.id: c for c in out.clubs if c.id}
    assert set(by_id) == {"C-07", "C-02"}
    assert set(by_id["C-07"].members) >= {0, 1, 2} and by_id["C-07"].seat.name == "Guelmim"
    assert set(by_id["C-02"].members) >= {3, 4} and by_id["C-02"].seat.name == "Tan-Tan"
    assert all(by_id[c].kept for c in by_id)
    placed = sorted(i for c in out.clubs for i in c.members)
    assert placed == list(range(9))
    assert all(len(c.members) <= 4 for c in out.clubs)
    # One free pair tops Tan-Tan's kept club up to the minimum; three form a new club there.
    new = [c for c in out.clubs if not c.kept]
    assert len(by_id["C-02"].members) == 3
    assert [(len(c.members), c.seat.name) for c in new] == [(3, "Tan-Tan")]
    assert out.travel_km == 0 and out.optimal


def test_keep_warns_when_a_kept_club_stays_below_the_minimum() -> None:
    members = [member(k, home=1, dev_home=1) for k in range(2)]
    out = form_region(
        REGION,
        members,
        low=3,
        high=4,
        developer_weight=1,
        time_limit=10,
        kept=[KeptClub("C-01", 1, (0, 1))],
    )
    assert [c.id for c in out.clubs] == ["C-01"]
    assert out.warnings == [
        "Guelmim-Oued Noun: 1 place(s) are missing below the minimum of 3 pairs in the kept "
        "clubs; give --reopen to re-form them"
    ]


def test_a_short_time_limit_never_claims_more_than_it_proved() -> None:
    rng = np.random.default_rng(7)
    members = [
        member(
            k,
            home=int(rng.integers(len(POINTS))),
            dev_home=int(rng.integers(len(POINTS))),
            kind=KINDS[k % 3],
        )
        for k in range(300)
    ]
    out = form_region(REGION, members, low=6, high=10, developer_weight=1, time_limit=0.1)
    assert sorted(i for c in out.clubs for i in c.members) == list(range(300))
    assert all(6 <= len(c.members) <= 10 for c in out.clubs)
    assert out.bound_km <= out.travel_km
    if out.optimal:
        assert out.gap == 0 and out.bound_km == out.travel_km
    else:
        assert out.status == "time_limit"
        assert any("time limit" in w for w in out.warnings)


def test_solve_travel_on_a_raw_matrix() -> None:
    # Three pairs near seat 0, three near seat 1; clubs of exactly 3.
    cost = np.array([[0, 9], [1, 9], [2, 9], [9, 0], [9, 1], [9, 2]], dtype=np.int64)
    sol = solve_travel(cost, low=3, high=3, time_limit=10)
    assert sol.travel == 6 and sol.bound == 6 and sol.optimal
    assert sol.seat_of.tolist() == [0, 0, 0, 1, 1, 1]
    assert sol.clubs_at.tolist() == [1, 1]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("6-10", (6, 10)), ("6–10", (6, 10)), (" 3 - 5 ", (3, 5)), ("8", (8, 8))],
)
def test_parse_size(text: str, expected: tuple[int, int]) -> None:
    assert parse_size(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("six", '--size takes "MIN-MAX" pairs per club, such as "6-10", not "six"'),
        ("6-10-12", '--size takes "MIN-MAX" pairs per club, such as "6-10", not "6-10-12"'),
        ("10-6", "--size 10-6: the minimum must be 1 or more and at most the maximum"),
        ("0-4", "--size 0-4: the minimum must be 1 or more and at most the maximum"),
    ],
)
def test_parse_size_rejects(text: str, message: str) -> None:
    with pytest.raises(UsageError) as err:
        parse_size(text)
    assert str(err.value) == message


@pytest.mark.parametrize(
    ("n", "low", "high", "possible"),
    [
        (7, 8, 10, False),
        (12, 6, 10, True),
        (11, 6, 10, False),
        (20, 6, 10, True),
        (5, 6, 10, False),
    ],
)
def test_partition_possible(n: int, low: int, high: int, possible: bool) -> None:
    assert partition_possible(n, low, high) is possible


def test_possible_sizes() -> None:
    assert possible_sizes(7) == [(1, 7, 7), (2, 3, 4), (3, 2, 3)]
    assert possible_sizes(2) == [(1, 2, 2), (2, 1, 1)]


def test_deal_mixes_kinds_and_balances_sizes() -> None:
    kinds = ["artisan"] * 3 + ["farmer"] * 3
    ids = [f"P{k}" for k in range(6)]
    groups = deal(range(6), 3, kinds=kinds, ids=ids)
    assert sorted(len(g) for g in groups) == [2, 2, 2]
    assert all({kinds[i] for i in g} == {"artisan", "farmer"} for g in groups)


@pytest.mark.parametrize(
    ("specs", "good"),
    [
        ([("artisan", ["ary"]), ("farmer", ["ary", "fr"])], True),
        ([("artisan", ["ary"]), ("artisan", ["ary"])], False),  # one kind only
        ([("artisan", ["ary"]), ("farmer", ["mey"])], False),  # no common language
    ],
)
def test_is_good(specs: list[tuple[str, list[str]]], good: bool) -> None:
    members = [member(k, kind=kind, languages=langs) for k, (kind, langs) in enumerate(specs)]
    assert is_good(members) is good


CLUB_MODULES = [
    "matcher/clubs.py",
    "matcher/club_solver.py",
    "matcher/club_files.py",
    "matcher/club_explain.py",
    "matcher/cli/clubs.py",
]
PO = Path(__file__).resolve().parent.parent / "matcher/locale/fr/LC_MESSAGES/matcher.po"


def messages(path: Path) -> list[str]:
    """Return the literal strings a module passes to ``_()``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and node.args
        and isinstance(node.args[0], ast.Constant)
        and isinstance(node.args[0].value, str)
    ]


def test_every_clubs_message_has_a_french_translation_with_its_placeholders() -> None:
    catalog = read_po(PO.open("rb"))
    root = PO.parents[4]
    found = [m for module in CLUB_MODULES for m in messages(root / module)]
    assert len(found) > 20
    placeholder = re.compile(r"\{[^}]*\}")
    for msgid in found:
        entry = catalog.get(msgid)
        assert entry is not None and entry.string, msgid
        assert sorted(placeholder.findall(entry.string)) == sorted(placeholder.findall(msgid))


def test_warnings_speak_french(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # The catalog is compiled into a private locale folder, as a build would.
    target = tmp_path / "fr" / "LC_MESSAGES"
    target.mkdir(parents=True)
    with (target / "matcher.mo").open("wb") as handle:
        write_mo(handle, read_po(PO.open("rb")))
    monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.set_language("fr")
    try:
        out = form_region(
            REGION,
            [member(0, home=3, dev_home=3)],
            low=6,
            high=10,
            developer_weight=1,
            time_limit=10,
        )
    finally:
        i18n.set_language("en")
    assert out.warnings == [
        "Guelmim-Oued Noun : un seul binôme ; il forme un club à lui seul, qui se réunit à Tan-Tan"
    ]


def test_fallback_placement_fits_the_sizes_and_bounds_honestly() -> None:
    # Nearest seats give counts 5, 4 and 3: none fits clubs of 6–10, so seats are closed,
    # emptiest first, until every count splits.
    rng = np.random.default_rng(3)
    near = [0] * 5 + [1] * 4 + [2] * 3
    cost = rng.integers(50_000, 90_000, size=(12, 3)).astype(np.int64)
    for i, s in enumerate(near):
        cost[i, s] = int(rng.integers(0, 10_000))
    sol = _fallback(cost, low=6, high=10, kept=(), fixed=frozenset(), bound=None)
    counts = np.bincount(sol.seat_of, minlength=3)
    assert all(c == 0 or partition_possible(int(c), 6, 10) for c in counts)
    assert int((counts > 0).sum()) == 1  # each closing leaves a count below 6 until one seat
    assert sol.clubs_at[counts > 0].tolist() == [2]
    assert sol.travel == int(cost[np.arange(12), sol.seat_of].sum())
    best = solve_travel(cost, low=6, high=10, time_limit=10)
    assert sol.bound <= best.travel <= sol.travel
    assert sol.optimal is (sol.bound >= sol.travel)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(regions(), st.data())
def test_keep_never_moves_a_kept_member(
    case: tuple[list[Member], int, int, float], data: st.DataObject
) -> None:
    members, low, high, weight = case
    n = len(members)
    # Some members are kept, in clubs of at most `high`, each at some seat.
    kept_count = data.draw(st.integers(1, n))
    chunks = data.draw(st.lists(st.integers(1, high), min_size=1, max_size=kept_count))
    kept: list[KeptClub] = []
    start = 0
    for k, size in enumerate(chunks):
        block = tuple(range(start, min(start + size, kept_count)))
        if block:
            kept.append(KeptClub(f"C-{k + 1:02d}", data.draw(st.integers(0, 3)), block))
        start += size
    kept_ids = {c.id for c in kept}
    out = form_region(
        REGION, members, low=low, high=high, developer_weight=weight, time_limit=10, kept=kept
    )
    by_id = {c.id: c for c in out.clubs if c.id in kept_ids}
    for club in kept:
        assert set(club.members) <= set(by_id[club.id].members)
        assert by_id[club.id].seat == SEATS[club.seat]
    assert sorted(i for c in out.clubs for i in c.members) == list(range(n))
    assert all(len(c.members) <= high for c in out.clubs)
    assert out.kept_members == frozenset(i for c in kept for i in c.members)
    assert out.bound_km <= out.travel_km


def test_a_large_composition_is_dealt_and_says_best_found(monkeypatch: pytest.MonkeyPatch) -> None:
    members = [
        member(0, home=1, dev_home=1, kind="artisan", languages=["ary"]),
        member(1, home=1, dev_home=1, kind="artisan", languages=["mey"]),
        member(2, home=1, dev_home=1, kind="farmer", languages=["mey"]),
        member(3, home=1, dev_home=1, kind="farmer", languages=["ary"]),
    ]
    # Dealt by kind, P00 goes with P02 and P01 with P03: no club shares a language.
    monkeypatch.setattr(clubs, "COMPOSITION_MAX_VARIABLES", 0)
    out = form_region(REGION, members, low=2, high=2, developer_weight=1, time_limit=10)
    assert out.optimal and out.travel_km == 0  # tier 1 is still proved
    assert not out.composition_optimal
    assert out.good_clubs == 0 and out.good_bound == 2
    assert out.good_clubs == sum(is_good([members[i] for i in c.members]) for c in out.clubs)
    monkeypatch.undo()
    solved = form_region(REGION, members, low=2, high=2, developer_weight=1, time_limit=10)
    assert solved.good_clubs == 2 and solved.composition_optimal
