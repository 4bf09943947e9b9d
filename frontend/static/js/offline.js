// Registers the voter pages' service worker (frontend/sw.js), which keeps them working
// without a connection. It lives at the root of the site, three folders above this
// module's content-hashed URL (static/<hash>/js/), on the app and in a static export
// alike. Browsers allow it on HTTPS and on localhost only; elsewhere this does nothing.
// It keeps the pages of this page's language and election (sw.js?lang=..&election=..),
// and starts its downloads only once this page has loaded, so they never slow the page
// itself down.
if ("serviceWorker" in navigator) {
  const script = new URL("../../../sw.js", import.meta.url);
  const scope = new URL("./", script).href;
  script.searchParams.set("lang", document.documentElement.lang);
  const election = document.documentElement.dataset.election;
  if (election) script.searchParams.set("election", election);
  const register = () =>
    navigator.serviceWorker
      .register(script, { scope, updateViaCache: "none" })
      // The result page does not ask for a newer worker: the quiz page before it just did,
      // and the ranking shows with no request after the last answer.
      .then((registration) => document.getElementById("results-data") || registration.update())
      .catch(() => {}); // no worker: the pages still work online
  if (document.readyState === "complete") register();
  else addEventListener("load", register, { once: true });
}
