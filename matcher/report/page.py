"""Render report.html: one self-contained page from the result, its map and its charts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matcher.i18n import _, current_language
from matcher.reference import get_region
from matcher.report.charts import CRITERION_COLOURS, Chart, charts, criterion_label
from matcher.report.data import CRITERIA, PairLine, RegionView, ReportData
from matcher.report.regionmap import RegionMap, fill_legend, region_map


@dataclass(frozen=True)
class Bar:
    """One segment of a pair's per-criterion bar."""

    criterion: str
    label: str
    colour: str
    points: float


def reason_label(reason: str) -> str:
    """Return an unmatched reason code in words, in the user's language."""
    return {
        "no_compatible_partner": _("no partner in reach passes the rules"),
        "no_compatible_developer": _("no developer in reach passes the rules"),
        "quota_full": _("the region's quota was full"),
        "outscored": _("every compatible counterpart was paired with someone else"),
        "excluded_by_rule": _("a mix rule left no place"),
        "dropped": _("left the programme"),
    }.get(reason, reason)


def side_label(side: str) -> str:
    """Return "developer" or "partner" in the user's language."""
    return _("developers") if side == "developer" else _("partners")


def relaxation_label(key: str) -> str:
    """Return a what-if relaxation key of the diagnosis ("quota:MA-11"…) in words."""
    rule, _sep, arg = key.partition(":")
    if rule == "quota" and arg:
        return _("lowering the quota of {region}").format(region=get_region(arg).name)
    if rule == "min_per_kind" and arg:
        return _("lowering mix.min_per_kind.{kind}").format(kind=arg)
    if rule == "max_per_kind" and arg:
        return _("raising mix.max_per_kind.{kind}").format(kind=arg)
    return {
        "remote_distance": _("allowing remote pairs farther"),
        "priority": _("making the region a priority"),
        "distance": _("raising max_distance_km"),
        "min_score": _("lowering min_score"),
        "women_share": _("lowering mix.min_women_share"),
        "language": _("without the shared-language rule"),
        "cross_region": _("changing the cross_region policy"),
        # Keys of results written before the diagnosis searched each rule's threshold.
        "mobility": _("allowing developers from other regions"),
        "mix": _("without the mix rules"),
    }.get(key, key)


_CUT = "\x00"


class _Cut(dict[str, str]):
    """Format values for the placeholders it knows, and a cut mark for the others."""

    def __missing__(self, key: str) -> str:
        return _CUT


def _mentions(key: str, region: RegionView) -> list[str]:
    """Return the words by which the diagnosis sentence names a change of this key.

    They are the diagnosis's own phrases up to their first number, so that "allowing remote
    pairs up to 724 km" counts as naming ``remote_distance`` in either language.
    """
    rule, _sep, arg = key.partition(":")
    known = {"region": get_region(arg).name if rule == "quota" and arg else region.name}
    if arg:
        known["kind"] = arg
    phrases = {
        "remote_distance": [
            _("allowing remote pairs up to {km} km"),
            _("removing the distance limit of remote pairs"),
        ],
        "priority": [_("making {region} a priority region")],
        "quota": [_("lowering the quota of {region} to {n}")],
        "distance": [_("raising max_distance_km to {km} km")],
        "min_score": [_("lowering min_score to {score}")],
        "min_per_kind": [_("lowering mix.min_per_kind.{kind} to {n}")],
        "max_per_kind": [_("raising mix.max_per_kind.{kind} to {n}")],
        "women_share": [
            _("lowering mix.min_women_share to {share}"),
            _("dropping mix.min_women_share"),
        ],
        "language": [_("dropping the shared-language rule")],
        "cross_region": [_('setting cross_region = "{policy}"')],
    }.get(rule, [relaxation_label(key)])
    cut = [phrase.format_map(_Cut(known)).split(_CUT, 1)[0].strip() for phrase in phrases]
    return [words for words in cut if words]


def named_relaxations(region: RegionView) -> list[str]:
    """Return the what-if keys the region's shortfall sentence already names."""
    text = region.diagnosis or ""
    return [
        key for key in region.relaxations if any(words in text for words in _mentions(key, region))
    ]


def proof_line(objective: dict[str, Any]) -> str:
    """Return what the solver proved about the pairing, in words."""
    if objective.get("optimal") and not objective.get("gap"):
        return _("optimal: no pairing fills more places or scores higher")
    if objective.get("optimal"):
        return _(
            "optimal in places filled; the total score is within {gap} of the best possible"
        ).format(gap=f"{100 * float(objective.get('gap', 0)):.4f}%")
    return _("not proved optimal: a better pairing may exist (bound {bound})").format(
        bound=objective.get("score_bound")
    )


def bars(data: ReportData, pair: PairLine) -> list[Bar]:
    """Return a pair's score split into the points each criterion brought."""
    total = sum(data.weights.values()) or 1.0
    return [
        Bar(
            c,
            criterion_label(c),
            CRITERION_COLOURS[c],
            round(100 * data.weights[c] * pair.criteria[c] / total, 1),
        )
        for c in CRITERIA
    ]


def kind_label(kind: str) -> str:
    """Return a partner kind in the user's language."""
    return {"artisan": _("artisan"), "farmer": _("farmer"), "merchant": _("merchant")}.get(
        kind, kind
    )


def _env() -> Any:
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("matcher.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.globals.update(
        _=_,
        reason_label=reason_label,
        side_label=side_label,
        relaxation_label=relaxation_label,
        named=named_relaxations,
        kind_label=kind_label,
        criterion_label=criterion_label,
    )
    return env


def render_report(data: ReportData) -> bytes:
    """Return report.html for a result: a single page with everything inline."""
    from markupsafe import Markup

    chart_list: list[Chart] = charts(data)
    the_map: RegionMap = region_map(data.regions)
    manifest = data.manifest
    shortfalls: list[RegionView] = [r for r in data.regions if r.shortfall]
    html: str = (
        _env()
        .get_template("report.html.j2")
        .render(
            lang=current_language(),
            data=data,
            manifest=manifest,
            objective=manifest["objective"],
            counts=manifest.get("counts", {}),
            proof=proof_line(manifest["objective"]),
            shortfalls=shortfalls,
            charts=chart_list,
            chart_svg={c.key: Markup(c.svg) for c in chart_list},
            map=the_map,
            legend=fill_legend(),
            bars=lambda pair: bars(data, pair),
            criteria=[(c, criterion_label(c), CRITERION_COLOURS[c]) for c in CRITERIA],
        )
    )
    return html.encode("utf-8")
