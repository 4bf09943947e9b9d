"""Checks that warn before publishing but do not refuse: thin answers, unanswered statements.

A draft with these problems is valid and may be published (a party may really refuse to
answer), but the editor should see them first rather than a silent "no problems".
"""

from dataclasses import dataclass
from typing import Literal

import sqlalchemy as sa
from sqlmodel import Session, col, select

from vaa import audit
from vaa.content import ElectionContent
from vaa.errors import Conflict
from vaa.models import (
    Account,
    Donation,
    DonationAnswer,
    Draft,
    Election,
    GroupSession,
    PaperTally,
    Participant,
    PartyInvitation,
    PartySubmission,
    PartyWindow,
    QuestionnaireVersion,
    SessionAnswer,
)
from vaa.models import Axis as AxisRow
from vaa.models import Entity as EntityRow
from vaa.models import Position as PositionRow
from vaa.models import Statement as StatementRow
from vaa.models import Theme as ThemeRow
from vaa.store import VISIBILITIES, get_election

# Fewer own answers than this share of the statements is "few".
FEW_ANSWERS = 0.5

WarningKind = Literal["no_answers", "few_answers", "unanswered"]


@dataclass(frozen=True)
class PublishWarning:
    """One thing to look at before publishing: an entity or a statement, by id."""

    kind: WarningKind
    item: str  # entity id, or statement id for "unanswered"
    answered: int = 0
    total: int = 0


def publish_warnings(content: ElectionContent) -> list[PublishWarning]:
    """Entities with no or few answers, then statements nobody answered, in draft order.

    An entity taking its positions from another (positions_from) counts that one's answers.
    """
    scale = {option.id for option in content.questionnaire.scale}
    statements = [s.id for s in content.questionnaire.statements]
    total = len(statements)
    warnings: list[PublishWarning] = []
    answered_by_anyone: set[str] = set()
    for entity in content.entities:
        positions = content.positions_of(entity)
        answered = [s for s in statements if s in positions and positions[s].answer in scale]
        answered_by_anyone.update(answered)
        if not total:
            continue
        if not answered:
            warnings.append(PublishWarning("no_answers", entity.id, 0, total))
        elif len(answered) < FEW_ANSWERS * total:
            warnings.append(PublishWarning("few_answers", entity.id, len(answered), total))
    if content.entities:
        warnings.extend(
            PublishWarning("unanswered", s, 0, len(content.entities))
            for s in statements
            if s not in answered_by_anyone
        )
    return warnings


# -- an election's life: listed, hidden, archived, unpublished; deleted ---------------------


class LifecycleRefused(Conflict):
    """A visibility change or deletion that is not allowed; `code` says why."""


def set_visibility(
    session: Session, *, slug: str, visibility: str, actor: Account | str | None
) -> bool:
    """Change who sees the election and audit it; False when it already was so.

    The caller commits.
    """
    if visibility not in VISIBILITIES:
        raise LifecycleRefused("visibility", f"unknown visibility {visibility!r}")
    election = get_election(session, slug=slug)
    if election is None:
        raise LifecycleRefused("unknown", f"no election {slug!r}")
    if election.visibility == visibility:
        return False
    before = election.visibility
    election.visibility = visibility
    session.add(election)
    audit.record(
        session,
        actor,
        "election.visibility",
        slug,
        before={"visibility": before},
        after={"visibility": visibility},
    )
    session.flush()
    return True


def ever_published(session: Session, *, election_id: int) -> bool:
    return (
        session.exec(
            select(QuestionnaireVersion.id)
            .where(QuestionnaireVersion.election_id == election_id)
            .where(QuestionnaireVersion.status == "published")
            .limit(1)
        ).first()
        is not None
    )


def delete_election(
    session: Session, *, slug: str, confirm: str, actor: Account | str | None
) -> None:
    """Delete the election and everything of it (the caller commits).

    An election that was ever published needs `confirm` to be its slug: voters may hold
    links to its bundles, which stop working.
    """
    election = get_election(session, slug=slug)
    if election is None or election.id is None:
        raise LifecycleRefused("unknown", f"no election {slug!r}")
    eid = election.id
    published = ever_published(session, election_id=eid)
    if published and confirm.strip() != slug:
        raise LifecycleRefused(
            "confirm", f"{slug!r} was published: type its name {slug!r} to delete it"
        )
    versions = select(QuestionnaireVersion.id).where(QuestionnaireVersion.election_id == eid)
    entities = select(EntityRow.id).where(col(EntityRow.version_id).in_(versions))
    donations = select(Donation.id).where(Donation.election_id == eid)
    groups = select(GroupSession.id).where(GroupSession.election_id == eid)
    participants = select(Participant.id).where(col(Participant.session_id).in_(groups))
    for statement in (
        sa.delete(PositionRow).where(col(PositionRow.entity_id).in_(entities)),
        sa.delete(EntityRow).where(col(EntityRow.version_id).in_(versions)),
        sa.delete(StatementRow).where(col(StatementRow.version_id).in_(versions)),
        sa.delete(AxisRow).where(col(AxisRow.version_id).in_(versions)),
        sa.delete(ThemeRow).where(col(ThemeRow.version_id).in_(versions)),
        sa.delete(QuestionnaireVersion).where(col(QuestionnaireVersion.election_id) == eid),
        sa.delete(DonationAnswer).where(col(DonationAnswer.donation_id).in_(donations)),
        sa.delete(Donation).where(col(Donation.election_id) == eid),
        sa.delete(SessionAnswer).where(col(SessionAnswer.participant_id).in_(participants)),
        sa.delete(Participant).where(col(Participant.session_id).in_(groups)),
        sa.delete(PaperTally).where(col(PaperTally.session_id).in_(groups)),
        sa.delete(GroupSession).where(col(GroupSession.election_id) == eid),
        sa.delete(Draft).where(col(Draft.election_id) == eid),
        sa.delete(PartyInvitation).where(col(PartyInvitation.election) == slug),
        sa.delete(PartySubmission).where(col(PartySubmission.election) == slug),
        sa.delete(PartyWindow).where(col(PartyWindow.election) == slug),
        sa.delete(Election).where(col(Election.id) == eid),
    ):
        session.execute(statement)
    # Party accounts of the election can no longer do anything: disable them.
    for account in session.exec(select(Account).where(Account.election == slug)).all():
        account.active = False
        session.add(account)
    audit.record(
        session, actor, "election.delete", slug, before={"published": published}, after=None
    )
    session.flush()
