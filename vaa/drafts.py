"""Drafts: where editors change an election before it is published.

A draft is the next version's content as plain data (the shape of
vaa.publish.content_data). It may be incomplete while people work on it; only
`publish_draft` validates it, and only a valid draft becomes a version. Published
versions are never touched, so voters see nothing until the next publish.
"""

import copy
import json
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError
from sqlmodel import Session, select

from vaa.content import ElectionContent
from vaa.errors import Conflict
from vaa.formats import DataError, Problem, check_content, field_name
from vaa.models import Draft, Election, utcnow
from vaa.publish import content_data
from vaa.rules import METHODS, MISSING
from vaa.store import PublishOutcome, get_election, latest_published, publish, read_content

DEFAULT_SCALE_LABELS: dict[str, list[str]] = {
    "ka": [
        "სრულიად არ ვეთანხმები",
        "არ ვეთანხმები",
        "ნეიტრალური",
        "ვეთანხმები",
        "სრულიად ვეთანხმები",
    ],
    "en": ["Strongly disagree", "Disagree", "Neutral", "Agree", "Strongly agree"],
}
SCALE_IDS = ("disagree-strongly", "disagree", "neutral", "agree", "agree-strongly")


class StaleDraft(Conflict):
    """Someone saved the draft since this editor opened it."""

    def __init__(self, message: str) -> None:
        super().__init__("stale", message)


@dataclass(frozen=True)
class OpenDraft:
    election: Election
    data: dict[str, Any]
    revision: int
    published: bool  # whether any version of the election has been published


def new_election_data(slug: str, title: dict[str, str], languages: list[str]) -> dict[str, Any]:
    """An empty election: the title, a five-point scale and nothing else yet."""
    scale = [
        {
            "id": option,
            "label": {
                lang: DEFAULT_SCALE_LABELS[lang][i]
                for lang in languages
                if lang in DEFAULT_SCALE_LABELS
            },
        }
        for i, option in enumerate(SCALE_IDS)
    ]
    return {
        "questionnaire": {
            "election": slug,
            "title": dict(title),
            "languages": list(languages),
            "scale": scale,
            "themes": [],
            "axes": [],
            "statements": [],
            "matching": {"method": METHODS[0], "missing": MISSING[0]},
        },
        "entities": [],
    }


def create_election(
    session: Session, *, slug: str, title: dict[str, str], languages: list[str]
) -> Election:
    """A new election with an empty draft (ValueError if the slug is taken)."""
    if get_election(session, slug=slug) is not None:
        raise ValueError(f"an election {slug!r} already exists")
    election = Election(slug=slug)
    session.add(election)
    session.flush()
    assert election.id is not None
    session.add(Draft(election_id=election.id, data=new_election_data(slug, title, languages)))
    session.flush()
    return election


def open_draft(session: Session, *, slug: str) -> OpenDraft | None:
    """The election's draft; started from the newest published version if there is none."""
    election = get_election(session, slug=slug)
    if election is None:
        return None
    assert election.id is not None
    published = latest_published(session, election_id=election.id)
    draft = session.exec(select(Draft).where(Draft.election_id == election.id)).first()
    if draft is None:
        if published is None:
            return None
        draft = Draft(
            election_id=election.id,
            data=content_data(read_content(session, version=published, slug=slug)),
        )
        session.add(draft)
        session.flush()
    return OpenDraft(election, copy.deepcopy(draft.data), draft.revision, published is not None)


def save_draft(session: Session, *, slug: str, data: dict[str, Any], revision: int) -> int:
    """Store new draft data; the revision must be the one opened (StaleDraft if not)."""
    election = get_election(session, slug=slug)
    if election is None:
        raise LookupError(f"no election {slug!r}")
    draft = session.exec(select(Draft).where(Draft.election_id == election.id)).one()
    if draft.revision != revision:
        raise StaleDraft(f"the draft of {slug!r} changed since it was opened")
    draft.data = copy.deepcopy(data)
    draft.revision += 1
    draft.updated_at = utcnow()
    session.add(draft)
    session.flush()
    return draft.revision


def draft_content(data: dict[str, Any]) -> tuple[ElectionContent | None, list[Problem]]:
    """Validate draft data as publishing does: the content, or every problem found."""
    origin = f"election {data.get('questionnaire', {}).get('election', '?')}"
    try:
        # As JSON: the draft is JSON data, so a date is an ISO string there (strict mode
        # accepts that only in JSON mode).
        content = ElectionContent.model_validate_json(json.dumps(data))
    except ValidationError as exc:
        return None, [
            Problem(origin, 0, field_name(tuple(e["loc"])), e["msg"]) for e in exc.errors()
        ]
    problems = check_content(content, origin=origin)
    return (None, problems) if problems else (content, [])


def publish_draft(session: Session, *, slug: str) -> PublishOutcome:
    """Freeze the draft as the next published version (DataError with every problem)."""
    opened = open_draft(session, slug=slug)
    if opened is None:
        raise LookupError(f"no draft for {slug!r}")
    content, problems = draft_content(opened.data)
    if content is None:
        raise DataError(problems)
    return publish(session, content=content)
