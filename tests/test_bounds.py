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
from matcher.bounds import group_top_count, upper_scores
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


def test_group_top_count_is_the_exchange_bound() -> None:
    # (K − 1)·a + (cap − 1)·b + 1: the pairs of M − e touch at most (K − 1)·a edges through
    # their developers and (cap − 1)·b through the group's partners.
    assert group_top_count(pairs=600, cap=50, dev_degree=50, par_degree=650) == 61_801
    assert group_top_count(pairs=1, cap=1, dev_degree=7, par_degree=9) == 1
    assert group_top_count(pairs=5, cap=0, dev_degree=3, par_degree=3) == 0


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


def _everyone_scored(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        edges_module, "_worth_scoring", lambda rows, *a, **k: np.ones(len(rows), dtype=np.bool_)
    )


@settings(max_examples=60, deadline=None)
@given(
    seed=st.integers(0, 10_000),
    n_dev=st.integers(1, 40),
    n_par=st.integers(1, 40),
    cross=st.sampled_from(["remote-only", "always"]),
    penalty=st.sampled_from([0, 15, 40]),
    remote_score=st.sampled_from([0.0, 0.5]),
    quotas=st.lists(st.integers(0, 2), min_size=3, max_size=3),
    mix=st.booleans(),
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
) -> None:
    developers, partners = people(seed, n_dev, n_par)
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
    skipping = _tiers(dataset, config)
    with pytest.MonkeyPatch.context() as patch:
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
