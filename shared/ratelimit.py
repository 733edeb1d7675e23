"""A limit of hits per address and window, kept in PostgreSQL: every process shares it.

One hit is one statement: an upsert of the counter of (address, window) that returns the count
and the seconds left in the window. The address is stored only as an HMAC under the service's
secret (the address cannot be read back, nor tested without the secret); rows of past windows
are deleted as the limit goes, by the first hit of each window in each process.

The table is UNLOGGED: a hit writes no WAL and its commit waits for no disk flush, so hits
from one address (the parents of a school behind one NAT) do not queue behind one another's
fsync; a crash of PostgreSQL empties it, which forgets at most one window of counts. The hits
run on a small engine of their own in autocommit mode: a counter row stays locked for one
statement, never for a request's transaction, and a request that holds a connection of the
service's pool never waits for a second one from the same pool.
"""

import hashlib
import hmac
import time

from sqlalchemy import BigInteger, Column, Integer, LargeBinary, MetaData, Table, text
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.db import create_engine

_HIT = """
INSERT INTO {table} AS r (bucket, slot, hits)
VALUES (:bucket, floor(extract(epoch FROM now()) / :seconds)::bigint, 1)
ON CONFLICT (bucket, slot) DO UPDATE SET hits = r.hits + 1
RETURNING r.hits, ceil((r.slot + 1) * :seconds - extract(epoch FROM now()))::int AS wait
"""
_FORGET = """
DELETE FROM {table} WHERE slot < floor(extract(epoch FROM now()) / :seconds)::bigint
"""


def rate_limit_table(metadata: MetaData, schema: str) -> Table:
    """The counters of one service (in its own schema): one row per hashed address and window."""
    return Table(
        "rate_limit",
        metadata,
        Column("bucket", LargeBinary(32), primary_key=True),  # HMAC of scope and address
        Column("slot", BigInteger, primary_key=True),  # the window: epoch seconds // window
        Column("hits", Integer, nullable=False),
        schema=schema,
        prefixes=["UNLOGGED"],
    )


class SharedRateLimit:
    """`limit` hits per `window_seconds` (a fixed window) for each address, in one `scope`.

    Open it in an app's lifespan (`open`) and close it there (`aclose`).
    """

    def __init__(
        self,
        engine: AsyncEngine,
        table: Table,
        secret: bytes,
        *,
        scope: str,
        limit: int,
        window_seconds: int = 60,
    ) -> None:
        self._engine = engine
        self._autocommit = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._secret, self.scope = secret, scope
        self.limit, self.window = limit, window_seconds
        self._hit = text(_HIT.format(table=f"{table.schema}.{table.name}"))
        self._forget = text(_FORGET.format(table=f"{table.schema}.{table.name}"))
        self._forgotten_before = -1  # the last window whose predecessors this process deleted

    @classmethod
    def open(
        cls, database_url: str, table: Table, secret: bytes, *, pool_size: int = 4, **limits
    ) -> "SharedRateLimit":
        """A limit on an engine of its own (`pool_size` connections, as many again overflow)."""
        return cls(create_engine(database_url, pool_size=pool_size), table, secret, **limits)

    async def aclose(self) -> None:
        await self._engine.dispose()

    def bucket(self, address: str) -> bytes:
        """What is stored for an address: an HMAC-SHA256 of the scope and the address."""
        message = f"{self.scope}\x1f{address}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).digest()

    async def retry_after(self, address: str) -> int | None:
        """Count a hit of the address; None if allowed, else seconds until the window ends."""
        params = {"bucket": self.bucket(address), "seconds": self.window}
        async with self._autocommit.connect() as conn:
            window = int(time.time() // self.window)
            if window != self._forgotten_before:
                self._forgotten_before = window
                await conn.execute(self._forget, {"seconds": self.window})
            hits, wait = (await conn.execute(self._hit, params)).one()
        return None if hits <= self.limit else max(int(wait), 1)
