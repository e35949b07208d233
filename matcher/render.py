"""Turn library results into rich tables and JSON; the only module that formats for people."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich import box
from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from matcher.club_explain import ClubExplanation, Membership
from matcher.club_files import club_summary, clubs_data
from matcher.clubs import ClubsResult
from matcher.errors import Problem
from matcher.explain import PairExplanation, PersonExplanation
from matcher.i18n import N_, _
from matcher.models import KINDS, Dataset
from matcher.pipeline import MatchResult
from matcher.reference import REGIONS, Region, region_names
from matcher.rematch import RematchResult
from matcher.rules import RULE_TEXT
from matcher.scoring import Breakdown
from matcher.words import kind_heading, kind_word, language_words, sector_word, side_word

# Tables without vertical rules: two columns of padding per column, so they fit 80 columns.
_BOX = box.SIMPLE_HEAVY


def _table(title: str | None = None) -> Table:
    return Table(
        title=title,
        title_justify="left",
        box=_BOX,
        pad_edge=False,
        show_edge=False,
        padding=(0, 1, 0, 0),
    )


def region_legend(codes: Sequence[str]) -> Text:
    """Return the names of the regions whose codes a table shows, as "MA-01 name · …"."""
    from matcher.reference import get_region

    return Text(" · ".join(f"{c} {get_region(c).name}" for c in codes), style="dim")


def problems_text(problems: Sequence[Problem]) -> Text:
    """Return problems as lines "error: file, row, column: message; hint"."""
    text = Text()
    for p in problems:
        style = "bold red" if p.severity == "error" else "yellow"
        text.append(_("error: ") if p.severity == "error" else _("warning: "), style=style)
        text.append(str(p) + "\n")
    return text


def dataset_summary(dataset: Dataset, result: MatchResult | None = None) -> list[dict[str, Any]]:
    """Return per-region counts: developers, partners by kind, top languages.

    With a match result, also the pairs wanted and the pairs the rules make possible.
    """
    reports = {r.code: r for r in result.regions} if result else {}
    rows = []
    for region in REGIONS:
        devs = [d for d in dataset.developers if d.region == region.code]
        pars = [p for p in dataset.partners if p.region == region.code]
        langs: Counter[str] = Counter()
        for person in [*devs, *pars]:
            langs.update(person.languages)
        rows.append(
            {
                "code": region.code,
                "region": region.name,
                "developers": len(devs),
                "partners": len(pars),
                "partners_by_kind": {k: sum(1 for p in pars if p.kind == k) for k in KINDS},
                "top_languages": [
                    code for code, _ in sorted(langs.items(), key=lambda kv: (-kv[1], kv[0]))[:3]
                ],
            }
        )
        report = reports.get(region.code)
        if report is not None:
            rows[-1].update(
                wanted_min=report.min,
                wanted_max=report.max,
                possible=report.filled,
                short=report.shortfall,
            )
    return rows


def summary_table(rows: Sequence[dict[str, Any]]) -> Table:
    """Return the validate summary as a table (with quotas when they were checked)."""
    quotas = bool(rows) and "possible" in rows[0]
    table = _table(_("Applications per region"))
    table.add_column(_("Region"))
    table.add_column(_("Devs"), justify="right")
    table.add_column(_("Partners"), justify="right")
    for kind in KINDS:
        table.add_column(kind_heading(kind), justify="right")
    table.add_column(_("Languages"))
    if quotas:
        table.add_column(_("Wanted"), justify="right")
        table.add_column(_("Possible"), justify="right")
    for row in rows:
        cells = [
            row["code"],
            str(row["developers"]),
            str(row["partners"]),
            *(str(row["partners_by_kind"][k]) for k in KINDS),
            language_words(row["top_languages"]),
        ]
        if quotas:
            low, high = row["wanted_min"], row["wanted_max"]
            cells += [str(high) if low == high else f"{low}–{high}", str(row["possible"])]
        table.add_row(*cells, style="red" if quotas and row["short"] else None)
    totals = [
        _("Total"),
        str(sum(r["developers"] for r in rows)),
        str(sum(r["partners"] for r in rows)),
        *(str(sum(r["partners_by_kind"][k] for r in rows)) for k in KINDS),
        "",
    ]
    if quotas:
        totals += [str(sum(r["wanted_max"] for r in rows)), str(sum(r["possible"] for r in rows))]
    table.add_row(*totals, style="bold")
    return table


def summary_view(rows: Sequence[dict[str, Any]]) -> RenderableType:
    """Return the validate summary: the table, then the names of its region codes."""
    kinds = Text(
        _("Art., Farm., Merch.: partners who are artisans, farmers, merchants."), style="dim"
    )
    return Group(summary_table(rows), kinds, region_legend([r["code"] for r in rows]))


def regions_table(regions: Sequence[Region]) -> Table:
    """Return the 12 regions with their codes and accepted names (stacked: fits 80 columns)."""
    table = _table(_("Regions of Morocco (2015 division)"))
    table.add_column(_("ISO"))
    table.add_column(_("HCP"))
    table.add_column(_("Official name, capital, and the other accepted names"))
    for r in regions:
        others = [n for n in region_names(r) if n not in (r.name, r.code, r.hcp_code)]
        table.add_row(
            r.code,
            r.hcp_code,
            Text.assemble(
                (r.name, "bold"),
                " — " + _("capital: {city}").format(city=r.capital) + "\n",
                (_("also: {names}").format(names=", ".join(others)), "dim"),
            ),
            end_section=True,
        )
    return table


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def match_table(result: MatchResult) -> Table:
    """Return the national preview: quota, filled, scores and shortfall per region."""
    table = _table(_("Pairs per region"))
    for col, justify in (
        (_("Code"), "left"),
        (_("Region"), "left"),
        (_("Wanted"), "right"),
        (_("Filled"), "right"),
        (_("Mean score"), "right"),
        (_("Lowest"), "right"),
        (_("Short"), "right"),
    ):
        table.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in result.regions:
        wanted = str(r.max) if r.min == r.max else f"{r.min}–{r.max}"
        name = r.name + (" ★" if r.priority else "")
        style = "bold red" if r.shortfall else None
        table.add_row(
            r.code,
            name,
            wanted,
            str(r.filled),
            _fmt(r.mean_score),
            _fmt(r.lowest_score),
            str(r.shortfall) if r.shortfall else "",
            style=style,
        )
    opt = result.optimality
    table.add_row(
        "",
        _("Total"),
        str(sum(r.max for r in result.regions)),
        str(opt.filled),
        _fmt(opt.total_score / opt.filled if opt.filled else None),
        "",
        str(sum(r.shortfall for r in result.regions)) or "",
        style="bold",
    )
    return table


def best_pairs_table(result: MatchResult, *, per_region: int = 3) -> Table:
    """Return the best few pairs of every region (ids only: no names on screen)."""
    table = _table(_("Best {n} pairs per region").format(n=per_region))
    for col in (
        _("Region"),
        # Short headings: with kind, sector and languages as words the table must fit 80 columns.
        _("Dev."),
        _("Partner id"),
        _("Kind"),
        _("Sector"),
        _("Score"),
        _("Shared languages"),
        _("km"),
    ):
        table.add_column(col)
    for region in REGIONS:
        pairs = sorted(
            (p for p in result.pairs if p.region == region.code),
            key=lambda p: (-p.breakdown.score, p.partner.id),
        )[:per_region]
        for n, pair in enumerate(pairs):
            b = pair.breakdown
            table.add_row(
                region.code if n == 0 else "",
                pair.developer.id,
                pair.partner.id,
                kind_word(pair.partner.kind),
                sector_word(pair.partner.sector),
                f"{b.score:.1f}",
                language_words(b.shared_languages),
                f"{b.distance_km:.0f}",
                end_section=n == len(pairs) - 1,
            )
    return table


def optimality_text(result: MatchResult, *, verbose: bool = False) -> Text:
    """Return what was proved about the pairing, in plain words (the bound with ``verbose``)."""
    opt = result.optimality
    if opt.optimal:
        status = _("optimal (proven: no other pairing fills more places or reaches a better score)")
    else:
        status = _(
            "the best pairing found: at most {gap:.2f} score points below the best possible"
        ).format(gap=opt.bound - opt.total_score)
    text = _(
        "{filled} pairs, total score {score:.2f} — {status}. "
        "Unpaired: {developers} developers, {partners} partners."
    ).format(
        filled=opt.filled,
        score=opt.total_score,
        status=status,
        developers=sum(u.side == "developer" for u in result.unpaired),
        partners=sum(u.side == "partner" for u in result.unpaired),
    )
    if verbose:
        text += " " + _("(Bound {bound:.2f}, gap {gap:.4f}, method: {method}.)").format(
            bound=opt.bound, gap=opt.gap, method=opt.method
        )
    return Text(text)


def match_view(result: MatchResult, *, best: bool = True, verbose: bool = False) -> RenderableType:
    """Return the whole preview: region table, shortfall reasons, best pairs, optimality."""
    parts: list[RenderableType] = [match_table(result)]
    short = result.shortfalls
    if short:
        text = Text("\n" + _("Shortfalls") + "\n", style="bold red")
        for r in short:
            fallback = _("{region}: {n} short").format(region=r.name, n=r.shortfall)
            text.append(f"• {r.diagnosis or fallback}\n")
        parts.append(text)
    if best:
        parts.append(best_pairs_table(result))
    parts.append(optimality_text(result, verbose=verbose))
    return Group(*parts)


def result_json(result: MatchResult) -> dict[str, Any]:
    """Return a run's outcome as JSON-ready data (ids only, no names or contacts)."""
    opt = result.optimality
    return {
        "optimality": {
            "method": opt.method,
            "optimal": opt.optimal,
            "filled": opt.filled,
            "priority_filled": opt.priority_filled,
            "min_filled": opt.min_filled,
            "total_score": round(opt.total_score, 4),
            "bound": round(opt.bound, 4),
            "gap": round(opt.gap, 6),
        },
        "regions": [
            {
                "code": r.code,
                "name": r.name,
                "min": r.min,
                "max": r.max,
                "priority": r.priority,
                "developers": r.developers,
                "partners": r.partners,
                "filled": r.filled,
                "mean_score": r.mean_score,
                "lowest_score": r.lowest_score,
                "shortfall": r.shortfall,
                "diagnosis": r.diagnosis,
                "relaxations": dict(r.relaxations),
            }
            for r in result.regions
        ],
        "pairs": [
            {
                "region": p.region,
                "developer_id": p.developer.id,
                "partner_id": p.partner.id,
                "score": round(p.breakdown.score, 4),
                "locked": p.locked,
                "cross_region": p.breakdown.cross_region,
            }
            for p in result.pairs
        ],
        "unpaired": [
            {"side": u.side, "id": u.id, "region": u.region, "reason": u.reason, "detail": u.detail}
            for u in result.unpaired
        ],
        "warnings": [w.to_dict() for w in result.warnings],
    }


CRITERIA = {
    "skills": N_("skills"),
    "languages": N_("languages"),
    "distance": N_("distance"),
    "sector": N_("sector"),
    "availability": N_("availability"),
}


def _breakdown_table(b: Breakdown, weights: dict[str, float] | None = None) -> Table:
    table = _table()
    table.add_column(_("Criterion"))
    table.add_column(_("Value"), justify="right")
    for name in ("skills", "languages", "distance", "sector", "availability"):
        table.add_row(_(CRITERIA[name]), f"{getattr(b, name):.2f}")
    if b.penalty:
        table.add_row(_("cross-region penalty"), f"−{b.penalty:.1f}")
    table.add_row(_("score"), f"{b.score:.1f}", style="bold")
    table.add_row(_("distance (km)"), f"{b.distance_km:.0f}")
    table.add_row(_("shared languages"), language_words(b.shared_languages))
    return table


def person_view(p: PersonExplanation) -> RenderableType:
    """Return the explanation of one person: their pair or reason, then alternatives."""
    parts: list[RenderableType] = []
    where = f"{side_word(p.side).capitalize()} {p.id} ({p.region})"
    if p.partner_of and p.breakdown:
        parts.append(
            Text(
                _("{who} is paired with {other}.").format(who=where, other=p.partner_of),
                style="bold",
            )
        )
        parts.append(_breakdown_table(p.breakdown))
    else:
        reason = p.reason_text or p.reason
        parts.append(
            Text(_("{who} is not paired: {reason}.").format(who=where, reason=reason), style="bold")
        )
        if p.detail:
            parts.append(Text(p.detail))
    alt = _table(_("Best compatible alternatives ({n})").format(n=len(p.alternatives)))
    alt.add_column(_("Id"))
    alt.add_column(_("Score"), justify="right")
    alt.add_column(_("What happened to them"))
    for a in p.alternatives:
        alt.add_row(a.id, f"{a.score:.1f}", a.fate)
    if not p.alternatives:
        alt.add_row("—", "", _("no compatible counterpart passes the rules"))
    parts.append(alt)
    return Group(*parts)


def pair_view(p: PairExplanation) -> RenderableType:
    """Return the explanation of a pair: breakdown, rules, and the cost of forcing it."""
    parts: list[RenderableType] = [
        Text(
            _("Pair {developer} + {partner}").format(
                developer=p.developer_id, partner=p.partner_id
            ),
            style="bold",
        ),
        _breakdown_table(p.breakdown),
    ]
    if p.allowed:
        parts.append(Text(_("Allowed by every rule.")))
    else:
        parts.append(
            Text(
                _("Not allowed: {rules}.").format(
                    rules="; ".join(_(RULE_TEXT[c]) for c in p.broken_rules)
                ),
                style="red",
            )
        )
    if p.already_paired:
        parts.append(Text(_("This pair is in the result: forcing it costs nothing.")))
    elif not p.feasible:
        parts.append(
            Text(
                _("It cannot be forced: {reason}.").format(reason=p.infeasible_reason), style="red"
            )
        )
    else:
        parts.append(
            Text(
                _(
                    "Forcing it: places filled {filled:+d} (priority regions {priority:+d}), "
                    "total score {delta:+.2f} ({before:.2f} → {after:.2f}); "
                    "{n} pair change(s):"
                ).format(
                    filled=p.delta_filled,
                    priority=p.delta_priority_filled,
                    delta=p.delta_score,
                    before=p.base_score,
                    after=p.forced_score,
                    n=len(p.changes),
                )
            )
        )
        table = _table()
        for col in (_("Change"), _("Developer"), _("Partner"), _("Score")):
            table.add_column(col)
        for c in p.changes:
            table.add_row(_(CHANGES[c.change]), c.developer_id, c.partner_id, f"{c.score:.1f}")
        parts.append(table)
    return Group(*parts)


CHANGES = {"kept": N_("kept"), "removed": N_("removed"), "added": N_("added")}


def rematch_view(r: RematchResult) -> RenderableType:
    """Return the rematch diff: removed and added pairs, and the price of stability."""
    kept = sum(c.change == "kept" for c in r.changes)
    table = _table(_("Changes (kept: {n})").format(n=kept))
    for col in (_("Change"), _("Region"), _("Developer"), _("Partner"), _("Score"), _("Reason")):
        table.add_column(col)
    for c in r.changes:
        if c.change == "kept":
            continue
        table.add_row(
            _(CHANGES[c.change]),
            c.region,
            c.developer_id,
            c.partner_id,
            "" if c.score is None else f"{c.score:.1f}",
            c.reason,
            style="red" if c.change == "removed" else "green",
        )
    opt = r.result.optimality
    note = Text(
        _("Dropped: {ids}. {filled} pairs, total score {score:.2f}. ").format(
            ids=", ".join(r.dropped), filled=opt.filled, score=opt.total_score
        )
        + (
            _("Re-solved from scratch (--reopen): {n} existing pair(s) moved.").format(
                n=r.moved_if_reopened
            )
            if r.reopened
            else _(
                "Re-solving everything instead would move {n} existing pair(s) "
                "for a total score of {score:.2f} ({filled} pairs)."
            ).format(n=r.moved_if_reopened, score=r.score_if_reopened, filled=r.filled_if_reopened)
        )
    )
    return Group(match_table(r.result), table, note)


def clubs_view(result: ClubsResult) -> RenderableType:
    """Return the clubs of every region, then what the solver proved per region."""
    clubs = Table(title=_("Regional clubs"), title_justify="left")
    for col, justify in (
        (_("Club"), "left"),
        (_("Region"), "left"),
        (_("Seat"), "left"),
        (_("Pairs"), "right"),
        (_("Kinds a/f/m"), "left"),
        (_("Shared languages"), "left"),
        (_("Mean km"), "right"),
        (_("Max km"), "right"),
    ):
        clubs.add_column(col, justify=justify)  # type: ignore[arg-type]
    for region in result.regions:
        for club in sorted(region.clubs, key=lambda c: c.id):
            s = club_summary(region, club, weight=result.developer_weight)
            kinds = "/".join(str(s["partner_kinds"][k]) for k in KINDS)
            clubs.add_row(
                club.id + (" " + _("(kept)") if club.kept else ""),
                region.code,
                club.seat.name,
                str(s["size"]),
                kinds,
                ", ".join(s["shared_languages"]) or "—",
                f"{s['mean_travel_km']:.1f}",
                f"{s['max_travel_km']:.1f}",
                style=None if s["shares_and_mixes"] else "yellow",
            )
    regions = Table(title=_("Travel per region"), title_justify="left")
    for col, justify in (
        (_("Code"), "left"),
        (_("Region"), "left"),
        (_("Pairs"), "right"),
        (_("Clubs"), "right"),
        (_("Travel km"), "right"),
        (_("Bound km"), "right"),
        (_("Gap"), "right"),
        (_("Sharing + mixing"), "right"),
    ):
        regions.add_column(col, justify=justify)  # type: ignore[arg-type]
    for r in result.regions:
        regions.add_row(
            r.code,
            r.name,
            str(len(r.members)),
            str(len(r.clubs)),
            f"{r.travel_km:.1f}",
            f"{r.bound_km:.1f}",
            f"{r.gap:.2%}",
            f"{r.good_clubs}/{len(r.clubs)}"
            + ("" if r.composition_optimal else " " + _("(best found)")),
            style=None if r.optimal else "yellow",
        )
    proved = sum(r.optimal for r in result.regions)
    travel = sum(r.travel_km for r in result.regions)
    note = _(
        "{clubs} clubs of {low}–{high} pairs, total travel {travel:.1f} km; least travel "
        "proved in {proved} of {regions} regions (gap 0). Travel = partner km + "
        "{weight:g} × developer km to the seat (remote developers: 0)."
    ).format(
        clubs=len(result.clubs),
        low=result.size_min,
        high=result.size_max,
        travel=travel,
        proved=proved,
        regions=len(result.regions),
        weight=result.developer_weight,
    )
    if result.reopened:
        note += " " + _("Re-formed from scratch (--reopen): {moved} kept member(s) moved.").format(
            moved=result.moved
        )
    elif result.kept_from:
        note += " " + _("Kept clubs of {file}: no kept member moved.").format(file=result.kept_from)
    return Group(clubs, regions, Text(note))


def clubs_json(result: ClubsResult, *, written: Sequence[str]) -> dict[str, Any]:
    """Return the clubs as JSON-ready data (ids only), with each region's solve time."""
    data = clubs_data(result, pairings_sha256="")
    del data["pairings_sha256"]
    for row, region in zip(data["regions"], result.regions, strict=True):
        row["seconds"] = round(region.seconds, 3)
    data["members"] = [
        {
            "club_id": club.id,
            "developer_id": region.members[i].developer_id,
            "partner_id": region.members[i].partner_id,
        }
        for region in result.regions
        for club in sorted(region.clubs, key=lambda c: c.id)
        for i in club.members
    ]
    data["warnings"] = result.warnings
    data["written"] = list(written)
    return data


def club_view(c: ClubExplanation) -> RenderableType:
    """Return the explanation of a club: members, seat, and the travel the seat saves."""
    kinds = ", ".join(f"{n} {k}" for k, n in c.partner_kinds if n)
    head = Text(
        _("Club {club} ({region}) meets at {seat}: {n} pairs ({kinds}).").format(
            club=c.id, region=c.region_name, seat=c.seat, n=len(c.members), kinds=kinds
        ),
        style="bold",
    )
    members = Table(title=_("Members"), title_justify="left")
    for col, justify in (
        (_("Developer"), "left"),
        (_("Partner"), "left"),
        (_("Kind"), "left"),
        (_("Partner km"), "right"),
        (_("Developer km"), "right"),
        (_("Travel km"), "right"),
    ):
        members.add_column(col, justify=justify)  # type: ignore[arg-type]
    for m in c.members:
        members.add_row(
            m.developer_id,
            m.partner_id,
            m.partner_kind,
            f"{m.partner_km:.1f}",
            _("remote") if m.remote else f"{m.developer_km:.1f}",
            f"{m.travel_km:.1f}",
        )
    if c.next_seat is None or c.saved_km is None or c.next_travel_km is None:
        why = _("{seat} is the only seat of the region.").format(seat=c.seat)
    elif c.saved_km >= 0:
        why = _(
            "Why {seat}: its members travel {travel:.1f} km in all there; the next best seat, "
            "{next}, would cost {other:.1f} km ({saved:.1f} km more)."
        ).format(
            seat=c.seat,
            travel=c.travel_km,
            next=c.next_seat,
            other=c.next_travel_km,
            saved=c.saved_km,
        )
    else:
        why = _(
            "{seat} is a kept club's seat: its members travel {travel:.1f} km there; "
            "{next} would cost {saved:.1f} km less (use --reopen to re-form the clubs)."
        ).format(seat=c.seat, travel=c.travel_km, next=c.next_seat, saved=-c.saved_km)
    languages = ", ".join(c.shared_languages) or _("none")
    shared = _("Languages every member shares: {languages}.").format(languages=languages)
    if not c.shares_and_mixes:
        shared += " " + _("It does not both share a language and mix partner kinds.")
    return Group(head, members, Text(why), Text(shared))


def membership_text(side: str, person_id: str, m: Membership | None) -> Text:
    """Return the line saying which club a person's pair is in."""
    if m is None:
        return Text(_("{side} {id} is in no club.").format(side=side, id=person_id))
    return Text(
        _("{side} {id} is in club {club}, which meets at {seat} ({n} pairs).").format(
            side=side, id=person_id, club=m.club_id, seat=m.seat, n=m.size
        )
    )
