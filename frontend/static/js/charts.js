// Chart geometry for the result page, the same numbers api/views/charts.py draws
// without JavaScript: the radar's polygons and the voter's point on the map. The
// fixed parts (rings, labels, the parties' points) come drawn from the server.

const RADAR = { cx: 160, cy: 135, r: 88 };
const MAP = { size: 300, pad: 16 };

/** Two decimals, as the server writes coordinates. */
export const num = (x) => Math.round(x * 100) / 100;

/** A radar polygon's points for theme scores in percent (null sits at the centre). */
export function radarPoints(scores) {
  return scores.map((score, i) => {
    const angle = -Math.PI / 2 + (2 * Math.PI * i) / scores.length;
    const f = (score || 0) / 100;
    return `${num(RADAR.cx + RADAR.r * f * Math.cos(angle))},${num(RADAR.cy + RADAR.r * f * Math.sin(angle))}`;
  }).join(" ");
}

/** Where a position ({axis: -1..1 | null}) sits on the map, or null when it has no place. */
export function mapPoint(position, axisIds) {
  if (!axisIds.length) return null;
  const x = position[axisIds[0]];
  const y = axisIds.length > 1 ? position[axisIds[1]] : 0;
  if (x == null || y == null) return null;
  const half = MAP.size / 2 - MAP.pad;
  return { x: num(MAP.size / 2 + x * half), y: num(MAP.size / 2 - y * half) };
}

/** The interval's whisker under a bar (viewBox 0 0 100 14), or "" without one. */
export function intervalPath(interval) {
  if (!interval) return "";
  const [lo, hi] = interval.map(num);
  return `M${lo} 11H${hi}M${lo} 9V13M${hi} 9V13`;
}

// The voter's star keeps clear of the parties' points (voter_mark in api/views/charts.py).
const STAR = 9.5; // half the star, stroke included
const DOT = 7; // half a party's point, its white ring included
const STAR_STEPS = [0, 6, 12, 18, 24, 30, 36, 44, 52, 60];
const STAR_ANGLES = 16;

const overlaps = (a, b) => Math.min(a[2], b[2]) > Math.max(a[0], b[0]) && Math.min(a[3], b[3]) > Math.max(a[1], b[1]);

/**
 * Where the voter's star is drawn: on the voter's point unless it would cover a shown
 * party's point (or, if it can, its name); then as near as it can be, with a line back.
 * `parties`: [{x, y, box: [left, top, right, bottom]}] of the parties on the map.
 */
export function voterMark(point, parties) {
  if (!point) return null;
  const low = MAP.pad + STAR;
  const high = MAP.size - MAP.pad - STAR;
  let found = null;
  let fallback = null;
  for (const step of STAR_STEPS) {
    for (let k = 0; k < (step ? STAR_ANGLES : 1); k += 1) {
      const angle = -Math.PI / 2 + (2 * Math.PI * k) / STAR_ANGLES;
      const x = num(point.x + step * Math.cos(angle));
      const y = num(point.y + step * Math.sin(angle));
      if (x < low || x > high || y < low || y > high) continue;
      if (parties.some((p) => Math.max(Math.abs(x - p.x), Math.abs(y - p.y)) < STAR + DOT)) continue;
      const star = [x - STAR, y - STAR, x + STAR, y + STAR];
      if (!fallback) fallback = { x, y };
      if (!parties.some((p) => overlaps(star, p.box))) {
        found = { x, y };
        break;
      }
    }
    if (found) break;
  }
  const mark = found || fallback || { x: point.x, y: point.y };
  return { ...mark, moved: mark.x !== point.x || mark.y !== point.y, px: point.x, py: point.y };
}

const VOTER_LABELS = [
  [0, -15, "middle"], [0, 24, "middle"], [13, 5, "start"], [-13, 5, "end"],
  [0, -29, "middle"], [0, 38, "middle"], [26, 5, "start"], [-26, 5, "end"],
];
const area = (a, b) => Math.max(0, Math.min(a[2], b[2]) - Math.max(a[0], b[0])) * Math.max(0, Math.min(a[3], b[3]) - Math.max(a[1], b[1]));

/**
 * Where "You" goes beside the star: the place hiding the least of the shown parties'
 * points and names (voter_label in api/views/charts.py). Estimated, not measured, so it
 * is the same on the server and while the map's section is still folded.
 */
export function voterLabel(mark, parties, label) {
  if (!mark) return { x: 0, y: -15, anchor: "middle" };
  const taken = [...parties.map((p) => p.box), ...parties.map((p) => [p.x - DOT, p.y - DOT, p.x + DOT, p.y + DOT])];
  const width = 8.2 * label.length + 2;
  let best = null;
  VOTER_LABELS.forEach(([dx, dy, anchor], i) => {
    const left = mark.x + dx - (anchor === "middle" ? width / 2 : anchor === "end" ? width : 0);
    const b = [left, mark.y + dy - 11, left + width, mark.y + dy + 3];
    const outside = Math.max(0, -b[0]) + Math.max(0, b[2] - MAP.size) + Math.max(0, -b[1]);
    const cost = taken.reduce((sum, t) => sum + area(b, t), 0) + 50 * (outside + Math.max(0, b[3] - MAP.size)) + i / 2;
    if (!best || cost < best.cost) best = { cost, x: dx, y: dy, anchor };
  });
  return { x: best.x, y: best.y, anchor: best.anchor };
}
