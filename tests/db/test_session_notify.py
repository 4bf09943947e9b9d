"""The projector on PostgreSQL is woken by LISTEN/NOTIFY, not by its poll (issue 14 item 5).

The server polls only every 30 s here: every update the projector shows within a few
seconds came by notification. The group's privacy steps hold with the per-process
answer cache behind the summary: nothing below the minimum group, then changes only
in steps of three finished participants.
"""

import asyncio
import time

import httpx
import pytest
import sqlalchemy as sa

from tests.browser.conftest import start_server
from tests.db.test_session_workers import (  # noqa: F401 (fixtures)
    OPTIONS,
    STATEMENTS,
    Projector,
    Servers,
    _run,
    answer,
    counts_of,
    create_session,
    join,
    phones,
    postgres_demo,
    servers,
    sign_in,
)

pytestmark = pytest.mark.slow
POLL = "30"
SHOWN_WITHIN = 3.0


def test_answers_reach_the_projector_by_notification(
    postgres_demo: str,  # noqa: F811
    servers: Servers,  # noqa: F811
) -> None:
    process, base = start_server(postgres_demo, VAA_SESSION_POLL_SECONDS=POLL)
    servers.processes.append(process)
    delays, listening = _run(_room(base, postgres_demo))
    assert listening, "no connection LISTENs for session notifications"
    assert max(delays) < SHOWN_WITHIN, f"update delays (s), polling every {POLL} s: {delays}"


def _listeners(url: str) -> list[str]:
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                sa.text(
                    "SELECT query FROM pg_stat_activity WHERE datname = current_database()"
                    " AND query ILIKE 'LISTEN %'"
                )
            ).all()
    finally:
        engine.dispose()
    return [str(row[0]) for row in rows]


async def _room(base: str, url: str) -> tuple[list[float], list[str]]:
    async with (
        httpx.AsyncClient(base_url=base, timeout=10.0) as facilitator,
        phones(base) as room,
    ):
        await sign_in(facilitator)
        session_id, code = await create_session(facilitator, min_group=3)
        people = [await join(room, code) for _ in range(9)]
        projector = Projector()
        listening = asyncio.create_task(projector.listen(facilitator, session_id))
        try:
            assert await projector.first(lambda s: s["joined"] == 9), "no first summary"
            delays = []
            statement = STATEMENTS[0]
            chosen: list[str] = []
            for n, person in enumerate(people, start=1):
                option = OPTIONS[n % len(OPTIONS)]
                since = len(projector.events)
                sent = await answer(room, code, person, {statement: option}, finished=True)
                acknowledged = time.monotonic()
                assert sent.status_code == 200, sent.text
                seen = await projector.first(
                    lambda s, n=n: s["finished"] == n, since=since, timeout=SHOWN_WITHIN + 2
                )
                assert seen is not None, f"finished {n} never shown"
                delays.append(seen - acknowledged)
                chosen.append(option)
                summary = projector.events[-1][1]
                if n < 3:  # below the minimum group: head counts only
                    assert not summary["shown"] and summary["statements"] is None
                    continue
                # the counts move only with each third finished participant
                counted = n - n % 3
                assert summary["counted"] == counted
                want = [chosen[:counted].count(o) for o in OPTIONS]
                assert counts_of(summary, statement) == want
            return delays, _listeners(url)
        finally:
            listening.cancel()
