"""Chart geometry for the result page: SVG coordinates of the bars, the radar and the map.

Pure functions of the election and the match result; frontend/static/js/charts.js and
results.js draw the same numbers in the browser (keep the two in step).
"""

import math
from collections.abc import Mapping
from typing import Any

from api.views.texts import Texts, entity_name
from vaa.matching import round_half_up
from vaa.results import PreparedElection

NO_COLOR = "#6b7785"


def coordinate(x: float) -> float:
    """A coordinate with two decimals (what SVG needs, and what results.js writes)."""
    return round(x * 100) / 100


def interval_path(interval: list[float] | None) -> str:
    """The thin line under a ranking bar: the likely range of the agreement, in bar units."""
    if interval is None:
        return ""
    low, high = (coordinate(v) for v in interval)
    return f"M{low} 11H{high}M{low} 9V13M{high} 9V13"


RADAR_CX, RADAR_CY, RADAR_R = 160.0, 135.0, 88.0
RADAR_LINE = 14.0  # the labels' line height, for 13 px text (20-results.css)
MAP_SIZE, MAP_PAD = 300.0, 16.0


def _radar_xy(index: int, count: int, fraction: float) -> tuple[float, float]:
    angle = -math.pi / 2 + 2 * math.pi * index / count
    return (
        coordinate(RADAR_CX + RADAR_R * fraction * math.cos(angle)),
        coordinate(RADAR_CY + RADAR_R * fraction * math.sin(angle)),
    )


def radar_points(scores: list[float | None]) -> str:
    """A polygon's points for theme scores (None at the centre); charts.js: radarPoints."""
    return " ".join(
        "{},{}".format(*_radar_xy(i, len(scores), (s or 0) / 100)) for i, s in enumerate(scores)
    )


def radar_frame(themes: list[Mapping[str, Any]]) -> dict[str, Any]:
    """The radar's fixed parts: rings, spokes and the theme labels around them."""
    count = len(themes)
    rings = [
        " ".join("{},{}".format(*_radar_xy(i, count, level)) for i in range(count))
        for level in (0.25, 0.5, 0.75, 1.0)
    ]
    spokes, labels = [], []
    for i, theme in enumerate(themes):
        x, y = _radar_xy(i, count, 1)
        spokes.append({"x": x, "y": y})
        lx, ly = _radar_xy(i, count, 1.14)
        dx = lx - RADAR_CX
        anchor = "middle" if abs(dx) < 8 else ("start" if dx > 0 else "end")
        # Above and below there is room across; beside, a long Georgian word is enough.
        lines = _wrap(str(theme["label"]), 18 if anchor == "middle" else 12)
        if ly < RADAR_CY - RADAR_R:  # above the chart: the last line ends at the spoke
            top = ly - RADAR_LINE * (len(lines) - 1)
        elif ly > RADAR_CY + RADAR_R:  # below: the first line starts under it
            top = ly + 10
        else:  # beside: centred on the spoke
            top = ly + 4 - RADAR_LINE / 2 * (len(lines) - 1)
        labels.append({"x": lx, "y": coordinate(top), "anchor": anchor, "lines": lines})
    return {
        "rings": rings,
        "spokes": spokes,
        "labels": labels,
        "cx": RADAR_CX,
        "cy": RADAR_CY,
        "r": RADAR_R,
        "line": RADAR_LINE,
    }


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for word in text.split():
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return lines or [text]


def map_point(position: Mapping[str, float | None], axes: list[str]) -> dict[str, float] | None:
    """Where a position sits on the map, or None when it has no place (charts.js: mapPoint)."""
    if not axes:
        return None
    x = position.get(axes[0])
    y = position.get(axes[1]) if len(axes) > 1 else 0.0
    if x is None or y is None:
        return None
    half = MAP_SIZE / 2 - MAP_PAD
    return {"x": coordinate(MAP_SIZE / 2 + x * half), "y": coordinate(MAP_SIZE / 2 - y * half)}


def map_frame(
    election: Mapping[str, Any], prepared: PreparedElection, t: Texts
) -> dict[str, Any] | None:
    """The map's fixed parts: every entity's point and label, placed so labels do not collide."""
    axes = election["axes"][:2]
    if not axes:
        return None
    ids = [a["id"] for a in axes]
    names = {e["id"]: e for e in election["entities"]}
    points, missing = [], []
    for e, entity_id in enumerate(prepared.entity_ids):
        position = {
            aid: (None if math.isnan(v) else float(v))
            for aid, v in zip(prepared.axis_ids, prepared.entity_positions[e], strict=True)
        }
        point = map_point(position, ids)
        entity = names[entity_id]
        if point is None:
            missing.append(entity_name(entity))
            continue
        points.append(
            {
                **point,
                "entity": entity_id,
                "label": _map_label(entity),
                "name": entity_name(entity),
                "color": entity.get("color") or NO_COLOR,
                "text": position_text(position, election["axes"], t),
            }
        )
    _place_labels(points)
    return {
        "axes": axes,
        "points": points,
        "missing": t("map_missing", names=", ".join(missing)) if missing else "",
        "size": MAP_SIZE,
        "mid": MAP_SIZE / 2,
        "pad": MAP_PAD,
    }


def _map_label(entity: Mapping[str, Any]) -> str:
    """The entity's name on the map; its short name only when the name is long."""
    name = entity_name(entity)
    return str(entity.get("short") or name) if len(name) > 18 else name


Box = tuple[float, float, float, float]
PARTY_LABELS = [(8, 4, "start"), (-8, 4, "end"), (0, -10, "middle"), (0, 18, "middle")]
VOTER_LABELS = [
    (0, -13, "middle"),
    (0, 21, "middle"),
    (11, 4, "start"),
    (-11, 4, "end"),
    (0, -27, "middle"),
    (0, 35, "middle"),
    (24, 4, "start"),
    (-24, 4, "end"),
]


def _overlap(a: Box, b: Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _best_place(
    x: float, y: float, width: float, taken: list[Box], places: list[tuple[int, int, str]]
) -> tuple[int, int, str, Box]:
    """The label place hiding the least of what is taken; nearer places win ties."""

    def box(dx: int, dy: int, anchor: str) -> Box:
        left = x + dx - (width / 2 if anchor == "middle" else width if anchor == "end" else 0)
        return (left, y + dy - 11, left + width, y + dy + 3)

    def cost(i: int) -> float:
        b = box(*places[i])
        outside = max(0.0, -b[0]) + max(0.0, b[2] - MAP_SIZE) + max(0.0, -b[1])
        return (
            sum(_overlap(b, t) for t in taken) + 50 * (outside + max(0.0, b[3] - MAP_SIZE)) + i / 2
        )

    best = min(range(len(places)), key=cost)
    return (*places[best], box(*places[best]))


def _dot(p: Mapping[str, Any]) -> Box:
    return (p["x"] - 6, p["y"] - 6, p["x"] + 6, p["y"] + 6)


def _place_labels(points: list[dict[str, Any]]) -> None:
    """Put each party's label beside its point where it hides the least (greedy)."""
    taken = [_dot(p) for p in points]
    for p in points:
        others = [b for b in taken if b != _dot(p)]
        dx, dy, anchor, box = _best_place(
            p["x"], p["y"], 7.0 * len(p["label"]) + 2, others, PARTY_LABELS
        )
        p.update(lx=coordinate(p["x"] + dx), ly=coordinate(p["y"] + dy), anchor=anchor, box=box)
        taken.append(box)


def voter_label(
    point: Mapping[str, float] | None, points: list[dict[str, Any]], label: str
) -> dict[str, Any]:
    """Where the voter's own label goes, relative to the star (results.js: placeVoterLabel)."""
    if point is None:
        return {"x": 0, "y": -13, "anchor": "middle"}
    taken = [p["box"] for p in points] + [_dot(p) for p in points]
    dx, dy, anchor, _box = _best_place(
        point["x"], point["y"], 7.5 * len(label) + 2, taken, VOTER_LABELS
    )
    return {"x": dx, "y": dy, "anchor": anchor}


def position_text(
    position: Mapping[str, float | None], axes: list[Mapping[str, Any]], t: Texts
) -> str:
    """A position in words: 'Economy 0.5 (towards Market-led); ...' (results.js: positionText)."""
    parts = []
    for axis in axes:
        value = position.get(axis["id"])
        if value is None:
            continue
        shown = float(round_half_up(value * 10)) / 10
        if shown == 0:
            parts.append(t("map_centre", axis=axis["label"]))
        else:
            parts.append(
                t(
                    "map_position",
                    axis=axis["label"],
                    value=f"{shown:+.1f}".replace("-", "−"),
                    pole=axis["high"] if shown > 0 else axis["low"],
                )
            )
    return "; ".join(parts)
