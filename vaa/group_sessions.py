"""Group sessions (issue 5): a facilitator's room answers anonymously, the projector shows the group.

A session pins one published version of an election. People join with a six-character
code and get a random participant id; nothing else about them is kept (no name, no
address, no browser details), and only the day they joined. Each answer is committed
before it is acknowledged. Closing a session keeps only the group's summary
(`GroupSession.aggregate`), turns the answers of those who chose to donate them into
anonymous donations (vaa.donations), and deletes every other individual answer.

Live updates: a participant's writes move their own `Participant.changes`, the session's
own writes (tallies, closing) `GroupSession.changes`; the projector streams of every
worker poll their total (`changes_of`, see api/routes/session_events.py), so several
server processes on one PostgreSQL need no shared memory, and a room's answers never
queue on one hot row.
"""

import re
import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from typing import Any

import numpy as np
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, col, delete, func, select, update

from vaa import audit, donations, group_stats, matching, races, session_answer_cache
from vaa.content import ElectionContent
from vaa.errors import Gone, Invalid, InvalidAnswers, NotFound
from vaa.models import (
    Account,
    Election,
    GroupSession,
    PaperTally,
    Participant,
    SessionAnswer,
    utcnow,
)
from vaa.publish import content_from_bundle
from vaa.results import PreparedElection, prepare
from vaa.store import get_election, published_ref, version_by_checksum

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
"""Join code letters: no 0/O, 1/I/L, which people confuse when reading a projector."""
CODE_LENGTH = 6
MIN_GROUP = (3, 100)
"""The allowed minimum group size: below 3, one person's answers could be told apart."""
PRIVACY_STEP = 3
"""The results change only when at least this many more people have finished since they
last changed (and at close), so no single answer can be read off two consecutive states."""
KIOSK_MINUTES = (1, 60)
GRID = 8
"""The density map's cells per axis."""
RANKED = 3
"""How many statements the projector lists as most divided and most united."""
SOURCES = ("phone", "kiosk", "paper")
MAX_TALLY = 100_000


# --- codes ------------------------------------------------------------------------------


def random_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def normalize_code(text: str) -> str | None:
    """A typed code in canonical form (capitals, no spaces or dashes), or None if invalid."""
    code = re.sub(r"[\s-]+", "", text).upper()
    if len(code) != CODE_LENGTH or any(c not in ALPHABET for c in code):
        return None
    return code


def new_code(session: Session, *, attempts: int = 50) -> str:
    """A random code that no open session uses."""
    for _ in range(attempts):
        code = random_code()
        taken = session.exec(
            select(GroupSession.id).where(GroupSession.code == code, GroupSession.status == "open")
        ).first()
        if taken is None:
            return code
    raise RuntimeError("could not find a free join code")  # 31^6 codes: practically never


# --- sessions ---------------------------------------------------------------------------


def create_session(
    session: Session,
    *,
    election: str,
    language: str,
    place: str | None = None,
    constituency: str | None = None,
    day: date | None = None,
    min_group: int = 5,
    kiosk_minutes: int = 3,
    facilitator: Account | None,
) -> GroupSession:
    """Open a session on the newest published version of an election (the caller commits).

    Where the election has races, `constituency` is the room's place: the group's results
    then show the races voted in there (every race when None)."""
    ref = published_ref(session, slug=election)
    found = get_election(session, slug=election)
    if ref is None or found is None or found.id is None:
        raise NotFound("election", f"no published election {election!r}")
    if ref.archived:
        raise Gone("election", f"election {election!r} is archived: it takes no new sessions")
    content = _content(session, found.id, ref.checksum)
    if language not in content.questionnaire.languages:
        raise Invalid(
            "language",
            f"{election!r} is not available in {language!r} "
            f"(languages: {content.questionnaire.languages})",
        )
    if not MIN_GROUP[0] <= min_group <= MIN_GROUP[1]:
        raise Invalid("min", f"the minimum group size must be {MIN_GROUP[0]} to {MIN_GROUP[1]}")
    if not KIOSK_MINUTES[0] <= kiosk_minutes <= KIOSK_MINUTES[1]:
        raise Invalid(
            "kiosk", f"the kiosk time-out must be {KIOSK_MINUTES[0]} to {KIOSK_MINUTES[1]} minutes"
        )
    place = (place or "").strip() or None
    if place is not None and len(place) > 200:
        raise Invalid("place", "the place may have at most 200 characters")
    constituency = constituency or None
    if constituency is not None and not races.is_place(content.questionnaire, constituency):
        raise Invalid("constituency", f"{election!r} has no constituency {constituency!r}")
    group = GroupSession(
        code=new_code(session),
        election_id=found.id,
        version=ref.checksum,
        language=language,
        place=place,
        constituency=constituency,
        day=day,
        min_group=min_group,
        kiosk_minutes=kiosk_minutes,
        facilitator_id=facilitator.id if facilitator else None,
    )
    session.add(group)
    session.flush()
    audit.record(
        session,
        facilitator or "system",
        "session.create",
        f"session:{group.id}",
        None,
        {
            "code": group.code,
            "election": election,
            "language": language,
            "place": place,
            "constituency": constituency,
        },
    )
    return group


def find_session(session: Session, *, code: str) -> GroupSession:
    """The open session with this code; raise NotFound or Gone."""
    normal = normalize_code(code)
    if normal is None:
        raise NotFound("unknown", "there is no group session with this code")
    rows = session.exec(
        select(GroupSession)
        .where(GroupSession.code == normal)
        .order_by(col(GroupSession.status) == "open", col(GroupSession.id))
    ).all()
    if not rows:
        raise NotFound("unknown", "there is no group session with this code")
    newest = rows[-1]
    if newest.status != "open":
        raise Gone("closed", "this group session has ended")
    return newest


def sessions_of(session: Session, *, account: Account) -> Sequence[GroupSession]:
    """The sessions an account may see, newest first (an admin sees every one)."""
    query = select(GroupSession).order_by(col(GroupSession.id).desc())
    if account.role != "admin":
        query = query.where(GroupSession.facilitator_id == account.id)
    return session.exec(query).all()


def may_manage(account: Account, group: GroupSession) -> bool:
    return account.role == "admin" or group.facilitator_id == account.id


def slug_of(session: Session, group: GroupSession) -> str:
    election = session.get(Election, group.election_id)
    assert election is not None
    return election.slug


def _bump(session: Session, group_id: int) -> None:
    session.exec(
        update(GroupSession)
        .where(col(GroupSession.id) == group_id)
        .values(changes=col(GroupSession.changes) + 1)
    )


def changes_of(session: Session, *, group_id: int) -> tuple[int, str] | None:
    """The session's change count and status, in one cheap query for the streams.

    The count grows with every write while the session is open: a participant joining
    adds a row, their answers move their own counter, tallies the session's. Closing
    deletes rows, so only (count, status) together name a state.
    """
    row = session.exec(
        select(
            GroupSession.changes,
            GroupSession.status,
            func.count(col(Participant.id)),
            func.coalesce(func.sum(Participant.changes), 0),
        )
        .select_from(GroupSession)
        .join(Participant, col(Participant.session_id) == GroupSession.id, isouter=True)
        .where(GroupSession.id == group_id)
        .group_by(col(GroupSession.id), col(GroupSession.changes), col(GroupSession.status))
    ).first()
    if row is None:
        return None
    own, status, joined, answered = row
    return int(own) + int(joined) + int(answered), str(status)


# --- content ----------------------------------------------------------------------------

_CONTENT: dict[str, ElectionContent] = {}
_LOCK = threading.Lock()


def _content(session: Session, election_id: int, version: str) -> ElectionContent:
    """A published version's content, read once per process (versions never change)."""
    key = f"{election_id}:{version}"
    found = _CONTENT.get(key)
    if found is None:
        row = version_by_checksum(session, election_id=election_id, version=version)
        if row is None or row.bundle is None:
            raise NotFound("election", f"version {version!r} is not published")
        found = content_from_bundle(row.bundle)
        with _LOCK:
            if len(_CONTENT) > 32:
                _CONTENT.clear()
            _CONTENT[key] = found
    return found


def content_of(session: Session, group: GroupSession) -> ElectionContent:
    return _content(session, group.election_id, group.version)


def prepared_of(session: Session, group: GroupSession) -> PreparedElection:
    return prepare(content_of(session, group), group.version)


# --- participants and answers -----------------------------------------------------------


def join(
    session: Session, *, group: GroupSession, consent: bool, donate: bool, source: str = "phone"
) -> Participant:
    """Add an anonymous participant to an open session (the caller commits)."""
    if group.status != "open":
        raise Gone("closed", "this group session has ended")
    if not consent:
        raise Invalid("consent", "joining needs the participant's consent")
    if source not in SOURCES:
        raise Invalid("source", f"unknown source {source!r}")
    assert group.id is not None
    participant = Participant(
        id=secrets.token_urlsafe(16),
        session_id=group.id,
        day=donations.today(),
        source=source,
        consent=True,
        donate=donate,
    )
    session.add(participant)  # a new row: changes_of counts it
    session.flush()
    return participant


def record_answers(
    session: Session,
    *,
    code: str,
    participant: str,
    answers: Mapping[str, str | None],
    weights: Mapping[str, int] | None = None,
    cleared: Sequence[str] = (),
    finished: bool | None = None,
) -> int:
    """Store (or replace) a participant's answers; returns how many were written.

    An answer is an option id or None for a skip; `cleared` statements lose their
    answer (the participant started over). The caller commits before acknowledging.
    """
    group = find_session(session, code=code)
    assert group.id is not None
    if len(participant) > 32:
        raise NotFound("participant", "unknown participant")
    _check_answers(content_of(session, group), answers, weights or {}, cleared)
    values: dict[str, Any] = {"changes": _PARTICIPANTS.c.changes + 1}
    if finished is not None:
        values["finished"] = finished
    # The participant's own row, not the session's: a room's answers do not queue on one
    # row. Its row count doubles as the check that the participant is in this session.
    moved = session.connection().execute(
        sa.update(_PARTICIPANTS)
        .where(_PARTICIPANTS.c.id == participant, _PARTICIPANTS.c.session_id == group.id)
        .values(**values)
    )
    if moved.rowcount != 1:
        raise NotFound("participant", "unknown participant")
    _write_answers(session, participant, answers, weights or {}, cleared)
    return len(answers)


def _check_answers(
    content: ElectionContent,
    answers: Mapping[str, str | None],
    weights: Mapping[str, int],
    cleared: Sequence[str],
) -> None:
    statements = {s.id for s in content.questionnaire.statements}
    options = [o.id for o in content.questionnaire.scale]
    problems = [f"unknown statement {s!r}" for s in [*answers, *cleared] if s not in statements]
    problems += [
        f"{a!r} is not an answer option for {s!r} (options: {options})"
        for s, a in answers.items()
        if s in statements and a is not None and a not in options
    ]
    problems += [
        f"weight {w!r} for {s!r} is not one of {list(donations.WEIGHTS)}"
        for s, w in weights.items()
        if w not in donations.WEIGHTS or isinstance(w, bool) or s not in answers
    ]
    if problems:
        raise InvalidAnswers("answers", "; ".join(problems))


def _write_answers(
    session: Session,
    participant: str,
    answers: Mapping[str, str | None],
    weights: Mapping[str, int],
    cleared: Sequence[str],
) -> None:
    gone = [s for s in cleared if s not in answers]
    if gone:
        session.exec(
            delete(SessionAnswer).where(
                col(SessionAnswer.participant_id) == participant,
                col(SessionAnswer.statement).in_(gone),
            )
        )
    if not answers:
        return
    rows = [
        {"participant_id": participant, "statement": s, "answer": a, "weight": weights.get(s, 1)}
        for s, a in answers.items()
    ]
    connection = session.connection()
    connection.execute(_upsert_answers(connection.dialect.name), rows)


_PARTICIPANTS: sa.Table = Participant.__table__  # type: ignore[attr-defined]
_ANSWERS: sa.Table = SessionAnswer.__table__  # type: ignore[attr-defined]


@cache
def _upsert_answers(dialect: str) -> sa.Insert:
    """INSERT ... ON CONFLICT DO UPDATE, built once so its compiled form is reused.

    An upsert, not delete-then-insert: a phone's two overlapping requests for the same
    statement must not collide on the primary key (both dialects speak ON CONFLICT).
    """
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(_ANSWERS)
    upsert: sa.Insert = statement.on_conflict_do_update(
        index_elements=[_ANSWERS.c.participant_id, _ANSWERS.c.statement],
        set_={"answer": statement.excluded.answer, "weight": statement.excluded.weight},
    )
    return upsert


# --- paper ------------------------------------------------------------------------------

SKIP_MARKS = "0-."
IMPORTANT_MARK = "!"


@dataclass(frozen=True)
class Sheet:
    """One paper answer sheet read from the keyboard form."""

    answers: dict[str, str | None]
    weights: dict[str, int]


class SheetError(InvalidAnswers):
    """A typed sheet that cannot be read: `kind` is char, important, too_many or too_few.

    `position` is the 1-based character, `count` the answers read, `expected` how many
    the questionnaire has, `options` its number of scale options.
    """

    def __init__(
        self,
        message: str,
        *,
        kind: str,
        position: int,
        char: str,
        count: int,
        expected: int,
        options: int,
    ) -> None:
        super().__init__("sheet", message)
        self.kind = kind
        self.position = position
        self.char = char
        self.count = count
        self.expected = expected
        self.options = options


def parse_sheet(text: str, content: ElectionContent) -> Sheet:
    """Read a typed sheet: one character per statement, in order.

    1 to k is the option printed in that column; 0, - or . a skip (or no mark); a ! after
    an answer marks the statement as important. Spaces are ignored. Raises SheetError
    naming the first wrong character or the wrong length.
    """
    q = content.questionnaire
    k = len(q.scale)
    ids = [s.id for s in q.statements]
    answers: dict[str, str | None] = {}
    weights: dict[str, int] = {}

    def error(message: str, kind: str, position: int = 0, char: str = "") -> SheetError:
        return SheetError(
            message,
            kind=kind,
            position=position,
            char=char,
            count=len(answers),
            expected=len(ids),
            options=k,
        )

    for position, char in enumerate(text, start=1):
        if char.isspace():
            continue
        if char == IMPORTANT_MARK:
            if not answers or list(answers.values())[-1] is None:
                raise error(
                    f"character {position}: ! must follow an answer", "important", position, char
                )
            weights[list(answers)[-1]] = 2
            continue
        if len(answers) == len(ids):
            raise error(f"more than {len(ids)} answers", "too_many", position, char)
        sid = ids[len(answers)]
        if char in SKIP_MARKS:
            answers[sid] = None
        elif char.isdigit() and 1 <= int(char) <= k:
            answers[sid] = q.scale[int(char) - 1].id
        else:
            raise error(
                f"character {position}: {char!r} is not 1 to {k}, 0 or -", "char", position, char
            )
    if len(answers) != len(ids):
        raise error(f"{len(answers)} answers, the questionnaire has {len(ids)}", "too_few")
    return Sheet(answers, weights)


def enter_sheet(session: Session, *, group: GroupSession, sheet: Sheet) -> Participant:
    """Add a paper participant with every answer of their sheet (the caller commits)."""
    person = join(session, group=group, consent=True, donate=False, source="paper")
    person.finished = True
    session.add(person)
    _write_answers(session, person.id, sheet.answers, sheet.weights, ())
    return person


def set_tallies(
    session: Session, *, group: GroupSession, tallies: Mapping[str, Mapping[str, int]]
) -> None:
    """Replace the show-of-hands counts of the statements given (the caller commits).

    `tallies` maps a statement to {option id or "skip": count}.
    """
    if group.status != "open":
        raise Gone("closed", "this group session has ended")
    assert group.id is not None
    q = content_of(session, group).questionnaire
    statements = {s.id for s in q.statements}
    options = {o.id for o in q.scale} | {"skip"}
    problems = [f"unknown statement {s!r}" for s in tallies if s not in statements]
    for s, counts in tallies.items():
        problems += [f"unknown option {o!r}" for o in counts if o not in options]
        problems += [
            f"count {n!r} for {s!r} must be 0 to {MAX_TALLY}"
            for n in counts.values()
            if isinstance(n, bool) or not 0 <= n <= MAX_TALLY
        ]
    if problems:
        raise InvalidAnswers("answers", "; ".join(problems))
    if tallies:
        session.exec(
            delete(PaperTally).where(
                col(PaperTally.session_id) == group.id,
                col(PaperTally.statement).in_(list(tallies)),
            )
        )
    session.add_all(
        PaperTally(session_id=group.id, statement=s, option=o, count=n)
        for s, counts in tallies.items()
        for o, n in counts.items()
        if n > 0
    )
    _bump(session, group.id)
    session.flush()


def tallies_of(session: Session, *, group: GroupSession) -> dict[str, dict[str, int]]:
    rows = session.exec(select(PaperTally).where(PaperTally.session_id == group.id)).all()
    found: dict[str, dict[str, int]] = {}
    for row in rows:
        found.setdefault(row.statement, {})[row.option] = row.count
    return found


# --- the group's summary ----------------------------------------------------------------


def aggregate(session: Session, *, group: GroupSession) -> dict[str, Any]:
    """The group's anonymous summary (the snapshot once closed); details only past min_group.

    The details come from a cohort of finished participants that is renewed only once
    PRIVACY_STEP more have finished (see `_cohort`); a renewed cohort is stored on the
    session, so the caller commits. Show-of-hands tallies are added to the counts, but
    never count towards the minimum group size: they are not people who answered.
    """
    if group.status != "open" and group.aggregate is not None:
        return group.aggregate
    return _live_aggregate(session, group)


def _live_aggregate(session: Session, group: GroupSession) -> dict[str, Any]:
    prepared = prepared_of(session, group)
    q = prepared.content.questionnaire
    k = len(q.scale)
    option_index = {o.id: j for j, o in enumerate(q.scale)}
    statement_index = {sid: i for i, sid in enumerate(prepared.statement_ids)}
    people = session.exec(
        select(Participant.id, Participant.finished, Participant.source).where(
            Participant.session_id == group.id
        )
    ).all()
    tallies = np.zeros((len(statement_index), k + 1), dtype=np.int64)
    for statement, hand_counts in tallies_of(session, group=group).items():
        i = statement_index[statement]
        for option, n in hand_counts.items():
            tallies[i, k if option == "skip" else option_index[option]] += n
    hands = int(tallies.sum(axis=1).max()) if len(statement_index) else 0
    finished = sum(1 for _, done, _ in people if done)
    shown = finished >= group.min_group
    summary: dict[str, Any] = {
        "code": group.code,
        "status": group.status,
        "min_group": group.min_group,
        "joined": len(people),
        "finished": finished,
        "paper": sum(1 for _, _, source in people if source == "paper"),
        "hands": hands,
        "shown": shown,
        "counted": None,
        "respondents": None,
        "statements": None,
        "matches": None,
        "races": None,
        "map": None,
        "divided": None,
        "united": None,
    }
    if not shown:
        return summary
    cohort = _cohort(session, group, prepared, finished=finished)
    counts = np.array(cohort["counts"], dtype=np.int64).reshape(tallies.shape) + tallies
    spread = group_stats.spread(counts, matching.scale_positions(k))
    summary["counted"] = cohort["counted"]
    summary["respondents"] = cohort["respondents"]
    summary["statements"] = [
        {
            "id": sid,
            "counts": [int(n) for n in counts[i, :k]],
            "skipped": int(counts[i, k]),
            "total": int(counts[i].sum()),
            "spread": _number(spread[i]),
        }
        for i, sid in enumerate(prepared.statement_ids)
    ]
    summary["matches"] = cohort["matches"]
    summary["races"] = race_matches(prepared, cohort["matches"], group.constituency)
    # Few statements with answers: split them, so none is both most divided and most united.
    rated = int((~np.isnan(spread)).sum())
    divided = group_stats.ranked(spread, min(RANKED, max(1, rated // 2)), largest=True)
    united = [i for i in group_stats.ranked(spread, rated, largest=False) if i not in divided]
    summary["divided"] = [prepared.statement_ids[i] for i in divided]
    summary["united"] = [prepared.statement_ids[i] for i in united[:RANKED]]
    summary["map"] = cohort["map"]
    return summary


def _cohort(
    session: Session, group: GroupSession, prepared: PreparedElection, *, finished: int
) -> dict[str, Any]:
    """The finished participants' answer counts, matches and map, renewed in steps.

    Kept on the open session (`GroupSession.aggregate["cohort"]`) and computed afresh only
    when at least PRIVACY_STEP more people have finished than it counts: two consecutive
    states then differ by three or more people, never by one answer. Unfinished answers
    are never counted, and a change of answer waits for the next step like a new person.
    """
    stored = _stored_cohort(group)
    if stored is not None and finished - stored["counted"] < PRIVACY_STEP:
        return stored
    # Lock the row (PostgreSQL) and look again: another worker may have just renewed it.
    session.refresh(group, with_for_update=True)
    stored = _stored_cohort(group)
    if stored is not None and finished - stored["counted"] < PRIVACY_STEP:
        return stored
    cohort = _compute_cohort(session, group, prepared)
    group.aggregate = {"cohort": cohort}
    session.add(group)
    session.flush()
    return cohort


def _stored_cohort(group: GroupSession) -> dict[str, Any] | None:
    stored = (group.aggregate or {}).get("cohort") if group.status == "open" else None
    if not isinstance(stored, dict) or stored.get("version") != group.version:
        return None
    return stored


def _compute_cohort(
    session: Session, group: GroupSession, prepared: PreparedElection
) -> dict[str, Any]:
    q = prepared.content.questionnaire
    k = len(q.scale)
    assert group.id is not None
    # only the participants who wrote since this process last looked are read again
    choices, weights = session_answer_cache.finished_answers(
        session,
        group_id=group.id,
        version=group.version,
        statement_ids=prepared.statement_ids,
        option_ids=[o.id for o in q.scale],
    )
    counts = group_stats.option_counts(choices, k)
    positions = group_stats.positions_of(choices, k)
    scores, respondents = group_stats.average_scores(
        positions,
        weights,
        prepared.entity_answers,
        method=q.matching.method,
        missing=q.matching.missing,
    )
    found: list[dict[str, Any]] = [
        {"entity": eid, "score": _number(scores[e])} for e, eid in enumerate(prepared.entity_ids)
    ]
    matches = sorted(
        found,
        key=lambda m: (m["score"] is None, -(m["score"] or 0.0), m["entity"]),
    )
    grid_map = None
    if len(prepared.axis_ids) >= 2:
        points = matching.axis_positions(positions, prepared.loadings)[:, :2]
        grid = group_stats.density(points, GRID)
        grid_map = {
            "axes": prepared.axis_ids[:2],
            "size": GRID,
            "cells": grid.tolist(),
            "placed": int(grid.sum()),
        }
    return {
        "version": group.version,
        "counted": int(choices.shape[0]),
        "counts": counts.tolist(),
        "respondents": respondents,
        "matches": matches,
        "map": grid_map,
    }


def race_matches(
    prepared: PreparedElection, matches: list[dict[str, Any]], place: str | None
) -> list[dict[str, Any]]:
    """The group's average matches race by race (the races voted in at `place`, every race
    when None): each race's entities that answered, best first; the silent listed apart.

    An entity's average match does not depend on who else stands, so each race is the
    group's ranking narrowed to its own entities. [] for an election without races."""
    content = prepared.content
    if not content.questionnaire.races:
        return []
    silent = {e.id for e in content.entities if not content.positions_of(e)}
    out = []
    for ballot in races.ballots(content, place):
        members = set(ballot.entity_ids)
        out.append(
            {
                "race": ballot.id,
                "matches": [m for m in matches if m["entity"] in members - silent],
                "did_not_answer": [e for e in ballot.entity_ids if e in silent],
            }
        )
    return out


def _number(x: float) -> float | None:
    return None if np.isnan(x) else round(float(x), 2)


# --- closing ----------------------------------------------------------------------------


def close_session(session: Session, *, group: GroupSession, actor: Account | str | None) -> int:
    """End a session: keep its summary, donate what was offered, delete every answer.

    Returns the number of donations made. Everything happens in the caller's
    transaction, so a failure leaves the session open and complete.
    """
    if group.status != "open":
        raise Gone("closed", "this group session has ended")
    assert group.id is not None
    summary = _live_aggregate(session, group)
    summary["status"] = "closed"
    slug = slug_of(session, group)
    donors = session.exec(
        select(Participant.id).where(Participant.session_id == group.id, col(Participant.donate))
    ).all()
    donated = 0
    for pid in donors:
        rows = session.exec(select(SessionAnswer).where(SessionAnswer.participant_id == pid)).all()
        answers = {r.statement: r.answer for r in rows}
        if not any(a is not None for a in answers.values()):
            continue  # nothing answered: nothing to donate
        donations.donate(
            session,
            election=slug,
            version=group.version,
            answers=answers,
            weights={r.statement: r.weight for r in rows},
        )
        donated += 1
    people = select(Participant.id).where(Participant.session_id == group.id)
    session.exec(delete(SessionAnswer).where(col(SessionAnswer.participant_id).in_(people)))
    session.exec(delete(Participant).where(col(Participant.session_id) == group.id))
    session.exec(delete(PaperTally).where(col(PaperTally.session_id) == group.id))
    group.status = "closed"
    group.closed_at = utcnow()
    group.aggregate = summary
    session.add(group)
    session.flush()
    _bump(session, group.id)
    audit.record(
        session,
        actor,
        "session.close",
        f"session:{group.id}",
        None,
        {
            "code": group.code,
            "joined": summary["joined"],
            "finished": summary["finished"],
            "donations": donated,
        },
    )
    return donated


def count_answers(session: Session, *, group: GroupSession) -> int:
    """How many individual answers a session holds (0 once it is closed)."""
    return int(
        session.exec(
            select(func.count())
            .select_from(SessionAnswer)
            .join(Participant, col(Participant.id) == col(SessionAnswer.participant_id))
            .where(Participant.session_id == group.id)
        ).one()
    )
