"""Serving a change feed: `GET /v1/changes`, its long poll, its horizon, its compaction.

`serve_changes(app, feed)` opens, in the app's lifespan, the process's LISTEN connection and a
task that compacts the feed now and then; `changes_router(caller)` is the endpoint, with the
service's own dependency for the caller.
"""

import asyncio
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request, Response
from sqlalchemy.ext.asyncio import AsyncSession

from shared.app import add_to_lifespan
from shared.changes.feed import Feed, FeedRow, fetch
from shared.changes.notify import ChangeNotifier
from shared.changes.positions import MAX_CURSOR_CHARS, Cursor, decode_cursor, encode_cursor
from shared.changes.schemas import ChangeBatch, ChangeItem
from shared.db import Database, SessionDep
from shared.errors import Forbidden, SokoError, Unauthorized, error_responses
from shared.identity import Principal
from shared.settings import Settings

logger = logging.getLogger("soko.changes")

MAX_LIMIT = 5000
DEFAULT_LIMIT = 1000
MAX_WAIT_SECONDS = 30.0
# While committed changes wait behind a transaction still running (which may never notify:
# it may write nothing of the feed), a waiting request reads again after these delays.
HELD_BACK_FIRST_SECONDS = 0.05
HELD_BACK_MAX_SECONDS = 0.5
COMPACT_EVERY_SECONDS = 600.0


class CursorExpired(SokoError):
    """410: the cursor is below the feed's horizon; deletions it has not seen are forgotten."""

    status, slug = 410, "change-cursor-expired"
    detail = (
        "Курсор устарел: удалённые записи до него уже не хранятся. Удалите свою копию и "
        "прочитайте ленту с начала (без after)"
    )
    documented = (
        "The cursor is past the feed's horizon: deletions before it are forgotten; drop the "
        "copy and read the feed from the start (no `after`)"
    )


class CursorAhead(CursorExpired):
    """410 too: the cursor is past every change the database has given out (forged, or kept
    from before the database was restored from an older backup). Nothing would ever come after
    it, so the reader starts again from the beginning, as for an expired cursor."""

    detail = (
        "Курсор впереди ленты: таких изменений в базе ещё не было (база восстановлена из "
        "более ранней копии?). Удалите свою копию и прочитайте ленту с начала (без after)"
    )


@dataclass(frozen=True)
class ChangeFeed:
    """What a process serves its feed with (`app.state.changes`); `stopping` is set when the
    process is told to stop (`app.state.stopping`): a long poll answers then."""

    feed: Feed
    notifier: ChangeNotifier
    stopping: asyncio.Event


def require_own_service(principal: Principal, what: str = "Ленту изменений читают") -> None:
    """Forbidden (403) unless the caller is a Soko service acting for nobody (`what`: who
    does what, in the message)."""
    if principal.kind != "service":
        raise Forbidden(f"{what} только сервисы Soko своим токеном, без X-Soko-User")


def _batch(feed: Feed, cursor: Cursor, rows: list[FeedRow], limit: int) -> ChangeBatch:
    delivered = rows[:limit]
    last = delivered[-1].position if delivered else cursor.position
    # Built from the feed's own rows, not validated again (a page is up to 5,000 of them).
    return ChangeBatch.model_construct(
        items=[
            ChangeItem.model_construct(entity=r.entity, key=r.key, op=r.op, state=r.state)
            for r in delivered
        ],
        cursor=encode_cursor(feed.service, last, cursor.safe),
        has_more=len(rows) > limit,
    )


async def read_changes(
    session: AsyncSession, served: ChangeFeed, after: str | None, limit: int, wait: float
) -> ChangeBatch:
    """Up to `limit` changes after the cursor `after` ("" or None: from the beginning), in
    commit order; with `wait` > 0 seconds, when there is none yet, wait for one that long.
    The wait ends early, with the page as it is (no changes, the same cursor), when the
    process is told to stop (`stopping`): a stop is not held up by a waiting poll.

    Raises Invalid (422 naming `after`) for a cursor this feed did not give, CursorExpired
    (410) for one below the horizon, CursorAhead (410 as well) for one past every change the
    database has given out (`Fetched.beyond`). While it waits the request holds no connection."""
    feed = served.feed
    cursor = decode_cursor(feed.service, after)
    loop = asyncio.get_running_loop()
    deadline = loop.time() + wait
    delay = HELD_BACK_FIRST_SECONDS
    while True:
        ticket = served.notifier.ticket()
        fetched = await fetch(session, feed, cursor.position, limit + 1)
        if fetched.beyond(cursor.checked_to()):
            raise CursorAhead()
        if fetched.horizon is not None:
            if cursor.fresh:
                # The resync needs no deletion removed before it began.
                cursor = Cursor(cursor.position, fetched.horizon)
            elif fetched.horizon > cursor.checked_to():
                raise CursorExpired()
        remaining = deadline - loop.time()
        if fetched.rows or remaining <= 0 or served.stopping.is_set():
            return _batch(feed, cursor, fetched.rows, limit)
        await session.rollback()  # ends the read: no connection nor snapshot kept while waiting
        if fetched.held_back:
            await _until(served.stopping, min(delay, remaining))
            delay = min(2 * delay, HELD_BACK_MAX_SECONDS)
        else:
            await served.notifier.wait(ticket, remaining, served.stopping)


async def _until(event: asyncio.Event, seconds: float) -> None:
    """Until `event` is set or `seconds` pass."""
    with suppress(TimeoutError):
        await asyncio.wait_for(event.wait(), seconds)


async def compact(session: AsyncSession, feed: Feed, retention_days: int) -> int:
    """Delete tombstones older than `retention_days` and raise the horizon past them; returns
    how many were deleted."""
    result = await session.execute(feed.compaction_statement, {"days": retention_days})
    return int(result.scalar_one())


async def _compact_now_and_then(db: Database, feed: Feed, settings: Settings) -> None:
    while True:
        try:
            async with db.sessionmaker.begin() as session:
                removed = await compact(session, feed, settings.changes_retention_days)
            if removed:
                logger.info("removed %d tombstones from the %s feed", removed, feed.service)
        except Exception as exc:  # the database away or not migrated: try again later
            logger.warning("the %s feed was not compacted: %s", feed.service, exc)
        await asyncio.sleep(COMPACT_EVERY_SECONDS)


def serve_changes(app: FastAPI, feed: Feed) -> None:
    """Within the app's lifespan: the LISTEN connection and the compaction task."""
    settings: Settings = app.state.settings

    @asynccontextmanager
    async def running(app: FastAPI) -> AsyncIterator[None]:
        assert settings.database_url is not None  # build_app refuses an app without one
        notifier = ChangeNotifier(settings.database_url, feed.channel)
        notifier.start()
        app.state.changes = ChangeFeed(feed, notifier, app.state.stopping)
        compactor = asyncio.create_task(
            _compact_now_and_then(app.state.db, feed, settings), name="compact changes"
        )
        try:
            yield
        finally:
            compactor.cancel()
            with suppress(asyncio.CancelledError):
                await compactor
            await notifier.aclose()

    add_to_lifespan(app, running)


def changes_router(caller: Any) -> APIRouter:
    """`GET /changes` of a service; `caller` is its dependency for the authenticated caller."""
    router = APIRouter(tags=["changes"])

    async def own_service(principal: caller) -> None:
        # A route dependency: the 403 comes before the query (`after`, `limit`) is read.
        require_own_service(principal)

    @router.get(
        "/changes",
        response_model=ChangeBatch,
        responses=error_responses(Unauthorized, Forbidden, CursorExpired),
        dependencies=[Depends(own_service)],
    )
    async def get_changes(
        request: Request,
        session: SessionDep,
        after: Annotated[
            str,
            Query(
                max_length=MAX_CURSOR_CHARS,
                description="The previous answer's cursor; empty: from the start (a full export)",
            ),
        ] = "",
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT, description="Changes per answer")] = (
            DEFAULT_LIMIT
        ),
        wait: Annotated[
            float,
            Query(
                ge=0,
                le=MAX_WAIT_SECONDS,
                allow_inf_nan=False,
                description="Seconds to wait for a change when there is none yet (long poll)",
            ),
        ] = 0,
    ) -> Response:
        """The service's change feed for other Soko services (their own token, no
        `X-Soko-User`; 403 for anyone else): up to `limit` (1–5000) changes after the cursor
        `after`, in commit order, each `{entity, key, op: upsert|delete, state}`, with the
        `cursor` to read on from and `has_more`. Without `after` it gives every live row once,
        at its latest state (the resync). `wait` (0–30 s): when nothing is there yet, answer
        as soon as a change commits or the time is up. 410 when the cursor is older than the
        horizon, or past every change the database has given out (a database restored from
        an older backup): read from the beginning again; 422 naming `after` for a cursor this feed
        did not give. Entities and their fields: README, "Change feeds"."""
        batch = await read_changes(session, request.app.state.changes, after, limit, wait)
        # Serialized once, as it was built (FastAPI would validate the page again).
        return Response(batch.model_dump_json(), media_type="application/json")

    return router
