// The voter pages' service worker (issue 14): after one visit the start page, the quiz,
// the result and the method page work with no connection.
//
// MANIFEST is written in by the server (api/offline.py, GET /sw.js) or by `vaa
// export-static`: every voter page ("pages", network-first with the cache as fallback)
// and every immutable file they need ("files": the election bundle under its checksum,
// content-hashed assets; cache-first), as URLs relative to this script. Its "version"
// changes with every published version and every change of the code, so a new one makes
// the browser install a new worker that downloads the whole set into a new cache, all
// or nothing, before it takes over and deletes the old cache: the pages a voter sees
// offline always belong to one version, never a mix of an old bundle with new pages.
//
// "lazy" are kept only once used (the parties' reasons, quick mode's page and script, a
// static export's profile pages): the first visit downloads what the quiz, the result and the method page need
// offline, and nothing the voter may never open.
//
// The result page is a shell of the version this worker keeps (its ranking is computed
// from the bundle it names, kept with it): it is answered from the cache at once, so
// after the last answer the ranking appears with no request; a newer version arrives
// with the newer worker, which every page load checks for (offline.js).
//
// All lists are grouped by language ("" for what all share). The worker keeps one
// language, the one in its own URL (sw.js?lang=ka, set by offline.js from the page), so a
// first visit downloads no other; a visit in another language installs a worker for it.
// Likewise it keeps one election, the page's (&election=demo): a server with several
// (say, this year's and archived ones) does not send a voter the pages of all of them.
const MANIFEST = /* MANIFEST */ { version: "unset", pages: {}, files: {}, lazy: {} };
const LANG = new URL(self.location.href).searchParams.get("lang") || "";
const ELECTION = new URL(self.location.href).searchParams.get("election") || "";
const PREFIX = "archevani-";
const CACHE = `${PREFIX}${MANIFEST.version}-${LANG || "all"}`;
const NETWORK_TIMEOUT_MS = 6000; // a connection that hangs counts as none

const absolute = (path) => new URL(path, self.location).href;
function kept(groups) {
  // No language, or one the manifest does not know: keep them all rather than none.
  const languages = LANG in groups ? [LANG] : Object.keys(groups).filter((key) => key !== "");
  const all = [...(groups[""] || []), ...languages.flatMap((language) => groups[language])];
  return all.filter((path) => !ELECTION || [ELECTION, ""].includes(electionOf(path)));
}
// "ka/demo/quiz", "api/v1/elections/demo/bundle/..." belong to demo; "ka/privacy" to all.
function electionOf(path) {
  const found = /^(?:api\/v1\/elections|[a-z]{2,3})\/([^/]+)\//.exec(path);
  return found ? found[1] : "";
}
const PAGES = new Set(kept(MANIFEST.pages).map(absolute));
const FILES = new Set(kept(MANIFEST.files).map(absolute));
const LAZY = new Set(kept(MANIFEST.lazy || {}).map(absolute));
const SHELL = /\/results(\.html)?$/;

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      // Pages are asked again; an immutable file the page already loaded comes from the
      // browser's cache (its URL names its content), which saves a request per file.
      const requests = [...PAGES, ...FILES].map(
        (url) => new Request(url, { cache: FILES.has(url) ? "default" : "no-cache", credentials: "omit" }),
      );
      try {
        await cache.addAll(requests);
        await sameVersion(cache);
      } catch (error) {
        // Half a version is worse than the previous whole one, which stays in charge.
        await caches.delete(CACHE);
        throw error;
      }
      await self.skipWaiting();
    })(),
  );
});

// A version published while the set downloads could give pages that name a bundle the
// set lacks: then the set is refused, and the next visit downloads it again.
const BUNDLE = /\/bundle\/([0-9a-f]{16,})\//g;
async function sameVersion(cache) {
  const kept = new Set([...FILES].flatMap((url) => [...`${url}/`.matchAll(BUNDLE)].map((m) => m[1])));
  for (const url of PAGES) {
    const text = await (await cache.match(url, { ignoreVary: true })).text();
    for (const [, checksum] of text.matchAll(BUNDLE)) {
      if (!kept.has(checksum)) throw new Error(`${url} names another version (${checksum})`);
    }
  }
}

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  const key = url.origin + url.pathname;
  if (FILES.has(key)) {
    event.respondWith(cacheFirst(request, key));
  } else if (LAZY.has(key)) {
    event.respondWith(key.includes("/bundle/") ? cacheFirst(request, key, true) : networkFirst(request, key, true));
  } else if (PAGES.has(key) && SHELL.test(url.pathname)) {
    event.respondWith(cacheFirst(request, key));
  } else if (PAGES.has(key)) {
    event.respondWith(networkFirst(request, key));
  } else if (key.endsWith("/") && PAGES.has(key + "index.html")) {
    event.respondWith(networkFirst(request, key + "index.html")); // a static host's folder
  }
  // Anything else (admin, sessions, the API, other versions' files) is not ours to keep.
});

// `keep`: a lazy file, put in the cache when it first comes from the network.
async function cacheFirst(request, key, keep = false) {
  const cache = await caches.open(CACHE);
  const cached = await cache.match(key, { ignoreVary: true });
  if (cached) return cached;
  const response = await fetch(request);
  if (keep && response.ok) await cache.put(key, response.clone());
  return response;
}

async function networkFirst(request, key, keep = false) {
  const cache = await caches.open(CACHE);
  try {
    const response = await withTimeout(fetch(request), NETWORK_TIMEOUT_MS);
    if (keep && response.ok) await cache.put(key, response.clone());
    if (response.status < 500) return response;
    return (await cache.match(key, { ignoreVary: true })) || response;
  } catch (error) {
    const cached = await cache.match(key, { ignoreVary: true });
    if (cached) return cached;
    throw error;
  }
}

function withTimeout(promise, ms) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the network did not answer")), ms);
    promise.then(
      (value) => { clearTimeout(timer); resolve(value); },
      (error) => { clearTimeout(timer); reject(error); },
    );
  });
}
