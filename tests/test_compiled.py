"""The compiled primitives: the jit fallback and the per-key top selection."""

from __future__ import annotations

from typing import Any

import numba
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import matcher.compiled as compiled_module
from matcher.compiled import top_per_key
from matcher.solver.prune import _exact_top


def test_jit_compiles_without_a_cache_when_no_place_is_writable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = numba.njit

    def njit(*args: Any, **options: Any) -> Any:
        if options.get("cache"):
            raise RuntimeError("cannot cache function 'add': no locator available")
        return real(*args, **options)  # numba itself calls njit(func) too

    monkeypatch.setattr(compiled_module.numba, "njit", njit)

    def add(a: int, b: int) -> int:
        return a + b

    compiled = compiled_module.jit(add)
    assert compiled(2, 3) == 5
    assert compiled is not add and type(compiled._cache).__name__ == "NullCache"  # type: ignore[attr-defined]


@st.composite
def keyed_edges(draw: st.DrawFn) -> tuple[Any, Any, Any]:
    n = draw(st.integers(1, 60))
    n_keys = draw(st.integers(1, 8))
    key = np.array(draw(st.lists(st.integers(0, n_keys - 1), min_size=n, max_size=n)))
    # few distinct scores, so that ties at the threshold are common
    score = np.array(draw(st.lists(st.sampled_from([0.0, 1.5, 2.0, 7.25]), min_size=n, max_size=n)))
    per_key = np.array(draw(st.lists(st.integers(-1, 6), min_size=n_keys, max_size=n_keys)))
    return key.astype(np.int64), score.astype(np.float64), per_key[key].astype(np.int64)


@settings(max_examples=300, deadline=None)
@given(keyed_edges())
def test_top_per_key_keeps_what_the_sorting_version_keeps(edges: tuple[Any, Any, Any]) -> None:
    key, score, cap = edges
    expected = np.zeros(len(key), dtype=np.bool_)
    expected[_exact_top(key, score, cap)] = True
    assert top_per_key(key, score, cap).tolist() == expected.tolist()


def test_top_per_key_breaks_ties_by_lower_index() -> None:
    key = np.array([0, 0, 0, 0, 1, 1], dtype=np.int64)
    score = np.array([5.0, 9.0, 5.0, 5.0, 1.0, 2.0])
    cap = np.array([2, 2, 2, 2, 0, 0], dtype=np.int64)
    assert top_per_key(key, score, cap).tolist() == [True, True, False, False, False, False]
