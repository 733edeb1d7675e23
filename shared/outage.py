"""The database out of reach: a 503 with `Retry-After` and the reason in words, never a 500;
a request that lost a race with another writer (a deadlock: 503 with `Retry-After`; a key
created meanwhile: 409) is said so too, never a 500.

While PostgreSQL restarts, a request may fail at three points: connecting (refused, the Unix
socket missing, "the database system is starting up" or "shutting down"), in the middle of its
queries (the server terminated the connection), or waiting for a free connection of the pool.
`watch_connects` turns every failure to connect into `DatabaseUnavailable`, and the handlers of
`install_outage_handlers` recognise the other two; all of them answer
`503 application/problem+json` with `Retry-After` and a `reason` code. `/readyz` uses the same
words (`describe`). Once the server is back, `pool_pre_ping` replaces the dead connections.

Pages for people (the respondents' form at /s/{code}) answer an HTML page of their own instead:
`set_outage_page` gives an app the function that renders it. Logs name the route's template
(`POST /s/{code}`), never the path, which may hold a personal link's code.
"""

import asyncio
import logging
from collections.abc import Callable, Iterator
from typing import Any

import asyncpg
from fastapi import FastAPI, Request
from fastapi.responses import Response
from sqlalchemy import event
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.orm import exc as orm_exc

from shared.errors import SokoError, problem
from shared.logging import route_of

logger = logging.getLogger("soko.db")

# Reason code: (what operators read in /readyz and the log, seconds a client should wait).
REASONS: dict[str, tuple[str, int]] = {
    "refused": ("the database server refuses connections: it is not running or not listening", 5),
    "socket_missing": ("the database server's socket does not exist: the server is not running", 5),
    "starting_up": ("the database system is starting up", 5),
    "shutting_down": ("the database system is shutting down", 5),
    "recovering": ("the database system is in recovery and does not accept connections yet", 5),
    "connection_lost": ("the connection to the database was lost in the middle of a request", 2),
    "too_many_connections": ("the database server has no free connection slots", 2),
    "pool_timeout": ("every database connection of this process stayed busy too long", 2),
    "unreachable": ("the database server cannot be reached", 5),
}
_CANNOT_CONNECT_NOW = (
    ("starting up", "starting_up"),
    ("shutting down", "shutting_down"),
    ("recovery", "recovering"),
    ("not yet accepting", "starting_up"),
)


class DatabaseUnavailable(SokoError):
    """PostgreSQL cannot serve the request now; the client should retry after a few seconds."""

    status, slug = 503, "database-unavailable"
    detail = "База данных временно недоступна, повторите запрос через несколько секунд"

    def __init__(self, reason: str, cause: str = "") -> None:
        words, retry_after = REASONS[reason]
        self.reason, self.words = reason, f"{words} ({cause})" if cause else words
        super().__init__(headers={"Retry-After": str(retry_after)}, reason=reason)


def _chain(exc: BaseException) -> Iterator[BaseException]:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        yield current
        current = current.__cause__ or current.__context__


def _reason_of_one(exc: BaseException) -> str | None:
    match exc:
        case DatabaseUnavailable():
            return exc.reason
        case sa_exc.TimeoutError():
            return "pool_timeout"
        case asyncpg.CannotConnectNowError():
            text = str(exc)
            return next((r for words, r in _CANNOT_CONNECT_NOW if words in text), "starting_up")
        case asyncpg.AdminShutdownError() | asyncpg.CrashShutdownError():
            return "shutting_down"
        case asyncpg.TooManyConnectionsError():
            return "too_many_connections"
        case asyncpg.PostgresConnectionError() | asyncpg.ConnectionDoesNotExistError():
            return "connection_lost"
        case sa_exc.DBAPIError() if exc.connection_invalidated:
            return "connection_lost"
        case asyncpg.InterfaceError() if "connection is closed" in str(exc):
            return "connection_lost"
    return None


def reason_of(exc: BaseException) -> str | None:
    """The reason code when `exc` (or what caused it) means the database is out of reach."""
    return next((r for e in _chain(exc) if (r := _reason_of_one(e)) is not None), None)


def _connect_failure(exc: BaseException) -> DatabaseUnavailable | None:
    reason = reason_of(exc)
    if reason is not None:
        return DatabaseUnavailable(reason, str(exc))
    match exc:
        case FileNotFoundError():
            return DatabaseUnavailable("socket_missing", str(exc))
        case ConnectionRefusedError():
            return DatabaseUnavailable("refused", str(exc))
        case OSError() | asyncio.TimeoutError():
            return DatabaseUnavailable("unreachable", f"{type(exc).__name__}: {exc}")
    return None


def watch_connects(engine: AsyncEngine) -> None:
    """Make every failed attempt of `engine` to connect a `DatabaseUnavailable` with a reason."""

    @event.listens_for(engine.sync_engine, "do_connect")
    def connect(dialect: Any, _record: Any, cargs: Any, cparams: Any) -> Any:
        try:
            return dialect.connect(*cargs, **cparams)
        except Exception as exc:
            unavailable = _connect_failure(exc)
            if unavailable is None:
                raise
            raise unavailable from exc


def describe(exc: BaseException) -> dict[str, Any]:
    """What /readyz says about a failed database check: the reason code and its words."""
    reason = reason_of(exc)
    if reason is None:
        return {"ok": False, "reason": "error", "error": f"{type(exc).__name__}: {exc}"}
    words = exc.words if isinstance(exc, DatabaseUnavailable) else REASONS[reason][0]
    return {"ok": False, "reason": reason, "error": words}


OutagePage = Callable[[Request, "DatabaseUnavailable"], Response | None]
"""Renders the answer to a request for people while the database is away (an HTML page, 503,
with the `Retry-After` of `DatabaseUnavailable.headers`), or None for problem+json."""


def set_outage_page(app: FastAPI, page: OutagePage) -> None:
    """Let `page` answer the app's requests that fail for want of the database, where it
    returns a response (the others keep their problem+json)."""
    app.state.outage_page = page


# Concurrent writers that PostgreSQL stopped (a deadlock, a serialization failure) or that
# raced to create the same key: the request did nothing (its transaction is rolled back) and
# may simply be sent again. (status, slug, detail, Retry-After or None)
_RACES: tuple[tuple[type[Exception], int, str, str, str | None], ...] = (
    (
        asyncpg.DeadlockDetectedError,
        503,
        "concurrent-writes",
        "Запрос столкнулся с одновременным изменением тех же данных и не выполнен: ничего не "
        "сохранено, повторите его",
        "1",
    ),
    (
        asyncpg.SerializationError,
        503,
        "concurrent-writes",
        "Запрос столкнулся с одновременным изменением тех же данных и не выполнен: ничего не "
        "сохранено, повторите его",
        "1",
    ),
    (
        asyncpg.UniqueViolationError,
        409,
        "created-meanwhile",
        "Такую запись только что создал другой запрос: ничего не сохранено; повторите запрос, "
        "чтобы увидеть её",
        None,
    ),
    (  # the row an ORM update or delete aimed at was deleted (or changed) by another request
        orm_exc.StaleDataError,
        409,
        "changed-meanwhile",
        "Запись только что изменил или удалил другой запрос: ничего не сохранено; обновите "
        "её и повторите",
        None,
    ),
    (
        orm_exc.ObjectDeletedError,
        409,
        "changed-meanwhile",
        "Запись только что изменил или удалил другой запрос: ничего не сохранено; обновите "
        "её и повторите",
        None,
    ),
)


def _race(request: Request, exc: Exception) -> Response | None:
    """The answer to a request that lost a race with another writer, or None."""
    for cause in _chain(exc):
        for kind, status, slug, detail, retry_after in _RACES:
            if isinstance(cause, kind):
                logger.warning(
                    "%s on %s %s: %s", slug, request.method, route_of(request.scope), cause
                )
                headers = {"Retry-After": retry_after} if retry_after else None
                return problem(
                    status, slug=slug, detail=detail, instance=request.url.path, headers=headers
                )
    return None


async def _database_error(request: Request, exc: Exception) -> Response:
    route = route_of(request.scope)  # never the path: it may hold a personal link's code
    reason = reason_of(exc)
    if reason is None:
        if (lost := _race(request, exc)) is not None:
            return lost
        logger.error("unhandled error on %s %s", request.method, route, exc_info=exc)
        return problem(500, detail="Внутренняя ошибка сервиса", instance=request.url.path)
    unavailable = exc if isinstance(exc, DatabaseUnavailable) else DatabaseUnavailable(reason)
    logger.warning("database unavailable on %s %s: %s", request.method, route, unavailable.words)
    page: OutagePage | None = getattr(request.app.state, "outage_page", None)
    if page is not None and (answer := page(request, unavailable)) is not None:
        return answer
    return problem(
        503,
        slug=unavailable.slug,
        detail=unavailable.detail,
        instance=request.url.path,
        headers=unavailable.headers,
        reason=reason,
    )


def install_outage_handlers(app: FastAPI) -> None:
    """Answer 503 with Retry-After, not 500, when a request fails because the database is away."""
    for kind in (
        DatabaseUnavailable,
        orm_exc.StaleDataError,
        orm_exc.ObjectDeletedError,
        sa_exc.DBAPIError,
        sa_exc.TimeoutError,
        asyncpg.PostgresError,
        asyncpg.InterfaceError,
    ):
        app.add_exception_handler(kind, _database_error)
