// Quick mode in the browser: the certainty of the top match and the next statement, a
// port of vaa/adaptive.py (the reference; docs/adaptive.md is the specification).
// tests/conformance/ checks both against the same vectors: the same hash, the same draws,
// so the same certainty and the same next statement. null marks an unanswered position.
import { scores } from "./matching.js";

export const LAMBDA = 1.5; // sharpness of the answer kernel
export const EPSILON = 0.3; // prior weight of the uniform "no party" component
export const SAMPLES = 400; // Monte Carlo draws per certainty
export const SETTLED = 0.9; // default threshold (questionnaire matching.settled)
const TIE = 1e-12; // information gains closer than this tie (questionnaire order wins)
const MATCH_TIE = 1e-9; // matching.js's TIE: scores closer than this share the top

/** lowbias32 on a 32-bit unsigned integer. */
export function hash32(x) {
  x >>>= 0;
  x = (x ^ (x >>> 16)) >>> 0;
  x = Math.imul(x, 0x7feb352d) >>> 0;
  x = (x ^ (x >>> 15)) >>> 0;
  x = Math.imul(x, 0x846ca68b) >>> 0;
  return (x ^ (x >>> 16)) >>> 0;
}

/** u(s, t) in (0, 1): draw s, slot t (0 picks the component, i + 1 statement i). */
export function uniform(s, t) {
  const a = Math.imul(s, 0x9e3779b1) >>> 0;
  const b = Math.imul(t, 0x85ebca77) >>> 0;
  return (hash32((a + b + 0x27d4eb2f) >>> 0) + 0.5) / 4294967296;
}

/** K(j | p) for every entity and statement, [E][Q][k]; uniform where p is null. */
export function kernel(levels, entities, lam = LAMBDA) {
  const k = levels.length;
  return entities.map((row) => row.map((p) => {
    if (p == null) return levels.map(() => 1 / k);
    const w = levels.map((x) => Math.exp(-lam * Math.abs(x - p)));
    const total = w.reduce((a, b) => a + b, 0);
    return w.map((x) => x / total);
  }));
}

const levelIndex = (levels, x) => {
  const j = levels.findIndex((y) => Math.abs(y - x) < 1e-9);
  if (j < 0) throw new Error(`position ${x} is not on the scale`);
  return j;
};

/** pi over the E entities and the uniform component (last), E + 1 numbers. */
export function posterior(voter, levels, entities, lam = LAMBDA, eps = EPSILON) {
  const k = levels.length;
  const nE = entities.length;
  const kern = kernel(levels, entities, lam);
  const loglik = new Array(nE + 1).fill(0);
  voter.forEach((v, i) => {
    if (v == null) return;
    const j = levelIndex(levels, v);
    for (let e = 0; e < nE; e++) loglik[e] += Math.log(kern[e][i][j]);
    loglik[nE] += -Math.log(k);
  });
  const logpost = loglik.map((l, c) => Math.log(c === nE ? eps : nE ? (1 - eps) / nE : 0) + l);
  const top = Math.max(...logpost);
  const post = logpost.map((l) => Math.exp(l - top));
  const total = post.reduce((a, b) => a + b, 0);
  return post.map((x) => x / total);
}

const entropy = (prob) => -prob.reduce((h, p) => h + (p > 0 ? p * Math.log(p) : 0), 0);

/** I_i for every statement: the mutual information of the answer and the component. */
export function informationGains(pi, kern, k) {
  const q = kern.length ? kern[0].length : 0;
  const uniformRow = new Array(k).fill(1 / k);
  const comp = (c, i) => (c < kern.length ? kern[c][i] : uniformRow);
  return Array.from({ length: q }, (_, i) => {
    const mixed = new Array(k).fill(0);
    let conditional = 0;
    pi.forEach((w, c) => {
      comp(c, i).forEach((x, j) => { mixed[j] += w * x; });
      conditional += w * entropy(comp(c, i));
    });
    return entropy(mixed) - conditional;
  });
}

/** The index of the unseen statement of largest gain (ties by order), null when none is left. */
export function nextStatement(remaining, gains) {
  let best = -Infinity;
  remaining.forEach((r, i) => { if (r && gains[i] > best) best = gains[i]; });
  const i = remaining.findIndex((r, j) => r && gains[j] >= best - TIE);
  return i < 0 ? null : i;
}

/** The top entity: best score, within matching's TIE of it the smallest id; null if none scores. */
function topOf(row, entityIds) {
  let best = -Infinity;
  row.forEach((s) => { if (s != null && s > best) best = s; });
  let top = null;
  row.forEach((s, e) => {
    if (s == null || best - s > MATCH_TIE) return;
    if (top === null || entityIds[e] < entityIds[top]) top = e;
  });
  return top;
}

/** Index of the first cumulative probability above u (clamped to the last). */
function pick(u, probs) {
  let cum = 0;
  for (let j = 0; j < probs.length; j++) {
    cum += probs[j];
    if (u < cum) return j;
  }
  return probs.length - 1;
}

/**
 * The next statement, the certainty and the current top for one voter (vaa.adaptive.step).
 * voter: positions, null where not answered; shown: true where answered or skipped
 * (never asked again); weights as for matching.js's match.
 */
export function step({ voter, weights, shown, levels, entities, entityIds, method = "cityblock", missing = "max", lam = LAMBDA, eps = EPSILON, samples = SAMPLES }) {
  const k = levels.length;
  const remaining = voter.map((v, i) => !(shown[i] || v != null));
  const pi = posterior(voter, levels, entities, lam, eps);
  const kern = kernel(levels, entities, lam);
  const statement = nextStatement(remaining, informationGains(pi, kern, k));
  if (!voter.some((v, i) => v != null && weights[i] > 0)) return { statement, certainty: 0, top: null };
  const score = (answers) => scores({ voter: answers, weights, entities, method, missing });
  const top = topOf(score(voter), entityIds);
  if (!remaining.includes(true)) return { statement: null, certainty: 1, top };
  const uniformRow = new Array(k).fill(1 / k);
  let keep = 0;
  for (let s = 0; s < samples; s++) {
    const c = pick(uniform(s, 0), pi);
    const drawn = voter.map((v, i) => {
      if (!remaining[i]) return v;
      return levels[pick(uniform(s, i + 1), c < kern.length ? kern[c][i] : uniformRow)];
    });
    if (topOf(score(drawn), entityIds) === top) keep += 1;
  }
  return { statement, certainty: keep / samples, top };
}
