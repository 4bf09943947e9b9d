"""Anonymous donations of answers, given by choice, and the statistics made from them.

A donation keeps the answers, the questionnaire version they were given to and the
day: no time of day, no address, no browser details, nothing that links it to a person
or to another donation. Statistics are shown only once enough donations exist.
"""

import hashlib
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from vaa.content import ElectionContent
from vaa.errors import Closed, Invalid, InvalidAnswers, NotFound
from vaa.models import Donation, DonationAnswer, DonationToken, utcnow
from vaa.publish import content_from_bundle
from vaa.store import bundle_bytes, get_election, published_ref, version_by_checksum

THRESHOLD = 20
"""Donations an election needs before any statistics are shown."""
STEP = 3
"""Statistics change only when at least this many donations have come since they last
changed: two consecutive states never differ by one person's answers."""

WEIGHTS = (0, 1, 2)
"""The weights the quiz gives: left out, normal, important."""


class InvalidToken(Invalid):
    """The donation token is unknown, used or expired (the page answers 403)."""


TOKEN_LIFETIME = timedelta(hours=6)
"""How long a result page's donation token can be used: long enough to read the result."""


SPENT_KEPT = timedelta(days=2)
"""How long a used form token is remembered: longer than the visitor's browser session."""


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(session: Session, *, now: datetime | None = None) -> str:
    """A new one-time donation token (only its SHA-256 is kept); expired ones are dropped.

    Each result page gets one, so a donation needs a page (or a token request) first,
    and every page donates at most once. The caller commits.
    """
    now = now or utcnow()
    session.exec(sa.delete(DonationToken).where(col(DonationToken.expires_at) <= now))
    token = secrets.token_urlsafe(24)
    session.add(DonationToken(token_hash=_digest(token), expires_at=now + TOKEN_LIFETIME))
    session.flush()
    return token


def spend_token(session: Session, *, token: str, now: datetime | None = None) -> None:
    """Record a form's token as used, or raise InvalidToken if it was already.

    For the form without JavaScript, whose token is the visitor's CSRF token: recorded
    only when a donation is made, so that showing a result still stores nothing.
    """
    now = now or utcnow()
    session.exec(sa.delete(DonationToken).where(col(DonationToken.expires_at) <= now))
    spent = DonationToken(token_hash=_digest("spent:" + token[:128]), expires_at=now + SPENT_KEPT)
    try:
        with session.begin_nested():  # a duplicate must not abort the whole transaction
            session.add(spent)
    except sa.exc.IntegrityError:
        raise InvalidToken("donation.token", "this form has already been sent") from None


def use_token(session: Session, *, token: str, now: datetime | None = None) -> None:
    """Spend a donation token, or raise InvalidToken; one DELETE, so it works only once
    even when two workers get it at the same moment."""
    used = session.exec(
        sa.delete(DonationToken).where(
            col(DonationToken.token_hash) == _digest(token[:64]),
            col(DonationToken.expires_at) > (now or utcnow()),
        )
    )
    if used.rowcount != 1:
        raise InvalidToken(
            "donation.token", "the donation token is unknown, used or expired: reload the result"
        )


@dataclass(frozen=True)
class StatementCounts:
    """How the donors answered one statement."""

    statement: str
    options: dict[str, int]
    skipped: int
    important: int

    @property
    def total(self) -> int:
        return sum(self.options.values()) + self.skipped


@dataclass(frozen=True)
class Statistics:
    """An election's donated answers, per statement; `statements` is None below THRESHOLD.

    `donations` is how many the statements count (THRESHOLD, then in steps of STEP), or
    below THRESHOLD how many there are.
    """

    election: str
    version: str
    donations: int
    statements: list[StatementCounts] | None

    @property
    def needed(self) -> int:
        """How many more donations are needed before statistics are shown."""
        return max(THRESHOLD - self.donations, 0)


def today() -> date:
    """The current day in UTC: the only time a donation records."""
    return datetime.now(UTC).date()


def donate(
    session: Session,
    *,
    election: str,
    version: str,
    answers: Mapping[str, str | None],
    weights: Mapping[str, int],
    day: date | None = None,
) -> None:
    """Store one voter's answers anonymously; raise if they do not fit the version.

    Every statement of the version gets a row (None = skipped), so each statement's
    counts add up to the donations that saw it. The caller commits.
    """
    found = get_election(session, slug=election)
    row = (
        version_by_checksum(session, election_id=found.id, version=version)
        if found is not None and found.id is not None
        else None
    )
    if found is None or found.id is None or row is None or row.bundle is None:
        raise NotFound("election.version", version=version, election=election)
    if found.visibility in ("archived", "unpublished"):
        # Read-only: its published versions stay readable, but it gathers nothing more.
        raise Closed("election.archived", f"election {election!r} is archived: it takes no answers")
    content = content_from_bundle(row.bundle)
    _check(content, answers, weights)
    donation = Donation(election_id=found.id, version=version, day=day or today())
    session.add(donation)
    session.flush()
    assert donation.id is not None
    session.add_all(
        DonationAnswer(
            donation_id=donation.id,
            statement=s.id,
            answer=answers.get(s.id),
            weight=weights.get(s.id, 1),
        )
        for s in content.questionnaire.statements
    )
    session.flush()


def _check(
    content: ElectionContent, answers: Mapping[str, str | None], weights: Mapping[str, int]
) -> None:
    q = content.questionnaire
    statements = {s.id for s in q.statements}
    options = [o.id for o in q.scale]
    problems = [
        InvalidAnswers("answers.statement", statement=sid)
        for sid in answers
        if sid not in statements
    ]
    problems += [
        InvalidAnswers("answers.option", option=option, statement=sid, options=options)
        for sid, option in answers.items()
        if sid in statements and option is not None and option not in options
    ]
    problems += [
        InvalidAnswers("answers.weight", statement=sid) for sid in weights if sid not in statements
    ]
    problems += [
        InvalidAnswers("answers.weight_value", weight=w, statement=sid, weights=list(WEIGHTS))
        for sid, w in weights.items()
        if w not in WEIGHTS or isinstance(w, bool)
    ]
    if not problems and not any(option is not None for option in answers.values()):
        problems.append(InvalidAnswers("answers.none"))
    if problems:
        raise InvalidAnswers.joined(problems)


def count_donations(session: Session, *, election: str) -> int:
    """How many donations an election has received (all its versions)."""
    found = get_election(session, slug=election)
    if found is None:
        return 0
    return session.exec(
        select(func.count()).select_from(Donation).where(Donation.election_id == found.id)
    ).one()


def statistics(session: Session, *, election: str) -> Statistics:
    """Per-statement answer counts of the newest published version, once THRESHOLD is met.

    Statement and option ids are stable across versions, so donations given to older
    versions count for the statements and options that remain.
    """
    ref = published_ref(session, slug=election)
    found = get_election(session, slug=election)
    if ref is None or found is None:
        raise NotFound("election.unknown", election=election)
    donations = count_donations(session, election=election)
    if donations < THRESHOLD:
        return Statistics(election, ref.checksum, donations, None)
    # Count the oldest THRESHOLD + a multiple of STEP donations (ids only grow), so a new
    # donation shows only together with at least two others.
    counted = THRESHOLD + (donations - THRESHOLD) // STEP * STEP
    last_id = session.exec(
        select(Donation.id)
        .where(Donation.election_id == found.id)
        .order_by(col(Donation.id))
        .offset(counted - 1)
        .limit(1)
    ).one()
    content = content_from_bundle(bundle_bytes(session, version_id=ref.version_id))
    options = [o.id for o in content.questionnaire.scale]
    important = sa.func.sum(sa.case((col(DonationAnswer.weight) == 2, 1), else_=0))
    rows = session.exec(
        select(DonationAnswer.statement, DonationAnswer.answer, func.count(), important)
        .join(Donation, col(Donation.id) == DonationAnswer.donation_id)
        .where(Donation.election_id == found.id, col(Donation.id) <= last_id)
        .group_by(col(DonationAnswer.statement), col(DonationAnswer.answer))
    ).all()
    counts: dict[str, dict[str | None, int]] = {}
    marked: dict[str, int] = {}
    for statement, answer, n, n_important in rows:
        counts.setdefault(statement, {})[answer] = int(n)
        marked[statement] = marked.get(statement, 0) + int(n_important or 0)
    return Statistics(
        election,
        ref.checksum,
        counted,
        [
            StatementCounts(
                statement=s.id,
                options={o: counts.get(s.id, {}).get(o, 0) for o in options},
                skipped=counts.get(s.id, {}).get(None, 0),
                important=marked.get(s.id, 0),
            )
            for s in content.questionnaire.statements
        ],
    )
