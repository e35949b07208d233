"""Exact min-cost-flow path: one component as an OR-Tools ``SimpleMinCostFlow`` network.

Network (one component, local indices): source s → developer (cap 1) → partner (cap 1, one
arc per allowed pair) → region node R_r, or, in a region with a kind rule, → K_rk → H_rk
(cap kind_cap_k: the kind's throughput) → R_r directly (cap reserved_k) or through the free
node F_r (→ R_r, cap free places) → sink t by two arcs: u_r (cap min_r) and v_r (cap
max_r − min_r). A bypass arc s → t (cap = developers, cost 0) lets every developer stay
unpaired. Counts c_k route through K/H/F iff c_k ≤ kind_cap_k and Σ_k max(0, c_k − reserved_k)
≤ free, which with Σ_k c_k ≤ max is exactly ``kinds_ok`` (the subset rule). A locked pair
(d, p) is the lower bound 1 on its arc: d and every other arc at d or p leave the network and
p gets a supply of 1 (the standard lower-bound transformation), so every flow keeps it.

Objective. Scores are read to RESOLUTION (q_e = round(score_e · 10⁶)) and shifted to
q'_e = q_e − min q ∈ [0, Q]; with equal fill, Σ q' orders pairings as Σ q does (they differ by
min q · filled). With preferred flags (the fifth tier) q''_e = q'_e · W5 + prefer_e with
W5 = P + 1, where P bounds the pairs of the component (min of its developers, its partners
and Σ max); Σ prefer over a pairing is ≤ P < W5, so Σ q'' orders by (Σ q', preferred).
Let Q5 = max q'' (≤ Q·W5 + 1). The flow maximises

    Φ = A·T_prio + B·T_min + C·T_fill + Σ_{e∈M} q''_e,  C = P·Q5 + 1,
    B = P·(C + Q5) + 1,  A = P·(B + C + Q5) + 1

(u_r costs −(A·[r priority] + B + C), v_r −(A·[r priority] + C), pair arcs −q''_e).
Proof of separation: 0 ≤ Σ q'' ≤ P·Q5 < C, so one more filled place outweighs any score;
0 ≤ C·T_fill + Σ q'' ≤ P·(C + Q5) < B; 0 ≤ B·T_min + C·T_fill + Σ q'' ≤ P·(B + C + Q5) < A.
Hence Φ(M) > Φ(M') iff M beats M' lexicographically in (T_prio, T_min, T_fill, score,
preferred), and the min-cost flow, integral on an integral network, is the exact optimum of
the rounded scores. An inactive tier gets weight 0 (no priority region; every min 0; or
every min = max, where T_min = T_fill).

int64 bound. OR-Tools multiplies costs by about the node count n and refuses (BAD_COST_RANGE)
when max|cost|·(n + 3) exceeds 2⁶² (measured on ortools 9.15). We require the stronger
M·(n + 3) ≤ 2⁶², M = A + B + C + Q5 (the dearest pair arc plus the dearest sink arc), which
also keeps |Φ| ≤ P·M ≤ 2⁶² (P < n). A ≈ P³·Q5, so for the national call (cross_region
"always": one component, P = 600, Q = 7·10⁷, n ≈ 10⁴–10⁵) it does not hold, and then the
solve is staged:

Stage 1 (fill tiers only): costs on u_r/v_r only, with C = 1, B = P + 1, A = P·(B + 1) + 1
(the same proof with Q5 = 0): A + B + C = P² + 3P + 3, tiny. Node potentials π are the shortest-path
distances from a virtual root on the residual graph of its optimal flow; since only the
≤ 2R sink arcs cost anything, π is computed exactly by a Bellman–Ford over the region and
sink nodes with breadth-first reachability through the zero-cost residual arcs in between
(_potentials), and checked: every residual arc has reduced cost c + π(tail) − π(head) ≥ 0.
By complementary slackness every stage-1 optimum has flow 0 on an arc of positive reduced
cost and flow = capacity on one of negative reduced cost; conversely any feasible flow
meeting those conditions is optimal for π. So dropping the first arcs and fixing the second
at their capacity (supplies moved to their ends) leaves a network whose feasible flows are
exactly the stage-1 optima (a face of an integral polytope: still a network).
Stage 2 maximises Σ q'' on that network: costs ≤ Q5, and M = Q5 must meet the same bound
(Q5·(n + 3) ≤ 2⁶²: scores in [0, 100] pass with any node count below 4·10¹⁰, and with
the fifth tier (Q5 ≈ 10⁸·(P + 1)) whenever P·n < 4.6·10¹⁰). A component where it does
not (absurd scores) returns None and the dispatcher uses HiGHS (matcher.solver.flow).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import breadth_first_order

from matcher.solver.flow import ComponentProblem, ComponentResult
from matcher.solver.problem import SolverError

RESOLUTION = 1_000_000
# OR-Tools' own limit on max|cost|·(nodes + 3). A single solve must meet SINGLE_STAGE_LIMIT
# (the same number; tests lower it to force the staged solve).
ORTOOLS_LIMIT = 2**62
SINGLE_STAGE_LIMIT = ORTOOLS_LIMIT
# Largest |score|·RESOLUTION that a float64 still rounds to the nearest integer exactly.
_EXACT_FLOAT = 2**52


@dataclass(frozen=True)
class TierWeights:
    """Integer weights of the fill tiers and the score part (see module doc)."""

    prio: int
    mins: int
    fill: int
    score_max: int

    def max_cost(self) -> int:
        """Return M, the dearest pair arc plus the dearest sink arc."""
        return self.prio + self.mins + self.fill + self.score_max


def tier_weights(
    *, places: int, score_max: int, priority: bool, mins: bool, fill_weight: int | None = None
) -> TierWeights:
    """Return separated weights for ``places`` pairs with a score part in [0, score_max].

    ``fill_weight`` overrides C (stage 1 uses C = 1 with score_max = 0).
    """
    c = places * score_max + 1 if fill_weight is None else fill_weight
    b = places * (c + score_max) + 1 if mins else 0
    a = places * (b + c + score_max) + 1 if priority else 0
    return TierWeights(a, b, c, score_max)


def fits(weights: TierWeights, n_nodes: int, *, limit: int | None = None) -> bool:
    """Return whether the weights pass the int64 bound M·(n + 3) ≤ limit (module doc)."""
    return weights.max_cost() * (n_nodes + 3) <= (ORTOOLS_LIMIT if limit is None else limit)


@dataclass
class _Net:
    """Arcs (as numpy arrays) and supplies of one network; arc kinds by index range."""

    n_nodes: int
    tail: npt.NDArray[np.int64]
    head: npt.NDArray[np.int64]
    cap: npt.NDArray[np.int64]
    supply: npt.NDArray[np.int64]
    pair_arcs: npt.NDArray[np.int64]  # arc index of each free edge
    pair_edges: npt.NDArray[np.int64]  # local edge of each pair arc
    u_arcs: npt.NDArray[np.int64]
    v_arcs: npt.NDArray[np.int64]


def _build(cp: ComponentProblem) -> _Net:
    """Build the network of module doc (locks as supplies) for component ``cp``."""
    n_k = cp.n_kinds
    locked = cp.locked
    l_dev = np.unique(cp.edge_dev[locked])
    l_par = np.unique(cp.edge_par[locked])
    free = np.flatnonzero(~np.isin(cp.edge_dev, l_dev) & ~np.isin(cp.edge_par, l_par))
    devs, dev_of = np.unique(cp.edge_dev[free], return_inverse=True)
    pars, par_first = np.unique(
        np.concatenate([cp.edge_par[free], cp.edge_par[locked]]), return_index=True
    )
    both = np.concatenate([free, locked])
    par_region = cp.edge_region[both[par_first]]
    par_kind = cp.edge_kind[both[par_first]]
    n_d, n_p = devs.shape[0], pars.shape[0]
    s, t = 0, 1
    d0 = 2
    p0 = d0 + n_d
    nxt = p0 + n_p
    tails: list[npt.NDArray[np.int64]] = []
    heads: list[npt.NDArray[np.int64]] = []
    caps: list[npt.NDArray[np.int64]] = []
    count = 0

    def arcs(
        tl: npt.NDArray[np.int64], hd: npt.NDArray[np.int64], cp_: object
    ) -> npt.NDArray[np.int64]:
        nonlocal count
        tl = np.asarray(tl, dtype=np.int64)
        tails.append(tl)
        heads.append(np.asarray(hd, dtype=np.int64))
        caps.append(np.broadcast_to(np.asarray(cp_, dtype=np.int64), tl.shape).copy())
        idx = np.arange(count, count + tl.shape[0], dtype=np.int64)
        count += tl.shape[0]
        return idx

    one = np.ones(1, dtype=np.int64)
    arcs(np.array([s]), np.array([t]), n_d)  # bypass
    arcs(np.full(n_d, s), d0 + np.arange(n_d), 1)
    par_node = np.searchsorted(pars, cp.edge_par[free])
    pair_arcs = arcs(d0 + dev_of, p0 + par_node, 1)
    # entry node of each partner's group, and the region nodes
    region_node = np.zeros(len(cp.regions), dtype=np.int64)
    entry = np.zeros(len(cp.regions) * n_k, dtype=np.int64)
    u_list: list[int] = []
    v_list: list[int] = []
    for r, spec in enumerate(cp.regions):
        region_node[r] = nxt
        nxt += 1
        if not spec.has_kind_rules(n_k):
            entry[r * n_k : (r + 1) * n_k] = region_node[r]
            continue
        f_node = nxt
        nxt += 1
        arcs(np.array([f_node]), np.array([region_node[r]]), max(spec.free_places(), 0))
        for k in range(n_k):
            k_node, h_node = nxt, nxt + 1
            nxt += 2
            entry[r * n_k + k] = k_node
            arcs(np.array([k_node]), np.array([h_node]), spec.kind_cap(k))
            arcs(np.array([h_node]), np.array([region_node[r]]), spec.reserved(k))
            arcs(np.array([h_node]), np.array([f_node]), spec.kind_cap(k))
    arcs(p0 + np.arange(n_p), entry[par_region * n_k + par_kind], 1)
    for r, spec in enumerate(cp.regions):
        u_list.append(int(arcs(region_node[r : r + 1], one * t, spec.min)[0]))
        v_list.append(int(arcs(region_node[r : r + 1], one * t, spec.max - spec.min)[0]))
    supply = np.zeros(nxt, dtype=np.int64)
    supply[s] = n_d
    supply[p0 + np.searchsorted(pars, cp.edge_par[locked])] += 1
    supply[t] = -(n_d + locked.shape[0])
    return _Net(
        n_nodes=nxt,
        tail=np.concatenate(tails),
        head=np.concatenate(heads),
        cap=np.concatenate(caps),
        supply=supply,
        pair_arcs=pair_arcs,
        pair_edges=free.astype(np.int64),
        u_arcs=np.array(u_list, dtype=np.int64),
        v_arcs=np.array(v_list, dtype=np.int64),
    )


def _run(
    net: _Net,
    keep: npt.NDArray[np.bool_],
    cost: npt.NDArray[np.int64],
    supply: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Solve min-cost flow on the arcs in ``keep``; return the flow of every arc (0 if not kept)."""
    mcf = min_cost_flow.SimpleMinCostFlow()
    idx = np.flatnonzero(keep)
    mcf.add_arcs_with_capacity_and_unit_cost(
        net.tail[idx].astype(np.int32),
        net.head[idx].astype(np.int32),
        net.cap[idx],
        cost[idx],
    )
    mcf.set_nodes_supplies(np.arange(net.n_nodes, dtype=np.int32), supply)
    status = mcf.solve()
    if status != mcf.OPTIMAL:
        raise SolverError(f"OR-Tools min-cost flow did not solve the network: {status}")
    flow = np.zeros(net.tail.shape[0], dtype=np.int64)
    flow[idx] = np.asarray(mcf.flows(np.arange(idx.shape[0], dtype=np.int32)), dtype=np.int64)
    return flow


def _potentials(
    net: _Net, keep: npt.NDArray[np.bool_], cost: npt.NDArray[np.int64], flow: npt.NDArray[np.int64]
) -> npt.NDArray[np.int64]:
    """Return exact optimal node potentials for a flow whose costs sit on few arcs (module doc)."""
    idx = np.flatnonzero(keep)
    fwd = idx[flow[idx] < net.cap[idx]]
    bwd = idx[flow[idx] > 0]
    r_tail = np.concatenate([net.tail[fwd], net.head[bwd]])
    r_head = np.concatenate([net.head[fwd], net.tail[bwd]])
    r_cost = np.concatenate([cost[fwd], -cost[bwd]])
    zero = r_cost == 0
    n = net.n_nodes
    graph = csr_matrix(
        (np.ones(int(zero.sum()), dtype=np.int8), (r_tail[zero], r_head[zero])), shape=(n, n)
    )
    sp_tail, sp_head, sp_cost = r_tail[~zero], r_head[~zero], r_cost[~zero]
    special = np.unique(np.concatenate([sp_tail, sp_head]))
    reach = np.zeros((special.shape[0], n), dtype=np.bool_)
    for i, w in enumerate(special):
        reach[i, breadth_first_order(graph, int(w), directed=True, return_predecessors=False)] = (
            True
        )
    big = np.iinfo(np.int64).max // 4
    head_pos = np.searchsorted(special, sp_head)
    tail_pos = np.searchsorted(special, sp_tail)
    d_special = np.zeros(special.shape[0], dtype=np.int64)
    reach_special = reach[:, special]  # reach_special[i, j]: special j reachable from i
    arrive = np.full(special.shape[0], big, dtype=np.int64)
    for _ in range(sp_cost.shape[0] + 2):
        arrive = np.full(special.shape[0], big, dtype=np.int64)
        np.minimum.at(arrive, head_pos, d_special[tail_pos] + sp_cost)
        best = np.where(reach_special, arrive[:, None], big).min(axis=0)
        new = np.minimum(0, best)
        if np.array_equal(new, d_special):
            break
        d_special = new
    else:
        raise SolverError("the fill-tier flow is not optimal (negative residual cycle)")
    pot: npt.NDArray[np.int64] = np.minimum(
        0, np.where(reach, arrive[:, None], big).min(axis=0)
    ).astype(np.int64)
    reduced = r_cost + pot[r_tail] - pot[r_head]
    if reduced.shape[0] and int(reduced.min()) < 0:
        raise SolverError("node potentials of the fill-tier flow do not check out")
    return pot


def solve_network(cp: ComponentProblem) -> ComponentResult | None:
    """Solve one component without women share exactly with OR-Tools (module doc).

    Returns None when even the staged costs break the int64 bound (the caller then uses
    HiGHS). The women-share rule is ignored here: callers check it on the result.
    """
    n_e = cp.edge_dev.shape[0]
    if n_e == 0:
        return ComponentResult(np.zeros(0, dtype=np.int64), 0.0, True, "flow")
    if float(np.abs(cp.edge_score).max()) * RESOLUTION >= _EXACT_FLOAT:
        return None
    net = _build(cp)
    q = np.rint(cp.edge_score[net.pair_edges] * RESOLUTION).astype(np.int64)
    if q.shape[0]:
        q -= int(q.min())
    places = min(
        int(np.unique(cp.edge_dev).shape[0]),
        int(np.unique(cp.edge_par).shape[0]),
        sum(s.max for s in cp.regions),
    )
    pref = cp.edge_prefer
    w5 = 1
    if pref is not None and pref.any():
        w5 = places + 1
        q = q * w5 + pref[net.pair_edges].astype(np.int64)
    q_max = int(q.max()) if q.shape[0] else 0
    priority = any(s.priority for s in cp.regions)
    mins = any(s.min > 0 for s in cp.regions) and not all(s.min == s.max for s in cp.regions)
    prio_r = np.array([s.priority for s in cp.regions], dtype=np.int64)
    keep = np.ones(net.tail.shape[0], dtype=np.bool_)

    def sink_costs(w: TierWeights) -> npt.NDArray[np.int64]:
        cost = np.zeros(net.tail.shape[0], dtype=np.int64)
        cost[net.u_arcs] = -(prio_r * w.prio + w.mins + w.fill)
        cost[net.v_arcs] = -(prio_r * w.prio + w.fill)
        return cost

    single = tier_weights(places=places, score_max=q_max, priority=priority, mins=mins)
    if fits(single, net.n_nodes, limit=SINGLE_STAGE_LIMIT):
        cost = sink_costs(single)
        cost[net.pair_arcs] = -q
        flow = _run(net, keep, cost, net.supply)
    else:
        stage1 = tier_weights(
            places=places, score_max=0, priority=priority, mins=mins, fill_weight=1
        )
        if not fits(stage1, net.n_nodes) or q_max * (net.n_nodes + 3) > ORTOOLS_LIMIT:
            return None
        cost = sink_costs(stage1)
        flow = _run(net, keep, cost, net.supply)
        pot = _potentials(net, keep, cost, flow)
        reduced = cost + pot[net.tail] - pot[net.head]
        fixed = reduced < 0
        supply = net.supply.copy()
        np.add.at(supply, net.head[fixed], net.cap[fixed])
        np.add.at(supply, net.tail[fixed], -net.cap[fixed])
        keep = reduced == 0
        cost2 = np.zeros(net.tail.shape[0], dtype=np.int64)
        cost2[net.pair_arcs] = -q
        flow = _run(net, keep, cost2, supply)
        flow[fixed] = net.cap[fixed]
    chosen = np.sort(np.concatenate([cp.locked, net.pair_edges[flow[net.pair_arcs] > 0]]))
    chosen = chosen.astype(np.int64)
    if not _valid_ignoring_share(cp, chosen):
        raise SolverError("OR-Tools returned a pairing that breaks a rule")
    return ComponentResult(chosen, 0.0, True, "flow")


def _valid_ignoring_share(cp: ComponentProblem, chosen: npt.NDArray[np.int64]) -> bool:
    """Return whether ``chosen`` keeps every lock and rule except the women share."""
    plain = tuple(replace(s, min_women_share=None) for s in cp.regions)
    return replace(cp, regions=plain).is_valid(chosen)
