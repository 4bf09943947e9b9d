"""Group sessions live: participants' answers in, the group's summary out as server-sent events.

Answers are committed before the 200 is sent, so an acknowledged answer survives the
server being killed; on PostgreSQL a plain answer is one autocommitted statement
(vaa.session_answer_sql) that also notifies the projectors. The event stream reads the
session's change counter when notified (api/session_notify.py) or every POLL_SECONDS;
when it moved, the summary is recomputed (once per process and change, whoever asks)
and sent, at most every MIN_GAP_SECONDS. The streams' database work runs under its own
thread limiter, so a room's answers queued for threads never delay the projector. The
database is the only shared state, so participants and projectors may be served by
different worker processes.
"""

import asyncio
import contextlib
import json
import os
import threading
import time
from collections.abc import AsyncIterator
from typing import Annotated, Any, Literal

import anyio
import sqlalchemy as sa
from fastapi import APIRouter, Body, Depends, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlmodel import Session

from api.auth import require_role
from api.deps import SessionDep, get_engine
from api.routes.openapi import problems, strict_body
from api.session_notify import subscribe
from api.session_summary import ManagedSession, summary_of
from vaa import group_sessions, session_answer_sql
from vaa.errors import Gone, NotFound
from vaa.models import GroupSession

POLL_SECONDS = float(os.environ.get("VAA_SESSION_POLL_SECONDS", "0.5"))
"""How often a stream looks for changes unless notified (set longer by tests only)."""
MIN_GAP_SECONDS = 0.1
"""A stream sends at most one summary this often: a room answering hundreds of times a
second notifies as often, and each summary costs its worker a few milliseconds."""
_STREAM_LIMITER = anyio.CapacityLimiter(8)
"""The streams' threads, apart from the default limiter the answer handlers queue on."""
HEARTBEAT_SECONDS = 15.0
STREAM_SECONDS = 300.0
"""A stream ends after this long; EventSource reconnects by itself (and gets the current
summary at once), so no worker holds a connection forever, e.g. when shutting down."""

facilitator = require_role("facilitator")
router = APIRouter(prefix="/api/v1", tags=["group sessions"])


class AnswerBatch(BaseModel):
    """A participant's new or changed answers: statement id -> option id, or null for a skip."""

    model_config = strict_body(
        {
            "participant": "k3J9…",
            "answers": {"e-petitions": "agree", "youth-space": None},
            "weights": {"e-petitions": 2},
            "cleared": [],
            "finished": False,
        }
    )

    participant: Annotated[str, Field(min_length=1, max_length=32)]
    answers: Annotated[dict[str, str | None], Field(max_length=500)] = Field(default_factory=dict)
    weights: dict[str, Literal[0, 1, 2]] = Field(default_factory=dict)
    cleared: Annotated[list[str], Field(max_length=500)] = Field(default_factory=list)
    finished: bool | None = None


class AnswerReceipt(BaseModel):
    stored: int


ANSWER_ERRORS = problems(
    {
        400: "An unknown statement, option or weight.",
        404: "No such open session, or no such participant.",
    }
)


@router.post("/sessions/{code}/answers", responses=ANSWER_ERRORS)
def create_session_answers(
    code: str, request: Request, batch: Annotated[AnswerBatch, Body()]
) -> AnswerReceipt:
    """Store a participant's answers in a group session; committed before the reply."""
    engine: sa.Engine = request.app.state.engine
    plain = engine.dialect.name == "postgresql" and batch.answers and not batch.cleared
    if plain and _write_at_once(request, code, batch):
        return AnswerReceipt(stored=len(batch.answers))
    with Session(engine) as session:
        try:
            stored = group_sessions.record_answers(
                session,
                code=code,
                participant=batch.participant,
                answers=batch.answers,
                weights=batch.weights,
                cleared=batch.cleared,
                finished=batch.finished,
            )
        except (Gone, NotFound):
            # One answer for both, so that a code cannot be probed (session-join.js reads a
            # 404 as "the session has ended" for a participant who had joined).
            raise NotFound("session.unknown", "no such open session or participant") from None
        session.commit()
    return AnswerReceipt(stored=stored)


def _write_at_once(request: Request, code: str, batch: AnswerBatch) -> bool:
    """The one-statement write (PostgreSQL); False leaves the answer to the general path,
    which writes it or names the problem (an unknown code, participant or option)."""
    engine: sa.Engine = request.app.state.engine
    try:
        with Session(engine) as session:
            target = session_answer_sql.open_session(session, code)
    except (Gone, NotFound):
        return False
    if not session_answer_sql.plain(target, batch.answers, batch.weights):
        return False
    for attempt in (1, 2):
        try:
            with _autocommit_engine(request).connect() as connection:
                written = session_answer_sql.write(
                    connection,
                    target,
                    participant=batch.participant,
                    answers=batch.answers,
                    weights=batch.weights,
                    finished=batch.finished,
                )
            break
        except sa.exc.DBAPIError as exc:
            # a pooled connection the server closed meanwhile (no pre-ping here): once more
            if attempt == 2 or not exc.connection_invalidated:
                raise
    if not written:
        session_answer_sql.forget(code)  # closed, or the code names a newer session now
    return written


def _autocommit_engine(request: Request) -> sa.Engine:
    """A pool of autocommit connections without pre-ping: one round trip per answer
    (the app disposes of it when it stops)."""
    state = request.app.state
    found: sa.Engine | None = getattr(state, "answer_engine", None)
    if found is None:
        with _LOCK:
            found = getattr(state, "answer_engine", None)
            if found is None:
                found = state.answer_engine = sa.create_engine(
                    state.engine.url,
                    isolation_level="AUTOCOMMIT",
                    # small: one statement holds a connection for a round trip, and each
                    # worker's pools count against PostgreSQL's max_connections (100);
                    # a burst waits for a connection rather than failing
                    pool_size=4,
                    max_overflow=4,
                    pool_reset_on_return=None,
                )
    return found


MANAGER_ERRORS = problems(
    {
        401: "Not signed in.",
        403: "Signed in without the facilitator role.",
        404: "No such session, or not one of yours.",
    }
)


@router.get("/sessions/{session_id}/summary", responses=MANAGER_ERRORS)
def read_session_summary(group: ManagedSession, session: SessionDep) -> dict[str, Any]:
    """The group's anonymous summary: head counts only below the minimum group size, then
    results that change in steps of at least three finished participants."""
    return summary_of(session, group)


@router.get(
    "/sessions/{session_id}/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}}, **MANAGER_ERRORS},
)
def stream_session_events(
    group: ManagedSession, session: SessionDep, engine: Annotated[sa.Engine, Depends(get_engine)]
) -> StreamingResponse:
    """Stream the group's summary as server-sent events, a new one after every change."""
    assert group.id is not None
    # The request's session (the guard's and managed_session's) lives until the response
    # ends, which for a stream is minutes: give its connection back now, or every open
    # projector holds a pooled connection "idle in transaction" (tests/db/test_session_workers.py).
    session.close()
    return StreamingResponse(
        _events(engine, group.id),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no"},
    )


_LOCK = threading.Lock()


def _poll(engine: sa.Engine, group_id: int) -> tuple[int, str] | None:
    with Session(engine) as session:
        return group_sessions.changes_of(session, group_id=group_id)


def _summary(engine: sa.Engine, group_id: int, state: tuple[int, str]) -> dict[str, Any] | None:
    with Session(engine) as session:
        group = session.get(GroupSession, group_id)
        return None if group is None else summary_of(session, group, state=state)


async def _events(engine: sa.Engine, group_id: int) -> AsyncIterator[str]:
    yield "retry: 1000\n\n"
    subscribed = subscribe(engine, group_id)
    try:
        async for event in _stream(engine, group_id, subscribed[1] if subscribed else None):
            yield event
    finally:
        if subscribed is not None:
            subscribed[0].unsubscribe(group_id, subscribed[1])


async def _stream(
    engine: sa.Engine, group_id: int, notified: asyncio.Event | None
) -> AsyncIterator[str]:
    last: tuple[int, str] | None = None
    started = beat = time.monotonic()
    while time.monotonic() - started < STREAM_SECONDS:
        if notified is not None:
            notified.clear()  # set again by any answer from here on
        state = await anyio.to_thread.run_sync(_poll, engine, group_id, limiter=_STREAM_LIMITER)
        if state is None:
            return
        changes, status = state
        if state != last:
            summary = await anyio.to_thread.run_sync(
                _summary, engine, group_id, state, limiter=_STREAM_LIMITER
            )
            if summary is None:
                return
            last = state
            data = json.dumps(summary, ensure_ascii=False, separators=(",", ":"))
            yield f"id: {changes}\nevent: summary\ndata: {data}\n\n"
            beat = time.monotonic()
            if status != "open":
                return
        elif time.monotonic() - beat > HEARTBEAT_SECONDS:
            yield ": ping\n\n"
            beat = time.monotonic()
        await anyio.sleep(MIN_GAP_SECONDS)
        if notified is None:
            await anyio.sleep(POLL_SECONDS - MIN_GAP_SECONDS)
        else:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(notified.wait(), POLL_SECONDS - MIN_GAP_SECONDS)
