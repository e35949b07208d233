"""The solver's view of a run: region specs and group caps from the config, the problem from edges.

Shared by the pipeline and the diagnosis (which re-solves under changed configs), below both.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import numpy.typing as npt

from matcher.config import MatcherConfig
from matcher.models import KINDS, Developer, Partner
from matcher.reference import REGIONS
from matcher.solver import AssignmentProblem, RegionSpec

Int64s = npt.NDArray[np.int64]
_KIND_AT = {kind: k for k, kind in enumerate(KINDS)}


def region_specs(config: MatcherConfig) -> tuple[RegionSpec, ...]:
    """Return the solver's view of every region's quota and mix, in region-code order."""
    specs = []
    for region in REGIONS:
        low, high = config.quota(region.code)
        specs.append(
            RegionSpec(
                max=high,
                min=low,
                priority=config.is_priority(region.code),
                min_per_kind=tuple(config.mix.min_per_kind.get(k, 0) for k in KINDS),
                max_per_kind=tuple(config.mix.max_per_kind.get(k) for k in KINDS),
                min_women_share=config.mix.min_women_share,
            )
        )
    return tuple(specs)


def group_caps(specs: Sequence[RegionSpec]) -> Int64s:
    """Return the most pairs each pruning group can hold, indexed region * 3 + kind.

    A region whose kind mix constrains nothing is one group (slot kind 0, see
    partner_groups): any of its partners may replace another, so a developer needs only
    its best ``max`` edges there, not ``max`` of each kind. The caps are the solver's own
    (RegionSpec.kind_cap), so its developer-side pruning finds nothing left to drop.
    """
    caps = np.zeros(len(specs) * len(KINDS), dtype=np.int64)
    for r, spec in enumerate(specs):
        for k in range(len(KINDS)):
            mixed = spec.has_kind_rules(len(KINDS))
            caps[r * len(KINDS) + k] = spec.kind_cap(k) if mixed else spec.max
    return caps


def partner_groups(specs: Sequence[RegionSpec], *, par_region: Int64s, par_kind: Int64s) -> Int64s:
    """Return each partner's pruning group: its region, split by kind where a kind rule acts."""
    mixed = np.array([s.has_kind_rules(len(KINDS)) for s in specs], dtype=np.bool_)
    groups: Int64s = par_region * len(KINDS) + np.where(mixed[par_region], par_kind, 0)
    return groups


def assignment_problem(
    *,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    region_index: Mapping[str, int],
    specs: tuple[RegionSpec, ...],
    edge_dev: Int64s,
    edge_par: Int64s,
    edge_score: npt.NDArray[np.float64],
    locked: Int64s,
) -> AssignmentProblem:
    """Return the solver's problem for these edges (indices into the people given)."""
    return AssignmentProblem(
        n_dev=len(developers),
        n_par=len(partners),
        edge_dev=edge_dev,
        edge_par=edge_par,
        edge_score=edge_score,
        par_region=np.array([region_index[p.region] for p in partners], dtype=np.int64),
        par_kind=np.array([_KIND_AT[p.kind] for p in partners], dtype=np.int64),
        dev_female=np.array([d.gender == "female" for d in developers], dtype=np.bool_),
        regions=specs,
        locked=locked,
        n_kinds=len(KINDS),
    )
