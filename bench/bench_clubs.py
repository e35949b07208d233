"""Total travel of matcher's clubs against k-means-constrained on the same synthetic regions.

k-means-constrained (size-bounded k-means) is what people reach for to form clubs. It sees
plain coordinates and names no meeting place, so it is given every advantage here: the same
number of clubs matcher formed, each pair's point is where its travel is centred (the
partner, pulled towards the developer unless remote), and each of its clusters is then
sent to its own best seat with matcher's travel function. The ratio is its total travel
over matcher's; matcher's gap says whether its side is proved least.

Usage: PYTHONPATH=. /work/venv/bin/python bench/bench_clubs.py [--seeds 3] [--sizes 50 500]
(needs the ``bench`` extra: pip install -e '.[bench]').
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np
from k_means_constrained import KMeansConstrained

from matcher.clubs import Member, distances, form_region, region_seats, travel_metres

REGION = "MA-06"  # Casablanca-Settat: nine seats
LOW, HIGH = 6, 10
WEIGHT = 1.0
REMOTE_SHARE = 0.1
KINDS = ("artisan", "farmer", "merchant")


def synthetic_region(n: int, seed: int) -> list[Member]:
    """Return n pairs scattered around the region's seats (about 15 km), some remote."""
    rng = np.random.default_rng(seed)
    seats = region_seats(REGION)
    centres = np.array([(s.lat, s.lon) for s in seats])
    # Most people live near the big towns: seat weights fall off geometrically.
    weights = 0.7 ** np.arange(len(seats))
    weights /= weights.sum()
    out = []
    for k in range(n):
        home = centres[rng.choice(len(seats), p=weights)] + rng.normal(0, 0.13, 2)
        near = rng.random() < 0.7
        dev = home + rng.normal(0, 0.1, 2) if near else centres[rng.choice(len(seats))]
        out.append(
            Member(
                developer_id=f"D{k:04d}",
                partner_id=f"P{k:04d}",
                partner_kind=KINDS[int(rng.integers(3))],
                partner_sector="food",
                languages=("ary",),
                remote=bool(rng.random() < REMOTE_SHARE),
                developer_lat=float(dev[0]),
                developer_lon=float(dev[1]),
                partner_lat=float(home[0]),
                partner_lon=float(home[1]),
            )
        )
    return out


def kmeans_travel(members: list[Member], clubs: int, seed: int) -> tuple[float, float]:
    """Return (total travel in km, seconds) of k-means-constrained clusters at their best seats."""
    lat0 = math.radians(float(np.mean([m.partner_lat for m in members])))
    points = []
    for m in members:
        w = 0.0 if m.remote else WEIGHT
        lat = (m.partner_lat + w * m.developer_lat) / (1 + w)
        lon = (m.partner_lon + w * m.developer_lon) / (1 + w)
        points.append((lat * 111.2, lon * 111.2 * math.cos(lat0)))  # km on a local plane
    started = time.perf_counter()
    model = KMeansConstrained(
        n_clusters=clubs, size_min=LOW, size_max=HIGH, random_state=seed, n_init=10
    )
    labels = model.fit_predict(np.array(points))
    seconds = time.perf_counter() - started
    partner_km, developer_km = distances(members, region_seats(REGION))
    cost = travel_metres(partner_km, developer_km, developer_weight=WEIGHT)
    total = sum(int(cost[labels == c].sum(axis=0).min()) for c in range(clubs))
    return total / 1000.0, seconds


def main() -> None:
    """Print, per region size and seed, both travels, their ratio and both run times."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--time-limit", type=float, default=10.0)
    args = parser.parse_args()
    print(
        f"{'pairs':>5} {'seed':>4} {'clubs':>5} {'matcher km':>11} {'gap':>7} "
        f"{'k-means km':>11} {'ratio':>6} {'matcher s':>9} {'k-means s':>9}"
    )
    for n in args.sizes:
        ratios = []
        for seed in range(args.seeds):
            members = synthetic_region(n, seed)
            started = time.perf_counter()
            region = form_region(
                REGION,
                members,
                low=LOW,
                high=HIGH,
                developer_weight=WEIGHT,
                time_limit=args.time_limit,
            )
            ours = time.perf_counter() - started
            theirs, their_seconds = kmeans_travel(members, len(region.clubs), seed)
            ratio = theirs / region.travel_km
            ratios.append(ratio)
            print(
                f"{n:>5} {seed:>4} {len(region.clubs):>5} {region.travel_km:>11.1f} "
                f"{region.gap:>7.2%} {theirs:>11.1f} {ratio:>6.3f} {ours:>9.2f} "
                f"{their_seconds:>9.2f}"
            )
        print(f"{n:>5} mean ratio (k-means-constrained / matcher): {np.mean(ratios):.3f}")


if __name__ == "__main__":
    main()
