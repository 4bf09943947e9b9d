"""Published elections, their bundles, and matching (stores nothing)."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, HTTPException, Request, Response
from sqlmodel import Session

from api.deps import PublishedDep, SessionDep
from api.published import load_prepared, published_cache
from api.schemas import (
    ConstituencyInfo,
    ElectionDetail,
    ElectionSummary,
    MatchResponse,
    Problem,
    RaceInfo,
)
from vaa.models import QuestionnaireVersion
from vaa.publish import justification_slice, voter_slice
from vaa.races import ballots
from vaa.results import (
    MatchRequest,
    match_json,
)
from vaa.store import (
    bundle_bytes,
    get_election,
    published_versions,
    version_by_checksum,
)

router = APIRouter(prefix="/api/v1", tags=["elections"])
match_router = APIRouter(prefix="/api/v1", tags=["elections"])
"""The match route alone, included before every other router: the app tries routes in
turn, and this is the one voters call most (issue 14)."""

NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {"model": Problem, "description": "No such published election or version."}
}
BAD_ANSWERS: dict[int | str, dict[str, Any]] = {
    400: {"model": Problem, "description": "The answers name something the election lacks."},
    **NOT_FOUND,
}
IMMUTABLE = "public, max-age=31536000, immutable"


def _summary(slug: str, version: QuestionnaireVersion) -> ElectionSummary:
    return ElectionSummary(
        election=slug,
        title=version.title,
        languages=version.languages,
        date=version.election_date,
        version=version.checksum or "",
        number=version.number,
        published_at=version.published_at,
        bundle=f"/api/v1/elections/{slug}/bundle/{version.checksum}",
    )


@router.get("/elections")
def read_elections(session: SessionDep) -> list[ElectionSummary]:
    """List the published elections, each at its newest version."""
    return [_summary(e.slug, v) for e, v in published_versions(session, listed=True)]


@router.get("/elections/{election}", responses=NOT_FOUND)
def read_election(ref: PublishedDep, session: SessionDep) -> ElectionDetail:
    """Describe one published election at its newest version."""
    version = session.get(QuestionnaireVersion, ref.version_id)
    assert version is not None
    content = load_prepared(session, ref).content
    q = content.questionnaire
    return ElectionDetail(
        **_summary(ref.slug, version).model_dump(),
        description=q.description,
        publisher=q.publisher,
        statements=len(q.statements),
        entities=len(content.entities),
        themes={t.id: t.label for t in q.themes},
        method=q.matching.method,
        missing=q.matching.missing,
        constituencies=[
            ConstituencyInfo(id=c.id, name=c.name, within=c.within) for c in q.constituencies
        ],
        races=[
            RaceInfo(
                id=b.id,
                title=b.title or {},
                constituency=b.constituency or "",
                entities=list(b.entity_ids),
            )
            for b in ballots(content)
            if q.races
        ],
    )


def _bundle_response(request: Request, bundle: bytes, version: str, cache: str) -> Response:
    etag = f'"{version}"'
    headers = {"ETag": etag, "Cache-Control": cache}
    if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
        return Response(status_code=304, headers=headers)
    return Response(bundle, media_type="application/json", headers=headers)


BUNDLE_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {}}, "description": "The election bundle."},
    304: {"description": "Not modified: the If-None-Match version is current."},
    **NOT_FOUND,
}


@router.get("/elections/{election}/bundle", responses=BUNDLE_RESPONSES, response_class=Response)
def read_bundle(request: Request, ref: PublishedDep, session: SessionDep) -> Response:
    """Download the newest published bundle; revalidate cheaply with If-None-Match.

    The versioned URL (`/bundle/{version}`) never changes and is cached for a year.
    """
    bundle = bundle_bytes(session, version_id=ref.version_id)
    return _bundle_response(request, bundle, ref.checksum, "public, max-age=0, must-revalidate")


@router.get(
    "/elections/{election}/bundle/{version}", responses=BUNDLE_RESPONSES, response_class=Response
)
def read_bundle_version(
    request: Request, election: str, version: str, session: SessionDep
) -> Response:
    """Download one published version's bundle, byte for byte as it was published."""
    return _bundle_response(
        request, _published_bundle(session, election, version), version, IMMUTABLE
    )


def _published_bundle(session: Session, election: str, version: str) -> bytes:
    found = get_election(session, slug=election)
    row = (
        version_by_checksum(session, election_id=found.id, version=version)
        if found is not None and found.id is not None
        else None
    )
    if row is None or row.bundle is None:
        raise HTTPException(404, f"no published version {version!r} of {election!r}")
    return row.bundle


LANGUAGE_BUNDLE = "/elections/{election}/bundle/{version}/{language}"


@dataclass(frozen=True)
class LanguageBundle:
    """The published bundle a LANGUAGE_BUNDLE path names, and the language to slice it to."""

    request: Request
    election: str
    version: str
    language: str
    bundle: bytes

    def sliced(self, slicer: Callable[[bytes, str], bytes], tag: str) -> Response:
        """One language's slice, cached for good (its ETag ends in tag)."""
        data = _in_language(slicer, self.bundle, self.election, self.language)
        etag = f"{self.version}-{self.language}{tag}"
        return _bundle_response(self.request, data, etag, IMMUTABLE)


def _language_bundle(
    request: Request, election: str, version: str, language: str, session: SessionDep
) -> LanguageBundle:
    bundle = _published_bundle(session, election, version)
    return LanguageBundle(request, election, version, language, bundle)


LanguageBundleDep = Annotated[LanguageBundle, Depends(_language_bundle)]


@router.get(LANGUAGE_BUNDLE, responses=BUNDLE_RESPONSES, response_class=Response)
def read_voter_bundle(bundle: LanguageBundleDep) -> Response:
    """Download what the quiz needs in one language (texts and answers, no reasons)."""
    return bundle.sliced(voter_slice, "")


@router.get(
    f"{LANGUAGE_BUNDLE}/justifications", responses=BUNDLE_RESPONSES, response_class=Response
)
def read_justifications(bundle: LanguageBundleDep) -> Response:
    """Download every entity's reasons and sources in one language, for the results."""
    return bundle.sliced(justification_slice, "-j")


def _in_language(
    slicer: Callable[[bytes, str], bytes], bundle: bytes, election: str, language: str
) -> bytes:
    """One language's slice of a bundle, or 404 when the election lacks the language."""
    try:
        return slicer(bundle, language)
    except KeyError:
        raise HTTPException(404, f"{election!r} has no language {language!r}") from None


@match_router.post(
    "/elections/{election}/match",
    response_model=MatchResponse,
    responses=BAD_ANSWERS,
)
async def create_match(
    election: str,
    http: Request,
    request: Annotated[MatchRequest, Body()],
) -> Response:
    """Score the answers against every entity, and race by race against the entities on
    the ballot of the given constituency (every race when none is given); nothing is stored."""
    # on the event loop: the version comes from the process's cache (a thread only to
    # read it again), and the result is written to JSON once, never through the model
    prepared = await published_cache(http).get(election)
    return Response(match_json(prepared, request), media_type="application/json")
