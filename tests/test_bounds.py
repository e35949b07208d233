"""Skipping crossing developers a region cannot need keeps the optimum, and the bounds hold."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from profiles import dev, par
from test_kernel import people

import matcher.edges as edges_module
from matcher.bounds import matching_bar, upper_scores
from matcher.config import MatcherConfig
from matcher.models import Dataset
from matcher.pipeline import build_instance, solve_instance
from matcher.scoring import encode, score_features


def _config(cross: str, penalty: int, remote_score: float, **extra: Any) -> MatcherConfig:
    return MatcherConfig.model_validate(
        {
            "rules": {
                "cross_region": cross,
                "min_score": 0,
                "cross_region_penalty": penalty,
                "remote_distance_score": remote_score,
            },
            "weights": {"skills": 3, "languages": 1.7, "distance": 2.3, "sector": 0.9},
            **extra,
        }
    )


@settings(max_examples=40, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    cross=st.sampled_from(["remote-only", "always"]),
    penalty=st.sampled_from([0, 15, 40]),
    remote_score=st.sampled_from([0.0, 0.5, 1.0]),
)
def test_upper_scores_bound_every_score_in_the_region(
    seed: int, cross: str, penalty: int, remote_score: float
) -> None:
    developers, partners = people(seed, 25, 25)
    config = _config(cross, penalty, remote_score)
    d_feat, p_feat = encode(developers=developers, partners=partners)
    rows = np.arange(len(developers), dtype=np.int64)
    for region in np.unique(p_feat.region).tolist():
        cols = np.flatnonzero(p_feat.region == region)
        region_par = p_feat.take(cols)
        bound = upper_scores(
            developers=d_feat, rows=rows, partners=region_par, region=region, config=config
        )
        block = score_features(developers=d_feat, partners=region_par, config=config)
        assert (block.score.max(axis=1) <= bound).all()
        # and it is a bound, not a blanket: within the margin of a reachable maximum
        # whenever some partner has every criterion at its best (never above 100)
        assert (bound <= 100.0 + 1e-6).all()


def test_matching_bar_is_the_lowest_pair_of_a_greedy_matching() -> None:
    # D0 has the two best edges, so the greedy matching takes D0–P0 (9) then D1–P1 (5):
    # the bar of two pairs is 5, not 8 (D0–P1 shares D0 with the first pair).
    dev = np.array([0, 0, 1, 1], dtype=np.int64)
    par = np.array([0, 1, 1, 0], dtype=np.int64)
    score = np.array([9.0, 8.0, 5.0, 4.0])
    assert matching_bar(edge_dev=dev, edge_par=par, edge_score=score, size=1) == 9.0
    assert matching_bar(edge_dev=dev, edge_par=par, edge_score=score, size=2) == 5.0
    assert matching_bar(edge_dev=dev, edge_par=par, edge_score=score, size=3) == -np.inf
    assert matching_bar(edge_dev=dev, edge_par=par, edge_score=score, size=0) == np.inf


def _tiers(dataset: Dataset, config: MatcherConfig) -> tuple[Any, ...]:
    instance = build_instance(dataset, config)
    solution = solve_instance(instance)
    return (
        solution.priority_filled,
        solution.min_filled,
        solution.filled.tolist(),
        round(solution.total_score, 6),
        instance.edges.skipped,
    )


def _plain_greedy(dev: Any, par: Any, score: Any, size: int) -> float:
    used_d: set[int] = set()
    used_p: set[int] = set()
    for at in sorted(range(len(score)), key=lambda k: (-score[k], k)):
        if dev[at] not in used_d and par[at] not in used_p:
            used_d.add(int(dev[at]))
            used_p.add(int(par[at]))
            if len(used_d) == size:
                return float(score[at])
    return float(-np.inf)


@settings(max_examples=300, deadline=None)
@given(
    st.integers(1, 120).flatmap(
        lambda n: st.tuples(
            st.lists(st.integers(0, 30), min_size=n, max_size=n),
            st.lists(st.integers(0, 30), min_size=n, max_size=n),
            st.lists(st.sampled_from([1.0, 2.0, 2.5, 8.0]), min_size=n, max_size=n),
            st.integers(1, 12),
        )
    )
)
def test_matching_bar_equals_a_greedy_pass_over_every_edge(
    drawn: tuple[list[int], list[int], list[float], int],
) -> None:
    """The pass over the best 4 x size edges first gives the full pass's answer."""
    devs, pars, scores, size = drawn
    dev, par = np.array(devs, dtype=np.int64), np.array(pars, dtype=np.int64)
    score = np.array(scores, dtype=np.float64)
    expected = _plain_greedy(dev, par, score, size)
    assert matching_bar(edge_dev=dev, edge_par=par, edge_score=score, size=size) == expected


def _everyone_scored(monkeypatch: pytest.MonkeyPatch) -> None:
    """Score every crosser everywhere and keep every pair below the bars: no bound at all."""
    monkeypatch.setattr(
        edges_module, "_worth_scoring", lambda rows, *a, **k: np.ones(len(rows), dtype=np.bool_)
    )
    monkeypatch.setattr(edges_module, "_above_bar", lambda found, **k: found)
    monkeypatch.setattr(edges_module, "_floors", lambda table: np.full(table.shape, -np.inf))


@settings(max_examples=120, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_dev=st.integers(1, 40),
    n_par=st.integers(1, 40),
    cross=st.sampled_from(["remote-only", "always"]),
    penalty=st.sampled_from([0, 15, 40]),
    remote_score=st.sampled_from([0.0, 0.5]),
    quotas=st.lists(st.integers(0, 3), min_size=3, max_size=3),
    mix=st.booleans(),
    remote_share=st.sampled_from([0.0, 0.5, 0.9]),
    chunk_cells=st.sampled_from([None, 2, 24, 60]),
)
def test_skipping_keeps_every_tier_of_the_optimum(
    seed: int,
    n_dev: int,
    n_par: int,
    cross: str,
    penalty: int,
    remote_score: float,
    quotas: list[int],
    mix: bool,
    remote_share: float,
    chunk_cells: int | None,
) -> None:
    """Skipping crossers, dropping pairs below the bars and the scorer's floors lose no tier."""
    developers, partners = people(seed, n_dev, n_par)
    # Mostly remote developers leave regions short of their own, where crossers are needed.
    developers = [
        d.model_copy(update={"mobility": "remote"}) if (i * 7919 % 100) < remote_share * 100 else d
        for i, d in enumerate(developers)
    ]
    extra: dict[str, Any] = {
        # small quotas make the bound t small, so that skipping happens often
        "quotas": {
            "default": 0,
            "regions": dict(zip(("MA-03", "MA-04", "MA-07"), quotas, strict=True)),
        },
        "priority": {"regions": ["MA-07"]},
    }
    if mix:
        extra["mix"] = {"max_per_kind": {"merchant": 1}, "min_women_share": 0.5}
    config = _config(cross, penalty, remote_score, **extra)
    dataset = Dataset(developers=developers, partners=partners)
    with pytest.MonkeyPatch.context() as patch:
        if chunk_cells:  # regions in several chunks: the first one's bars floor the others
            patch.setattr(edges_module, "_CELLS_PER_CHUNK", chunk_cells)
        skipping = _tiers(dataset, config)
        _everyone_scored(patch)
        everyone = _tiers(dataset, config)
    assert everyone[-1] == 0
    assert skipping[:-1] == everyone[:-1]


def test_a_region_full_of_its_own_best_pairs_skips_remote_developers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Three perfect local pairs in Rabat for one place; a remote developer from Fès can
    # reach at most 100 − penalty there, below every local pair: it is not scored.
    local = [
        dev(id=f"D-{i}", region="MA-04", province=None, mobility="region", skills=("web",))
        for i in range(3)
    ]
    far = dev(id="D-R", region="MA-03", province=None, mobility="remote", skills=("web",))
    partners = [par(id=f"P-{i}", region="MA-04", province=None, needs=("web",)) for i in range(3)]
    config = _config("remote-only", 15, 0.5, quotas={"default": 0, "regions": {"MA-04": 1}})
    dataset = Dataset(developers=[*local, far], partners=partners)
    skipping = _tiers(dataset, config)
    _everyone_scored(monkeypatch)
    everyone = _tiers(dataset, config)
    assert skipping[-1] == 3  # the remote developer against Rabat's three partners
    assert everyone[-1] == 0
    assert skipping[:-1] == everyone[:-1]


def test_a_region_short_of_its_own_developers_scores_the_remote_one() -> None:
    # One local developer for two places: its two perfect pairs form no matching of
    # K + cap − 1 = 3 pairs, so the remote developer (at most 100 − penalty) is scored and
    # fills the second place. A bar taken from a single pair (100) would have skipped it.
    local = dev(id="D-1", region="MA-04", province=None, mobility="region", skills=("web",))
    far = dev(id="D-R", region="MA-03", province=None, mobility="remote", skills=("web",))
    partners = [par(id=f"P-{i}", region="MA-04", province=None, needs=("web",)) for i in (1, 2)]
    config = _config("remote-only", 15, 0.5, quotas={"default": 0, "regions": {"MA-04": 2}})
    dataset = Dataset(developers=[local, far], partners=partners)
    *_, filled, _total, skipped = _tiers(dataset, config)
    assert skipped == 0
    assert filled[3] == 2  # MA-04 is the fourth region


@pytest.mark.parametrize("kernel", [False, True])
def test_a_regions_first_chunk_floors_its_other_chunks(
    monkeypatch: pytest.MonkeyPatch, kernel: bool
) -> None:
    # Rabat, one place. D-0 and D-1 (the first chunk) pair perfectly with P-0 and P-1: a
    # matching of max + cap - 1 = 1 pair, so the bar is 100. The later chunks hold D-2,
    # also perfect with every partner (kept), and D-3..D-5, who lack the skill (dropped).
    good = [dev(id=f"D-{i}", province=None) for i in range(3)]
    weak = [dev(id=f"D-{i}", province=None, skills=("seo",)) for i in range(3, 6)]
    partners = [par(id=f"P-{i}", province=None) for i in range(2)]
    config = _config("remote-only", 15, 0.5, quotas={"default": 0, "regions": {"MA-04": 1}})
    monkeypatch.setattr(edges_module, "_CELLS_PER_CHUNK", 4)  # two developers a chunk
    monkeypatch.setattr(edges_module, "KERNEL_FROM_CELLS", 0 if kernel else 10**12)
    instance = build_instance(Dataset(developers=[*good, *weak], partners=partners), config)
    edges = instance.edges
    kept = sorted(
        (instance.developers[d].id, instance.partners[p].id)
        for d, p in zip(edges.dev.tolist(), edges.par.tolist(), strict=True)
    )
    assert kept == [("D-0", "P-0"), ("D-1", "P-0"), ("D-2", "P-0")]  # cap 1 a developer
    assert edges.score.tolist() == [100.0, 100.0, 100.0]
    assert edges.dev_allowed.tolist() == [2] * 6  # every pair allowed, counted
    assert edges.pruned == 12 - 3
