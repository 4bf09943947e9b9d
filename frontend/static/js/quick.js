// Quick mode in the browser: each next statement and the certainty of the top match are
// computed here (adaptive.js, the port of vaa/adaptive.py), so the answers never leave
// the device. They are kept with the quiz's (answers.js): the result page reads them, and
// the full quiz can go on from them. Without JavaScript the same page works as a form
// posted back to the server, one statement at a time.
import { step } from "./adaptive.js";

const $ = (id) => document.getElementById(id);
const data = JSON.parse($("quick-data").textContent);
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k]);
const QUICK = `vaa:quick:${data.election}`; // {certainty, settled, answered}: for the start and result pages

import(new URL(data.answers, document.baseURI).href).then(start);

function start({ loadAnswers, saveAnswers }) {
  const form = $("quick");
  const ids = data.statements;
  const fieldset = (id) => $(`s-${id}`);
  let record = loadAnswers(data.election);
  // A version change: keep the answers whose statement and option still exist.
  const valid = (id, a) => ids.includes(id) && (a === null || a in data.options);
  record.answers = Object.fromEntries(Object.entries(record.answers).filter(([id, a]) => valid(id, a)));
  // A page posted without JavaScript carries the answers so far: they are the voter's.
  for (const input of form.querySelectorAll(".quick-carried")) {
    const id = input.name.replace(/^(answer|weight)-/, "");
    if (input.name.startsWith("answer-")) record.answers[id] = input.value === "skip" ? null : input.value;
    else record.weights[id] = Number(input.value);
    input.remove();
  }
  record.version = data.version;
  $("quick-shown")?.remove();
  let current = null;
  let dismissed = false; // the voter chose to go on after "settled"
  let last = { certainty: 0, settled: false };

  const answered = () => ids.filter((id) => record.answers[id] != null && (record.weights[id] ?? 1) > 0).length;
  const say = (text) => { $("quick-status").textContent = text; };
  const save = () => {
    record.current = Math.max(0, ids.findIndex((id) => !(id in record.answers)));
    const stored = saveAnswers(data.election, record);
    try { localStorage.setItem(QUICK, JSON.stringify({ ...last, answered: answered() })); } catch (_) { /* no storage */ }
    return stored;
  };

  const compute = () => step({
    voter: ids.map((id) => (record.answers[id] == null ? null : data.options[record.answers[id]])),
    weights: ids.map((id) => record.weights[id] ?? 1),
    shown: ids.map((id) => id in record.answers),
    levels: data.levels,
    entities: data.entities,
    entityIds: data.entityIds,
    method: data.method,
    missing: data.missing,
  });

  const show = (focus, message) => {
    const r = compute();
    const n = answered();
    const enough = n >= data.minimum;
    const settled = r.certainty >= data.settled && enough;
    last = { certainty: r.certainty, settled };
    current = r.statement === null ? null : ids[r.statement];
    for (const id of ids) {
      const f = fieldset(id);
      f.hidden = f.disabled = id !== current;
    }
    if (current) {
      for (const input of fieldset(current).querySelectorAll("input")) input.checked = input.type === "checkbox" ? (record.weights[current] ?? 1) >= 2 : false;
    }
    const seen = ids.filter((id) => id in record.answers).length;
    $("quick-progress").textContent = fill(data.texts.progress, { n: seen, total: ids.length });
    const percent = Math.floor(100 * r.certainty + 0.5);
    $("quick-sure").hidden = n === 0;
    $("quick-sure-text").textContent = fill(settled ? data.texts.settledSure : data.texts.sure, { n: percent });
    $("quick-settled").hidden = !settled || dismissed;
    $("quick-done").hidden = current !== null;
    $("quick-next").hidden = current === null;
    $("quick-result").hidden = !enough && current !== null;
    save();
    if (focus) {
      $("quick-intro").hidden = true;
      const target = !$("quick-settled").hidden ? $("quick-settled-h") : current ? fieldset(current).querySelector("h2") : $("quick-done");
      target.tabIndex = -1;
      target.focus();
      say([message, $("quick-sure").hidden ? "" : $("quick-sure-text").textContent].filter(Boolean).join(" "));
    }
  };

  const answer = (value, label) => {
    if (!current) return;
    record.answers[current] = value;
    show(true, value === null ? data.texts.skipped : fill(data.texts.saved, { answer: label }));
  };

  const finish = () => {
    // Without storage the result page could not read the answers: post them, as the
    // page does without JavaScript (the server computes and stores nothing).
    if (save()) return location.assign(data.results);
    for (const f of form.querySelectorAll("fieldset")) f.disabled = true;
    for (const [id, a] of Object.entries(record.answers)) form.append(Object.assign(document.createElement("input"), { type: "hidden", name: `answer-${id}`, value: a ?? "skip" }));
    for (const [id, w] of Object.entries(record.weights)) form.append(Object.assign(document.createElement("input"), { type: "hidden", name: `weight-${id}`, value: String(w) }));
    form.action = data.results;
    form.submit();
  };

  form.addEventListener("change", (e) => {
    const t = e.target;
    if (t.type === "checkbox" && current) {
      if (t.checked) record.weights[current] = 2;
      else delete record.weights[current];
      save();
    }
  });
  // A tap on an option answers and moves on (keyboard users select, then press Next).
  let pointer = false;
  document.addEventListener("pointerdown", () => { pointer = true; }, true);
  document.addEventListener("keydown", () => { pointer = false; }, true);
  form.addEventListener("click", (e) => {
    const t = e.target;
    if (t.type === "radio" && pointer) answer(t.value === "skip" ? null : t.value, t.nextElementSibling.textContent);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (e.submitter && e.submitter.formAction === new URL(data.results, document.baseURI).href) return finish();
    const chosen = current && fieldset(current).querySelector("input[type=radio]:checked");
    if (chosen) answer(chosen.value === "skip" ? null : chosen.value, chosen.nextElementSibling.textContent);
    else answer(null, "");
  });
  $("quick-continue").addEventListener("click", (e) => {
    e.preventDefault();
    dismissed = true;
    $("quick-settled").hidden = true;
    if (current) fieldset(current).querySelector("h2").focus();
  });
  show(false);
  form.dataset.ready = "true"; // for tests and styles: the browser has taken over
}
