"""A voter's whole first visit, side by side with Mat-O-Wahl on the same election.

Mat-O-Wahl (https://github.com/msteudtn/Mat-O-Wahl, the widely used German open-source
VAA: one page, jQuery and Bootstrap, the election as two CSV files) is taken from the
local mirror, the election converted to its CSV files and definition.js, and served as
static files by bench/static_host.py (the same uvicorn as our app) as its own Docker
image serves it: nginx's default configuration, which does not compress. Its bytes with
gzip (level 6, what a CDN sends) are printed too ("KB MoW gz"), from one more visit.

Two elections: the shipped Zugdidi demo, and a large made-up one (bench/large_election.py:
40 statements, 28 parties, a 300-600 character reason for every position). For each app
and election a fresh Chromium profile at 360x740 makes a whole first visit: the start
page, every statement answered, the result. A counting proxy in front of each server
measures every byte the browser received (headers and compressed bodies, the service
worker's downloads included) and every request, and the time from the click on the last
answer to the first ranking row on screen is taken. Profiles: "fast" (loopback) and
"slow" (400 kbit/s, 400 ms round trip, 4x CPU slowdown, through CDP). Printed: the
median of --runs visits of each.

    python bench/bench_matowahl.py [--runs 3] [--lang ka] [--profiles fast,slow]

Ports 8710-8713 (proxies and servers). Not a test: figures drift on a shared machine.
"""

import argparse
import asyncio
import csv
import io
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.large_election import write as write_large  # noqa: E402

MIRROR = Path("/work/.mirror/msteudtn+Mat-O-Wahl/repo")
APP_PORT, APP_PROXY, MOW_PORT, MOW_PROXY = 8711, 8710, 8713, 8712
SLOW = {"latency": 400, "download": 400_000 / 8, "upload": 400_000 / 8, "cpu": 4}
_REQUEST = re.compile(rb"(?:GET|POST|HEAD) \S+ HTTP/1\.[01]\r\n")


def _wait(url: str, seconds: float = 180) -> None:
    """Until the server answers (a loaded two-core machine needs half a minute or more)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=5)
            return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise RuntimeError(f"{url} did not come up")


# ------------------------------------------------------------------ counting proxy


@dataclass
class Counter:
    """Bytes the browser received and requests it sent, through one proxy."""

    received: int = 0
    requests: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def reset(self) -> None:
        with self.lock:
            self.received = self.requests = 0


def _proxy(listen: int, target: int, counter: Counter) -> None:
    """A TCP proxy on `listen` to `target` that counts; runs forever in its own thread."""

    async def pipe(reader: Any, writer: Any, upstream: bool) -> None:
        try:
            while data := await reader.read(65536):
                with counter.lock:
                    if upstream:
                        counter.requests += len(_REQUEST.findall(data))
                    else:
                        counter.received += len(data)
                writer.write(data)
                await writer.drain()
        except (ConnectionError, OSError):
            pass
        finally:
            writer.close()

    async def handle(client_reader: Any, client_writer: Any) -> None:
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", target)
        await asyncio.gather(
            pipe(client_reader, server_writer, True), pipe(server_reader, client_writer, False)
        )

    async def main() -> None:
        server = await asyncio.start_server(handle, "127.0.0.1", listen)
        async with server:
            await server.serve_forever()

    threading.Thread(target=lambda: asyncio.run(main()), daemon=True).start()


# ------------------------------------------------------------------ Mat-O-Wahl site

_MOW_ANSWER = {"agree-strongly": 1, "agree": 1, "neutral": 0, "disagree": -1}
_MOW_ANSWER["disagree-strongly"] = -1


def _csv(rows: list[list[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quoting=csv.QUOTE_ALL, lineterminator="\n")
    for row in rows:
        writer.writerow([" ".join(cell.split()).replace('"', "&quot;") for cell in row])
    return out.getvalue()


def matowahl_site(directory: Path, voter: dict[str, Any], reasons: dict[str, Any]) -> None:
    """Mat-O-Wahl with `voter` (our voter slice) and `reasons` (its reasons) as its data."""
    directory.mkdir(parents=True)
    archive = subprocess.run(
        ["git", f"--git-dir={MIRROR}", "archive", "HEAD"], capture_output=True, check=True
    ).stdout
    subprocess.run(["tar", "-x", "-C", str(directory)], input=archive, check=True)
    statements = voter["statements"]
    themes = {t["id"]: t["label"] for t in voter["themes"]}
    questions = [[themes.get(s["theme"], s["id"]), s["text"]] for s in statements]
    (directory / "data" / "questions.csv").write_text(_csv(questions), "utf-8")
    rows: list[list[str]] = []
    for entity in voter["entities"]:
        own = reasons.get(entity["id"], {})
        rows += [
            ["Partei_kurz:", entity.get("short") or entity["name"]],
            ["Partei_lang:", entity["name"]],
            ["Partei_Beschreibung:", entity.get("description") or ""],
            ["Partei_URL:", entity.get("url") or ""],
            ["Partei_Bild:", "data:,"],  # no logo: our demo has none to fetch either
        ]
        for s in statements:
            answer = entity["answers"].get(s["id"])
            reason = own.get(s["id"], {}).get("justification", "")
            rows.append([str(_MOW_ANSWER.get(answer or "neutral", 0)), reason])
        rows.append(["#", ""])
    (directory / "data" / "parties.csv").write_text(_csv(rows), "utf-8")
    definition = directory / "data" / "definition.js"
    text = definition.read_text("utf-8")
    quoted = {
        "fileQuestions": '"questions.csv"',
        "fileAnswers": '"parties.csv"',
        "intQuestions": str(len(statements)),
        "descriptionHeading1": _js(voter["title"]),
        "descriptionHeading2": _js(voter.get("publisher") or ""),
        "descriptionExplanation": _js(voter.get("description") or ""),
        "language": '"en"',
    }
    for name, value in quoted.items():
        text, count = re.subn(
            rf"^const {name} = .*?;[ \t]*$", f"const {name} = {value};", text, count=1, flags=re.M
        )
        assert count == 1, name
    definition.write_text(text, "utf-8")


def _js(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', "&quot;").replace("\n", " ") + '"'


# ------------------------------------------------------------------ visits


@dataclass
class Visit:
    bytes: int
    requests: int
    ranking_ms: float


# Timed in the page, the same way for both apps: the click (the last one is the last
# answer) and the first frame in which the ranking's first row is laid out, so neither
# Playwright's own overhead nor its polling counts.
_TIMING = """
addEventListener("click", () => {
  try { sessionStorage.setItem("bench:click", String(Date.now())); } catch (_) {}
}, true);
const benchWatch = () => {
  const row = document.querySelector(%s);
  if (row && row.getClientRects().length) window.benchRanked = Date.now();
  else requestAnimationFrame(benchWatch);
};
requestAnimationFrame(benchWatch);
"""


def _ranking_ms(page: Any) -> float:
    deadline = time.monotonic() + 120
    while page.evaluate("window.benchRanked === undefined"):  # no wait_for_function: CSP
        if time.monotonic() > deadline:
            raise TimeoutError("no ranking within two minutes")
        time.sleep(0.05)
    return float(page.evaluate("benchRanked - Number(sessionStorage.getItem('bench:click'))"))


def _throttle(page: Any, profile: str) -> None:
    if profile != "slow":
        return
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": SLOW["latency"],
            "downloadThroughput": SLOW["download"],
            "uploadThroughput": SLOW["upload"],
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": SLOW["cpu"]})


def _settle(page: Any, counter: Counter, seconds: float = 2) -> None:
    """Wait until nothing more arrives for `seconds` (the worker's downloads too).

    Before the last answer too: a voter takes minutes over the statements, so what loads
    while they answer has loaded by then; the bench clicks faster than anyone reads."""
    page.wait_for_load_state("networkidle")
    last, quiet = -1, time.monotonic()
    while time.monotonic() - quiet < seconds:
        if counter.received != last:
            last, quiet = counter.received, time.monotonic()
        time.sleep(0.2)


def visit_ours(
    browser: Any, base: str, election: str, lang: str, profile: str, c: Counter
) -> Visit:
    from tests.browser.conftest import PHONE

    context = browser.new_context(viewport=PHONE, locale=f"{lang}-GE")
    context.add_init_script(_TIMING % '"#results:not([hidden]) [data-list=rows] > li"')
    page = context.new_page()
    _throttle(page, profile)
    c.reset()
    page.goto(f"{base}/{lang}/{election}/", wait_until="load")
    # The whole quiz (an election with races would ask for the district first: not counted).
    page.goto(f"{base}/{lang}/{election}/quiz", wait_until="load")
    page.wait_for_selector("#quiz.quiz--js")
    steps = page.locator("#quiz .statement")
    total = steps.count()
    for i in range(total):
        step = steps.nth(i)
        step.wait_for(state="visible")
        option = step.locator("label.option", has=page.locator("input[value='agree']"))
        if i % 2:
            option = step.locator("label.option", has=page.locator("input[value='disagree']"))
        if i == total - 1:
            _settle(page, c, 1)
        option.click()
    # The optional weighting step after the last statement: "Show my result" is the tap
    # that asks for the ranking, so the time runs from it.
    page.locator("#quiz-weights").wait_for()
    page.locator("#quiz-next").click()
    elapsed = _ranking_ms(page)
    _settle(page, c)
    context.close()
    return Visit(c.received, c.requests, elapsed)


def visit_matowahl(browser: Any, base: str, lang: str, profile: str, c: Counter) -> Visit:
    from tests.browser.conftest import PHONE

    context = browser.new_context(viewport=PHONE, locale=f"{lang}-GE")
    context.add_init_script(_TIMING % '"#resultsShortParty0"')
    page = context.new_page()
    _throttle(page, profile)
    c.reset()
    page.goto(f"{base}/index.html", wait_until="load")
    page.wait_for_function("typeof arQuestionsLong !== 'undefined' && arQuestionsLong.length > 0")
    page.click("#descriptionButtonStart")
    total = page.evaluate("arQuestionsLong.length")
    for i in range(total):
        page.wait_for_function(f"activeQuestion === {i}")
        page.wait_for_selector("#votingPro", state="visible")
        if i == total - 1:
            _settle(page, c, 1)
        page.click("#votingPro" if i % 2 == 0 else "#votingContra")
    elapsed = _ranking_ms(page)
    _settle(page, c)
    context.close()
    return Visit(c.received, c.requests, elapsed)


# ------------------------------------------------------------------ servers


def _uvicorn(app: str, port: int, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
        + ["--log-level", "warning", "--no-access-log"]
        + (["--factory"] if "create_app" in app else []),
        cwd=ROOT,
        env={**os.environ, **env},
    )


def _median(visits: list[Visit]) -> Visit:
    return Visit(
        int(statistics.median(v.bytes for v in visits)),
        int(statistics.median(v.requests for v in visits)),
        statistics.median(v.ranking_ms for v in visits),
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--lang", default="ka")
    parser.add_argument("--profiles", default="fast,slow")
    parser.add_argument("--elections", default="demo,large")
    args = parser.parse_args()

    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS
    from vaa.bootstrap import prepare_database
    from vaa.settings import Settings

    work = Path(tempfile.mkdtemp(prefix="bench-mow-"))
    database = f"sqlite:///{work / 'vaa.db'}"
    files = [ROOT / "questionnaires" / "demo.yaml", ROOT / "parties" / "demo.yaml"]
    files += write_large(work / "large")
    engine, _ = prepare_database(Settings(database_url=database, demo_files=files))
    engine.dispose()
    counters = {"ours": Counter(), "mow": Counter()}
    _proxy(APP_PROXY, APP_PORT, counters["ours"])
    _proxy(MOW_PROXY, MOW_PORT, counters["mow"])
    app = _uvicorn("api.app:create_app", APP_PORT, {"VAA_DATABASE_URL": database})
    servers = [app]
    try:
        _wait(f"http://127.0.0.1:{APP_PORT}/healthz")
        ours = f"http://127.0.0.1:{APP_PROXY}"
        rows = []
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            for election in args.elections.split(","):
                get = lambda path: httpx.get(f"{ours}{path}", timeout=120).json()  # noqa: E731
                info = get(f"/api/v1/elections/{election}")
                voter = get(f"{info['bundle']}/{args.lang}")
                reasons = get(f"{info['bundle']}/{args.lang}/justifications")
                site = work / f"mow-{election}"
                matowahl_site(site, voter, reasons["entities"])
                mow_base = f"http://127.0.0.1:{MOW_PROXY}"
                gzip = {"BENCH_STATIC_DIR": str(site)}
                mow = _uvicorn("bench.static_host:app", MOW_PORT, gzip)
                servers.append(mow)
                _wait(f"http://127.0.0.1:{MOW_PORT}/index.html")
                gzipped = visit_matowahl(browser, mow_base, args.lang, "fast", counters["mow"])
                mow.terminate()
                mow.wait(timeout=10)
                servers.remove(mow)
                mow = _uvicorn(
                    "bench.static_host:app", MOW_PORT, {**gzip, "BENCH_STATIC_GZIP": "0"}
                )
                servers.append(mow)
                _wait(f"http://127.0.0.1:{MOW_PORT}/index.html")
                for profile in args.profiles.split(","):
                    ours_runs = [
                        visit_ours(browser, ours, election, args.lang, profile, counters["ours"])
                        for _ in range(args.runs)
                    ]
                    mow_runs = [
                        visit_matowahl(browser, mow_base, args.lang, profile, counters["mow"])
                        for _ in range(args.runs)
                    ]
                    rows.append((election, profile, _median(ours_runs), _median(mow_runs), gzipped))
                    print_rows(rows[-1:], header=len(rows) == 1)
                mow.terminate()
                mow.wait(timeout=10)
                servers.remove(mow)
            browser.close()
        print(f"\nmedian of {args.runs} first visits, lang {args.lang}")
        print(
            "KB: everything received in the whole visit (headers, compressed bodies, the "
            "service worker's downloads); ms: last answer -> first ranking row laid out.\n"
            "Targets: KB ours <= 1/4 of KB MoW; ms ours < ms MoW on 'slow'."
        )
    finally:
        for server in servers:
            server.terminate()
            server.wait(timeout=10)
        shutil.rmtree(work, ignore_errors=True)


def print_rows(rows: list[tuple[str, str, Visit, Visit, Visit]], header: bool) -> None:
    if header:
        print(
            f"{'election':<9}{'profile':<8}{'KB ours':>9}{'KB MoW':>9}{'ratio':>7}"
            f"{'KB MoW gz':>10}{'ratio':>7}{'req ours':>9}{'req MoW':>8}"
            f"{'ms ours':>9}{'ms MoW':>9}"
        )
    for election, profile, a, b, gz in rows:
        print(
            f"{election:<9}{profile:<8}{a.bytes / 1024:>9.1f}{b.bytes / 1024:>9.1f}"
            f"{a.bytes / b.bytes:>7.2f}{gz.bytes / 1024:>10.1f}{a.bytes / gz.bytes:>7.2f}"
            f"{a.requests:>9}{b.requests:>8}{a.ranking_ms:>9.0f}{b.ranking_ms:>9.0f}",
            flush=True,
        )


if __name__ == "__main__":
    main()
