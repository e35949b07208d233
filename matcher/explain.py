"""Explain a result: why someone was paired as they were, and what forcing a pair would cost."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np

from matcher.errors import InputError, Problem, UsageError
from matcher.i18n import _
from matcher.models import Developer, Partner
from matcher.pipeline import REASONS, Instance, build_instance, pair_flags, solve_instance
from matcher.previous import PreviousRun
from matcher.rules import first_violations, violated_rules
from matcher.scoring import Breakdown, breakdown, score_block
from matcher.solver import Solution
from matcher.words import side_word

Side = Literal["developer", "partner"]


@dataclass(frozen=True)
class Alternative:
    """A compatible counterpart someone was not paired with, and what became of them."""

    id: str
    score: float
    fate: str  # "paired with D-0033 (score 80.1)" or "unpaired (outscored)"


@dataclass(frozen=True)
class PersonExplanation:
    """Why one person was paired as they were, or not at all."""

    side: Side
    id: str
    region: str
    partner_of: str | None
    breakdown: Breakdown | None
    reason: str | None
    reason_text: str | None
    detail: str | None
    alternatives: tuple[Alternative, ...]


@dataclass(frozen=True)
class PairChange:
    """A pair that forcing another one would remove or add."""

    change: Literal["removed", "added"]
    developer_id: str
    partner_id: str
    score: float


@dataclass(frozen=True)
class PairExplanation:
    """One developer–partner pair: its breakdown, its rules, and the price of forcing it."""

    developer_id: str
    partner_id: str
    breakdown: Breakdown
    allowed: bool
    broken_rules: tuple[str, ...]
    already_paired: bool
    feasible: bool
    infeasible_reason: str | None
    delta_priority_filled: int
    delta_filled: int
    delta_score: float
    base_score: float
    forced_score: float
    changes: tuple[PairChange, ...]


def _find(run: PreviousRun, side: Side, person_id: str) -> int:
    people = run.dataset.developers if side == "developer" else run.dataset.partners
    for i, person in enumerate(people):
        if person.id == person_id:
            return i
    if person_id in run.all_dropped:
        raise UsageError(
            _("{person_id} was dropped from this result (rematch)").format(person_id=person_id)
        )
    raise InputError(
        _("no {side} with id {person_id}").format(side=side_word(side), person_id=person_id),
        [
            Problem(
                None,
                None,
                None,
                _("no {side} has id {person_id} in this run").format(
                    side=side_word(side), person_id=person_id
                ),
                _("check the id against the {side}s file").format(side=side_word(side)),
                code="unknown_id",
            )
        ],
    )


def explain_person(
    run: PreviousRun, *, side: Side, person_id: str, top: int = 5
) -> PersonExplanation:
    """Explain one person's pair (or why none) and list their best alternatives."""
    idx = _find(run, side, person_id)
    devs, pars, config = run.dataset.developers, run.dataset.partners, run.config
    forbidden = frozenset(run.forbid)
    partner_of = {d: p for d, p in run.pairs}
    developer_of = {p: d for d, p in run.pairs}
    dev_by_id = {d.id: d for d in devs}
    par_by_id = {p.id: p for p in pars}
    block_devs = [devs[idx]] if side == "developer" else devs
    block_pars = pars if side == "developer" else [pars[idx]]
    others: Sequence[Developer | Partner] = pars if side == "developer" else devs
    mine = (partner_of if side == "developer" else developer_of).get(
        (devs if side == "developer" else pars)[idx].id
    )
    scores = score_block(developers=block_devs, partners=block_pars, config=config).score
    scores = scores.reshape(-1)
    broken = first_violations(
        developers=block_devs, partners=block_pars, config=config, forbidden=forbidden
    ).reshape(-1)
    order = np.lexsort((np.arange(len(scores)), -scores))
    alternatives: list[Alternative] = []
    for k in order.tolist():
        other = others[k]
        if other.id == mine:
            continue
        dev = devs[idx] if side == "developer" else dev_by_id[other.id]
        par = par_by_id[other.id] if side == "developer" else pars[idx]
        if broken[k] >= 0:
            continue
        taken_by = (developer_of if side == "developer" else partner_of).get(other.id)
        if taken_by is None:
            their = run.reasons.get(
                ("partner" if side == "developer" else "developer", other.id), ("unknown", "")
            )[0]
            fate = _("unpaired ({their})").format(
                their=_(REASONS[their]) if their in REASONS else their
            )
        else:
            pair_dev = dev_by_id[taken_by] if side == "developer" else dev
            pair_par = par if side == "developer" else par_by_id[taken_by]
            taken_score = breakdown(developer=pair_dev, partner=pair_par, config=config).score
            fate = _("paired with {taken_by} (score {taken_score:.1f})").format(
                taken_by=taken_by, taken_score=taken_score
            )
        alternatives.append(Alternative(other.id, round(float(scores[k]), 4), fate))
        if len(alternatives) == top:
            break
    person = devs[idx] if side == "developer" else pars[idx]
    own: Breakdown | None = None
    if mine is not None:
        own = breakdown(
            developer=devs[idx] if side == "developer" else dev_by_id[mine],
            partner=par_by_id[mine] if side == "developer" else pars[idx],
            config=config,
        )
    reason: str | None = None
    detail: str | None = None
    if mine is None:
        reason, detail = run.reasons.get((side, person_id), ("unknown", ""))
    return PersonExplanation(
        side,
        person_id,
        person.region,
        mine,
        own,
        reason,
        _(REASONS[reason]) if reason in REASONS else None,
        detail,
        tuple(alternatives),
    )


def explain_pair(run: PreviousRun, *, developer_id: str, partner_id: str) -> PairExplanation:
    """Explain one pair and what forcing it would change, by solving with it locked."""
    d_idx = _find(run, "developer", developer_id)
    p_idx = _find(run, "partner", partner_id)
    dev, par = run.dataset.developers[d_idx], run.dataset.partners[p_idx]
    config = run.config
    forbidden = frozenset(run.forbid)
    b = breakdown(developer=dev, partner=par, config=config)
    broken = tuple(violated_rules(developer=dev, partner=par, config=config, forbidden=forbidden))
    already = (developer_id, partner_id) in set(run.pairs)
    base = cost_of_forcing(run, developer_id=developer_id, partner_id=partner_id)
    return PairExplanation(developer_id, partner_id, b, not broken, broken, already, *base)


def cost_of_forcing(
    run: PreviousRun,
    *,
    developer_id: str,
    partner_id: str,
) -> tuple[bool, str | None, int, int, float, float, float, tuple[PairChange, ...]]:
    """Solve the run's problem with and without the pair locked and compare the optima.

    The forced solve prefers the base solution's pairs: among its optima, the one that
    changes the fewest of them is reported.
    """
    locks = list(run.locks)
    base_inst = build_instance(run.dataset, run.config, locks=locks, forbid=run.forbid)
    # Among tied optima, the base is the one the user saw (the pairs of the result folder).
    base = solve_instance(base_inst, prefer=pair_flags(base_inst, run.pairs))
    if (developer_id, partner_id) in set(run.forbid):
        return (
            False,
            _("the pair is on the forbid list"),
            0,
            0,
            0.0,
            base.total_score,
            base.total_score,
            (),
        )
    forced_locks = [(d, p) for d, p in locks if d != developer_id and p != partner_id]
    forced_locks.append((developer_id, partner_id))
    try:
        forced_inst = build_instance(run.dataset, run.config, locks=forced_locks, forbid=run.forbid)
        forced = solve_instance(
            forced_inst, prefer=pair_flags(forced_inst, pair_scores(base_inst, base))
        )
    except InputError as exc:
        text = "; ".join(p.message for p in exc.problems) or str(exc)
        return (False, text, 0, 0, 0.0, base.total_score, base.total_score, ())

    before, after = pair_scores(base_inst, base), pair_scores(forced_inst, forced)
    changes = [
        PairChange("removed", d, p, s)
        for (d, p), s in sorted(before.items())
        if (d, p) not in after
    ]
    changes += [
        PairChange("added", d, p, s) for (d, p), s in sorted(after.items()) if (d, p) not in before
    ]
    return (
        True,
        None,
        int(forced.priority_filled - base.priority_filled),
        int(forced.filled.sum() - base.filled.sum()),
        round(forced.total_score - base.total_score, 6),
        base.total_score,
        forced.total_score,
        tuple(changes),
    )


def pair_scores(instance: Instance, solution: Solution) -> dict[tuple[str, str], float]:
    """Return the chosen pairs of a solution as (developer id, partner id) -> score."""
    out = {}
    for e in solution.edges.tolist():
        d = instance.developers[int(instance.edges.dev[e])].id
        p = instance.partners[int(instance.edges.par[e])].id
        out[(d, p)] = float(instance.edges.score[e])
    return out
