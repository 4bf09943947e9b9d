// The matching engine of matching.md in the browser, a port of vaa/matching.py (the
// reference): tests/conformance/ checks both against the same vectors. null, never NaN,
// marks a skip, an unanswered position and an output that has no value.
const Z = 1.645; // one-sided 95 % normal quantile
const TIE = 1e-9; // scores closer than this share a rank
const METHODS = ["cityblock", "euclidean", "directional", "hybrid"];

/** Round halves up, floor(x 10^n + 0.5) / 10^n, as the server does. */
export const roundHalfUp = (x, ndigits = 0) =>
  Number.isFinite(x) ? Math.floor(x * 10 ** ndigits + 0.5) / 10 ** ndigits : x;

/** The positions of a k-point scale's options, -1 to 1. */
export function scalePositions(k) {
  if (!(Number.isInteger(k) && k >= 2 && k <= 11)) throw new Error(`a scale has 2 to 11 options, not ${k}`);
  // one denominator: opposite options are exact negatives, so symmetric answers tie
  return Array.from({ length: k }, (_, j) => (2 * j - (k - 1)) / (k - 1));
}

const half = (v, p) => Math.abs(v - p) / 2;
const dir = (v, p) => (1 - v * p) / 2;
// d in [0, 1]; euclidean squares here and takes the root after aggregating
const DISTANCE = {
  cityblock: half,
  euclidean: (v, p) => half(v, p) * half(v, p),
  directional: dir,
  hybrid: (v, p) => (half(v, p) + dir(v, p)) / 2,
};

/** Per entity and statement {w, d, g} for i in A_e, else null (Error when A is empty). */
function terms({ voter, weights, entities, method, missing }) {
  const d = DISTANCE[method];
  if (!d) throw new Error(`unknown method ${method}`);
  if (!["max", "neutral", "skip"].includes(missing)) throw new Error(`unknown missing policy ${missing}`);
  const inA = voter.map((v, i) => v != null && weights[i] > 0);
  if (!inA.includes(true)) throw new Error("no statement answered");
  return entities.map((row) => row.map((p, i) => {
    const v = voter[i];
    if (!inA[i]) return null;
    // max: the position furthest from v (a neutral voter meets +1)
    if (p == null) p = missing === "max" ? (v > 0 ? -1 : 1) : missing === "neutral" ? 0 : null;
    if (p == null) return null;
    return { w: weights[i], d: d(v, p), g: 1 - (method === "euclidean" ? half(v, p) : d(v, p)) };
  }));
}

/** 100 (1 - D) over the cells kept by `keep`; null when none is. */
function score(cells, method, keep = () => true) {
  let sw = 0, swd = 0;
  cells.forEach((c, i) => { if (c && keep(i)) { sw += c.w; swd += c.w * c.d; } });
  return sw > 0 ? 100 * (1 - (method === "euclidean" ? Math.sqrt(swd / sw) : swd / sw)) : null;
}

/** Weighted mean and standard error of [x, w] pairs (n_eff: Kish). */
function meanSe(pairs) {
  let W = 0, sx = 0, sw2 = 0, s2 = 0;
  for (const [x, w] of pairs) { W += w; sx += w * x; sw2 += w * w; }
  const m = sx / W;
  for (const [x, w] of pairs) s2 += w * (x - m) ** 2;
  return [m, Math.sqrt(s2 / W / Math.max((W * W) / sw2 - 1, 1))];
}

const clip = (x) => Math.min(Math.max(x, 0), 1);

function interval(cells, method) {
  const kept = cells.filter(Boolean);
  if (!kept.length) return null;
  const euclid = method === "euclidean";
  const [m, se] = meanSe(kept.map((c) => [euclid ? c.d : c.g, c.w]));
  const [lo, hi] = [clip(m - Z * se), clip(m + Z * se)];
  // euclidean: a high mean squared distance is a low score, so the ends swap
  return euclid ? [100 * (1 - Math.sqrt(hi)), 100 * (1 - Math.sqrt(lo))] : [100 * lo, 100 * hi];
}

/** Order (best first, null last, ties by id) and competition ranks (1, 1, 3). */
function rank(scores, ids) {
  const byId = (a, b) => (ids[a] < ids[b] ? -1 : ids[a] > ids[b] ? 1 : a - b);
  const all = scores.map((_, e) => e);
  const groups = [];
  for (const e of all.filter((e) => scores[e] != null).sort((a, b) => scores[b] - scores[a] || byId(a, b))) {
    const g = groups[groups.length - 1];
    // measured from the group's best, so a chain of tiny differences cannot stretch a tie
    if (g && scores[g[0]] - scores[e] <= TIE) g.push(e);
    else groups.push([e]);
  }
  groups.push(all.filter((e) => scores[e] == null));
  const order = [], ranks = [];
  for (const g of groups) {
    const r = order.length + 1;
    for (const e of g.sort(byId)) { ranks[e] = r; order.push(e); }
  }
  return { order, ranks };
}

/** Score one voter against every entity and explain it, as vaa.matching.match. */
export function match(args) {
  const { entityIds, themes, nThemes, method } = args;
  const cells = terms(args);
  const scores = cells.map((row) => score(row, method));
  const { order, ranks } = rank(scores, entityIds);
  const top = order[0];
  const closeToTop = scores.map((s, e) => {
    if (s == null || scores[top] == null) return false;
    // paired differences with the top entity over the statements both have
    const pairs = [];
    cells[e].forEach((c, i) => { const t = cells[top][i]; if (c && t) pairs.push([t.g - c.g, t.w]); });
    if (e === top || !pairs.length) return true;
    const [m, se] = meanSe(pairs);
    return !(m > Z * se);
  });
  return {
    scores,
    agreements: cells.map((row) => row.map((c) => (c ? 100 * c.g : null))),
    themeScores: cells.map((row) => Array.from({ length: nThemes }, (_, t) => score(row, method, (i) => themes[i] === t))),
    intervals: cells.map((row) => interval(row, method)),
    order,
    ranks,
    closeToTop,
  };
}

/** Each entity's score, null when it has none (vaa.matching.batch_scores for one voter). */
export function scores(args) {
  return terms(args).map((row) => score(row, args.method));
}

/** The top entity's index under each method (same `missing`); null when none scores. */
export function sensitivity(args) {
  return Object.fromEntries(METHODS.map((method) => {
    const scores = terms({ ...args, method }).map((row) => score(row, method));
    const top = rank(scores, args.entityIds).order[0];
    return [method, top != null && scores[top] != null ? top : null];
  }));
}

/** One respondent's position (A) on each axis, null where no answered statement loads. */
export function axisPositions(voter, loadings) {
  const n = loadings.length ? loadings[0].length : 0;
  return Array.from({ length: n }, (_, a) => {
    let total = 0, reach = 0;
    voter.forEach((y, i) => { const l = loadings[i][a]; if (y != null && l) { total += l * y; reach += Math.abs(l); } });
    return reach > 0 ? total / reach : null;
  });
}
