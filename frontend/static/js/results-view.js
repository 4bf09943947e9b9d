// The result as texts and numbers, built from a match response (the API's shape).
// A port of result_view in api/views/result.py, which renders the same view without
// JavaScript: tests/conformance/results_view.test.mjs runs both on the same cases
// (`python -m api.views.vectors` writes them) and asserts the same view, field by field.
import { roundHalfUp, match, sensitivity, axisPositions, scalePositions } from "./matching.js";
import { ballots as raceBallots } from "./races.js";
import { radarPoints, mapPoint, intervalPath, num } from "./charts.js";
import { encodeShare } from "./answers.js";

const NO_COLOR = "#6b7785";
const RADAR_SERIES = 3;
const SUGGESTIONS = 6;
// Keep these in step with api/views/headline.py.
export const NECK_GAP = 5;
export const CLEAR_CERTAINTY = 0.9;
export const AHEAD_CERTAINTY = 0.6;

/** How clear the top match is (grade_lead in api/views/headline.py). */
export function gradeLead(results, certainty = null) {
  if (!results.length || results[0].score == null) return { grade: "none", top: [], other: null };
  const top = results.filter((r) => r.rank === 1).map((r) => r.entity);
  if (top.length > 1) return { grade: "tied", top, other: null };
  const runner = results.length > 1 && results[1].score != null ? results[1] : null;
  if (!runner) return { grade: "clear", top, other: null };
  let grade;
  if (certainty != null) grade = certainty >= CLEAR_CERTAINTY ? "clear" : certainty >= AHEAD_CERTAINTY ? "ahead" : "neck";
  else if (!results.slice(1).some((r) => r.score != null && r.close_to_top)) grade = "clear";
  else grade = results[0].score - runner.score < NECK_GAP ? "neck" : "ahead";
  return { grade, top, other: grade === "clear" ? null : runner.entity };
}

/** Whether a result is shown (enough_answers in api/views/headline.py); `settled`: quick mode's hook. */
export function enoughAnswers(answered, { settled = false, minimum = 5 } = {}) {
  return settled || answered >= minimum;
}

/** The headline (what is certain) and the graded line on the lead (headline_texts). */
export function headlineTexts(results, name, t, certainty = null) {
  const lead = gradeLead(results, certainty);
  if (lead.grade === "none") return [t("top_none"), ""];
  const score = t.pct(results[0].score);
  if (lead.grade === "tied") return [t("headline_tied", { names: lead.top.map((e) => name[e]).join(", "), score }), t("lead_tied")];
  const headline = t("headline", { name: name[lead.top[0]], score });
  if (lead.grade === "clear" || lead.other == null) return [headline, t("lead_clear")];
  const other = results.find((r) => r.entity === lead.other);
  return [headline, t(lead.grade === "ahead" ? "lead_ahead" : "lead_neck", { other: name[lead.other], score: t.pct(other.score) })];
}

/** Texts with {name} placeholders, as the server's catalogs translate them. */
export function translator(texts, methods, decimalSign = ".") {
  const t = (key, values = {}) => texts[key].replace(/\{(\w+)\}/g, (_, k) => String(values[k]));
  // "0,5" in Georgian, as api.formatting.decimal writes it: the sign comes from the server,
  // since a browser's Intl may have no Georgian data (Debian's Chromium has none).
  t.decimal = (value) => value.toFixed(1).replace(".", decimalSign);
  t.pct = (value) => (value == null ? t("theme_none") : t("pct", { value: roundHalfUp(value) }));
  t.method = (m) => methods[m];
  return t;
}

/** The certainty of the top match in words (certainty_text in api/views/result.py), or "". */
export function certaintyText(certainty, unseen, t) {
  if (certainty == null || unseen <= 0) return "";
  return t("certainty_line", { n: unseen, pct: t.pct(100 * certainty) });
}

/** Everything the result page shows, as texts and numbers (result_view in api/views/result.py).
 *  `profiles`: each entity's profile address. */
export function resultView(election, response, { weights, compare, t, certainty = null, unseen = 0, profiles = {} }) {
  const entities = Object.fromEntries(election.entities.map((e) => [e.id, e]));
  const options = Object.fromEntries(election.scale.map((o) => [o.id, o.label]));
  const results = response.results;
  const name = Object.fromEntries(results.map((r) => [r.entity, entities[r.entity].name]));
  const answers = response.answers;
  const w = (sid) => weights[sid] ?? 1;

  const top = results[0];
  let topText;
  if (top.score == null) topText = t("top_none");
  else {
    const tied = results.filter((r) => r.rank === 1);
    topText = tied.length === 1
      ? t("top", { name: name[top.entity], score: t.pct(top.score) })
      : t("top_tied", { names: tied.map((r) => name[r.entity]).join(", "), score: t.pct(top.score) });
  }
  const others = results.slice(1).filter((r) => r.close_to_top).map((r) => name[r.entity]);
  const close = others.length ? t("close", { top: name[top.entity], others: others.join(", ") }) : "";
  const [headline, lead] = headlineTexts(results, name, t, certainty);
  const sens = response.sensitivity;
  const sensText = new Set(Object.values(sens)).size === 1
    ? t("sens_same")
    : t("sens_differs", {
      list: Object.entries(sens).map(([m, e]) =>
        t("sens_item", { method: t.method(m), name: e ? name[e] ?? t("nobody") : t("nobody") })).join("; "),
    });
  const important = response.answered_ids.filter((sid) => w(sid) >= 2).length;
  const basis = t("basis", {
    answered: response.answered, total: election.statements.length, important, method: t.method(response.method),
  });

  const rows = results.map((r) => {
    const entity = entities[r.entity];
    const ties = results.filter((o) => o.rank === r.rank && o !== r).map((o) => name[o.entity]);
    const notes = [];
    if (r.score == null) notes.push(t("no_score"));
    else if (r.interval) notes.push(t("interval", { low: t.pct(r.interval[0]), high: t.pct(r.interval[1]) }));
    if (ties.length && r.score != null) notes.push(t("tied", { names: ties.join(", ") }));
    if (r.close_to_top && r !== top && !(ties.length && r.rank === 1)) notes.push(t("near"));
    return {
      entity: r.entity,
      affiliation: affiliation(entity, entities, t),
      rank: t("rank", { rank: r.rank }),
      position: String(r.rank),
      name: name[r.entity],
      profile: profiles[r.entity] || "",
      fictional: !!entity.fictional,
      color: colorOf(entity, entities),
      pct: r.score != null ? t.pct(r.score) : t("theme_none"),
      bar: num(r.score || 0),
      iv: intervalPath(r.interval),
      note: notes.join(" · "),
    };
  });

  const themes = election.themes;
  const radar = results.filter((r) => r.score != null).slice(0, RADAR_SERIES).map((r) => ({
    entity: r.entity,
    name: name[r.entity],
    points: radarPoints(themes.map((th) => r.themes[th.id] ?? null)),
    color: colorOf(entities[r.entity], entities),
  }));
  const themeRows = results.map((r) => ({
    name: name[r.entity],
    cells: themes.map((th) => t.pct(r.themes[th.id] ?? null)),
    bars: themes.map((th) => num(r.themes[th.id] || 0)),
  }));

  const statements = election.statements.map((s) => {
    const answer = answers[s.id] ?? null;
    const weight = w(s.id);
    const you = answer == null ? t("you_skipped")
      : weight === 0 ? t("you_left_out", { answer: options[answer] })
        : t("you_answer", { answer: options[answer] });
    return {
      id: s.id,
      you,
      important: weight >= 2 && answer != null,
      answer: answer || "skip",
      parties: results.map((r) => {
        const entityAnswer = entities[r.entity].answers[s.id];
        const match = r.statements[s.id];
        const agreement = match ? match.agreement : null;
        return {
          entity: r.entity,
          name: name[r.entity],
          answer: entityAnswer ? options[entityAnswer] : t("no_answer"),
          agreement: agreement == null ? "" : t("agreement", { pct: t.pct(agreement) }),
        };
      }),
    };
  });

  const axisIds = election.axes.map((a) => a.id);
  return {
    basis, headline, lead, certainty: certaintyText(certainty, unseen, t), top: topText, close, sensitivity: sensText, rows, radar, theme_rows: themeRows,
    voter: mapPoint(response.position, axisIds),
    voter_list: positionText(response.position, election.axes, t),
    statements,
    suggest: suggestions(election, response, { weights, t, name }),
    tiebreak: tieBreakers(election, response, { t, name }),
    compare: compareView(election, answers, compare || topTwo(results), t),
  };
}

/** An entity's colour; a candidate without one wears its party's (color_of in api/views/result.py). */
export function colorOf(entity, entities) {
  const party = entity.party ? entities[entity.party] : null;
  return entity.color || (party && party.color) || NO_COLOR;
}

/** Who stands behind a candidate (affiliation in api/views/result.py); "" for a party. */
export function affiliation(entity, entities, t) {
  if (entity.kind !== "candidate") return "";
  const named = (id) => (entities[id] ? entities[id].name : id);
  const backing = entity.backing || [];
  if (entity.party && entity.positions_from === entity.party && !backing.length) {
    return t("nominated_on_answers", { party: named(entity.party) });
  }
  let text;
  if (entity.party && backing.length) text = t("nominated_backed", { party: named(entity.party), backing: backing.map(named).join(", ") });
  else if (entity.party) text = t("nominated", { party: named(entity.party) });
  else if (backing.length) text = t("backed", { backing: backing.map(named).join(", ") });
  else text = t("independent");
  if (entity.positions_from) text += " · " + t("positions_of", { entity: named(entity.positions_from) });
  return text;
}

/** Score a voter's answers in the browser: the response the API's match gives
 *  (vaa.results.score_answers), with one ranking per race the voter's `place` votes in. */
export function matchResponse(election, { answers, weights, method, place }) {
  const levels = scalePositions(election.scale.length);
  const value = Object.fromEntries(election.scale.map((o, j) => [o.id, levels[j]]));
  const themeIndex = Object.fromEntries(election.themes.map((th, i) => [th.id, i]));
  const ids = election.statements.map((s) => s.id);
  const voter = ids.map((sid) => (answers[sid] != null ? value[answers[sid]] : null));
  const w = ids.map((sid) => weights[sid] ?? 1);
  const answered = ids.filter((sid, i) => voter[i] != null && w[i] > 0);
  const loadings = election.statements.map((s) => election.axes.map((a) => (s.axes && s.axes[a.id]) || 0));
  const position = axisPositions(voter, loadings);
  const args = {
    voter, weights: w, themes: election.statements.map((s) => themeIndex[s.theme]),
    nThemes: election.themes.length, missing: election.matching.missing, method,
  };
  const rank = (members) => rankAmong(election, members, { ...args, answered, value });
  const everyone = rank(election.entities.map((_, e) => e));
  const races = (election.races || []).length
    ? raceBallots(election, place).map((ballot) => {
      const race = election.races.find((r) => r.id === ballot.race);
      const ranked = ballot.members.length ? rank(ballot.members) : { results: [], sensitivity: {} };
      return {
        race: ballot.race, title: race.title, constituency: race.constituency,
        results: ranked.results, did_not_answer: ballot.didNotAnswer, sensitivity: ranked.sensitivity,
      };
    })
    : [];
  return {
    method,
    answered: answered.length,
    answered_ids: answered,
    answers: Object.fromEntries(ids.map((sid) => [sid, answers[sid] ?? null])),
    constituency: place,
    position: Object.fromEntries(election.axes.map((a, i) => [a.id, position[i] ?? null])),
    sensitivity: everyone.sensitivity,
    results: everyone.results,
    races,
  };
}

/** Results and method sensitivity among `members` (entity indices) only. */
function rankAmong(election, members, { answered, value, ...args }) {
  const entityIds = members.map((e) => election.entities[e].id);
  const entities = members.map((e) => election.statements.map((s) => {
    const option = election.entities[e].answers[s.id];
    return option != null ? value[option] : null;
  }));
  const m = match({ ...args, entities, entityIds });
  const top = sensitivity({ ...args, entities, entityIds });
  const id = (e) => (e == null ? null : typeof e === "number" ? entityIds[e] : e);
  const index = Object.fromEntries(election.statements.map((s, i) => [s.id, i]));
  return {
    sensitivity: Object.fromEntries(Object.entries(top).map(([k, e]) => [k, id(e)])),
    results: m.order.map((k) => {
      const entity = election.entities[members[k]];
      return {
        entity: entity.id,
        rank: m.ranks[k],
        score: m.scores[k],
        themes: Object.fromEntries(election.themes.map((th, j) => [th.id, m.themeScores[k][j] ?? null])),
        statements: Object.fromEntries(answered.map((sid) =>
          [sid, { entity_answer: entity.answers[sid] ?? null, agreement: m.agreements[k][index[sid]] ?? null }])),
        interval: m.intervals[k] && m.intervals[k][0] != null ? m.intervals[k] : null,
        close_to_top: !!m.closeToTop[k],
      };
    }),
  };
}

/** The match response narrowed to one race (race_response in api/views/result.py). */
export function raceResponse(response, race) {
  return { ...response, results: race.results, sensitivity: race.sensitivity };
}

/** One section per race on the voter's ballots (ballot_views in api/views/result.py). */
export function ballotViews(election, response, { weights, t, certainty = {}, unseen = 0, profiles = {} }) {
  const entities = Object.fromEntries(election.entities.map((e) => [e.id, e]));
  return (response.races || []).map((race) => {
    const silent = race.did_not_answer.map((id) => entities[id].name).join(", ");
    const base = { race: race.race, title: race.title, silent: silent ? t("did_not_answer", { names: silent }) : "" };
    if (!race.results.length) return { ...base, headline: t("race_nobody"), lead: "", close: "", certainty: "", rows: [] };
    const view = resultView(election, raceResponse(response, race), {
      weights, compare: null, t, certainty: certainty[race.race] ?? null, unseen, profiles,
    });
    return { ...base, headline: view.headline, lead: view.lead, close: view.close, certainty: view.certainty, rows: view.rows };
  });
}

/** A share link's fragment (share_fragment in api/views/share.py): the questionnaire's
 *  `key`, the answers and weights, the method unless the election's own, the place. */
export function shareFragment(election, { answers, weights, method, place }, key) {
  const ids = election.statements.map((s) => s.id);
  let fragment = `v=${key}&` + encodeShare({ answers, weights }, ids, election.scale.map((o) => o.id));
  if (method && method !== election.matching.method) fragment += `&m=${method}`;
  if (place) fragment += `&p=${encodeURIComponent(place)}`;
  return fragment;
}

function topTwo(results) {
  return [results[0].entity, (results[1] || results[0]).entity];
}

/** Unanswered statements that may separate a too-close top two (tie_breakers in api/views/result.py). */
export function tieBreakers(election, response, { t, name }) {
  const results = response.results;
  if (results.length < 2 || !results[1].close_to_top || results[1].score == null) return null;
  const [a, b] = [results[0].entity, results[1].entity];
  const entities = Object.fromEntries(election.entities.map((e) => [e.id, e]));
  const index = Object.fromEntries(election.scale.map((o, j) => [o.id, j]));
  const options = Object.fromEntries(election.scale.map((o) => [o.id, o.label]));
  const found = [];
  election.statements.forEach((s, i) => {
    const ia = index[entities[a].answers[s.id]];
    const ib = index[entities[b].answers[s.id]];
    if (response.answers[s.id] == null && ia != null && ib != null && ia !== ib) found.push([-Math.abs(ia - ib), i, s]);
  });
  if (!found.length) return null;
  found.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  return {
    intro: t("tiebreak_intro", { a: name[a], b: name[b] }),
    items: found.slice(0, 3).map(([, , s]) => ({
      id: s.id,
      text: s.text,
      answers: t("suggest_answers", {
        a: name[a], a_answer: options[entities[a].answers[s.id]], b: name[b], b_answer: options[entities[b].answers[s.id]],
      }),
    })),
  };
}

/** When the top two are too close to call: the statements they differ on, to weigh. */
export function suggestions(election, response, { weights, t, name }) {
  const results = response.results;
  if (results.length < 2 || !results[1].close_to_top || results[1].score == null) return null;
  const [a, b] = results;
  const entities = Object.fromEntries(election.entities.map((e) => [e.id, e]));
  const options = Object.fromEntries(election.scale.map((o) => [o.id, o.label]));
  const differ = [];
  election.statements.forEach((s, i) => {
    const ma = a.statements[s.id];
    const mb = b.statements[s.id];
    if (!ma || !mb || ma.agreement == null || mb.agreement == null) return;
    const gap = Math.abs(ma.agreement - mb.agreement);
    if (gap > 1e-9) differ.push([-gap, i, s]);
  });
  differ.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const answer = (entity, sid) => {
    const option = entities[entity].answers[sid];
    return option ? options[option] : t("no_answer");
  };
  return {
    intro: t("suggest_intro", { a: name[a.entity], b: name[b.entity] }),
    items: differ.slice(0, SUGGESTIONS).map(([, , s]) => ({
      id: s.id,
      text: s.text,
      answers: t("suggest_answers", {
        a: name[a.entity], a_answer: answer(a.entity, s.id), b: name[b.entity], b_answer: answer(b.entity, s.id),
      }),
      you: t("you_answer", { answer: options[response.answers[s.id]] }),
      important: (weights[s.id] ?? 1) >= 2,
    })),
  };
}

/** Where two entities answer differently, with the voter's own answer beside them. */
export function compareView(election, answers, [idA, idB], t) {
  const entities = Object.fromEntries(election.entities.map((e) => [e.id, e]));
  const options = Object.fromEntries(election.scale.map((o) => [o.id, o.label]));
  const a = entities[idA];
  const b = entities[idB];
  if (!a || !b || a === b) return { a: idA, b: idB, summary: t("compare_pick"), items: [] };
  const index = Object.fromEntries(election.scale.map((o, j) => [o.id, j]));
  const differ = [];
  election.statements.forEach((s, i) => {
    const ia = index[a.answers[s.id]];
    const ib = index[b.answers[s.id]];
    if (ia === ib) return;
    // Opposite answers first; a statement only one of them answered last.
    const gap = ia == null || ib == null ? -1 : Math.abs(ia - ib);
    differ.push([-gap, i, s]);
  });
  differ.sort((x, y) => x[0] - y[0] || x[1] - y[1]);
  const items = differ
    .map(([, , s]) => ({
      text: s.text,
      a_answer: options[a.answers[s.id]] ?? t("no_answer"),
      b_answer: options[b.answers[s.id]] ?? t("no_answer"),
      you: options[answers[s.id] || ""] ?? t("you_skipped"),
    }));
  const names = { a: a.name, b: b.name };
  const summary = items.length
    ? t("compare_summary", { n: items.length, total: election.statements.length, ...names })
    : t("compare_same", names);
  return { a: a.id, b: b.id, a_name: names.a, b_name: names.b, summary, items };
}

/** A position in words: "Economy +0.5 (towards Market-led); ...", with the language's decimal sign. */
export function positionText(position, axes, t) {
  const parts = [];
  for (const axis of axes) {
    const value = position[axis.id];
    if (value == null) continue;
    const shown = roundHalfUp(value * 10) / 10;
    if (shown === 0) parts.push(t("map_centre", { axis: axis.label }));
    else {
      parts.push(t("map_position", {
        axis: axis.label,
        value: (shown > 0 ? "+" : "−") + t.decimal(Math.abs(shown)),
        pole: shown > 0 ? axis.high : axis.low,
      }));
    }
  }
  return parts.join("; ");
}
