// Quick mode in the browser: the certainty of the top match and the next statement, a
// port of vaa/adaptive.py (the reference; docs/adaptive.md is the specification).
// tests/conformance/ checks both against the same vectors: the same hash, the same draws,
// so the same certainty and the same next statement. null marks an unanswered position.
import { scores } from "./matching.js";

export const LAMBDA = 3; // sharpness of the answer kernel
export const NOISE = [0.1, 0.3, 0.5, 0.7]; // deviation rates a voter like an entity may have
export const EPSILON = 0.1; // prior weight of the "no party" component
export const BETWEEN = 0.3; // prior weight of the "between two entities" components
export const TEMPER = 0.85; // weight of each answer's log-likelihood (a tempered posterior)
export const SAMPLES = 400; // draws per step
export const SETTLED = 0.9; // default threshold (questionnaire matching.settled)
const TIE = 1e-12; // gains closer than this tie (then the next criterion, then order)
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

/** P(j | z) for every component z, [Z][Q][k]: (c, r) for every entity c and rate r, then
 *  (a, b, r) for every pair a < b (half a's profile, half b's), then "no party". */
export function components(levels, entities, lam = LAMBDA, noise = NOISE) {
  const k = levels.length;
  const q = entities.length ? entities[0].length : 0;
  const kern = kernel(levels, entities, lam);
  const profiles = [...kern];
  for (let a = 0; a < kern.length; a++) {
    for (let b = a + 1; b < kern.length; b++) {
      profiles.push(kern[a].map((probs, i) => probs.map((x, j) => (x + kern[b][i][j]) / 2)));
    }
  }
  const out = [];
  for (const rows of profiles) {
    for (const r of noise) out.push(rows.map((probs) => probs.map((x) => (1 - r) * x + r / k)));
  }
  out.push(Array.from({ length: q }, () => new Array(k).fill(1 / k)));
  return out;
}

/** pi0 over the components, in components() order: 1 - eps - BETWEEN over the single
 *  entities, BETWEEN over the pairs, eps for "no party". */
export function prior(nEntities, eps = EPSILON, noise = NOISE) {
  const g = noise.length;
  const singles = nEntities * g;
  const pairs = ((nEntities * (nEntities - 1)) / 2) * g;
  const between = pairs ? BETWEEN : 0;
  const out = new Array(singles + pairs + 1);
  out.fill(singles ? (1 - eps - between) / singles : 0, 0, singles);
  out.fill(pairs ? between / pairs : 0, singles, singles + pairs);
  out[singles + pairs] = singles ? eps : 1;
  return out;
}

const levelIndex = (levels, x) => {
  const j = levels.findIndex((y) => Math.abs(y - x) < 1e-9);
  if (j < 0) throw new Error(`position ${x} is not on the scale`);
  return j;
};

/** pi over the components given the answers (null = not answered), each answer's
 *  log-likelihood counted `temper` times. */
export function componentPosterior(voter, levels, comp, pi0, temper = TEMPER) {
  const loglik = new Array(comp.length).fill(0);
  voter.forEach((v, i) => {
    if (v == null) return;
    const j = levelIndex(levels, v);
    for (let z = 0; z < comp.length; z++) loglik[z] += Math.log(comp[z][i][j]);
  });
  const logpost = loglik.map((l, z) => Math.log(pi0[z]) + temper * l);
  const top = Math.max(...logpost);
  const post = logpost.map((l) => Math.exp(l - top));
  const total = post.reduce((a, b) => a + b, 0);
  return post.map((x) => x / total);
}

/** pi summed over the noise rates: E entities, "between two" and "no party" (E + 2 numbers). */
export function posterior(voter, levels, entities, lam = LAMBDA, eps = EPSILON, temper = TEMPER) {
  const g = NOISE.length;
  const pi = componentPosterior(voter, levels, components(levels, entities, lam), prior(entities.length, eps), temper);
  const out = entities.map((_, e) => pi.slice(e * g, e * g + g).reduce((a, b) => a + b, 0));
  out.push(pi.slice(entities.length * g, -1).reduce((a, b) => a + b, 0), pi[pi.length - 1]);
  return out;
}

const entropy = (prob) => -prob.reduce((h, p) => h + (p > 0 ? p * Math.log(p) : 0), 0);

/** I_i for every statement: the mutual information of the answer and the component. */
export function informationGains(pi, comp, k) {
  const q = comp.length ? comp[0].length : 0;
  return Array.from({ length: q }, (_, i) => {
    const mixed = new Array(k).fill(0);
    let conditional = 0;
    pi.forEach((w, z) => {
      comp[z][i].forEach((x, j) => { mixed[j] += w * x; });
      conditional += w * entropy(comp[z][i]);
    });
    return entropy(mixed) - conditional;
  });
}

/** G_i for the statements in R: the mutual information, over the draws, of the drawn
 *  option of i and the draw's top (options [n][Q], tops [n]); 0 elsewhere. */
export function topGains(options, tops, remaining, k, nEntities) {
  const n = options.length;
  return remaining.map((r, i) => {
    if (!r) return 0;
    const joint = Array.from({ length: k }, () => new Array(nEntities).fill(0));
    for (let s = 0; s < n; s++) joint[options[s][i]][tops[s]] += 1;
    const byOption = joint.map((row) => row.reduce((a, b) => a + b, 0));
    const byTop = Array.from({ length: nEntities }, (_, t) => joint.reduce((a, row) => a + row[t], 0));
    let gain = 0;
    joint.forEach((row, j) => row.forEach((c, t) => {
      if (c > 0) gain += (c / n) * Math.log((c * n) / (byOption[j] * byTop[t]));
    }));
    return gain;
  });
}

/** A_i for the statements in R: the share of draws whose leaders (leading [n][E]) include
 *  the top after answering i as the draw did (nextTops [Q][k], null: no top); 0 elsewhere. */
export function lookahead(nextTops, options, leading, remaining) {
  const n = options.length;
  return remaining.map((r, i) => {
    if (!r) return 0;
    let kept = 0;
    for (let s = 0; s < n; s++) {
      const t = nextTops[i][options[s][i]];
      if (t !== null && leading[s][t]) kept += 1;
    }
    return kept / n;
  });
}

/** The index in R of the largest first key, ties by the next, then by order; null when R is empty. */
export function choose(remaining, ...keys) {
  let idx = remaining.flatMap((r, i) => (r ? [i] : []));
  if (!idx.length) return null;
  for (const key of keys) {
    const best = Math.max(...idx.map((i) => key[i]));
    idx = idx.filter((i) => key[i] >= best - TIE);
  }
  return idx[0];
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

/** For each entity, whether its score is within matching's TIE of the best (the leaders). */
function leadersOf(row) {
  let best = -Infinity;
  row.forEach((s) => { if (s != null && s > best) best = s; });
  return row.map((s) => s != null && best - s <= MATCH_TIE);
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
export function step({ voter, weights, shown, levels, entities, entityIds, method = "cityblock", missing = "max", lam = LAMBDA, eps = EPSILON, temper = TEMPER, samples = SAMPLES }) {
  const k = levels.length;
  const remaining = voter.map((v, i) => !(shown[i] || v != null));
  const comp = components(levels, entities, lam);
  const pi = componentPosterior(voter, levels, comp, prior(entities.length, eps), temper);
  const score = (answers) => scores({ voter: answers, weights, entities, method, missing });
  // the top of some answers, null when none of them carries weight (nothing scores)
  const topOfAnswers = (answers) => (answers.some((v, i) => v != null && weights[i] > 0) ? topOf(score(answers), entityIds) : null);
  const top = topOfAnswers(voter);
  if (!remaining.includes(true)) return { statement: null, certainty: top === null ? 0 : 1, top };
  const options = [];
  const tops = [];
  const leading = [];
  let keep = 0;
  for (let s = 0; s < samples; s++) {
    const z = pick(uniform(s, 0), pi);
    const drawn = voter.map((_, i) => (remaining[i] ? pick(uniform(s, i + 1), comp[z][i]) : 0));
    const row = score(voter.map((v, i) => (remaining[i] ? levels[drawn[i]] : v)));
    const t = topOf(row, entityIds);
    const lead = leadersOf(row);
    options.push(drawn);
    tops.push(t === null ? 0 : t);
    leading.push(lead);
    if (top !== null && lead[top]) keep += 1;
  }
  // t_ij: the top with statement i answered as option j (only R is looked at)
  const nextTops = voter.map((_, i) => (remaining[i]
    ? levels.map((x) => topOfAnswers(voter.map((v, m) => (m === i ? x : v))))
    : []));
  const statement = choose(
    remaining,
    lookahead(nextTops, options, leading, remaining),
    topGains(options, tops, remaining, k, entities.length),
    informationGains(pi, comp, k),
  );
  return { statement, certainty: top === null ? 0 : keep / samples, top };
}
