"""A group session under load: 300 phones join and answer 30 statements, a projector listens.

One uvicorn worker on a fresh PostgreSQL database holding a 30-statement election (the
demo's 28 statements and two copies, generated as YAML and loaded with vaa.loading).
A facilitator signs in and opens a session; participants arrive over --arrival seconds,
join through the join page (GET, then POST with consent) and send one answer per
statement, pausing --think seconds between answers, at most --concurrency requests in
flight, everything over loopback and stopped after --limit seconds. A projector reads
the session's event stream throughout. Printed:

- p50/p99 time to submit an answer (POST /api/v1/sessions/{code}/answers), and to join;
- the baseline: GET /healthz (a sync route with one SELECT 1) probed at a steady rate
  during the same load, and the ratio of the answer's latency to it;
- the projector's update delay p50/p95/max: from a participant's acknowledged last
  answer to the first event, received after it was sent, that counts at least as many
  finished participants as had been acknowledged (exact up to answers in flight);
- the server's CPU time (all its processes) per acknowledged answer over the load;
- the answer's own cost: after the load, --replay more answers from people who joined
  (each replaces one of theirs), 16 in flight, no joins and no probes, the projector
  still listening: server CPU per answer and answers/s;
- answers sent, acknowledged and stored (read from the database): they must be equal,
  otherwise the script exits with status 1. An answer whose kept-alive connection was
  dropped is resent (answers replace themselves, and session-join.js retries too); the
  resends are counted. Answers not yet sent when --limit runs out are not sent.

Not a test: figures drift between runs, more so on a shared machine.

    python bench/bench_sessions.py [--participants 300] [--arrival 20] [--think 0.5 3]
"""

import argparse
import asyncio
import contextlib
import json
import os
import random
import re
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from vaa import accounts  # noqa: E402
from vaa.db import create_db_engine, migrate, session_scope  # noqa: E402
from vaa.loading import load_files  # noqa: E402
from vaa.settings import Settings  # noqa: E402

ADMIN_URL = os.environ.get(
    "VAA_BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
DATABASE_PREFIX = os.environ.get("VAA_BENCH_DATABASE_PREFIX", "vaa_bench_")
ELECTION = "bench"
STATEMENTS = 30
EMAIL = "facilitator@example.org"
PASSWORD = "correct horse battery staple"
RETRIES = 2
KEEPALIVE_SECONDS = 3.0
SEEDS = 3
"""People finished before the load, so that the summary is open (the minimum group)."""
PHONE_POOLS = 16
"""Phones share this many clients: one httpx pool for all 300 spends the load generator's
core matching requests to connections (O(n^2) in httpcore) and inflates every timing."""
PROBE_SECONDS = 0.05
"""How often the baseline probe sends GET /healthz during the load."""


# --- the election and the database -------------------------------------------------------


def write_election(folder: Path) -> tuple[list[Path], list[str], list[str]]:
    """The demo election as `bench`, with two more statements: 30 in all.

    Returns the two files, the statement ids and the answer options.
    """
    questionnaire = yaml.safe_load((ROOT / "questionnaires" / "demo.yaml").read_text("utf-8"))
    parties = yaml.safe_load((ROOT / "parties" / "demo.yaml").read_text("utf-8"))
    statements = questionnaire["statements"]
    extra = STATEMENTS - len(statements)
    for n, original in enumerate(statements[:extra], start=1):
        copy = {**original, "id": f"{original['id']}-again"}
        copy["text"] = {lang: f"{text} ({n})" for lang, text in original["text"].items()}
        statements.append(copy)
        for entity in parties["entities"]:
            if original["id"] in entity.get("positions", {}):
                entity["positions"][copy["id"]] = entity["positions"][original["id"]]
    assert len(statements) == STATEMENTS
    questionnaire["election"] = parties["election"] = ELECTION
    paths = [folder / "questionnaire.yaml", folder / "parties.yaml"]
    for path, data in zip(paths, (questionnaire, parties), strict=True):
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), "utf-8")
    return paths, [s["id"] for s in statements], [o["id"] for o in questionnaire["scale"]]


def create_database(folder: Path) -> tuple[str, str, tuple[list[str], list[str]]]:
    """A new PostgreSQL database with the bench election and a facilitator.

    Returns its name, its URL, and the election's statement ids and answer options.
    """
    name = f"{DATABASE_PREFIX}{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    url = sa.make_url(ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    engine = create_db_engine(Settings(database_url=url))
    try:
        migrate(engine)
        paths, statements, options = write_election(folder)
        with session_scope(engine) as session:
            load_files(session, paths=paths)
            accounts.create_account(
                session, email=EMAIL, password=PASSWORD, role="facilitator", actor="bench"
            )
    finally:
        engine.dispose()
    return name, url, (statements, options)


def drop_database(name: str) -> None:
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def stored_answers(url: str, code: str) -> int:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            return int(
                conn.execute(
                    sa.text(
                        "SELECT count(*) FROM session_answer a"
                        " JOIN participant p ON p.id = a.participant_id"
                        " JOIN group_session g ON g.id = p.session_id WHERE g.code = :code"
                    ),
                    {"code": code},
                ).scalar_one()
            )
    finally:
        engine.dispose()


def serve(url: str, workers: int = 1, port: int = 0) -> tuple[subprocess.Popen[bytes], str]:
    """`workers` uvicorn workers of the real app on a loopback port (0: a free one)."""
    if not port:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "api.app:create_app",
            "--factory",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            str(workers),
            "--log-level",
            "warning",
            "--no-access-log",
            "--loop",
            "asyncio",  # as `vaa serve` runs
        ],
        cwd=ROOT,
        # as behind a load balancer: each phone's own address (X-Forwarded-For), so that the
        # per-address join throttle sees a room of phones, not one client
        env={**os.environ, "VAA_DATABASE_URL": url, "VAA_TRUSTED_PROXIES": "127.0.0.1"},
        start_new_session=True,  # its workers too can be stopped if it fails to start
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 240  # four workers on a busy machine take minutes
    while time.monotonic() < deadline and process.poll() is None:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return process, base
        except httpx.HTTPError:
            time.sleep(0.2)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    raise RuntimeError("the server did not start")


def server_cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of a process and its descendants (the uvicorn workers)."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        current = todo.pop()
        with contextlib.suppress(OSError):
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick
            for task in Path(f"/proc/{current}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
    return total


# --- the people -------------------------------------------------------------------------


def _token(page: httpx.Response) -> str:
    page.raise_for_status()
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "no CSRF field"
    return found.group(1)


async def open_session(client: httpx.AsyncClient) -> tuple[int, str]:
    """Sign the facilitator in and create a session (the smallest minimum group): (id, code)."""
    token = _token(await client.get("/login"))
    signed = await client.post(
        "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    assert signed.status_code == 303, signed.text[:300]
    token = _token(await client.get("/facilitator"))
    data = {"election": ELECTION, "language": "en", "min_group": str(SEEDS), "csrf_token": token}
    created = await client.post("/facilitator/sessions", data=data)
    assert created.status_code == 303, created.text[:300]
    location = created.headers["location"]
    code = re.search(r'id="join-code">(\w{6})<', (await client.get(location)).text)
    assert code
    return int(location.rsplit("/", 1)[1]), code.group(1)


async def join(client: httpx.AsyncClient, code: str) -> str:
    """A new phone joins (its own CSRF cookie and address); returns the participant id."""
    phone = secrets.randbits(24)
    cookie = {
        "cookie": f"vaa_csrf={secrets.token_urlsafe(32)}",
        "x-forwarded-for": f"10.{phone >> 16}.{(phone >> 8) & 255}.{phone & 255}",
    }
    token = _token(await client.get(f"/en/join/{code}", headers=cookie))
    joined = await client.post(
        f"/en/join/{code}", data={"csrf_token": token, "consent": "yes"}, headers=cookie
    )
    joined.raise_for_status()
    script = re.search(r'id="join-data">(.*?)</script>', joined.text)
    assert script
    participant: str = json.loads(script.group(1))["participant"]
    return participant


class Run:
    """What the participants, the probe and the projector measured."""

    def __init__(self, statements: list[str]) -> None:
        self.statements = statements
        self.sent = 0
        self.failed: list[str] = []
        self.answer_seconds: list[float] = []
        self.join_seconds: list[float] = []
        self.health_seconds: list[float] = []
        self.acked: dict[str, int] = dict.fromkeys(statements, 0)
        # a participant's last answer: (sent, acknowledged, finished people acknowledged so far)
        self.finishes: list[tuple[float, float, int]] = []
        self.finished = SEEDS
        # (arrived, finished people the summary counts)
        self.events: list[tuple[float, int]] = []
        self.in_flight = 0
        self.peak = 0
        self.elapsed = 0.0
        self.retries = 0
        self.cpu = 0.0  # server CPU seconds during the load phase
        self.people: list[str] = []  # the participants who joined
        # the answers-only phase: acknowledged answers, server CPU seconds, wall seconds
        self.replay = (0, 0.0, 0.0)


async def participant(
    run: Run,
    client: httpx.AsyncClient,
    gate: asyncio.Semaphore,
    code: str,
    *,
    delay: float,
    think: tuple[float, float],
    options: list[str],
    deadline: float,
    rng: random.Random,
) -> None:
    await asyncio.sleep(delay)
    async with gate:
        start = time.monotonic()
        person = await join(client, code)
        run.join_seconds.append(time.monotonic() - start)
    run.people.append(person)
    for i, statement in enumerate(run.statements):
        await asyncio.sleep(rng.uniform(*think))
        if time.monotonic() > deadline:
            return
        body = {
            "participant": person,
            "answers": {statement: rng.choice(options)},
            "finished": i == len(run.statements) - 1,
        }
        async with gate:
            run.in_flight += 1
            run.peak = max(run.peak, run.in_flight)
            run.sent += 1
            sent = time.monotonic()
            try:
                response = await send_answer(run, client, code, body)
            except httpx.HTTPError as exc:
                run.failed.append(repr(exc))
                continue
            finally:
                run.in_flight -= 1
            acknowledged = time.monotonic()
        if response.status_code != 200:
            run.failed.append(f"{response.status_code} {response.text[:100]}")
            continue
        run.acked[statement] += 1
        run.answer_seconds.append(acknowledged - sent)
        if body["finished"]:
            run.finished += 1
            run.finishes.append((sent, acknowledged, run.finished))


async def send_answer(
    run: Run, client: httpx.AsyncClient, code: str, body: dict[str, Any]
) -> httpx.Response:
    """POST one answer; resend it (it replaces itself) when a kept-alive connection was
    closed under it, as session-join.js does, at most RETRIES times."""
    for attempt in range(RETRIES + 1):
        try:
            return await client.post(f"/api/v1/sessions/{code}/answers", json=body)
        except (httpx.ReadError, httpx.RemoteProtocolError, httpx.ConnectError):
            if attempt == RETRIES:
                raise
            run.retries += 1
    raise AssertionError("unreachable")


async def probe(run: Run, client: httpx.AsyncClient, gate: asyncio.Semaphore, stop: float) -> None:
    """The baseline: GET /healthz at a steady pace through the same client and gate."""
    while time.monotonic() < stop:
        async with gate:
            start = time.monotonic()
            response = await client.get("/healthz")
            run.health_seconds.append(time.monotonic() - start)
        response.raise_for_status()
        await asyncio.sleep(PROBE_SECONDS)


async def projector(run: Run, client: httpx.AsyncClient, session_id: int) -> None:
    async with client.stream("GET", f"/api/v1/sessions/{session_id}/events") as stream:
        stream.raise_for_status()
        kind = data = ""
        async for line in stream.aiter_lines():
            if line.startswith("event: "):
                kind = line[7:]
            elif line.startswith("data: "):
                data = line[6:]
            elif line == "" and kind == "summary":
                run.events.append((time.monotonic(), int(json.loads(data)["finished"])))
                kind = data = ""


async def replay(
    run: Run,
    pools: list[httpx.AsyncClient],
    code: str,
    options: list[str],
    count: int,
    server_pid: int,
    rng: random.Random,
) -> tuple[int, float, float]:
    """The answer's own cost: after the load, `count` answers from people who have joined
    (each replaces one of theirs), 16 in flight, no joins, no probes, the projector still
    listening; returns (acknowledged, server CPU seconds, wall seconds)."""
    await asyncio.sleep(1.0)
    todo = [
        (rng.choice(run.people), rng.choice(run.statements), rng.choice(options))
        for _ in range(count)
    ]
    acked = 0

    async def lane(lane_no: int) -> None:
        nonlocal acked
        client = pools[lane_no % len(pools)]
        while todo:
            person, statement, option = todo.pop()
            body = {"participant": person, "answers": {statement: option}, "finished": True}
            response = await send_answer(run, client, code, body)
            acked += response.status_code == 200

    cpu_before, start = server_cpu_seconds(server_pid), time.monotonic()
    await asyncio.gather(*(lane(i) for i in range(16)))
    return acked, server_cpu_seconds(server_pid) - cpu_before, time.monotonic() - start


def update_delays(run: Run) -> list[float]:
    """Per acknowledged last answer: seconds until an event counted that many finished
    people (inf if none did). The head count, not the results: those move only in steps
    of three finished people (group privacy), which the delay would otherwise measure."""
    delays = []
    for sent, acknowledged, count in run.finishes:
        seen = next((t for t, finished in run.events if t >= sent and finished >= count), None)
        delays.append(float("inf") if seen is None else max(0.0, seen - acknowledged))
    return delays


async def load(
    args: argparse.Namespace,
    base: str,
    url: str,
    questionnaire: tuple[list[str], list[str]],
    server_pid: int,
) -> tuple[Run, str, int]:
    rng = random.Random(args.seed)
    # Below uvicorn's 5 s keep-alive timeout: never reuse a connection it is closing.
    per_pool = max(1, args.concurrency // PHONE_POOLS)
    limits = httpx.Limits(
        max_connections=per_pool,
        max_keepalive_connections=per_pool,
        keepalive_expiry=KEEPALIVE_SECONDS,
    )
    async with (
        contextlib.AsyncExitStack() as stack,
        httpx.AsyncClient(base_url=base, timeout=30.0) as facilitator,
    ):
        pools = [
            await stack.enter_async_context(
                httpx.AsyncClient(
                    base_url=base,
                    timeout=30.0,
                    limits=limits,
                    cookies=CookieJar(policy=DefaultCookiePolicy(allowed_domains=[])),
                )
            )
            for _ in range(PHONE_POOLS)
        ]
        phones = pools[0]
        session_id, code = await open_session(facilitator)
        statements, options = questionnaire
        run = Run(statements)
        # A minimum group finished in advance opens the summary.
        for _ in range(SEEDS):
            seed = await join(phones, code)
            opened = await phones.post(
                f"/api/v1/sessions/{code}/answers",
                json={"participant": seed, "answers": dict.fromkeys(statements), "finished": True},
            )
            opened.raise_for_status()
        run.acked = dict.fromkeys(statements, SEEDS)
        listening = asyncio.create_task(projector(run, facilitator, session_id))
        await asyncio.sleep(1.0)
        gate = asyncio.Semaphore(args.concurrency)
        cpu_before = server_cpu_seconds(server_pid)
        start = time.monotonic()
        deadline = start + args.limit
        people = [
            participant(
                run,
                pools[i % PHONE_POOLS],
                gate,
                code,
                delay=rng.uniform(0, args.arrival),
                think=(args.think[0], args.think[1]),
                options=options,
                deadline=deadline,
                rng=random.Random(rng.random()),
            )
            for i in range(args.participants)
        ]
        probing = asyncio.create_task(probe(run, phones, gate, deadline))
        try:
            await asyncio.wait_for(asyncio.gather(*people), args.limit + 30)
        finally:
            elapsed = time.monotonic() - start
            run.cpu = server_cpu_seconds(server_pid) - cpu_before
            probing.cancel()
            await asyncio.sleep(1.5)  # the projector's last poll
            listening.cancel()
            await asyncio.gather(probing, listening, return_exceptions=True)
        run.elapsed = elapsed
        stored = stored_answers(url, code) - SEEDS * STATEMENTS  # the seeds' answers
        if args.replay and run.people:
            run.replay = await replay(run, pools, code, options, args.replay, server_pid, rng)
        return run, code, stored


def _ms(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return 1000 * ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--participants", type=int, default=300)
    parser.add_argument(
        "--arrival", type=float, default=20.0, help="seconds over which people join"
    )
    parser.add_argument(
        "--think", type=float, nargs=2, default=(0.5, 3.0), help="pause before each answer (s)"
    )
    parser.add_argument("--concurrency", type=int, default=64, help="requests in flight at most")
    parser.add_argument("--limit", type=float, default=120.0, help="seconds of load at most")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--workers", type=int, default=1, help="uvicorn workers")
    parser.add_argument("--port", type=int, default=0, help="the server's port (0: any free)")
    parser.add_argument(
        "--replay", type=int, default=3000, help="answers in the answers-only phase (0: none)"
    )
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp())
    name, url, questionnaire = create_database(folder)
    try:
        server, base = serve(url, args.workers, args.port)
        try:
            run, _, stored = asyncio.run(load(args, base, url, questionnaire, server.pid))
        finally:
            server.terminate()
            server.wait(timeout=30)
    finally:
        drop_database(name)
        for path in folder.iterdir():
            path.unlink()
        folder.rmdir()

    acked = len(run.answer_seconds)
    delays = update_delays(run)
    finite = [d for d in delays if d != float("inf")]
    answer_p50, answer_p99 = _ms(run.answer_seconds, 0.5), _ms(run.answer_seconds, 0.99)
    health_p50, health_p99 = _ms(run.health_seconds, 0.5), _ms(run.health_seconds, 0.99)
    print(
        f"{args.workers} uvicorn worker(s), PostgreSQL; {args.participants} participants x {STATEMENTS} statements, "
        f"arriving over {args.arrival:.0f} s, {args.think[0]}-{args.think[1]} s between answers, "
        f"<= {args.concurrency} requests in flight (peak {run.peak} answers)"
    )
    print(f"load phase {run.elapsed:.1f} s, {acked / run.elapsed:.0f} answers/s")
    print(
        f"server CPU per answer {1000 * run.cpu / max(acked, 1):.2f} ms "
        f"({run.cpu:.1f} CPU s over the load phase, joins, probes and projector included)"
    )
    replayed, replay_cpu, replay_wall = run.replay
    if replayed:
        print(
            f"answers only ({replayed} more, 16 in flight, projector listening, no joins or "
            f"probes): server CPU per answer {1000 * replay_cpu / replayed:.2f} ms, "
            f"{replayed / replay_wall:.0f} answers/s"
        )
    print(f"{'request':34} {'n':>6} {'p50 ms':>8} {'p99 ms':>8}")
    print(f"{'POST .../answers (one answer)':34} {acked:6} {answer_p50:8.1f} {answer_p99:8.1f}")
    print(
        f"{'join (GET page + POST consent)':34} {len(run.join_seconds):6} "
        f"{_ms(run.join_seconds, 0.5):8.1f} {_ms(run.join_seconds, 0.99):8.1f}"
    )
    print(
        f"{'GET /healthz (baseline, same load)':34} {len(run.health_seconds):6} {health_p50:8.1f} {health_p99:8.1f}"
    )
    print(
        f"answer / healthz: p50 x{answer_p50 / health_p50:.2f}, p99 x{answer_p99 / health_p99:.2f}"
    )
    print(
        f"projector: {len(run.events)} events; update delay (finished count) p50 {_ms(delays, 0.5):.0f} ms, "
        f"p95 {_ms(delays, 0.95):.0f} ms, max {max(finite, default=0) * 1000:.0f} ms, "
        f"never shown {len(delays) - len(finite)}"
    )
    print(
        f"answers sent {run.sent}, acknowledged {acked}, stored {stored}, "
        f"resent after a dropped connection {run.retries}, failed {len(run.failed)}"
        + (f" (first: {run.failed[0]})" if run.failed else "")
    )
    if not run.sent == acked == stored:
        sys.exit(1)


if __name__ == "__main__":
    main()
