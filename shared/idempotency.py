"""`Idempotency-Key` for writes a client may retry: the same key and request (body and query)
give the first answer and change nothing; the same key with another request is 409.

The key is claimed by inserting it in the request's own transaction. A concurrent request with
the same key waits on the primary key until the first one commits, then finds the stored
answer; if the first one fails, its claim is rolled back with it and the retry runs afresh.

What is kept is as little as replaying needs, for anonymous answers above all: the caller
("anonymous:-" for a public survey link), a SHA-256 of the key (never the key; an anonymous
caller's bound to its request, `bound_key`), a hash of the request, the answer, and the day
(no time of day, no sequence). A key is honoured for at least
24 hours: rows of the day before yesterday and older are deleted by the first keyed request of
each day in each process.

The web form's one-time submission tokens are kept in the same table (`claim`, `release`),
under the owner "form:-": a second post of one rendered form stores nothing.
"""

import hashlib
import json
from collections.abc import Awaitable, Callable
from datetime import date
from typing import Any

from fastapi import Request
from fastapi.responses import JSONResponse, Response
from pydantic import BaseModel
from sqlalchemy import (
    Column,
    Date,
    Integer,
    MetaData,
    String,
    Table,
    delete,
    func,
    literal_column,
    select,
    update,
)
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import Conflict
from shared.headers import REPLAY_HEADER
from shared.identity import Principal


def idempotency_table(metadata: MetaData, schema: str) -> Table:
    """The table of one service's keys (each service keeps its own, in its own schema)."""
    return Table(
        "idempotency_key",
        metadata,
        Column("principal", String(100), primary_key=True),
        Column("key_hash", String(64), primary_key=True),  # SHA-256 of the client's key, hex
        Column("request_hash", String(64), nullable=False),
        Column("status_code", Integer),
        Column("response", JSONB),
        # The day only: a record of an anonymous answer must not time it.
        Column("created_on", Date, nullable=False, server_default=func.current_date(), index=True),
        schema=schema,
    )


async def _clear_expired(session: AsyncSession, table: Table, done: dict[str, date]) -> None:
    """Delete keys of the day before yesterday and older, once a day per app and table."""
    today = date.today()
    if done.get(table.fullname) == today:
        return
    done[table.fullname] = today
    await session.execute(
        delete(table).where(table.c.created_on < literal_column("CURRENT_DATE - 1"))
    )


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


async def claim(
    session: AsyncSession, table: Table, request: Request, owner: str, key: str, digest: str
) -> bool:
    """Claim `key` for `owner` in the request's transaction: True the first time, False when
    it is claimed already (a concurrent claim waits until the first commits or rolls back).
    `digest` (64 hex characters) names what the key was used for."""
    await _clear_expired(session, table, request.app.state.idempotency_cleared_on)
    claimed = await session.scalar(
        insert(table)
        .values(principal=owner, key_hash=_hash(key), request_hash=digest)
        .on_conflict_do_nothing()
        .returning(table.c.key_hash)
    )
    return claimed is not None


async def release(session: AsyncSession, table: Table, owner: str, key: str) -> None:
    """Give back a key claimed in this transaction whose write did not happen after all."""
    await session.execute(
        delete(table).where(table.c.principal == owner, table.c.key_hash == _hash(key))
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
) -> BaseModel | Response:
    """Run the write once per (caller, key); replay its answer for a retry with the same body.

    Raises Conflict (409, naming `Idempotency-Key`) for the same key with another request
    (another method, path, query or `body`).
    """
    if not key:
        return await run()
    owner = owner_of(principal)
    digest = request_digest(request, body)
    key = bound_key(owner, key, digest)
    if (replay := await claim_or_replay(session, table, request, owner, key, digest)) is not None:
        return replay
    result = await run()
    answer: Any = result.model_dump(mode="json")
    await store_answer(session, table, owner, key, status_code, answer)
    return result


ANONYMOUS = "anonymous:-"


def owner_of(principal: Principal | None) -> str:
    """Whose keys a caller's are: a user's, an API key's, a service's; `ANONYMOUS` for none."""
    return f"{principal.kind}:{principal.id}" if principal else ANONYMOUS


def bound_key(owner: str, key: str, digest: str) -> str:
    """The key as kept (then hashed): a caller's own as sent; an anonymous caller's bound to
    its request (`digest`). Anonymous callers (a public survey link's parents) share one
    owner: were a key theirs alone, anyone could send a guessed key with other answers and
    learn from the 409 that a parent used it. Bound, another request with the key is another
    key: no 409, nothing of the first request told. The same request replays, as a retry
    needs, so whoever sends a parent's key with exactly their answers gets the replay: keys
    of anonymous answers are to be unguessable (README, "Architecture")."""
    return f"{key}\n{digest}" if owner == ANONYMOUS else key


def _number(text: str) -> float | int:
    value = int(text)
    return float(value) if abs(value) <= 2**53 else value


def _canonical(request: Request, body: bytes) -> bytes:
    """A JSON body as its content, not its spelling: the same object re-serialized by a
    retrying client (other spacing, another order of keys, 7.0 for 7) is the same request;
    any other body as sent."""
    if not request.headers.get("content-type", "").lower().startswith("application/json"):
        return body
    try:  # 7, 7.0 and 7e0 are one number (ints past 2^53 kept exact)
        parsed = json.loads(body, parse_int=_number, parse_float=float)
    except ValueError:
        return body
    return json.dumps(parsed, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8", "surrogatepass"
    )


def request_digest(request: Request, body: bytes) -> str:
    """SHA-256 (hex) of what a key is bound to: method, path, query (in any order) and `body`
    (a JSON body by its content: `_canonical`)."""
    query = "&".join(f"{k}={v}" for k, v in sorted(request.query_params.multi_items()))
    said = f"{request.method} {request.url.path}?{query}\n".encode()
    return hashlib.sha256(said + _canonical(request, body)).hexdigest()


async def claim_or_replay(
    session: AsyncSession, table: Table, request: Request, owner: str, key: str, digest: str
) -> Response | None:
    """None when `key` is claimed now for `owner` (the caller runs the write, then
    `store_answer`); else the first answer to replay (`REPLAY_HEADER`). A concurrent request
    with the key waits here until the first one commits (then replays) or rolls back (then
    claims it). Raises Conflict (409 naming `Idempotency-Key`) when the key was used with
    another request (`digest`)."""
    if await claim(session, table, request, owner, key, digest):
        return None
    stored = (
        await session.execute(
            select(table.c.request_hash, table.c.status_code, table.c.response).where(
                table.c.principal == owner, table.c.key_hash == _hash(key)
            )
        )
    ).one()
    if stored.request_hash != digest:
        raise Conflict(
            "Этот Idempotency-Key уже использован с другим запросом", field="Idempotency-Key"
        )
    if stored.status_code == 204:
        return Response(status_code=204, headers={REPLAY_HEADER: "true"})
    return JSONResponse(
        stored.response, status_code=stored.status_code, headers={REPLAY_HEADER: "true"}
    )


async def store_answer(
    session: AsyncSession, table: Table, owner: str, key: str, status_code: int, answer: Any
) -> None:
    """Keep the answer (status and JSON body) of the write a claimed key ran."""
    await session.execute(
        update(table)
        .where(table.c.principal == owner, table.c.key_hash == _hash(key))
        .values(status_code=status_code, response=answer)
    )
