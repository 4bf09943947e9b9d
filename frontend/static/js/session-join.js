// Group sessions (issue 5): joining one, and sending a participant's answers to it.
// On the join page (after consent) this keeps the session's context in this tab's
// sessionStorage and opens the quiz. quiz.js loads this module again only in such a
// tab and calls attach(): then, and only then, answers leave the device.
const KEY = "vaa:group";
const SENT = "vaa:group:sent";

const read = (key) => {
  try {
    return JSON.parse(sessionStorage.getItem(key));
  } catch (_) {
    return null;
  }
};

/** Forget the session in this tab: answers stay on the device from now on. */
export function leave() {
  try {
    sessionStorage.removeItem(KEY);
    sessionStorage.removeItem(SENT);
  } catch (_) {
    // no storage, nothing to forget
  }
}

const joined = document.getElementById("join-data");
if (joined) {
  const data = JSON.parse(joined.textContent);
  import(new URL(data.answers, document.baseURI).href).then(({ clearAnswers }) => {
    clearAnswers(data.election); // a fresh quiz for this session (the join page said so)
    try {
      sessionStorage.setItem(KEY, JSON.stringify(data));
      sessionStorage.removeItem(SENT);
      location.replace(data.quiz);
    } catch (_) {
      document.getElementById("joined-start").hidden = false;
    }
  });
}

/** Send the quiz's answers to the session: now, and after every change quiz.js reports. */
export function attach(group, getRecord) {
  const banner = document.createElement("p");
  banner.className = "notice notice--info session-banner";
  banner.setAttribute("role", "status");
  const quiz = document.getElementById("quiz");
  if (quiz) quiz.before(banner);
  const show = (key) => {
    banner.textContent = group.texts.banner + (key === "sent" ? "" : " " + group.texts[key]);
  };
  show("sent");

  // What the server has acknowledged: statement -> [answer, weight]; "#finished" -> bool.
  const sent = read(SENT) || {};
  let busy = false;
  let again = false;
  let closed = false;
  let timer = null;
  const state = (record, id) => (id in record.answers ? JSON.stringify([record.answers[id], record.weights[id] ?? 1]) : undefined);

  const changes = (record, all) => {
    const answers = {};
    const weights = {};
    const cleared = [];
    const states = {};
    for (const id of new Set([...Object.keys(record.answers), ...Object.keys(sent)])) {
      if (id === "#finished") continue;
      const now = state(record, id);
      if (now === sent[id] && !(all && now !== undefined)) continue;
      states[id] = now;
      if (now === undefined) cleared.push(id);
      else {
        answers[id] = record.answers[id];
        const w = record.weights[id];
        if (w !== undefined && w !== 1) weights[id] = w;
      }
    }
    const done = Number.isInteger(record.current) && record.current >= group.total;
    // Only a change of "finished" is sent: a request still on its way with the old value
    // may reach the server after the last one, and must not undo it.
    const finished = done === (sent["#finished"] ?? false) ? undefined : done;
    const empty = !Object.keys(answers).length && !cleared.length && finished === undefined;
    return { body: { participant: group.participant, answers, weights, cleared, finished }, states, empty };
  };

  const flush = async (all = false) => {
    if (closed) return;
    const record = getRecord();
    const finishing = Number.isInteger(record.current) && record.current >= group.total;
    // The last answer goes out at once, even while another is on its way: the quiz is
    // about to open the result page (keepalive lets the request outlive this page).
    if (busy && !finishing) {
      again = true;
      return;
    }
    const { body, states, empty } = changes(record, all || (busy && finishing));
    if (empty) return show("sent");
    busy = true;
    show("pending");
    try {
      const response = await fetch(group.endpoint, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
        keepalive: true,
        credentials: "same-origin",
      });
      if (response.status === 404 || response.status === 410) {
        closed = true;
        leave();
        return show("closed");
      }
      if (!response.ok) throw new Error(String(response.status));
      for (const [id, value] of Object.entries(states)) {
        if (value === undefined) delete sent[id];
        else sent[id] = value;
      }
      if (body.finished !== undefined) sent["#finished"] = body.finished;
      try {
        sessionStorage.setItem(SENT, JSON.stringify(sent));
      } catch (_) {
        // the next page load sends everything again; the server replaces, never doubles
      }
      busy = false;
      if (again) {
        again = false;
        flush();
      } else show("sent");
    } catch (_) {
      busy = false;
      show("failed");
      clearTimeout(timer);
      timer = setTimeout(flush, 3000);
    }
  };
  document.addEventListener("vaa:answers", () => flush());
  flush();
}
