"""Exact edge pruning: drop pairs that some optimal pairing provably never needs.

Each function returns a boolean mask over the edges it is given (True = keep). Every rule is
exact in the sense that *some* optimum of the pruned problem is an optimum of the original
one, with the same fill tiers and the same total score. Ties between equal scores are broken
by edge index (lower index wins), so the result is deterministic. Prunings compose: each
proof holds for any edge set, so an optimum survives every step of a chain.

The side prunings also serve the solver's optional fifth tier (most preferred edges) when
the preferred edges are passed in ``locked``: every exchange below removes an edge outside
the kept set, hence not a preferred one, so it never lowers the preferred count.
"""

from __future__ import annotations

import sys

import numpy as np
import numpy.typing as npt

# Below this many edges a plain lexsort is fastest; above it a linear-time threshold filter
# first discards most edges so that only a few are sorted by score.
_FILTER_FROM = 200_000
# From this many edges on, a compiled linear pass (matcher.compiled.top_per_key) replaces the
# sorting: 70 ms instead of 1.3 s on 3 million edges. Importing numba and loading the cached
# code cost about 0.4 s once, so below _COMPILED_ALWAYS_FROM edges it is used only when numba
# is already loaded (the scoring kernel of a large call loads it). Both give the same edges.
_COMPILED_FROM = 200_000
_COMPILED_ALWAYS_FROM = 2_000_000


def distinct_codes(codes: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Return the distinct non-negative ``codes``, sorted (np.unique, by counting when dense)."""
    if codes.shape[0] and int(codes.max()) < 4 * codes.shape[0] + (1 << 22):
        return np.flatnonzero(np.bincount(codes)).astype(np.int64)
    return np.unique(codes).astype(np.int64)


def _keep_top_per_key(
    key: npt.NDArray[np.int64],
    edge_score: npt.NDArray[np.float64],
    edge_cap: npt.NDArray[np.int64],
    locked: npt.NDArray[np.int64] | None,
) -> npt.NDArray[np.bool_]:
    """Keep, for each key, its ``edge_cap`` best edges by (score desc, index asc)."""
    mask = _top_per_key(key, edge_score, edge_cap)
    if locked is not None and locked.shape[0]:
        mask[locked] = True
    return mask


def _top_per_key(
    key: npt.NDArray[np.int64],
    edge_score: npt.NDArray[np.float64],
    edge_cap: npt.NDArray[np.int64],
) -> npt.NDArray[np.bool_]:
    """Return, for each key, its ``edge_cap`` best edges by (score desc, index asc)."""
    n = key.shape[0]
    mask = np.zeros(n, dtype=np.bool_)
    if n == 0:
        return mask
    if int(key.min()) >= 0 and int(key.max()) < 8 * n + _FILTER_FROM:  # dense keys
        # A key with at most its cap of edges keeps them all, so only the others are
        # ranked (keys are independent; a subset in index order keeps the tie rule). The
        # scorer already pruned each developer's edges this way, so often none is over.
        over = np.bincount(key)[key] > edge_cap
        if not over.all():
            mask[~over] = True
            if over.any():
                idx = np.flatnonzero(over)
                mask[idx[_top_per_key(key[idx], edge_score[idx], edge_cap[idx])]] = True
            return mask
        loaded = "numba" in sys.modules
        if n >= _COMPILED_ALWAYS_FROM or (n >= _COMPILED_FROM and loaded):
            from matcher.compiled import top_per_key

            compiled: npt.NDArray[np.bool_] = top_per_key(key, edge_score, edge_cap)
            return compiled
    candidates = _candidates(key, edge_score, edge_cap) if n >= _FILTER_FROM else None
    if candidates is None:
        mask[_exact_top(key, edge_score, edge_cap)] = True
    else:
        sub = _exact_top(key[candidates], edge_score[candidates], edge_cap[candidates])
        mask[candidates[sub]] = True
    return mask


def _exact_top(
    key: npt.NDArray[np.int64],
    edge_score: npt.NDArray[np.float64],
    edge_cap: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Return the positions ranked below their key's cap, by (key, score desc, position)."""
    n = key.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.int64)
    # lexsort is stable, so equal (key, score) keep index order: the documented tie rule.
    order = np.lexsort((-edge_score, key))
    sorted_key = key[order]
    pos = np.arange(n, dtype=np.int64)
    boundary = np.empty(n, dtype=np.bool_)
    boundary[0] = True
    np.not_equal(sorted_key[1:], sorted_key[:-1], out=boundary[1:])
    first = np.maximum.accumulate(np.where(boundary, pos, 0))
    kept: npt.NDArray[np.int64] = order[(pos - first) < edge_cap[order]]
    return kept


def _stable_key_order(key: npt.NDArray[np.int64]) -> npt.NDArray[np.int64] | None:
    """Return a stable sorting permutation of non-negative ``key`` (None: already sorted).

    Least-significant-digit radix sort on 16-bit digits: numpy sorts 16-bit integers
    stably in linear time.
    """
    if bool(np.all(key[1:] >= key[:-1])):
        return None
    order: npt.NDArray[np.int64] | None = None
    current = key
    for shift in range(0, max(int(key.max()).bit_length(), 1), 16):
        digit = ((current >> shift) & 0xFFFF).astype(np.uint16)
        step = np.argsort(digit, kind="stable").astype(np.int64)
        order = step if order is None else order[step]
        current = current[step]
    return order


def _candidates(
    key: npt.NDArray[np.int64],
    edge_score: npt.NDArray[np.float64],
    edge_cap: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64] | None:
    """Return a superset of each key's top-cap edges (sorted positions), in linear time.

    Split the run of a key of length L > c = cap into c disjoint blocks and let τ be the
    smallest block maximum: the c block maxima are c distinct edges scoring ≥ τ, so the
    c-th best score is ≥ τ and every top-c edge scores ≥ τ. Keeping the edges with
    score ≥ τ therefore keeps the top c; ranks among the survivors equal the true ranks
    (every edge ranked above a top-c edge is top-c too), so the exact pass on them gives
    the same answer. Returns None when keys are negative (no radix order).
    """
    if int(key.min()) < 0:
        return None
    order = _stable_key_order(key)
    s_key = key if order is None else key[order]
    s_score = edge_score if order is None else edge_score[order]
    n = key.shape[0]
    starts = np.flatnonzero(np.concatenate(([True], s_key[1:] != s_key[:-1])))
    del s_key
    lengths = np.diff(np.append(starts, n))
    caps = edge_cap[starts if order is None else order[starts]]
    split = (lengths > caps) & (caps > 0)
    # Runs that are not split count as one block, so the blocks tile 0..n-1 contiguously.
    n_blocks = np.where(split, caps, 1)
    first_block = np.cumsum(n_blocks) - n_blocks
    j = np.arange(int(n_blocks.sum()), dtype=np.int64) - np.repeat(first_block, n_blocks)
    run_len = np.repeat(lengths, n_blocks)
    block_start = np.repeat(starts, n_blocks) + (j * run_len) // np.repeat(n_blocks, n_blocks)
    block_max = np.maximum.reduceat(s_score, block_start)
    run_min = np.minimum.reduceat(block_max, first_block)
    tau = np.where(split, run_min, np.where(caps <= 0, np.inf, -np.inf))
    keep_sorted = s_score >= np.repeat(tau, lengths)
    positions = np.flatnonzero(keep_sorted)
    if order is not None:
        positions = np.sort(order[positions])
    return positions.astype(np.int64)


def prune_developer_side(
    edge_dev: npt.NDArray[np.int64],
    edge_group: npt.NDArray[np.int64],
    edge_score: npt.NDArray[np.float64],
    group_cap: npt.NDArray[np.int64],
    *,
    locked: npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.bool_]:
    """Keep each developer's best ``group_cap[g]`` edges within each partner group ``g``.

    A group is a set of partners that every rule treats alike: the partners of one
    (region, kind), or of one whole region when no kind rule applies there. ``group_cap[g]``
    must be an upper bound on the pairs of group g in every valid pairing (for (region, kind):
    min(region max, max_per_kind, reserved_k + free places)). Locked edges are always kept.

    Proof of exactness. Let M be an optimum that pairs developer d with partner p of group
    g through an edge e outside d's kept list T (|T| = cap, all of T's edges scoring at least
    as much as e). e is not locked (locked edges are kept). M holds at most cap pairs in g,
    one of them (d, p), so at most cap − 1 partners of T are paired; some partner p' of T is
    free in M, and p' is not the end of a lock (M holds every lock, so such a p' is paired).
    M' = M − (d, p) + (d, p') is a matching that keeps every lock, every per-group count
    (p and p' are both in g), hence every region fill, kind count, reserved-place rule and
    priority/min tier, and every women count (same developer). Its score is not lower.
    Repeating strictly increases the number of kept edges in the optimum, so it ends with an
    optimum inside the kept edges.

    Each developer's decision is local to its own edges, so the scorer may call this on any
    chunk that holds all edges of the developers it covers.
    """
    if edge_dev.shape[0] == 0:
        return np.zeros(0, dtype=np.bool_)
    n_groups = int(group_cap.shape[0])
    key = edge_dev.astype(np.int64) * n_groups + edge_group
    return _keep_top_per_key(key, edge_score, group_cap[edge_group], locked)


def prune_partner_side(
    edge_par: npt.NDArray[np.int64],
    edge_class: npt.NDArray[np.int64],
    edge_score: npt.NDArray[np.float64],
    partner_cap: npt.NDArray[np.int64],
    *,
    locked: npt.NDArray[np.int64] | None = None,
    edge_cap: npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.bool_]:
    """Keep each partner's best ``partner_cap[p]`` edges within each developer class.

    ``partner_cap[p]`` must bound the number of pairs any valid pairing can form among the
    regions that the developers of p can reach (the sum of the region maxima of p's
    component). ``edge_class`` must separate developers whom a rule of p's region tells
    apart: the gender when p's region has a women-share rule, otherwise one class for all.
    Locked edges are always kept.

    Proof of exactness. Let M be an optimum pairing p with developer d through an unlocked
    edge e outside p's kept list T for d's class (|T| = cap, all scoring at least e). The
    developers of T can only be paired inside p's component, which holds at most cap pairs
    in M, one of them (d, p); so some developer d' of T is free, and not the end of a lock.
    M' = M − (d, p) + (d', p) keeps the partner, so every region and kind count and tier,
    and keeps the class of the developer, so every women count; its score is not lower.
    Repeating ends with an optimum inside the kept edges.

    ``edge_cap``, when given, replaces ``partner_cap[edge_par]`` edge by edge; it must be the
    same for all edges of one (partner, class) and bound the pairs that developers of that
    class can be in. The solver uses it for developers whose edges all lie in p's region:
    they can only be paired there, so the region's max bounds them and the proof above
    holds word for word with that smaller cap.
    """
    if edge_par.shape[0] == 0:
        return np.zeros(0, dtype=np.bool_)
    n_class = int(edge_class.max()) + 1
    key = edge_par.astype(np.int64) * n_class + edge_class
    caps = partner_cap[edge_par] if edge_cap is None else edge_cap
    return _keep_top_per_key(key, edge_score, caps, locked)


def heaviest_count(k: int) -> int:
    """Return t = (k − 1)(2k − 1) + 1, the edges the heaviest-edge pruning keeps for quota k."""
    return 0 if k <= 0 else (k - 1) * (2 * k - 1) + 1


def prune_heaviest(edge_score: npt.NDArray[np.float64], k: int) -> npt.NDArray[np.bool_]:
    """Keep the t = (k − 1)(2k − 1) + 1 heaviest edges of a pure cardinality-k problem.

    Preconditions: one region, no kind, women-share or lock rule left (locks already
    pre-assigned and k reduced), and every developer and every partner has at most k edges
    (both side prunings applied with cap k). The problem is then: among matchings of at most
    k edges, take the largest, then the heaviest.

    Proof of exactness. Order edges by (score desc, index asc) and let T be the first t. Let
    M be an optimum (|M| = c ≤ k) with an edge e outside T. Every other edge (u, v) of M
    shares an end with at most 2k − 1 edges of T (≤ k at u, ≤ k at v, itself counted
    twice), so the c − 1 ≤ k − 1 other edges touch at most (k − 1)(2k − 1) < t edges of T.
    Some f in T therefore touches no edge of M − e (and f ≠ e since e ∉ T), so
    M' = M − e + f is a matching of the same size with score(f) ≥ score(e): an optimum with
    one more edge in T. Repeating ends with an optimum inside T.
    """
    n = edge_score.shape[0]
    t = heaviest_count(k)
    if t >= n:
        return np.ones(n, dtype=np.bool_)
    mask = np.zeros(n, dtype=np.bool_)
    if t > 0:
        mask[np.argsort(-edge_score, kind="stable")[:t]] = True
    return mask


def group_top_count(
    *,
    pairs: npt.NDArray[np.int64],
    group_cap: npt.NDArray[np.int64],
    dev_key: npt.NDArray[np.int64],
    dev_degree: npt.NDArray[np.int64],
    par_key: npt.NDArray[np.int64],
    par_degree: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Return t = A + B + 1 per key, the edges prune_group_top keeps (0 for an empty key).

    ``pairs`` (K) and ``group_cap`` (cap) hold one value per key. ``dev_degree[i]`` is the
    number of edges of key ``dev_key[i]`` at one developer (one entry per developer with
    such edges), ``par_degree``/``par_key`` the same per partner. A is the sum of the K − 1
    largest developer degrees of the key, counting 1 for each missing one when fewer than
    K − 1 developers have edges there; B is the sum of the cap − 1 largest values of
    (partner degree − 1). See prune_group_top for why t edges suffice.
    """
    n_keys = int(pairs.shape[0])
    dev_sum = _largest_sum(dev_key, dev_degree, np.maximum(pairs - 1, 0), n_keys, pad=1)
    par_sum = _largest_sum(par_key, par_degree - 1, np.maximum(group_cap - 1, 0), n_keys, pad=0)
    has_edges = np.bincount(dev_key, minlength=n_keys)[:n_keys] > 0
    empty = (pairs <= 0) | (group_cap <= 0) | ~has_edges
    result: npt.NDArray[np.int64] = np.where(empty, 0, dev_sum + par_sum + 1).astype(np.int64)
    return result


def _largest_sum(
    key: npt.NDArray[np.int64],
    value: npt.NDArray[np.int64],
    limit: npt.NDArray[np.int64],
    n_keys: int,
    *,
    pad: int,
) -> npt.NDArray[np.int64]:
    """Return per key the sum of its ``limit`` largest values, ``pad`` for each one missing."""
    order = np.lexsort((-value, key))
    s_key, s_value = key[order], value[order]
    first = np.searchsorted(s_key, np.arange(n_keys, dtype=np.int64))
    rank = np.arange(s_key.shape[0], dtype=np.int64) - first[s_key]
    take = rank < limit[s_key]
    total = np.bincount(s_key[take], weights=s_value[take], minlength=n_keys)[:n_keys]
    taken = np.bincount(s_key[take], minlength=n_keys)[:n_keys]
    result: npt.NDArray[np.int64] = np.rint(total).astype(np.int64) + pad * (limit - taken)
    return result


def _degrees(
    key: npt.NDArray[np.int64], end: npt.NDArray[np.int64]
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
    """Return (key, number of edges) for every (key, end) pair that has edges."""
    n_end = int(end.max()) + 1
    pair = key * n_end + end
    if (int(key.max()) + 1) * n_end <= 4 * key.shape[0] + (1 << 22):
        # few enough (key, end) cells for a linear-time dense count
        dense = np.bincount(pair)
        values = np.flatnonzero(dense)
        counts = dense[values]
    else:
        values, counts = np.unique(pair, return_counts=True)
    return (values // n_end).astype(np.int64), counts.astype(np.int64)


def prune_group_top(
    edge_dev: npt.NDArray[np.int64],
    edge_par: npt.NDArray[np.int64],
    edge_group: npt.NDArray[np.int64],
    edge_class: npt.NDArray[np.int64],
    edge_score: npt.NDArray[np.float64],
    *,
    group_cap: npt.NDArray[np.int64],
    group_pairs: npt.NDArray[np.int64],
    locked: npt.NDArray[np.int64] | None = None,
) -> npt.NDArray[np.bool_]:
    """Keep, per partner group and developer class, its t best edges (t from group_top_count).

    A group g is as in prune_developer_side (the partners of one (region, kind), or of a
    whole region without kind rules) and ``group_cap[g]`` bounds its pairs in every valid
    pairing. ``group_pairs[g]`` = K must bound the pairs of every valid pairing among the
    developers that have an edge into g (the sum of the region maxima of g's component, or
    the number of developers with an edge in that component if smaller). ``edge_class``
    must separate developers whom a rule of g's region tells apart: the developer's gender
    when g's region (the partner's region) has a women-share rule, otherwise one class.
    A key is a (g, c); deg(x) is the number of the key's edges at developer or partner x,
    counted in the edges given. Locked edges are always kept.

    Proof of exactness. Let T be the key's first t edges by (score desc, index asc), and
    M an optimum using an unlocked edge e = (d, p) of the key outside T (a key with at
    most t edges keeps them all). Count the edges of T that touch M − e. An edge of T
    has a developer of class c with an edge into g, hence of g's component, and such a
    developer can only be paired inside the component, where M holds at most K pairs; so
    at most K − 1 pairs of M − e touch T, and at most cap − 1 of them have their partner
    in g (M holds at most cap pairs in g, e being one). Let α(u) = deg(u) for a developer
    with edges in the key and α(u) = 1 for any other, β(v) = max(deg(v) − 1, 0) for a
    partner of g. A pair (u, v) of M − e touches at most α(u) + β(v) edges of T (β = 0
    when v is not in g): if v is not in g, only u's edges, at most deg(u); if v is in g
    and u has edges in the key, (u, v) is itself an edge of the key, so either it is in T
    and counted at both ends, or u has at most deg(u) − 1 others in T: at most
    deg(u) + deg(v) − 1 either way; if u has no edge in the key, at most deg(v) ≤ 1 + β(v).
    The developers of those pairs are distinct, at most K − 1, so their α add up to at
    most A (the K − 1 largest degrees, 1 for each missing one: every other developer has
    α = 1); their partners in g are distinct, at most cap − 1, so their β add up to at
    most B. So at most A + B < t edges of T touch M − e, and some f = (d', p') of T touches
    none (f ≠ e since e ∉ T; f is not in M). M' = M − e + f is a matching. p' is in g like
    p, so every region fill and (region, kind) count, hence every quota, kind maximum,
    reserved place and the priority and min tiers, is unchanged (in a region without kind
    rules no count by kind is constrained). d' is of class c like d, so where g's region
    has a women share the number of women paired there is unchanged; no other region's
    pairs change. Every lock is kept (e is not one) and score(f) ≥ score(e): M' is an
    optimum with one more kept edge. Repeating ends with an optimum inside the kept edges.
    With one region of k places (K = cap = k) and every degree k, t is prune_heaviest's
    (k − 1)(2k − 1) + 1.
    """
    n = edge_dev.shape[0]
    if n == 0:
        return np.zeros(0, dtype=np.bool_)
    n_class = int(edge_class.max()) + 1
    n_keys = int(group_cap.shape[0]) * n_class
    key = edge_group.astype(np.int64) * n_class + edge_class
    dev_key, dev_degree = _degrees(key, edge_dev.astype(np.int64))
    par_key, par_degree = _degrees(key, edge_par.astype(np.int64))
    key_group = np.arange(n_keys, dtype=np.int64) // n_class
    t = group_top_count(
        pairs=group_pairs[key_group],
        group_cap=group_cap[key_group],
        dev_key=dev_key,
        dev_degree=dev_degree,
        par_key=par_key,
        par_degree=par_degree,
    )
    if bool((np.bincount(key, minlength=n_keys) <= t).all()):
        return np.ones(n, dtype=np.bool_)
    return _keep_top_per_key(key, edge_score, t[key], locked)
