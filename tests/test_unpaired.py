"""Tests for the reasons given to the unpaired, against the straightforward implementation.

The oracle below is the code ``pipeline._unpaired`` held before it was vectorised: it looks
at every edge in Python and re-scores every person whose edges are all taken against the
whole other side. ``matcher.unpaired`` must give every unpaired person the very same
reason and detail, on instances where the developer-side pruning drops edges.
"""

from __future__ import annotations

import random
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import profiles
import pytest

import matcher.edges
from matcher.config import MatcherConfig, Mix, Quotas, Rules
from matcher.i18n import _
from matcher.models import KINDS, Dataset, Developer, Partner
from matcher.pipeline import Instance, MatchResult, assemble, build_instance, solve_instance
from matcher.reference import PROVINCES, REGIONS, get_region
from matcher.rules import RULE_TEXT, RULES, allowed_mask, first_violations, may_cross_regions
from matcher.scoring import breakdown, score_block
from matcher.specs import group_caps, partner_groups, region_specs
from matcher.unpaired import Side, Unpaired
from matcher.words import side_word

# --- the oracle: today's code before the change, kept verbatim ---


def _rule_summary(violations: Counter[str], total: int, side: str, where: str) -> str:
    if total == 0:
        return _("there is no {side} in reach in {where}").format(side=side_word(side), where=where)
    parts = [
        f"{_(RULE_TEXT[code])} ({n})"
        for code, n in sorted(violations.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    return _("none of the {total} {side}s in reach passes the rules: ").format(
        total=total, side=side_word(side)
    ) + ", ".join(parts)


def oracle_unpaired(
    instance: Instance, dev_pair: dict[int, int], par_pair: dict[int, int], filled: Counter[str]
) -> list[Unpaired]:
    devs, pars, config = instance.developers, instance.partners, instance.config
    e_dev, e_par, e_score = instance.edges.dev, instance.edges.par, instance.edges.score
    order_d = np.argsort(e_dev, kind="stable")
    order_p = np.argsort(e_par, kind="stable")
    starts_d = np.searchsorted(e_dev[order_d], np.arange(len(devs) + 1))
    starts_p = np.searchsorted(e_par[order_p], np.arange(len(pars) + 1))
    caps = {r.code: s.max for r, s in zip(REGIONS, instance.specs, strict=True)}
    out: list[Unpaired] = []

    def classify(side: Side, own: int, others: np.ndarray, scores: np.ndarray) -> tuple[str, str]:
        paired_map = par_pair if side == "developer" else dev_pair
        people = pars if side == "developer" else devs
        other_side = "partner" if side == "developer" else "developer"
        free = [int(o) for o in others if int(o) not in paired_map]
        if free:
            if side == "developer":
                # the developer's own region if a free partner is there, else the first one
                regions = {pars[f].region for f in free}
                home = devs[own].region
                region = home if home in regions else min(regions)
            else:
                region = pars[own].region
            name = get_region(region).name
            if filled[region] >= caps[region]:
                return "quota_full", _(
                    "{region} already has its {cap} pairs; "
                    "{n} compatible {side}(s) left unpaired too"
                ).format(region=name, cap=caps[region], n=len(free), side=side_word(other_side))
            return "excluded_by_rule", _(
                "{region}'s mix rules (places reserved per partner kind, "
                "maximum per kind, share of women) leave no place for "
                "a pair with the {n} free compatible {side}(s)"
            ).format(region=name, n=len(free), side=side_word(other_side))
        best = int(np.argmax(scores))
        other = int(others[best])
        taker = paired_map[other]
        if side == "developer":
            taken = breakdown(developer=devs[taker], partner=pars[other], config=config).score
        else:
            taken = breakdown(developer=devs[other], partner=pars[taker], config=config).score
        region_name = get_region(
            pars[other].region if side == "developer" else pars[own].region
        ).name
        return "outscored", _(
            "every compatible {side} in reach ({n}) was paired with someone "
            "else; the best, {best} (score {score:.1f}), is paired "
            "with {taker} (score {taken:.1f}) in {region}"
        ).format(
            side=side_word(other_side),
            n=len(others),
            best=people[other].id,
            score=float(scores[best]),
            taker=_id(side, taker, devs, pars),
            taken=taken,
            region=region_name,
        )

    # Pruned edges miss compatible counterparts (a developer keeps only its best few per
    # region and kind): when no free one is left among the edges, look at every compatible
    # counterpart before calling someone outscored.
    def all_taken(others: np.ndarray, paired_map: dict[int, int]) -> bool:
        return all(int(o) in paired_map for o in others)

    full_d = _compatible(
        instance,
        "developer",
        [
            i
            for i in range(len(devs))
            if i not in dev_pair
            and all_taken(e_par[order_d[starts_d[i] : starts_d[i + 1]]], par_pair)
        ],
    )
    full_p = _compatible(
        instance,
        "partner",
        [
            j
            for j in range(len(pars))
            if j not in par_pair
            and all_taken(e_dev[order_p[starts_p[j] : starts_p[j + 1]]], dev_pair)
        ],
    )
    for i, dev in enumerate(devs):
        if i in dev_pair:
            continue
        sel = order_d[starts_d[i] : starts_d[i + 1]]
        others, scores = full_d.get(i, (e_par[sel], e_score[sel]))
        if len(others):
            reason, detail = classify("developer", i, others, scores)
        else:
            reason, detail = _no_candidates("developer", i, instance)
        out.append(Unpaired("developer", dev.id, dev.name, dev.region, reason, detail))
    for j, par in enumerate(pars):
        if j in par_pair:
            continue
        sel = order_p[starts_p[j] : starts_p[j + 1]]
        others, scores = full_p.get(j, (e_dev[sel], e_score[sel]))
        if caps[par.region] == 0:
            reason = "quota_full"
            detail = _("{region} wants no pairs (quota 0)").format(
                region=get_region(par.region).name
            )
        elif len(others):
            reason, detail = classify("partner", j, others, scores)
        else:
            reason, detail = _no_candidates("partner", j, instance)
        out.append(Unpaired("partner", par.id, par.name, par.region, reason, detail))
    return out


def _compatible(
    instance: Instance, side: Side, people: list[int], chunk: int = 256
) -> dict[int, tuple[np.ndarray, np.ndarray]]:
    """Return, per person, the indices of every counterpart that breaks no rule and scores."""
    from matcher.rules import allowed_mask
    from matcher.scoring import score_block

    if instance.edges.pruned == 0 and instance.edges.skipped == 0:
        return {}
    devs, pars, config = instance.developers, instance.partners, instance.config
    out: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for start in range(0, len(people), chunk):
        rows = people[start : start + chunk]
        sub_d = [devs[i] for i in rows] if side == "developer" else devs
        sub_p = [pars[j] for j in rows] if side == "partner" else pars
        block = score_block(developers=sub_d, partners=sub_p, config=config)
        mask = allowed_mask(
            block=block,
            developers=sub_d,
            partners=sub_p,
            config=config,
            forbidden=instance.forbidden,
        )
        score = block.score
        if side == "partner":
            mask, score = mask.T, score.T
        for k, person in enumerate(rows):
            others = np.flatnonzero(mask[k]).astype(np.int64)
            out[person] = (others, score[k, others])
    return out


def _id(side: Side, taker: int, devs: Sequence[Developer], pars: Sequence[Partner]) -> str:
    return devs[taker].id if side == "developer" else pars[taker].id


_REACH_RULES = ("mobility_local", "cross_region_not_allowed")


def _no_candidates(side: Side, i: int, instance: Instance) -> tuple[str, str]:
    """Explain why someone has no allowed pair at all (the code before the vectorisation).

    Counterparts ruled out only by mobility or the cross-region policy are "out of reach" and
    not counted, unless nobody at all is in reach.
    """
    config = instance.config
    if side == "developer":
        dev = instance.developers[i]
        first = first_violations(
            developers=[dev],
            partners=instance.partners,
            config=config,
            forbidden=instance.forbidden,
        ).reshape(-1)
        where, other = get_region(dev.region).name, "partner"
    else:
        par = instance.partners[i]
        first = first_violations(
            developers=instance.developers,
            partners=[par],
            config=config,
            forbidden=instance.forbidden,
        ).reshape(-1)
        where, other = get_region(par.region).name, "developer"
    allowed = int((first < 0).sum())
    if allowed:
        return "outscored", _(
            "the {n} compatible {other}(s) each had better-scoring {mine}s to choose from"
        ).format(n=allowed, other=side_word(other), mine=side_word(side))
    reach = {RULES.index(code) for code in _REACH_RULES}
    in_reach = [int(k) for k in first.tolist() if k not in reach]
    counts: Counter[str] = Counter(RULES[k] for k in (in_reach or first.tolist()))
    code = "no_compatible_partner" if side == "developer" else "no_compatible_developer"
    if not counts:
        return code, _("there is no {other} at all").format(other=side_word(other))
    if not in_reach:
        return code, (
            _("no {other} in reach of {where}: ").format(other=side_word(other), where=where)
            + ", ".join(f"{_(RULE_TEXT[c])} ({n})" for c, n in sorted(counts.items()))
        )
    return code, _rule_summary(counts, len(in_reach), other, where)


# --- the instances ---

_REGIONS = ("MA-04", "MA-06", "MA-07")
_LANGS = ("ary", "fr", "ar", "zgh")
_TAGS = ("web", "seo", "mobile", "payments")


def random_call(
    seed: int,
) -> tuple[Dataset, MatcherConfig, list[tuple[str, str]], list[tuple[str, str]]]:
    """Return many people for few places over three regions, so pruning drops most edges.

    Rare languages leave some people without any compatible counterpart; a kind mix or a
    women share (on some seeds) leaves places no free pair may take; random forbidden
    pairs, a lock (on some seeds) and cross-region policies exercise every rule.
    """
    rng = random.Random(seed)

    def place() -> dict[str, Any]:
        region = rng.choice(_REGIONS)
        provinces = [p.code for p in PROVINCES if p.region == region][:3]
        return {"region": region, "province": rng.choice([*provinces, None])}

    def langs() -> tuple[str, ...]:
        return tuple(rng.sample(_LANGS, rng.choice((1, 1, 2))))

    # From seed 100 on, most developers are remote: the scorer then skips many of them
    # against regions their own developers fill (matcher.bounds).
    remote = seed >= 100
    n_dev, n_par = rng.randint(20, 60) + 60 * remote, rng.randint(20, 60)
    developers = [
        profiles.dev(
            id=f"D-{i:03d}",
            name=f"Dev {i}",
            languages=langs(),
            skills=tuple(rng.sample(_TAGS, rng.randint(0, 2))),
            sectors=tuple(rng.sample(("textile", "food"), rng.randint(0, 1))),
            mobility=rng.choice(["local", "region", "remote", *(["remote"] * 3 * remote)]),
            gender=rng.choice(["female", "male", None]),
            availability_hours=rng.choice([None, 5, 10, 20]),
            **place(),
        )
        for i in range(n_dev)
    ]
    partners = [
        profiles.par(
            id=f"P-{i:03d}",
            name=f"Partner {i}",
            languages=langs(),
            needs=tuple(rng.sample(_TAGS, rng.randint(0, 2))),
            sector=rng.choice(("textile", "food")),
            kind=rng.choice(KINDS),
            availability_hours=rng.choice([None, 5, 10, 20]),
            **place(),
        )
        for i in range(n_par)
    ]
    mix: dict[str, Any] = {}
    if seed % 3 == 1:
        mix = {"min_per_kind": {"farmer": 1}, "max_per_kind": {"merchant": 1}}
    elif seed % 3 == 2:
        mix = {"min_women_share": 0.5}
    config = MatcherConfig(
        quotas=Quotas(
            default=rng.randint(1, 3), regions={_REGIONS[0]: rng.randint(1 if mix else 0, 2)}
        ),
        mix=Mix(**mix),
        rules=Rules(
            cross_region=rng.choice(
                ["remote-only", "always"] if remote else ["never", "remote-only", "always"]
            ),
            min_score=rng.choice([0.0, 30.0, 45.0]),
        ),
    )
    forbid = {
        (rng.choice(developers).id, rng.choice(partners).id) for _ in range(rng.randint(0, 15))
    }
    locks: list[tuple[str, str]] = []
    if seed % 6 == 0:
        # Any developer with a partner of a region that has places: often a pair that
        # breaks a rule, which is locked all the same.
        partner = rng.choice([p for p in partners if p.region != _REGIONS[0]])
        locks = [(rng.choice(developers).id, partner.id)]
        forbid -= set(locks)
    return Dataset(developers, partners), config, sorted(forbid), locks


def solved(
    seed: int, monkeypatch: pytest.MonkeyPatch, *, kernel: bool
) -> tuple[Instance, MatchResult, list[Unpaired]]:
    """Build, solve and assemble one random call; return it with the oracle's unpaired list."""
    # From 0 cells on every run scores with the fused kernel; from 2**62 on, with numpy.
    monkeypatch.setattr(matcher.edges, "KERNEL_FROM_CELLS", 0 if kernel else 1 << 62)
    dataset, config, forbid, locks = random_call(seed)
    instance = build_instance(dataset, config, forbid=forbid, locks=locks)
    result = assemble(instance, solve_instance(instance))
    dev_pair = {
        instance.dev_index[p.developer.id]: instance.par_index[p.partner.id] for p in result.pairs
    }
    par_pair = {p: d for d, p in dev_pair.items()}
    filled = Counter(p.region for p in result.pairs)
    return instance, result, oracle_unpaired(instance, dev_pair, par_pair, filled)


SEEDS = [*range(24), *range(100, 112)]
_AT_LEAST = re.compile(r"at least (\d+) ")


def assert_same_or_bound(got: Unpaired, want: Unpaired) -> None:
    """Assert ``got`` is ``want``, or says "at least m" where ``want`` counts n ≥ m exactly."""
    found = _AT_LEAST.search(got.detail)
    if found is None:
        assert got == want
        return
    assert replace(got, detail="") == replace(want, detail="")
    before, after = got.detail[: found.start()], got.detail[found.end() :]
    exact = re.fullmatch(re.escape(before) + r"(\d+) " + re.escape(after), want.detail)
    assert exact is not None, (got.detail, want.detail)
    assert 0 < int(found.group(1)) <= int(exact.group(1))


_FULL = re.compile(r"^(.+) already has its (\d+) pairs; at least (\d+) compatible partner")


def assert_free_somewhere(
    got: Unpaired, want: Unpaired, instance: Instance, result: MatchResult
) -> None:
    """Assert a developer's "at least m" names a full region where m of its partners are free.

    The exact count (``want``) may name another region: one the scorer skipped this crossing
    developer for (matcher.bounds), whose partners are not counted.
    """
    found = _FULL.match(got.detail)
    assert found is not None and got.reason == want.reason == "quota_full", (got, want)
    region = next(r.code for r in REGIONS if r.name == found.group(1))
    paired = {p.partner.id for p in result.pairs}
    d = instance.dev_index[got.id]
    cols = [j for j, p in enumerate(instance.partners) if p.region == region and p.id not in paired]
    allowed = allowed_mask(
        block=score_block(
            developers=[instance.developers[d]],
            partners=[instance.partners[j] for j in cols],
            config=instance.config,
        ),
        developers=[instance.developers[d]],
        partners=[instance.partners[j] for j in cols],
        config=instance.config,
        forbidden=instance.forbidden,
    )
    assert int(found.group(2)) == sum(p.region == region for p in result.pairs)
    exact = int(re.search(r"; (\d+) compatible", want.detail).group(1))  # type: ignore[union-attr]
    assert allowed.any() and 0 < int(found.group(3)) <= exact


@pytest.mark.parametrize("kernel", [False, True], ids=["numpy", "kernel"])
@pytest.mark.parametrize("seed", SEEDS)
def test_reasons_equal_the_straightforward_code(
    seed: int, kernel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    instance, result, expected = solved(seed, monkeypatch, kernel=kernel)
    assert instance.edges.pruned > 0  # the case the shortcut is for
    assert len(result.unpaired) == len(expected)
    for got, want in zip(result.unpaired, expected, strict=True):
        if got.side == "developer" and got.detail != want.detail and _FULL.match(got.detail):
            assert_free_somewhere(got, want, instance, result)
        else:
            assert_same_or_bound(got, want)


@pytest.mark.parametrize("kernel", [False, True], ids=["numpy", "kernel"])
@pytest.mark.parametrize("seed", SEEDS)
def test_edge_set_counts_every_allowed_pair(
    seed: int, kernel: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The shortcut rests on these counts: a partner's free compatible developers number
    # par_allowed minus the paired ones compatible with them.
    instance, _result, _expected = solved(seed, monkeypatch, kernel=kernel)
    block = score_block(
        developers=instance.developers, partners=instance.partners, config=instance.config
    )
    allowed = allowed_mask(
        block=block,
        developers=instance.developers,
        partners=instance.partners,
        config=instance.config,
        forbidden=instance.forbidden,
    )
    edges = instance.edges
    if edges.skipped == 0:
        assert edges.par_allowed.tolist() == allowed.sum(axis=0).tolist()
        assert edges.dev_allowed.tolist() == allowed.sum(axis=1).tolist()
        return
    # With skipping (matcher.bounds), what a partner's count misses is exactly its compatible
    # crossing developers from elsewhere with no edge into its region (caps of 1 or more).
    region = np.array([REGIONS.index(get_region(p.region)) for p in instance.partners])
    crossing = np.array(
        [
            may_cross_regions(mobility=d.mobility, config=instance.config)
            for d in instance.developers
        ]
    )
    reached = edges.scored
    free = np.setdiff1d(np.arange(len(edges)), edges.locked)  # locks may break a rule
    assert reached[edges.dev[free], region[edges.par[free]]].all()  # an edge: scored there
    # A partner of a group with cap 0 keeps no edge at all, so its region's crossing
    # developers may have been scored without an edge there: its count is redone over
    # everyone (unpaired._skipped_compatible), and it is left out here.
    specs = region_specs(instance.config)
    kinds = np.array([KINDS.index(p.kind) for p in instance.partners], dtype=np.int64)
    cap = group_caps(specs)[partner_groups(specs, par_region=region, par_kind=kinds)]
    for j, partner in enumerate(instance.partners):
        if cap[j] == 0:
            continue
        outside = crossing & (
            np.array([d.region != partner.region for d in instance.developers])
            & ~reached[:, region[j]]
        )
        assert edges.par_allowed[j] + allowed[outside, j].sum() == allowed[:, j].sum()


def _branches(instance: Instance, result: MatchResult) -> Counter[tuple[str, str, str]]:
    """Count the unpaired by (side, which way their reason is found, reason)."""
    edges = instance.edges
    paired_d = np.zeros(len(instance.developers), dtype=np.bool_)
    paired_p = np.zeros(len(instance.partners), dtype=np.bool_)
    for pair in result.pairs:
        paired_d[instance.dev_index[pair.developer.id]] = True
        paired_p[instance.par_index[pair.partner.id]] = True
    free_p = np.bincount(edges.par[~paired_d[edges.dev]], minlength=len(instance.partners))
    free_d = np.bincount(edges.dev[~paired_p[edges.par]], minlength=len(instance.developers))
    kept_p = np.bincount(edges.par, minlength=len(instance.partners))
    found: Counter[tuple[str, str, str]] = Counter()
    for u in result.unpaired:
        if u.side == "partner":
            j = instance.par_index[u.id]
            if free_p[j]:
                way = "a free edge"
            elif edges.par_allowed[j] == 0:
                way = "nobody allowed"
            else:
                way = "no edge" if kept_p[j] == 0 else "every edge taken"
        else:
            i = instance.dev_index[u.id]
            if free_d[i]:
                way = "a free edge"
            else:
                way = "every edge taken" if edges.dev_allowed[i] else "nobody allowed"
        found[(u.side, way, u.reason)] += 1
    return found


def test_the_random_calls_reach_every_way_and_reason(monkeypatch: pytest.MonkeyPatch) -> None:
    found: Counter[tuple[str, str, str]] = Counter()
    for seed in SEEDS:
        instance, result, _expected = solved(seed, monkeypatch, kernel=False)
        found += _branches(instance, result)
    for side in ("developer", "partner"):
        for reason in ("quota_full", "excluded_by_rule"):
            assert found[(side, "a free edge", reason)], (side, reason)
    for way in ("no edge", "every edge taken"):
        for reason in ("quota_full", "outscored"):
            assert found[("partner", way, reason)], (way, reason)
    assert found[("partner", "no edge", "excluded_by_rule")]
    assert found[("partner", "nobody allowed", "no_compatible_developer")]
    for reason in ("quota_full", "excluded_by_rule", "outscored"):
        assert found[("developer", "every edge taken", reason)], reason
    assert found[("developer", "nobody allowed", "no_compatible_partner")]


def test_partners_without_edges_get_the_full_count(monkeypatch: pytest.MonkeyPatch) -> None:
    # One place in Rabat. Each developer keeps its best edge only, both to P1 (and D2's falls
    # below the bar): P2 (Arabic, which only D1 speaks) and P3 (another sector) are left
    # without any edge.
    developers = [
        profiles.dev(id="D1", languages=("fr", "ar")),
        profiles.dev(id="D2", skills=("seo",)),
    ]
    partners = [
        profiles.par(id="P1"),
        profiles.par(id="P2", languages=("ar",), needs=("seo",)),
        profiles.par(id="P3", needs=("mobile",), sector="food"),
        profiles.par(id="P4", languages=("zgh",)),
    ]
    config = MatcherConfig(quotas=Quotas(default=1))
    instance = build_instance(Dataset(developers, partners), config)
    result = assemble(instance, solve_instance(instance))
    assert [(p.developer.id, p.partner.id) for p in result.pairs] == [("D1", "P1")]
    # D1's best edge goes to P1; D2's, to P1 too, scores below D1's, the bar of a matching of
    # one pair there (matcher.bounds), so it is dropped: no edge reaches P2, P3 or P4.
    assert instance.edges.par.tolist() == [0]
    score = {
        (d.id, p.id): breakdown(developer=d, partner=p, config=config).score
        for d in developers
        for p in partners
    }
    got = {u.id: (u.reason, u.detail) for u in result.unpaired}
    assert got == {
        "D2": (
            "quota_full",
            "Rabat-Salé-Kénitra already has its 1 pairs; 1 compatible partner(s) left unpaired too",
        ),
        "P2": (
            "outscored",
            "every compatible developer in reach (1) was paired with someone else; the best, "
            f"D1 (score {score['D1', 'P2']:.1f}), is paired with P1 "
            f"(score {score['D1', 'P1']:.1f}) in Rabat-Salé-Kénitra",
        ),
        "P3": (
            "quota_full",
            "Rabat-Salé-Kénitra already has its 1 pairs; "
            "1 compatible developer(s) left unpaired too",
        ),
        "P4": (
            "no_compatible_developer",
            "none of the 2 developers in reach passes the rules: no language in common (2)",
        ),
    }
    expected = oracle_unpaired(instance, {0: 0}, {0: 0}, Counter({"MA-04": 1}))
    for got_row, want_row in zip(result.unpaired, expected, strict=True):
        assert_same_or_bound(got_row, want_row)


def matched(
    developers: list[Developer],
    partners: list[Partner],
    forbid: Sequence[tuple[str, str]] = (),
) -> dict[str, tuple[str, str]]:
    """Match with the default rules; return each unpaired (reason, detail), as the oracle says."""
    instance = build_instance(Dataset(developers, partners), MatcherConfig(), forbid=forbid)
    result = assemble(instance, solve_instance(instance))
    dev_pair = {
        instance.dev_index[p.developer.id]: instance.par_index[p.partner.id] for p in result.pairs
    }
    par_pair = {p: d for d, p in dev_pair.items()}
    expected = oracle_unpaired(
        instance, dev_pair, par_pair, Counter(p.region for p in result.pairs)
    )
    assert result.unpaired == expected
    return {u.id: (u.reason, u.detail) for u in result.unpaired}


def test_nobody_in_reach_names_the_reach_rules() -> None:
    # D1 works in Salé only, where no partner is; P3 is in Casablanca, which neither
    # developer may reach; P2 is forbidden to D2, its only candidate.
    got = matched(
        [
            profiles.dev(id="D1", mobility="local", province="04.441"),
            profiles.dev(id="D2", languages=("ar",)),
        ],
        [
            profiles.par(id="P2", languages=("ar",)),
            profiles.par(id="P3", region="MA-06", province="06.141"),
        ],
        forbid=[("D2", "P2")],
    )
    assert got == {
        "D1": (
            "no_compatible_partner",
            "no partner in reach of Rabat-Salé-Kénitra: "
            "the developer works only in their own province (2)",
        ),
        "D2": (
            "no_compatible_partner",
            "none of the 1 partners in reach passes the rules: the pair is on the forbid list (1)",
        ),
        "P2": (
            "no_compatible_developer",
            "none of the 1 developers in reach passes the rules: "
            "the pair is on the forbid list (1)",
        ),
        "P3": (
            "no_compatible_developer",
            "no developer in reach of Casablanca-Settat: "
            "the partner is in another region and the developer may not cross regions (1), "
            "the developer works only in their own province (1)",
        ),
    }


def test_nobody_at_all() -> None:
    got = matched([profiles.dev(id="D1")], [])
    assert got == {"D1": ("no_compatible_partner", "there is no partner at all")}


def test_skipped_crossing_developers_are_counted() -> None:
    # Rabat's own developers fill its one place with pairs (100 and 95) that the remote R1
    # from Casablanca cannot reach (at most 75 after the cross-region penalty): the scorer
    # skips R1 against Rabat, yet R1 is compatible with every Rabat partner.
    developers = [
        profiles.dev(id="D1", languages=("fr", "es"), availability_hours=10),
        profiles.dev(id="D2", skills=("seo",), availability_hours=10),
        profiles.dev(
            id="R1", region="MA-06", province="06.141", mobility="remote", languages=("fr", "es")
        ),
    ]
    partners = [
        profiles.par(id="P1", availability_hours=10),
        profiles.par(id="P2", sector="food"),
        profiles.par(id="P3", languages=("es",)),
        profiles.par(id="P4", needs=("seo",), availability_hours=5),
    ]
    config = MatcherConfig(quotas=Quotas(default=0, regions={"MA-04": 1, "MA-06": 1}))
    instance = build_instance(Dataset(developers, partners), config)
    result = assemble(instance, solve_instance(instance))
    assert instance.edges.skipped == len(partners)  # R1 against each Rabat partner
    assert [(p.developer.id, p.partner.id) for p in result.pairs] == [("D1", "P1")]
    full = "Rabat-Salé-Kénitra already has its 1 pairs; {n} compatible {side}(s) left unpaired too"
    at_least = full.replace("; {n}", "; at least {n}")
    got = {u.id: (u.reason, u.detail) for u in result.unpaired}
    assert got == {
        # D2's edges score below D1's (the bar of Rabat's one place) and are dropped, so its
        # compatible partners are counted afresh: P2 and P4
        "D2": ("quota_full", full.format(n=2, side="partner")),
        "R1": ("quota_full", full.format(n=3, side="partner")),
        # D2 and R1, but R1 was not scored against Rabat: "at least" D2
        "P2": ("quota_full", at_least.format(n=1, side="developer")),
        "P3": ("quota_full", full.format(n=1, side="developer")),  # R1, not outscored
        # D2, with no edge left either, and R1 unscored: "at least" D2
        "P4": ("quota_full", at_least.format(n=1, side="developer")),
    }
    expected = oracle_unpaired(instance, {0: 0}, {0: 0}, Counter({"MA-04": 1}))
    for got_row, want_row in zip(result.unpaired, expected, strict=True):
        assert_same_or_bound(got_row, want_row)


def test_a_crossing_developer_with_no_compatible_partner_is_explained() -> None:
    # Found by tests/test_stability.py (seed 30464): a remote developer whose edges were
    # all taken, re-examined because the scorer may have skipped them, turned out to have
    # no compatible partner at all, and the reason code took the best of none.
    from test_stability import _instance

    devs, pars, config = _instance(30464)
    instance = build_instance(Dataset(devs, pars), config)
    result = assemble(instance, solve_instance(instance))
    assert instance.edges.skipped > 0
    assert all(u.reason and u.detail for u in result.unpaired)
    dev_pair = {
        instance.dev_index[p.developer.id]: instance.par_index[p.partner.id] for p in result.pairs
    }
    par_pair = {p: d for d, p in dev_pair.items()}
    filled = Counter(p.region for p in result.pairs)
    expected = oracle_unpaired(instance, dev_pair, par_pair, filled)
    for got, want in zip(result.unpaired, expected, strict=True):
        assert_same_or_bound(got, want)


def test_a_developer_without_edges_is_told_of_its_own_full_region_first() -> None:
    # R, remote from Casablanca, is scored in Rabat and at home, but its pairs with the food
    # partners score below each region's bar (a perfect local pair) and are dropped: R keeps
    # only its edges to the two paired partners. Both regions have a free partner compatible
    # with R; the reason names R's own region, and counts both.
    developers = [
        profiles.dev(id="D-A", province=None),
        profiles.dev(id="D-C", region="MA-06", province=None),
        profiles.dev(id="R", region="MA-06", province=None, mobility="remote"),
    ]
    partners = [
        profiles.par(id="P-A1", province=None),
        profiles.par(id="P-A2", province=None, sector="food"),
        profiles.par(id="P-C1", region="MA-06", province=None),
        profiles.par(id="P-C2", region="MA-06", province=None, sector="food"),
    ]
    config = MatcherConfig.model_validate(
        {
            "rules": {
                "cross_region": "remote-only",
                "cross_region_penalty": 0,
                "remote_distance_score": 1.0,
            },
            "quotas": {"default": 0, "regions": {"MA-04": 1, "MA-06": 1}},
        }
    )
    instance = build_instance(Dataset(developers, partners), config)
    result = assemble(instance, solve_instance(instance))
    assert sorted((p.developer.id, p.partner.id) for p in result.pairs) == [
        ("D-A", "P-A1"),
        ("D-C", "P-C1"),
    ]
    r = instance.dev_index["R"]
    kept = instance.edges.par[instance.edges.dev == r].tolist()
    assert kept == [instance.par_index["P-A1"], instance.par_index["P-C1"]]  # both paired
    assert instance.edges.scored[r].sum() == 2  # yet scored in both regions
    got = next(u for u in result.unpaired if u.id == "R")
    assert (got.reason, got.detail) == (
        "quota_full",
        "Casablanca-Settat already has its 1 pairs; 2 compatible partner(s) left unpaired too",
    )


@pytest.mark.parametrize("seed", SEEDS[:8])
def test_the_kernel_block_allows_and_scores_as_numpy(seed: int) -> None:
    """Once numba is loaded the reasons score blocks with the kernel: same pairs, same scores."""
    import matcher.kernel  # noqa: F401 - loads numba: _allowed_block takes the kernel
    from matcher.unpaired import _allowed_block, _first_rules, _People

    dataset, config, forbid, locks = random_call(seed)
    instance = build_instance(dataset, config, forbid=forbid, locks=locks)
    none = np.full(len(instance.developers), -1, dtype=np.int64)
    people = _People(
        instance.developers,
        instance.partners,
        config,
        instance.forbidden,
        none,
        np.full(len(instance.partners), -1, dtype=np.int64),
        {},
        {},
    )
    rows = np.arange(len(instance.developers), dtype=np.int64)[::2]
    cols = np.arange(len(instance.partners), dtype=np.int64)[::-1]
    first, want_score = _first_rules(people, rows, cols)
    allowed, score = _allowed_block(people, rows, cols)
    assert allowed.tolist() == (first < 0).tolist()
    assert allowed.any() and score[allowed].tobytes() == want_score[allowed].tobytes()


# --- the reasons worded column-wise equal the per-person wording of before ---


def _free_left_text_before(
    side: Side, region: str, n: int, caps: dict[str, int], filled: dict[str, int], at_least: bool
) -> tuple[str, str]:
    """The per-person wording of a free-left reason before it was done column-wise (verbatim)."""
    name = get_region(region).name
    other_side = "partner" if side == "developer" else "developer"
    cap = caps[region]
    if at_least and filled.get(region, 0) >= cap:
        return "quota_full", _(
            "{region} already has its {cap} pairs; at least {n} compatible {side}(s) left "
            "unpaired too"
        ).format(region=name, cap=cap, n=n, side=side_word(other_side))
    if at_least:
        return "excluded_by_rule", _(
            "{region}'s mix rules (places reserved per partner kind, "
            "maximum per kind, share of women) leave no place for "
            "a pair with at least {n} free compatible {side}(s)"
        ).format(region=name, n=n, side=side_word(other_side))
    if filled.get(region, 0) >= cap:
        return "quota_full", _(
            "{region} already has its {cap} pairs; {n} compatible {side}(s) left unpaired too"
        ).format(region=name, cap=cap, n=n, side=side_word(other_side))
    return "excluded_by_rule", _(
        "{region}'s mix rules (places reserved per partner kind, "
        "maximum per kind, share of women) leave no place for "
        "a pair with the {n} free compatible {side}(s)"
    ).format(region=name, n=n, side=side_word(other_side))


@pytest.mark.parametrize("language", ["en", "fr"])
@pytest.mark.parametrize("side", ["developer", "partner"])
@pytest.mark.parametrize("seed", range(6))
def test_reasons_worded_per_distinct_value_equal_the_per_person_text(
    seed: int, side: Side, language: str, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from babel.messages.mofile import write_mo
    from babel.messages.pofile import read_po

    from matcher import i18n
    from matcher.unpaired import _free_left_column, _People, _quota_zero

    if language == "fr":
        po = Path(matcher.edges.__file__).parent / "locale/fr/LC_MESSAGES/matcher.po"
        target = tmp_path / "fr" / "LC_MESSAGES"
        target.mkdir(parents=True)
        with (target / "matcher.mo").open("wb") as handle:
            write_mo(handle, read_po(po.open("rb")))
        monkeypatch.setattr(i18n, "LOCALE_DIR", tmp_path)
    i18n.set_language(language)
    rng = np.random.default_rng(seed)
    n = 400
    # Counts repeat (as at national size) and reach large values; half the regions are full.
    left = rng.choice([0, 0, 1, 2, 7, 9, 10, 11, 99, 100, 4095, 65536], size=n).astype(np.int64)
    region = rng.integers(0, len(REGIONS), size=n).astype(np.int64)
    at_least = rng.random(n) < 0.3
    caps = {r.code: int(rng.integers(0, 60)) for r in REGIONS}
    filled = {code: cap if rng.random() < 0.5 else max(0, cap - 1) for code, cap in caps.items()}
    none = np.zeros(0, dtype=np.int64)
    people = _People([], [], MatcherConfig(), frozenset(), none, none, caps, filled)
    who = rng.permutation(n)[: n // 2].astype(np.int64)
    got = _free_left_column(side, who, left=left, region=region, at_least=at_least, people=people)
    want = [
        _free_left_text_before(
            side, REGIONS[region[i]].code, int(left[i]), caps, filled, bool(at_least[i])
        )
        if left[i]
        else None
        for i in who.tolist()
    ]
    assert got == want
    assert any(text is None for text in got) and len({t for t in got if t}) > 20
    if language == "fr":
        assert all("compatible" in t[1] and "already" not in t[1] for t in got if t)
    code = REGIONS[int(region[0])].code
    assert _quota_zero(code, people) == (
        "quota_full",
        _("{region} wants no pairs (quota 0)").format(region=get_region(code).name),
    )
