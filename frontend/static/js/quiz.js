// The quiz one statement at a time, built on the plain form of quiz.html, then an
// optional step that lists the answered statements to mark the important ones. Answers
// are kept in this browser only (answers.js); this script sends nothing anywhere.
const $ = (id) => document.getElementById(id);
const data = JSON.parse($("quiz-data").textContent);
const fill = (text, values) => text.replace(/\{(\w+)\}/g, (_, k) => values[k]);

// answers.js by its own hashed URL, so it stays cached (see the modulepreload).
import(new URL(data.answers, document.baseURI).href).then(start);

function start({ loadAnswers, saveAnswers, clearAnswers }) {
  const form = $("quiz");
  const steps = [...form.querySelectorAll(".statement")];
  const ids = steps.map((f) => f.dataset.id);
  const total = steps.length;
  const radios = (i) => [...steps[i].querySelectorAll("[type=radio]")]; // the last is "skip"
  const box = (i) => steps[i].querySelector("[type=checkbox]");
  const next = $("quiz-next");
  const submit = $("quiz-submit");
  const nextLabel = next.textContent;
  let record = loadAnswers(data.election);
  // The full quiz is not quick mode: the start page then continues here (quiz-start.js).
  try { localStorage.removeItem(`vaa:quick:${data.election}`); } catch (_) { /* no storage */ }
  let current = 0; // 0 .. total - 1: a statement; total: the weighting step
  const weighing = () => current === total;
  let pointer = false;
  let stored = true;
  let handover = null; // the result, prepared to replace the quiz at the last answer

  const save = () => {
    const empty = !Object.keys(record.answers).length && !Object.keys(record.weights).length;
    if (empty) clearAnswers(data.election);
    else stored = saveAnswers(data.election, record);
    document.dispatchEvent(new Event("vaa:answers")); // group sessions (issue 5) listen
  };
  const say = (text) => { $("quiz-status").textContent = text; };
  const notice = (text) => { $("quiz-notice").textContent = text; $("quiz-notice").hidden = !text; };

  if (record.version && record.version !== data.version) {
    // A newer questionnaire: keep the answers whose statement and option still exist.
    const answers = {};
    const weights = {};
    ids.forEach((id, i) => {
      const a = record.answers[id];
      if (a === null || radios(i).some((r) => r.value === a)) answers[id] = a;
      if (id in record.weights) weights[id] = record.weights[id];
    });
    const kept = Object.keys(answers).length;
    const dropped = Object.keys(record.answers).length - kept;
    notice(fill(data.changed, { kept, total }) + (dropped ? " " + data.dropped : ""));
    record = { version: data.version, answers, weights, current: ids.findIndex((id) => !(id in answers)) };
  }
  record.version = data.version;

  const paint = () => ids.forEach((id, i) => {
    const a = record.answers[id];
    for (const r of radios(i)) r.checked = a !== undefined && r.value === (a ?? "skip");
    box(i).checked = (record.weights[id] ?? 1) >= 2;
  });

  // The weighting step: the answered statements (not the skipped ones), each with a box
  // that stands for its statement's "important" box.
  const weights = () => {
    const list = $("quiz-weights-list");
    list.replaceChildren(...ids.flatMap((id, i) => {
      if (record.answers[id] == null) return [];
      const input = Object.assign(document.createElement("input"), { type: "checkbox", checked: box(i).checked });
      input.dataset.statement = id;
      const text = document.createElement("span");
      text.textContent = steps[i].dataset.text;
      const label = document.createElement("label");
      label.className = "important weights-item";
      label.append(input, " ", text);
      const item = document.createElement("li");
      item.append(label);
      return [item];
    }));
    $("quiz-weights-none").hidden = list.children.length > 0;
  };

  const show = (i, focus, message) => {
    current = Math.max(0, Math.min(i, total));
    steps.forEach((f, j) => { f.hidden = j !== current; });
    $("quiz-weights").hidden = !weighing();
    if (weighing()) weights();
    const step = weighing() ? data.weighing : fill(data.step, { n: current + 1, total });
    $("quiz-step").textContent = step;
    $("quiz-bar").value = Math.min(current + 1, total);
    $("quiz-back").disabled = current === 0;
    next.textContent = weighing() ? next.dataset.last : nextLabel;
    submit.hidden = weighing();
    $("quiz-reset").hidden = !Object.keys(record.answers).length;
    record.current = current;
    save();
    if (focus) {
      // The voter moved: the intro has done its job, and the next answers fit the screen.
      $("quiz-intro").hidden = true;
      (weighing() ? $("quiz-weights-h") : steps[current].querySelector("h2")).focus();
      say((message ? message + " " : "") + step);
    }
  };

  const finish = () => {
    record.current = total;
    save();
    // Without storage the result page could not read the answers: post the form
    // instead, as without JavaScript (the server computes and stores nothing).
    if (!stored) form.submit();
    else if (!(handover && handover.show(back))) location.assign(data.results);
  };
  // Back from the result shown in place (handover.js): the quiz as the voter left it,
  // with what the result page changed (e.g. weights) read from storage.
  const back = () => {
    record = loadAnswers(data.election);
    resume();
  };
  const own = location.pathname;
  addEventListener("popstate", () => {
    if (location.pathname !== own && document.body.contains(form)) location.reload();
  });
  const advance = (message) => (weighing() ? finish() : show(current + 1, true, message));
  // The statement of an input, never `current`: a click's change event comes after it moved on.
  const at = (input) => steps.indexOf(input.closest(".statement"));
  const choose = (input, go) => {
    const value = input.value === "skip" ? null : input.value;
    record.answers[ids[at(input)]] = value;
    save();
    const message = value === null ? data.skipped : fill(data.saved, { answer: input.nextElementSibling.textContent });
    if (go && at(input) === current) advance(message);
  };

  // The intro stays until the voter moves on, and the progress fills the room the plain
  // form keeps for it: the first statement does not move when the page switches to one
  // statement at a time (no layout shift).
  form.classList.add("quiz--js");
  $("quiz-progress").classList.remove("quiz-progress--off");
  for (const id of ["quiz-nav", "quiz-keys"]) $(id).hidden = false;
  // The statement's own text (without the hidden "Statement n of N: ") for the last step.
  for (const f of steps) f.dataset.text = [...f.querySelector("h2").childNodes].filter((n) => n.nodeType === Node.TEXT_NODE).map((n) => n.textContent).join("").trim();
  const resume = () => {
    paint();
    show(Number.isInteger(record.current) && record.current >= 0 ? record.current : 0, false);
  };
  resume();
  // Back from the result page: its changes (e.g. weights) are in storage, not in memory.
  addEventListener("pageshow", (e) => {
    if (e.persisted && document.body.contains(form)) {
      record = loadAnswers(data.election);
      resume();
    }
  });

  document.addEventListener("pointerdown", () => { pointer = true; }, true);
  form.addEventListener("change", (e) => {
    const t = e.target;
    if (t.type === "radio") choose(t, false);
    if (t.type === "checkbox") {
      // A box of the weighting step stands for its statement's own box.
      const i = t.dataset.statement ? ids.indexOf(t.dataset.statement) : at(t);
      box(i).checked = t.checked;
      if (t.checked) record.weights[ids[i]] = 2;
      else delete record.weights[ids[i]];
      save();
      say(t.checked ? data.important : data.normal);
    }
  });
  // A tap or click on an option answers and moves on; arrow keys only select.
  form.addEventListener("click", (e) => {
    if (e.target.type === "radio" && pointer) choose(e.target, true);
  });
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    if (e.submitter === submit || weighing()) return finish();
    const id = ids[current];
    if (record.answers[id] !== undefined) return advance("");
    radios(current).at(-1).checked = true;
    choose(radios(current).at(-1), true);
  });
  $("quiz-back").addEventListener("click", () => show(current - 1, true));
  $("quiz-reset").addEventListener("click", () => {
    if (!confirm(data.confirm)) return;
    clearAnswers(data.election);
    record = { version: data.version, answers: {}, weights: {}, current: 0 };
    notice("");
    paint();
    show(0, true, data.cleared);
  });

  // Group sessions (issue 5): only in a tab that joined one on its join page, after
  // consent, does session-join.js send the answers anywhere; a solo quiz never loads it.
  let group = null;
  try { group = JSON.parse(sessionStorage.getItem("vaa:group")); } catch (_) { /* solo */ }
  if (group && group.election === data.election) import(new URL(group.script, document.baseURI).href).then((m) => m.attach(group, () => record));
  // The result replaces the quiz in place, without a page load (handover.js), once the
  // page and what it prefetches have loaded; not in a group session (its script stays
  // with the quiz) nor in a partner site's frame (frame.js watches this page's body).
  else if (window.parent === window) {
    whenPrefetched(() => import("./handover.js").then((m) => m.prepare(data.results).then(() => { handover = m; })));
  }

  document.addEventListener("keydown", (e) => {
    if (!document.body.contains(form)) return; // the result is shown in its place
    pointer = false;
    const t = e.target;
    const typing = t.isContentEditable || /^(TEXTAREA|SELECT)$/.test(t.tagName)
      || (t.tagName === "INPUT" && !/^(radio|checkbox)$/.test(t.type));
    if (typing || e.ctrlKey || e.metaKey || e.altKey || e.shiftKey || (t !== document.body && !$("main").contains(t))) return;
    // Key codes, not characters, so the keys work with a Georgian keyboard layout too.
    const digit = /^(?:Digit|Numpad)([1-9])$/.exec(e.code);
    if (weighing()) {
      // The last step's boxes are ticked with Space; Backspace goes back to the statements.
      if (e.code !== "Backspace") return;
      show(current - 1, true);
      return e.preventDefault();
    }
    const options = radios(current);
    if (digit && digit[1] < options.length) {
      options[digit[1] - 1].checked = true;
      choose(options[digit[1] - 1], true);
    } else if (e.code === "KeyS") {
      options.at(-1).checked = true;
      choose(options.at(-1), true);
    } else if (e.code === "KeyI") box(current).click();
    else if (e.code === "Backspace" && current > 0) show(current - 1, true);
    else return;
    e.preventDefault();
  });
}

// After the page's load and its <link rel=prefetch> downloads (each one has a resource
// timing entry once done), so that nothing is asked twice; at most 20 s later.
function whenPrefetched(then) {
  const wanted = [...document.querySelectorAll('link[rel="prefetch"]')].map((l) => l.href);
  const started = Date.now();
  const check = () => {
    const done = new Set(performance.getEntriesByType("resource").map((e) => e.name));
    if (wanted.every((url) => done.has(url)) || Date.now() - started > 20000) then();
    else setTimeout(check, 300);
  };
  if (document.readyState === "complete") check();
  else addEventListener("load", check, { once: true });
}
