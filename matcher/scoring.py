"""The pair score and its five criteria, computed for whole blocks of pairs at once."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from functools import lru_cache
from itertools import chain
from operator import attrgetter
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt

from matcher.config import CRITERIA, MatcherConfig
from matcher.geo import haversine_km, locate
from matcher.models import KINDS, Developer, Partner, Profile
from matcher.text import compact

MOBILITIES = ("local", "region", "remote")

Float32s = npt.NDArray[np.float32]
Float64s = npt.NDArray[np.float64]
Int64s = npt.NDArray[np.int64]
Bools = npt.NDArray[np.bool_]


@dataclass(frozen=True)
class Breakdown:
    """The score of one pair and what it is made of."""

    skills: float
    languages: float
    distance: float
    sector: float
    availability: float
    distance_km: float
    shared_languages: tuple[str, ...]
    cross_region: bool
    penalty: float
    score: float
    remote: bool = False  # a remote pair: see is_remote_pair


@dataclass(frozen=True, eq=False)
class ScoreBlock:
    """Criteria and scores of a dense block of pairs, developers as rows, partners as columns."""

    criteria: dict[str, Float32s]
    distance_km: Float32s
    shared_any: Bools
    cross_region: Bools
    score: Float64s

    @property
    def shape(self) -> tuple[int, int]:
        """Return (number of developers, number of partners)."""
        rows, cols = self.score.shape
        return int(rows), int(cols)


@dataclass(frozen=True, eq=False)
class DeveloperFeatures:
    """Per-developer arrays the block scorer and the rule masks work on."""

    region: Int64s  # index into the shared region vocabulary
    province: Int64s  # index into the shared province vocabulary, -1 when unknown
    mobility: Int64s  # index into MOBILITIES
    lat: Float64s
    lon: Float64s
    hours: Float64s  # NaN when missing
    skills: Float32s  # [n, tags] 0/1
    languages: Float32s  # [n, languages] 0/1
    sectors: Float32s  # [n, sectors] 0/1
    has_sectors: Bools

    def __len__(self) -> int:
        return len(self.region)

    def take(self, rows: Int64s) -> DeveloperFeatures:
        """Return the features of the developers at ``rows``, in that order."""
        return _take_rows(self, rows)


@dataclass(frozen=True, eq=False)
class PartnerFeatures:
    """Per-partner arrays the block scorer and the rule masks work on."""

    region: Int64s
    province: Int64s
    kind: Int64s  # index into matcher.models.KINDS
    lat: Float64s
    lon: Float64s
    hours: Float64s
    needs: Float32s  # [n, tags] 0/1
    n_needs: Float32s
    languages: Float32s  # [n, languages] 0/1
    first_language: Float32s  # [n, languages] one-hot (all zero when none listed)
    sector: Float32s  # [n, sectors] one-hot (all zero when blank)

    def __len__(self) -> int:
        return len(self.region)

    def take(self, cols: Int64s) -> PartnerFeatures:
        """Return the features of the partners at ``cols``, in that order."""
        return _take_rows(self, cols)


_Features = TypeVar("_Features", DeveloperFeatures, PartnerFeatures)


def _take_rows(features: _Features, rows: Int64s) -> _Features:
    """Return a copy of per-person feature arrays restricted to ``rows`` (every field)."""
    return replace(features, **{f.name: getattr(features, f.name)[rows] for f in fields(features)})


@lru_cache(maxsize=65536)
def _tag(value: str) -> str:
    return compact(value)


def _language(value: str) -> str:
    return value.strip().casefold()


class _Vocabulary:
    """Assigns a column to each distinct value, in first-seen order."""

    def __init__(self) -> None:
        self.index: dict[str, int] = {}

    def add(self, values: Iterable[str]) -> list[int]:
        # A dict keeps first-seen order and makes each value O(1): a list test was quadratic.
        cols: dict[int, None] = {}
        for value in values:
            if not value:
                continue
            cols[self.index.setdefault(value, len(self.index))] = None
        return list(cols)


def _one_hot(rows: list[list[int]], width: int) -> Float32s:
    out = np.zeros((len(rows), width), dtype=np.float32)
    lengths = np.fromiter(map(len, rows), dtype=np.int64, count=len(rows))
    cols = np.fromiter(chain.from_iterable(rows), dtype=np.int64, count=int(lengths.sum()))
    out[np.repeat(np.arange(len(rows), dtype=np.int64), lengths), cols] = 1.0
    return out


def _columns(
    lists: Iterable[tuple[str, ...]], vocabulary: _Vocabulary, norm: Callable[[str], str]
) -> list[list[int]]:
    """Return each list's vocabulary columns, working once per distinct list."""
    # A national call repeats the same skill or language list thousands of times; the
    # vocabulary's first-seen order is unchanged, since a repeat adds no new value.
    seen: dict[tuple[str, ...], list[int]] = {}
    out: list[list[int]] = []
    for values in lists:
        cols = seen.get(values)
        if cols is None:
            cols = seen[values] = vocabulary.add(norm(v) for v in values)
        out.append(cols)
    return out


def _hours(value: float | None) -> float:
    return float("nan") if value is None else float(value)


def _attributes(people: Sequence[Profile], names: tuple[str, ...]) -> list[tuple[Any, ...]]:
    """Return one column (a tuple over ``people``) per attribute name."""
    if not people:
        return [() for _ in names]
    return list(zip(*map(attrgetter(*names), people), strict=True))


def _locations(people: Sequence[Profile]) -> tuple[Float64s, Float64s]:
    """Return everyone's (lat, lon) as ``geo.locate`` finds them, once per distinct place."""
    # A call names a few hundred distinct places (coordinates, province, region) for
    # thousands of people: locate each once.
    seen: dict[tuple[object, ...], tuple[float, float]] = {}
    lat = np.empty(len(people), dtype=np.float64)
    lon = np.empty(len(people), dtype=np.float64)
    where = attrgetter("lat", "lon", "province", "region")
    for k, person in enumerate(people):
        place = where(person)
        found = seen.get(place)
        if found is None:
            found = seen[place] = locate(person)[:2]
        lat[k], lon[k] = found
    return lat, lon


def _codes(values: Iterable[object], index: Mapping[Any, int], missing: int = -1) -> Int64s:
    """Return each value's index (``missing`` for None or an empty value)."""
    return np.array([index[v] if v else missing for v in values], dtype=np.int64)


def encode(
    *, developers: Sequence[Developer], partners: Sequence[Partner]
) -> tuple[DeveloperFeatures, PartnerFeatures]:
    """Turn both sides into feature arrays over one shared vocabulary."""
    d_region, d_province, d_mobility, d_hours, d_skills, d_langs, d_sectors = _attributes(
        developers,
        ("region", "province", "mobility", "availability_hours", "skills", "languages", "sectors"),
    )
    p_region, p_province, p_kind, p_hours, p_needs, p_langs, p_sector = _attributes(
        partners,
        ("region", "province", "kind", "availability_hours", "needs", "languages", "sector"),
    )
    region_col = {code: i for i, code in enumerate(sorted({*d_region, *p_region}))}
    provinces = sorted({*d_province, *p_province} - {None, ""})
    province_col: dict[object, int] = {code: i for i, code in enumerate(provinces)}
    tags, languages, sectors = _Vocabulary(), _Vocabulary(), _Vocabulary()

    dev_skills = _columns(d_skills, tags, _tag)
    dev_langs = _columns(d_langs, languages, _language)
    dev_sectors = _columns(d_sectors, sectors, _tag)
    par_needs = _columns(p_needs, tags, _tag)
    par_langs = _columns(p_langs, languages, _language)
    par_sector = _columns(((v,) for v in p_sector), sectors, _tag)

    dev_lat, dev_lon = _locations(developers)
    par_lat, par_lon = _locations(partners)
    mobility_col = {m: i for i, m in enumerate(MOBILITIES)}
    kind_col = {k: i for i, k in enumerate(KINDS)}
    dev = DeveloperFeatures(
        region=_codes(d_region, region_col),
        province=_codes(d_province, province_col),
        mobility=_codes(d_mobility, mobility_col),
        lat=dev_lat,
        lon=dev_lon,
        hours=np.array([_hours(h) for h in d_hours], dtype=np.float64),
        skills=_one_hot(dev_skills, len(tags.index)),
        languages=_one_hot(dev_langs, len(languages.index)),
        sectors=_one_hot(dev_sectors, len(sectors.index)),
        has_sectors=np.array([bool(cols) for cols in dev_sectors], dtype=np.bool_),
    )
    par = PartnerFeatures(
        region=_codes(p_region, region_col),
        province=_codes(p_province, province_col),
        kind=_codes(p_kind, kind_col),
        lat=par_lat,
        lon=par_lon,
        hours=np.array([_hours(h) for h in p_hours], dtype=np.float64),
        needs=_one_hot(par_needs, len(tags.index)),
        n_needs=np.array([len(cols) for cols in par_needs], dtype=np.float32),
        languages=_one_hot(par_langs, len(languages.index)),
        first_language=_one_hot([cols[:1] for cols in par_langs], len(languages.index)),
        sector=_one_hot(par_sector, len(sectors.index)),
    )
    return dev, par


def _overlap(left: Float32s, right: Float32s) -> Float32s:
    """Return how many columns each row of ``left`` shares with each row of ``right``."""
    # Counts of 0/1 values are exact in float32 whatever order BLAS sums them in.
    counts: Float32s = np.matmul(left, right.T)
    return counts


def _places(lat: Float64s, lon: Float64s) -> tuple[Float64s, Int64s]:
    """Return the distinct (lat, lon) places and, per person, the index of theirs."""
    places, at = np.unique(np.column_stack([lat, lon]), axis=0, return_inverse=True)
    return places, at.reshape(-1).astype(np.int64)


def _distances(
    developers: DeveloperFeatures, partners: PartnerFeatures, max_km: float
) -> tuple[Float32s, Float32s]:
    """Return every pair's distance in km and its distance criterion, both float32.

    Most people are placed at their province's centroid, so a block of millions of pairs
    holds a few thousand distinct distances: both values are computed once per pair of
    distinct places and the block is gathered from them. Every value still comes from the
    same elementwise operations, so it is bit-identical to computing each pair directly.
    """
    dev_places, dev_at = _places(developers.lat, developers.lon)
    par_places, par_at = _places(partners.lat, partners.lon)
    if 4 * len(dev_places) * len(par_places) > len(developers) * len(partners):
        return _distance_values(
            haversine_km(
                developers.lat[:, None],
                developers.lon[:, None],
                partners.lat[None, :],
                partners.lon[None, :],
            ),
            max_km,
        )
    table = haversine_km(
        dev_places[:, 0:1], dev_places[:, 1:2], par_places[None, :, 0], par_places[None, :, 1]
    )
    km, distance = _distance_values(table, max_km)
    rows, cols = dev_at[:, None], par_at[None, :]
    return km[rows, cols], distance[rows, cols]


def _distance_values(km: Float64s, max_km: float) -> tuple[Float32s, Float32s]:
    """Return the distances as float32 and the distance criterion (1 at 0 km, 0 from max)."""
    distance_km = km.astype(np.float32)
    km /= max_km
    np.subtract(1.0, km, out=km)
    np.maximum(km, 0.0, out=km)
    return distance_km, km.astype(np.float32)


def _availability(developers: DeveloperFeatures, partners: PartnerFeatures) -> Float32s:
    """Return every pair's availability criterion, computed once per pair of distinct hours."""
    dev_hours, dev_at = np.unique(developers.hours, return_inverse=True)
    par_hours, par_at = np.unique(partners.hours, return_inverse=True)
    if 4 * len(dev_hours) * len(par_hours) > len(developers) * len(partners):
        return _availability_values(developers.hours[:, None], partners.hours[None, :])
    table = _availability_values(dev_hours[:, None], par_hours[None, :])
    found: Float32s = table[dev_at.reshape(-1)[:, None], par_at.reshape(-1)[None, :]]
    return found


def _availability_values(dev_hours: Float64s, par_hours: Float64s) -> Float32s:
    """Return min / max of the hours, 1 when either is missing (NaN) or both are 0."""
    low = np.minimum(dev_hours, par_hours)
    high = np.maximum(dev_hours, par_hours)
    known = high > 0  # False when either is missing (NaN) or both are 0
    np.divide(low, high, out=low, where=known)
    low[~known] = 1.0
    return low.astype(np.float32)


def score_features(
    *, developers: DeveloperFeatures, partners: PartnerFeatures, config: MatcherConfig
) -> ScoreBlock:
    """Score every developer against every partner given as encoded features."""
    skills = _overlap(developers.skills, partners.needs)
    np.divide(skills, np.maximum(partners.n_needs, 1.0)[None, :], out=skills)
    skills[:, partners.n_needs == 0] = 1.0

    shared_any = _overlap(developers.languages, partners.languages) > 0
    languages = shared_any.astype(np.float32)
    languages *= 0.5
    languages[_overlap(developers.languages, partners.first_language) > 0] = 1.0

    distance_km, distance = _distances(developers, partners, config.rules.max_distance_km)
    cross_region = developers.region[:, None] != partners.region[None, :]
    remote = cross_region & (developers.mobility == MOBILITIES.index("remote"))[:, None]
    distance[remote] = np.float32(config.rules.remote_distance_score)

    sector = (_overlap(developers.sectors, partners.sector) > 0).astype(np.float32)
    sector[~developers.has_sectors, :] = 0.5

    availability = _availability(developers, partners)

    criteria = {
        "skills": skills,
        "languages": languages,
        "distance": distance,
        "sector": sector,
        "availability": availability,
    }
    return ScoreBlock(
        criteria=criteria,
        distance_km=distance_km,
        shared_any=shared_any,
        cross_region=cross_region,
        score=weighted_score(criteria, cross_region=cross_region, config=config),
    )


def weighted_score(
    criteria: Mapping[str, Float32s], *, cross_region: Bools, config: MatcherConfig
) -> Float64s:
    """Return the score of criteria arrays (any one shape): weighted sum × 100 − penalty.

    The float64 sum runs in ``CRITERIA`` order, which the kernel and ``breakdown`` repeat
    pair by pair, so all give the same bits.
    """
    weights = config.weights.normalised()
    shape = np.shape(cross_region)
    score = np.zeros(shape, dtype=np.float64)
    term = np.empty(shape, dtype=np.float64)
    for name in CRITERIA:
        np.multiply(criteria[name], weights[name], out=term, dtype=np.float64)
        score += term
    del term
    score *= 100.0
    np.subtract(score, float(config.rules.cross_region_penalty), out=score, where=cross_region)
    return score


def score_block(
    *, developers: Sequence[Developer], partners: Sequence[Partner], config: MatcherConfig
) -> ScoreBlock:
    """Score every developer against every partner: rows are developers, columns partners."""
    dev, par = encode(developers=developers, partners=partners)
    return score_features(developers=dev, partners=par, config=config)


def is_remote_pair(*, developer: Developer, partner: Partner) -> bool:
    """Return whether the pair works remotely: a ``remote`` developer, a partner elsewhere."""
    return developer.mobility == "remote" and developer.region != partner.region


def shared_languages(*, developer: Developer, partner: Partner) -> tuple[str, ...]:
    """Return the partner's languages the developer also speaks, in the partner's order."""
    spoken = {_language(s) for s in developer.languages}
    out: list[str] = []
    seen: set[str] = set()
    for lang in partner.languages:
        key = _language(lang)
        if key and key in spoken and key not in seen:
            seen.add(key)
            out.append(lang)
    return tuple(out)


def breakdown(*, developer: Developer, partner: Partner, config: MatcherConfig) -> Breakdown:
    """Return one pair's criteria, distance and score, exactly as ``score_block`` gives them."""
    # Scalar twin of score_features (it is called pair by pair when explaining results): the
    # same float32 roundings and float64 sums in the same order, so the values are identical.
    needs = {t for t in map(_tag, partner.needs) if t}
    skills = (
        float(np.float32(len(needs & set(map(_tag, developer.skills)))) / np.float32(len(needs)))
        if needs
        else 1.0
    )
    shared = shared_languages(developer=developer, partner=partner)
    first = next((k for k in map(_language, partner.languages) if k), None)
    languages = 0.0
    if shared:
        languages = 1.0 if _language(shared[0]) == first else 0.5
    dev_lat, dev_lon, _ = locate(developer)
    par_lat, par_lon, _ = locate(partner)
    km = float(haversine_km([[dev_lat]], [[dev_lon]], [[par_lat]], [[par_lon]])[0, 0])
    remote = is_remote_pair(developer=developer, partner=partner)
    distance = float(np.float32(max(1.0 - km / config.rules.max_distance_km, 0.0)))
    if remote:
        distance = float(np.float32(config.rules.remote_distance_score))
    dev_sectors = {t for t in map(_tag, developer.sectors) if t}
    sector = 0.5
    if dev_sectors:
        sector = 1.0 if _tag(partner.sector) in dev_sectors else 0.0
    h_dev, h_par = developer.availability_hours, partner.availability_hours
    if h_dev is None or h_par is None or max(h_dev, h_par) <= 0:
        availability = 1.0
    else:
        availability = float(np.float32(min(h_dev, h_par) / max(h_dev, h_par)))
    values = {
        "skills": skills,
        "languages": languages,
        "distance": distance,
        "sector": sector,
        "availability": availability,
    }
    weights = config.weights.normalised()
    total = 0.0
    for name in CRITERIA:
        total += values[name] * weights[name]
    total *= 100.0
    cross = developer.region != partner.region
    penalty = float(config.rules.cross_region_penalty) if cross else 0.0
    if cross:
        total -= penalty
    return Breakdown(
        skills=skills,
        languages=languages,
        distance=distance,
        sector=sector,
        availability=availability,
        distance_km=float(np.float32(km)),
        shared_languages=shared,
        cross_region=cross,
        penalty=penalty,
        score=total,
        remote=remote,
    )
