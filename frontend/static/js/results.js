// The result page: computes the match in the browser from the answers kept on this
// device (or carried in a share link's fragment), so the answers never leave it. The
// only request that carries answers is the donation, after the voter opts in.
import { loadAnswers, saveAnswers, decodeShare } from "./answers.js";
import { scalePositions } from "./matching.js";
import {
  translator, resultView, compareView, enoughAnswers, ballotViews, raceResponse, shareFragment, matchResponse,
} from "./results-view.js";
import { ballots as raceBallots } from "./races.js";
import { step } from "./adaptive.js";
import { loadPlace, savePlace } from "./place.js";
import { announceRanking, placeVoter, unfoldForPrint } from "./results-sections.js";

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];
// The page's settings and texts, read when the page mounts (below).
let cfg = null;
let t = null;

/** Put a view's values into an element's slots (data-k text, data-show, data-a attributes). */
function fill(root, data) {
  for (const el of [root, ...$$("[data-k],[data-show],[data-a]", root)]) {
    const list = el.parentElement && el.parentElement.closest("[data-list]");
    if (el !== root && list && root.contains(list)) continue; // a nested list fills its own items
    const { k, show, a } = el.dataset;
    if (k && k in data) el.textContent = data[k] ?? "";
    if (show && show in data) el.toggleAttribute("hidden", !data[show]);
    if (a) {
      for (const pair of a.split(" ")) {
        const [attr, key] = pair.split(":");
        if (key in data) el.setAttribute(attr, data[key] ?? "");
      }
    }
  }
}

const clone = (id) => $(`#${id}`).content.firstElementChild.cloneNode(true);

function setList(list, items, make) {
  list.replaceChildren(...items.map(make));
}

function showStatus(el, text) {
  el.textContent = "";
  // A fresh node, so screen readers announce the same text again.
  setTimeout(() => { el.textContent = text; }, 50);
}

// ----------------------------------------------------------------- server pages

function enhanceShare(getUrl) {
  const input = $("#share-link");
  const copy = $("#share-copy");
  const print = $("#share-print");
  const status = $("#share-status");
  $("[data-share-link]").hidden = false;
  $("[data-nojs-share]").hidden = true;
  copy.hidden = false;
  print.hidden = false;
  copy.addEventListener("click", async () => {
    input.value = getUrl();
    try {
      await navigator.clipboard.writeText(input.value);
      showStatus(status, t("copied"));
    } catch (_) {
      input.focus();
      input.select();
      showStatus(status, document.execCommand && document.execCommand("copy") ? t("copied") : t("copy_failed"));
    }
  });
  input.addEventListener("focus", () => input.select());
  print.addEventListener("click", () => window.print());
}

/** Run the result page in the document's body: at once when this module is the page's
 *  own, or called by the quiz once it has put the result page's body in place of its own
 *  (handover.js), with the election's bundle it fetched ahead (a promise, or null). */
export function mount(bundle = null) {
  if (cfg) return;
  cfg = JSON.parse($("#results-data").textContent);
  t = translator(cfg.texts, cfg.methods, cfg.decimal);
  unfoldForPrint();
  // Forward or back to the quiz's history entry, where the quiz showed this result in its
  // place: the entry's own page, loaded.
  const ownPath = location.pathname;
  const ownBody = document.body;
  addEventListener("popstate", () => {
    if (location.pathname !== ownPath && document.body === ownBody) location.reload();
  });
  if (cfg.server) enhanceShare(() => $("#share-link").value);
  else start(bundle);
}

if (document.getElementById("results-data")) mount();

/** The election's bundle named by the result page in `doc`, fetched (for handover.js). */
export function fetchBundle(doc) {
  const url = JSON.parse(doc.getElementById("results-data").textContent).bundle;
  return fetch(url, { credentials: "omit" }).then((response) => {
    if (!response.ok) throw new Error(response.statusText);
    return response.json();
  });
}

// ----------------------------------------------------------------- the browser path

async function start(bundle) {
  const hash = location.hash.replace(/^#/, "");
  const shared = new URLSearchParams(hash).has("a");
  const notice = $("#results-notice");
  let stored = null;
  if (!shared) {
    stored = loadAnswers(cfg.election);
    if (!Object.values(stored.answers).some((a) => a != null)) return; // "Answer the statements first"
  } else if (new URLSearchParams(hash).get("v") !== cfg.shareKey) {
    notice.textContent = t("share_old");
    notice.hidden = false;
    return;
  }
  const loading = $("#results-loading");
  loading.hidden = false;
  let election;
  try {
    election = await (bundle || fetchBundle(document)).catch(() => fetchBundle(document));
  } catch (_) {
    loading.hidden = true;
    notice.textContent = t("load_failed");
    notice.hidden = false;
    return;
  }
  const statementIds = election.statements.map((s) => s.id);
  const optionIds = election.scale.map((o) => o.id);
  let record = stored;
  if (shared) {
    record = decodeShare(hash, statementIds, optionIds);
    if (!record) {
      loading.hidden = true;
      notice.textContent = t("share_broken");
      notice.hidden = false;
      return;
    }
  }
  record.place = shared ? new URLSearchParams(hash).get("p") : loadPlace(cfg.election);
  const state = cleanState(election, record, new URLSearchParams(hash).get("m"));
  if (state.dropped) {
    notice.textContent = t("dropped");
    notice.hidden = false;
  }
  if (!answeredAny(election, state)) {
    loading.hidden = true;
    return;
  }
  const answered = election.statements.filter((s) => state.answers[s.id] != null && (state.weights[s.id] ?? 1) > 0).length;
  const page = new ResultPage(election, state, shared, record);
  const certainty = page.certainty();
  const settled = certainty != null && certainty >= (election.matching.settled ?? 0.9);
  if (!enoughAnswers(answered, { settled, minimum: cfg.minimum })) {
    loading.hidden = true;
    $("#results-empty").hidden = true;
    const box = $("#results-too-few");
    $("[data-k=too_few]", box).textContent = t("too_few", { minimum: cfg.minimum, answered });
    $$("[data-js-only]", box).forEach((el) => { el.hidden = false; });
    box.hidden = false;
    return;
  }
  $("#results-empty").hidden = true;
  loading.hidden = true;
  page.show();
}

function cleanState(election, record, method) {
  const options = new Set(election.scale.map((o) => o.id));
  const ids = new Set(election.statements.map((s) => s.id));
  const answers = {};
  const weights = {};
  let dropped = false;
  for (const [sid, option] of Object.entries(record.answers || {})) {
    if (ids.has(sid) && (option == null || options.has(option))) answers[sid] = option ?? null;
    else dropped = true;
  }
  for (const [sid, weight] of Object.entries(record.weights || {})) {
    if (ids.has(sid) && (weight === 0 || weight === 2)) weights[sid] = weight;
  }
  const methodOk = method && cfg.methods[method];
  const places = new Set((election.constituencies || []).map((c) => c.id));
  const place = places.has(record.place) ? record.place : null;
  return { answers, weights, method: methodOk ? method : cfg.method, compare: null, dropped, place, race: null };
}

function answeredAny(election, state) {
  return election.statements.some((s) => state.answers[s.id] != null && (state.weights[s.id] ?? 1) > 0);
}

class ResultPage {
  constructor(election, state, shared, record) {
    this.election = election;
    this.state = state;
    this.shared = shared;
    this.current = (record && record.current) || election.statements.length;
    this.reasons = null;
    const values = scalePositions(election.scale.length);
    this.value = Object.fromEntries(election.scale.map((o, j) => [o.id, values[j]]));
    this.positions = election.entities.map((e) =>
      election.statements.map((s) => (e.answers[s.id] != null ? this.value[e.answers[s.id]] : null)));
    this.root = $("#results");
  }

  /** Score the current answers: the same response the API's match gives. */
  compute() {
    return matchResponse(this.election, this.state);
  }

  /** How sure the top match is when some statements were never shown (quick mode, or a
   *  quiz left early): P(it stays), docs/adaptive.md; null when every one was shown. */
  certainty() {
    const { election, state } = this;
    const unseen = election.statements.filter((s) => !(s.id in state.answers)).length;
    if (!unseen) return null;
    const races = election.races || [];
    const first = races.length ? raceBallots(election, state.place)[0] : null;
    const members = first ? first.members : election.entities.map((_, e) => e);
    const result = step({
      voter: election.statements.map((s) => (state.answers[s.id] != null ? this.value[state.answers[s.id]] : null)),
      weights: election.statements.map((s) => state.weights[s.id] ?? 1),
      shown: election.statements.map((s) => s.id in state.answers),
      levels: scalePositions(election.scale.length),
      entities: members.map((e) => this.positions[e]),
      entityIds: members.map((e) => election.entities[e].id),
      method: state.method,
      missing: election.matching.missing,
    });
    return result.certainty;
  }

  show() {
    // The headline and the ranking paint first; the rest of the page (the folded
    // sections, the suggestions, the comparison) is filled in the task after that frame,
    // which on a slow phone shows the ranking about twice as soon (issue 12).
    this.render({ first: true });
    this.root.hidden = false;
    this.wire();
    // The parties' reasons load when the voter opens a statement (loadReasons), not before.
  }

  render({ first = false, keepSuggest = false } = {}) {
    const response = this.compute();
    this.response = response;
    const certainty = this.certainty();
    const unseen = this.election.statements.filter((s) => !(s.id in this.state.answers)).length;
    const quick = response.races.length ? response.races[0].race : null; // the race quick mode separates
    const detail = this.renderBallots(response, { certainty, unseen, quick });
    const sure = !response.races.length || this.state.race === quick ? certainty : null;
    const view = resultView(this.election, detail, {
      weights: this.state.weights, compare: this.state.compare, t, certainty: sure, unseen, profiles: cfg.profiles,
    });
    this.view = view;
    const rankRow = (row) => {
      const li = clone("tpl-rank");
      fill(li, row);
      li.dataset.entity = row.entity;
      return li;
    };
    if (!response.races.length) {
      fill($("[data-view=summary]", this.root), view);
      setList($("[data-list=rows]", this.root), view.rows, rankRow);
    } else {
      $("#ballots-basis").textContent = view.basis;
    }
    for (const radio of $$("#method-form input[name=method]")) radio.checked = radio.value === this.state.method;
    const rest = () => {
      if (this.view !== view) return; // rendered again meanwhile
      if (!this.built) this.buildStatements();
      this.built = true;
      this.renderCharts(view);
      this.updateStatements(view);
      if (!keepSuggest) this.renderSuggest(view.suggest);
      this.renderTiebreak(view.tiebreak);
      if (!this.state.compare) this.state.compare = [view.compare.a, view.compare.b];
      this.renderCompare(view.compare);
      $("#share-link").value = this.shareUrl();
      this.syncLanguageLinks();
    };
    if (first) requestAnimationFrame(() => setTimeout(rest));
    else {
      rest();
      showStatus($("#results-status"), t("updated"));
    }
  }

  /** With races: one section per race, the place and the race the details show; returns
   *  the response the details are built from (the chosen race, or everyone). */
  renderBallots(response, { certainty, unseen, quick }) {
    if (!response.races.length) return response;
    const { election, state } = this;
    const sure = certainty == null ? {} : { [quick]: certainty };
    const ballots = ballotViews(election, response, { weights: state.weights, t, certainty: sure, unseen, profiles: cfg.profiles });
    setList($("#ballots"), ballots, (b) => {
      const section = clone("tpl-ballot");
      fill(section, { ...b, title_id: `ballot-${b.race}` });
      section.dataset.race = b.race;
      setList($("[data-list=rows]", section), b.rows, (row) => {
        const li = clone("tpl-rank");
        fill(li, row);
        li.dataset.entity = row.entity;
        return li;
      });
      return section;
    });
    $("#place-current").hidden = Boolean(state.place);
    $("#place-select").value = state.place || "";
    const ranked = response.races.filter((r) => r.results.length);
    const chosen = ranked.find((r) => r.race === state.race) || ranked[0];
    state.race = chosen ? chosen.race : null;
    const select = $("#race-select");
    select.replaceChildren(...ranked.map((r) => new Option(r.title, r.race, false, r === chosen)));
    if (!chosen) return response;
    const members = new Set(chosen.results.map((r) => r.entity));
    for (const point of $$(".map__party[data-entity]", this.root)) point.toggleAttribute("hidden", !members.has(point.dataset.entity));
    for (const id of ["#compare-a", "#compare-b"]) {
      $(id).replaceChildren(...election.entities.filter((e) => members.has(e.id)).map((e) => new Option(e.name, e.id)));
    }
    if (this.state.compare && !this.state.compare.every((e) => members.has(e))) this.state.compare = null;
    return raceResponse(response, chosen);
  }

  renderCharts(view) {
    $$(".radar__series[data-series]", this.root).forEach((polygon) => {
      const series = view.radar[Number(polygon.dataset.series)];
      polygon.toggleAttribute("hidden", !series);
      if (series) {
        polygon.setAttribute("points", series.points);
        polygon.setAttribute("stroke", series.color);
        polygon.setAttribute("fill", series.color);
      }
    });
    $$(".legend li[data-series]", this.root).forEach((li) => {
      const series = view.radar[Number(li.dataset.series)];
      li.hidden = !series;
      if (series) {
        $("[data-k=name]", li).textContent = series.name;
        $("line", li).setAttribute("stroke", series.color);
      }
    });
    const body = $("[data-list=theme_rows]", this.root);
    if (body) {
      setList(body, view.theme_rows, (row) => {
        const li = clone("tpl-theme");
        fill(li, { name: row.name, ...Object.fromEntries(row.cells.flatMap((c, i) => [[`c${i}`, c], [`b${i}`, row.bars[i]]])) });
        return li;
      });
    }
    const you = $("#map-you");
    if (you) {
      you.toggleAttribute("hidden", !view.voter);
      if (view.voter) {
        placeVoter(you, view.voter);
      }
      $("#voter-position").textContent = view.voter_list;
    }
  }

  buildStatements() {
    const themes = Object.fromEntries(this.election.themes.map((th) => [th.id, th.label]));
    setList($("[data-list=statements]", this.root), this.election.statements, (s) => {
      const li = clone("tpl-statement");
      li.dataset.statement = s.id;
      fill(li, {
        theme: themes[s.theme], text: s.text, info: s.info || "",
        answer_id: `answer-${s.id}`, answer_name: `answer-${s.id}`, weight_name: `weight-${s.id}`,
      });
      return li;
    });
  }

  updateStatements(view) {
    for (const st of view.statements) {
      const li = $(`[data-statement="${CSS.escape(st.id)}"]`, $("[data-list=statements]", this.root));
      fill(li, st);
      $("select", li).value = st.answer;
      $("input[type=checkbox]", li).checked = st.important;
      setList($("[data-list=parties]", li), st.parties, (p) => {
        const row = clone("tpl-party");
        const reason = (this.reasons && (this.reasons[p.entity] || {})[st.id]) || {};
        fill(row, { ...p, why: reason.justification || "", source: reason.source || "" });
        return row;
      });
    }
  }

  renderSuggest(suggest) {
    const section = $("#suggest");
    section.hidden = !suggest;
    if (!suggest) return;
    fill(section, suggest);
    setList($("[data-list=suggest]", section), suggest.items, (item) => {
      const li = clone("tpl-suggest");
      fill(li, { ...item, weight_name: `weight-${item.id}` });
      const box = $("input", li);
      box.dataset.statement = item.id;
      box.checked = item.important;
      return li;
    });
  }

  renderTiebreak(tiebreak) {
    const section = $("#tiebreak");
    section.hidden = !tiebreak;
    if (!tiebreak) return;
    fill(section, tiebreak);
    setList($("[data-list=tiebreak]", section), tiebreak.items, (item) => {
      const li = clone("tpl-tiebreak");
      li.dataset.statement = item.id;
      fill(li, { ...item, answer_name: `answer-${item.id}` });
      return li;
    });
  }

  renderCompare(compare) {
    const section = $("#compare-form").parentElement;
    $("#compare-a").value = this.state.compare[0];
    $("#compare-b").value = this.state.compare[1];
    fill($(".compare-summary", section), compare);
    setList($("[data-list=compare]", section), compare.items, (item) => {
      const li = clone("tpl-compare");
      fill(li, { ...item, a_name: compare.a_name, b_name: compare.b_name });
      return li;
    });
  }

  async loadReasons() {
    if (this.reasons || this.loadingReasons) return;
    this.loadingReasons = true;
    const status = $("#reasons-status");
    status.textContent = t("reasons_loading");
    try {
      const response = await fetch(cfg.justifications, { credentials: "omit" });
      if (!response.ok) throw new Error(response.statusText);
      this.reasons = (await response.json()).entities;
      status.textContent = "";
      this.updateStatements(this.view);
    } catch (_) {
      status.textContent = t("reasons_failed");
    } finally {
      this.loadingReasons = false;
    }
  }

  shareUrl() {
    return `${location.origin}${location.pathname}#${shareFragment(this.election, this.state, cfg.shareKey)}`;
  }

  syncLanguageLinks() {
    const hash = this.shared ? new URL(this.shareUrl()).hash : "";
    for (const link of $$("a[data-lang-switch]")) link.hash = hash;
    if (this.shared) history.replaceState(null, "", hash);
  }

  save() {
    if (this.shared) return; // a shared link's answers stay out of storage until the voter continues
    saveAnswers(cfg.election, {
      version: this.election.version, answers: this.state.answers, weights: this.state.weights, current: this.current,
    });
    if (this.state.place) savePlace(cfg.election, this.state.place);
  }

  setWeight(sid, important) {
    if (important) this.state.weights[sid] = 2;
    else delete this.state.weights[sid];
  }

  wire() {
    for (const button of $$("[data-nojs]", this.root)) button.hidden = true;
    for (const form of ["#method-form", "#suggest-form", "#statements-form", "#compare-form", "#results-place-form", "#race-form"]) {
      const el = $(form);
      if (el) el.addEventListener("submit", (event) => event.preventDefault());
    }
    if ($("#results-place-form")) {
      $("#place-select").addEventListener("change", (event) => {
        this.state.place = event.target.value || null;
        this.state.race = null;
        this.state.compare = null;
        if (!this.shared) savePlace(cfg.election, this.state.place);
        this.render();
      });
      $("#race-select").addEventListener("change", (event) => {
        this.state.race = event.target.value;
        this.state.compare = null;
        this.render();
      });
    }
    $("#method-form").addEventListener("change", (event) => {
      this.state.method = event.target.value;
      this.render();
      announceRanking($("#method-status"), t("method_changed", { method: t.method(this.state.method) }), $$("[data-list=rows]", this.root));
    });
    $("#statements-form").addEventListener("change", (event) => {
      const el = event.target;
      const sid = el.closest("[data-statement]").dataset.statement;
      if (el.tagName === "SELECT") this.state.answers[sid] = el.value === "skip" ? null : el.value;
      else this.setWeight(sid, el.checked);
      if (!answeredAny(this.election, this.state)) { // keep one answer: a result needs it
        el.value = this.view.statements.find((s) => s.id === sid).answer;
        this.state.answers[sid] = el.value === "skip" ? null : el.value;
        return;
      }
      this.save();
      this.render();
    });
    $("#tiebreak").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-option]");
      if (!button) return;
      event.preventDefault();
      this.state.answers[button.closest("[data-statement]").dataset.statement] = button.dataset.option;
      this.save();
      this.render();
    });
    $("#suggest-form").addEventListener("change", (event) => {
      this.setWeight(event.target.dataset.statement, event.target.checked);
      this.save();
      this.render({ keepSuggest: true });
    });
    $("#compare-form").addEventListener("change", () => {
      this.state.compare = [$("#compare-a").value, $("#compare-b").value];
      this.renderCompare(compareView(this.election, this.state.answers, this.state.compare, t));
    });
    $("[data-list=statements]", this.root).addEventListener("toggle", () => this.loadReasons(), true);
    enhanceShare(() => this.shareUrl());
    this.wireDonation();
    if (this.shared) {
      $("#results-shared").hidden = false;
      $("#results-continue").addEventListener("click", () => {
        this.shared = false;
        this.save();
        $("#results-shared").hidden = true;
        history.replaceState(null, "", location.pathname);
        this.syncLanguageLinks();
        showStatus($("#results-status"), t("continued"));
      });
    }
  }

  wireDonation() {
    const form = $("#donate-form");
    if (!form) return; // a static export without an API to donate to has no form
    const status = $("#donate-status");
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (!$("#donate-consent").checked) {
        status.textContent = t("donate_tick");
        return;
      }
      const button = $("button", form);
      button.disabled = true;
      status.textContent = t("donate_sending");
      const answers = Object.fromEntries(this.election.statements.map((s) => [s.id, this.state.answers[s.id] ?? null]));
      try {
        // A one-time token first: the server gives each donation one (it carries no answers).
        const issued = await fetch(cfg.donateToken, { method: "POST", credentials: "omit" });
        if (!issued.ok) throw new Error(String(issued.status));
        const { token } = await issued.json();
        const response = await fetch(cfg.donate, {
          method: "POST",
          credentials: "omit",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ version: this.election.version, token, answers, weights: this.state.weights }),
        });
        if (!response.ok) throw new Error(String(response.status));
        status.textContent = t("donate_thanks");
        $("#donate-consent").disabled = true;
      } catch (_) {
        status.textContent = t("donate_failed");
        button.disabled = false;
      }
    });
  }
}
