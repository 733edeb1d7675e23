"""Anonymous submissions delivered as a careful client does, and the count of what was kept.

Each submission carries its own Idempotency-Key and is sent again with the same key after any
error, 5xx, 429 or timeout until the service acknowledges it (201). Afterwards the database
says what it stored; compared with what was acknowledged:

- acknowledged: submissions the service answered 201 (each once, however often it was sent);
- stored: responses of the campaign in the database;
- duplicated: stored responses that no acknowledgement names (a retry stored twice);
- lost: acknowledged responses that are not stored.

A service that keeps its promises gives n, n, 0, 0.
"""

import asyncio
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field

import asyncpg
import httpx

from shared.db import plain_url


@dataclass
class Delivery:
    acknowledged: dict[int, str] = field(default_factory=dict)  # submission -> response id
    attempts: int = 0
    retried: Counter[str] = field(default_factory=Counter)  # why: "503", "timeout", ...
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0


async def deliver(
    url: str,
    bodies: list[dict],
    clients: int,
    *,
    key_prefix: str,
    request_timeout: float = 10.0,
    give_up_after: float = 600.0,
    into: Delivery | None = None,
) -> Delivery:
    """POST every body to `url` from `clients` concurrent clients until each is acknowledged
    (or `give_up_after` seconds have passed since the start). `into`: a Delivery to fill, for
    a caller that watches the progress."""
    done = into if into is not None else Delivery()
    queue = iter(enumerate(bodies))
    started = time.monotonic()
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client_loop(client: httpx.AsyncClient) -> None:
        for index, body in queue:
            headers = {"Idempotency-Key": f"{key_prefix}-{index}"}
            first = time.perf_counter()
            while time.monotonic() - started < give_up_after:
                done.attempts += 1
                try:
                    answer = await client.post(url, json=body, headers=headers)
                except httpx.TimeoutException:
                    done.retried["timeout"] += 1
                except httpx.TransportError as exc:
                    done.retried[type(exc).__name__] += 1
                else:
                    if answer.status_code == 201:
                        done.acknowledged[index] = answer.json()["id"]
                        done.latencies.append(time.perf_counter() - first)
                        break
                    done.retried[str(answer.status_code)] += 1
                    if answer.status_code == 429:
                        await asyncio.sleep(float(answer.headers.get("Retry-After", "1")))
                        continue
                await asyncio.sleep(0.2)  # the service or its database is coming back

    async with httpx.AsyncClient(timeout=request_timeout, limits=limits) as client:
        await asyncio.gather(*(client_loop(client) for _ in range(clients)))
    done.seconds = time.monotonic() - started
    return done


@dataclass
class Tally:
    acknowledged: int
    stored: int
    duplicated: int
    lost: int

    def line(self) -> str:
        return (
            f"acknowledged={self.acknowledged} stored={self.stored} "
            f"duplicated={self.duplicated} lost={self.lost}"
        )


async def tally(database_url: str, campaign_id: str, delivery: Delivery) -> Tally:
    """Compare what was acknowledged with the responses the database holds for the campaign."""
    conn = await asyncpg.connect(plain_url(database_url))
    try:
        rows = await conn.fetch(
            "SELECT id FROM surveys.response WHERE campaign_id = $1", uuid.UUID(campaign_id)
        )
    finally:
        await conn.close()
    stored = {str(row["id"]) for row in rows}
    acknowledged = set(delivery.acknowledged.values())
    return Tally(
        acknowledged=len(delivery.acknowledged),
        stored=len(stored),
        duplicated=len(stored - acknowledged),
        lost=len(acknowledged - stored),
    )


async def one_address_budget(url: str, body: dict, sent: int, clients: int = 10) -> Counter[int]:
    """Send `sent` submissions from this one address at once, each on a new connection (so
    that several workers share them), without retrying: the status codes, counted."""
    statuses: Counter[int] = Counter()
    queue = iter(range(sent))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=0)
    async with httpx.AsyncClient(timeout=30, limits=limits) as client:

        async def client_loop() -> None:
            for index in queue:
                headers = {"Idempotency-Key": f"budget-{uuid.uuid4().hex}-{index}"}
                statuses[(await client.post(url, json=body, headers=headers)).status_code] += 1

        await asyncio.gather(*(client_loop() for _ in range(clients)))
    return statuses
