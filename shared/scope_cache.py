"""The api service's answers about where things sit, kept for a while in the asking service's
own schema, so that every process of that service gives the same answer.

The surveys and reports services ask the api service where a territory, cluster or organization
sits (`GET /v1/scopes/resolve`) on nearly every authorised request, and keep each answer for
SOKO_SCOPE_CACHE_SECONDS. Kept in a process, two workers would disagree for up to that long
after a change (one still allowing what the other already refuses); kept in a table, what one
worker learned every worker uses, and it expires for all at once (on the database's clock).

Why a table and not a check of the api's data version per request: that check is an HTTP call
to the api service on every request, what the cache is there to save. A lookup here is one
primary-key read, made on the request's own database session (`HttpScopeResolver.using`), whose
connection the request opens anyway: one round trip (0.1–0.3 ms on one host), not a connection
of its own (a checkout, its ping, BEGIN and COMMIT: about four times as long). An answer is
written (when the kept one is missing or expired) on a connection of its own, committed at
once, so no request holds the row locked while it runs.
"""

import uuid
from typing import Any

from sqlalchemy import Column, DateTime, String, Table, Uuid, func, select, text
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession

from shared.db import metadata


def scope_cache_table(schema: str) -> Table:
    """The table of one service (in its own schema); the same object on every call."""
    if (existing := metadata.tables.get(f"{schema}.scope_cache")) is not None:
        return existing
    return Table(
        "scope_cache",
        metadata,
        Column("scope_type", String(20), primary_key=True),
        Column("scope_id", Uuid, primary_key=True),
        Column("info", JSONB, nullable=False),  # ScopeInfo.to_json()
        Column("expires_at", DateTime(timezone=True), nullable=False),
        schema=schema,
    )


class ScopeCache:
    """Answers of the api service by (scope type, id), each valid for `ttl` seconds."""

    def __init__(self, engine: AsyncEngine, schema: str, ttl: float) -> None:
        # Each statement commits by itself: no BEGIN/COMMIT round trips, no lock held on.
        self._engine = engine.execution_options(isolation_level="AUTOCOMMIT")
        self._table = scope_cache_table(schema)
        self._ttl = ttl

    async def get(
        self, scope_type: str, scope_id: uuid.UUID, session: AsyncSession | None = None
    ) -> dict[str, Any] | None:
        """The answer kept for this scope unless it has expired; read through `session` when
        given (a request's), else on a connection of its own."""
        t = self._table
        query = select(t.c.info).where(
            t.c.scope_type == scope_type, t.c.scope_id == scope_id, t.c.expires_at > func.now()
        )
        if session is not None:
            return await session.scalar(query)
        async with self._engine.connect() as conn:
            return await conn.scalar(query)

    async def put(self, scope_type: str, scope_id: uuid.UUID, info: dict[str, Any]) -> None:
        """Keep an answer for `ttl` seconds from now (the database's clock), replacing an older
        one; committed at once."""
        expires_at = func.now() + text(":ttl * interval '1 second'").bindparams(ttl=self._ttl)
        statement = insert(self._table).values(
            scope_type=scope_type, scope_id=scope_id, info=info, expires_at=expires_at
        )
        statement = statement.on_conflict_do_update(
            index_elements=["scope_type", "scope_id"],
            set_={"info": statement.excluded.info, "expires_at": statement.excluded.expires_at},
        )
        async with self._engine.connect() as conn:
            await conn.execute(statement)
