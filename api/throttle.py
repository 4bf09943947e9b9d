"""Throttles for anonymous writes (donations, joining group sessions) and the client address.

Counts are kept in each server process, in memory: nothing about a visitor's address is
ever written to the database (architecture.md, "Private by default"), and a restart
forgets them. With several workers each keeps its own counts, so the overall limit is
per worker; the per-client limit holds as long as a client's requests reach one worker,
and is at most that many times looser otherwise.
"""

import math
import time
from collections import OrderedDict, deque
from collections.abc import Callable
from dataclasses import dataclass, field
from threading import Lock

from fastapi import Request


def client_address(request: Request) -> str:
    """The client's address: the proxy's X-Forwarded-For only when VAA_TRUSTED_PROXIES
    trusts the proxy (see api.app), else the connection's own address."""
    return request.client.host if request.client else "unknown"


@dataclass
class Throttle:
    """At most `per_client` events per client and `overall` events in all per `window` s."""

    per_client: int
    overall: int
    window: float
    clock: Callable[[], float] = time.monotonic
    max_clients: int = 50_000
    """Clients remembered at once; the least recently seen are forgotten first."""
    _clients: "OrderedDict[str, deque[float]]" = field(default_factory=OrderedDict)
    _all: deque[float] = field(default_factory=deque)
    _lock: Lock = field(default_factory=Lock)

    def wait(self, client: str) -> float:
        """Seconds until the client may have one more event (0: now), counting nothing."""
        with self._lock:
            return self._wait(client, self.clock())

    def hit(self, client: str) -> None:
        """Count one event for the client."""
        with self._lock:
            now = self.clock()
            self._wait(client, now)
            self._count(client, now)

    def check(self, client: str) -> float:
        """Count one event if the client may have it and return 0, else the seconds to wait."""
        with self._lock:
            now = self.clock()
            wait = self._wait(client, now)
            if not wait:
                self._count(client, now)
            return wait

    def _count(self, client: str, now: float) -> None:
        self._clients.setdefault(client, deque()).append(now)
        self._clients.move_to_end(client)
        self._all.append(now)
        while len(self._clients) > self.max_clients:
            self._clients.popitem(last=False)

    def _wait(self, client: str, now: float) -> float:
        since = now - self.window
        while self._all and self._all[0] <= since:
            self._all.popleft()
        mine = self._clients.get(client)
        while mine and mine[0] <= since:
            mine.popleft()
        if mine is not None and not mine:
            del self._clients[client]
            mine = None
        if mine is not None and len(mine) >= self.per_client:
            return max(mine[0] + self.window - now, 0.001)
        if len(self._all) >= self.overall:
            return max(self._all[0] + self.window - now, 0.001)
        return 0.0


def retry_minutes(wait: float) -> int:
    """Whole minutes to tell a person (rounded up, at least one)."""
    return max(1, math.ceil(wait / 60))


@dataclass
class Throttles:
    """The app's throttles (kept on app.state.throttles)."""

    donations: Throttle = field(
        default_factory=lambda: Throttle(per_client=10, overall=600, window=600)
    )
    """A voter gives one donation; ten in ten minutes from one address allows a shared
    connection (a school, a mobile carrier's NAT) and refuses a flood."""
    donation_tokens: Throttle = field(
        default_factory=lambda: Throttle(per_client=30, overall=6_000, window=600)
    )
    """Result pages (and token requests) that may donate: more than donations, fewer than
    a flood."""
    joins: Throttle = field(
        default_factory=lambda: Throttle(per_client=120, overall=3_000, window=600)
    )
    """Joining a session: a classroom behind one address joins at once."""
    join_misses: Throttle = field(
        default_factory=lambda: Throttle(per_client=10, overall=300, window=600)
    )
    """Codes that match no open session: a person mistypes a few, a prober tries millions."""


def throttles(request: Request) -> Throttles:
    found: Throttles = request.app.state.throttles
    return found
