"""Render report.html: one self-contained page from the result, its map and its charts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from matcher.i18n import _, current_language
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
    """Return a what-if relaxation key in words."""
    return {
        "mobility": _("allowing developers from other regions"),
        "language": _("without the shared-language rule"),
        "distance": _("allowing twice the distance"),
        "min_score": _("without the minimum score"),
        "mix": _("without the mix rules"),
    }.get(key, key)


def named_relaxations(region: RegionView) -> list[str]:
    """Return the what-if keys the region's shortfall sentence already names."""
    text = region.diagnosis or ""
    return [key for key in region.relaxations if relaxation_label(key) in text]


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
