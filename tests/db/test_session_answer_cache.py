"""vaa.session_answer_cache: finished participants' answers as matrices, read again only
for participants whose change counter moved (SQLite and PostgreSQL)."""

import numpy as np
import sqlalchemy as sa
from sqlmodel import Session

from vaa import group_sessions
from vaa.db import session_scope
from vaa.group_stats import NONE, SKIPPED
from vaa.models import GroupSession
from vaa.session_answer_cache import finished_answers

STATEMENTS = ["e-petitions", "open-council", "fewer-advisers"]
OPTIONS = ["disagree-strongly", "disagree", "neutral", "agree", "agree-strongly"]


def _room(engine: sa.Engine) -> tuple[GroupSession, list[str]]:
    """A session where the first two of three participants have finished."""
    with session_scope(engine) as db:
        group = group_sessions.create_session(db, election="demo", language="en", facilitator=None)
        people = [
            group_sessions.join(db, group=group, consent=True, donate=False).id for _ in "abc"
        ]
    answers = [
        ({"e-petitions": "agree", "open-council": None}, {"e-petitions": 2}, True),
        ({"fewer-advisers": "disagree-strongly"}, {}, True),
        ({"e-petitions": "neutral"}, {}, False),  # still answering: left out
    ]
    for pid, (chosen, weights, finished) in zip(people, answers, strict=True):
        with session_scope(engine) as db:
            group_sessions.record_answers(
                db, code=group.code, participant=pid, answers=chosen, weights=weights,
                finished=finished,
            )  # fmt: skip
    return group, people


def _read(engine: sa.Engine, group: GroupSession) -> tuple[list[list[int]], list[list[float]]]:
    assert group.id is not None
    with Session(engine) as db:
        choices, weights = finished_answers(
            db, group_id=group.id, version=group.version,
            statement_ids=STATEMENTS, option_ids=OPTIONS,
        )  # fmt: skip
    return choices.tolist(), weights.tolist()


def test_finished_participants_become_rows_of_option_indices_in_id_order(
    demo: sa.Engine,
) -> None:
    group, people = _room(demo)
    rows = {
        people[0]: ([3, SKIPPED, NONE], [2.0, 1.0, 1.0]),  # agree, a skip, not reached
        people[1]: ([NONE, NONE, 0], [1.0, 1.0, 1.0]),
    }
    order = sorted(rows)
    assert _read(demo, group) == ([rows[p][0] for p in order], [rows[p][1] for p in order])


def test_a_session_nobody_finished_gives_empty_matrices(demo: sa.Engine) -> None:
    with session_scope(demo) as db:
        group = group_sessions.create_session(db, election="demo", language="en", facilitator=None)
    assert group.id is not None
    with Session(demo) as db:
        choices, weights = finished_answers(
            db, group_id=group.id, version=group.version,
            statement_ids=STATEMENTS, option_ids=OPTIONS,
        )  # fmt: skip
    assert choices.shape == weights.shape == (0, 3)
    assert choices.dtype == np.int64


def test_only_a_moved_counter_makes_a_participant_read_again(demo: sa.Engine) -> None:
    group, people = _room(demo)
    first = sorted(people[:2]).index(people[0])
    _read(demo, group)
    # Written behind the counter's back: the kept answer stands (the contract is that
    # every write moves the counter in the same transaction).
    with demo.begin() as conn:
        conn.execute(
            sa.text("UPDATE session_answer SET answer = 'disagree' WHERE participant_id = :p"),
            {"p": people[0]},
        )
    assert _read(demo, group)[0][first][0] == 3
    # A real write moves the counter: the new answer is read.
    with session_scope(demo) as db:
        group_sessions.record_answers(
            db, code=group.code, participant=people[0], answers={"e-petitions": "agree-strongly"}
        )
    assert _read(demo, group)[0][first][0] == 4
