"""Fast path: one region, no side rule — a cardinality-constrained assignment solved densely."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import maximum_bipartite_matching

from matcher.solver.prune import prune_developer_side, prune_heaviest, prune_partner_side

# linear_sum_assignment on the augmented matrix grows about cubically with its side; measured
# on random scores, HiGHS on the same pruned edges is already faster from a side of ~500
# (side 1000: 0.34 s against 0.02 s; side 1900: 3.5 s against 0.08 s).
MAX_DENSE_CELLS = 250_000


def prune_cardinality(
    edge_dev: npt.NDArray[np.int64],
    edge_par: npt.NDArray[np.int64],
    edge_score: npt.NDArray[np.float64],
    k: int,
) -> npt.NDArray[np.bool_]:
    """Return the edges a pure "at most k pairs, most pairs then best score" problem needs.

    Applies, in order, the developer-side pruning (one group, cap k), the partner-side
    pruning (one class, cap k) and the heaviest-edge pruning; see matcher.solver.prune for
    the proofs. After the first two every vertex has at most k edges, which is the
    precondition of the third.
    """
    n = edge_dev.shape[0]
    keep = np.ones(n, dtype=np.bool_)
    if n == 0:
        return keep
    if k <= 0:
        return np.zeros(n, dtype=np.bool_)
    zeros = np.zeros(n, dtype=np.int64)
    keep = prune_developer_side(edge_dev, zeros, edge_score, np.array([k], dtype=np.int64))
    idx = np.flatnonzero(keep)
    n_par = int(edge_par.max()) + 1
    cap = np.full(n_par, k, dtype=np.int64)
    sub = prune_partner_side(edge_par[idx], zeros[: idx.shape[0]], edge_score[idx], cap)
    idx = idx[sub]
    idx = idx[prune_heaviest(edge_score[idx], k)]
    out = np.zeros(n, dtype=np.bool_)
    out[idx] = True
    return out


def assignment_size(
    edge_dev: npt.NDArray[np.int64], edge_par: npt.NDArray[np.int64], k: int
) -> tuple[int, int]:
    """Return (c, side): the pairs to form and the side of the square augmented matrix."""
    if edge_dev.shape[0] == 0 or k <= 0:
        return 0, 0
    rows, row_of = np.unique(edge_dev, return_inverse=True)
    cols, col_of = np.unique(edge_par, return_inverse=True)
    n, m = rows.shape[0], cols.shape[0]
    graph = csr_matrix((np.ones(row_of.shape[0], dtype=np.int8), (row_of, col_of)), shape=(n, m))
    match = maximum_bipartite_matching(graph, perm_type="column")
    nu = int(np.count_nonzero(match >= 0))
    c = min(k, nu)
    return c, n + m - c


def solve_cardinality(
    edge_dev: npt.NDArray[np.int64],
    edge_par: npt.NDArray[np.int64],
    edge_score: npt.NDArray[np.float64],
    k: int,
) -> npt.NDArray[np.int64]:
    """Return the edges of a largest matching with at most k edges, heaviest among those.

    Let the n active developers be rows and the m active partners columns, and let
    c = min(k, ν) where ν is the maximum matching size (Hopcroft–Karp); c is the largest
    feasible pair count, so the task is a heaviest matching of exactly c edges. Build the
    square matrix of side n + m − c:

        real rows × real cols   −score of the edge, +inf (forbidden) where there is none
        real rows × n − c dummy cols    0   (the developer stays unpaired)
        m − c dummy rows × real cols    0   (the partner stays unpaired)
        dummy rows × dummy cols         +inf

    In a perfect assignment the m − c dummy rows must take m − c real columns (dummy columns
    are forbidden to them) and the n − c dummy columns must be taken by real rows, so exactly
    c real rows meet c real columns: a matching of exactly c edges, of cost −score.
    Conversely any c-edge matching completes to a perfect assignment (dummies take the
    unmatched vertices), and one exists because c ≤ ν. So a minimum-cost perfect assignment
    (scipy's linear_sum_assignment) is a heaviest c-edge matching, with no big-M weight.
    """
    c, side = assignment_size(edge_dev, edge_par, k)
    if c == 0:
        return np.zeros(0, dtype=np.int64)
    rows, row_of = np.unique(edge_dev, return_inverse=True)
    cols, col_of = np.unique(edge_par, return_inverse=True)
    n, m = rows.shape[0], cols.shape[0]
    cost = np.full((side, side), np.inf, dtype=np.float64)
    cost[row_of, col_of] = -edge_score
    cost[:n, m:] = 0.0
    cost[n:, :m] = 0.0
    from scipy.optimize import linear_sum_assignment  # 0.12 s to import: only when used

    r_ind, c_ind = linear_sum_assignment(cost)
    del cost
    real = (r_ind < n) & (c_ind < m)
    cell = r_ind[real].astype(np.int64) * m + c_ind[real]
    edge_cell = row_of.astype(np.int64) * m + col_of
    order = np.argsort(edge_cell, kind="stable")
    found = order[np.searchsorted(edge_cell[order], cell)]
    return np.sort(found.astype(np.int64))
