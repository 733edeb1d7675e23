"""The client side of a change feed, for the service that follows another's.

    reader = ChangeFeedReader(app.state.peers["api"])
    batch = await reader.read(after=cursor, limit=1000, wait=25)
    # apply batch.items in order, in one transaction with batch.cursor; read on from it

or, to keep following (pages at once while `has_more`, then long polls):

    cursor = await reader.follow(cursor, apply=store_batch, resync=forget_everything)

`FeedReset` (the feed answered 410): the cursor is below the horizon; delete every fact taken
from this feed and read it again from the beginning (`after=""`). `PeerUnavailable`: the peer
is down, timed out or answered 5xx; try again later with the same cursor. `FeedRefused`: any
other answer (a 4xx): a contract or permission error, not an outage.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import Any

import httpx

from shared.changes.schemas import ChangeBatch
from shared.client import ServiceClient
from shared.errors import PeerUnavailable

logger = logging.getLogger("soko.changes")

PATH = "/v1/changes"


class FeedReset(Exception):
    """The feed no longer holds what came after this cursor: resync from the beginning."""

    def __init__(self, peer: str, detail: str) -> None:
        self.peer, self.detail = peer, detail
        super().__init__(f"the {peer} change feed was reset: {detail}")


class FeedRefused(Exception):
    """The feed refused the request (4xx other than 410): a bug or a permission, not an outage."""

    def __init__(self, peer: str, status: int, body: Any) -> None:
        self.peer, self.status, self.body = peer, status, body
        super().__init__(f"the {peer} change feed answered {status}: {body}")


def _body(response: httpx.Response) -> Any:
    try:
        return response.json()
    except ValueError:
        return response.text[:500]


class ChangeFeedReader:
    """Reads one peer's `GET /v1/changes` as this service (never on behalf of a user)."""

    def __init__(
        self, client: ServiceClient, *, timeout: float = 10.0, retry_seconds: float = 5.0
    ) -> None:
        self.client = client
        self.timeout = timeout  # on top of the wait: how long the peer may take to answer
        self.retry_seconds = retry_seconds  # after PeerUnavailable, in `follow`

    async def read(self, after: str = "", limit: int = 1000, wait: float = 0.0) -> ChangeBatch:
        """The next batch after the cursor `after` ("" for the beginning): up to `limit`
        changes in commit order; with `wait` seconds (0–30), the peer holds the request until
        a change commits or the time is up. Raises FeedReset (410), FeedRefused (other 4xx),
        PeerUnavailable (5xx, a timeout or no answer)."""
        params: dict[str, Any] = {"limit": limit, "wait": wait}
        if after:
            params["after"] = after
        # A timeout or a transport error: the client retries, then raises PeerUnavailable.
        response = await self.client.request(
            "GET", PATH, params=params, as_service=True, timeout=wait + self.timeout
        )
        if response.status_code == 200:
            return ChangeBatch.model_validate(response.json())
        body = _body(response)
        if response.status_code >= 500:
            raise PeerUnavailable(
                f"Сервис {self.client.name} недоступен (HTTP {response.status_code})",
                peer=self.client.name,
            )
        if response.status_code == 410:
            detail = body.get("detail", "") if isinstance(body, dict) else str(body)
            raise FeedReset(self.client.name, detail)
        raise FeedRefused(self.client.name, response.status_code, body)

    async def follow(
        self,
        after: str,
        apply: Callable[[ChangeBatch], Awaitable[None]],
        resync: Callable[[], Awaitable[None]],
        *,
        limit: int = 1000,
        wait: float = 25.0,
        until_caught_up: bool = False,
    ) -> str:
        """Follow the feed from the cursor `after` ("" for the beginning), for ever (until
        cancelled) or, with `until_caught_up`, until a batch says nothing more is there.

        Each batch goes to `apply` (which stores its items and its `cursor` in one
        transaction); pages come at once while `has_more`, then the requests wait up to `wait`
        seconds for a change. On FeedReset `resync()` is awaited (it drops every fact taken
        from this feed) and reading starts again from the beginning. PeerUnavailable is
        logged and retried after `retry_seconds` from the same cursor. FeedRefused, and any
        error of `apply` or `resync`, is raised. Returns the last cursor."""
        cursor, more = after, True
        while True:
            try:
                batch = await self.read(cursor, limit, 0.0 if more else wait)
            except FeedReset as reset:
                logger.warning("%s; resync from the beginning", reset)
                await resync()
                cursor, more = "", True
                continue
            except PeerUnavailable as exc:
                logger.warning("the %s change feed is unavailable: %s", self.client.name, exc)
                await asyncio.sleep(self.retry_seconds)
                continue
            await apply(batch)
            cursor, more = batch.cursor, batch.has_more
            if until_caught_up and not more:
                return cursor
