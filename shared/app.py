"""The one way a Soko service app is built: lifespan, middleware, errors, health, routers."""

import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import httpx
from fastapi import APIRouter, Depends, FastAPI
from fastapi.middleware.cors import CORSMiddleware
from sqlalchemy.exc import ProgrammingError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.auth import HttpScopeResolver, ServiceTokens
from shared.client import ServiceClient
from shared.db import Database
from shared.errors import PROBLEM_SCHEMA, install_error_handlers, problem_response
from shared.health import router as health_router
from shared.middleware import RequestIdMiddleware, SecurityHeadersMiddleware
from shared.migrations import head_revision
from shared.outage import DatabaseUnavailable, install_outage_handlers
from shared.settings import ServiceName, Settings
from shared.validation import refuse_nul_characters

API_PREFIX = "/v1"
# What any API operation may answer besides its own outcomes (documented on every one).
COMMON_RESPONSES = {
    401: problem_response("Нет действительных учётных данных"),
    422: problem_response("Запрос содержит ошибки (поля названы в errors)"),
    503: problem_response("База данных или связанный сервис недоступны; см. Retry-After"),
}


def build_app(
    *,
    service: ServiceName,
    title: str,
    description: str,
    settings: Settings,
    routers: Sequence[APIRouter] = (),
    peers: Sequence[ServiceName] = (),
    peer_transports: dict[str, httpx.AsyncBaseTransport] | None = None,
    startup: Sequence[Callable[[FastAPI], Awaitable[None]]] = (),
) -> FastAPI:
    """Create a service app. `peer_transports` lets tests route peer calls to in-process apps."""
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
            app.state.scope_resolver = HttpScopeResolver(
                partial(api.get_json_or_none, as_service=True), ttl=settings.scope_cache_seconds
            )
        for hook in startup:
            await hook(app)
        try:
            yield
        finally:
            for client in app.state.peers.values():
                await client.aclose()
            await app.state.db.close()

    app = FastAPI(title=title, description=description, version="0.1.0", lifespan=lifespan)
    app.state.service = service
    app.state.settings = settings
    app.state.migration_head = head_revision()
    install_error_handlers(app)
    install_outage_handlers(app)
    app.add_middleware(SecurityHeadersMiddleware)
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
            allow_headers=["Authorization", "Content-Type", "Idempotency-Key", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
            max_age=600,
        )
    # Added last, so outermost: every response, CORS preflight included, carries the id.
    app.add_middleware(RequestIdMiddleware)
    app.include_router(health_router)
    for router in routers:
        app.include_router(
            router,
            prefix=API_PREFIX,
            dependencies=[Depends(refuse_nul_characters)],
            responses=COMMON_RESPONSES,  # a route's own entry for a status wins
        )
    _add_problem_schema(app)
    return app


def _add_problem_schema(app: FastAPI) -> None:
    """The OpenAPI document defines the Problem schema that every error response refers to."""
    plain_openapi = app.openapi

    def openapi() -> dict[str, Any]:
        document = plain_openapi()  # FastAPI caches it until routes change
        document.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
        return document

    app.openapi = openapi  # type: ignore[method-assign]


def reference_data(
    what: str, sync: Callable[[AsyncSession], Awaitable[int]], logger: logging.Logger
) -> Callable[[FastAPI], Awaitable[None]]:
    """A start-up hook that adds the reference data `sync` writes when it is missing (the first
    start of a database) and returns how many rows it added. A database not migrated yet, or out
    of reach, is left alone: /readyz says so, the service still starts and answers 503 until the
    database is back (the data is added at the next start)."""

    async def load(app: FastAPI) -> None:
        try:
            async with app.state.db.sessionmaker.begin() as session:
                added = await sync(session)
        except ProgrammingError:
            logger.warning("%s not loaded: the database schema is not migrated", what)
            return
        except DatabaseUnavailable as exc:
            logger.warning("%s not loaded: %s", what, exc.words)
            return
        if added:
            logger.info("added %d %s", added, what)

    return load
