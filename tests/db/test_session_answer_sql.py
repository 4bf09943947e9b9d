"""vaa.session_answer_sql: a group-session answer in one statement, on PostgreSQL only.

The statement upserts the answers, moves the participant's change counter and notifies
the projectors; it writes nothing once the session has closed or for a stranger.
"""

from collections.abc import Iterator

import psycopg
import pytest
import sqlalchemy as sa
from sqlmodel import Session, col, select

from vaa import group_sessions, session_answer_sql
from vaa.db import session_scope
from vaa.errors import Gone, NotFound
from vaa.models import Participant, SessionAnswer

pytestmark = pytest.mark.parametrize("settings", ["postgresql"], indirect=True)


@pytest.fixture
def room(demo: sa.Engine) -> Iterator[tuple[str, str]]:
    """An open session on the demo election (code) with one joined participant (id)."""
    with session_scope(demo) as db:
        group = group_sessions.create_session(db, election="demo", language="en", facilitator=None)
        person = group_sessions.join(db, group=group, consent=True, donate=False)
        code, pid = group.code, person.id
    yield code, pid
    session_answer_sql.forget(code)


def _stored(engine: sa.Engine, pid: str) -> tuple[int, bool, dict[str, tuple[str | None, int]]]:
    with Session(engine) as db:
        person = db.get(Participant, pid)
        assert person is not None
        rows = db.exec(select(SessionAnswer).where(SessionAnswer.participant_id == pid)).all()
        return person.changes, person.finished, {r.statement: (r.answer, r.weight) for r in rows}


def test_the_open_session_is_read_once_and_knows_its_statements_and_options(
    demo: sa.Engine, room: tuple[str, str]
) -> None:
    code, _ = room
    with Session(demo) as db:
        target = session_answer_sql.open_session(db, code)
        assert session_answer_sql.open_session(db, code) is target
    assert "e-petitions" in target.statements and len(target.statements) > 5
    assert target.options == {"disagree-strongly", "disagree", "neutral", "agree", "agree-strongly"}


def test_an_unknown_code_is_not_found(demo: sa.Engine) -> None:
    with Session(demo) as db, pytest.raises(NotFound):
        session_answer_sql.open_session(db, "ZZZZZZ")


def test_only_answers_valid_as_they_are_take_the_one_statement_path(
    demo: sa.Engine, room: tuple[str, str]
) -> None:
    with Session(demo) as db:
        target = session_answer_sql.open_session(db, room[0])
    plain = session_answer_sql.plain
    assert plain(target, {"e-petitions": "agree", "open-council": None}, {"e-petitions": 2})
    assert not plain(target, {}, {})  # nothing answered
    assert not plain(target, {"no-such-statement": "agree"}, {})
    assert not plain(target, {"e-petitions": "maybe"}, {})
    assert not plain(target, {"e-petitions": "agree"}, {"e-petitions": 3})
    assert not plain(target, {"e-petitions": "agree"}, {"e-petitions": True})  # type: ignore[dict-item]
    assert not plain(target, {"e-petitions": "agree"}, {"open-council": 1})  # weight, no answer


def test_write_upserts_the_answers_moves_the_counter_and_finishes(
    demo: sa.Engine, room: tuple[str, str]
) -> None:
    code, pid = room
    with Session(demo) as db:
        target = session_answer_sql.open_session(db, code)
    with demo.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        first = session_answer_sql.write(
            conn, target, participant=pid,
            answers={"e-petitions": "agree", "open-council": None},
            weights={"e-petitions": 2}, finished=None,
        )  # fmt: skip
        assert first
        assert _stored(demo, pid) == (
            1, False, {"e-petitions": ("agree", 2), "open-council": (None, 1)}
        )  # fmt: skip
        again = session_answer_sql.write(
            conn, target, participant=pid,
            answers={"e-petitions": "disagree"}, weights={}, finished=True,
        )  # fmt: skip
        assert again
    assert _stored(demo, pid) == (
        2, True, {"e-petitions": ("disagree", 1), "open-council": (None, 1)}
    )  # fmt: skip


def test_write_stores_nothing_for_a_stranger_or_a_closed_session(
    demo: sa.Engine, room: tuple[str, str]
) -> None:
    code, pid = room
    with Session(demo) as db:
        target = session_answer_sql.open_session(db, code)
    answer = {"e-petitions": "agree"}
    with demo.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        assert not session_answer_sql.write(
            conn, target, participant="stranger", answers=answer, weights={}, finished=None
        )
        assert _stored(demo, pid) == (0, False, {})
        with session_scope(demo) as db:
            group = group_sessions.find_session(db, code=code)
            group_sessions.close_session(db, group=group, actor="test")
        assert not session_answer_sql.write(
            conn, target, participant=pid, answers=answer, weights={}, finished=None
        )
    with Session(demo) as db:
        assert db.exec(select(SessionAnswer)).all() == []
    session_answer_sql.forget(code)
    with Session(demo) as db, pytest.raises(Gone):
        session_answer_sql.open_session(db, code)


def test_write_notifies_the_projectors_with_the_session_id(
    demo: sa.Engine, room: tuple[str, str]
) -> None:
    code, pid = room
    with Session(demo) as db:
        target = session_answer_sql.open_session(db, code)
        assert db.exec(select(col(Participant.session_id))).first() == target.id
    url = demo.url.set(drivername="postgresql").render_as_string(hide_password=False)
    listener = psycopg.connect(url, autocommit=True)
    try:
        listener.execute(f"LISTEN {session_answer_sql.CHANNEL}")
        with demo.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            session_answer_sql.write(
                conn, target, participant=pid, answers={"e-petitions": "agree"},
                weights={}, finished=None,
            )  # fmt: skip
        received = [n.payload for n in listener.notifies(timeout=5, stop_after=1)]
        assert received == [str(target.id)]
    finally:
        listener.close()
