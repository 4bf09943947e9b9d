"""Group sessions in an election with races: the room's place picks the races, and the
projector, report and CSV give the group's average match race by race.

Every participant answers s1 agree, s2 agree, s3 disagree, so each average equals the
one voter's match worked out in tests/api/test_races.py."""

from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from api.app import create_app
from tests.api.test_admin_content import sign_in_as
from tests.api.test_races import RACE_FILES, VOTER
from tests.soup import alerts, content, parse
from vaa import group_sessions
from vaa.db import session_scope
from vaa.errors import Invalid
from vaa.loading import load_files
from vaa.models import GroupSession
from vaa.settings import Settings


@pytest.fixture
def db(demo: sa.Engine) -> Iterator[Session]:
    with session_scope(demo) as session:
        load_files(session, paths=RACE_FILES)
    with Session(demo, expire_on_commit=False) as session:
        yield session


def _room(db: Session, constituency: str | None, people: int = 3) -> GroupSession:
    group = group_sessions.create_session(
        db,
        election="races",
        language="en",
        min_group=3,
        constituency=constituency,
        facilitator=None,
    )
    db.commit()
    for _ in range(people):
        person = group_sessions.join(db, group=group, consent=True, donate=False)
        db.commit()
        group_sessions.record_answers(
            db, code=group.code, participant=person.id, answers=dict(VOTER), finished=True
        )
        db.commit()
    return group


def test_a_district_room_sees_its_three_races(db: Session) -> None:
    summary = group_sessions.aggregate(db, group=_room(db, "d1"))
    races = {r["race"]: r for r in summary["races"]}
    assert list(races) == ["mayor", "list", "seat-d1"]
    assert races["mayor"]["matches"] == [
        {"entity": "m-ana", "score": 66.67},
        {"entity": "m-beka", "score": 50.0},
    ]
    assert races["mayor"]["did_not_answer"] == ["m-dato"]
    assert [m["entity"] for m in races["list"]["matches"]] == ["party-a", "party-b", "party-c"]
    assert races["seat-d1"]["matches"] == [
        {"entity": "d1-gia", "score": 83.33},
        {"entity": "d1-eka", "score": 66.67},
    ]
    every = group_sessions.aggregate(db, group=_room(db, None))
    assert [r["race"] for r in every["races"]] == ["mayor", "list", "seat-d1", "seat-d2"]


def test_a_place_of_another_election_is_refused(db: Session) -> None:
    with pytest.raises(Invalid) as error:
        group_sessions.create_session(
            db, election="races", language="en", constituency="zugdidi", facilitator=None
        )
    assert error.value.code == "constituency"


def test_report_and_csv_have_one_section_per_race(
    db: Session, settings: Settings, demo: sa.Engine
) -> None:
    group = _room(db, "d1")
    with TestClient(create_app(settings)) as client:
        sign_in_as(client, demo, "admin")
        report = client.get(f"/facilitator/sessions/{group.id}/report")
        assert report.status_code == 200
        assert [h for h in ("Mayor", "Party list", "District 1 seat") if h in report.text] == [
            "Mayor",
            "Party list",
            "District 1 seat",
        ]
        assert "Did not answer the statements, so not ranked: Dato." in content(parse(report))
        rows = client.get(f"/facilitator/sessions/{group.id}/report.csv").text.splitlines()
        assert "session,constituency,,d1," in rows
        assert "race:seat-d1,d1-gia,,83.33,District 1 seat: Gia" in rows
        assert "race:mayor,m-dato,did-not-answer,,Mayor: Dato" in rows
        assert not any(r.startswith("race:seat-d2") for r in rows)


def test_the_facilitator_picks_the_rooms_place(
    db: Session, settings: Settings, demo: sa.Engine
) -> None:
    with TestClient(create_app(settings)) as client:
        token = sign_in_as(client, demo, "admin")
        form = client.get("/facilitator").text
        assert 'value="races/d1"' in form and "Every race" in form
        data = {"csrf_token": token, "election": "races", "language": "en", "min_group": "3"}
        made = client.post(
            "/facilitator/sessions",
            data={**data, "constituency": "races/d2"},
            follow_redirects=False,
        )
        assert made.status_code == 303
        wrong = client.post("/facilitator/sessions", data={**data, "constituency": "demo/d2"})
        assert wrong.status_code == 400
        assert "Choose a place of the election you chose" in alerts(parse(wrong))
    found = db.exec(select(GroupSession).where(col(GroupSession.constituency).is_not(None))).all()
    assert [g.constituency for g in found] == ["d2"]
