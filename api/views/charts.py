"""Chart geometry for the result page: SVG coordinates of the bars, the radar and the map.

Pure functions of the election and the match result; frontend/static/js/charts.js and
results.js draw the same numbers in the browser (keep the two in step).
"""

import math
from collections.abc import Mapping, Sequence
from typing import Any

from api.formatting import decimal
from api.views.texts import Texts, entity_name
from vaa.matching import round_half_up
from vaa.results import PreparedElection

NO_COLOR = "#6b7785"


def coordinate(x: float) -> float:
    """A coordinate with two decimals, halves up as charts.js `num` rounds them
    (matching.md: display rounding is never banker's)."""
    return round_half_up(x, 2)


def interval_path(interval: list[float] | None) -> str:
    """The thin line under a ranking bar: the likely range of the agreement, in bar units."""
    if interval is None:
        return ""
    low, high = (coordinate(v) for v in interval)
    return f"M{low} 11H{high}M{low} 9V13M{high} 9V13"


RADAR_CX, RADAR_CY, RADAR_R = 160.0, 135.0, 88.0
RADAR_BADGE = 1.17  # the spokes' numbered badges sit this far out (fraction of the radius)
RADAR_VIEWBOX = "50 12 220 246"
"""Just the radar and its badges: on a 320 px phone the chart is about 288 px wide, so
its 12-unit text renders above 12 px (the themes' names are listed under the chart)."""
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
    """The radar's fixed parts: rings, spokes and a numbered badge at each spoke's end.

    The themes' names are too long to stand around a phone-sized chart in readable type,
    so each spoke carries its theme's number and the list under the chart names them.
    """
    count = len(themes)
    rings = [
        " ".join("{},{}".format(*_radar_xy(i, count, level)) for i in range(count))
        for level in (0.25, 0.5, 0.75, 1.0)
    ]
    spokes, badges = [], []
    for i, theme in enumerate(themes):
        x, y = _radar_xy(i, count, 1)
        spokes.append({"x": x, "y": y})
        bx, by = _radar_xy(i, count, RADAR_BADGE)
        badges.append({"x": bx, "y": by, "n": i + 1, "label": str(theme["label"])})
    return {
        "rings": rings,
        "spokes": spokes,
        "badges": badges,
        "cx": RADAR_CX,
        "cy": RADAR_CY,
        "r": RADAR_R,
        "viewbox": RADAR_VIEWBOX,
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
    colors = {e["id"]: e.get("color") for e in election["entities"]}
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
                "races": list(entity.get("races") or []),
                "lines": _wrap(entity_name(entity), MAP_LABEL_WIDTH),
                "name": entity_name(entity),
                # a candidate without a colour wears its party's (result.color_of)
                "color": entity.get("color") or colors.get(entity.get("party") or "") or NO_COLOR,
                "text": position_text(position, election["axes"], t),
            }
        )
    _place_labels(points, races=bool(election.get("races")))
    return {
        "axes": axes,
        "points": points,
        "missing": t("map_missing", names=", ".join(missing)) if missing else "",
        "size": MAP_SIZE,
        "mid": MAP_SIZE / 2,
        "pad": MAP_PAD,
        "line": MAP_LINE,
    }


Box = tuple[float, float, float, float]
MAP_LABEL_WIDTH = 16  # characters a line of a party's name on the map holds
MAP_LINE = 14.0  # the labels' line height, for their 13-unit text (20-results.css)
MAP_CHAR = 7.8  # about one character's width at 13 units (Georgian letters are wide)
VOTER_LABELS: list[tuple[float, float, str]] = [
    (0, -15, "middle"),
    (0, 24, "middle"),
    (13, 5, "start"),
    (-13, 5, "end"),
    (0, -29, "middle"),
    (0, 38, "middle"),
    (26, 5, "start"),
    (-26, 5, "end"),
]


def _overlap(a: Box, b: Box) -> float:
    return max(0.0, min(a[2], b[2]) - max(a[0], b[0])) * max(0.0, min(a[3], b[3]) - max(a[1], b[1]))


def _label_box(
    x: float, y: float, width: float, lines: int, place: tuple[float, float, str]
) -> Box:
    """The box of a label whose first baseline is `dy` from the point (13-unit text)."""
    dx, dy, anchor = place
    left = x + dx - (width / 2 if anchor == "middle" else width if anchor == "end" else 0)
    return (left, y + dy - 11, left + width, y + dy + MAP_LINE * (lines - 1) + 3)


def _best_place(
    x: float,
    y: float,
    width: float,
    lines: int,
    taken: list[Box],
    places: list[tuple[float, float, str]],
) -> tuple[tuple[float, float, str], Box]:
    """The label place hiding the least of what is taken; nearer places win ties."""

    def cost(i: int) -> float:
        b = _label_box(x, y, width, lines, places[i])
        outside = max(0.0, -b[0]) + max(0.0, b[2] - MAP_SIZE) + max(0.0, -b[1])
        return (
            sum(_overlap(b, t) for t in taken) + 50 * (outside + max(0.0, b[3] - MAP_SIZE)) + i / 2
        )

    best = min(range(len(places)), key=cost)
    return places[best], _label_box(x, y, width, lines, places[best])


def _party_places(lines: int) -> list[tuple[float, float, str]]:
    """Right of the point, left of it, above, below: each with its first baseline."""
    beside = 5 - MAP_LINE * (lines - 1) / 2
    return [
        (9, beside, "start"),
        (-9, beside, "end"),
        (0, -11 - MAP_LINE * (lines - 1), "middle"),
        (0, 20, "middle"),
    ]


def _dot(p: Mapping[str, Any]) -> Box:
    return (p["x"] - 7, p["y"] - 7, p["x"] + 7, p["y"] + 7)


def _together(a: Mapping[str, Any], b: Mapping[str, Any], races: bool) -> bool:
    """Whether two entities can be on the map at once: the map shows one race at a time."""
    return not races or bool(set(a["races"]) & set(b["races"]))


def _place_labels(points: list[dict[str, Any]], *, races: bool) -> None:
    """Put each party's full name beside its point where it hides the least (greedy)."""
    for i, p in enumerate(points):
        mates = [q for j, q in enumerate(points) if j != i and _together(p, q, races)]
        taken = [_dot(q) for q in mates] + [q["box"] for q in mates if "box" in q]
        width = MAP_CHAR * max(len(line) for line in p["lines"]) + 2
        (dx, dy, anchor), box = _best_place(
            p["x"], p["y"], width, len(p["lines"]), taken, _party_places(len(p["lines"]))
        )
        p.update(
            lx=coordinate(p["x"] + dx),
            ly=coordinate(p["y"] + dy),
            anchor=anchor,
            box=tuple(coordinate(v) for v in box),
        )


STAR = 9.5  # half the voter's star, stroke included
DOT = 7.0  # half a party's point, its white ring included
STAR_STEPS = (0, 6, 12, 18, 24, 30, 36, 44, 52, 60)
STAR_ANGLES = 16


def voter_mark(
    point: Mapping[str, float] | None, points: Sequence[Mapping[str, Any]]
) -> dict[str, Any] | None:
    """Where the voter's star is drawn: on the voter's point unless it would cover a party's
    point (or, if it can, its name); then as near as it can be, with a line back to the
    point itself (charts.js: voterMark). `points`: the parties shown on the map."""
    if point is None:
        return None
    low, high = MAP_PAD + STAR, MAP_SIZE - MAP_PAD - STAR
    found: dict[str, float] | None = None
    fallback: dict[str, float] | None = None
    for step in STAR_STEPS:
        for k in range(STAR_ANGLES if step else 1):
            angle = -math.pi / 2 + 2 * math.pi * k / STAR_ANGLES
            x = coordinate(point["x"] + step * math.cos(angle))
            y = coordinate(point["y"] + step * math.sin(angle))
            if not (low <= x <= high and low <= y <= high):
                continue
            if any(max(abs(x - p["x"]), abs(y - p["y"])) < STAR + DOT for p in points):
                continue
            star = (x - STAR, y - STAR, x + STAR, y + STAR)
            if fallback is None:
                fallback = {"x": x, "y": y}
            if not any(_overlap(star, tuple(p["box"])) > 0 for p in points):
                found = {"x": x, "y": y}
                break
        if found:
            break
    mark = found or fallback or {"x": point["x"], "y": point["y"]}
    moved = mark["x"] != point["x"] or mark["y"] != point["y"]
    return {**mark, "moved": moved, "px": point["x"], "py": point["y"]}


def voter_label(
    point: Mapping[str, float] | None, points: list[dict[str, Any]], label: str
) -> dict[str, Any]:
    """Where the voter's own label goes, relative to the star (charts.js: voterLabel)."""
    if point is None:
        return {"x": 0, "y": -15, "anchor": "middle"}
    taken = [p["box"] for p in points] + [_dot(p) for p in points]
    (dx, dy, anchor), _box = _best_place(
        point["x"], point["y"], 8.2 * len(label) + 2, 1, taken, VOTER_LABELS
    )
    return {"x": dx, "y": dy, "anchor": anchor}


def position_text(
    position: Mapping[str, float | None], axes: list[Mapping[str, Any]], t: Texts
) -> str:
    """A position in words: 'Economy +0.5 (towards Market-led); ...', with the language's
    decimal sign (results.js: positionText)."""
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
                    value=decimal(shown, t.language, signed=True),
                    pole=axis["high"] if shown > 0 else axis["low"],
                )
            )
    return "; ".join(parts)
