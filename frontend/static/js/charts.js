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
