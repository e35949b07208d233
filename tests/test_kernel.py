"""The fused kernel gives exactly the edges, scores, rule counts and pruning of numpy."""

from __future__ import annotations

import random
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import dev, par

import matcher.edges as edges_module
import matcher.kernel as kernel_module
from matcher.config import MatcherConfig
from matcher.edges import EdgeSet, build_edges
from matcher.kernel import bits
from matcher.models import KINDS, Developer, Partner
from matcher.reference import PROVINCES, REGIONS
from matcher.rules import RULES
from matcher.specs import group_caps, region_specs

REGION_INDEX = {r.code: i for i, r in enumerate(REGIONS)}
N_GROUPS = len(REGIONS) * len(KINDS)
SKILLS = ("web", "seo", "mobile", "data", "design")
LANGUAGES = ("ary", "fr", "ar", "en", "zgh")


def people(seed: int, n_dev: int, n_par: int) -> tuple[list[Developer], list[Partner]]:
    """Random profiles over three regions: unknown provinces, own coordinates, missing hours."""
    rng = random.Random(seed)
    regions = ("MA-03", "MA-04", "MA-07")

    def place() -> dict[str, Any]:
        region = rng.choice(regions)
        provinces = [p.code for p in PROVINCES if p.region == region][:3]
        out: dict[str, Any] = {"region": region, "province": rng.choice([*provinces, None])}
        if rng.random() < 0.3:  # own coordinates, some far from the province
            out["lat"] = round(rng.uniform(29.0, 36.0), rng.choice((1, 4)))
            out["lon"] = round(rng.uniform(-10.0, -2.0), rng.choice((1, 4)))
        return out

    def hours() -> float | None:
        return rng.choice([None, 0.0, 5.0, 10.0, rng.uniform(0, 40)])

    developers = [
        dev(
            id=f"D-{i:03d}",
            languages=tuple(rng.sample(LANGUAGES, rng.randint(1, 3))),
            skills=tuple(rng.sample(SKILLS, rng.randint(0, 3))),
            sectors=tuple(rng.sample(("textile", "food", "craft"), rng.randint(0, 2))),
            mobility=rng.choice(["local", "region", "remote"]),
            availability_hours=hours(),
            **place(),
        )
        for i in range(n_dev)
    ]
    partners = [
        par(
            id=f"P-{i:03d}",
            languages=tuple(rng.sample(LANGUAGES, rng.randint(1, 2))),
            needs=tuple(rng.sample(SKILLS, rng.randint(0, 3))),  # empty needs included
            sector=rng.choice(("textile", "food", "craft")),
            kind=rng.choice(KINDS),
            availability_hours=hours(),
            **place(),
        )
        for i in range(n_par)
    ]
    return developers, partners


def assert_same(left: EdgeSet, right: EdgeSet) -> None:
    """Assert two edge sets are identical, array by array and bit by bit."""
    assert left.dev.tolist() == right.dev.tolist()
    assert left.par.tolist() == right.par.tolist()
    assert left.score.tobytes() == right.score.tobytes()
    assert left.locked.tolist() == right.locked.tolist()
    assert left.pruned == right.pruned
    for code in RULES:
        assert left.rule_counts[code].tolist() == right.rule_counts[code].tolist(), code


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_dev=st.integers(0, 40),
    n_par=st.integers(0, 40),
    cross=st.sampled_from(["never", "remote-only", "always"]),
    min_score=st.sampled_from([0, 30, 55, 70]),
    max_km=st.sampled_from([50, 200, 2000]),
    require_language=st.booleans(),
    penalty=st.sampled_from([0, 15, 40]),
    remote_km=st.sampled_from([None, 300, 900]),
    remote_score=st.sampled_from([0.5, 0.0, 0.8]),
    caps=st.none() | st.lists(st.integers(0, 4), min_size=N_GROUPS, max_size=N_GROUPS),
    n_forbid=st.integers(0, 5),
    n_lock=st.integers(0, 3),
    chunk_rows=st.sampled_from([1, 7, 512]),
)
def test_kernel_gives_the_numpy_edges(
    seed: int,
    n_dev: int,
    n_par: int,
    cross: str,
    min_score: int,
    max_km: int,
    require_language: bool,
    penalty: int,
    remote_km: int | None,
    remote_score: float,
    caps: list[int] | None,
    n_forbid: int,
    n_lock: int,
    chunk_rows: int,
) -> None:
    developers, partners = people(seed, n_dev, n_par)
    config = MatcherConfig.model_validate(
        {
            "rules": {
                "cross_region": cross,
                "min_score": min_score,
                "max_distance_km": max_km,
                "require_shared_language": require_language,
                "cross_region_penalty": penalty,
                "remote_max_distance_km": remote_km,
                "remote_distance_score": remote_score,
            },
            # Uneven weights make sums that round differently in another order.
            "weights": {"skills": 3, "languages": 1.7, "distance": 2.3, "sector": 0.9},
        }
    )
    rng = random.Random(seed)
    pairs = [(d, p) for d in range(n_dev) for p in range(n_par)]
    chosen = rng.sample(pairs, min(len(pairs), n_forbid + n_lock))
    forbidden = frozenset((developers[d].id, partners[p].id) for d, p in chosen[:n_forbid])
    locks = sorted(chosen[n_forbid:])
    group_cap = None if caps is None else np.array(caps, dtype=np.int64)
    found = {
        kernel: build_edges(
            developers=developers,
            partners=partners,
            config=config,
            region_index=REGION_INDEX,
            group_cap=group_cap,
            forbidden=forbidden,
            locks=locks,
            chunk_rows=chunk_rows,
            kernel=kernel,
        )
        for kernel in (False, True)
    }
    assert_same(found[False], found[True])


def test_kernel_path_is_exercised_with_pruning_and_ties() -> None:
    # Many identical profiles: ties at every cap threshold, broken by partner id in both.
    developers = [dev(id=f"D-{i:02d}") for i in range(6)]
    partners = [par(id=f"P-{i:02d}", kind=KINDS[i % 2]) for i in range(10)]
    cap = np.full(N_GROUPS, 2, dtype=np.int64)
    found = {
        kernel: build_edges(
            developers=developers,
            partners=partners,
            config=MatcherConfig(),
            region_index=REGION_INDEX,
            group_cap=cap,
            kernel=kernel,
        )
        for kernel in (False, True)
    }
    assert_same(found[False], found[True])
    # Each developer keeps the two lowest ids of each kind: P-00, P-02 and P-01, P-03.
    kept = sorted({partners[p].id for p in found[True].par.tolist()})
    assert kept == ["P-00", "P-01", "P-02", "P-03"]
    assert found[True].pruned == 6 * 10 - 6 * 4


def test_kernel_reads_skills_languages_and_sectors_over_several_words() -> None:
    # 80 distinct tags, languages and sectors: each profile spans two 64-bit words, and the
    # shared values sit in the second word for some pairs and in the first for others.
    rng = random.Random(5)
    tags = [f"tag{k}" for k in range(80)]
    langs = [f"l{k}" for k in range(80)]
    sectors = [f"s{k}" for k in range(80)]
    developers = [
        dev(
            id=f"D-{i:02d}",
            skills=tuple(rng.sample(tags, 6)),
            languages=tuple(rng.sample(langs, 8)),
            sectors=tuple(rng.sample(sectors, 5)),
        )
        for i in range(30)
    ]
    partners = [
        par(
            id=f"P-{i:02d}",
            needs=tuple(rng.sample(tags, 3)),
            languages=tuple(rng.sample(langs, 6)),
            sector=rng.choice(sectors),
        )
        for i in range(30)
    ]
    config = MatcherConfig.model_validate({"rules": {"min_score": 40}})
    found = {
        kernel: build_edges(
            developers=developers,
            partners=partners,
            config=config,
            region_index=REGION_INDEX,
            group_cap=np.full(N_GROUPS, 3, dtype=np.int64),
            kernel=kernel,
        )
        for kernel in (False, True)
    }
    assert_same(found[False], found[True])
    # the words beyond the first decide: pairs both pass and fail the language rule
    assert 0 < found[True].rule_counts["no_shared_language"].sum() < 30 * 30
    assert len(found[True]) > 0


def test_kernel_counts_rules_over_more_rows_than_a_counting_field_holds() -> None:
    # The kernel counts each rule per partner in 10-bit fields unpacked every 1,023 rows:
    # 2,100 developers in one chunk overflow a field twice over.
    developers = [
        dev(id=f"D-{i:04d}", languages=("fr",) if i % 3 else ("ar",), mobility="local")
        for i in range(2_100)
    ]
    partners = [par(id="P-0", province="04.441"), par(id="P-1"), par(id="P-2", needs=())]
    found = {
        kernel: build_edges(
            developers=developers,
            partners=partners,
            config=MatcherConfig(),
            region_index=REGION_INDEX,
            group_cap=None,
            chunk_rows=4_096,
            kernel=kernel,
        )
        for kernel in (False, True)
    }
    assert_same(found[False], found[True])
    counts = found[True].rule_counts
    # every local developer is in another province than P-0's: the first rule they break
    assert counts["mobility_local"].tolist() == [2_100, 0, 0]
    assert counts["no_shared_language"].tolist() == [0, 700, 700]


def test_bits_pack_each_row_into_words() -> None:
    one_hot = np.zeros((2, 70), dtype=np.float32)
    one_hot[0, [0, 3]] = 1.0
    one_hot[1, [64, 69]] = 1.0
    words = bits(one_hot)
    assert words.shape == (2, 2)
    assert words.tolist() == [[0b1001, 0], [0, 0b100001]]


@pytest.mark.parametrize(("threshold", "expected"), [(1, True), (10**12, False)])
def test_the_kernel_scores_from_the_documented_size(
    monkeypatch: pytest.MonkeyPatch, threshold: int, expected: bool
) -> None:
    calls: list[int] = []
    real = kernel_module.score_chunk

    def counting(**kwargs: Any) -> Any:
        calls.append(len(kwargs["rows"]))
        return real(**kwargs)

    monkeypatch.setattr(edges_module, "KERNEL_FROM_CELLS", threshold)
    monkeypatch.setattr(kernel_module, "score_chunk", counting)
    developers, partners = people(3, 12, 12)
    build_edges(
        developers=developers,
        partners=partners,
        config=MatcherConfig(),
        region_index=REGION_INDEX,
        group_cap=None,
    )
    assert bool(calls) is expected


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_dev=st.integers(1, 30),
    n_par=st.integers(1, 30),
    quotas=st.lists(st.integers(0, 3), min_size=3, max_size=3),
    mix=st.booleans(),
    chunk_cells=st.sampled_from([2, 24, 1 << 20]),
    n_lock=st.integers(0, 2),
)
def test_kernel_gives_the_numpy_edges_with_bars_and_floors(
    seed: int,
    n_dev: int,
    n_par: int,
    quotas: list[int],
    mix: bool,
    chunk_cells: int,
    n_lock: int,
) -> None:
    """With the specs (bounds, bars, the first chunks' floors) both paths keep the same."""
    developers, partners = people(seed, n_dev, n_par)
    raw: dict[str, Any] = {
        "rules": {"cross_region": "always", "min_score": 0},
        "quotas": {
            "default": 0,
            "regions": dict(zip(("MA-03", "MA-04", "MA-07"), quotas, strict=True)),
        },
    }
    if mix:
        raw["mix"] = {"max_per_kind": {"merchant": 1}, "min_women_share": 0.5}
    config = MatcherConfig.model_validate(raw)
    specs = region_specs(config)
    rng = random.Random(seed)
    cells = [(d, p) for d in range(n_dev) for p in range(n_par)]
    locks = sorted(rng.sample(cells, min(n_lock, len(cells))))
    found = {}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(edges_module, "_CELLS_PER_CHUNK", chunk_cells)
        for kernel in (False, True):
            found[kernel] = build_edges(
                developers=developers,
                partners=partners,
                config=config,
                region_index=REGION_INDEX,
                group_cap=group_caps(specs),
                specs=specs,
                locks=locks,
                kernel=kernel,
            )
    assert_same(found[False], found[True])
    assert found[False].scored.tolist() == found[True].scored.tolist()
