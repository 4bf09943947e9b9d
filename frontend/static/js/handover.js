// The quiz hands over to the result page without loading a new page (issue 12): while
// the voter answers, the result page (the same shell a navigation would get, from the
// service worker or the browser's cache) is parsed, its modules evaluated (results.js
// waits to be mounted) and the election's bundle fetched; after the last answer its body
// replaces the quiz's, the address becomes the result's (history.pushState) and
// results.js is mounted on it as on a page of its own. On a phone under a slow CPU this
// saves the page load between the last answer and the ranking. Back shows the quiz again
// as it was; anything that goes wrong falls back to a plain navigation to the address.

let prepared = null; // the parsed result page, its module and bundle, once ready
let quiz = null; // the quiz's body and title while the result is shown in its place

/** Fetch and parse the result page at `url`, evaluate its modules and fetch its bundle. */
export async function prepare(url) {
  try {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) return;
    const doc = new DOMParser().parseFromString(await response.text(), "text/html");
    if (!doc.getElementById("results-data")) return;
    // Its modules, evaluated now (results.js waits to be mounted), and the election.
    const modules = await Promise.all(
      [...doc.querySelectorAll("script[type=module][src]")].map((script) => import(script.src)),
    );
    const page = modules.find((m) => typeof m.mount === "function");
    if (!page) return;
    prepared = { doc, url: response.url, page, bundle: page.fetchBundle(doc) };
    prepared.bundle.catch(() => {}); // the result page asks again if this failed
  } catch (_) {
    // Offline with no copy, or a parser error: the result will be a plain navigation.
  }
}

/** Show the prepared result in place of the quiz; false when it is not ready. */
export function show(onBack) {
  if (!prepared) return false;
  const { doc, url, page, bundle } = prepared;
  prepared = null;
  const body = document.adoptNode(doc.body);
  quiz = { body: document.body, title: document.title, alternates: swapAlternates(doc) };
  document.body.replaceWith(body);
  document.title = doc.title;
  history.pushState({ handover: true }, "", url);
  scrollTo(0, 0);
  body.querySelector("#main")?.focus({ preventScroll: true });
  const own = location.pathname;
  addEventListener("popstate", () => {
    if (quiz && location.pathname !== own) back(onBack);
  });
  // Its modules were evaluated ahead (the <script> tags of a parsed string never run):
  // the ones the quiz page runs too (offline.js, frame.js) only once.
  try {
    page.mount(bundle);
  } catch (_) {
    location.reload(); // the result page itself, at its address
  }
  return true;
}

// Back shows the quiz as the voter left it. Forward again, the quiz reloads the result
// page itself (quiz.js and results.js reload on a history entry that is not their page:
// Chromium keeps the two entries one document's even across a reload).
function back(onBack) {
  document.body.replaceWith(quiz.body);
  document.title = quiz.title;
  swapAlternates({ head: { querySelectorAll: () => quiz.alternates } });
  quiz = null;
  onBack();
}

// The links to the page in the other languages: the result's, instead of the quiz's.
function swapAlternates(doc) {
  const old = [...document.head.querySelectorAll('link[rel="alternate"]')];
  const fresh = [...doc.head.querySelectorAll('link[rel="alternate"]')];
  for (const link of old) link.remove();
  document.head.append(...fresh.map((link) => document.importNode(link, true)));
  return old;
}
