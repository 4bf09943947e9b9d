"""Projectors woken by PostgreSQL's LISTEN/NOTIFY instead of waiting for their next poll.

Every answer written by vaa.session_answer_sql notifies CHANNEL with its session's id;
one daemon thread per process listens on its own connection and wakes the event
streams of that session in this process. Polling stays (every POLL_SECONDS): it is the
only way on SQLite, and it covers a listener that lost its connection, or writes made
by the general path, which do not notify.
"""

import asyncio
import logging
import threading
import time
from collections import defaultdict

import psycopg
import sqlalchemy as sa

from vaa.session_answer_sql import CHANNEL

log = logging.getLogger(__name__)
RECONNECT_SECONDS = 2.0
IDLE_SECONDS = 5.0
"""How often the listener checks that some stream still needs it."""


class Listener:
    """One process's listening connection and the streams waiting on each session."""

    def __init__(self, url: sa.URL) -> None:
        self.key = url.render_as_string(hide_password=False)
        self.dsn = url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._waiting: dict[int, set[tuple[asyncio.AbstractEventLoop, asyncio.Event]]] = (
            defaultdict(set)
        )
        self._lock = threading.Lock()
        self.listening = threading.Event()  # set while LISTEN is in effect
        self._thread = threading.Thread(target=self._run, name="session-notify", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def subscribe(self, session_id: int) -> asyncio.Event:
        """An event set whenever this session is notified, until `unsubscribe`."""
        event = asyncio.Event()
        with self._lock:
            self._waiting[session_id].add((asyncio.get_running_loop(), event))
        return event

    def unsubscribe(self, session_id: int, event: asyncio.Event) -> None:
        with self._lock:
            waiting = self._waiting.get(session_id, set())
            waiting.difference_update({k for k in waiting if k[1] is event})
            if not waiting:
                self._waiting.pop(session_id, None)

    def _wake(self, session_id: int) -> None:
        with self._lock:
            waiting = list(self._waiting.get(session_id, ()))
        for loop, event in waiting:
            loop.call_soon_threadsafe(event.set)

    def _run(self) -> None:
        while True:
            try:
                with psycopg.connect(self.dsn, autocommit=True) as connection:
                    connection.execute(f"LISTEN {CHANNEL}")
                    self.listening.set()
                    while not self._retire():
                        for note in connection.notifies(timeout=IDLE_SECONDS):
                            if note.payload.isdigit():
                                self._wake(int(note.payload))
                    return
            except Exception:  # the database went away: poll meanwhile, then listen again
                log.warning("session notifications lost; listening again", exc_info=True)
            self.listening.clear()
            if self._retire():
                return
            time.sleep(RECONNECT_SECONDS)

    def _retire(self) -> bool:
        """Leave when no stream of this process listens any more (its connection closes)."""
        with _LOCK, self._lock:
            if self._waiting:
                return False
            if _LISTENERS.get(self.key) is self:
                del _LISTENERS[self.key]
            return True


_LISTENERS: dict[str, Listener] = {}
_LOCK = threading.Lock()


def subscribe(engine: sa.Engine, session_id: int) -> tuple[Listener, asyncio.Event] | None:
    """Wake-ups for one session's stream in this process; None unless PostgreSQL."""
    if engine.dialect.name != "postgresql":
        return None
    key = engine.url.render_as_string(hide_password=False)
    with _LOCK:
        found = _LISTENERS.get(key)
        if found is None:
            found = _LISTENERS[key] = Listener(engine.url)
            subscribed = found, found.subscribe(session_id)
            found.start()  # after the first subscription: it would retire at once
            return subscribed
        return found, found.subscribe(session_id)
