"""The client side of a change feed, for the service that follows another's.

    reader = ChangeFeedReader(app.state.peers["api"])
    batch = await reader.read(after=cursor, limit=1000, wait=25)
    # apply batch.items in order, in one transaction with batch.cursor; read on from it

`FeedReset` (the feed answered 410): the cursor is below the horizon; delete every fact taken
from this feed and read it again from the beginning (`after=""`). `PeerUnavailable` (from the
service client): the peer is down or answered 5xx after retries; try again later with the same
cursor. `FeedRefused`: any other answer (a 4xx): a contract or permission error, not an outage.
"""

from typing import Any

import httpx

from shared.changes.schemas import ChangeBatch
from shared.client import ServiceClient

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

    def __init__(self, client: ServiceClient, *, timeout: float = 10.0) -> None:
        self.client = client
        self.timeout = timeout  # on top of the wait: how long the peer may take to answer

    async def read(self, after: str = "", limit: int = 1000, wait: float = 0.0) -> ChangeBatch:
        """The next batch after the cursor `after` ("" for the beginning): up to `limit`
        changes in commit order; with `wait` seconds (0–30), the peer holds the request until
        a change commits or the time is up. Raises FeedReset (410), FeedRefused (other 4xx),
        PeerUnavailable (5xx or no answer)."""
        params: dict[str, Any] = {"limit": limit, "wait": wait}
        if after:
            params["after"] = after
        response = await self.client.request(
            "GET", PATH, params=params, as_service=True, timeout=wait + self.timeout
        )
        if response.status_code == 200:
            return ChangeBatch.model_validate(response.json())
        body = _body(response)
        if response.status_code == 410:
            detail = body.get("detail", "") if isinstance(body, dict) else str(body)
            raise FeedReset(self.client.name, detail)
        raise FeedRefused(self.client.name, response.status_code, body)
