"""Tests for building the scored, filtered and pruned edge set."""

from __future__ import annotations

import random
from collections import defaultdict
from typing import Any

import numpy as np
import pytest
from profiles import dev, par

from matcher.config import MatcherConfig
from matcher.edges import EdgeSet, build_edges
from matcher.models import KINDS, Developer, Partner
from matcher.reference import PROVINCES, REGIONS
from matcher.rules import RULES, allowed_mask, violated_rules
from matcher.scoring import breakdown, score_block

REGION_INDEX = {r.code: i for i, r in enumerate(REGIONS)}
N_GROUPS = len(REGIONS) * len(KINDS)


def random_people(seed: int, n_dev: int, n_par: int) -> tuple[list[Developer], list[Partner]]:
    """Return random profiles over four regions, sorted by id, with many score ties."""
    rng = random.Random(seed)
    regions = ("MA-03", "MA-04", "MA-06", "MA-07")

    def place() -> dict[str, Any]:
        region = rng.choice(regions)
        provinces = [p.code for p in PROVINCES if p.region == region][:3]
        return {"region": region, "province": rng.choice([*provinces, None])}

    developers = [
        dev(
            id=f"D-{i:03d}",
            languages=tuple(rng.sample(("ary", "fr", "ar"), rng.randint(1, 2))),
            skills=tuple(rng.sample(("web", "seo", "mobile"), rng.randint(0, 2))),
            sectors=tuple(rng.sample(("textile", "food"), rng.randint(0, 1))),
            mobility=rng.choice(["local", "region", "remote", "remote"]),
            **place(),
        )
        for i in range(n_dev)
    ]
    partners = [
        par(
            id=f"P-{i:03d}",
            languages=tuple(rng.sample(("ary", "fr", "ar"), rng.randint(1, 2))),
            needs=tuple(rng.sample(("web", "seo", "mobile"), rng.randint(0, 2))),
            sector=rng.choice(("textile", "food")),
            kind=rng.choice(KINDS),
            **place(),
        )
        for i in range(n_par)
    ]
    return developers, partners


def triples(
    edges: EdgeSet, developers: list[Developer], partners: list[Partner]
) -> set[tuple[str, str, float]]:
    """Return the edges as (developer id, partner id, score)."""
    return {
        (developers[d].id, partners[p].id, s)
        for d, p, s in zip(
            edges.dev.tolist(), edges.par.tolist(), edges.score.tolist(), strict=True
        )
    }


CONFIGS = {
    "default": MatcherConfig(),
    "always": MatcherConfig.model_validate({"rules": {"cross_region": "always", "min_score": 40}}),
    "never": MatcherConfig.model_validate({"rules": {"cross_region": "never"}}),
}


@pytest.mark.parametrize("name", list(CONFIGS))
def test_edges_are_exactly_the_allowed_pairs(name: str) -> None:
    cfg = CONFIGS[name]
    developers, partners = random_people(1, 60, 50)
    forbidden = frozenset({("D-000", "P-000"), ("D-005", "P-010"), ("D-007", "P-020")})
    edges = build_edges(
        developers=developers,
        partners=partners,
        config=cfg,
        region_index=REGION_INDEX,
        group_cap=None,
        forbidden=forbidden,
    )
    block = score_block(developers=developers, partners=partners, config=cfg)
    allowed = allowed_mask(
        block=block, developers=developers, partners=partners, config=cfg, forbidden=forbidden
    )
    assert allowed.any()
    assert np.array_equal(np.stack([edges.dev, edges.par]), np.stack(np.nonzero(allowed)))
    assert np.array_equal(edges.score, block.score[edges.dev, edges.par])
    assert edges.dev.dtype == np.int64 and edges.par.dtype == np.int64
    assert edges.score.dtype == np.float64
    assert len(edges.locked) == 0 and edges.pruned == 0
    for d, p, s in zip(edges.dev.tolist(), edges.par.tolist(), edges.score.tolist(), strict=True):
        assert s == breakdown(developer=developers[d], partner=partners[p], config=cfg).score


def test_edges_are_sorted_without_duplicates() -> None:
    developers, partners = random_people(2, 40, 40)
    edges = build_edges(
        developers=developers,
        partners=partners,
        config=MatcherConfig(),
        region_index=REGION_INDEX,
        group_cap=None,
        locks=[(0, 0), (0, 0)],
    )
    keys = edges.dev * len(partners) + edges.par
    assert np.all(np.diff(keys) > 0)


def test_rule_counts_follow_the_first_broken_rule_per_partner() -> None:
    partners = [par(id="P-1"), par(id="P-2", region="MA-06", province="06.141")]
    developers = [
        dev(id="D-1"),  # fits P-1
        dev(id="D-2", languages=("en",)),  # no language with P-1
        dev(id="D-3", mobility="local", province="04.441"),  # Salé: not P-1's province
        dev(id="D-4", languages=("en",), skills=(), sectors=("food",)),  # first: language
        dev(id="D-5", region="MA-06", province="06.141", mobility="remote"),  # fits P-2
        dev(id="D-6", mobility="remote", skills=("seo",), sectors=("food",)),  # P-2: score
    ]
    forbidden = frozenset({("D-1", "P-2")})
    cfg = MatcherConfig()
    edges = build_edges(
        developers=developers,
        partners=partners,
        config=cfg,
        region_index=REGION_INDEX,
        group_cap=None,
        forbidden=forbidden,
    )
    counts = {code: edges.rule_counts[code].tolist() for code in RULES}
    # P-1 (Rabat) candidates: D-1..D-4 and D-6 (same region); D-5 may cross in (remote).
    # P-2 (Casablanca) candidates: D-5 (same region) and the remote D-6 only.
    assert counts == {
        "forbidden": [0, 0],
        "mobility_local": [1, 0],
        "cross_region_not_allowed": [0, 0],
        "no_shared_language": [2, 0],
        "too_far": [0, 0],
        "below_min_score": [0, 1],
    }
    assert triples(edges, developers, partners) == {
        (
            developers[d].id,
            partners[p].id,
            breakdown(developer=developers[d], partner=partners[p], config=cfg).score,
        )
        for d, p in [(0, 0), (4, 0), (4, 1), (5, 0)]
    }


def test_rule_counts_match_violated_rules_over_candidates() -> None:
    developers, partners = random_people(3, 50, 40)
    cfg = CONFIGS["always"]
    edges = build_edges(
        developers=developers,
        partners=partners,
        config=cfg,
        region_index=REGION_INDEX,
        group_cap=None,
        chunk_rows=16,
    )
    expected = {code: [0] * len(partners) for code in RULES}
    for j, p in enumerate(partners):
        for d in developers:
            candidate = d.region == p.region or d.mobility != "local"
            found = violated_rules(developer=d, partner=p, config=cfg)
            if candidate and found:
                expected[found[0]][j] += 1
    assert {code: edges.rule_counts[code].tolist() for code in RULES} == expected


def test_locked_pairs_are_kept_even_when_a_rule_excludes_them() -> None:
    developers = [dev(id="D-1", languages=("en",)), dev(id="D-2")]
    partners = [par(id="P-1"), par(id="P-2", region="MA-12", province=None)]
    cfg = MatcherConfig()
    locks = [(0, 0), (1, 1), (1, 0)]  # no language; another region; an allowed pair
    edges = build_edges(
        developers=developers,
        partners=partners,
        config=cfg,
        region_index=REGION_INDEX,
        group_cap=None,
        locks=locks,
    )
    assert list(zip(edges.dev.tolist(), edges.par.tolist(), strict=True)) == [
        (0, 0),
        (1, 0),
        (1, 1),
    ]
    assert edges.locked.tolist() == [0, 1, 2]
    for e in range(3):
        d, p = int(edges.dev[e]), int(edges.par[e])
        assert (
            edges.score[e]
            == breakdown(developer=developers[d], partner=partners[p], config=cfg).score
        )


def test_locks_out_of_range_are_refused() -> None:
    with pytest.raises(ValueError, match="out of range"):
        build_edges(
            developers=[dev()],
            partners=[par()],
            config=MatcherConfig(),
            region_index=REGION_INDEX,
            group_cap=None,
            locks=[(0, 3)],
        )


def _best_per_group(
    developers: list[Developer], partners: list[Partner], cfg: MatcherConfig, cap: np.ndarray
) -> set[tuple[int, int]]:
    """Keep each developer's best cap[g] allowed partners per group, ties by partner index."""
    block = score_block(developers=developers, partners=partners, config=cfg)
    allowed = allowed_mask(block=block, developers=developers, partners=partners, config=cfg)
    by_group: dict[tuple[int, int], list[tuple[float, int]]] = defaultdict(list)
    for d, p in zip(*np.nonzero(allowed), strict=True):
        group = REGION_INDEX[partners[p].region] * len(KINDS) + KINDS.index(partners[p].kind)
        by_group[(int(d), group)].append((-float(block.score[d, p]), int(p)))
    kept: set[tuple[int, int]] = set()
    for (d, group), options in by_group.items():
        kept.update((d, p) for _, p in sorted(options)[: int(cap[group])])
    return kept


@pytest.mark.parametrize("cap_value", [1, 2, 4])
def test_pruning_keeps_each_developers_best_edges_per_group(cap_value: int) -> None:
    developers, partners = random_people(4, 70, 60)
    cfg = CONFIGS["always"]
    cap = np.full(N_GROUPS, cap_value, dtype=np.int64)
    cap[REGION_INDEX["MA-06"] * len(KINDS) + KINDS.index("farmer")] = 0
    full = build_edges(
        developers=developers,
        partners=partners,
        config=cfg,
        region_index=REGION_INDEX,
        group_cap=None,
    )
    edges = build_edges(
        developers=developers,
        partners=partners,
        config=cfg,
        region_index=REGION_INDEX,
        group_cap=cap,
        chunk_rows=32,
    )
    got = set(zip(edges.dev.tolist(), edges.par.tolist(), strict=True))
    assert got == _best_per_group(developers, partners, cfg, cap)
    assert len(edges) < len(full)
    assert edges.pruned == len(full) - len(edges)
    assert triples(edges, developers, partners) <= triples(full, developers, partners)


def test_pruning_never_drops_a_locked_pair() -> None:
    developers, partners = random_people(4, 70, 60)
    cfg = CONFIGS["always"]
    cap = np.full(N_GROUPS, 1, dtype=np.int64)
    full = build_edges(
        developers=developers,
        partners=partners,
        config=cfg,
        region_index=REGION_INDEX,
        group_cap=None,
    )
    plain = build_edges(
        developers=developers,
        partners=partners,
        config=cfg,
        region_index=REGION_INDEX,
        group_cap=cap,
    )
    pruned_away = sorted(
        set(zip(full.dev.tolist(), full.par.tolist(), strict=True))
        - set(zip(plain.dev.tolist(), plain.par.tolist(), strict=True))
    )
    lock = pruned_away[0]
    edges = build_edges(
        developers=developers,
        partners=partners,
        config=cfg,
        region_index=REGION_INDEX,
        group_cap=cap,
        locks=[lock],
    )
    assert (int(edges.dev[edges.locked[0]]), int(edges.par[edges.locked[0]])) == lock
    assert edges.pruned == plain.pruned - 1


@pytest.mark.parametrize("group_cap", [None, 2])
def test_chunk_size_does_not_change_the_result(group_cap: int | None) -> None:
    developers, partners = random_people(5, 80, 50)
    cap = None if group_cap is None else np.full(N_GROUPS, group_cap, dtype=np.int64)
    runs = [
        build_edges(
            developers=developers,
            partners=partners,
            config=CONFIGS["always"],
            region_index=REGION_INDEX,
            group_cap=cap,
            chunk_rows=rows,
            locks=[(0, 1), (3, 3)],
            forbidden=frozenset({("D-002", "P-004")}),
        )
        for rows in (1, 7, 64, 512)
    ]
    for other in runs[1:]:
        assert np.array_equal(other.dev, runs[0].dev)
        assert np.array_equal(other.par, runs[0].par)
        assert np.array_equal(other.score, runs[0].score)
        assert np.array_equal(other.locked, runs[0].locked)
        assert other.pruned == runs[0].pruned
        for code in RULES:
            assert np.array_equal(other.rule_counts[code], runs[0].rule_counts[code])


@pytest.mark.parametrize("group_cap", [None, 1, 3])
def test_input_order_does_not_change_the_result(group_cap: int | None) -> None:
    developers, partners = random_people(6, 60, 45)
    cap = None if group_cap is None else np.full(N_GROUPS, group_cap, dtype=np.int64)
    cfg = CONFIGS["always"]
    forbidden = frozenset({("D-001", "P-001")})
    base = build_edges(
        developers=developers,
        partners=partners,
        config=cfg,
        region_index=REGION_INDEX,
        group_cap=cap,
        forbidden=forbidden,
        locks=[(2, 5)],
    )
    rng = random.Random(0)
    shuffled_devs = rng.sample(developers, len(developers))
    shuffled_pars = rng.sample(partners, len(partners))
    lock = (
        [d.id for d in shuffled_devs].index("D-002"),
        [p.id for p in shuffled_pars].index("P-005"),
    )
    other = build_edges(
        developers=shuffled_devs,
        partners=shuffled_pars,
        config=cfg,
        region_index=REGION_INDEX,
        group_cap=cap,
        forbidden=forbidden,
        locks=[lock],
    )
    assert triples(other, shuffled_devs, shuffled_pars) == triples(base, developers, partners)
    assert other.pruned == base.pruned
    locked = other.locked[0]
    assert (shuffled_devs[other.dev[locked]].id, shuffled_pars[other.par[locked]].id) == (
        "D-002",
        "P-005",
    )
    for code in RULES:
        by_id = dict(
            zip([p.id for p in shuffled_pars], other.rule_counts[code].tolist(), strict=True)
        )
        assert [by_id[p.id] for p in partners] == base.rule_counts[code].tolist()


def test_same_inputs_give_identical_arrays() -> None:
    developers, partners = random_people(7, 50, 50)
    cap = np.full(N_GROUPS, 2, dtype=np.int64)
    first, second = (
        build_edges(
            developers=developers,
            partners=partners,
            config=MatcherConfig(),
            region_index=REGION_INDEX,
            group_cap=cap,
        )
        for _ in range(2)
    )
    assert np.array_equal(first.dev, second.dev)
    assert np.array_equal(first.par, second.par)
    assert np.array_equal(first.score, second.score)


def test_no_people_gives_no_edges() -> None:
    edges = build_edges(
        developers=[],
        partners=[par()],
        config=MatcherConfig(),
        region_index=REGION_INDEX,
        group_cap=None,
    )
    assert len(edges) == 0
    assert edges.rule_counts["too_far"].tolist() == [0]
    edges = build_edges(
        developers=[dev()],
        partners=[],
        config=MatcherConfig(),
        region_index=REGION_INDEX,
        group_cap=np.ones(N_GROUPS, np.int64),
    )
    assert len(edges) == 0 and edges.dev.dtype == np.int64
