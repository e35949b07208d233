"""Say why a region falls short of its quota, and which single relaxation would help."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from matcher.config import MatcherConfig, Mix
from matcher.i18n import _
from matcher.models import Dataset
from matcher.pipeline import MatchResult, RegionReport, build_instance, solve_instance
from matcher.rules import may_cross_regions


@dataclass(frozen=True)
class Relaxation:
    """One rule loosened on its own, to see how many places it would fill."""

    key: str
    label: str  # "allowing remote developers"
    cause: str  # what the rule does to the region, for the sentence


def relaxations(config: MatcherConfig) -> list[Relaxation]:
    """Return the single-rule relaxations worth trying under this config."""
    rules, mix = config.rules, config.mix
    found = []
    if rules.cross_region != "always":
        found.append(
            Relaxation(
                "mobility",
                _("allowing developers from other regions"),
                _(
                    "developers from other regions may not work here (mobility "
                    "and cross-region rules)"
                ),
            )
        )
    if rules.require_shared_language:
        found.append(
            Relaxation(
                "language",
                _("without the shared-language rule"),
                _("too few pairs share a language"),
            )
        )
    found.append(
        Relaxation(
            "distance",
            _("allowing up to {value:g} km").format(value=2 * rules.max_distance_km),
            _("too few developers live within {max_distance_km:g} km of the partners").format(
                max_distance_km=rules.max_distance_km
            ),
        )
    )
    if rules.min_score > 0:
        found.append(
            Relaxation(
                "min_score",
                _("without the minimum score"),
                _("too few pairs reach the minimum score of {min_score:g}").format(
                    min_score=rules.min_score
                ),
            )
        )
    if mix.min_per_kind or mix.max_per_kind or mix.min_women_share:
        found.append(
            Relaxation(
                "mix",
                _("without the mix rules"),
                _("the mix rules (places per partner kind, share of women) cannot all be met"),
            )
        )
    return found


def _relaxed(dataset: Dataset, config: MatcherConfig, key: str) -> tuple[Dataset, MatcherConfig]:
    rules = config.rules
    if key == "mobility":
        # A config change a coordinator can make: "always" lets every developer who did not
        # ask to stay in their own province ("local") work in another region.
        return (
            dataset,
            config.model_copy(
                update={"rules": rules.model_copy(update={"cross_region": "always"})}
            ),
        )
    if key == "language":
        update: dict[str, object] = {"require_shared_language": False}
    elif key == "distance":
        update = {"max_distance_km": 2 * rules.max_distance_km}
    elif key == "min_score":
        update = {"min_score": 0.0}
    else:
        return dataset, config.model_copy(update={"mix": Mix()})
    return dataset, config.model_copy(update={"rules": rules.model_copy(update=update)})


def diagnose_shortfalls(
    *,
    dataset: Dataset,
    config: MatcherConfig,
    locks: Sequence[tuple[str, str]],
    forbid: Iterable[tuple[str, str]],
    result: MatchResult,
) -> list[RegionReport]:
    """Return the region reports with a sentence for every shortfall."""
    forbid = frozenset(forbid)
    short = {r.code for r in result.shortfalls}
    gains: dict[str, list[tuple[Relaxation, int]]] = {code: [] for code in short}
    for relax in relaxations(config):
        data2, config2 = _relaxed(dataset, config, relax.key)
        solution = solve_instance(build_instance(data2, config2, locks=locks, forbid=forbid))
        for i, report in enumerate(result.regions):
            if report.code in short and int(solution.filled[i]) > report.filled:
                gains[report.code].append((relax, int(solution.filled[i])))
    reach = _developers_in_reach(dataset, config)
    out = []
    for report in result.regions:
        if report.code not in short:
            out.append(report)
            continue
        wanted = report.min if report.min < report.max else report.max
        causes = []
        if report.partners < wanted:
            causes.append(_("only {n} partner(s) applied here").format(n=report.partners))
        if reach[report.code] < wanted:
            causes.append(_("only {n} developer(s) can work here").format(n=reach[report.code]))
        helps = gains[report.code]
        # The relaxations that help most name the cause; the others are listed after them.
        best_n = max((n for _relax, n in helps), default=0)
        best = [relax for relax, n in helps if n == best_n]
        others = [(relax, n) for relax, n in helps if n < best_n]
        causes.extend(relax.cause for relax in best)
        if not causes:
            causes.append(
                _(
                    "the compatible developers are needed by other regions or a rule "
                    "combination blocks the remaining places"
                )
            )
        text = _("{region}: {wanted} wanted, {filled} possible — ").format(
            region=report.name, wanted=wanted, filled=report.filled
        ) + "; ".join(causes)
        if best:
            labels = [relax.label for relax in best]
            if len(labels) == 1:
                text += _("; {label} would give {n} of {wanted}").format(
                    label=labels[0], n=best_n, wanted=wanted
                )
            else:
                joined = ", ".join(labels[:-1]) + _(" or ") + labels[-1]
                text += _("; {labels} would each give {n} of {wanted}").format(
                    labels=joined, n=best_n, wanted=wanted
                )
            if others:
                text += " (" + ", ".join(f"{relax.label}: {n}" for relax, n in others) + ")"
        else:
            text += _("; no single rule relaxation would fill more")
        out.append(
            replace(report, diagnosis=text, relaxations=tuple((relax.key, n) for relax, n in helps))
        )
    return out


def _developers_in_reach(dataset: Dataset, config: MatcherConfig) -> dict[str, int]:
    """Count, per region, the developers who may pair there under the mobility rules."""
    from matcher.reference import REGIONS

    counts = {r.code: 0 for r in REGIONS}
    for dev in dataset.developers:
        if may_cross_regions(mobility=dev.mobility, config=config):
            for code in counts:
                counts[code] += 1
        else:
            counts[dev.region] += 1
    return counts
