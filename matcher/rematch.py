"""Refill the places freed by drop-outs while every other pair stays as it was."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from matcher.errors import InputError, Problem
from matcher.i18n import _
from matcher.models import Developer
from matcher.outputs import OutputOptions, options_csv
from matcher.pipeline import MatchResult, Pair, Unpaired, run_match
from matcher.previous import PreviousRun

Change = Literal["kept", "removed", "added"]


@dataclass(frozen=True)
class PairChange:
    """One line of changes.csv."""

    change: Change
    region: str
    developer_id: str
    partner_id: str
    score: float | None
    reason: str


@dataclass
class RematchResult:
    """The new result, what changed against the previous one, and the price of stability."""

    result: MatchResult
    changes: list[PairChange]
    dropped: list[str]
    reopened: bool
    moved_if_reopened: int
    score_if_reopened: float
    filled_if_reopened: int


def _check_drops(run: PreviousRun, drop: list[str]) -> list[str]:
    known = {d.id for d in run.dataset.developers} | {p.id for p in run.dataset.partners}
    unknown = [i for i in drop if i not in known]
    if unknown:
        raise InputError(
            _("unknown ids to drop"),
            [
                Problem(
                    None,
                    None,
                    "--drop",
                    _("no developer or partner has id {i} in this result").format(i=i),
                    _("check the id against pairings.csv and unmatched.csv"),
                    code="unknown_id",
                )
                for i in unknown
            ],
        )
    return sorted(set(drop))


def rematch(run: PreviousRun, *, drop: list[str], reopen: bool = False) -> RematchResult:
    """Remove the dropped people, keep every other pair, and refill optimally."""
    dropped = _check_drops(run, drop)
    gone = set(dropped)
    dataset = replace(
        run.dataset,
        developers=[d for d in run.dataset.developers if d.id not in gone],
        partners=[p for p in run.dataset.partners if p.id not in gone],
    )
    kept = [(d, p) for d, p in run.pairs if d not in gone and p not in gone]
    # --reopen keeps only the user's own locks; pairs an earlier rematch kept may move.
    base_locks = [(d, p) for d, p in run.user_locks if d not in gone and p not in gone]
    # Only the result that is written gets the (costly) shortfall diagnosis.
    stable = run_match(
        dataset,
        run.config,
        locks=sorted(set(kept) | set(base_locks)),
        forbid=run.forbid,
        diagnose=not reopen,
    )
    # Reopened, the previous pairs are preferred: of the optima, the one moving fewest.
    reopened = run_match(
        dataset, run.config, locks=base_locks, forbid=run.forbid, diagnose=reopen, prefer_pairs=kept
    )
    result = reopened if reopen else stable
    previous = set(run.pairs)
    now_reopened = {(p.developer.id, p.partner.id) for p in reopened.pairs}
    moved = sum(
        1
        for pair in previous
        if pair not in now_reopened and not (pair[0] in gone or pair[1] in gone)
    )
    people = {d.id: d for d in run.dataset.developers} | {p.id: p for p in run.dataset.partners}
    for pid in dropped:
        person = people[pid]
        side: Literal["developer", "partner"] = (
            "developer" if any(d.id == pid for d in run.dataset.developers) else "partner"
        )
        result.unpaired.append(
            Unpaired(
                side,
                pid,
                person.name,
                person.region,
                "dropped",
                _("removed from the programme by rematch"),
            )
        )
    for earlier in run.dropped_people:
        result.unpaired.append(
            Unpaired(
                "developer" if isinstance(earlier, Developer) else "partner",
                earlier.id,
                earlier.name,
                earlier.region,
                "dropped",
                _("removed from the programme by an earlier rematch"),
            )
        )
    result.unpaired.sort(key=lambda u: (u.side, u.id))
    return RematchResult(
        result,
        _changes(run, result.pairs, gone),
        dropped,
        reopen,
        moved,
        reopened.optimality.total_score,
        reopened.optimality.filled,
    )


def _changes(run: PreviousRun, pairs: list[Pair], gone: set[str]) -> list[PairChange]:
    now = {(p.developer.id, p.partner.id): p for p in pairs}
    region_of = {p.id: p.region for p in run.dataset.partners}
    out: list[PairChange] = []
    for d, p in sorted(run.pairs):
        if (d, p) in now:
            out.append(
                PairChange(
                    "kept", now[(d, p)].region, d, p, now[(d, p)].breakdown.score, _("unchanged")
                )
            )
            continue
        if d in gone or p in gone:
            who = _(" and ").join(x for x in (d, p) if x in gone)
            reason = _("{who} dropped out").format(who=who)
        else:
            reason = _("re-solved (--reopen)")
        out.append(PairChange("removed", region_of.get(p, ""), d, p, None, reason))
    for (d, p), pair in sorted(now.items()):
        if (d, p) not in set(run.pairs):
            out.append(
                PairChange(
                    "added", pair.region, d, p, pair.breakdown.score, _("fills a freed place")
                )
            )
    return out


def changes_csv(changes: list[PairChange], *, options: OutputOptions) -> bytes:
    """Return changes.csv: kept, removed and added pairs with their reasons."""

    rows: list[list[str]] = [
        options.header(["change", "region_code", "developer_id", "partner_id", "score", "reason"])
    ]
    order = {"removed": 0, "added": 1, "kept": 2}
    for c in sorted(changes, key=lambda c: (order[c.change], c.region, c.partner_id)):
        rows.append(
            [
                c.change,
                c.region,
                c.developer_id,
                c.partner_id,
                "" if c.score is None else options.number(c.score, 2),
                c.reason,
            ]
        )
    return options_csv(rows, options)


def rematch_manifest(run: PreviousRun, outcome: RematchResult) -> dict[str, object]:
    """Return what the manifest records about a rematch, to reproduce and explain it."""
    from matcher.hashing import sha256_file
    from matcher.outputs import PAIRINGS
    from matcher.stability import audit_manifest

    gone = set(outcome.dropped)
    audit = audit_manifest(
        developers=[d for d in run.dataset.developers if d.id not in gone],
        partners=[p for p in run.dataset.partners if p.id not in gone],
        config=run.config,
        pairs=outcome.result.pairs,
        forbidden=run.forbid,
    )
    return {
        "read_options": run.manifest.get("read_options", {}),
        "rematch": {
            "from": str(run.folder.resolve()),
            "previous_pairings_sha256": sha256_file(
                run.folder / PAIRINGS
                if (run.folder / PAIRINGS).exists()
                else run.folder / "pairings.xlsx"  # a result kept as its workbook only
            ),
            "dropped": outcome.dropped,
            "all_dropped": sorted(set(run.all_dropped) | set(outcome.dropped)),
            "reopen": outcome.reopened,
            "kept": sum(c.change == "kept" for c in outcome.changes),
            "removed": sum(c.change == "removed" for c in outcome.changes),
            "added": sum(c.change == "added" for c in outcome.changes),
        },
        **audit,
    }


def read_drop_file(path: Path) -> list[str]:
    """Read ids from a file: one per line, or a column named id / developer_id / partner_id."""
    from matcher.errors import UsageError

    if not path.exists():
        raise UsageError(_("{path} does not exist").format(path=path))
    lines = [ln.strip().strip('"') for ln in path.read_text(encoding="utf-8-sig").splitlines()]
    lines = [ln.split(",")[0].split(";")[0].strip() for ln in lines if ln.strip()]
    if lines and lines[0].lower() in {"id", "identifiant", "developer_id", "partner_id"}:
        lines = lines[1:]
    return lines
