"""Exact pairing solver on raw arrays: quotas, kind mix, women share, locks, tiered objective."""

from __future__ import annotations

from matcher.solver.problem import (
    AssignmentProblem,
    InfeasibleLocksError,
    InvalidProblemError,
    MilpTooLargeError,
    RegionSpec,
    Solution,
    SolverError,
)
from matcher.solver.prune import prune_developer_side, prune_heaviest, prune_partner_side
from matcher.solver.solve import solve

__all__ = [
    "AssignmentProblem",
    "InfeasibleLocksError",
    "InvalidProblemError",
    "MilpTooLargeError",
    "RegionSpec",
    "Solution",
    "SolverError",
    "prune_developer_side",
    "prune_heaviest",
    "prune_partner_side",
    "solve",
]
