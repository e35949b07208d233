"""Rebuild matcher/reference/data/regions_map.json from the reference TopoJSON of the 12 regions.

Not run by CI. Usage:
    python bench/build_region_map.py [morocco_regions.topojson] [tolerance_km]

It decodes the quantised, delta-encoded TopoJSON arcs, projects them (equirectangular, scaled
at 28° N so distances are close to true over Morocco), simplifies each shared arc once with
Douglas-Peucker (so neighbouring regions keep a common border) at ``tolerance_km`` (default
0.4 km, invisible at report scale) and writes one SVG path per region, keyed by ISO code.
The file's name labels are dropped: matcher shows its own region names.

The source is © OpenStreetMap contributors, ODbL 1.0; so is the derived file, which says so.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

SOURCE = Path("/work/shared/reference/map/morocco_regions.topojson")
TARGET = Path(__file__).resolve().parent.parent / "matcher/reference/data/regions_map.json"
KM_PER_DEG_LAT = 110.574
KM_PER_DEG_LON = 111.320
LAT0 = 28.0  # scale parallel: the middle of the national territory
SCALE = 0.5  # SVG units per km (so the page coordinates stay small numbers)

Point = tuple[float, float]


def decode_arcs(topology: dict[str, object]) -> list[list[Point]]:
    """Return every arc as (lon, lat) points, undoing quantisation and delta encoding."""
    transform = topology["transform"]
    assert isinstance(transform, dict)
    (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
    arcs = topology["arcs"]
    assert isinstance(arcs, list)
    out = []
    for arc in arcs:
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        out.append(points)
    return out


def project(lon: float, lat: float) -> Point:
    """Return SVG coordinates (x east, y south) for a longitude and latitude."""
    x = lon * KM_PER_DEG_LON * math.cos(math.radians(LAT0)) * SCALE
    y = -lat * KM_PER_DEG_LAT * SCALE
    return x, y


def _distance(p: Point, a: Point, b: Point) -> float:
    (px, py), (ax, ay), (bx, by) = p, a, b
    dx, dy = bx - ax, by - ay
    if dx == dy == 0:
        return math.hypot(px - ax, py - ay)
    t = max(0.0, min(1.0, ((px - ax) * dx + (py - ay) * dy) / (dx * dx + dy * dy)))
    return math.hypot(px - (ax + t * dx), py - (ay + t * dy))


def simplify(points: list[Point], tolerance: float) -> list[Point]:
    """Return Douglas-Peucker's simplification of an open polyline, ends kept."""
    if len(points) < 3:
        return points
    if points[0] == points[-1]:
        # A closed ring: split it at its farthest point so both halves have distinct ends.
        far = max(range(len(points)), key=lambda i: math.dist(points[0], points[i]))
        first = simplify(points[: far + 1], tolerance)
        return first[:-1] + simplify(points[far:], tolerance)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        lo, hi = stack.pop()
        best, index = 0.0, -1
        for i in range(lo + 1, hi):
            d = _distance(points[i], points[lo], points[hi])
            if d > best:
                best, index = d, i
        if best > tolerance:
            keep[index] = True
            stack += [(lo, index), (index, hi)]
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring_points(ring: list[int], arcs: list[list[Point]]) -> list[Point]:
    """Join a ring's arcs (a negative index means the arc reversed, ~i)."""
    points: list[Point] = []
    for index in ring:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points += arc if not points else arc[1:]
    return points


def _area(points: list[Point]) -> float:
    return abs(
        sum(
            x1 * y2 - x2 * y1
            for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True)
        )
        / 2
    )


def path_data(polygons: list[list[list[int]]], arcs: list[list[Point]], min_area: float) -> str:
    """Return an SVG path ("M … Z" per ring) for a region's polygons."""
    parts = []
    for polygon in polygons:
        for ring in polygon:
            points = ring_points(ring, arcs)
            if len(points) < 4 or _area(points) < min_area:
                continue  # a rock or islet smaller than a pixel at report scale
            cells = [f"{x:.1f} {y:.1f}" for x, y in points[:-1]]
            parts.append("M" + "L".join(cells) + "Z")
    return "".join(parts)


def build(source: Path, tolerance_km: float) -> dict[str, object]:
    """Return the derived map: projection, view box and one path per region code."""
    topology = json.loads(source.read_text(encoding="utf-8"))
    raw = decode_arcs(topology)
    projected = [[project(lon, lat) for lon, lat in arc] for arc in raw]
    arcs = [simplify(arc, tolerance_km * SCALE) for arc in projected]
    geometries = topology["objects"]["regions"]["geometries"]
    regions: dict[str, str] = {}
    xs: list[float] = []
    ys: list[float] = []
    for geometry in geometries:
        polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
        regions[geometry["id"]] = path_data(polygons, arcs, min_area=(2 * SCALE) ** 2)
        for polygon in polygons:
            for ring in polygon:
                for x, y in ring_points(ring, arcs):
                    xs.append(x)
                    ys.append(y)
    pad = 10.0
    x0, y0 = math.floor(min(xs) - pad), math.floor(min(ys) - pad)
    width, height = math.ceil(max(xs) + pad) - x0, math.ceil(max(ys) + pad) - y0
    return {
        "attribution": "© OpenStreetMap contributors",
        "licence": "ODbL 1.0, https://opendatacommons.org/licenses/odbl/1-0/",
        "source": "yousfiSaad/morocco-map data/regions.json (npm morocco-map 1.2.1), simplified",
        "simplification_km": tolerance_km,
        "projection": {
            "kind": "equirectangular",
            "lat0": LAT0,
            "x_per_lon": KM_PER_DEG_LON * math.cos(math.radians(LAT0)) * SCALE,
            "y_per_lat": -KM_PER_DEG_LAT * SCALE,
        },
        "view_box": [x0, y0, width, height],
        "regions": dict(sorted(regions.items())),
    }


def main() -> None:
    """Build the derived map and write it next to the other reference data."""
    source = Path(sys.argv[1]) if len(sys.argv) > 1 else SOURCE
    tolerance = float(sys.argv[2]) if len(sys.argv) > 2 else 0.4
    data = build(source, tolerance)
    TARGET.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    sizes = {code: len(d) for code, d in data["regions"].items()}  # type: ignore[attr-defined]
    print(f"wrote {TARGET} ({TARGET.stat().st_size:,} bytes); path sizes: {sizes}")


if __name__ == "__main__":
    main()
