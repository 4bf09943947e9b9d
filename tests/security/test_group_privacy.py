"""Group privacy that holds (issue 13, item 5), replaying the attacks that got through:

- a show-of-hands tally of 5 unlocked the summary with one real participant;
- the minimum group size could be set to 1;
- comparing consecutive projector states one by one revealed each new answer;
- the same differencing on the public statistics page after each donation.

Through the real app (the facilitator's summary API and report) and the domain, on
SQLite and PostgreSQL.
"""

import itertools
import re
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
from fastapi.testclient import TestClient
from sqlmodel import Session

from tests.api.test_auth import add_account, form_token, sign_in
from tests.soup import alerts, parse
from vaa import donations, group_sessions
from vaa.db import session_scope
from vaa.errors import VaaError
from vaa.models import GroupSession
from vaa.store import published_ref

OPTIONS = ["disagree-strongly", "disagree", "neutral", "agree", "agree-strongly"]


@pytest.fixture
def facilitator(client: TestClient, demo: sa.Engine) -> TestClient:
    client.headers["accept-language"] = "en"
    add_account(demo, "facilitator@example.org", "facilitator")
    assert sign_in(client, "facilitator@example.org").status_code == 303
    return client


@pytest.fixture
def db(demo: sa.Engine) -> Iterator[Session]:
    with Session(demo, expire_on_commit=False) as session:
        yield session


def create(client: TestClient, min_group: str) -> Any:
    data = {
        "election": "demo",
        "language": "en",
        "min_group": min_group,
        "kiosk_minutes": "3",
        "csrf_token": form_token(client, "/facilitator"),
    }
    return client.post("/facilitator/sessions", data=data, follow_redirects=False)


def session_of(engine: sa.Engine, base: str) -> GroupSession:
    with Session(engine) as session:
        group = session.get(GroupSession, int(base.rsplit("/", 1)[1]))
        assert group is not None
        return group


def participant(
    engine: sa.Engine, code: str, answers: dict[str, str | None], *, finished: bool = True
) -> str:
    with session_scope(engine) as session:
        group = group_sessions.find_session(session, code=code)
        person = group_sessions.join(session, group=group, consent=True, donate=False)
        pid = person.id
    with session_scope(engine) as session:
        group_sessions.record_answers(
            session, code=code, participant=pid, answers=answers, finished=finished
        )
    return pid


def test_the_minimum_group_cannot_be_below_three(facilitator: TestClient, db: Session) -> None:
    for low in ("0", "1", "2"):
        refused = create(facilitator, low)
        assert refused.status_code == 400, low
        assert "The minimum group size must be a whole number from 3 to 100" in alerts(
            parse(refused)
        )
        with pytest.raises(VaaError) as error:
            group_sessions.create_session(
                db, election="demo", language="en", min_group=int(low), facilitator=None
            )
        assert error.value.code == "min"
        db.rollback()
    assert 'id="s-min" name="min_group" type="number" inputmode="numeric" min="3"' in (
        facilitator.get("/facilitator").text
    )
    assert 'value="5"' in facilitator.get("/facilitator").text  # the default
    assert create(facilitator, "3").status_code == 303


def test_a_tally_never_unlocks_the_summary(facilitator: TestClient, demo: sa.Engine) -> None:
    base = create(facilitator, "5").headers["location"]
    group = session_of(demo, base)
    participant(demo, group.code, {"e-petitions": "agree-strongly", "open-council": "disagree"})
    # The attack: a show of hands of 5 on one statement, with one real participant.
    token = form_token(facilitator, f"{base}/hands")
    hands = {f"t-e-petitions-{o}": "1" for o in OPTIONS}
    saved = facilitator.post(
        f"{base}/hands", data={"csrf_token": token, **hands}, follow_redirects=False
    )
    assert saved.status_code == 303
    summary = facilitator.get(f"/api/v1/sessions/{group.id}/summary").json()
    assert summary["hands"] == 5 and summary["finished"] == 1
    assert summary["shown"] is False
    assert summary["statements"] is None and summary["matches"] is None
    report = facilitator.get(f"{base}/report").text
    assert "Fewer than 5 people finished" in report
    assert "Average match" not in report


def states(client: TestClient, group_id: int) -> dict[str, Any]:
    summary = client.get(f"/api/v1/sessions/{group_id}/summary").json()
    return {
        "counted": summary["counted"],
        "statements": summary["statements"],
        "matches": summary["matches"],
        "map": summary["map"],
    }


def moved_by(before: dict[str, Any], after: dict[str, Any]) -> int:
    """How many answers changed between two states, summed over statements (0 if none)."""
    if before["statements"] is None or after["statements"] is None:
        return 0
    return max(
        sum(abs(a - b) for a, b in zip(s1["counts"], s2["counts"], strict=True))
        + abs(s1["skipped"] - s2["skipped"])
        for s1, s2 in zip(before["statements"], after["statements"], strict=True)
    )


def test_consecutive_projector_states_never_isolate_one_answer(
    facilitator: TestClient, demo: sa.Engine
) -> None:
    base = create(facilitator, "3").headers["location"]
    group = session_of(demo, base)
    assert group.id is not None
    seen = [states(facilitator, group.id)]
    # Ten people finish one after another, each with their own answer; the attacker
    # compares the projector before and after each.
    people = []
    for i in range(10):
        people.append(participant(demo, group.code, {"e-petitions": OPTIONS[i % 5]}))
        seen.append(states(facilitator, group.id))
        # Someone half-way never shows: unfinished answers are never counted.
        participant(demo, group.code, {"e-petitions": "agree"}, finished=False)
        seen.append(states(facilitator, group.id))
    changes = [(a, b) for a, b in itertools.pairwise(seen) if a != b]
    assert changes, "the summary never changed"
    for before, after in changes:
        if before["counted"] is None:
            assert after["counted"] >= 3  # first shown at the minimum group
            continue
        assert after["counted"] - before["counted"] >= group_sessions.PRIVACY_STEP
        assert moved_by(before, after) >= group_sessions.PRIVACY_STEP
    assert [s["counted"] for s in seen if s["counted"]][-1] == 9  # 3, 6, 9; not 10

    # A counted participant changing an answer shows nothing until three more finish.
    last = seen[-1]
    with session_scope(demo) as session:
        group_sessions.record_answers(
            session, code=group.code, participant=people[0], answers={"e-petitions": "agree"}
        )
    assert states(facilitator, group.id) == last

    # Closing keeps the stepped cohort: the tenth person's answer cannot be read off the
    # difference between the last live state and the report.
    token = form_token(facilitator, base)
    closed = facilitator.post(f"{base}/close", data={"csrf_token": token})
    assert closed.status_code in (200, 303)
    final = states(facilitator, group.id)
    assert final == last
    report = facilitator.get(f"{base}/report").text
    assert re.search(r"The results count 9 of the 10 people who finished", report)


def test_tallies_count_but_not_as_people(db: Session) -> None:
    group = group_sessions.create_session(
        db, election="demo", language="en", min_group=3, facilitator=None
    )
    db.commit()
    for _ in range(3):
        person = group_sessions.join(db, group=group, consent=True, donate=False)
        db.commit()
        group_sessions.record_answers(
            db,
            code=group.code,
            participant=person.id,
            answers={"e-petitions": "agree"},
            finished=True,
        )
        db.commit()
    group_sessions.set_tallies(db, group=group, tallies={"e-petitions": {"disagree": 4}})
    db.commit()
    summary = group_sessions.aggregate(db, group=group)
    db.commit()
    petitions = summary["statements"][0]
    assert petitions["counts"] == [0, 4, 0, 3, 0]  # hands are added to the counts
    assert summary["respondents"] == 3 and summary["counted"] == 3


def test_statistics_change_only_in_steps_of_three_donations(
    client: TestClient, demo: sa.Engine
) -> None:
    with Session(demo) as session:
        ref = published_ref(session, slug="demo")
        assert ref is not None
        version = ref.checksum

    def give(option: str) -> None:
        with session_scope(demo) as session:
            donations.donate(
                session,
                election="demo",
                version=version,
                answers={"e-petitions": option},
                weights={},
            )

    def public() -> dict[str, Any]:
        response = client.get("/api/v1/elections/demo/statistics")
        assert response.status_code == 200
        return dict(response.json())

    for _ in range(donations.THRESHOLD):
        give("agree")
    seen = [public()]
    assert seen[0]["donations"] == donations.THRESHOLD
    for option in ["disagree", "neutral", "agree-strongly", "disagree", "neutral", "agree"]:
        give(option)  # the attacker donates or watches one donation at a time
        seen.append(public())
    counted = [s["donations"] for s in seen]
    assert counted == [20, 20, 20, 23, 23, 23, 26]
    for before, after in itertools.pairwise(seen):
        if before != after:
            assert after["donations"] - before["donations"] >= donations.STEP
    page = client.get("/en/demo/statistics").text
    assert "Answers given anonymously by 26 people" in page
