"""The newest published version of each election, kept per process for the match route.

Reading it from the database on every match was a quarter of the route's cost (issue 14).
An entry is trusted for REFRESH_SECONDS; a publish in this process (vaa.store bumps a
counter, again when it commits) drops every entry at once, and a publish by another
worker or the CLI is seen within REFRESH_SECONDS. One request at a time reads the version
again (in a thread); the requests meanwhile are answered from the entry it replaces,
unless this process published since, when they wait for the read.
"""

import asyncio
import time
from dataclasses import dataclass

import sqlalchemy as sa
from fastapi import Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool

from vaa.errors import NotFound
from vaa.publish import content_from_bundle
from vaa.results import PreparedElection, prepare, prepared_if_cached
from vaa.store import VersionRef, bundle_bytes, published_generation, published_ref

REFRESH_SECONDS = 1.0


@dataclass(frozen=True)
class _Entry:
    read_at: float
    generation: int
    prepared: PreparedElection


class PublishedCache:
    """One app's (one engine's) published versions, as prepared scoring arrays."""

    def __init__(self, engine: sa.Engine, refresh: float = REFRESH_SECONDS) -> None:
        self.engine = engine
        self.refresh = refresh
        self._entries: dict[str, _Entry] = {}
        self._reading: dict[str, asyncio.Future[PreparedElection]] = {}

    def cached(self, slug: str) -> PreparedElection | None:
        """The election's newest published version if read recently enough, else None."""
        entry = self._entries.get(slug)
        if (
            entry is None
            or entry.generation != published_generation()
            or time.monotonic() - entry.read_at >= self.refresh
        ):
            return None
        return entry.prepared

    async def get(self, slug: str) -> PreparedElection:
        """The election's newest published version, read again at most every `refresh`."""
        fresh = self.cached(slug)
        if fresh is not None:
            return fresh
        loop = asyncio.get_running_loop()
        reading = self._reading.get(slug)
        if reading is None or reading.get_loop() is not loop:
            reading = self._reading[slug] = asyncio.ensure_future(
                run_in_threadpool(self.load, slug)
            )
            reading.add_done_callback(lambda done: self._forget(slug, done))
        entry = self._entries.get(slug)
        if entry is not None and entry.generation == published_generation():
            return entry.prepared  # nothing was published here since: the read is a check
        return await asyncio.shield(reading)

    def _forget(self, slug: str, done: "asyncio.Future[PreparedElection]") -> None:
        if self._reading.get(slug) is done:
            del self._reading[slug]
        if not done.cancelled():
            done.exception()  # retrieved: an unknown election is each waiter's own 404

    def load(self, slug: str) -> PreparedElection:
        """Read the newest published version (blocking; NotFound when there is none)."""
        generation, read_at = published_generation(), time.monotonic()
        with Session(self.engine) as session:
            ref = published_ref(session, slug=slug)
            if ref is None:
                self._entries.pop(slug, None)
                raise NotFound("election.unknown", election=slug)
            prepared = prepared_if_cached(ref.checksum, ref.slug)
            if prepared is None:
                content = content_from_bundle(bundle_bytes(session, version_id=ref.version_id))
                prepared = prepare(content, ref.checksum)
        if len(self._entries) > 256:
            self._entries.clear()
        self._entries[slug] = _Entry(read_at, generation, prepared)
        return prepared


def published_cache(request: Request) -> PublishedCache:
    """The app's cache, made on first use."""
    state = request.app.state
    cache: PublishedCache | None = getattr(state, "published_cache", None)
    if cache is None:
        cache = state.published_cache = PublishedCache(state.engine)
    return cache


def load_prepared(session: Session, ref: VersionRef) -> PreparedElection:
    """The scoring arrays of a published version, read from its bundle once."""
    cached = prepared_if_cached(ref.checksum, ref.slug)
    if cached is not None:
        return cached
    content = content_from_bundle(bundle_bytes(session, version_id=ref.version_id))
    return prepare(content, ref.checksum)
