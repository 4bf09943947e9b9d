"""`vaa load`: validate data files as a whole, then publish them in one transaction."""

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from vaa import audit
from vaa.content import ElectionContent, Parties, Questionnaire
from vaa.formats import (
    DataError,
    ParsedFile,
    Problem,
    check_parties,
    check_questionnaire,
    parse_file,
)
from vaa.store import PublishOutcome, get_election, latest_published, publish, read_content


@dataclass(frozen=True)
class LoadOutcome:
    """One election after loading: its slug, version number, and whether it changed."""

    slug: str
    number: int
    version: str
    changed: bool


def read_elections(
    paths: Sequence[Path | str],
    *,
    existing: Callable[[str], ElectionContent | None] = lambda _slug: None,
) -> list[ElectionContent]:
    """Validate files together and assemble one content per election, or raise DataError.

    A questionnaire loaded without its party file keeps the election's current
    entities, and a party file loaded alone is checked against the current questionnaire.
    """
    problems: list[Problem] = []
    questionnaires: dict[str, ParsedFile] = {}
    party_files: dict[str, ParsedFile] = {}
    for path in paths:
        parsed, found = parse_file(path)
        problems += found
        if parsed is None:
            continue
        slug = parsed.model.election
        group = questionnaires if isinstance(parsed.model, Questionnaire) else party_files
        if slug in group:
            problems.append(
                Problem(
                    parsed.path,
                    parsed.line_of(("election",)),
                    "election",
                    f"{slug!r} is also in {group[slug].path}",
                )
            )
            continue
        group[slug] = parsed
    contents: list[ElectionContent] = []
    for slug in sorted(questionnaires.keys() | party_files.keys()):
        current = existing(slug)
        q_file = questionnaires.get(slug)
        p_file = party_files.get(slug)
        if q_file is not None:
            problems += check_questionnaire(q_file)
            assert isinstance(q_file.model, Questionnaire)
            questionnaire = q_file.model
        elif current is not None:
            questionnaire = current.questionnaire
        else:
            assert p_file is not None
            problems.append(
                Problem(
                    p_file.path,
                    p_file.line_of(("election",)),
                    "election",
                    f"no questionnaire for {slug!r}: load its questionnaire file too",
                )
            )
            continue
        if p_file is not None:
            problems += check_parties(p_file, questionnaire)
            assert isinstance(p_file.model, Parties)
            entities = p_file.model.entities
        else:
            entities = current.entities if current is not None else []
        content = ElectionContent(questionnaire=questionnaire, entities=entities)
        if p_file is None and current is not None:
            # The kept entities must still fit the new questionnaire.
            problems += [
                Problem(
                    q_file.path if q_file else "",
                    1,
                    p.field,
                    f"{p.message} (in the party data already loaded)",
                )
                for p in check_parties(
                    ParsedFile("", Parties(election=slug, entities=entities), {}), questionnaire
                )
            ]
        contents.append(content)
    if problems:
        raise DataError(problems)
    return contents


def current_content(session: Session, slug: str) -> ElectionContent | None:
    """The content voters see now for an election, if it was ever published."""
    election = get_election(session, slug=slug)
    if election is None or election.id is None:
        return None
    version = latest_published(session, election_id=election.id)
    if version is None:
        return None
    return read_content(session, version=version, slug=slug)


def load_files(
    session: Session, *, paths: Sequence[Path | str], actor: str = "system"
) -> list[LoadOutcome]:
    """Validate and publish data files; all or nothing. The caller commits.

    Each election loaded is in the audit log (as `actor`: "cli" for `vaa load`), also when
    the files changed nothing, so the log shows every load that was run.
    """
    contents = read_elections(paths, existing=lambda slug: current_content(session, slug))
    outcomes: list[PublishOutcome] = [publish(session, content=c) for c in contents]
    loaded = [
        LoadOutcome(
            slug=c.slug,
            number=o.version.number,
            version=o.version.checksum or "",
            changed=o.created,
        )
        for c, o in zip(contents, outcomes, strict=True)
    ]
    files = [Path(p).name for p in paths]
    for o in loaded:
        after = {"version": o.number, "checksum": o.version, "changed": o.changed, "files": files}
        audit.record(session, actor, "election.load", f"election:{o.slug}", None, after)
    return loaded
