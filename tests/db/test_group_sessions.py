"""Group sessions in the database: codes, answers, the gated summary, closing (issue 5)."""

import math
import threading
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session, func, select

from vaa import group_sessions
from vaa.db import session_scope
from vaa.errors import Gone, InvalidAnswers, NotFound, VaaError
from vaa.models import (
    Donation,
    DonationAnswer,
    GroupSession,
    PaperTally,
    Participant,
    SessionAnswer,
)
from vaa.results import MatchRequest, score_answers

# --- codes -------------------------------------------------------------------------------


def test_codes_have_no_look_alike_characters() -> None:
    assert not set("0O1IL") & set(group_sessions.ALPHABET)
    assert len(group_sessions.ALPHABET) == 31
    for _ in range(200):
        code = group_sessions.random_code()
        assert len(code) == 6 and set(code) <= set(group_sessions.ALPHABET)


def test_normalize_code() -> None:
    assert group_sessions.normalize_code(" xk7-p2q ") == "XK7P2Q"
    assert group_sessions.normalize_code("XK7P2") is None  # too short
    assert group_sessions.normalize_code("XK7P2O") is None  # O is not in the alphabet
    assert group_sessions.normalize_code("XK7P2QQ") is None


# --- sessions in the database ---------------------------------------------------------------


@pytest.fixture
def db(demo: sa.Engine) -> Iterator[Session]:
    with Session(demo, expire_on_commit=False) as session:
        yield session


def _open(db: Session, **kw: object) -> GroupSession:
    group = group_sessions.create_session(
        db,
        election="demo",
        language="en",
        facilitator=None,
        **kw,  # type: ignore[arg-type]
    )
    db.commit()
    return group


def test_codes_are_unique_among_open_sessions(db: Session, monkeypatch: pytest.MonkeyPatch) -> None:
    first = _open(db)
    codes = iter([first.code, first.code, "XK7P2Q"])
    monkeypatch.setattr(group_sessions, "random_code", lambda: next(codes))
    second = _open(db)
    assert second.code == "XK7P2Q"  # the taken code was drawn twice and refused
    group_sessions.close_session(db, group=first, actor="test")
    db.commit()
    monkeypatch.setattr(group_sessions, "random_code", lambda: first.code)
    third = _open(db)
    assert third.code == first.code  # a closed session's code is free again
    assert group_sessions.find_session(db, code=first.code.lower()).id == third.id


def test_create_refuses_bad_settings(db: Session) -> None:
    for kw, code in [
        ({"election": "nope", "language": "en"}, "election"),
        ({"election": "demo", "language": "ru"}, "language"),
        ({"election": "demo", "language": "en", "min_group": 0}, "min"),
        ({"election": "demo", "language": "en", "min_group": 2}, "min"),
        ({"election": "demo", "language": "en", "kiosk_minutes": 0}, "kiosk"),
        ({"election": "demo", "language": "en", "place": "x" * 201}, "place"),
    ]:
        with pytest.raises(VaaError) as error:
            group_sessions.create_session(db, facilitator=None, **kw)  # type: ignore[arg-type]
        assert error.value.code == code
    db.rollback()
    assert db.exec(select(func.count()).select_from(GroupSession)).one() == 0


def _answer(
    db: Session,
    group: GroupSession,
    answers: dict[str, str | None],
    *,
    weights: dict[str, int] | None = None,
    finished: bool = True,
    donate: bool = False,
) -> Participant:
    person = group_sessions.join(db, group=group, consent=True, donate=donate)
    db.commit()
    group_sessions.record_answers(
        db,
        code=group.code,
        participant=person.id,
        answers=answers,
        weights=weights,
        finished=finished,
    )
    db.commit()
    return person


def test_nothing_is_shown_before_the_minimum_group(db: Session) -> None:
    group = _open(db, min_group=5)
    for _ in range(4):
        _answer(db, group, {"e-petitions": "agree"})
    _answer(db, group, {"e-petitions": "agree"}, finished=False)
    summary = group_sessions.aggregate(db, group=group)
    assert (summary["joined"], summary["finished"], summary["shown"]) == (5, 4, False)
    assert summary["statements"] is None and summary["matches"] is None
    assert summary["map"] is None and summary["divided"] is None
    _answer(db, group, {"e-petitions": "disagree"})
    summary = group_sessions.aggregate(db, group=group)
    assert summary["shown"] is True and summary["finished"] == 5


def test_summary_by_hand(db: Session) -> None:
    group = _open(db, min_group=5)
    given: list[tuple[dict[str, str | None], dict[str, int]]] = [
        ({"e-petitions": "agree", "open-council": "agree-strongly"}, {"e-petitions": 2}),
        ({"e-petitions": "agree", "open-council": "agree-strongly"}, {}),
        ({"e-petitions": "agree", "open-council": "agree-strongly"}, {}),
        ({"e-petitions": "disagree", "open-council": "agree-strongly"}, {}),
        ({"e-petitions": "disagree", "open-council": None}, {}),
    ]
    for answers, weights in given:
        _answer(db, group, answers, weights=weights)
    summary = group_sessions.aggregate(db, group=group)
    by_id = {s["id"]: s for s in summary["statements"]}
    petitions = by_id["e-petitions"]
    assert petitions["counts"] == [0, 2, 0, 3, 0]
    assert (petitions["skipped"], petitions["total"]) == (0, 5)
    # positions .5 x3 and -.5 x2: mean .1, variance (3 x .16 + 2 x .36) / 5 = .24
    assert petitions["spread"] == pytest.approx(round(math.sqrt(0.24), 2))
    council = by_id["open-council"]
    assert council["counts"] == [0, 0, 0, 0, 4] and council["skipped"] == 1
    assert council["spread"] == 0.0
    assert by_id["fewer-advisers"]["total"] == 0 and by_id["fewer-advisers"]["spread"] is None
    assert summary["divided"][0] == "e-petitions"
    assert summary["united"][0] == "open-council"
    # The average match is the mean of each person's own result (the engine's one-voter path).
    prepared = group_sessions.prepared_of(db, group)
    expected: dict[str, list[float]] = {}
    for answers, weights in given:
        result = score_answers(
            prepared,
            MatchRequest(answers=answers, weights={k: float(v) for k, v in weights.items()}),
        )
        for r in result["results"]:
            expected.setdefault(r["entity"], []).append(r["score"])
    assert summary["respondents"] == 5
    for m in summary["matches"]:
        assert m["score"] == pytest.approx(round(sum(expected[m["entity"]]) / 5, 2), abs=0.006)
    scores = [m["score"] for m in summary["matches"]]
    assert scores == sorted(scores, reverse=True)
    grid = summary["map"]
    assert grid["axes"] == ["economic", "social"] and grid["size"] == group_sessions.GRID
    assert sum(map(sum, grid["cells"])) == grid["placed"] <= 5


def test_answers_replace_and_clear(db: Session) -> None:
    group = _open(db)
    person = _answer(db, group, {"e-petitions": "agree", "open-council": None}, finished=False)
    group_sessions.record_answers(
        db,
        code=group.code,
        participant=person.id,
        answers={"e-petitions": "disagree"},
        cleared=["open-council"],
    )
    db.commit()
    rows = db.exec(select(SessionAnswer).where(SessionAnswer.participant_id == person.id)).all()
    assert [(r.statement, r.answer) for r in rows] == [("e-petitions", "disagree")]


def test_bad_answers_change_nothing(db: Session) -> None:
    group = _open(db)
    person = group_sessions.join(db, group=group, consent=True, donate=False)
    db.commit()
    before = group_sessions.changes_of(db, group_id=group.id or 0)
    for answers, weights in [
        ({"nope": "agree"}, {}),
        ({"e-petitions": "maybe"}, {}),
        ({"e-petitions": "agree"}, {"e-petitions": 3}),
        ({"e-petitions": "agree"}, {"open-council": 2}),
    ]:
        with pytest.raises(InvalidAnswers):
            group_sessions.record_answers(
                db, code=group.code, participant=person.id, answers=answers, weights=weights
            )
        db.rollback()
    with pytest.raises(NotFound):
        group_sessions.record_answers(db, code=group.code, participant="x", answers={})
    with pytest.raises(NotFound):
        group_sessions.record_answers(db, code="ABCDEF", participant=person.id, answers={})
    with pytest.raises(VaaError):
        group_sessions.join(db, group=group, consent=False, donate=False)
    db.rollback()
    assert db.exec(select(func.count()).select_from(SessionAnswer)).one() == 0
    assert group_sessions.changes_of(db, group_id=group.id or 0) == before


def test_paper_sheets_and_hands_count(db: Session) -> None:
    group = _open(db, min_group=3)
    content = group_sessions.content_of(db, group)
    n = len(content.questionnaire.statements)
    sheet = group_sessions.parse_sheet("4! 5 -" + "0" * (n - 3), content)
    assert sheet.answers["e-petitions"] == "agree" and sheet.weights == {"e-petitions": 2}
    assert sheet.answers["open-council"] is None
    for text, kind in [
        ("6" * n, "char"),
        ("!" + "1" * n, "important"),
        ("1" * (n + 1), "too_many"),
        ("12", "too_few"),
        ("-!" + "1" * (n - 1), "important"),
    ]:
        with pytest.raises(group_sessions.SheetError) as error:
            group_sessions.parse_sheet(text, content)
        assert error.value.kind == kind
    for _ in range(3):
        group_sessions.enter_sheet(db, group=group, sheet=sheet)
    group_sessions.set_tallies(db, group=group, tallies={"e-petitions": {"disagree": 3, "skip": 1}})
    db.commit()
    summary = group_sessions.aggregate(db, group=group)
    assert (summary["joined"], summary["finished"], summary["paper"]) == (3, 3, 3)
    petitions = summary["statements"][0]
    assert petitions["counts"] == [0, 3, 0, 3, 0] and petitions["skipped"] == 1
    # hands are replaced, not added, when a statement is entered again
    group_sessions.set_tallies(db, group=group, tallies={"e-petitions": {"disagree": 1}})
    db.commit()
    assert group_sessions.aggregate(db, group=group)["statements"][0]["counts"][1] == 1
    with pytest.raises(InvalidAnswers):
        group_sessions.set_tallies(db, group=group, tallies={"e-petitions": {"maybe": 1}})
    with pytest.raises(InvalidAnswers):
        group_sessions.set_tallies(db, group=group, tallies={"e-petitions": {"agree": -1}})


def test_close_keeps_the_summary_and_donations_only(demo: sa.Engine, db: Session) -> None:
    group = _open(db, min_group=3)
    donor = _answer(
        db,
        group,
        {"e-petitions": "agree", "open-council": None},
        weights={"e-petitions": 2},
        donate=True,
    )
    _answer(db, group, {"e-petitions": "disagree"})
    _answer(db, group, {"e-petitions": "agree"})
    _answer(db, group, {"e-petitions": None}, donate=True)  # only skips: nothing to donate
    group_sessions.set_tallies(db, group=group, tallies={"open-council": {"agree": 4}})
    db.commit()
    before = group_sessions.aggregate(db, group=group)
    assert group_sessions.count_answers(db, group=group) == 5
    donated = group_sessions.close_session(db, group=group, actor="test")
    db.commit()
    assert donated == 1
    with session_scope(demo) as fresh:
        kept = fresh.get(GroupSession, group.id)
        assert kept is not None and kept.status == "closed" and kept.closed_at is not None
        assert kept.aggregate == {**before, "status": "closed"}
        assert group_sessions.aggregate(fresh, group=kept) == kept.aggregate
        assert group_sessions.count_answers(fresh, group=kept) == 0
        for table in (SessionAnswer, Participant, PaperTally):
            assert fresh.exec(select(func.count()).select_from(table)).one() == 0
        donation = fresh.exec(select(Donation)).one()
        assert donation.version == kept.version
        answers = fresh.exec(
            select(DonationAnswer.statement, DonationAnswer.answer, DonationAnswer.weight).where(
                DonationAnswer.donation_id == donation.id
            )
        ).all()
        assert ("e-petitions", "agree", 2) in answers and ("open-council", None, 1) in answers
    assert donor.donate
    with pytest.raises(Gone):
        group_sessions.find_session(db, code=group.code)
    with pytest.raises(Gone):
        group_sessions.record_answers(db, code=group.code, participant=donor.id, answers={})
    with pytest.raises(Gone):
        group_sessions.close_session(db, group=group, actor="test")


def test_every_write_moves_the_change_counter(db: Session) -> None:
    group = _open(db)
    assert group.id is not None
    seen = [group_sessions.changes_of(db, group_id=group.id)]
    person = group_sessions.join(db, group=group, consent=True, donate=False)
    db.commit()
    seen.append(group_sessions.changes_of(db, group_id=group.id))
    group_sessions.record_answers(
        db, code=group.code, participant=person.id, answers={"e-petitions": "agree"}
    )
    db.commit()
    seen.append(group_sessions.changes_of(db, group_id=group.id))
    group_sessions.close_session(db, group=group, actor="test")
    db.commit()
    seen.append(group_sessions.changes_of(db, group_id=group.id))
    # joining adds a row, answering moves the participant's counter, closing the session's
    # own (and deletes the answers and the participant, who did not donate)
    assert seen == [(0, "open"), (1, "open"), (2, "open"), (1, "closed")]


def test_overlapping_requests_for_one_statement_both_succeed(demo: sa.Engine, db: Session) -> None:
    """A phone resends while its first request is still open: the later one waits and wins."""
    group = _open(db)
    person = group_sessions.join(db, group=group, consent=True, donate=False)
    db.commit()
    first = Session(demo)
    second = Session(demo)
    outcome: list[BaseException | None] = []

    def late() -> None:
        try:
            group_sessions.record_answers(
                second, code=group.code, participant=person.id, answers={"e-petitions": "agree"}
            )
            second.commit()
            outcome.append(None)
        except BaseException as exc:  # reported to the test below
            second.rollback()
            outcome.append(exc)

    try:
        group_sessions.record_answers(
            first, code=group.code, participant=person.id, answers={"e-petitions": "disagree"}
        )
        first.flush()
        thread = threading.Thread(target=late)
        thread.start()
        thread.join(0.5)  # on PostgreSQL it now waits for the first transaction
        first.commit()
        thread.join(30)
        assert outcome == [None]
    finally:
        first.close()
        second.close()
    db.expire_all()
    rows = db.exec(select(SessionAnswer).where(SessionAnswer.participant_id == person.id)).all()
    assert [(r.statement, r.answer) for r in rows] == [("e-petitions", "agree")]
