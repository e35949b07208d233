"""Compiled (numba) primitives shared by the scoring kernel and the solver's prunings.

Importing this module imports numba (about 0.3 s), so callers import it only for large
inputs. Every function is compiled without the GIL and cached on disk where possible.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

Int64s = npt.NDArray[np.int64]
Float64s = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]
_F = TypeVar("_F", bound=Callable[..., Any])


def jit(func: _F) -> _F:
    """Compile ``func`` without the GIL, cached on disk when numba finds a writable place."""
    # The cache (next to this file, else in the user's cache folder) spares every run after
    # the first the compilation: 2.9 s of CPU down to 0.2 s (numba checks the source file's
    # size and date, so an edited kernel is compiled afresh).
    try:
        return cast(_F, numba.njit(nogil=True, cache=True)(func))
    except RuntimeError:  # no writable cache location: compile in every run
        return cast(_F, numba.njit(nogil=True)(func))


@jit
def select(a: Float64s, n: int, k: int) -> float:  # pragma: no cover - compiled
    """Return the k-th smallest (from 0) of ``a[:n]``, reordering it (quickselect)."""
    lo, hi = 0, n - 1
    while lo < hi:
        pivot = a[(lo + hi) // 2]
        i, j = lo, hi
        while i <= j:
            while a[i] < pivot:
                i += 1
            while a[j] > pivot:
                j -= 1
            if i <= j:
                a[i], a[j] = a[j], a[i]
                i += 1
                j -= 1
        if k <= j:
            hi = j
        elif k >= i:
            lo = i
        else:
            return float(a[k])
    return float(a[k])


@jit
def cap_best(values: Float64s, m: int, cap: int, spare: Float64s) -> float:  # pragma: no cover
    """Return the cap-th largest of ``values[:m]`` (0 < cap < m), in about 2 m comparisons.

    Split the m values into cap blocks and let t be the smallest block maximum: the cap
    block maxima are cap distinct values >= t, so the cap-th largest is >= t and only the
    values >= t (usually a few times cap) need an exact selection.
    """
    lowest = np.inf
    for b in range(cap):
        best = -np.inf
        for k in range(b * m // cap, (b + 1) * m // cap):
            if values[k] > best:
                best = values[k]
        if best < lowest:
            lowest = best
    n = 0
    for k in range(m):  # branch-free: a third of the values pass, unpredictably
        spare[n] = values[k]
        n += values[k] >= lowest
    return select(spare, n, n - cap)


@jit
def _top_per_key(
    key: Int64s, score: Float64s, cap: Int64s, n_keys: int
) -> Bools:  # pragma: no cover - compiled
    n = key.shape[0]
    start = np.zeros(n_keys + 1, dtype=np.int64)
    for e in range(n):
        start[key[e] + 1] += 1
    for k in range(n_keys):
        start[k + 1] += start[k]
    # a stable counting sort: each key's edges in index order
    fill = start[:-1].copy()
    order = np.empty(n, dtype=np.int64)
    for e in range(n):
        order[fill[key[e]]] = e
        fill[key[e]] += 1
    keep = np.zeros(n, dtype=np.bool_)
    longest = 0
    for k in range(n_keys):
        longest = max(longest, start[k + 1] - start[k])
    buf = np.empty(longest, dtype=np.float64)
    spare = np.empty(longest, dtype=np.float64)
    for k in range(n_keys):
        lo, hi = start[k], start[k + 1]
        m = hi - lo
        if m == 0:
            continue
        c = cap[order[lo]]
        if c <= 0:
            continue
        if m <= c:
            for a in range(lo, hi):
                keep[order[a]] = True
            continue
        for a in range(m):
            buf[a] = score[order[lo + a]]
        threshold = cap_best(buf, m, c, spare)
        ties = c
        for a in range(lo, hi):
            if score[order[a]] > threshold:
                ties -= 1
        # the ties at the threshold go to the lowest indices, as a stable sort would rank them
        for a in range(lo, hi):
            s = score[order[a]]
            if s > threshold or (s == threshold and ties > 0):
                keep[order[a]] = True
                if s == threshold:
                    ties -= 1
    return keep


def top_per_key(key: Int64s, score: Float64s, cap: Int64s) -> Bools:
    """Keep, for each key, its best ``cap`` edges by (score desc, index asc).

    ``key`` must be non-negative and ``cap`` (one value per edge) the same for every edge of
    a key. Linear time: a counting sort by key, then one selection per key.
    """
    if key.shape[0] == 0:
        return np.zeros(0, dtype=np.bool_)
    n_keys = int(key.max()) + 1
    kept: Bools = _top_per_key(
        np.ascontiguousarray(key, dtype=np.int64),
        np.ascontiguousarray(score, dtype=np.float64),
        np.ascontiguousarray(cap, dtype=np.int64),
        n_keys,
    )
    return kept
