// A voter's answers: kept in this browser's localStorage only, never sent anywhere.
// One record per election: {version, answers: {statementId: optionId | null},
// weights: {statementId: number}, current: index of the statement shown}.
// null means the voter skipped the statement (different from a neutral answer).

const PREFIX = "vaa:answers:";

/** Read the stored answers of an election (an empty record if none or unreadable). */
export function loadAnswers(election) {
  try {
    const raw = localStorage.getItem(PREFIX + election);
    const data = raw ? JSON.parse(raw) : null;
    if (data && typeof data.answers === "object") {
      return { version: data.version || null, answers: data.answers, weights: data.weights || {}, current: data.current || 0 };
    }
  } catch (_) {
    // Private mode or a corrupt record: start afresh rather than fail.
  }
  return { version: null, answers: {}, weights: {}, current: 0 };
}

/** Store the answers of an election. Returns false if the browser refuses storage. */
export function saveAnswers(election, record) {
  try {
    localStorage.setItem(PREFIX + election, JSON.stringify(record));
    return true;
  } catch (_) {
    return false;
  }
}

/** Forget every answer given for an election. */
export function clearAnswers(election) {
  try {
    localStorage.removeItem(PREFIX + election);
  } catch (_) {
    // Nothing stored, nothing to forget.
  }
}

// Share links put the answers in the URL fragment (after #), which browsers never send
// to a server: "a=" one character per statement in questionnaire order (the option's
// index in base 36, "-" for skipped), "w=" the weights ("1" normal, "2" important,
// "0" left out). Example: #a=34-2&w=1211
const DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz";

/** Encode answers and weights as a URL fragment (without the #). */
export function encodeShare(record, statementIds, optionIds) {
  const a = statementIds.map((id) => {
    const option = record.answers[id];
    const index = option == null ? -1 : optionIds.indexOf(option);
    return index < 0 ? "-" : DIGITS[index];
  }).join("");
  const w = statementIds.map((id) => {
    const weight = record.weights[id] ?? 1;
    return weight === 0 ? "0" : weight >= 2 ? "2" : "1";
  }).join("");
  return `a=${a}&w=${w}`;
}

/** Decode a fragment made by encodeShare; null if it does not fit this questionnaire. */
export function decodeShare(fragment, statementIds, optionIds) {
  const params = new URLSearchParams(fragment.replace(/^#/, ""));
  const a = params.get("a");
  const w = params.get("w") || "";
  if (!a || a.length !== statementIds.length || (w && w.length !== statementIds.length)) return null;
  const answers = {};
  const weights = {};
  for (let i = 0; i < statementIds.length; i++) {
    const index = a[i] === "-" ? -1 : DIGITS.indexOf(a[i]);
    if (a[i] !== "-" && (index < 0 || index >= optionIds.length)) return null;
    answers[statementIds[i]] = index < 0 ? null : optionIds[index];
    if (w[i] === "0" || w[i] === "2") weights[statementIds[i]] = Number(w[i]);
  }
  return { version: null, answers, weights, current: statementIds.length };
}
