"""The voter pages' weight on the wire, and optionally their Lighthouse scores.

Serves the demo on SQLite, opens each page in a fresh Chromium context at a phone
viewport (empty cache), and sums the compressed bytes of every response (the body as
transferred, gzip or brotli, plus headers). The budget: the quiz's first load, with the
one-language voter bundle, at most 35 KB. A bare page (the privacy page: HTML + CSS)
measured in the same run is the baseline.

    python bench/page_weight.py [--lighthouse]
"""

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE, start_server  # noqa: E402
from vaa.bootstrap import prepare_database  # noqa: E402
from vaa.settings import Settings  # noqa: E402

BUDGET = 35 * 1024
PAGES = [
    "/{lang}/privacy",
    "/{lang}/demo/",
    "/{lang}/demo/quiz",
    "/{lang}/demo/method",
    "/{lang}/demo/results",
]


def measure(base: str, path: str) -> tuple[int, list[tuple[str, int, bool]]]:
    """Load a page in a fresh context; total transferred bytes and each response (url,
    bytes, whether it was an idle-priority prefetch for the next page)."""
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        responses = []
        page.on("requestfinished", lambda request: responses.append(request))
        page.goto(base + path, wait_until="networkidle")
        items = []
        for request in responses:
            sizes = request.sizes()
            prefetch = "prefetch" in request.all_headers().get("sec-purpose", "")
            items.append(
                (
                    request.url.replace(base, ""),
                    sizes["responseBodySize"] + sizes["responseHeadersSize"],
                    prefetch,
                )
            )
        browser.close()
    return sum(size for _, size, _ in items), items


def lighthouse(url: str) -> dict[str, float]:
    """Lighthouse 12 mobile scores (performance, accessibility), CLS and speed index."""
    flags = "--headless --no-sandbox --disable-gpu " + " ".join(CHROMIUM_ARGS[3:])
    out = subprocess.run(
        [
            "npx",
            "--yes",
            "lighthouse@12",
            url,
            "--quiet",
            "--output=json",
            "--only-categories=performance,accessibility",
            f"--chrome-flags={flags}",
        ],
        capture_output=True,
        text=True,
        env={"CHROME_PATH": CHROMIUM, "PATH": "/usr/bin:/bin:/usr/local/bin"},
        check=True,
    ).stdout
    report = json.loads(out)
    scores: dict[str, float] = {k: round(100 * v["score"]) for k, v in report["categories"].items()}
    # The two metrics a server-rendered page most often loses points on here.
    scores["cls"] = round(report["audits"]["cumulative-layout-shift"]["numericValue"], 3)
    scores["speed_index_ms"] = round(report["audits"]["speed-index"]["numericValue"])
    return scores


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--lighthouse",
        action="store_true",
        help="also run Lighthouse on every page (about 15 s a page)",
    )
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'weight.db'}"
    prepare_database(Settings(database_url=url))[0].dispose()
    server, base = start_server(url)
    try:
        print(f"{'page':28} {'bytes on the wire':>18}  requests")
        totals = {}
        for lang in ("ka", "en"):
            for template in PAGES:
                path = template.format(lang=lang)
                total, items = measure(base, path)
                totals[path] = (total, items)
                print(f"{path:28} {total:18,}  {len(items)}")
        for lang in ("ka", "en"):
            _, items = totals[f"/{lang}/demo/quiz"]
            # The quiz's own load; what it prefetches at idle priority for the result page
            # (issue 12: the result appears at once) is reported beside it.
            quiz = sum(size for _, size, ahead in items if not ahead)
            ahead = sum(size for _, size, ahead in items if ahead)
            loaded = {u for u, _, ahead in items if not ahead}
            slice_bytes = 0
            if not any("/bundle/" in u for u in loaded):
                # The quiz page embeds its texts; count the one-language bundle the results use too.
                _, result_items = totals[f"/{lang}/demo/results"]
                slice_bytes = sum(
                    s for u, s, _ in result_items if "/bundle/" in u and "justifications" not in u
                )
            bare = totals[f"/{lang}/privacy"][0]
            whole = quiz + slice_bytes
            print(
                f"quiz first load ({lang}) incl. voter bundle: {whole:,} bytes = {whole / 1024:.1f} KB "
                f"(budget 35 KB: {'OK' if whole <= BUDGET else 'OVER'}); {whole / bare:.1f}x the bare privacy page; "
                f"then {ahead / 1024:.1f} KB prefetched at idle for the result"
            )
        if args.lighthouse:
            for lang in ("ka", "en"):
                for template in PAGES:
                    path = template.format(lang=lang)
                    print(f"lighthouse {path}: {lighthouse(base + path)}", flush=True)
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
