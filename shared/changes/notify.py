"""Wake the requests that wait for a change (`wait` > 0) when a change commits.

The feed's triggers `NOTIFY` the feed's channel in every writing statement; PostgreSQL delivers
the notification when the transaction commits, once per transaction. Each process keeps one
connection that LISTENs on the channel (opened in the app's lifespan, reopened when it is lost)
and wakes every waiting request of the process at once.

A request takes a `ticket` before it reads the feed and waits on that ticket: a notification
that arrives between its read and its wait is not lost. While the connection is down a wait
lasts at most `fallback_seconds`, so that waiting requests read the feed again now and then
rather than sleep through changes nobody told them about.
"""

import asyncio
import contextlib
import logging

import asyncpg

from shared.db import plain_url

logger = logging.getLogger("soko.changes")


class ChangeNotifier:
    """One process's LISTEN connection on one channel, and the waiters it wakes."""

    def __init__(
        self,
        database_url: str,
        channel: str,
        *,
        reconnect_seconds: float = 1.0,
        fallback_seconds: float = 0.5,
        ping_seconds: float = 30.0,
    ) -> None:
        self._url = plain_url(database_url)
        self.channel = channel
        self.reconnect_seconds = reconnect_seconds
        self.fallback_seconds = fallback_seconds
        self.ping_seconds = ping_seconds
        self._event = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._connection: asyncpg.Connection | None = None
        self.listening = asyncio.Event()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"listen {self.channel}")

    async def aclose(self) -> None:
        """Stop listening; every waiting request wakes and reads once more."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        self._wake()

    def ticket(self) -> asyncio.Event:
        """Take before reading the feed; pass to `wait`."""
        return self._event

    async def wait(
        self, ticket: asyncio.Event, seconds: float, stopping: asyncio.Event | None = None
    ) -> None:
        """Until a change commits after the ticket was taken, `stopping` is set (the process
        is told to stop), or `seconds` pass."""
        if not self.listening.is_set():
            seconds = min(seconds, self.fallback_seconds)
        waiters = [asyncio.ensure_future(ticket.wait())]
        if stopping is not None:
            waiters.append(asyncio.ensure_future(stopping.wait()))
        try:
            await asyncio.wait(waiters, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
        finally:
            for waiter in waiters:
                waiter.cancel()

    @property
    def server_pid(self) -> int | None:
        """The backend of the LISTEN connection (for tests that cut it)."""
        return self._connection.get_server_pid() if self._connection is not None else None

    def _wake(self, *_: object) -> None:
        event, self._event = self._event, asyncio.Event()
        event.set()

    async def _run(self) -> None:
        while True:
            try:
                await self._listen()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure: say so, then connect again
                logger.warning("change notifications on %s interrupted: %s", self.channel, exc)
            finally:
                self.listening.clear()
                await self._close_connection()
            # Changes may have committed while nobody listened: let waiters look.
            self._wake()
            await asyncio.sleep(self.reconnect_seconds)

    async def _listen(self) -> None:
        self._connection = connection = await asyncpg.connect(self._url, timeout=10)
        lost = asyncio.Event()
        connection.add_termination_listener(lambda _: lost.set())
        await connection.add_listener(self.channel, self._wake)
        self.listening.set()
        self._wake()
        while not lost.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(lost.wait(), self.ping_seconds)
            if not lost.is_set():  # a half-open connection shows only when used
                await connection.execute("SELECT 1", timeout=10)
        raise ConnectionError("the LISTEN connection was closed")

    async def _close_connection(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None and not connection.is_closed():
            with contextlib.suppress(Exception):
                await connection.close(timeout=2)
