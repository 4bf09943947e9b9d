// The projector view of a group session (issue 5): the summary arrives as server-sent
// events and is drawn here. Only the group's aggregate is ever sent, never a person's answers.
const $ = (id) => document.getElementById(id);
const data = JSON.parse($("projector-data").textContent);
const { meta, texts } = data;
const SVG = "http://www.w3.org/2000/svg";
const fill = (text, values) => text.replace(/%\((\w+)\)s/g, (_, k) => values[k]);

function el(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function svg(tag, attributes) {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attributes)) node.setAttribute(k, v);
  return node;
}

// Answer colours from one end of the scale to the other (attributes, not styles: the CSP).
const k = meta.options.length;
const ENDS = [[179, 70, 27], [11, 79, 108]];
const optionColor = (j) => {
  const t = k > 1 ? j / (k - 1) : 0.5;
  const mid = [214, 219, 224];
  const [a, b, u] = t < 0.5 ? [ENDS[0], mid, t * 2] : [mid, ENDS[1], (t - 0.5) * 2];
  return `rgb(${a.map((x, i) => Math.round(x + (b[i] - x) * u)).join(",")})`;
};
const SKIP_COLOR = "#ffffff";

/** A stacked bar of one statement's answers (skips last, outlined). */
function bar(statement) {
  const total = statement.total || 1;
  const node = svg("svg", { viewBox: "0 0 100 6", preserveAspectRatio: "none", class: "pj-bar", "aria-hidden": "true" });
  let x = 0;
  [...statement.counts, statement.skipped].forEach((n, j) => {
    const w = (100 * n) / total;
    if (w > 0) {
      const skip = j === k;
      node.append(svg("rect", { x, y: 0, width: w, height: 6, fill: skip ? SKIP_COLOR : optionColor(j), stroke: skip ? "#8a96a3" : "none", "stroke-width": 0.3 }));
    }
    x += w;
  });
  return node;
}

function describe(statement) {
  return meta.options.map((o, j) => `${o}: ${statement.counts[j]}`).join(", ") + `, ${texts.skipped}: ${statement.skipped}`;
}

function statementItem(statement) {
  const info = meta.statements[statement.id];
  const item = el("li", "pj-statement");
  item.append(el("span", "pj-statement__n", String(info.n)), el("span", "pj-statement__text", info.text), bar(statement));
  item.append(el("span", "visually-hidden", describe(statement)));
  return item;
}

function drawMatches(summary) {
  const list = $("pj-matches");
  list.replaceChildren();
  const races = $("pj-races");
  races.replaceChildren();
  list.hidden = Boolean(summary.races && summary.races.length);
  for (const race of summary.races || []) { // one ranking per race, in ballot order
    const ol = el("ol", "pj-matches");
    for (const m of race.matches) ol.append(matchItem(m));
    races.append(el("h3", "pj-race", meta.races[race.race]), ol);
  }
  for (const m of summary.races && summary.races.length ? [] : summary.matches) list.append(matchItem(m));
  $("pj-respondents").textContent = fill(texts.respondents, { n: summary.respondents });
}

function matchItem(m) {
  const entity = meta.entities[m.entity];
  const item = el("li", "pj-match");
  const score = m.score === null ? "—" : `${Math.round(m.score)}%`;
  const track = svg("svg", { viewBox: "0 0 100 10", preserveAspectRatio: "none", class: "pj-match__bar", "aria-hidden": "true" });
  track.append(svg("rect", { x: 0, y: 0, width: m.score ?? 0, height: 10, fill: entity.color }));
  item.append(el("span", "pj-match__name", entity.name), track, el("span", "pj-match__score", score));
  return item;
}

function drawMap(summary) {
  const panel = $("pj-map-panel");
  panel.hidden = !summary.map;
  if (!summary.map) return;
  const { axes, size, cells } = summary.map;
  const [x, y] = axes.map((a) => meta.axes[a]);
  $("pj-x-low").textContent = `← ${x.low}`;
  $("pj-x-high").textContent = `${x.high} →`;
  $("pj-y-high").textContent = `↑ ${y.high}`;
  $("pj-y-low").textContent = `↓ ${y.low}`;
  const map = $("pj-map");
  map.replaceChildren(svg("rect", { x: 0, y: 0, width: 100, height: 100, fill: "#f1f5f8" }));
  const step = 100 / size;
  const most = Math.max(1, ...cells.flat());
  cells.forEach((row, j) => row.forEach((n, i) => {
    if (!n) return;
    // row j is the j-th band from the low end of the vertical axis: draw it from the bottom
    map.append(svg("rect", { x: i * step, y: 100 - (j + 1) * step, width: step, height: step, fill: "#0b4f6c", "fill-opacity": (0.15 + 0.85 * n / most).toFixed(2) }));
  }));
  map.append(svg("line", { x1: 50, y1: 0, x2: 50, y2: 100, stroke: "#8a96a3", "stroke-width": 0.4 }));
  map.append(svg("line", { x1: 0, y1: 50, x2: 100, y2: 50, stroke: "#8a96a3", "stroke-width": 0.4 }));
}

function drawRanked(id, ids, byId) {
  const list = $(id);
  list.replaceChildren(...ids.map((sid) => statementItem(byId[sid])));
}

function draw(summary) {
  $("pj-joined").textContent = summary.joined;
  $("pj-finished").textContent = summary.finished;
  const status = $("pj-status");
  if (summary.status !== "open") status.textContent = texts.closed;
  else if (!summary.shown) status.textContent = fill(texts.waiting, { min: summary.min_group, finished: summary.finished });
  else status.textContent = "";
  status.hidden = !status.textContent;
  $("pj-main").hidden = !summary.shown;
  $("pj-all").hidden = !summary.shown;
  document.body.dataset.changes = summary.changes;
  document.body.dataset.shown = summary.shown ? "yes" : "no";
  if (!summary.shown) return;
  const byId = Object.fromEntries(summary.statements.map((s) => [s.id, s]));
  drawMatches(summary);
  drawMap(summary);
  drawRanked("pj-divided", summary.divided, byId);
  drawRanked("pj-united", summary.united, byId);
  $("pj-statements").replaceChildren(...summary.statements.map(statementItem));
}

function legend() {
  const list = $("pj-legend");
  const items = meta.options.map((o, j) => [o, optionColor(j)]).concat([[texts.skipped, SKIP_COLOR]]);
  for (const [label, color] of items) {
    const item = el("li");
    const swatch = svg("svg", { viewBox: "0 0 10 10", class: "pj-swatch", "aria-hidden": "true" });
    swatch.append(svg("rect", { x: 0.5, y: 0.5, width: 9, height: 9, fill: color, stroke: "#8a96a3", "stroke-width": 0.5 }));
    item.append(swatch, document.createTextNode(" " + label));
    list.append(item);
  }
}

legend();
draw(data.summary);
if (data.summary.status === "open") {
  const source = new EventSource(data.events);
  source.addEventListener("summary", (e) => {
    const summary = JSON.parse(e.data);
    draw(summary);
    if (summary.status !== "open") source.close();
  });
  source.addEventListener("error", () => {
    if (source.readyState !== EventSource.CLOSED) $("pj-status").textContent ||= texts.offline;
  });
}
