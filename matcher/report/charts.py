"""The report's charts, drawn by matplotlib's SVG backend as inline, deterministic SVG.

matplotlib renders without a display or a network, writes text as ``<text>`` (no font
files to embed) and, with a fixed ``svg.hashsalt`` and no date, the same SVG every time.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from typing import Any

from matcher.i18n import _
from matcher.report.data import CRITERIA, ReportData

# Okabe & Ito's palette, readable with every common colour-vision deficiency.
OKABE_ITO = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442")
CRITERION_COLOURS = dict(zip(CRITERIA, OKABE_ITO, strict=False))


@dataclass(frozen=True)
class Chart:
    """One chart: its inline SVG, a title, a sentence for screen readers and its data table."""

    key: str
    title: str
    summary: str
    svg: str
    header: list[str]
    rows: list[list[str]]


def criterion_label(criterion: str) -> str:
    """Return a criterion's name in the user's language."""
    return {
        "skills": _("skills"),
        "languages": _("languages"),
        "distance": _("distance"),
        "sector": _("sector"),
        "availability": _("availability"),
    }[criterion]


def _svg(figure: Any, *, key: str, title: str) -> str:
    """Return the figure as an SVG element to inline, with deterministic ids and a title."""
    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.hashsalt": f"matcher-{key}", "svg.fonttype": "none"}):
        figure.savefig(
            buffer, format="svg", metadata={"Date": None, "Creator": None, "Format": None}
        )
    text = buffer.getvalue()
    text = text[text.index("<svg") :]
    text = re.sub(r"<metadata>.*?</metadata>\s*", "", text, flags=re.S)
    # Several charts share one page: every id (and reference to it) gets the chart's prefix.
    text = re.sub(r'\bid="([^"]+)"', rf'id="{key}-\1"', text)
    text = re.sub(r"url\(#([^)]+)\)", rf"url(#{key}-\1)", text)
    text = re.sub(r'href="#([^"]+)"', rf'href="#{key}-\1"', text)
    # Sized by the page, not in points; read by screen readers as one labelled image.
    text = re.sub(
        r'<svg([^>]*?) width="[^"]*" height="[^"]*"',
        rf'<svg\1 role="img" aria-labelledby="chart-{key}-title" class="chart"',
        text,
        count=1,
    )
    return text.strip()


def _figure(height: float) -> Any:
    from matplotlib.figure import Figure

    figure = Figure(figsize=(7.5, height), dpi=72, layout="constrained")
    return figure


def _style(axes: Any) -> None:
    axes.spines[["top", "right"]].set_visible(False)
    axes.tick_params(labelsize=9)
    axes.grid(axis="x", color="#dddddd", linewidth=0.6)
    axes.set_axisbelow(True)


def filled_chart(data: ReportData) -> Chart:
    """Return the places filled per region against its target."""
    regions = data.regions[::-1]  # matplotlib draws the first bar at the bottom
    figure = _figure(0.26 * len(regions) + 0.9)
    axes = figure.add_subplot()
    labels = [r.name + (" ★" if r.priority else "") for r in regions]
    y = range(len(regions))
    axes.barh(y, [r.max for r in regions], color="#ffffff", edgecolor="#555555", hatch="//")
    axes.barh(y, [r.filled for r in regions], color=OKABE_ITO[0], height=0.55)
    axes.set_yticks(list(y), labels)
    axes.set_xlabel(_("places (hatched: wanted; blue: filled)"))
    _style(axes)
    title = _("Places filled per region, against the target")
    short = [r for r in data.regions if r.shortfall]
    summary = _("{filled} of {wanted} places filled; {short} region(s) short.").format(
        filled=data.filled, wanted=data.wanted, short=len(short)
    )
    return Chart(
        "filled",
        title,
        summary,
        _svg(figure, key="filled", title=title),
        [_("Region"), _("Wanted"), _("Filled")],
        [[r.name, str(r.max), str(r.filled)] for r in data.regions],
    )


def score_chart(data: ReportData) -> Chart:
    """Return the distribution of pair scores in each region (box plots)."""
    regions = data.regions[::-1]
    figure = _figure(0.26 * len(regions) + 0.9)
    axes = figure.add_subplot()
    scores = [[p.score for p in r.pairs] for r in regions]
    kept = [i for i, s in enumerate(scores) if s]
    if kept:
        axes.boxplot(
            [scores[i] for i in kept],
            positions=kept,
            orientation="horizontal",
            widths=0.6,
            patch_artist=True,
            boxprops={"facecolor": OKABE_ITO[4], "edgecolor": "#333333"},
            medianprops={"color": "#000000", "linewidth": 1.5},
            flierprops={"marker": "o", "markersize": 3},
        )
    axes.set_yticks(list(range(len(regions))), [r.name for r in regions])
    axes.set_ylim(-0.7, len(regions) - 0.3)
    axes.set_xlim(0, 100)
    axes.set_xlabel(_("score (0-100): box from the first to the third quartile, line at median"))
    _style(axes)
    title = _("Score distribution per region")
    rows = []
    for r in data.regions:
        s = sorted(p.score for p in r.pairs)
        if s:
            median = s[len(s) // 2] if len(s) % 2 else (s[len(s) // 2 - 1] + s[len(s) // 2]) / 2
            rows.append([r.name, str(len(s)), f"{s[0]:.1f}", f"{median:.1f}", f"{s[-1]:.1f}"])
        else:
            rows.append([r.name, "0", "", "", ""])
    lowest = min((p.score for p in data.pairs), default=None)
    summary = _("Mean score {mean}; lowest pair score {lowest}.").format(
        mean="-" if data.mean_score is None else f"{data.mean_score:.1f}",
        lowest="-" if lowest is None else f"{lowest:.1f}",
    )
    return Chart(
        "scores",
        title,
        summary,
        _svg(figure, key="scores", title=title),
        [_("Region"), _("Pairs"), _("Lowest"), _("Median"), _("Highest")],
        rows,
    )


def contributions(data: ReportData, pairs: list[Any]) -> dict[str, float]:
    """Return each criterion's mean contribution, in score points, over ``pairs``."""
    total = sum(data.weights.values()) or 1.0
    if not pairs:
        return dict.fromkeys(CRITERIA, 0.0)
    return {
        c: 100 * data.weights[c] * sum(p.criteria[c] for p in pairs) / len(pairs) / total
        for c in CRITERIA
    }


def criteria_chart(data: ReportData) -> Chart:
    """Return how much each criterion contributes to the mean score, nationally and per region."""
    groups = [(_("National"), data.pairs)] + [(r.name, r.pairs) for r in data.regions]
    groups = groups[::-1]
    figure = _figure(0.26 * len(groups) + 1.2)
    axes = figure.add_subplot()
    left = [0.0] * len(groups)
    parts = [contributions(data, pairs) for _name, pairs in groups]
    for c in CRITERIA:
        values = [p[c] for p in parts]
        axes.barh(
            range(len(groups)),
            values,
            left=left,
            color=CRITERION_COLOURS[c],
            edgecolor="#ffffff",
            linewidth=0.5,
            label=criterion_label(c),
        )
        left = [a + b for a, b in zip(left, values, strict=True)]
    axes.set_yticks(list(range(len(groups))), [name for name, _pairs in groups])
    axes.set_xlim(0, 100)
    axes.set_xlabel(_("mean score points contributed by each criterion"))
    axes.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncols=5, fontsize=8, frameon=False)
    _style(axes)
    title = _("What the scores are made of")
    national = contributions(data, data.pairs)
    summary = "; ".join(f"{criterion_label(c)} {national[c]:.1f}" for c in CRITERIA)
    return Chart(
        "criteria",
        title,
        _("Mean points per criterion, nationally: {parts}.").format(parts=summary),
        _svg(figure, key="criteria", title=title),
        [_("Region")] + [criterion_label(c) for c in CRITERIA],
        [
            [name] + [f"{p[c]:.1f}" for c in CRITERIA]
            for (name, _pairs), p in zip(groups, parts, strict=True)
        ][::-1],
    )


def charts(data: ReportData) -> list[Chart]:
    """Return every chart of the report, in the order the page shows them."""
    return [filled_chart(data), score_chart(data), criteria_chart(data)]
