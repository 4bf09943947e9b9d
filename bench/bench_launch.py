"""Launch day: the voter's whole visit replayed against the app and against the static export.

A real Chromium visit (start page, quiz of the shipped Zugdidi demo in one district,
every statement answered, the result) is made once against each tier, and the requests
it caused are read from that server's access log (so the service worker's precaching
counts too). wrk then replays that list round-robin, with gzip, at --connections,
against:

- the app: `uvicorn api.app:create_app` on SQLite, one worker (the pages are rendered
  and the bundle read from the published version; the match runs in the browser);
- the static export (`vaa export-static`) served as files by bench/static_host.py, one
  worker of the same uvicorn: a stand-in for a CDN edge.

Printed per tier: requests per visit, bytes per visit (gzip), req/s, visits/s, p50/p99,
and the server's CPU milliseconds per visit (from /proc), the figure to scale on paper.
Not a test: figures drift between runs, more so on a shared machine.

    python bench/bench_launch.py [--duration 10] [--connections 32] [--lang ka]
"""

import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.bench_api import _wait  # noqa: E402

_ACCESS = re.compile(r'"GET (\S+) HTTP/1\.1" (\d{3})')
TICKS = os.sysconf("SC_CLK_TCK")


def _serve(app: str, port: int, log: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    handle = log.open("wb")
    return subprocess.Popen(
        [sys.executable, "-m", "uvicorn", app, "--host", "127.0.0.1", "--port", str(port)]
        + ["--log-level", "info", "--loop", "asyncio"]  # as `vaa serve` runs
        + (["--factory"] if "create_app" in app else []),
        cwd=ROOT,
        env={**os.environ, **env},
        stdout=handle,
        stderr=subprocess.STDOUT,
    )


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def _visit(base: str, start: str, quiz: str, lang: str) -> None:
    """One voter's visit in Chromium: start page, the quiz answered through, the result."""
    from playwright.sync_api import sync_playwright

    from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, PHONE
    from tests.browser.test_quiz import _current, _option

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = browser.new_context(viewport=PHONE, locale=f"{lang}-GE").new_page()
        page.goto(base + start, wait_until="networkidle")
        page.goto(base + quiz, wait_until="networkidle")
        while page.locator("#results:not([hidden]) [data-list=rows] > li").count() == 0:
            step = _current(page)
            if step.count() == 0:
                if page.locator("#quiz-weights:not([hidden])").count():
                    page.locator("#quiz-next").click()  # past the optional weighting step
                page.wait_for_timeout(100)
                continue
            sid = step.get_attribute("data-id")
            _option(step, "agree" if hash(sid) % 2 else "disagree").click()
            page.wait_for_function(
                "sid => !document.querySelector(`#quiz .statement[data-id='${sid}']:not([hidden])`)",
                arg=sid,
            )
        page.wait_for_load_state("networkidle")
        browser.close()


def _requests(log: Path) -> list[str]:
    """The GETs of the visit, in order, from the access log (health probes left out)."""
    paths = [m[1] for m in _ACCESS.finditer(log.read_text()) if m[2] in {"200", "304"}]
    return [p for p in paths if not p.startswith(("/healthz", "/docs"))]


def _visit_bytes(base: str, paths: list[str]) -> int:
    total = 0
    with httpx.Client(headers={"Accept-Encoding": "gzip"}) as client:
        for path in paths:
            with client.stream("GET", base + path) as response:
                total += sum(len(chunk) for chunk in response.iter_raw())
                total += sum(len(k) + len(v) + 4 for k, v in response.headers.items())
    return total


def _wrk(base: str, paths: list[str], duration: int, connections: int) -> dict[str, float]:
    lines = ", ".join(f'"{p}"' for p in paths)
    script = (
        f"local paths = {{{lines}}}\nlocal i = 0\n"
        'wrk.headers["Accept-Encoding"] = "gzip"\n'
        "request = function()\n  i = i % #paths + 1\n"
        '  return wrk.format("GET", paths[i])\nend\n'
    )
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", handle.name, base],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(handle.name)

    def millis(label: str) -> float:
        found = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert found, out
        value, unit = float(found[1]), found[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": millis("50"),
        "p99": millis("99"),
        "bad": float(bad[1]) if bad else 0,
    }


def _tier(
    name: str, app: str, port: int, env: dict[str, str], pages: tuple[str, str], args: Any
) -> dict[str, Any]:
    log = Path(tempfile.mkstemp(suffix=".log")[1])
    server = _serve(app, port, log, env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait(base + pages[0])
        log.write_bytes(b"")
        _visit(base, pages[0], pages[1], args.lang)
        time.sleep(0.5)
        paths = _requests(log)
        size = _visit_bytes(base, paths)
        _wrk(base, paths, 2, args.connections)  # warm up
        before = _cpu_seconds(server.pid)
        figures = _wrk(base, paths, args.duration, args.connections)
        cpu = _cpu_seconds(server.pid) - before
    finally:
        server.terminate()
        server.wait()
        log.unlink()
    requests = figures["rps"] * args.duration
    return {
        "name": name,
        "requests": len(paths),
        "bytes": size,
        **figures,
        "visits": figures["rps"] / len(paths),
        "cpu_ms": 1000 * cpu / (requests / len(paths)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--lang", default="ka")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    from api.app import create_app
    from api.static_export import export_static
    from vaa.bootstrap import prepare_database
    from vaa.settings import Settings

    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'bench.db'}"
    settings = Settings(database_url=url)
    prepare_database(settings)[0].dispose()
    export_static(create_app(settings), ["demo"], tmp / "site", None)
    import yaml

    places = yaml.safe_load((ROOT / "questionnaires" / "demo.yaml").read_text("utf-8"))
    district = next(c["id"] for c in places["constituencies"] if c.get("within"))
    lang = args.lang
    tiers = [
        _tier(
            "app (rendered pages, 1 worker)",
            "api.app:create_app",
            8771,
            {"VAA_DATABASE_URL": url},
            (f"/{lang}/demo/", f"/{lang}/demo/quiz?place={district}"),
            args,
        ),
        _tier(
            "static export (files, 1 worker)",
            "bench.static_host:app",
            8772,
            {"BENCH_STATIC_DIR": str(tmp / "site")},
            (f"/{lang}/demo/index.html", f"/{lang}/demo/quiz.html?place={district}"),
            args,
        ),
    ]
    shutil.rmtree(tmp)
    load = Path("/proc/loadavg").read_text().split()[:3]
    print(
        f"wrk -t2 -c{args.connections} -d{args.duration}s, one visit = start, quiz "
        f"({lang}, every statement), result; load average {' '.join(load)}"
    )
    print(
        f"{'tier':34} {'req/visit':>9} {'KB/visit':>9} {'req/s':>8} {'visits/s':>9} "
        f"{'p50 ms':>7} {'p99 ms':>7} {'CPU ms/visit':>12} {'bad':>5}"
    )
    for t in tiers:
        print(
            f"{t['name']:34} {t['requests']:9d} {t['bytes'] / 1024:9.1f} {t['rps']:8.0f} "
            f"{t['visits']:9.1f} {t['p50']:7.1f} {t['p99']:7.1f} {t['cpu_ms']:12.1f} {t['bad']:5.0f}"
        )
    app, static = tiers
    print(f"static / app visits per second: {static['visits'] / app['visits']:.1f}x")


if __name__ == "__main__":
    main()
