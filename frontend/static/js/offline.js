// Registers the voter pages' service worker (frontend/sw.js), which keeps them working
// without a connection. It lives at the root of the site, three folders above this
// module's content-hashed URL (static/<hash>/js/), on the app and in a static export
// alike. Browsers allow it on HTTPS and on localhost only; elsewhere this does nothing.
if ("serviceWorker" in navigator) {
  const script = new URL("../../../sw.js", import.meta.url);
  navigator.serviceWorker
    .register(script, { scope: new URL("./", script).href, updateViaCache: "none" })
    .then((registration) => registration.update())
    .catch(() => {}); // no worker: the pages still work online
}
