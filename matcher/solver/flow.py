"""General path: a sparse flow formulation of one component, solved tier by tier with HiGHS.

Variables: x_e ∈ [0, 1] per edge (locked edges fixed to 1); per region r, u_r ∈ [0, min_r]
and v_r ∈ [0, max_r − min_r] with u_r + v_r = filled_r; per (region, kind) of a region with
a kind mix, y_rk ∈ [0, reserved_k] (reserved places used) and z_rk ≥ 0 (free places used).

Rows: each developer and each partner at most once; per region without a mix
Σ_{e∈r} x_e = u_r + v_r; per region with a mix Σ_{e∈(r,k)} x_e = y_rk + z_rk,
y_rk + z_rk ≤ max_per_kind_k, Σ_k z_rk ≤ free_r and Σ_k (y_rk + z_rk) = u_r + v_r; per
region with a women share a/b: b·Σ_{female} x_e − a·Σ x_e ≥ 0.

Why the LP is integral without a women share. These rows are the conservation rows of a
network: source → developer (cap 1) → partner (x) → kind node (cap 1 per partner) → kind
throughput (cap max_per_kind) → either region node (y, cap reserved) or free node (z) →
region node (cap free) → sink by two parallel arcs u (cap min) and v (cap max − min). Every
variable is an arc flow and every eliminated arc flow is an integer sum of them, so the
feasible set is an affine, integrality-preserving image of a flow polytope with integer
capacities, whose vertices are integral. The reserved-place rule is exactly this network's
feasibility: counts c_k route iff Σ_k max(0, c_k − reserved_k) ≤ free, which is the
subset rule. Each tier (Σ over priority regions of u + v, Σ u, Σ (u + v), score) is linear.
Fixing a tier at its optimum (tier ≥ opt, tier ≤ opt being valid) keeps the optimal face,
and a face of an integral polytope is integral, so every staged LP has an integral vertex
optimum. The returned point is still checked: a non-integral or rule-breaking one (a
numerical accident) is re-solved with integrality.

The women-share row is not a network row, so with it each stage is first solved as an LP
(an integral LP optimum is also the MILP optimum) and, if fractional, as a MILP with
integral x_e. Tiers are solved in stages rather than mixed into one weighted objective, so
no precision is lost; stages whose optimum is already attained by an upper bound are
skipped.

The optional fifth tier (most chosen preferred edges, ``edge_prefer``) is one more stage
after the score, with the fill rows kept. The score is held at its optimum without a score
row where possible: one dual-simplex LP of the score stage gives optimal duals, and fixing
what complementary slackness forces (variables with a nonzero reduced cost at their bound,
rows with a nonzero dual tight) narrows the model to the optimal face, still integral
without a women share (see _Model.restrict_to_optimal_face), so the preferred count is
maximised by one more LP. Where that is not valid (a fractional LP optimum under a women
share), the score is held by the row score · x ≥ opt − 1e-7·max(1, |opt|) instead (an exact
"≥ opt" row could cut off the optimum itself within HiGHS's feasibility tolerance); that
row is not a network row and its slack admits fractional points, so the stage goes through
the LP-then-MILP check. Either way the answer is kept only when its exact (fsum) score is
not below the score stage's pairing's (fsum is correctly rounded, so equal exact sums
compare equal): a dual under the tolerance or the row's slack could admit a slightly worse
pairing, in which case a score row halfway between the two scores is added and the stage
re-run, and if that keeps failing (a difference below HiGHS's feasibility tolerance) the
score stage's pairing is returned. So the fifth tier never costs any score against the
pairing found without it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy.sparse import coo_matrix, csr_matrix, vstack

from matcher.solver.interrupt import call_interruptibly
from matcher.solver.problem import (
    InfeasibleLocksError,
    RegionSpec,
    SolverError,
    kinds_ok,
    women_share_ok,
)
from matcher.solver.quiet import native_stdout_to_stderr

if TYPE_CHECKING:
    from scipy.optimize import OptimizeResult

_INT_TOL = 1e-6
_GAP_TOL = 1e-9
# The preferred stage's score row: slack relative to max(1, |opt|), and how many times the
# row is tightened before giving the fifth tier up (see module doc).
_SCORE_SLACK = 1e-7
_PREFER_TRIES = 3
# Above this many edges, a component whose flow optimum broke its women share skips the LP.
_LP_FIRST_MAX_EDGES = 20_000
# A reduced cost or row dual counts as nonzero above this, relative to max(1, max|objective|).
_DUAL_TOL = 1e-7


@dataclass(frozen=True)
class ComponentResult:
    """Chosen edges of one component (local indices) with the proof of optimality."""

    edges: npt.NDArray[np.int64]
    gap: float
    optimal: bool
    method: str


@dataclass(frozen=True)
class ComponentProblem:
    """One component in local indices: edges, their region/kind/gender, and region rules."""

    edge_dev: npt.NDArray[np.int64]
    edge_par: npt.NDArray[np.int64]
    edge_score: npt.NDArray[np.float64]
    edge_region: npt.NDArray[np.int64]
    edge_kind: npt.NDArray[np.int64]
    edge_female: npt.NDArray[np.bool_]
    regions: tuple[RegionSpec, ...]
    region_ids: tuple[int, ...]
    locked: npt.NDArray[np.int64]
    n_kinds: int
    edge_prefer: npt.NDArray[np.bool_] | None = None

    def filled(self, chosen: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Return the pairs per local region."""
        counts = np.bincount(self.edge_region[chosen], minlength=len(self.regions))
        return counts.astype(np.int64)

    def tiers(self, chosen: npt.NDArray[np.int64]) -> tuple[int, int, int]:
        """Return (priority filled, min filled, filled) of a pairing."""
        filled = self.filled(chosen)
        prio = sum(int(f) for f, s in zip(filled, self.regions, strict=True) if s.priority)
        mins = sum(min(int(f), s.min) for f, s in zip(filled, self.regions, strict=True))
        return prio, mins, int(filled.sum())

    def is_valid(self, chosen: npt.NDArray[np.int64]) -> bool:
        """Return whether a pairing keeps every lock and every rule of the component."""
        if np.unique(self.edge_dev[chosen]).shape[0] != chosen.shape[0]:
            return False
        if np.unique(self.edge_par[chosen]).shape[0] != chosen.shape[0]:
            return False
        if np.setdiff1d(self.locked, chosen).shape[0]:
            return False
        n_r, n_k = len(self.regions), self.n_kinds
        counts = np.bincount(
            self.edge_region[chosen] * n_k + self.edge_kind[chosen], minlength=n_r * n_k
        ).reshape(n_r, n_k)
        female = np.bincount(self.edge_region[chosen][self.edge_female[chosen]], minlength=n_r)
        for r, spec in enumerate(self.regions):
            if kinds_ok([int(c) for c in counts[r]], spec) is not None:
                return False
            if not women_share_ok(int(female[r]), int(counts[r].sum()), spec.share_fraction()):
                return False
        return True


class _Model:
    """The sparse constraint system of one component and the stage solves on it."""

    def __init__(self, cp: ComponentProblem) -> None:
        self.cp = cp
        n_e = cp.edge_dev.shape[0]
        n_r, n_k = len(cp.regions), cp.n_kinds
        self.n_e = n_e
        devs, dev_of = np.unique(cp.edge_dev, return_inverse=True)
        pars, par_of = np.unique(cp.edge_par, return_inverse=True)
        n_d, n_p = devs.shape[0], pars.shape[0]
        kind_regions = [r for r, s in enumerate(cp.regions) if s.has_kind_rules(n_k)]
        # Variable layout: x | (u_r, v_r) per region | (y_rk, z_rk) per mixed region and kind.
        uv0 = n_e
        yz0 = n_e + 2 * n_r
        yz_base = {r: yz0 + 2 * n_k * i for i, r in enumerate(kind_regions)}
        n_var = yz0 + 2 * n_k * len(kind_regions)
        self.n_var = n_var
        lb = np.zeros(n_var)
        ub = np.full(n_var, np.inf)
        ub[:n_e] = 1.0
        lb[cp.locked] = 1.0
        for r, s in enumerate(cp.regions):
            ub[uv0 + 2 * r] = s.min
            ub[uv0 + 2 * r + 1] = s.max - s.min
        for r, base in yz_base.items():
            for k in range(n_k):
                ub[base + 2 * k] = cp.regions[r].reserved(k)
        self.lb, self.ub = lb, ub

        rows: list[npt.NDArray[np.int64]] = []
        cols: list[npt.NDArray[np.int64]] = []
        vals: list[npt.NDArray[np.float64]] = []
        row_lb: list[float] = []
        row_ub: list[float] = []
        edge_idx = np.arange(n_e, dtype=np.int64)
        ones = np.ones(n_e)

        def add_entries(
            r: npt.NDArray[np.int64], c: npt.NDArray[np.int64], v: npt.NDArray[np.float64]
        ) -> None:
            rows.append(r.astype(np.int64))
            cols.append(c.astype(np.int64))
            vals.append(v.astype(np.float64))

        def new_rows(count: int, lo: float, hi: float) -> int:
            first = len(row_lb)
            row_lb.extend([lo] * count)
            row_ub.extend([hi] * count)
            return first

        r0 = new_rows(n_d, -np.inf, 1.0)
        add_entries(r0 + dev_of, edge_idx, ones)
        r0 = new_rows(n_p, -np.inf, 1.0)
        add_entries(r0 + par_of, edge_idx, ones)

        # row receiving each edge's x: its region row, or its (region, kind) row if mixed
        edge_row_of = np.zeros(n_r * n_k, dtype=np.int64)
        for r, s in enumerate(cp.regions):
            u, v = uv0 + 2 * r, uv0 + 2 * r + 1
            region_row = new_rows(1, 0.0, 0.0)
            add_entries(np.full(2, region_row), np.array([u, v]), np.array([-1.0, -1.0]))
            if r not in yz_base:
                edge_row_of[r * n_k : (r + 1) * n_k] = region_row
                continue
            base = yz_base[r]
            free_row = new_rows(1, -np.inf, float(s.free_places()))
            for k in range(n_k):
                y, z = base + 2 * k, base + 2 * k + 1
                kind_row = new_rows(1, 0.0, 0.0)
                edge_row_of[r * n_k + k] = kind_row
                add_entries(np.full(2, kind_row), np.array([y, z]), np.array([-1.0, -1.0]))
                add_entries(np.full(2, region_row), np.array([y, z]), np.array([1.0, 1.0]))
                add_entries(np.array([free_row]), np.array([z]), np.array([1.0]))
                limit = s.max_per_kind[k] if k < len(s.max_per_kind) else None
                if limit is not None:
                    cap_row = new_rows(1, -np.inf, float(limit))
                    add_entries(np.full(2, cap_row), np.array([y, z]), np.array([1.0, 1.0]))
        add_entries(edge_row_of[cp.edge_region * n_k + cp.edge_kind], edge_idx, ones)

        self.integral_lp = True
        for r, s in enumerate(cp.regions):
            share = s.share_fraction()
            if share is None:
                continue
            self.integral_lp = False
            in_r = np.flatnonzero(cp.edge_region == r)
            coef = np.where(
                cp.edge_female[in_r],
                float(share.denominator - share.numerator),
                float(-share.numerator),
            )
            women_row = new_rows(1, 0.0, np.inf)
            add_entries(np.full(in_r.shape[0], women_row), in_r, coef)

        n_rows = len(row_lb)
        self.matrix = csr_matrix(
            coo_matrix(
                (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))),
                shape=(n_rows, n_var),
            )
        )
        self.row_lb = np.array(row_lb)
        self.row_ub = np.array(row_ub)
        self.fixed: list[tuple[npt.NDArray[np.float64], float]] = []

        def tier_vector(select: list[int], with_v: bool) -> npt.NDArray[np.float64]:
            vec = np.zeros(n_var)
            for r in select:
                vec[uv0 + 2 * r] = 1.0
                if with_v:
                    vec[uv0 + 2 * r + 1] = 1.0
            return vec

        all_r = list(range(n_r))
        self.tier_vectors = (
            tier_vector([r for r, s in enumerate(cp.regions) if s.priority], True),
            tier_vector(all_r, False),
            tier_vector(all_r, True),
        )
        score_vec = np.zeros(n_var)
        score_vec[:n_e] = cp.edge_score
        self.score_vector = score_vec
        self.used_milp = False
        # Whether a stage tries the LP before the MILP; off when the LP is known to be
        # fractional anyway (the MILP solves that LP at its root, so nothing is lost).
        self.lp_first = True

    def fix(self, vec: npt.NDArray[np.float64], value: float) -> None:
        """Add the row vec · var ≥ value (a tier kept at its optimum)."""
        self.fixed.append((vec, float(value)))

    def _system(self) -> tuple[csr_matrix, npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Return the rows lo ≤ A·var ≤ hi, the fixed tier rows last."""
        matrix = self.matrix
        lo, hi = self.row_lb, self.row_ub
        if self.fixed:
            extra = csr_matrix(np.vstack([vec for vec, _ in self.fixed]))
            matrix = vstack([matrix, extra], format="csr")
            lo = np.concatenate([lo, [val for _, val in self.fixed]])
            hi = np.concatenate([hi, np.full(len(self.fixed), np.inf)])
        return matrix, lo, hi

    def _run(self, objective: npt.NDArray[np.float64], integral: bool) -> OptimizeResult:
        # scipy.optimize (0.12 s to import) only for the components that need HiGHS
        from scipy.optimize import Bounds, LinearConstraint, milp

        matrix, lo, hi = self._system()
        integrality = np.zeros(self.n_var, dtype=np.int8)
        if integral:
            integrality[: self.n_e] = 1
        with native_stdout_to_stderr():
            return call_interruptibly(
                lambda: milp(
                    -objective,
                    integrality=integrality,
                    bounds=Bounds(self.lb, self.ub),
                    constraints=LinearConstraint(matrix, lo, hi),
                    # HiGHS's presolve (scipy 1.17) wrongly reports some of these small
                    # models infeasible, and sometimes crashes on them, when columns are
                    # fixed at 0; the models are already pruned, so presolve buys little.
                    options={"mip_rel_gap": 0.0, "presolve": False},
                )
            )

    def snapshot(self) -> tuple[npt.NDArray[np.float64], ...]:
        """Return copies of the variable and row bounds (for restore)."""
        return self.lb.copy(), self.ub.copy(), self.row_lb.copy(), self.row_ub.copy()

    def restore(self, saved: tuple[npt.NDArray[np.float64], ...]) -> None:
        """Put back bounds taken by snapshot."""
        self.lb, self.ub, self.row_lb, self.row_ub = saved

    def restrict_to_optimal_face(self, objective: npt.NDArray[np.float64]) -> bool:
        """Narrow the bounds to the optimal face of max ``objective``; return whether done.

        One dual-simplex LP gives an optimum x* and its duals. By complementary slackness,
        every optimum sits at the bound of each variable with a nonzero reduced cost and
        makes each row with a nonzero dual tight, so fixing those (at x*'s own bound, only
        where the dual clears a tolerance of 1e-7·max(1, max|objective|)) keeps every
        optimum and x* itself. Setting valid inequalities to equality gives a face of the
        feasible polytope, so without a women share the narrowed LP is still integral, with
        no score row. With one, the narrowing is only valid when x* is integral (then the
        LP and MILP optima agree, and the MILP optima are the integral points of the LP
        face); otherwise nothing is changed and False returned. The fixed tier rows are
        tight at every feasible point already and are left alone.
        """
        from scipy.optimize import linprog

        matrix, lo, hi = self._system()
        eq = lo == hi
        up = np.flatnonzero(~eq & np.isfinite(hi))
        down = np.flatnonzero(~eq & np.isfinite(lo))
        with native_stdout_to_stderr():
            res = call_interruptibly(
                lambda: linprog(
                    -objective,
                    A_ub=vstack([matrix[up], -matrix[down]], format="csr"),
                    b_ub=np.concatenate([hi[up], -lo[down]]),
                    A_eq=matrix[np.flatnonzero(eq)],
                    b_eq=lo[eq],
                    bounds=np.column_stack([self.lb, self.ub]),
                    method="highs-ds",
                    options={"presolve": False},
                )
            )
        if res.status != 0 or res.x is None:
            return False
        x = np.asarray(res.x)
        edges = x[: self.n_e]
        chosen = np.flatnonzero(edges > 0.5).astype(np.int64)
        if not (np.all(np.abs(edges - np.round(edges)) <= _INT_TOL) and self.cp.is_valid(chosen)):
            return False
        tol = _DUAL_TOL * max(1.0, float(np.abs(objective).max()))
        at_lb = (np.asarray(res.lower.marginals) > tol) & (np.abs(x - self.lb) <= _INT_TOL)
        at_ub = (np.asarray(res.upper.marginals) < -tol) & (np.abs(x - self.ub) <= _INT_TOL)
        self.ub = np.where(at_lb, self.lb, self.ub)
        self.lb = np.where(at_ub, self.ub, self.lb)
        n_base = self.row_lb.shape[0]
        duals = np.asarray(res.ineqlin.marginals)
        tight_up = up[duals[: up.shape[0]] < -tol]
        tight_down = down[duals[up.shape[0] :] < -tol]
        tight_up = tight_up[tight_up < n_base]
        tight_down = tight_down[tight_down < n_base]
        self.row_lb = self.row_lb.copy()
        self.row_ub = self.row_ub.copy()
        self.row_lb[tight_up] = self.row_ub[tight_up]
        self.row_ub[tight_down] = self.row_lb[tight_down]
        return True

    def solve_stage(
        self, objective: npt.NDArray[np.float64], *, may_fail: bool = False
    ) -> tuple[npt.NDArray[np.int64], float] | None:
        """Maximise ``objective``; return the chosen edges and a proven upper bound.

        Returns None when the model is infeasible and ``may_fail`` is set; otherwise an
        infeasible model means the locks break a women share.
        """
        if self.lp_first or self.integral_lp:
            res = self._run(objective, integral=False)
            if not self._check_status(res, may_fail):
                return None
            x = np.asarray(res.x[: self.n_e])
            chosen = np.flatnonzero(x > 0.5).astype(np.int64)
            if np.all(np.abs(x - np.round(x)) <= _INT_TOL) and self.cp.is_valid(chosen):
                return chosen, -float(res.fun)
        self.used_milp = True
        res = self._run(objective, integral=True)
        if not self._check_status(res, may_fail):
            return None
        chosen = np.flatnonzero(np.asarray(res.x[: self.n_e]) > 0.5).astype(np.int64)
        if not self.cp.is_valid(chosen):
            raise SolverError("HiGHS returned a pairing that breaks a rule (numerical trouble)")
        bound = res.get("mip_dual_bound")
        return chosen, -float(bound if bound is not None else res.fun)

    def _check_status(self, res: OptimizeResult, may_fail: bool) -> bool:
        if res.status == 2:
            if may_fail:
                return False
            raise _locks_break_women_share(self.cp)
        if res.status != 0 or res.x is None:
            raise SolverError(f"HiGHS did not solve the problem: {res.message}")
        return True


def _locks_break_women_share(cp: ComponentProblem) -> InfeasibleLocksError:
    """Name a region whose locks break its women share (the only rule locks can break here)."""
    locked = cp.locked
    for r, spec in enumerate(cp.regions):
        share = spec.share_fraction()
        in_r = locked[cp.edge_region[locked] == r]
        female = int(np.count_nonzero(cp.edge_female[in_r]))
        if not women_share_ok(female, in_r.shape[0], share):
            return InfeasibleLocksError(
                f"region {cp.region_ids[r]}: the locked pairs break the women-share rule "
                f"({female} of {in_r.shape[0]} locked developers are women, at least "
                f"{spec.min_women_share} wanted) and no other pairs can restore it",
                region=cp.region_ids[r],
                rule="min_women_share",
            )
    return InfeasibleLocksError(
        f"regions {list(cp.region_ids)}: the locked pairs cannot all be kept",
        region=cp.region_ids[0],
        rule="locks",
    )


def solve_flow(
    cp: ComponentProblem, *, upper: tuple[int, int, int] | None = None
) -> ComponentResult:
    """Solve one component exactly: fill tiers, the score, then preferred edges (module doc).

    First a probe: the best score with every fill tier at its upper bound. When that is
    feasible (the usual case: quotas can be met) it is the answer, since no pairing has a
    higher tier. Otherwise the tiers are maximised one stage at a time.

    ``upper``, the fill tiers of an optimum of a relaxation (the min-cost flow without the
    women share), replaces the probe's bounds: every pairing is lexicographically at most
    it, so one that reaches it in every tier is optimal in the fill tiers. It also bounds
    the first tier when the stages run.
    """
    n_e = cp.edge_dev.shape[0]
    if n_e == 0:
        return ComponentResult(np.zeros(0, dtype=np.int64), 0.0, True, "milp")
    model = _Model(cp)
    # Called with a relaxation's tiers, the flow optimum broke the women share: the LP
    # optimum usually does too, so on large models each stage goes straight to the MILP
    # (19 s of LP saved on 265,000 variables). Small models keep the LP first: it is cheap
    # there, and its integral vertex is the pairing earlier versions returned.
    model.lp_first = upper is None or n_e <= _LP_FIRST_MAX_EDGES
    regions = cp.regions
    ubs = list(_tier_upper_bounds(cp))
    active = [any(s.priority for s in regions), any(s.min > 0 for s in regions), True]
    probe_ubs = list(ubs if upper is None else upper)
    if upper is not None:
        first = active.index(True)
        ubs[first] = min(ubs[first], upper[first])

    for tier in range(3):
        if active[tier]:
            model.fix(model.tier_vectors[tier], probe_ubs[tier])
    probe = model.solve_stage(model.score_vector, may_fail=True)
    if probe is None:
        model.fixed.clear()
        current: npt.NDArray[np.int64] | None = None
        opts: list[int] = []
        for tier in range(3):
            if not active[tier]:
                opts.append(-1)
                continue
            ub = ubs[tier]
            if tier == 2 and all(s.priority for s in regions) and opts[0] >= 0:
                ub = min(ub, opts[0])
            if tier == 2 and all(s.min == s.max for s in regions) and opts[1] >= 0:
                ub = min(ub, opts[1])
            if current is None or cp.tiers(current)[tier] < ub:
                stage = model.solve_stage(model.tier_vectors[tier])
                assert stage is not None  # may_fail is off: infeasibility raises
                current = stage[0]
            value = cp.tiers(current)[tier]
            opts.append(value)
            model.fix(model.tier_vectors[tier], value)
        probe = model.solve_stage(model.score_vector)
        assert probe is not None
        if current is not None and cp.tiers(probe[0]) != cp.tiers(current):
            raise SolverError("the score stage changed a fill tier (numerical trouble)")
    chosen, bound = probe
    chosen = _most_preferred(model, chosen)
    score = math.fsum(cp.edge_score[chosen].tolist())
    gap = max(0.0, bound - score)
    if gap <= _GAP_TOL * max(1.0, abs(score)):
        gap = 0.0
    return ComponentResult(chosen, gap, True, "milp")


def _most_preferred(model: _Model, chosen: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
    """Return a pairing optimal for tiers 1–4 with the most preferred edges (module doc).

    ``chosen`` is the score stage's pairing and the model still holds the fill-tier rows.
    Skipped when there is nothing to prefer or ``chosen`` already reaches the bound
    min(preferred edges, their distinct developers, their distinct partners).
    """
    cp = model.cp
    pref = cp.edge_prefer
    if pref is None or not pref.any():
        return chosen
    flagged = np.flatnonzero(pref)
    most = min(
        flagged.shape[0],
        np.unique(cp.edge_dev[flagged]).shape[0],
        np.unique(cp.edge_par[flagged]).shape[0],
    )
    kept = int(np.count_nonzero(pref[chosen]))
    if kept >= most:
        return chosen
    opt = math.fsum(cp.edge_score[chosen].tolist())
    tiers = cp.tiers(chosen)
    objective = np.zeros(model.n_var)
    objective[: model.n_e] = pref
    saved = model.snapshot()
    try:
        on_face = model.restrict_to_optimal_face(model.score_vector)
        slack: float | None = None if on_face else _SCORE_SLACK * max(1.0, abs(opt))
        for _ in range(_PREFER_TRIES + 1):
            if slack is not None:
                model.fix(model.score_vector, opt - slack)
            stage = model.solve_stage(objective, may_fail=True)
            if slack is not None:
                model.fixed.pop()
            if stage is None:
                break
            found = stage[0]
            score = math.fsum(cp.edge_score[found].tolist())
            if cp.tiers(found) != tiers:
                break  # numerical trouble: the fill rows were not kept
            if score >= opt:
                better = int(np.count_nonzero(pref[found])) >= kept
                return found if better else chosen
            # The face (a dual under tolerance) or the slack admitted a slightly worse
            # pairing: exclude it with a score row and try again.
            slack = (opt - score) / 2
        return chosen
    finally:
        model.restore(saved)


def _tier_upper_bounds(cp: ComponentProblem) -> tuple[int, int, int]:
    """Return upper bounds on the three fill tiers, valid for the LP relaxation too.

    Per region: filled ≤ max, ≤ its partners (partner rows), and with a mix
    ≤ Σ_k min(kind cap, partners of kind k) (y_rk + z_rk ≤ reserved_k + free and ≤ the
    kind's maximum). In all: ≤ the developers (developer rows).
    """
    regions, n_k = cp.regions, cp.n_kinds
    _, first = np.unique(cp.edge_par, return_index=True)
    per_kind = np.bincount(
        cp.edge_region[first] * n_k + cp.edge_kind[first], minlength=len(regions) * n_k
    ).reshape(len(regions), n_k)
    reach: list[int] = []
    for r, spec in enumerate(regions):
        cap = min(spec.max, int(per_kind[r].sum()))
        if spec.has_kind_rules(n_k):
            cap = min(cap, sum(min(spec.kind_cap(k), int(per_kind[r, k])) for k in range(n_k)))
        reach.append(cap)
    n_dev = int(np.unique(cp.edge_dev).shape[0])
    prio = min(n_dev, sum(c for c, s in zip(reach, regions, strict=True) if s.priority))
    mins = min(n_dev, sum(min(s.min, c) for c, s in zip(reach, regions, strict=True)))
    return prio, mins, min(n_dev, sum(reach))
