"""The one way a Soko service app is built: lifespan, middleware, errors, health, routers."""

import asyncio
import logging
import multiprocessing
import signal
import threading
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager, contextmanager, suppress
from dataclasses import dataclass
from functools import partial
from typing import Any

import httpx
from anyio import CapacityLimiter
from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy import Table
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.audit_outbox import AuditOutbox
from shared.client import ServiceClient
from shared.db import Database
from shared.docs import TokenCORSMiddleware, install_docs, origin, point_token_url, token_url
from shared.error_handlers import install_error_handlers
from shared.errors import PROBLEM_SCHEMA, problem_response
from shared.headers import (
    ETAG_HEADER,
    IDEMPOTENCY_KEY_HEADER,
    IF_MATCH_HEADER,
    REQUEST_ID_HEADER,
    RETRY_AFTER_HEADER,
)
from shared.health import router as health_router
from shared.identity import ServiceTokens, TokenChecker
from shared.keyed_routes import key_writes
from shared.middleware import RequestIdMiddleware, SecurityHeadersMiddleware
from shared.migrations import head_revision
from shared.outage import DatabaseUnavailable, install_outage_handlers
from shared.repeated_params import refuse_repeated_params
from shared.scope import HttpScopeResolver
from shared.scope_cache import ScopeCache
from shared.settings import ServiceName, Settings, get_settings
from shared.uploads import BodyLimitMiddleware
from shared.validation import refuse_unstorable_input

# A service's peers by name, reached through these transports instead of the network (tests
# route peer calls to in-process apps); None or a peer left out: the network.
PeerTransports = dict[str, httpx.AsyncBaseTransport] | None
API_PREFIX = "/v1"
# What any API operation may answer besides its own outcomes (documented on every one).
COMMON_RESPONSES = {
    401: problem_response("No valid credentials"),
    422: problem_response("The request is malformed (`errors` names the fields)"),
    503: problem_response("The database or a peer service is unavailable; see Retry-After"),
}
logger = logging.getLogger("soko.app")


@contextmanager
def stop_with_supervisor() -> Iterator[None]:
    """In a uvicorn worker (`soko serve --workers N`): stop gracefully when the supervising
    process is gone (killed with SIGKILL, say), rather than serve on, orphaned, holding the
    port that a restarted supervisor needs. Elsewhere (one process, tests) nothing happens.

    multiprocessing gives a worker a pipe from its parent that reads end-of-file only when the
    parent has exited; the event loop watches it."""
    parent = multiprocessing.parent_process()
    if parent is None:
        yield
        return
    loop = asyncio.get_running_loop()

    def parent_gone() -> None:
        loop.remove_reader(parent.sentinel)
        logger.warning("the supervising process %s is gone: stopping", parent.pid)
        signal.raise_signal(signal.SIGTERM)  # uvicorn's own graceful shutdown

    loop.add_reader(parent.sentinel, parent_gone)
    try:
        yield
    finally:
        loop.remove_reader(parent.sentinel)


@contextmanager
def note_stop_signals(stopping: asyncio.Event) -> Iterator[None]:
    """Set `stopping` the moment the process is told to stop (SIGTERM, SIGINT), then let the
    server's own handler act as before. Under uvicorn this comes before its graceful shutdown,
    which waits for the requests in flight and runs the lifespan's shutdown only after them:
    a request that would wait on (a change feed's long poll) answers at once instead, and the
    stop is not held up. Only a signal that already has a Python handler (the server's) is
    chained; outside the main thread nothing happens."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    loop = asyncio.get_running_loop()
    chained = {
        sig: handler
        for sig in (signal.SIGTERM, signal.SIGINT)
        if callable(handler := signal.getsignal(sig))
    }

    def stop_signal(signum: int, frame: Any) -> None:
        with suppress(RuntimeError):  # the loop already closed
            loop.call_soon_threadsafe(stopping.set)
        chained[signum](signum, frame)

    for sig in chained:
        signal.signal(sig, stop_signal)
    try:
        yield
    finally:
        for sig, handler in chained.items():
            if signal.getsignal(sig) is stop_signal:  # not replaced since: put the server's back
                signal.signal(sig, handler)


def form_origins(settings: Settings, service: ServiceName) -> tuple[str, ...]:
    """The origins besides its own that a service's forms lead to (CSP `form-action`): for
    the api, the surveys' and reports' public URLs, where its sign-in may send a person back
    (`next`, services/api/pages/router.py); none for the others, whose forms stay home."""
    if service != "api":
        return ()
    own = origin(settings.peer_url("api"))
    peers = (origin(settings.peer_url(name)) for name in ("surveys", "reports"))
    return tuple(dict.fromkeys(o for o in peers if o != own))


def build_app(
    *,
    service: ServiceName,
    title: str,
    description: str,
    settings: Settings | None = None,
    routers: Sequence[APIRouter] = (),
    peers: Sequence[ServiceName] = (),
    optional_peers: Sequence[ServiceName] = (),
    peer_transports: PeerTransports = None,
    startup: Sequence[Callable[[FastAPI], Awaitable[None]]] = (),
    idempotency_keys: Table | None = None,
) -> FastAPI:
    """Create a service app: with `settings` (the environment's, `get_settings()`, when None),
    its `routers` under /v1, clients of its `peers` (through `peer_transports` where given;
    those also in `optional_peers` it answers without: /readyz reports them but is ready when
    they are down) and the `startup` hooks run in its lifespan. With `idempotency_keys` (the
    service's table) every POST of its routers honours `Idempotency-Key`
    (`shared.keyed_routes`). RuntimeError without a database URL."""
    settings = settings or get_settings()
    if not settings.database_url:
        raise RuntimeError(
            "SOKO_DATABASE_URL is not set: start the system with `soko up` (embedded database) "
            "or point SOKO_DATABASE_URL at a PostgreSQL server"
        )
    database_url = settings.database_url
    tokens = ServiceTokens(settings, service)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        app.state.db = Database(
            database_url,
            pool_size=settings.db_pool_size,
            pool_timeout=settings.db_pool_timeout_seconds,
        )
        background: list[asyncio.Task[None]] = []
        # Set when the process is told to stop: what waits on in a request gives up then.
        app.state.stopping = asyncio.Event()
        # This app's threads for parsing uploads (`shared.uploads.parse_upload`).
        app.state.upload_parsing = CapacityLimiter(settings.upload_parsers)
        app.state.optional_peers = frozenset(optional_peers)
        app.state.peers = {
            name: ServiceClient(
                name,
                settings.peer_url(name),
                timeout=settings.http_timeout_seconds,
                retries=settings.http_retries,
                transport=(peer_transports or {}).get(name),
                token=tokens,
            )
            for name in peers
        }
        if "api" in app.state.peers:
            # Where territories, clusters and organizations sit comes from the api service.
            api = app.state.peers["api"]
            cache = ScopeCache(app.state.db.engine, service, settings.scope_cache_seconds)
            app.state.scope_resolver = HttpScopeResolver(
                partial(api.get_json_or_none, as_service=True), cache
            )
            # Whether a user's token still stands (role, scope, activity) is the api's word too.
            app.state.token_checker = TokenChecker(api, ttl=settings.token_check_seconds)
            # The audit log is the api's too: entries go through this service's outbox.
            app.state.audit_outbox = AuditOutbox(
                service, api, app.state.db.sessionmaker, interval=settings.audit_outbox_seconds
            )
        for hook in startup:
            await hook(app)
        if "api" in app.state.peers:  # started last: nothing is left running if a hook fails
            background.append(asyncio.create_task(app.state.audit_outbox.run()))
        try:
            with stop_with_supervisor(), note_stop_signals(app.state.stopping):
                yield
        finally:
            app.state.stopping.set()
            for task in background:
                task.cancel()
            await asyncio.gather(*background, return_exceptions=True)
            for client in app.state.peers.values():
                await client.aclose()
            await app.state.db.close()

    app = FastAPI(
        title=title,
        description=description,
        version="0.1.0",
        lifespan=lifespan,
        docs_url=None,  # served by install_docs, from this app's own assets
        redoc_url=None,
    )
    app.state.service = service
    app.state.settings = settings
    app.state.migration_head = head_revision()
    # The day each idempotency table was last cleared of expired keys by this app.
    app.state.idempotency_cleared_on = {}
    app.state.idempotency_keys = idempotency_keys
    install_error_handlers(app)
    install_outage_handlers(app)
    # Innermost: its 413 gets the security headers, CORS and the request id like any answer.
    app.add_middleware(
        BodyLimitMiddleware,
        max_file_bytes=settings.upload_max_bytes,
        max_json_bytes=settings.json_max_bytes,
    )
    # The api's sign-in sends a person back to the surveys' or reports' page they came from
    # (`next`): a redirect after a form's post, which `form-action` must name too.
    app.add_middleware(SecurityHeadersMiddleware, form_origins=form_origins(settings, service))
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=[
                "Authorization",
                "Content-Type",
                IDEMPOTENCY_KEY_HEADER,
                IF_MATCH_HEADER,
                REQUEST_ID_HEADER,
            ],
            # An SPA reads a resource's ETag to send it back as If-Match (shared/etag.py).
            expose_headers=[REQUEST_ID_HEADER, RETRY_AFTER_HEADER, ETAG_HEADER],
            max_age=600,
        )
    if service == "api":  # the peers' /docs sign in at the api's token endpoint
        peers_origins = [origin(settings.peer_url(name)) for name in ("surveys", "reports")]
        app.add_middleware(TokenCORSMiddleware, origins=[*peers_origins, *settings.cors_origins])
    # Added last, so outermost: every response, CORS preflight included, carries the id.
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health_router)
    for router in routers:
        if idempotency_keys is not None:
            key_writes(router)
        app.include_router(
            router,
            prefix=API_PREFIX,
            dependencies=[Depends(refuse_unstorable_input), Depends(refuse_repeated_params)],
            responses=COMMON_RESPONSES,  # a route's own entry for a status wins
        )
    install_docs(app)
    _complete_openapi(app, token_url(settings, service))
    return app


def _complete_openapi(app: FastAPI, sign_in_url: str) -> None:
    """The OpenAPI document defines the Problem schema that every error response refers to,
    and its OAuth2 scheme signs in at `sign_in_url` (the api's token endpoint)."""
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        document = plain_openapi()  # FastAPI caches it until routes change
        document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        point_token_url(document, sign_in_url)
        return document

    app.openapi = openapi  # type: ignore[method-assign]


@dataclass(frozen=True)
class Synced:
    """What a start-up sync of reference data wrote: rows `added` (missing before) and rows
    `updated` (brought up to date: a default's words nobody edited)."""

    added: int = 0
    updated: int = 0


def reference_data(
    what: str, sync: Callable[[AsyncSession], Awaitable[int | Synced]], logger: logging.Logger
) -> Callable[[FastAPI], Awaitable[None]]:
    """A start-up hook that adds the reference data `sync` writes when it is missing (the first
    start of a database) and returns how many rows it added (an int), or a `Synced` when it
    also brings stored rows up to date; the log says each count on its own line («added 2 …»,
    «brought 1 … up to date»). A database not migrated yet, or out of reach, is left alone:
    /readyz says so, the service still starts and answers 503 until the database is back (the
    data is added at the next start)."""

    async def load(app: FastAPI) -> None:
        try:
            async with app.state.db.sessionmaker.begin() as session:
                written = await sync(session)
        except ProgrammingError:
            logger.warning("%s not loaded: the database schema is not migrated", what)
            return
        except DatabaseUnavailable as exc:
            logger.warning("%s not loaded: %s", what, exc.words)
            return
        counts = written if isinstance(written, Synced) else Synced(added=written)
        if counts.added:
            logger.info("added %d %s", counts.added, what)
        if counts.updated:
            logger.info("brought %d %s up to date", counts.updated, what)

    return load


def add_to_lifespan(
    app: FastAPI, resources: Callable[[FastAPI], AbstractAsyncContextManager[Any]]
) -> None:
    """Open `resources(app)` within the app's lifespan, once what the lifespan opens already
    (the database, peers) is open, and close it before them."""
    inner = app.router.lifespan_context

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with inner(app), resources(app):
            yield

    app.router.lifespan_context = lifespan
