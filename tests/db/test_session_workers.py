"""Group sessions on real server processes: two workers on one database, and a crash (issue 5).

Every test starts uvicorn (`api.app:create_app --factory`) as a subprocess on loopback
and speaks to it over HTTP, as phones and the projector do: the facilitator signs in and
creates a session, participants join through the join page and send their answers to
the JSON endpoint, the projector listens to the server-sent events.
"""

import asyncio
import json
import re
import secrets
import signal
import subprocess
import time
from collections.abc import Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookiejar import CookieJar, DefaultCookiePolicy
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from tests.browser.conftest import start_server
from tests.conftest import DEMO_FILES, _empty_postgres
from vaa import accounts
from vaa.bootstrap import prepare_database
from vaa.db import create_db_engine, session_scope
from vaa.loading import load_files, read_elections
from vaa.models import GroupSession, Participant, SessionAnswer
from vaa.settings import Settings

T = TypeVar("T")

pytestmark = pytest.mark.slow

EMAIL = "facilitator@example.org"
PASSWORD = "correct horse battery staple"
(DEMO,) = read_elections(DEMO_FILES)
STATEMENTS = [s.id for s in DEMO.questionnaire.statements]
OPTIONS = [o.id for o in DEMO.questionnaire.scale]
UPDATE_LIMIT = 1.0
"""Seconds from an acknowledged answer to the projector's event that shows it."""


def _run(coroutine: Coroutine[Any, Any, T]) -> T:
    """asyncio.run in a thread of its own: Playwright's sync API (the browser tests on
    the same xdist worker) leaves an event loop running in the main thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


# --- servers and databases ----------------------------------------------------------------


def _add_facilitator(url: str) -> None:
    engine = create_db_engine(Settings(database_url=url))
    with session_scope(engine) as session:
        accounts.create_account(
            session, email=EMAIL, password=PASSWORD, role="facilitator", actor="test"
        )
    engine.dispose()


@pytest.fixture
def postgres_demo(postgres_database: str) -> str:
    """This run's PostgreSQL database, emptied, with the demo election and a facilitator."""
    _empty_postgres(postgres_database)
    engine = create_db_engine(Settings(database_url=postgres_database))
    with session_scope(engine) as session:
        load_files(session, paths=DEMO_FILES)
    engine.dispose()
    _add_facilitator(postgres_database)
    return postgres_database


@pytest.fixture
def sqlite_demo(tmp_path: Path) -> str:
    """A fresh SQLite file with the demo election and a facilitator."""
    url = f"sqlite:///{tmp_path / 'vaa.db'}"
    prepare_database(Settings(database_url=url, demo_files=DEMO_FILES))[0].dispose()
    _add_facilitator(url)
    return url


class Servers:
    """uvicorn processes started by one test; all of them stopped at its end."""

    def __init__(self) -> None:
        self.processes: list[subprocess.Popen[bytes]] = []

    def start(self, url: str) -> tuple[subprocess.Popen[bytes], str]:
        """Start the app on a free loopback port; it is stopped at the end of the test."""
        process, base = start_server(url)
        self.processes.append(process)
        return process, base

    def start_two(self, url: str) -> tuple[str, str]:
        """Two servers on one database, started side by side."""
        with ThreadPoolExecutor(2) as pool:
            first, second = pool.map(lambda _: self.start(url), range(2))
        return first[1], second[1]

    def stop(self) -> None:
        for process in self.processes:
            if process.poll() is None:
                process.terminate()
        for process in self.processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=15)


@pytest.fixture
def servers() -> Iterator[Servers]:
    started = Servers()
    yield started
    started.stop()


# --- people ------------------------------------------------------------------------------


def _no_cookies() -> CookieJar:
    """A jar that keeps nothing: each phone sends its own cookie header."""
    return CookieJar(policy=DefaultCookiePolicy(allowed_domains=[]))


def phones(base: str) -> httpx.AsyncClient:
    """One client for many phones: no shared cookies, bounded connections, loopback only."""
    return httpx.AsyncClient(
        base_url=base,
        cookies=_no_cookies(),
        timeout=httpx.Timeout(10.0),
        # Idle connections go before uvicorn's 5 s keep-alive timeout closes one under a request.
        limits=httpx.Limits(max_connections=32, keepalive_expiry=3.0),
    )


def _token(page: httpx.Response) -> str:
    assert page.status_code == 200, page.text[:500]
    found = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert found, "no CSRF field"
    return found.group(1)


async def sign_in(client: httpx.AsyncClient) -> None:
    """Sign the facilitator in; the session cookie stays in the client's jar."""
    token = _token(await client.get("/login"))
    signed = await client.post(
        "/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": token}
    )
    assert signed.status_code == 303, signed.text[:500]


async def create_session(client: httpx.AsyncClient, *, min_group: int) -> tuple[int, str]:
    """Create a session on the demo election through the facilitator's form: (id, code)."""
    token = _token(await client.get("/facilitator"))
    data = {
        "election": "demo",
        "language": "en",
        "min_group": str(min_group),
        "kiosk_minutes": "3",
        "csrf_token": token,
    }
    created = await client.post("/facilitator/sessions", data=data)
    assert created.status_code == 303, created.text[:500]
    location = created.headers["location"]
    page = await client.get(location)
    code = re.search(r'id="join-code">(\w{6})<', page.text)
    assert code, "no join code on the session page"
    return int(location.rsplit("/", 1)[1]), code.group(1)


async def join(client: httpx.AsyncClient, code: str) -> str:
    """Join as a new phone (GET the page, POST the consent); return the participant id."""
    cookie = {"cookie": f"vaa_csrf={secrets.token_urlsafe(32)}"}
    token = _token(await client.get(f"/en/join/{code}", headers=cookie))
    joined = await client.post(
        f"/en/join/{code}", data={"csrf_token": token, "consent": "yes"}, headers=cookie
    )
    assert joined.status_code == 200, joined.text[:500]
    script = re.search(r'id="join-data">(.*?)</script>', joined.text)
    assert script, "no join data on the joined page"
    participant: str = json.loads(script.group(1))["participant"]
    return participant


async def answer(
    client: httpx.AsyncClient,
    code: str,
    participant: str,
    answers: dict[str, str | None],
    *,
    finished: bool | None = None,
) -> httpx.Response:
    body: dict[str, Any] = {"participant": participant, "answers": answers}
    if finished is not None:
        body["finished"] = finished
    return await client.post(f"/api/v1/sessions/{code}/answers", json=body)


# --- the projector -----------------------------------------------------------------------


@dataclass
class Projector:
    """The summaries a projector received, each with the monotonic time it arrived."""

    events: list[tuple[float, dict[str, Any]]] = field(default_factory=list)
    arrived: asyncio.Event = field(default_factory=asyncio.Event)

    async def listen(self, client: httpx.AsyncClient, session_id: int) -> None:
        """Read the event stream until cancelled (or until the stream ends)."""
        async with client.stream("GET", f"/api/v1/sessions/{session_id}/events") as stream:
            assert stream.status_code == 200
            assert stream.headers["content-type"].startswith("text/event-stream")
            kind, data = "", ""
            async for line in stream.aiter_lines():
                if line.startswith("event: "):
                    kind = line[7:]
                elif line.startswith("data: "):
                    data = line[6:]
                elif line == "" and kind == "summary":
                    self.events.append((time.monotonic(), json.loads(data)))
                    self.arrived.set()
                    kind, data = "", ""

    async def first(self, test: Any, *, since: int = 0, timeout: float = 5.0) -> float | None:
        """The arrival time of the first event from index `since` that passes `test`."""
        deadline = time.monotonic() + timeout
        seen = since
        while True:
            for t, summary in self.events[seen:]:
                if test(summary):
                    return t
            seen = len(self.events)
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            self.arrived.clear()
            try:
                await asyncio.wait_for(self.arrived.wait(), left)
            except TimeoutError:
                return None


def counts_of(summary: dict[str, Any], statement: str) -> list[int] | None:
    if not summary["shown"]:
        return None
    (row,) = [s for s in summary["statements"] if s["id"] == statement]
    return list(row["counts"])


# --- two workers -------------------------------------------------------------------------


def test_answers_on_one_worker_reach_the_projector_on_another(
    postgres_demo: str, servers: Servers
) -> None:
    worker_a, worker_b = servers.start_two(postgres_demo)
    delays, held = _run(_two_workers(worker_a, worker_b, postgres_demo))
    assert len(delays) == 2
    assert max(delays) < UPDATE_LIMIT, f"projector update delays (s): {delays}"
    # An open stream gives its request's connection back (it used to stay idle in a
    # transaction for the stream's five minutes: 30 projectors exhausted a worker's pool).
    assert not held, f"connections idle in a transaction while the projector listens: {held}"


def idle_in_transaction(url: str) -> list[str]:
    """Connections to this database that have sat in an open transaction for over a second."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT left(query, 60) FROM pg_stat_activity WHERE datname = current_database()"
                    " AND pid <> pg_backend_pid() AND state = 'idle in transaction'"
                    " AND xact_start < now() - interval '1 second'"
                )
            ).all()
    finally:
        engine.dispose()
    return [str(row[0]) for row in rows]


async def _two_workers(worker_a: str, worker_b: str, url: str) -> tuple[list[float], list[str]]:
    async with (
        httpx.AsyncClient(base_url=worker_a, timeout=10.0) as facilitator,
        phones(worker_b) as room,
    ):
        await sign_in(facilitator)
        session_id, code = await create_session(facilitator, min_group=3)
        people = [await join(room, code) for _ in range(9)]
        projector = Projector()
        listening = asyncio.create_task(projector.listen(facilitator, session_id))
        try:
            assert await projector.first(lambda s: s["joined"] == 9), "no first summary"
            # Three finished people open the summary (the minimum group is three).
            for person in people[:3]:
                sent = await answer(room, code, person, {STATEMENTS[0]: "agree"}, finished=True)
                assert sent.status_code == 200 and sent.json() == {"stored": 1}
            assert await projector.first(lambda s: s["shown"]), "the summary never opened"

            # The results move in steps of three finished people (group privacy): after each
            # third one, the projector on the other worker shows the new counts.
            delays = []
            statement = STATEMENTS[1]
            current: dict[str, str] = {}
            for round_, person in enumerate(people[3:]):
                option = OPTIONS[round_ % len(OPTIONS)]
                current[person] = option
                since = len(projector.events)
                sent = await answer(room, code, person, {statement: option}, finished=True)
                acknowledged = time.monotonic()
                assert sent.status_code == 200, sent.text
                if round_ % 3 != 2:
                    await asyncio.sleep(0.2)  # answers arrive at a phone's pace
                    continue
                want = [list(current.values()).count(o) for o in OPTIONS]
                seen = await projector.first(
                    lambda s, want=want: counts_of(s, statement) == want,
                    since=since,
                )
                assert seen is not None, f"round {round_}: the projector never showed {want}"
                delays.append(max(0.0, seen - acknowledged))
                await asyncio.sleep(0.2)
            return delays, idle_in_transaction(url)
        finally:
            listening.cancel()
            await asyncio.gather(listening, return_exceptions=True)


# --- a crash -----------------------------------------------------------------------------

PEOPLE = 12
SENDERS = 6
KILL_AFTER = 60
"""Acknowledged answers before the server is killed (of PEOPLE x 28 planned)."""


@pytest.mark.parametrize("backend", ["postgresql", "sqlite"])
def test_every_acknowledged_answer_survives_a_kill(
    backend: str, request: pytest.FixtureRequest, servers: Servers
) -> None:
    url: str = request.getfixturevalue(
        f"{backend}_demo" if backend == "sqlite" else "postgres_demo"
    )
    server, base = servers.start(url)
    session_id, code, people = _run(_open_and_join(base))
    acknowledged, failed = _run(_answer_until_killed(base, code, people, server))
    assert server.returncode == -signal.SIGKILL
    assert KILL_AFTER <= len(acknowledged) < PEOPLE * len(STATEMENTS), "not killed mid-session"
    assert failed, "the kill interrupted no request"

    engine = create_db_engine(Settings(database_url=url))
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(SessionAnswer.participant_id, SessionAnswer.statement, SessionAnswer.answer)
                .join(Participant, col(Participant.id) == col(SessionAnswer.participant_id))
                .join(GroupSession, col(GroupSession.id) == col(Participant.session_id))
                .where(GroupSession.code == code)
            ).all()
    finally:
        engine.dispose()
    stored = {(p, s): a for p, s, a in rows}
    missing = {k: v for k, v in acknowledged.items() if stored.get(k, "<none>") != v}
    assert not missing, f"{len(missing)} acknowledged answers were lost: {list(missing)[:5]}"
    # Only requests in flight at the kill may have been stored without an acknowledgement.
    assert len(stored) - len(acknowledged) <= SENDERS

    _, restarted = servers.start(url)
    totals, after = _run(_after_restart(restarted, session_id, code, people[0]))
    # The summary counts the finished participants' answers only (group privacy), so it
    # never holds more than was stored.
    assert sum(totals.values()) <= len(stored)
    assert after == 200  # the session is still open and takes answers


async def _open_and_join(base: str) -> tuple[int, str, list[str]]:
    async with (
        httpx.AsyncClient(base_url=base, timeout=10.0) as facilitator,
        phones(base) as room,
    ):
        await sign_in(facilitator)
        session_id, code = await create_session(facilitator, min_group=3)
        people = list(await asyncio.gather(*(join(room, code) for _ in range(PEOPLE))))
        # Three finished participants (the smallest minimum group) open the summary.
        for person in people[:3]:
            opened = await answer(room, code, person, {}, finished=True)
            assert opened.status_code == 200 and opened.json() == {"stored": 0}
    return session_id, code, people


async def _answer_until_killed(
    base: str, code: str, people: list[str], server: subprocess.Popen[bytes]
) -> tuple[dict[tuple[str, str], str], list[str]]:
    """Everyone answers every statement, SENDERS at a time; SIGKILL after KILL_AFTER acks."""
    acknowledged: dict[tuple[str, str], str] = {}
    failed: list[str] = []
    work = [
        (p, s, OPTIONS[(i + j) % len(OPTIONS)])
        for j, s in enumerate(STATEMENTS)
        for i, p in enumerate(people)
    ]
    queue: asyncio.Queue[tuple[str, str, str]] = asyncio.Queue()
    for item in work:
        queue.put_nowait(item)
    killed = asyncio.Event()

    async def send(room: httpx.AsyncClient) -> None:
        while not queue.empty():
            person, statement, option = queue.get_nowait()
            try:
                sent = await answer(
                    room,
                    code,
                    person,
                    {statement: option},
                    finished=True if statement == STATEMENTS[-1] else None,
                )
            except httpx.TransportError as exc:
                assert killed.is_set(), f"a request failed before the kill: {exc!r}"
                failed.append(type(exc).__name__)
                return
            assert sent.status_code == 200, sent.text
            acknowledged[person, statement] = option
            if len(acknowledged) >= KILL_AFTER and not killed.is_set():
                killed.set()
                server.send_signal(signal.SIGKILL)

    async with phones(base) as room:
        await asyncio.wait_for(asyncio.gather(*(send(room) for _ in range(SENDERS))), 60)
    server.wait(timeout=10)
    return acknowledged, failed


async def _after_restart(
    base: str, session_id: int, code: str, person: str
) -> tuple[dict[str, int], int]:
    """The summary's answer totals per statement, then the status of one more answer."""
    async with (
        httpx.AsyncClient(base_url=base, timeout=10.0) as facilitator,
        phones(base) as room,
    ):
        await sign_in(facilitator)
        summary = (await facilitator.get(f"/api/v1/sessions/{session_id}/summary")).json()
        assert summary["code"] == code and summary["status"] == "open"
        assert summary["shown"]
        totals = {s["id"]: s["total"] for s in summary["statements"]}
        sent = await answer(room, code, person, {STATEMENTS[0]: "agree"})
        return totals, sent.status_code
