"""Say why a region falls short, and find by re-solving the smallest change that fills it.

Every relaxation is a change to ``matcher.toml`` (``Change``: a dotted key and its new value)
that a coordinator can make, and every number reported comes from solving the changed
problem exactly, never from an estimate. Relaxations are tried in ORDER, the least intrusive
first, until one fills the region. For the thresholds (distances, the minimum score, places
per kind, the women share, other regions' quotas) the value is searched over the sorted
values at which some pair or place changes (a distance at which a pair comes within reach, a
score at which a pair passes): from the first step whose upper bound allows a fill, galloping
up, then bisecting, each probe a solve.

Cost. Only the connected components (regions linked by shared candidate developers) that
hold a short region are re-solved. Relaxations that leave every score unchanged (all but
``max_distance_km`` and the cross-region policy) reuse a candidate graph, scored once under
the loosest of those rules and filtered and pruned per probe (a smaller graph keeping the
language rule and the minimum score serves the probes that keep them; the full one is built
only when needed); a bipartite-matching bound on that graph settles most probes without
solving. A probe is settled without the score stage when the fill tiers alone fix the
short regions' places (forced_fills: one flow solve whose scores favour the women's pairs,
which meets a women share where the scored solve needs the MILP). A region that no
relaxation can fill further (_ceiling: too few partners, or developers who could ever
reach it) gets no probe at all. A probe under which the short region alone (its own
partners, kind caps and women share, every developer allowed into it free) could not hold
more than today is answered "today's count" without solving (_Prober.alone_exceeds), and
a relaxation for which that holds at its loosest step is not searched. Short regions are
searched in a thread pool; a change two of them probe at once is solved once.

Imports run one way: the pipeline calls this module, which never imports the pipeline.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import ValidationError
from scipy.sparse import coo_matrix, csr_matrix
from scipy.sparse.csgraph import connected_components, maximum_bipartite_matching

from matcher.config import MatcherConfig
from matcher.edges import build_edges
from matcher.errors import MatcherError
from matcher.geo import haversine_km, locate
from matcher.i18n import _
from matcher.models import KINDS, Developer, Partner
from matcher.reference import REGIONS, get_region
from matcher.rules import may_cross_regions
from matcher.scoring import MOBILITIES, _language, _places
from matcher.solver import (
    AssignmentProblem,
    MilpTooLargeError,
    RegionSpec,
    prune_developer_side,
    solve,
)
from matcher.solver.problem import women_share_ok
from matcher.solver.quiet import native_stdout_to_stderr
from matcher.specs import assignment_problem, group_caps, partner_groups, region_specs

Int64s = npt.NDArray[np.int64]
Float64s = npt.NDArray[np.float64]
Bools = npt.NDArray[np.bool_]

# A probe whose linked regions need the women-share MILP is solved only up to this many
# pairs: beyond, one HiGHS run took about a minute (an imbalanced 6,000 x 1,200 call with a
# kind mix), and a search makes several. The search for that region stops there, and its
# finding says so; the limit is a count, so the result stays the same from run to run.
MILP_PROBE_LIMIT = 100_000

# Above this many candidate pairs the shared graph would cost more memory than rescoring
# per probe saves time; the diagnosis then rebuilds the edges of every probe.
WIDE_GRAPH_LIMIT = 5_000_000

_NO_EDGES: Int64s = np.zeros(0, dtype=np.int64)
# a region alone: its index, n pairs, its kind caps, the rules allowing its pairs
_AloneKey = tuple[int, int, tuple[int, ...], str]

# Relaxations are tried, and a fix is chosen, in this order: the least intrusive first.
ORDER = (
    "remote_distance",
    "priority",
    "quota",
    "distance",
    "min_score",
    "min_per_kind",
    "max_per_kind",
    "women_share",
    "language",
    "cross_region",
)


@dataclass(frozen=True)
class Change:
    """One change to matcher.toml: a dotted key ("rules.min_score") and its new value."""

    key: str
    value: Any


@dataclass(frozen=True)
class Fix:
    """Changes to the config and the places of the region they fill, found by re-solving."""

    rule: str  # "remote_distance", "quota:MA-11", "min_per_kind:farmer", "women_share"…
    changes: tuple[Change, ...]
    filled: int
    wanted: int

    @property
    def fills(self) -> bool:
        """Return whether the change fills the region to what it wants."""
        return self.filled >= self.wanted


class _SearchCut(Exception):
    """A probe of a region's search needs a MILP above the limit: that search stops."""


@dataclass(frozen=True)
class Finding:
    """Why one region falls short, and the changes that fill it or help."""

    region: str
    wanted: int
    filled: int
    fix: Fix | None  # the smallest change that fills (one rule or two), or the pair that
    # fills most when no single rule helps as much
    helps: tuple[Fix, ...]  # every single relaxation that fills more, in ORDER
    text: str


Steps = tuple[tuple[Change, ...], ...]


@dataclass(frozen=True)
class _Relaxation:
    rule: str
    # from the smallest change to the loosest, or what lists them when first needed
    made: Steps | Callable[[], Steps]
    rescore: bool  # the change alters scores or reach: the edges are scored again
    cause: str

    @functools.cached_property
    def steps(self) -> Steps:
        """Return the steps, from the smallest change to the loosest."""
        return self.made() if callable(self.made) else self.made


def apply_changes(config: MatcherConfig, changes: Sequence[Change]) -> MatcherConfig:
    """Return the config with the changes made, validated like a matcher.toml."""
    data = config.model_dump(mode="python")
    for change in changes:
        *path, last = change.key.split(".")
        node = data
        for part in path:
            node = node.setdefault(part, {})
        node[last] = list(change.value) if isinstance(change.value, tuple) else change.value
    return MatcherConfig.model_validate(data)


def change_text(change: Change, config: MatcherConfig) -> str:
    """Return one change in words, e.g. 'allowing remote pairs up to 1,500 km'."""
    key, value = change.key, change.value
    if key == "rules.remote_max_distance_km":
        if value is None:
            return _("removing the distance limit of remote pairs")
        return _("allowing remote pairs up to {km} km").format(km=f"{value:,.0f}")
    if key == "rules.max_distance_km":
        return _("raising max_distance_km to {km} km").format(km=f"{value:,.0f}")
    if key == "rules.min_score":
        return _("lowering min_score to {score}").format(score=f"{value:g}")
    if key == "rules.require_shared_language":
        return _("dropping the shared-language rule")
    if key == "rules.cross_region":
        return _('setting cross_region = "{policy}"').format(policy=value)
    if key == "priority.regions":
        added = [code for code in value if code not in config.priority.regions]
        return _("making {region} a priority region").format(
            region=", ".join(get_region(code).name for code in added)
        )
    if key.startswith("quotas.regions."):
        high = value["max"] if isinstance(value, dict) else value
        return _("lowering the quota of {region} to {n}").format(
            region=get_region(key.rsplit(".", 1)[1]).name, n=high
        )
    if key.startswith("mix.min_per_kind."):
        return _("lowering mix.min_per_kind.{kind} to {n}").format(
            kind=key.rsplit(".", 1)[1], n=value
        )
    if key.startswith("mix.max_per_kind."):
        return _("raising mix.max_per_kind.{kind} to {n}").format(
            kind=key.rsplit(".", 1)[1], n=value
        )
    if key == "mix.min_women_share":
        if not value:
            return _("dropping mix.min_women_share")
        return _("lowering mix.min_women_share to {share}").format(share=f"{value:g}")
    return f"{key} = {value!r}"


def fix_text(fix: Fix, config: MatcherConfig) -> str:
    """Return a fix's changes in words, joined by 'and'."""
    texts = [change_text(c, config) for c in fix.changes]
    if len(texts) == 2:
        return _("{first} and {second}").format(first=texts[0], second=texts[1])
    return "; ".join(texts)


@dataclass(frozen=True, eq=False)
class _Graph:
    """Every candidate pair under the loosest rules that keep scores and reach unchanged.

    That is the run's config without the remote distance limit, and for the full graph
    without the language rule and the minimum score too; each probe of those rules (and of
    quotas, priorities and the mix) filters and prunes this graph instead of scoring again.
    """

    dev: Int64s
    par: Int64s
    score: Float64s
    km: Float64s  # float32 distances widened, exactly as the rules compare them
    cross: Bools
    remote: Bools
    shared: Bools
    locked: Bools
    dev_mobility: Int64s  # per edge, index into MOBILITIES

    def allowed(self, config: MatcherConfig) -> Bools:
        """Return which edges every rule of ``config`` allows (locked edges always)."""
        rules = config.rules
        may_cross = np.array(
            [may_cross_regions(mobility=m, config=config) for m in MOBILITIES], dtype=np.bool_
        )
        ok: Bools = ~self.cross | may_cross[self.dev_mobility]
        if rules.require_shared_language:
            ok &= self.shared
        if rules.remote_max_distance_km is not None:
            ok &= ~self.remote | (self.km <= float(rules.remote_max_distance_km))
        ok &= self.score >= float(rules.min_score)
        ok |= self.locked
        return ok


class _Prober:
    """Solve changed configs for the short regions, caching each changed config's fills."""

    def __init__(
        self,
        *,
        developers: Sequence[Developer],
        partners: Sequence[Partner],
        config: MatcherConfig,
        region_index: Mapping[str, int],
        forbidden: frozenset[tuple[str, str]],
        locks: Sequence[tuple[int, int]],
        short: Sequence[str],
        exact_only: bool = False,
        milp_limit: int | None = MILP_PROBE_LIMIT,
    ) -> None:
        self.developers, self.partners, self.config = developers, partners, config
        self.milp_limit = milp_limit
        # exact_only: every probe is a full solve, never settled by forced_fills (for tests)
        self.exact_only = exact_only
        self.region_index, self.forbidden, self.locks = region_index, forbidden, tuple(locks)
        self.short = [region_index[code] for code in short]
        self.par_region = np.array([region_index[p.region] for p in partners], dtype=np.int64)
        self.par_kind = np.array([KINDS.index(p.kind) for p in partners], dtype=np.int64)
        self.dev_female = np.array([d.gender == "female" for d in developers], dtype=np.bool_)
        self.dev = _People.of(developers, region_index=region_index)
        self.par = _People.of(partners, region_index=region_index)
        self.dev.words, self.par.words = language_words(
            [d.languages for d in developers], [p.languages for p in partners]
        )
        self.wide_ok = self._wide_size() <= WIDE_GRAPH_LIMIT
        self.cache: dict[tuple[tuple[str, str], ...], Int64s | None] = {}
        self.too_large: dict[tuple[tuple[str, str], ...], MilpTooLargeError] = {}
        self.pending: dict[tuple[tuple[str, str], ...], threading.Event] = {}
        self.alone: dict[_AloneKey, int | None] = {}
        self.caps: dict[int, int] = {}
        self.lock = threading.Lock()
        self.graphs: dict[bool, _Graph] = {}
        self.into: dict[tuple[bool, int], _Graph] = {}
        self.graph_lock = threading.Lock()

    def graph(self, *, full: bool) -> _Graph | None:
        """Return the shared candidate graph (built on first use), None when too large.

        ``full``: the graph without the language rule and the minimum score, for probes
        that change those; otherwise the smaller one that keeps both as the run has them
        (every probe leaving them unchanged filters it to the same edges, in the same
        order, as it would the full one: an edge the run's score rule keeps has a score
        the probe keeps too).
        """
        if not self.wide_ok:
            return None
        with self.graph_lock:
            if full not in self.graphs:
                self.graphs[full] = self._wide_graph(full=full)
            return self.graphs[full]

    def needs_full(self, config: MatcherConfig) -> bool:
        """Return whether a changed config needs the full graph (see graph)."""
        rules, base = config.rules, self.config.rules
        return (
            rules.min_score != base.min_score
            or rules.require_shared_language != base.require_shared_language
        )

    def _wide_config(self, *, full: bool) -> MatcherConfig:
        update: dict[str, Any] = {"remote_max_distance_km": None}
        if full:
            update.update(require_shared_language=False, min_score=0.0)
        rules = self.config.rules.model_copy(update=update)
        return self.config.model_copy(update={"rules": rules})

    def _wide_size(self) -> int:
        crossers = sum(
            1 for d in self.developers if may_cross_regions(mobility=d.mobility, config=self.config)
        )
        size = 0
        for code, r in self.region_index.items():
            own = sum(1 for d in self.developers if d.region == code)
            size += int(np.count_nonzero(self.par_region == r)) * (own + crossers)
        return size

    def _wide_graph(self, *, full: bool) -> _Graph:
        edges = build_edges(
            developers=self.developers,
            partners=self.partners,
            config=self._wide_config(full=full),
            region_index=self.region_index,
            group_cap=None,
            forbidden=self.forbidden,
            locks=self.locks,
        )
        dev, par = self.dev, self.par
        e_dev, e_par = edges.dev, edges.par
        km = _edge_km(dev.lat, dev.lon, par.lat, par.lon, e_dev=e_dev, e_par=e_par)
        cross = dev.region[e_dev] != par.region[e_par]
        shared = np.zeros(len(e_dev), dtype=np.bool_)
        for word in range(dev.words.shape[1]):
            shared |= (dev.words[e_dev, word] & par.words[e_par, word]) != 0
        locked = np.zeros(len(e_dev), dtype=np.bool_)
        locked[edges.locked] = True
        mobility = dev.mobility[e_dev]
        return _Graph(
            dev=e_dev,
            par=e_par,
            score=edges.score,
            km=np.asarray(km, dtype=np.float32).astype(np.float64),
            cross=cross,
            remote=cross & (mobility == MOBILITIES.index("remote")),
            shared=shared,
            locked=locked,
            dev_mobility=mobility,
        )

    # -- solving ----------------------------------------------------------------------------

    def fills(self, changes: Sequence[Change], *, rescore: bool) -> Int64s | None:
        """Return the places filled per region under the changed config (None: not valid).

        Raises MilpTooLargeError when the probe needs a women-share MILP above the limit.
        Each changed config is solved once: a thread asking for one that another thread is
        solving waits for that answer (two regions' searches often probe the same change).
        """
        key = tuple((c.key, repr(c.value)) for c in changes)
        with self.lock:
            if key in self.cache:
                return self.cache[key]
            if key in self.too_large:
                raise self.too_large[key]
            waiting = self.pending.get(key)
            if waiting is None:
                self.pending[key] = threading.Event()
        if waiting is not None:
            waiting.wait()
            return self.fills(changes, rescore=rescore)
        try:
            config = apply_changes(self.config, changes)
            filled: Int64s | None = self._solve(config, rescore=rescore)
        except MilpTooLargeError as too_large:
            # not an answer: every search asking for it stops there
            with self.lock:
                self.too_large[key] = too_large
                self.pending.pop(key).set()
            raise
        except (ValidationError, MatcherError):
            filled = None
        except BaseException:
            with self.lock:
                self.pending.pop(key).set()
            raise
        with self.lock:
            self.cache[key] = filled
            self.pending.pop(key).set()
        return filled

    def alone_exceeds(
        self, changes: Sequence[Change], *, region: int, above: int, rescore: bool
    ) -> bool:
        """Return whether the region alone could hold more than ``above`` pairs under the
        changed config; True also when this cannot tell (the config is not valid, or the
        shared graph is too large).

        Alone: with every developer allowed into it free, under its own quota, kind caps
        and women share. Any pairing's pairs in the region are such a pairing, so when the
        region alone cannot hold above + 1 pairs, no solve of the changed config fills it
        more than ``above``. The check is one min-cost flow on the region's edges: above + 1
        pairs exactly, each kind held to the most pairs of it any valid pairing of the
        region holds (``RegionSpec.kind_cap``, with the region's own max, so the reserved
        places of other kinds count as they do there), no reserved places and no share,
        the most women among them. A pairing of more than above + 1 pairs that meets the
        share keeps meeting it as men's pairs are dropped (or women's, when only women's
        are left), and keeps every kind cap, so above + 1 pairs meeting the share exist iff
        the most women of any above + 1 pairs meet it. (Holding the region to above + 1
        places with its reserved places kept would both shrink the other kinds' caps and
        force pairs into the reserved kinds: a pairing of more pairs could still exist.) A
        change that needs scoring again (``rescore``) scores the region's partners only.
        """
        if not self.wide_ok:
            return True
        try:
            config = apply_changes(self.config, changes)
        except ValidationError:
            return True
        specs = region_specs(config)
        spec, n = specs[region], above + 1
        if spec.max < n:
            return False
        women = self._most_women(config, specs, region=region, n=n, rescore=rescore)
        return women is not None and women_share_ok(women, n, spec.share_fraction())

    def _most_women(
        self,
        config: MatcherConfig,
        specs: Sequence[RegionSpec],
        *,
        region: int,
        n: int,
        rescore: bool,
    ) -> int | None:
        """Return the most women among n pairs the region alone can hold under its kind
        caps, its share left out (None: it cannot hold n pairs).

        The answer depends on the region's kind caps and the rules that allow its pairs
        only, so the probes of every women share (and of other regions' quotas) share it.
        """
        caps = tuple(specs[region].kind_cap(k) for k in range(len(KINDS)))
        key = (region, n, caps, repr(config.rules))
        with self.lock:
            if key in self.alone:
                return self.alone[key]
        e_dev, e_par = self._edges_into(config, region=region, rescore=rescore)
        found: int | None = None
        if e_dev.shape[0]:
            alone = tuple(
                RegionSpec(max=n, min=n, max_per_kind=caps)
                if r == region
                else replace(s, min_women_share=None)
                for r, s in enumerate(specs)
            )
            female = self.dev_female
            problem = self._problem(
                alone, e_dev, e_par, female[e_dev].astype(np.float64), _NO_EDGES
            )
            chosen = solve(problem).edges
            if chosen.shape[0] >= n:
                found = int(np.count_nonzero(female[problem.edge_dev[chosen]]))
        with self.lock:
            self.alone[key] = found
        return found

    def _edges_into(
        self, config: MatcherConfig, *, region: int, rescore: bool
    ) -> tuple[Int64s, Int64s]:
        """Return every pair (developer, partner) into the region that ``config`` allows,
        locked pairs included."""
        if not rescore:
            g = self._into(region, full=self.needs_full(config))
            sel = np.flatnonzero(g.allowed(config))
            return g.dev[sel], g.par[sel]
        cols = np.flatnonzero(self.par_region == region)
        local = {int(p): i for i, p in enumerate(cols.tolist())}
        edges = build_edges(
            developers=self.developers,
            partners=[self.partners[p] for p in cols.tolist()],
            config=config,
            region_index=self.region_index,
            group_cap=None,
            forbidden=self.forbidden,
            locks=[(d, local[p]) for d, p in self.locks if p in local],
        )
        return edges.dev, cols[edges.par].astype(np.int64)

    def _solve(self, config: MatcherConfig, *, rescore: bool) -> Int64s:
        specs = region_specs(config)
        caps = group_caps(specs)
        graph = None if rescore else self.graph(full=self.needs_full(config))
        if graph is None:
            edges = build_edges(
                developers=self.developers,
                partners=self.partners,
                config=config,
                region_index=self.region_index,
                group_cap=caps,
                specs=specs,
                forbidden=self.forbidden,
                locks=self.locks,
            )
            e_dev, e_par, e_score, locked = edges.dev, edges.par, edges.score, edges.locked
        else:
            g = graph
            ok = np.flatnonzero(g.allowed(config))
            if not self.exact_only and self._may_force(specs):
                # The solver prunes what it is given, so the forced solve needs no pruning
                # here; only if it cannot settle the probe is the graph pruned for the
                # full solve, as before.
                forced = self._forced(specs, g.dev[ok], g.par[ok], g.score[ok], g.locked[ok])
                if forced is not None:
                    return forced
            par_group = partner_groups(specs, par_region=self.par_region, par_kind=self.par_kind)
            keep = prune_developer_side(
                g.dev[ok],
                par_group[g.par[ok]],
                g.score[ok],
                caps,
                locked=np.flatnonzero(g.locked[ok]).astype(np.int64),
            )
            ok = ok[keep]
            e_dev, e_par, e_score = g.dev[ok], g.par[ok], g.score[ok]
            locked = np.flatnonzero(g.locked[ok]).astype(np.int64)
        reduced, labels = self._short_components(
            self._problem(specs, e_dev, e_par, e_score, locked)
        )
        if graph is None and not self.exact_only and self._may_force(specs):
            forced = forced_fills(reduced, labels=labels, regions=self.short)
            if forced is not None:
                return forced
        return solve(reduced, milp_edge_limit=self.milp_limit).filled

    def _may_force(self, specs: Sequence[RegionSpec]) -> bool:
        """Return whether forced_fills could settle a probe with these region specs.

        It settles one only when every short region gets at least its minimum (its
        linked regions at their maxima, its priority regions at theirs, or every minimum
        met), which a region with fewer partners, or fewer developers who could ever work
        there, than its minimum never does; its flow is then not run.
        """
        return all(self.reach_cap(r) >= specs[r].min for r in self.short)

    def reach_cap(self, region: int) -> int:
        """Return the most pairs the region could hold under any relaxation, quota apart.

        No relaxation adds a partner, and none lets a developer work in another region
        beyond cross_region = "always" (the loosest policy _relaxations tries; locked pairs
        aside).
        """
        with self.lock:
            found = self.caps.get(region)
        if found is not None:
            return found
        config = apply_changes(self.config, [Change("rules.cross_region", "always")])
        code = REGIONS[region].code
        n_partners = int(np.count_nonzero(self.par_region == region))
        locked = {d for d, p in self.locks if int(self.par_region[p]) == region}
        reach = sum(
            1
            for i, d in enumerate(self.developers)
            if d.region == code
            or i in locked
            or may_cross_regions(mobility=d.mobility, config=config)
        )
        found = min(n_partners, reach)
        with self.lock:
            self.caps[region] = found
        return found

    def _forced(
        self,
        specs: tuple[RegionSpec, ...],
        e_dev: Int64s,
        e_par: Int64s,
        e_score: Float64s,
        e_locked: Bools,
    ) -> Int64s | None:
        """Return forced_fills of the probe on these (unpruned) edges."""
        locked = np.flatnonzero(e_locked).astype(np.int64)
        reduced, labels = self._short_components(
            self._problem(specs, e_dev, e_par, e_score, locked)
        )
        return forced_fills(reduced, labels=labels, regions=self.short)

    def _problem(
        self,
        specs: tuple[RegionSpec, ...],
        e_dev: Int64s,
        e_par: Int64s,
        e_score: Float64s,
        locked: Int64s,
    ) -> AssignmentProblem:
        """Return the solver's problem of a probe on these edges."""
        return assignment_problem(
            developers=self.developers,
            partners=self.partners,
            region_index=self.region_index,
            specs=specs,
            edge_dev=e_dev,
            edge_par=e_par,
            edge_score=e_score,
            locked=locked,
        )

    def _short_components(self, problem: AssignmentProblem) -> tuple[AssignmentProblem, Int64s]:
        """Return the problem reduced to the components (regions linked by developers) of
        the short regions, the others being independent of them and not solved, and each
        region's component label."""
        n_r = len(problem.regions)
        edge_region = problem.par_region[problem.edge_par]
        graph = coo_matrix(
            (
                np.ones(problem.n_edges, dtype=np.int8),
                (edge_region, problem.edge_dev + n_r),
            ),
            shape=(n_r + problem.n_dev, n_r + problem.n_dev),
        )
        _, labels = connected_components(graph, directed=False)
        region_label = np.asarray(labels[:n_r], dtype=np.int64)
        wanted = np.isin(region_label, region_label[self.short])
        keep = wanted[edge_region]
        if keep.all():
            return problem, region_label
        new_index = np.cumsum(keep) - 1
        locked = problem.locked[keep[problem.locked]]
        return AssignmentProblem(
            n_dev=problem.n_dev,
            n_par=problem.n_par,
            edge_dev=problem.edge_dev[keep],
            edge_par=problem.edge_par[keep],
            edge_score=problem.edge_score[keep],
            par_region=problem.par_region,
            par_kind=problem.par_kind,
            dev_female=problem.dev_female,
            regions=problem.regions,
            locked=new_index[locked].astype(np.int64),
            n_kinds=problem.n_kinds,
        ), region_label

    def bound(self, changes: Sequence[Change], *, region: int) -> int | None:
        """Return an upper bound on the region's places under the changed config: the most
        pairs its partners can form with the developers allowed to work with them, alone.

        None when the shared graph cannot say (the change needs scoring again)."""
        if not self.wide_ok:
            return None
        try:
            config = apply_changes(self.config, changes)
        except ValidationError:
            return 0
        g = self._into(region, full=self.needs_full(config))
        sel = g.allowed(config)
        if not sel.any():
            return 0
        matrix = csr_matrix(
            (np.ones(int(sel.sum()), dtype=np.int8), (g.dev[sel], g.par[sel])),
            shape=(len(self.developers), len(self.partners)),
        )
        matched = maximum_bipartite_matching(matrix, perm_type="column")
        return min(int(np.count_nonzero(matched >= 0)), config.quota(REGIONS[region].code)[1])

    def _into(self, region: int, *, full: bool) -> _Graph:
        """Return a shared graph's edges into one region (the bounds probe only those)."""
        with self.lock:
            found = self.into.get((full, region))
        if found is None:
            g = self.graph(full=full)
            assert g is not None
            at = np.flatnonzero(self.par_region[g.par] == region)
            found = _Graph(
                dev=g.dev[at],
                par=g.par[at],
                score=g.score[at],
                km=g.km[at],
                cross=g.cross[at],
                remote=g.remote[at],
                shared=g.shared[at],
                locked=g.locked[at],
                dev_mobility=g.dev_mobility[at],
            )
            with self.lock:
                self.into[full, region] = found
        return found

    # -- candidate values -------------------------------------------------------------------

    def base_edges_into(self, region: int) -> Bools | None:
        """Return the shared graph's edges into ``region`` that the base config allows."""
        g = self.graph(full=False)
        if g is None:
            return None
        sel: Bools = g.allowed(self.config) & (self.par_region[g.par] == region)
        return sel

    def remote_km(self, region: int) -> list[float]:
        """Return the distances (whole km, up) of remote pairs into the region held back only
        by remote_max_distance_km."""
        config, g = self.config, self.graph(full=False)
        limit = config.rules.remote_max_distance_km
        if g is None or limit is None:
            return []
        loose = apply_changes(config, [Change("rules.remote_max_distance_km", None)])
        sel = g.allowed(loose) & g.remote & (self.par_region[g.par] == region) & (g.km > limit)
        return sorted({float(math.ceil(k)) for k in g.km[sel].tolist()})

    def in_person_km(self, region: int, *, up_to: float) -> list[float]:
        """Return the distances (whole km, up) of in-person candidates into the region beyond
        max_distance_km, up to ``up_to``."""
        config = self.config
        dev, par = self.dev, self.par
        cols = np.flatnonzero(self.par_region == region)
        may_cross = np.array(
            [may_cross_regions(mobility=m, config=config) and m != "remote" for m in MOBILITIES],
            dtype=np.bool_,
        )
        region_code = REGIONS[region].code
        own = np.array([d.region == region_code for d in self.developers], dtype=np.bool_)
        rows = np.flatnonzero(own | may_cross[dev.mobility])
        if not len(rows) or not len(cols):
            return []
        km = np.asarray(
            haversine_km(
                dev.lat[rows][:, None],
                dev.lon[rows][:, None],
                par.lat[cols][None, :],
                par.lon[cols][None, :],
            ),
            dtype=np.float32,
        ).astype(np.float64)
        sel = (km > config.rules.max_distance_km) & (km <= up_to)
        return sorted({float(math.ceil(k)) for k in km[sel].tolist()})

    def scores_below(self, region: int) -> list[float]:
        """Return, highest first, the scores (to 0.1, down) of pairs into the region that only
        min_score holds back."""
        config, g = self.config, self.graph(full=True)
        if g is None:
            return [0.0]
        loose = apply_changes(config, [Change("rules.min_score", 0.0)])
        sel = g.allowed(loose) & (self.par_region[g.par] == region)
        sel &= g.score < config.rules.min_score
        values = {math.floor(s * 10) / 10 for s in g.score[sel].tolist()}
        return sorted((v for v in values if v < config.rules.min_score), reverse=True)


def _edge_km(
    dev_lat: Float64s,
    dev_lon: Float64s,
    par_lat: Float64s,
    par_lon: Float64s,
    *,
    e_dev: Int64s,
    e_par: Int64s,
) -> Float64s:
    """Return each edge's distance in km, as haversine_km gives it for that pair alone.

    Most people sit at their province's centroid: the distance is computed once per pair
    of distinct places and gathered (elementwise, so bit-identical to the direct one)."""
    dev_places, dev_at = _places(dev_lat, dev_lon)
    par_places, par_at = _places(par_lat, par_lon)
    if len(dev_places) * len(par_places) > len(e_dev):
        direct: Float64s = np.asarray(
            haversine_km(dev_lat[e_dev], dev_lon[e_dev], par_lat[e_par], par_lon[e_par]),
            dtype=np.float64,
        )
        return direct
    table = np.asarray(
        haversine_km(
            dev_places[:, 0:1], dev_places[:, 1:2], par_places[None, :, 0], par_places[None, :, 1]
        ),
        dtype=np.float64,
    )
    gathered: Float64s = table[dev_at[e_dev], par_at[e_par]]
    return gathered


def language_words(
    *sides: Sequence[tuple[str, ...]],
) -> tuple[npt.NDArray[np.uint64], ...]:
    """Return each side's language lists as 64-bit words over one shared vocabulary.

    A language is normalised as the scorer does (matcher.scoring), so two people share a
    language, as the language rule sees it, iff some word of theirs has a common bit.
    """
    index: dict[str, int] = {}
    masks: list[list[int]] = []
    for lists in sides:
        seen: dict[tuple[str, ...], int] = {}
        mine = []
        for values in lists:
            mask = seen.get(values)
            if mask is None:
                mask = 0
                for value in values:
                    if value:
                        mask |= 1 << index.setdefault(_language(value), len(index))
                seen[values] = mask
            mine.append(mask)
        masks.append(mine)
    n_words = max(1, -(-len(index) // 64))
    full = (1 << 64) - 1
    out = []
    for mine in masks:
        words = np.zeros((len(mine), n_words), dtype=np.uint64)
        for w in range(n_words):
            words[:, w] = [(m >> (64 * w)) & full for m in mine]
        out.append(words)
    return tuple(out)


@dataclass(eq=False)
class _People:
    """Where one side's people are, their region and mobility, and their language words."""

    lat: Float64s
    lon: Float64s
    region: Int64s  # region_index
    mobility: Int64s  # index into MOBILITIES (0 for partners)
    words: npt.NDArray[np.uint64]

    @classmethod
    def of(
        cls, people: Sequence[Developer] | Sequence[Partner], *, region_index: Mapping[str, int]
    ) -> _People:
        """Return the arrays of one side (words left empty: see language_words)."""
        places = [locate(p) for p in people]
        return cls(
            lat=np.array([loc[0] for loc in places], dtype=np.float64),
            lon=np.array([loc[1] for loc in places], dtype=np.float64),
            region=np.array([region_index[p.region] for p in people], dtype=np.int64),
            mobility=np.array(
                [MOBILITIES.index(getattr(p, "mobility", MOBILITIES[0])) for p in people],
                dtype=np.int64,
            ),
            words=np.zeros((len(people), 1), dtype=np.uint64),
        )


def forced_fills(
    problem: AssignmentProblem, *, labels: Int64s, regions: Sequence[int]
) -> Int64s | None:
    """Return the places per region when the fill tiers alone fix those of ``regions``.

    The solver maximises priority places, places up to each minimum and places before the
    score, so these three tiers of every optimum are those of one exact solve with any
    other scores. Here the problem is solved without its women shares (a pure min-cost
    flow, never the MILP), which bounds every tier, with a pair scoring 1 when it pairs a
    woman in a region with a women share and 0 otherwise, so that among the pairings with
    the best tiers it takes one with the most such pairs. When that pairing meets every
    share it is valid, so its tiers are the problem's; otherwise None. Components
    (``labels``, one per region) are independent, so each holds its own tiers at their
    optimum. Where those
    tiers put every region of a component at its maximum (or every priority region, or
    every region at its minimum for a region whose minimum is its maximum), every optimum
    fills it to its maximum whatever the scores. The returned counts are exact for
    ``regions``; None when one of them is not fixed so (the caller then solves with the
    scores).
    """
    if not problem.n_edges:
        return None
    specs = problem.regions
    shares = np.array([s.share_fraction() is not None for s in specs], dtype=np.bool_)
    women = problem.dev_female[problem.edge_dev] & shares[problem.par_region[problem.edge_par]]
    # The share left out: a pure flow, never the MILP; its tiers bound the problem's.
    relaxed = replace(
        problem,
        edge_score=women.astype(np.float64),
        regions=tuple(replace(s, min_women_share=None) for s in specs),
    )
    chosen = solve(relaxed).edges
    filled = np.bincount(problem.par_region[problem.edge_par[chosen]], minlength=len(specs)).astype(
        np.int64
    )
    high = np.array([s.max for s in specs], dtype=np.int64)
    low = np.array([s.min for s in specs], dtype=np.int64)
    priority = np.array([s.priority for s in specs], dtype=np.bool_)
    for r in regions:
        mine = labels == labels[r]
        full = int(filled[mine].sum()) == int(high[mine].sum())
        if specs[r].priority:
            top = mine & priority
            full |= int(filled[top].sum()) == int(high[top].sum())
        if low[r] == high[r]:
            full |= int(np.minimum(filled[mine], low[mine]).sum()) == int(low[mine].sum())
        if not full:
            return None
    # A pairing that meets every share too reaches those bounds, so they are the tiers.
    female = np.bincount(
        problem.par_region[problem.edge_par[chosen]][problem.dev_female[problem.edge_dev[chosen]]],
        minlength=len(specs),
    )
    for r, spec in enumerate(specs):
        if not women_share_ok(int(female[r]), int(filled[r]), spec.share_fraction()):
            return None
    return filled


def _step(key: str, value: Any) -> tuple[Change, ...]:
    return (Change(key, value),)


def _relaxations(
    prober: _Prober, *, code: str, filled: Mapping[str, int], takers: Sequence[str]
) -> list[_Relaxation]:
    """Return every single relaxation worth trying for one short region, in ORDER."""
    config = prober.config
    rules, mix = config.rules, config.mix
    r = prober.region_index[code]
    high = config.quota(code)[1]
    found: list[_Relaxation] = []
    if rules.cross_region != "never" and rules.remote_max_distance_km is not None:
        values = prober.remote_km(r)
        steps = [_step("rules.remote_max_distance_km", v) for v in values]
        steps.append(_step("rules.remote_max_distance_km", None))
        found.append(
            _Relaxation(
                "remote_distance",
                tuple(steps),
                False,
                _("remote developers are held to {km} km").format(
                    km=f"{rules.remote_max_distance_km:,.0f}"
                ),
            )
        )
    if not config.is_priority(code):
        regions = (*config.priority.regions, code)
        found.append(
            _Relaxation(
                "priority",
                (_step("priority.regions", regions),),
                False,
                _("the priority regions take the developers it could have"),
            )
        )
    reserved = sum(mix.min_per_kind.values())
    for other in takers:
        o_low, o_high = config.quota(other)
        steps = []
        for n in range(filled[other] - 1, reserved - 1, -1):
            value: Any = n if o_low == o_high else {"min": min(o_low, n), "max": n}
            steps.append(_step(f"quotas.regions.{other}", value))
        if steps:
            found.append(
                _Relaxation(
                    f"quota:{other}",
                    tuple(steps),
                    False,
                    _("{region} takes developers it could have").format(
                        region=get_region(other).name
                    ),
                )
            )
    distances = prober.in_person_km(r, up_to=max(2000.0, 4 * rules.max_distance_km))
    if distances:
        found.append(
            _Relaxation(
                "distance",
                tuple(_step("rules.max_distance_km", v) for v in distances),
                True,
                _("too few developers live within {km} km of the partners").format(
                    km=f"{rules.max_distance_km:g}"
                ),
            )
        )
    if rules.min_score > 0:

        def score_steps() -> Steps:
            # listed from the full graph, built only if this relaxation is searched
            return tuple(_step("rules.min_score", v) for v in prober.scores_below(r) or [0.0])

        found.append(
            _Relaxation(
                "min_score",
                score_steps,
                False,
                _("too few pairs reach the minimum score of {score}").format(
                    score=f"{rules.min_score:g}"
                ),
            )
        )
    for kind, n in sorted(mix.min_per_kind.items()):
        if n > 0:
            found.append(
                _Relaxation(
                    f"min_per_kind:{kind}",
                    tuple(_step(f"mix.min_per_kind.{kind}", v) for v in range(n - 1, -1, -1)),
                    False,
                    _("{n} places are reserved for {kind} partners").format(n=n, kind=kind),
                )
            )
    for kind, n in sorted(mix.max_per_kind.items()):
        if n < high:
            found.append(
                _Relaxation(
                    f"max_per_kind:{kind}",
                    tuple(_step(f"mix.max_per_kind.{kind}", v) for v in range(n + 1, high + 1)),
                    False,
                    _("at most {n} {kind} partners are allowed").format(n=n, kind=kind),
                )
            )
    share = mix.min_women_share
    if share:
        fractions = {
            math.floor(i / m * 100) / 100 for m in range(1, high + 1) for i in range(m + 1)
        }
        shares = sorted((v for v in fractions if v < share), reverse=True)
        found.append(
            _Relaxation(
                "women_share",
                tuple(_step("mix.min_women_share", v) for v in shares or [0.0]),
                False,
                _("too few women developers for a share of {share}").format(share=f"{share:g}"),
            )
        )
    if rules.require_shared_language:
        found.append(
            _Relaxation(
                "language",
                (_step("rules.require_shared_language", False),),
                False,
                _("too few pairs share a language"),
            )
        )
    if rules.cross_region != "always":
        policies = ["remote-only", "always"] if rules.cross_region == "never" else ["always"]
        found.append(
            _Relaxation(
                "cross_region",
                tuple(_step("rules.cross_region", p) for p in policies),
                True,
                _("developers from other regions may not work here"),
            )
        )
    return found


Fill = Callable[[tuple[Change, ...], bool], int | None]
Bound = Callable[[tuple[Change, ...], bool], int | None]


def _no_bound(changes: tuple[Change, ...], rescore: bool) -> int | None:
    return None


def _search(
    fill: Fill,
    steps: Sequence[tuple[Change, ...]],
    *,
    rescore: bool,
    base: int,
    wanted: int,
    rule: str,
    bound: Bound = _no_bound,
) -> Fix | None:
    """Return the smallest step that fills the region (binary search), or the loosest step
    when none fills but it helps; None when even the loosest step fills no more.

    A step whose upper bound is below what is needed is decided without solving; bounds only
    grow as the rule loosens, so the first step whose bound allows a fill is found without
    solving and solved first: it is usually the answer, and then one solve suffices.
    """
    last = len(steps) - 1
    top = bound(steps[last], rescore)
    if top is not None and top <= base:
        return None
    lo = 0
    if top is not None and top >= wanted:
        lo, b_hi = 0, last
        while lo < b_hi:
            mid = (lo + b_hi) // 2
            if (bound(steps[mid], rescore) or 0) >= wanted:
                b_hi = mid
            else:
                lo = mid + 1
        got = fill(steps[lo], rescore)
        if got is not None and got >= wanted:
            return Fix(rule, steps[lo], got, wanted)
        if lo == last:
            return None if got is None or got <= base else Fix(rule, steps[last], got, wanted)
        # The answer is usually a few steps above the bound's: gallop up from there, then
        # search between the last step that fell short and the first that fills.
        gap = 1
        while True:
            probe = min(lo + gap, last)
            got = fill(steps[probe], rescore)
            if got is not None and got >= wanted:
                hi, best = probe, got
                lo += 1
                break
            if probe == last:
                return None if got is None or got <= base else Fix(rule, steps[last], got, wanted)
            lo, gap = probe, gap * 2
        while lo < hi:
            mid = (lo + hi) // 2
            got = fill(steps[mid], rescore)
            if got is not None and got >= wanted:
                hi, best = mid, got
            else:
                lo = mid + 1
        return Fix(rule, steps[hi], best, wanted)
    loosest = fill(steps[last], rescore)
    if loosest is None or loosest <= base:
        return None
    if loosest < wanted:
        return Fix(rule, steps[last], loosest, wanted)
    hi, best = last, loosest
    while lo < hi:
        mid = (lo + hi) // 2
        most = bound(steps[mid], rescore)
        if most is not None and most < wanted:
            lo = mid + 1
            continue
        got = fill(steps[mid], rescore)
        if got is not None and got >= wanted:
            hi, best = mid, got
        else:
            lo = mid + 1
    return Fix(rule, steps[hi], best, wanted)


def _takers(
    *, code: str, prober: _Prober, paired_region: Mapping[int, str], filled: Mapping[str, int]
) -> list[str]:
    """Return the other regions whose pairs hold developers who could work in ``code``."""
    sel = prober.base_edges_into(prober.region_index[code])
    graph = prober.graph(full=False)
    if sel is None or graph is None:
        candidates = range(len(prober.developers))
    else:
        candidates = np.unique(graph.dev[sel]).tolist()
    found = {paired_region[d] for d in candidates if d in paired_region}
    return sorted(r for r in found if r != code and filled[r] > 0)


def diagnose(
    *,
    developers: Sequence[Developer],
    partners: Sequence[Partner],
    config: MatcherConfig,
    region_index: Mapping[str, int],
    forbidden: frozenset[tuple[str, str]],
    locks: Sequence[tuple[int, int]],
    paired: Sequence[tuple[int, int]],
    filled: Mapping[str, int],
    short: Sequence[str],
    workers: int | None = None,
    exact_only: bool = False,
    milp_limit: int | None = MILP_PROBE_LIMIT,
) -> dict[str, Finding]:
    """Return, per short region, why it is short and the smallest change that fills it.

    ``paired`` holds the result's pairs (developer index, partner index), ``filled`` the
    places each region got. ``workers`` threads search independent relaxations at once
    (default: up to 2). ``exact_only`` (for tests) turns the shortcuts off: every probe
    is a full solve (no forced_fills) and no region is skipped by _ceiling; the findings
    are the same. A region whose search meets a probe needing the women-share MILP over
    more than ``milp_limit`` pairs stops searching (MILP_PROBE_LIMIT; None: no limit).
    """
    if not short:
        return {}
    prober = _Prober(
        developers=developers,
        partners=partners,
        config=config,
        region_index=region_index,
        forbidden=forbidden,
        locks=locks,
        short=short,
        exact_only=exact_only,
        milp_limit=milp_limit,
    )
    paired_region = {d: partners[p].region for d, p in paired}
    # one thread per short region at most: a single region gains nothing from a pool
    n_workers = min(workers or min(2, os.cpu_count() or 1), len(short))
    # A region no relaxation can fill further (too few partners, or developers who could
    # ever reach it) needs no probe: every search would return None, as would the pairs;
    # its relaxations are not even listed (that would build the shared graph).
    stuck = {
        code for code in short if not exact_only and _ceiling(prober, code=code) <= filled[code]
    }
    relaxations_of = {
        code: []
        if code in stuck
        else _relaxations(
            prober,
            code=code,
            filled=filled,
            takers=_takers(code=code, prober=prober, paired_region=paired_region, filled=filled),
        )
        for code in short
    }

    # per region whose search stopped, the pairs of the MILP probe it met
    cut: dict[str, tuple[int, int]] = {}

    def wanted_of(code: str) -> int:
        low, high = config.quota(code)
        return low if low < high else high

    def fill_of(code: str) -> Fill:
        r = region_index[code]

        def fill(changes: tuple[Change, ...], rescore: bool) -> int | None:
            # A change under which the region alone holds no more than today fills no
            # more in any solve; the searches only compare such a count with today's and
            # with the places wanted (above today's), so today's count answers as the
            # exact one would (see _Prober.alone_exceeds), and no solve is needed.
            if not exact_only and not prober.alone_exceeds(
                changes, region=r, above=filled[code], rescore=rescore
            ):
                return filled[code]
            try:
                got = prober.fills(changes, rescore=rescore)
            except MilpTooLargeError as too_large:
                cut[code] = (too_large.edges, too_large.limit)
                raise _SearchCut from too_large
            return None if got is None else int(got[r])

        return fill

    def bound_of(code: str) -> Bound:
        r = region_index[code]

        def bound(changes: tuple[Change, ...], rescore: bool) -> int | None:
            return None if rescore else prober.bound(changes, region=r)

        return bound

    def run(job: tuple[str, _Relaxation]) -> Fix | None:
        code, relax = job
        if code in cut:
            return None
        # Every relaxation's steps only loosen it, and a region alone holds no fewer pairs
        # as rules loosen: when it cannot hold more than today at the loosest step, no step
        # fills more, and the search would return None after probing several.
        if not exact_only and not prober.alone_exceeds(
            relax.steps[-1], region=region_index[code], above=filled[code], rescore=relax.rescore
        ):
            return None
        with contextlib.suppress(_SearchCut):
            return _search(
                fill_of(code),
                relax.steps,
                rescore=relax.rescore,
                base=filled[code],
                wanted=wanted_of(code),
                rule=relax.rule,
                bound=bound_of(code),
            )
        return None

    def evaluate(code: str) -> list[tuple[_Relaxation, Fix | None]]:
        # In ORDER until one fills: the fix reported is the first that fills, so the
        # relaxations after it (each a solve or more) need not be tried.
        out: list[tuple[_Relaxation, Fix | None]] = []
        if code in stuck:
            return out
        for relax in relaxations_of[code]:
            fix = run((code, relax))
            out.append((relax, fix))
            if (fix is not None and fix.fills) or code in cut:
                break
        return out

    findings: dict[str, Finding] = {}
    with _pool(n_workers) as pool:
        evaluated = dict(zip(short, pool(evaluate, short), strict=True))
    for code in short:
        mine = evaluated[code]
        helps = tuple(fix for _, fix in mine if fix is not None)
        fix = next((f for f in helps if f.fills), None)
        if fix is None and code not in stuck and code not in cut:
            pair = None
            with contextlib.suppress(_SearchCut):
                pair = _best_pair(
                    fill_of(code),
                    bound_of(code),
                    relaxations_of[code],
                    base=filled[code],
                    wanted=wanted_of(code),
                )
            most = max((f.filled for f in helps), default=filled[code])
            if pair is not None and (pair.fills or pair.filled > most):
                fix = pair
        findings[code] = _finding(
            code=code,
            config=config,
            prober=prober,
            filled=filled[code],
            wanted=wanted_of(code),
            fix=fix,
            helps=helps,
            causes={relax.rule: relax.cause for relax in relaxations_of[code]},
            cut=cut.get(code),
        )
    return findings


def _ceiling(prober: _Prober, *, code: str) -> int:
    """Return an upper bound on the region's places under any one or two of its relaxations.

    No relaxation adds a partner, and none lets a developer work in another region beyond
    cross_region = "always" (the loosest policy _relaxations tries; locked pairs aside);
    the region's maximum stays.
    """
    return min(prober.reach_cap(prober.region_index[code]), prober.config.quota(code)[1])


_Map = Callable[[Callable[[Any], Any], Sequence[Any]], Iterator[Any]]


@contextlib.contextmanager
def _pool(workers: int) -> Iterator[_Map]:
    if workers <= 1:
        yield lambda func, items: iter([func(item) for item in items])
        return
    # The solver moves native prints off fd 1 around each solve by saving and restoring fd 1;
    # concurrent solves could restore each other's redirection. Redirecting once around the
    # whole pool makes every inner save and restore see the same descriptor.
    with native_stdout_to_stderr(), ThreadPoolExecutor(max_workers=workers) as executor:
        yield lambda func, items: executor.map(func, items)


def _best_pair(
    fill: Fill,
    bound: Bound,
    relaxations: Sequence[_Relaxation],
    *,
    base: int,
    wanted: int,
) -> Fix | None:
    """Return the first pair of relaxations (in ORDER) that fills the region, each at its
    smallest filling step, or the pair that fills most when none fills; None if none helps.

    Pairs whose upper bound is no better than today are skipped without solving."""
    best: tuple[int, _Relaxation, _Relaxation] | None = None
    found: tuple[_Relaxation, _Relaxation] | None = None
    for i, a in enumerate(relaxations):
        for b in relaxations[i + 1 :]:
            changes, rescore = a.steps[-1] + b.steps[-1], a.rescore or b.rescore
            most = bound(changes, rescore)
            if most is not None and most <= base:
                continue
            n = fill(changes, rescore)
            if n is None or n <= base:
                continue
            if n >= wanted:
                found = (a, b)
                break
            if best is None or n > best[0]:
                best = (n, a, b)
        if found is not None:
            break
    if found is None:
        if best is None:
            return None
        n, a, b = best
        return Fix(f"{a.rule}+{b.rule}", a.steps[-1] + b.steps[-1], n, wanted)
    a, b = found
    rescore = a.rescore or b.rescore
    tight_a = _search(
        lambda changes, _r: fill(changes + b.steps[-1], rescore),
        a.steps,
        rescore=rescore,
        base=base,
        wanted=wanted,
        rule=a.rule,
        bound=lambda changes, _r: bound(changes + b.steps[-1], rescore),
    )
    a_changes = tight_a.changes if tight_a is not None and tight_a.fills else a.steps[-1]
    tight_b = _search(
        lambda changes, _r: fill(a_changes + changes, rescore),
        b.steps,
        rescore=rescore,
        base=base,
        wanted=wanted,
        rule=b.rule,
        bound=lambda changes, _r: bound(a_changes + changes, rescore),
    )
    if tight_b is not None and tight_b.fills:
        return Fix(f"{a.rule}+{b.rule}", a_changes + tight_b.changes, tight_b.filled, wanted)
    n = fill(a_changes + b.steps[-1], rescore) or 0
    return Fix(f"{a.rule}+{b.rule}", a_changes + b.steps[-1], n, wanted)


def _finding(
    *,
    code: str,
    config: MatcherConfig,
    prober: _Prober,
    filled: int,
    wanted: int,
    fix: Fix | None,
    helps: tuple[Fix, ...],
    causes: Mapping[str, str],
    cut: tuple[int, int] | None = None,
) -> Finding:
    """Put one region's diagnosis into a sentence.

    ``cut``: the search stopped at a MILP probe of that many pairs, above that limit.
    """
    name = get_region(code).name
    n_partners = sum(1 for p in prober.partners if p.region == code)
    reach = sum(
        1
        for d in prober.developers
        if d.region == code or may_cross_regions(mobility=d.mobility, config=config)
    )
    found: list[str] = []
    if n_partners < wanted:
        found.append(_("only {n} partner(s) applied here").format(n=n_partners))
    if reach < wanted:
        found.append(_("only {n} developer(s) can work here").format(n=reach))
    best = fix if fix is not None else max(helps, key=lambda f: f.filled, default=None)
    if best is not None:
        found += [causes[rule] for rule in best.rule.split("+") if rule in causes]
    if not found:
        found.append(
            _(
                "the compatible developers are needed by other regions or a rule "
                "combination blocks the remaining places"
            )
        )
    text = _("{region}: {wanted} wanted, {filled} possible — {causes}").format(
        region=name, wanted=wanted, filled=filled, causes="; ".join(found)
    )
    if best is None:
        if cut is not None:
            text += _(
                "; the search for a change stopped: checking one needs an exact women-share "
                "solve of {n} pairs, more than the {limit} a run allows"
            ).format(n=cut[0], limit=cut[1])
        else:
            text += _("; no change of one or two rules would fill more")
        return Finding(code, wanted, filled, None, helps, text)
    if best.fills:
        text += _("; {change} fills {n} of {wanted}").format(
            change=fix_text(best, config), n=best.filled, wanted=wanted
        )
    else:
        text += _(
            "; no change of one or two rules fills it; {change} gives the most, {n} of {wanted}"
        ).format(change=fix_text(best, config), n=best.filled, wanted=wanted)
    others = [f for f in helps if f is not best]
    if others:
        listed = "; ".join(
            _("{change}: {n}").format(change=fix_text(f, config), n=f.filled) for f in others
        )
        text += " (" + listed + ")"
    return Finding(code, wanted, filled, fix, helps, text)
