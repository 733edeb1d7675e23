"""`Idempotency-Key` for writes a client may retry: the same key and body give the first answer
and change nothing; the same key with another body is 409.

The key is claimed by inserting it in the request's own transaction. A concurrent request with
the same key waits on the unique index until the first one commits, then finds the stored
answer; if the first one fails, its claim is rolled back with it and the retry runs afresh.
"""

import hashlib
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Integer,
    MetaData,
    String,
    Table,
    UniqueConstraint,
    func,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import Principal
from shared.errors import Conflict

REPLAY_HEADER = "Idempotent-Replayed"


def idempotency_table(metadata: MetaData, schema: str) -> Table:
    """The table of one service's keys (each service keeps its own, in its own schema)."""
    return Table(
        "idempotency_key",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("principal", String(100), nullable=False),
        Column("key", String(200), nullable=False),
        Column("method", String(10), nullable=False),
        Column("path", String(500), nullable=False),
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer),
        Column("response", JSONB),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        UniqueConstraint("principal", "key", name="uq_idempotency_key_principal_key"),
        schema=schema,
    )


async def idempotent(
    session: AsyncSession,
    table: Table,
    request: Request,
    principal: Principal,
    key: str | None,
    body: bytes,
    run: Callable[[], Awaitable[BaseModel]],
    status_code: int = 200,
) -> BaseModel | JSONResponse:
    """Run the write once per (caller, key); replay its answer for a retry with the same body."""
    if not key:
        return await run()
    digest = hashlib.sha256(request.method.encode() + request.url.path.encode() + body).hexdigest()
    claimed = await session.scalar(
        insert(table)
        .values(
            principal=f"{principal.kind}:{principal.id}",
            key=key,
            method=request.method,
            path=request.url.path,
            request_hash=digest,
        )
        .on_conflict_do_nothing()
        .returning(table.c.id)
    )
    if claimed is None:
        stored = (
            await session.execute(
                select(table.c.request_hash, table.c.status_code, table.c.response).where(
                    table.c.principal == f"{principal.kind}:{principal.id}", table.c.key == key
                )
            )
        ).one()
        if stored.request_hash != digest:
            raise Conflict(
                "Этот Idempotency-Key уже использован с другим запросом", field="Idempotency-Key"
            )
        return JSONResponse(
            stored.response, status_code=stored.status_code, headers={REPLAY_HEADER: "true"}
        )
    result = await run()
    answer: Any = result.model_dump(mode="json")
    await session.execute(
        update(table).where(table.c.id == claimed).values(status_code=status_code, response=answer)
    )
    return result
