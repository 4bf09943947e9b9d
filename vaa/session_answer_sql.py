"""A group-session answer in one SQL statement on PostgreSQL (issue 14 item 5).

The general path (vaa.group_sessions.record_answers) costs five round trips: the
session's row, the participant's update, the upsert, the commit, and the pool's
pre-ping. Here one autocommitted statement moves the participant's counter, upserts
the answers and notifies the projectors (LISTEN/NOTIFY, api/session_notify.py); it is
atomic on its own, so an acknowledged answer is stored as before.

The session behind a code is looked up once per process (`OpenSession`); the statement
itself checks that the session is still open and the participant is in it, and the
caller falls back to the general path (which names the error) when it wrote nothing.
"""

import threading
from collections.abc import Mapping
from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from vaa import donations, group_sessions

CHANNEL = "vaa_session"
"""The NOTIFY channel; the payload is the session's id."""

_WRITE = sa.text(
    """
    WITH moved AS (
        UPDATE participant
        SET changes = changes + 1, finished = COALESCE(CAST(:finished AS boolean), finished)
        WHERE id = :participant AND session_id = :session
          AND EXISTS (SELECT 1 FROM group_session WHERE id = :session AND status = 'open')
        RETURNING id
    ), written AS (
        INSERT INTO session_answer (participant_id, statement, answer, weight)
        SELECT moved.id, a.statement, a.answer, a.weight
        FROM moved, unnest(CAST(:statements AS text[]), CAST(:answers AS text[]),
                           CAST(:weights AS integer[])) AS a(statement, answer, weight)
        ON CONFLICT (participant_id, statement)
        DO UPDATE SET answer = EXCLUDED.answer, weight = EXCLUDED.weight
        RETURNING 1
    )
    SELECT (SELECT count(*) FROM moved), pg_notify(:channel, CAST(:session AS text))
    """
)


@dataclass(frozen=True)
class OpenSession:
    """What an answer needs to know about the open session behind a code."""

    id: int
    statements: frozenset[str]
    options: frozenset[str]


_OPEN: dict[str, OpenSession] = {}
_LOCK = threading.Lock()


def open_session(session: Session, code: str) -> OpenSession:
    """The open session with this code (NotFound or Gone as find_session), kept per process."""
    found = _OPEN.get(code)
    if found is None:
        group = group_sessions.find_session(session, code=code)
        assert group.id is not None
        q = group_sessions.content_of(session, group).questionnaire
        found = OpenSession(
            group.id, frozenset(s.id for s in q.statements), frozenset(o.id for o in q.scale)
        )
        with _LOCK:
            if len(_OPEN) > 1024:
                _OPEN.clear()
            _OPEN[code] = found
    return found


def forget(code: str) -> None:
    """Drop a code's entry (its session closed, or the code now names another session)."""
    _OPEN.pop(code, None)


def plain(
    target: OpenSession, answers: Mapping[str, str | None], weights: Mapping[str, int]
) -> bool:
    """True when these answers are valid as they are (anything else takes the general
    path, which explains the problem)."""
    return (
        bool(answers)
        and all(
            s in target.statements and (a is None or a in target.options)
            for s, a in answers.items()
        )
        and all(
            s in answers and w in donations.WEIGHTS and not isinstance(w, bool)
            for s, w in weights.items()
        )
    )


def write(
    connection: sa.Connection,
    target: OpenSession,
    *,
    participant: str,
    answers: Mapping[str, str | None],
    weights: Mapping[str, int],
    finished: bool | None,
) -> bool:
    """Store the answers in one autocommitted statement; False when nothing was written
    (the session closed, or no such participant in it)."""
    statements = list(answers)
    moved = connection.execute(
        _WRITE,
        {
            "participant": participant,
            "session": target.id,
            "finished": finished,
            "statements": statements,
            "answers": [answers[s] for s in statements],
            "weights": [weights.get(s, 1) for s in statements],
            "channel": CHANNEL,
        },
    ).scalar_one()
    return bool(moved)
