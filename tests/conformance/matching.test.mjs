// The browser's engine (frontend/static/js/matching.js) against the Python engine's
// vectors (vectors.json, written by `vaa conformance`): numbers to within the file's
// tolerance (0.01), order, ranks and flags exactly. MATCHING_JS points the suite at
// another copy of the engine (the mutation check in test_conformance.py); RACES_JS and
// ADAPTIVE_JS do the same for races.js and adaptive.js.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const engine = process.env.MATCHING_JS || new URL("../../frontend/static/js/matching.js", import.meta.url);
// imported as a data: URL, which is always an ES module: package.json declares no "type"
const source = Buffer.from(readFileSync(engine, "utf8")).toString("base64");
const js = await import(`data:text/javascript;base64,${source}`);
const racesEngine = process.env.RACES_JS || new URL("../../frontend/static/js/races.js", import.meta.url);
const racesSource = readFileSync(racesEngine, "utf8");
const races = await import(`data:text/javascript;base64,${Buffer.from(racesSource).toString("base64")}`);
// adaptive.js imports "./matching.js", which a data: URL cannot resolve: point the import
// at the engine above (so a broken matching.js breaks quick mode's checks too)
const adaptiveEngine = process.env.ADAPTIVE_JS || new URL("../../frontend/static/js/adaptive.js", import.meta.url);
const adaptiveSource = readFileSync(adaptiveEngine, "utf8").replace('from "./matching.js"', `from "data:text/javascript;base64,${source}"`);
const adaptive = await import(`data:text/javascript;base64,${Buffer.from(adaptiveSource).toString("base64")}`);
const vectors = JSON.parse(readFileSync(new URL("./vectors.json", import.meta.url), "utf8"));
const tolerance = vectors.tolerance;

/** Numbers within the tolerance, null exactly where expected, arrays element by element. */
function near(actual, expected, where) {
  if (expected === null) return assert.equal(actual, null, `${where}: expected null, got ${actual}`);
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${actual}`);
    assert.equal(actual.length, expected.length, `${where}: length`);
    return expected.forEach((x, i) => near(actual[i], x, `${where}[${i}]`));
  }
  assert.equal(typeof actual, "number", `${where}: expected a number, got ${actual}`);
  assert.ok(Math.abs(actual - expected) <= tolerance, `${where}: ${actual}, expected ${expected}`);
}

const check = {
  scalePositions: ({ args, expected }) => near(js.scalePositions(args.k), expected, "positions"),
  // the same IEEE arithmetic on both sides: exact
  roundHalfUp: ({ args, expected }) => assert.equal(js.roundHalfUp(args.x, args.ndigits), expected),
  axisPositions: ({ args, expected }) => near(js.axisPositions(args.voter, args.loadings), expected, "positions"),
  // which races a place votes in and who is ranked in each (races.js, vaa/races.py)
  ballots: ({ args, expected }) => assert.deepEqual(races.ballots(args, args.place), expected),
  // quick mode (adaptive.js, vaa/adaptive.py): the same draws, so the same certainty to
  // the draw (1/400), and the same next statement and top exactly
  adaptiveStep: ({ args, expected }) => {
    const got = adaptive.step(args);
    assert.equal(got.statement, expected.statement, "statement");
    assert.equal(got.top, expected.top, "top");
    assert.ok(Math.abs(got.certainty - expected.certainty) < 1e-9, `certainty ${got.certainty}, expected ${expected.certainty}`);
    near(adaptive.posterior(args.voter, args.levels, args.entities), expected.posterior, "posterior");
  },
  match: ({ args, expected, sensitivity, error }) => {
    if (error) {
      assert.throws(() => js.match(args), { message: error });
      assert.throws(() => js.sensitivity(args), { message: error });
      return;
    }
    const got = js.match(args);
    for (const key of ["scores", "agreements", "themeScores", "intervals"]) near(got[key], expected[key], key);
    for (const key of ["order", "ranks", "closeToTop"]) assert.deepEqual(got[key], expected[key], key);
    assert.deepEqual(js.sensitivity(args), sensitivity, "sensitivity");
  },
};

test("the vectors cover every function and a fair number of cases", () => {
  const functions = new Set(vectors.cases.map((c) => c.function));
  assert.deepEqual([...functions].sort(), Object.keys(check).sort());
  assert.ok(vectors.cases.length >= 60);
  assert.ok(vectors.cases.some((c) => c.error));
});

for (const c of vectors.cases) test(c.name, () => check[c.function](c));
