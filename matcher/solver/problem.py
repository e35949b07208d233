"""Data types of the exact solver: the problem on raw arrays, the solution, and their errors."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction

import numpy as np
import numpy.typing as npt

from matcher.errors import InputError, MatcherError

# A share is read as the nearest fraction with a denominator at most this, so that the
# women-share rule becomes an inequality between integers (0.3 is exactly 3/10).
SHARE_MAX_DENOMINATOR = 1000


def _empty_int() -> npt.NDArray[np.int64]:
    return np.zeros(0, dtype=np.int64)


class InvalidProblemError(InputError):
    """The arrays or region specs handed to the solver are inconsistent."""


class InfeasibleLocksError(InputError):
    """The locked pairs cannot all be kept without breaking a rule of one region."""

    def __init__(
        self,
        message: str,
        *,
        region: int | None = None,
        rule: str = "locks",
        kind: int | None = None,
    ) -> None:
        super().__init__(message)
        self.region = region
        self.rule = rule
        self.kind = kind


class SolverError(MatcherError):
    """The LP/MILP backend failed or returned a point that does not check out."""


class MilpTooLargeError(SolverError):
    """A component needs the women-share MILP but has more edges than the caller allows."""

    def __init__(self, edges: int, limit: int) -> None:
        super().__init__(f"a women-share MILP of {edges} edges (limit {limit})")
        self.edges, self.limit = edges, limit


@dataclass(frozen=True)
class RegionSpec:
    """Quota and side rules of one region (a pair belongs to its partner's region)."""

    max: int
    min: int
    priority: bool = False
    min_per_kind: tuple[int, ...] = ()
    max_per_kind: tuple[int | None, ...] = ()
    min_women_share: float | None = None

    def reserved(self, kind: int) -> int:
        """Return the places reserved for ``kind`` (0 when no mix is set)."""
        return self.min_per_kind[kind] if kind < len(self.min_per_kind) else 0

    def free_places(self) -> int:
        """Return the places not reserved for any kind."""
        return self.max - sum(self.min_per_kind)

    def kind_cap(self, kind: int) -> int:
        """Return the most pairs of ``kind`` any valid pairing can hold in this region."""
        cap = min(self.max, self.reserved(kind) + self.free_places())
        if kind < len(self.max_per_kind):
            limit = self.max_per_kind[kind]
            if limit is not None:
                cap = min(cap, limit)
        return max(cap, 0)

    def has_kind_rules(self, n_kinds: int) -> bool:
        """Return whether a kind mix actually constrains this region."""
        if any(m > 0 for m in self.min_per_kind):
            return True
        return any(self.kind_cap(k) < self.max for k in range(n_kinds))

    def share_fraction(self) -> Fraction | None:
        """Return the women share as an exact fraction, or None when there is no such rule."""
        if self.min_women_share is None or self.min_women_share <= 0:
            return None
        return Fraction(self.min_women_share).limit_denominator(SHARE_MAX_DENOMINATOR)


def women_share_regions(specs: Sequence[RegionSpec]) -> npt.NDArray[np.bool_]:
    """Return, per region, whether a women share rule binds it."""
    return np.array([s.share_fraction() is not None for s in specs], dtype=np.bool_)


def women_share_ok(female: int, filled: int, share: Fraction | None) -> bool:
    """Return whether ``female`` of ``filled`` paired developers meet ``share``."""
    if share is None:
        return True
    return share.denominator * female >= share.numerator * filled


def kinds_ok(counts: list[int], spec: RegionSpec) -> str | None:
    """Return the broken kind rule for per-kind counts of one region, or None.

    The reserved-place rule "for every subset S of kinds, Σ_{k∈S} c_k ≤ max − Σ_{k∉S} min_k"
    is, taking S = {k : c_k > min_k} (the tightest subset), Σ_k max(0, c_k − min_k) ≤ free.
    """
    if sum(counts) > spec.max:
        return "quota"
    for k, c in enumerate(counts):
        if k < len(spec.max_per_kind):
            limit = spec.max_per_kind[k]
            if limit is not None and c > limit:
                return "max_per_kind"
    if sum(max(0, c - spec.reserved(k)) for k, c in enumerate(counts)) > spec.free_places():
        return "min_per_kind"
    return None


@dataclass(frozen=True)
class AssignmentProblem:
    """Allowed pairs with their scores, the partners' regions and kinds, and the region rules."""

    n_dev: int
    n_par: int
    edge_dev: npt.NDArray[np.int64]
    edge_par: npt.NDArray[np.int64]
    edge_score: npt.NDArray[np.float64]
    par_region: npt.NDArray[np.int64]
    par_kind: npt.NDArray[np.int64]
    dev_female: npt.NDArray[np.bool_]
    regions: tuple[RegionSpec, ...]
    locked: npt.NDArray[np.int64] = field(default_factory=_empty_int)
    n_kinds: int = 3

    @property
    def n_edges(self) -> int:
        """Return the number of allowed pairs."""
        return int(self.edge_dev.shape[0])

    def validate(self) -> None:
        """Raise InvalidProblemError when arrays or specs are inconsistent."""
        errors: list[str] = []
        n_e = self.edge_dev.shape[0]
        for name in (
            "edge_dev",
            "edge_par",
            "edge_score",
            "par_region",
            "par_kind",
            "dev_female",
            "locked",
        ):
            if getattr(self, name).ndim != 1:
                errors.append(f"{name} must be one-dimensional")
        if errors:
            raise InvalidProblemError("; ".join(errors))
        if self.edge_par.shape[0] != n_e or self.edge_score.shape[0] != n_e:
            errors.append("edge_dev, edge_par and edge_score must have the same length")
        if self.par_region.shape[0] != self.n_par or self.par_kind.shape[0] != self.n_par:
            errors.append("par_region and par_kind must have one entry per partner")
        if self.dev_female.shape[0] != self.n_dev:
            errors.append("dev_female must have one entry per developer")
        if n_e and (self.edge_dev.min() < 0 or self.edge_dev.max() >= self.n_dev):
            errors.append("edge_dev holds an index outside 0..n_dev-1")
        if n_e and (self.edge_par.min() < 0 or self.edge_par.max() >= self.n_par):
            errors.append("edge_par holds an index outside 0..n_par-1")
        if n_e and not np.isfinite(self.edge_score).all():
            errors.append("edge_score holds a NaN or infinite value")
        n_r = len(self.regions)
        if self.n_par and (self.par_region.min() < 0 or self.par_region.max() >= n_r):
            errors.append("par_region holds an index outside the regions")
        if self.n_par and (self.par_kind.min() < 0 or self.par_kind.max() >= self.n_kinds):
            errors.append("par_kind holds an index outside 0..n_kinds-1")
        if self.locked.shape[0] and (self.locked.min() < 0 or self.locked.max() >= n_e):
            errors.append("locked holds an index outside the edges")
        for r, spec in enumerate(self.regions):
            errors.extend(f"region {r}: {msg}" for msg in _spec_errors(spec, self.n_kinds))
        if errors:
            raise InvalidProblemError("invalid assignment problem: " + "; ".join(errors))


def _spec_errors(spec: RegionSpec, n_kinds: int) -> list[str]:
    errors: list[str] = []
    if not 0 <= spec.min <= spec.max:
        errors.append(f"needs 0 <= min <= max, got min={spec.min}, max={spec.max}")
    if spec.min_per_kind and len(spec.min_per_kind) != n_kinds:
        errors.append("min_per_kind must have one entry per kind")
    if any(m < 0 for m in spec.min_per_kind):
        errors.append("min_per_kind entries must be >= 0")
    if sum(spec.min_per_kind) > spec.max:
        errors.append(f"reserves {sum(spec.min_per_kind)} places by kind but has only {spec.max}")
    if spec.max_per_kind and len(spec.max_per_kind) != n_kinds:
        errors.append("max_per_kind must have one entry per kind")
    if any(m is not None and m < 0 for m in spec.max_per_kind):
        errors.append("max_per_kind entries must be >= 0")
    share = spec.min_women_share
    if share is not None and not (math.isfinite(share) and 0.0 <= share <= 1.0):
        errors.append("min_women_share must be between 0 and 1")
    return errors


@dataclass(frozen=True)
class Solution:
    """Chosen pairs with their fill tiers, score, and proof of optimality.

    ``preferred_kept`` counts the chosen edges flagged in ``solve(..., prefer=...)`` (the
    fifth tier); it is 0 when no flags were given.
    """

    edges: npt.NDArray[np.int64]
    filled: npt.NDArray[np.int64]
    priority_filled: int
    min_filled: int
    total_score: float
    bound: float
    gap: float
    method: str
    optimal: bool
    preferred_kept: int = 0
