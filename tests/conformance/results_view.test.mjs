// The browser's result view (frontend/static/js/results-view.js, charts.js) against the
// server's (api/views/result.py and its neighbours), on the cases in
// results_view_vectors.json (written by `python -m api.views.vectors`): every field of
// every view, texts exactly (from the file's fixed message table), the same keys on both
// sides, numbers, also those inside SVG geometry strings, to within the file's tolerance;
// and the match response the browser scores itself, to within the engines' 0.01.
// RESULTS_VIEW_JS and CHARTS_JS point the suite at other copies of the two modules (the
// mutation check in test_results_view_conformance.py).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";

const js = (name) => new URL(`../../frontend/static/js/${name}`, import.meta.url);
// A data: URL is always an ES module (package.json declares no "type"), but cannot
// resolve "./x.js": each import is pointed at its module's own data: URL.
const dataUrl = (source) => `data:text/javascript;base64,${Buffer.from(source).toString("base64")}`;
const read = (path) => readFileSync(path, "utf8");
const matchingUrl = dataUrl(read(js("matching.js")));
const chartsUrl = dataUrl(read(process.env.CHARTS_JS || js("charts.js")));
const answersUrl = dataUrl(read(js("answers.js")));
const racesUrl = dataUrl(read(js("races.js")));
const viewSource = read(process.env.RESULTS_VIEW_JS || js("results-view.js"))
  .replace('from "./matching.js"', `from "${matchingUrl}"`)
  .replace('from "./charts.js"', `from "${chartsUrl}"`)
  .replace('from "./answers.js"', `from "${answersUrl}"`)
  .replace('from "./races.js"', `from "${racesUrl}"`);
const view = await import(dataUrl(viewSource));
const charts = await import(chartsUrl);
const answers = await import(answersUrl);

const vectors = JSON.parse(read(new URL("./results_view_vectors.json", import.meta.url)));
// a case may state its own (the engines' 0.01 for the scores of matchResponse)
let tolerance = vectors.tolerance;

// SVG geometry ("160,47 236.21,91 ...", "M12.5 11H40M12.5 9V13..."): numbers and the
// letters and separators between them.
const GEOMETRY = /^[-\d.,\sMHV]*\d[-\d.,\sMHV]*$/;
const NUMBER = /-?\d+(?:\.\d+)?/g;

/** Equal field by field: the same keys, strings exactly (geometry's numbers within the
 *  tolerance), numbers within the tolerance, null exactly where expected. */
function same(actual, expected, where) {
  if (expected === null) return assert.equal(actual, null, `${where}: expected null, got ${JSON.stringify(actual)}`);
  if (typeof expected === "number") {
    assert.equal(typeof actual, "number", `${where}: expected a number, got ${JSON.stringify(actual)}`);
    return assert.ok(Math.abs(actual - expected) <= tolerance, `${where}: ${actual}, expected ${expected}`);
  }
  if (typeof expected === "string" && GEOMETRY.test(expected)) {
    assert.equal(typeof actual, "string", `${where}: expected a string, got ${JSON.stringify(actual)}`);
    assert.equal(actual.replace(NUMBER, "#"), expected.replace(NUMBER, "#"), `${where}: ${actual}, expected ${expected}`);
    const got = actual.match(NUMBER).map(Number);
    return expected.match(NUMBER).map(Number).forEach((x, i) => same(got[i], x, `${where} number ${i}`));
  }
  if (typeof expected !== "object") return assert.equal(actual, expected, where);
  if (Array.isArray(expected)) {
    assert.ok(Array.isArray(actual), `${where}: expected an array, got ${JSON.stringify(actual)}`);
    assert.equal(actual.length, expected.length, `${where}: length`);
    return expected.forEach((x, i) => same(actual[i], x, `${where}[${i}]`));
  }
  assert.ok(actual && typeof actual === "object", `${where}: expected an object, got ${JSON.stringify(actual)}`);
  assert.deepEqual(Object.keys(actual).sort(), Object.keys(expected).sort(), `${where}: keys`);
  for (const key of Object.keys(expected)) same(actual[key], expected[key], `${where}.${key}`);
}

const context = (c) => {
  const { election, texts } = vectors.elections[c.election];
  return { election, t: view.translator(texts.texts, texts.methods, texts.decimal) };
};

const check = {
  // the response the view is built from, scored in the browser (matching.js, races.js)
  matchResponse: (c, { election }) => same(view.matchResponse(election, c.args), c.expected, "response"),
  resultView: (c, { election, t }) => {
    const { response, weights, compare, certainty, unseen, profiles } = c.args;
    same(view.resultView(election, response, { weights, compare, t, certainty, unseen, profiles }), c.expected, "view");
  },
  ballotViews: (c, { election, t }) => {
    const { response, weights, certainty, unseen, profiles } = c.args;
    same(view.ballotViews(election, response, { weights, t, certainty, unseen, profiles }), c.expected, "ballots");
  },
  gradeLead: (c) => same(view.gradeLead(c.args.results, c.args.certainty), c.expected, "lead"),
  enoughAnswers: (c, { t }) => {
    const { answered, settled, minimum } = c.args;
    same(view.enoughAnswers(answered, { settled, minimum }), c.expected.enough, "enough");
    same(t("too_few", { minimum, answered }), c.expected.too_few, "too_few");
  },
  shareFragment: (c, { election }) => {
    const { answers: given, weights, method, place, key } = c.args;
    const fragment = view.shareFragment(election, { answers: given, weights, method, place }, key);
    same(fragment, c.expected, "fragment");
    // and the link reads back as the answers it was made from
    const ids = election.statements.map((s) => s.id);
    const back = answers.decodeShare(c.expected, ids, election.scale.map((o) => o.id));
    same(Object.fromEntries(ids.map((id) => [id, back.answers[id]])), Object.fromEntries(ids.map((id) => [id, given[id] ?? null])), "decoded answers");
  },
  voterMark: (c) => {
    const { point, parties, label } = c.args;
    const mark = charts.voterMark(point, parties);
    same(mark, c.expected.mark, "mark");
    same(charts.voterLabel(mark, parties, label), c.expected.label, "label");
  },
  translate: (c, { t }) => same(t(c.args.key, c.args.values), c.expected, "text"),
  pct: (c, { t }) => same(t.pct(c.args.value), c.expected, "pct"),
};

test("the vectors cover every check and every kind of view", () => {
  const functions = new Set(vectors.cases.map((c) => c.function));
  assert.deepEqual([...functions].sort(), Object.keys(check).sort());
  const views = vectors.cases.filter((c) => c.function === "resultView").map((c) => c.expected);
  assert.ok(views.length >= 20);
  for (const part of ["suggest", "tiebreak", "voter", "certainty", "close"]) {
    assert.ok(views.some((v) => v[part]), `a view with ${part}`);
    assert.ok(views.some((v) => !v[part]), `a view without ${part}`);
  }
  assert.ok(views.some((v) => v.lead.startsWith("lead_tied")), "a tie");
});

for (const c of vectors.cases) {
  test(c.name, () => {
    tolerance = c.tolerance ?? vectors.tolerance;
    check[c.function](c, context(c));
  });
}
