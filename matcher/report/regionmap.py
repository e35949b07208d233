"""The map of the 12 regions: shipped simplified shapes, coloured by places filled.

The shapes come from ``reference/data/regions_map.json`` (© OpenStreetMap contributors,
ODbL 1.0; rebuilt by ``bench/build_region_map.py``). Its labels are not used: the page names
regions with matcher's own names.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from matcher.i18n import _
from matcher.report.data import RegionView

# A sequential scale (light to dark blue) reads the same for every colour-vision type;
# the class names are what tests and the legend rely on.
FILL_CLASSES = ("fill-none", "fill-low", "fill-mid", "fill-high", "fill-full")


@dataclass(frozen=True)
class MapRegion:
    """One region as drawn: its shape, fill class, label place and hover text."""

    code: str
    name: str
    path: str
    fill: str
    priority: bool
    label_x: float
    label_y: float
    title: str


@dataclass(frozen=True)
class Seat:
    """A club seat placed on the map."""

    x: float
    y: float
    title: str


@dataclass(frozen=True)
class RegionMap:
    """The whole map: view box, regions, club seats and the data's attribution."""

    view_box: str
    regions: list[MapRegion]
    seats: list[Seat]
    attribution: str
    licence: str


@cache
def _shapes() -> dict[str, Any]:
    raw = resources.files("matcher.reference").joinpath("data/regions_map.json").read_text("utf-8")
    data: dict[str, Any] = json.loads(raw)
    return data


def fill_class(region: RegionView) -> str:
    """Return the fill class for a region's share of wanted places filled."""
    ratio = region.ratio
    if ratio is None or region.filled == 0:
        return "fill-none"
    if ratio >= 1:
        return "fill-full"
    if ratio >= 0.75:
        return "fill-high"
    if ratio >= 0.5:
        return "fill-mid"
    return "fill-low"


def fill_legend() -> list[tuple[str, str]]:
    """Return the legend: each fill class and what it means."""
    return [
        ("fill-full", _("every wanted place filled")),
        ("fill-high", _("75% or more filled")),
        ("fill-mid", _("50% to 75% filled")),
        ("fill-low", _("less than 50% filled")),
        ("fill-none", _("no place filled")),
    ]


def label_point(path: str) -> tuple[float, float]:
    """Return the centroid of a path's largest ring, where the region's label goes."""
    best: tuple[float, float, float] = (0.0, 0.0, 0.0)
    for ring in path.split("M")[1:]:
        points = [tuple(map(float, pair.split())) for pair in ring.rstrip("Z").split("L")]
        area = cx = cy = 0.0
        for (x1, y1), (x2, y2) in zip(points, points[1:] + points[:1], strict=True):
            cross = x1 * y2 - x2 * y1
            area += cross
            cx += (x1 + x2) * cross
            cy += (y1 + y2) * cross
        if area and abs(area) > best[0]:
            best = (abs(area), cx / (3 * area), cy / (3 * area))
    return round(best[1], 1), round(best[2], 1)


def project(lat: float, lon: float) -> tuple[float, float]:
    """Return the map's coordinates of a point, as the shapes were projected."""
    p = _shapes()["projection"]
    return round(lon * p["x_per_lon"], 1), round(lat * p["y_per_lat"], 1)


def region_map(regions: list[RegionView]) -> RegionMap:
    """Return the map of the given regions with their fill classes and club seats."""
    shapes = _shapes()
    drawn = []
    seats = []
    for region in regions:
        x, y = label_point(shapes["regions"][region.code])
        title = _("{name}: {filled} of {wanted} places filled").format(
            name=region.name, filled=region.filled, wanted=region.max
        )
        if region.priority:
            title += " · " + _("priority region")
        drawn.append(
            MapRegion(
                region.code,
                region.name,
                shapes["regions"][region.code],
                fill_class(region),
                region.priority,
                x,
                y,
                title,
            )
        )
        for club in region.clubs:
            if club.lat is None or club.lon is None:
                continue
            sx, sy = project(club.lat, club.lon)
            seats.append(
                Seat(
                    sx,
                    sy,
                    _("club {club} meets in {seat} ({pairs} pairs)").format(
                        club=club.club_id, seat=club.seat, pairs=club.pairs
                    ),
                )
            )
    x0, y0, width, height = shapes["view_box"]
    return RegionMap(
        f"{x0} {y0} {width} {height}",
        drawn,
        seats,
        shapes["attribution"],
        shapes["licence"],
    )
