"""Load on POST /api/v1/elections/demo/match next to a bare FastAPI endpoint, same run.

Runs both apps under one uvicorn worker each on loopback, drives them in turn with wrk
(same connections, threads and duration), and prints req/s, p50 and p99 and the ratio
to the bare endpoint; a third row is the bare app returning the match route's own body
as precomputed bytes (what sending that many bytes costs); the last row asks the match
route for `"detail": "summary"` (no per-statement detail). Not a test: figures drift by
several percent between runs, more on a shared machine.

    python bench/bench_api.py [--duration 10] [--connections 64] [--workers 1] [--loop asyncio]
"""

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def _wait(url: str) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            httpx.get(url, timeout=1)
            return
        except httpx.HTTPError:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


def _serve(
    app: str, port: int, workers: int, env: dict[str, str], loop: str = "asyncio"
) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            app,
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            "--loop",
            loop,
            *(["--factory"] if "create_app" in app else []),
        ],
        cwd=ROOT,
        env={**os.environ, **env},
    )


def _wrk(url: str, body: str, duration: int, connections: int) -> dict[str, float]:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        script.write(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = {json.dumps(body)}\n"
        )
    out = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{duration}s", "--latency", "-s", script.name, url],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    os.unlink(script.name)

    def millis(label: str) -> float:
        match = re.search(rf"^\s+{label}%\s+([\d.]+)(us|ms|s)\s*$", out, re.M)
        assert match, out
        value, unit = float(match[1]), match[2]
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])  # type: ignore[index]
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50": millis("50"),
        "p99": millis("99"),
        "errors": float(errors[1]) if errors else 0.0,
    }


def _cpu_seconds(pid: int) -> float:
    """The user and system CPU time a process (and its reaped children) has used."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return ticks / os.sysconf("SC_CLK_TCK")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--duration", type=int, default=10)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument(
        "--loop",
        default="asyncio",
        help="uvicorn's event loop for every app (asyncio, as `vaa serve` runs; or uvloop, auto)",
    )
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("wrk is needed: apt-get install wrk")

    from vaa.bootstrap import prepare_database
    from vaa.loading import read_elections
    from vaa.settings import Settings

    tmp = Path(tempfile.mkdtemp())
    url = f"sqlite:///{tmp / 'bench.db'}"
    prepare_database(Settings(database_url=url))[0].dispose()
    (demo,) = read_elections(
        [ROOT / "questionnaires" / "demo.yaml", ROOT / "parties" / "demo.yaml"]
    )
    statements = [s.id for s in demo.questionnaire.statements]
    options = [o.id for o in demo.questionnaire.scale]
    answers = {sid: options[i % len(options)] for i, sid in enumerate(statements) if i % 7 != 3}
    body = json.dumps({"answers": answers, "weights": {statements[0]: 2}})
    from vaa.results import MatchRequest, prepare, score_answers

    match_body = json.dumps(
        score_answers(prepare(demo, "bench"), MatchRequest.model_validate_json(body))
    ).encode()
    (tmp / "match.json").write_bytes(match_body)

    summary_body = json.dumps({**json.loads(body), "detail": "summary"})
    summary_size = len(
        json.dumps(
            score_answers(prepare(demo, "bench"), MatchRequest.model_validate_json(summary_body))
        )
    )
    results = {}
    for name, app, port, path, sent in (
        ("bare FastAPI JSON endpoint", "bench.bare_app:app", 8761, "/echo", body),
        (
            f"bare, the match body ({len(match_body) // 1024} KB)",
            "bench.bare_app:app",
            8763,
            "/bytes",
            body,
        ),
        (
            "POST /api/v1/elections/demo/match",
            "api.app:create_app",
            8762,
            "/api/v1/elections/demo/match",
            body,
        ),
        (
            f"  the same, detail=summary ({summary_size // 1024} KB)",
            "api.app:create_app",
            8764,
            "/api/v1/elections/demo/match",
            summary_body,
        ),
    ):
        server = _serve(
            app,
            port,
            args.workers,
            {"VAA_DATABASE_URL": url, "BENCH_BODY_FILE": str(tmp / "match.json")},
            args.loop,
        )
        try:
            _wait(f"http://127.0.0.1:{port}/docs")
            check = httpx.post(
                f"http://127.0.0.1:{port}{path}",
                content=sent,
                headers={"content-type": "application/json"},
            )
            check.raise_for_status()
            _wrk(f"http://127.0.0.1:{port}{path}", sent, 2, args.connections)  # warm up
            cpu = _cpu_seconds(server.pid)
            results[name] = _wrk(
                f"http://127.0.0.1:{port}{path}", sent, args.duration, args.connections
            )
            spent = _cpu_seconds(server.pid) - cpu
            results[name]["cpu_us"] = 1e6 * spent / (results[name]["rps"] * args.duration)
        finally:
            server.terminate()
            server.wait()
    bare = results["bare FastAPI JSON endpoint"]["rps"]
    print(
        f"{args.workers} uvicorn worker(s), loop {args.loop}, wrk -t2 -c{args.connections} -d{args.duration}s, "
        f"{len(answers)} answers x {len(demo.entities)} parties"
    )
    bare_cpu = results["bare FastAPI JSON endpoint"]["cpu_us"]
    print(
        f"{'endpoint':40} {'req/s':>9} {'p50 ms':>8} {'p99 ms':>8} {'vs bare':>8} {'errors':>7}"
        f" {'CPU us/req':>10} {'vs bare':>8}"
    )
    for name, r in results.items():
        print(
            f"{name:40} {r['rps']:9.0f} {r['p50']:8.2f} {r['p99']:8.2f} {r['rps'] / bare:8.2f} {r['errors']:7.0f}"
            f" {r['cpu_us']:10.0f} {bare_cpu / r['cpu_us']:8.2f}"
        )
    print(
        "CPU us/req: the server process's CPU time per answered request; its ratio to the "
        "bare endpoint's\nis what req/s would show on cores of its own (other load on a "
        "shared machine disturbs it far less)"
    )
    shutil.rmtree(tmp)


if __name__ == "__main__":
    main()
