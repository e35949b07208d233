"""Turn library results into rich tables and JSON; the only module that formats for people."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Any

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text

from matcher.club_explain import ClubExplanation, Membership
from matcher.club_files import club_summary, clubs_data
from matcher.clubs import ClubsResult
from matcher.errors import Problem
from matcher.explain import PairExplanation, PersonExplanation
from matcher.i18n import _
from matcher.models import KINDS, Dataset
from matcher.pipeline import MatchResult
from matcher.reference import REGIONS, Region, region_names
from matcher.rematch import RematchResult
from matcher.rules import RULE_TEXT
from matcher.scoring import Breakdown


def problems_text(problems: Sequence[Problem]) -> Text:
    """Return problems as lines "error: file, row, column: message; hint"."""
    text = Text()
    for p in problems:
        style = "bold red" if p.severity == "error" else "yellow"
        text.append(f"{p.severity}: ", style=style)
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
    table = Table(title="Applications per region", title_justify="left")
    table.add_column("Code")
    table.add_column("Region")
    table.add_column("Developers", justify="right")
    table.add_column("Partners", justify="right")
    for kind in KINDS:
        table.add_column(kind.capitalize() + "s", justify="right")
    table.add_column("Top languages")
    if quotas:
        table.add_column("Wanted", justify="right")
        table.add_column("Possible", justify="right")
    for row in rows:
        cells = [
            row["code"],
            row["region"],
            str(row["developers"]),
            str(row["partners"]),
            *(str(row["partners_by_kind"][k]) for k in KINDS),
            ", ".join(row["top_languages"]),
        ]
        if quotas:
            low, high = row["wanted_min"], row["wanted_max"]
            cells += [str(high) if low == high else f"{low}–{high}", str(row["possible"])]
        table.add_row(*cells, style="red" if quotas and row["short"] else None)
    totals = [
        "",
        "Total",
        str(sum(r["developers"] for r in rows)),
        str(sum(r["partners"] for r in rows)),
        *(str(sum(r["partners_by_kind"][k] for r in rows)) for k in KINDS),
        "",
    ]
    if quotas:
        totals += [str(sum(r["wanted_max"] for r in rows)), str(sum(r["possible"] for r in rows))]
    table.add_row(*totals, style="bold")
    return table


def regions_table(regions: Sequence[Region]) -> Table:
    """Return the 12 regions with their codes and accepted names."""
    table = Table(title="Regions of Morocco (2015 division)", title_justify="left")
    table.add_column("ISO")
    table.add_column("HCP")
    table.add_column("Official name")
    table.add_column("Capital")
    table.add_column("Also accepted")
    for r in regions:
        others = [n for n in region_names(r) if n not in (r.name, r.code, r.hcp_code)]
        table.add_row(r.code, r.hcp_code, r.name, r.capital, ", ".join(others))
    return table


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def match_table(result: MatchResult) -> Table:
    """Return the national preview: quota, filled, scores and shortfall per region."""
    table = Table(title="Pairs per region", title_justify="left")
    for col, justify in (
        ("Code", "left"),
        ("Region", "left"),
        ("Wanted", "right"),
        ("Filled", "right"),
        ("Mean score", "right"),
        ("Lowest", "right"),
        ("Short", "right"),
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
        "Total",
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
    table = Table(title=f"Best {per_region} pairs per region", title_justify="left")
    for col in ("Region", "Developer", "Partner", "Kind", "Sector", "Score", "Languages", "km"):
        table.add_column(col)
    for region in REGIONS:
        pairs = sorted(
            (p for p in result.pairs if p.region == region.code),
            key=lambda p: (-p.breakdown.score, p.partner.id),
        )[:per_region]
        for pair in pairs:
            b = pair.breakdown
            table.add_row(
                region.code,
                pair.developer.id,
                pair.partner.id,
                pair.partner.kind,
                pair.partner.sector,
                f"{b.score:.1f}",
                ", ".join(b.shared_languages),
                f"{b.distance_km:.0f}",
            )
    return table


def match_view(result: MatchResult, *, best: bool = True) -> RenderableType:
    """Return the whole preview: region table, shortfall reasons, best pairs, optimality."""
    parts: list[RenderableType] = [match_table(result)]
    short = result.shortfalls
    if short:
        text = Text("\nShortfalls\n", style="bold red")
        for r in short:
            text.append(f"• {r.diagnosis or r.name + ': ' + str(r.shortfall) + ' short'}\n")
        parts.append(text)
    if best:
        parts.append(best_pairs_table(result))
    opt = result.optimality
    status = "optimal" if opt.optimal else f"gap {opt.gap:.4f}"
    parts.append(
        Text(
            f"{opt.filled} pairs, total score {opt.total_score:.2f} ({status}; "
            f"bound {opt.bound:.2f}; solver: {opt.method}). Unpaired: "
            f"{sum(u.side == 'developer' for u in result.unpaired)} developers, "
            f"{sum(u.side == 'partner' for u in result.unpaired)} partners."
        )
    )
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


def _breakdown_table(b: Breakdown, weights: dict[str, float] | None = None) -> Table:
    table = Table(show_header=True, title_justify="left")
    table.add_column("Criterion")
    table.add_column("Value", justify="right")
    for name in ("skills", "languages", "distance", "sector", "availability"):
        table.add_row(name, f"{getattr(b, name):.2f}")
    if b.penalty:
        table.add_row("cross-region penalty", f"−{b.penalty:.1f}")
    table.add_row("score", f"{b.score:.1f}", style="bold")
    table.add_row("distance (km)", f"{b.distance_km:.0f}")
    table.add_row("shared languages", ", ".join(b.shared_languages) or "none")
    return table


def person_view(p: PersonExplanation) -> RenderableType:
    """Return the explanation of one person: their pair or reason, then alternatives."""
    parts: list[RenderableType] = []
    where = f"{p.side} {p.id} ({p.region})"
    if p.partner_of and p.breakdown:
        parts.append(Text(f"{where} is paired with {p.partner_of}.", style="bold"))
        parts.append(_breakdown_table(p.breakdown))
    else:
        parts.append(Text(f"{where} is not paired: {p.reason} — {p.reason_text}.", style="bold"))
        if p.detail:
            parts.append(Text(p.detail))
    alt = Table(title=f"Best compatible alternatives ({len(p.alternatives)})", title_justify="left")
    alt.add_column("Id")
    alt.add_column("Score", justify="right")
    alt.add_column("What happened to them")
    for a in p.alternatives:
        alt.add_row(a.id, f"{a.score:.1f}", a.fate)
    if not p.alternatives:
        alt.add_row("—", "", "no compatible counterpart passes the rules")
    parts.append(alt)
    return Group(*parts)


def pair_view(p: PairExplanation) -> RenderableType:
    """Return the explanation of a pair: breakdown, rules, and the cost of forcing it."""
    parts: list[RenderableType] = [
        Text(f"Pair {p.developer_id} + {p.partner_id}", style="bold"),
        _breakdown_table(p.breakdown),
    ]
    if p.allowed:
        parts.append(Text("Allowed by every rule."))
    else:
        parts.append(
            Text(
                "Not allowed: " + "; ".join(RULE_TEXT[c] for c in p.broken_rules) + ".", style="red"
            )
        )
    if p.already_paired:
        parts.append(Text("This pair is in the result: forcing it costs nothing."))
    elif not p.feasible:
        parts.append(Text(f"It cannot be forced: {p.infeasible_reason}.", style="red"))
    else:
        parts.append(
            Text(
                f"Forcing it: places filled {p.delta_filled:+d} (priority regions "
                f"{p.delta_priority_filled:+d}), total score {p.delta_score:+.2f} "
                f"({p.base_score:.2f} → {p.forced_score:.2f}); {len(p.changes)} pair change(s):"
            )
        )
        table = Table()
        for col in ("Change", "Developer", "Partner", "Score"):
            table.add_column(col)
        for c in p.changes:
            table.add_row(c.change, c.developer_id, c.partner_id, f"{c.score:.1f}")
        parts.append(table)
    return Group(*parts)


def rematch_view(r: RematchResult) -> RenderableType:
    """Return the rematch diff: removed and added pairs, and the price of stability."""
    kept = sum(c.change == "kept" for c in r.changes)
    table = Table(title=f"Changes (kept: {kept})", title_justify="left")
    for col in ("Change", "Region", "Developer", "Partner", "Score", "Reason"):
        table.add_column(col)
    for c in r.changes:
        if c.change == "kept":
            continue
        table.add_row(
            c.change,
            c.region,
            c.developer_id,
            c.partner_id,
            "" if c.score is None else f"{c.score:.1f}",
            c.reason,
            style="red" if c.change == "removed" else "green",
        )
    opt = r.result.optimality
    note = Text(
        f"Dropped: {', '.join(r.dropped)}. {opt.filled} pairs, total score "
        f"{opt.total_score:.2f}. "
        + (
            f"Re-solved from scratch (--reopen): {r.moved_if_reopened} existing pair(s) moved."
            if r.reopened
            else f"Re-solving everything instead would move {r.moved_if_reopened} existing pair(s) "
            f"for a total score of {r.score_if_reopened:.2f} ({r.filled_if_reopened} pairs)."
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
