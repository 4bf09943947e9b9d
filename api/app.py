"""The application factory."""

import gc
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.gzip import GZipMiddleware
from starlette.formparsers import MultiPartParser
from starlette.middleware.trustedhost import TrustedHostMiddleware
from uvicorn.middleware.proxy_headers import ProxyHeadersMiddleware

from api.errors import install_error_pages
from api.etag import PageETags
from api.limits import BodyLimit
from api.pages import (
    account,
    admin_content,
    common,
    embed,
    facilitator,
    join,
    party,
    party_review,
    place,
    profiles,
    quiz,
    results,
    users,
)
from api.pages import admin as admin_pages
from api.routes import adaptive, donations, elections, health, match_lean, session_events, static
from api.security import SecurityHeaders
from api.throttle import Throttles
from vaa.db import create_db_engine
from vaa.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app for these settings; the database must already be migrated."""
    settings = settings or get_settings()
    engine = create_db_engine(settings)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        # What is alive once the app is up (modules, routes, catalogs, templates) lives as
        # long as the process: frozen, a full collection no longer walks it. Unfrozen it
        # took 0.4-0.5 s here, the event loop stalled, in the middle of a load (issue 14).
        gc.freeze()
        yield
        gc.unfreeze()
        engine.dispose()
        answers = getattr(app.state, "answer_engine", None)  # api/routes/session_events.py
        if answers is not None:
            answers.dispose()

    app = FastAPI(
        title="Voting advice application",
        version="1",
        description=(
            "Published elections, their immutable bundles, and matching that stores nothing. "
            "The method is documented in the README and in matching.md."
        ),
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.throttles = Throttles()
    app.add_middleware(PageETags)  # inside GZip: it hashes the page as rendered
    app.add_middleware(GZipMiddleware, minimum_size=500)
    app.add_middleware(
        BodyLimit,
        max_bytes=settings.max_body_bytes,
        upload_max_bytes=settings.max_upload_bytes,
    )
    # An upload stays in memory, where the body limit bounds it, instead of being spooled
    # to a temporary file before the spreadsheet checks have run (issue 13).
    MultiPartParser.spool_max_size = max(
        MultiPartParser.spool_max_size, settings.max_upload_bytes + 1
    )
    if settings.allowed_host_list != ["*"]:
        # Links in pages and redirects are built from the Host header: refuse others (400).
        app.add_middleware(
            TrustedHostMiddleware, allowed_hosts=settings.allowed_host_list, www_redirect=False
        )
    app.add_middleware(SecurityHeaders, frame_ancestors=settings.frame_ancestors)
    if settings.trusted_proxy_list:
        # Outermost, so that every other part sees the real client address and scheme.
        app.add_middleware(ProxyHeadersMiddleware, trusted_hosts=settings.trusted_proxy_list)
    install_error_pages(app)
    # The API first: a route is found by trying each in turn (matches and a room's
    # answers, issue 14).
    app.include_router(elections.match_router)
    match_lean.install(app)  # the common match without FastAPI's request machinery
    app.include_router(session_events.router)
    app.include_router(health.router)
    app.include_router(elections.router)
    app.include_router(adaptive.router)  # quick mode: next statement, certainty
    app.include_router(donations.router)
    app.include_router(static.router)
    app.include_router(account.router)  # sign-in, account, first-admin setup
    app.include_router(admin_pages.router)
    app.include_router(
        admin_content.router
    )  # elections, questionnaire, publishing (/admin/elections)
    app.include_router(users.router)  # accounts (/admin/users, /password/{token})
    app.include_router(party.router)  # party self-service (/party/...)
    app.include_router(party_review.router)  # editors review party submissions (/admin/review)
    app.include_router(facilitator.router)
    app.include_router(join.router)
    app.include_router(embed.router)  # the snippet for partner sites (/{lang}/{election}/embed)
    # Pages last: their /{lang}/ paths must not shadow the API's.
    app.include_router(common.router)
    app.include_router(quiz.router)
    app.include_router(place.router)  # where do you vote? (elections with races)
    app.include_router(results.router)
    app.include_router(profiles.router)  # a page per party and candidate
    return app
