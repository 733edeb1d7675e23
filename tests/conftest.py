"""Fixtures: one fresh PostgreSQL database per test run, the three real apps, isolated tests.

`SOKO_TEST_DATABASE_URL` names a server (any database on it; the run creates its own database
there and drops it at the end). Without it, an embedded PostgreSQL is started in a temporary
folder. Migrations are applied once per run, so every run tests them.

Each test runs inside an outer transaction that is rolled back at the end; the apps' sessions
join it through savepoints. A test marked `committed` instead lets the apps commit for real
(for concurrency) and empties every table afterwards.
"""

import asyncio
import os
import shutil
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from services.api.app import create_app as create_api
from services.reports.app import create_app as create_reports
from services.surveys.app import create_app as create_surveys
from shared.db import (
    REFERENCE_TABLES,
    SCHEMAS,
    create_engine,
    get_session,
    plain_url,
    request_session,
)
from shared.embedded import EmbeddedPostgres
from shared.migrations import upgrade
from shared.settings import Settings
from tests.factories import World, build_world

# Settings built in tests are the test environment's unless a test says otherwise: they sign
# with the public default and write no secret file into the working folder.
os.environ.setdefault("SOKO_ENVIRONMENT", "test")


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "committed: the apps commit for real; tables emptied after")


def run_sync(fn: Callable[..., Any], *args: Any) -> Any:
    """Run blocking or asyncio.run-based code off the test event loop's thread."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(fn, *args).result()


async def _execute(url: str, *statements: str) -> None:
    conn = await asyncpg.connect(plain_url(url))
    try:
        for statement in statements:
            await conn.execute(statement)
    finally:
        await conn.close()


@pytest.fixture(scope="session")
def server_url() -> Iterator[str]:
    """URL of a database on the server the run uses, for CREATE/DROP DATABASE."""
    configured = os.environ.get("SOKO_TEST_DATABASE_URL")
    if configured:
        yield configured
        return
    folder = Path(tempfile.mkdtemp(prefix="soko-test-"))
    embedded = EmbeddedPostgres(folder)
    embedded.start()
    try:
        yield embedded.url("postgres")
    finally:
        embedded.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def scratch_database(server_url: str) -> Callable[[], Any]:
    """A factory of empty databases on the test server, each dropped at the end of the run."""
    created: list[str] = []

    def make() -> str:
        name = f"soko_test_{uuid.uuid4().hex[:12]}"
        run_sync(asyncio.run, _execute(server_url, f'CREATE DATABASE "{name}"'))
        created.append(name)
        return make_url(server_url).set(database=name).render_as_string(hide_password=False)

    yield make
    for name in created:
        drop = f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'
        run_sync(asyncio.run, _execute(server_url, drop))


@pytest.fixture(scope="session")
def database_url(scratch_database: Callable[[], str]) -> str:
    url = scratch_database()
    run_sync(upgrade, url)
    return url


@pytest.fixture(scope="session")
def settings(database_url: str) -> Settings:
    # The audit outbox's background rounds are left to the tests that start an app of their own
    # (tests/reports/test_audit_outbox.py): these apps send entries right after each commit.
    return Settings(
        database_url=database_url,
        environment="test",
        log_format="text",
        audit_outbox_seconds=3600,
        # Smaller than the default (30) to keep the address's throttling tests short, and
        # other than the account's (5) so that they tell the two limits apart.
        login_max_failures_per_address=8,
    )


@dataclass
class Apps:
    api: FastAPI
    surveys: FastAPI
    reports: FastAPI

    def __iter__(self) -> Iterator[FastAPI]:
        return iter((self.api, self.surveys, self.reports))


@asynccontextmanager
async def running_apps(settings: Settings) -> AsyncIterator[Apps]:
    """The three real apps on `settings`, started; peers reach each other in process."""
    api_peers: dict[str, httpx.AsyncBaseTransport] = {}  # filled below: the api's pages ask both
    api = create_api(settings, peer_transports=api_peers)
    surveys = create_surveys(settings, peer_transports={"api": httpx.ASGITransport(app=api)})
    reports = create_reports(
        settings,
        peer_transports={
            "api": httpx.ASGITransport(app=api),
            "surveys": httpx.ASGITransport(app=surveys),
        },
    )
    api_peers |= {
        "surveys": httpx.ASGITransport(app=surveys),
        "reports": httpx.ASGITransport(app=reports),
    }
    bundle = Apps(api, surveys, reports)
    async with AsyncExitStack() as stack:
        for app in bundle:
            await stack.enter_async_context(app.router.lifespan_context(app))
        yield bundle


@pytest.fixture(scope="session")
async def apps(settings: Settings, test_engine) -> AsyncIterator[Apps]:
    """The three real apps of the run's database, which starts with what the migrations put
    in: the rows the apps add at start outside the reference tables (the shipped indicators)
    are emptied, as after a `committed` test."""
    async with running_apps(settings) as bundle:
        await _truncate_all(test_engine)
        yield bundle


@pytest.fixture
def no_scope_cache(apps: Apps, monkeypatch: pytest.MonkeyPatch) -> None:
    """As if SOKO_SCOPE_CACHE_SECONDS passed between every two requests: the surveys and
    reports services keep no answer of the api's about where schools and groups sit (each
    expires as written; shared/scope_cache.py). For tests that redraw groups or move schools
    and read again."""
    for app in (apps.surveys, apps.reports):
        monkeypatch.setattr(app.state.scope_resolver._cache, "_ttl", -3600.0)


@pytest.fixture(scope="session")
async def test_engine(database_url: str):
    engine = create_engine(database_url, pool_size=2)
    yield engine
    await engine.dispose()


async def _truncate_all(engine) -> None:
    """Empty every table but the reference data that migrations and start-up put in."""
    query = text(
        "SELECT format('%I.%I', schemaname, tablename) FROM pg_tables "
        "WHERE schemaname = ANY(:schemas) "
        "AND format('%s.%s', schemaname, tablename) <> ALL(:reference)"
    )
    async with engine.begin() as conn:
        params = {"schemas": list(SCHEMAS), "reference": list(REFERENCE_TABLES)}
        tables = (await conn.execute(query, params)).scalars().all()
        if tables:
            await conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))


@pytest.fixture
async def isolation(
    request: pytest.FixtureRequest, apps: Apps, test_engine
) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Roll back everything a test wrote (or, for `committed` tests, empty the tables).

    Yields a session factory that sees what the apps wrote in this test.
    """
    if request.node.get_closest_marker("committed"):
        yield async_sessionmaker(test_engine, expire_on_commit=False)
        await _truncate_all(test_engine)
        return
    async with test_engine.connect() as conn:
        outer = await conn.begin()
        maker = async_sessionmaker(
            bind=conn, expire_on_commit=False, join_transaction_mode="create_savepoint"
        )

        async def session_in_test_transaction() -> AsyncIterator[AsyncSession]:
            async with request_session(maker) as session:
                yield session

        for app in apps:
            app.dependency_overrides[get_session] = session_in_test_transaction
        try:
            yield maker
        finally:
            for app in apps:
                app.dependency_overrides.pop(get_session, None)
            await outer.rollback()


@pytest.fixture
async def db(isolation: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session inside the test's transaction, for arranging data and checking what was stored."""
    async with isolation() as session:
        yield session


@pytest.fixture
async def world(db: AsyncSession, settings: Settings) -> World:
    """The standard test world (`tests.factories.build_world`) in the test's transaction; a
    module that needs another world defines its own `world`."""
    return await build_world(db, settings)


def _client(app: FastAPI, name: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url=f"http://{name}")


@pytest.fixture
async def api_client(apps: Apps, isolation: None) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(apps.api, "api") as client:
        yield client


@pytest.fixture
async def surveys_client(apps: Apps, isolation: None) -> AsyncIterator[httpx.AsyncClient]:
    async with _client(apps.surveys, "surveys") as client:
        yield client


@pytest.fixture
def client(api_client, surveys_client) -> Callable[[str], httpx.AsyncClient]:
    """The api or the surveys client by the service's name."""
    return {"api": api_client, "surveys": surveys_client}.__getitem__


@pytest.fixture
async def reports_client(
    apps: Apps, isolation: async_sessionmaker[AsyncSession]
) -> AsyncIterator[httpx.AsyncClient]:
    """The reports app, its facts brought up to date before each request (the app's follower
    runs in the background in production; here what a test wrote through the other apps is
    applied at the moment it asks), so that a test posting to api then reading reports sees
    its data."""
    from tests.facts import sync_facts

    async def bring_facts_up_to_date(request: httpx.Request) -> None:
        await sync_facts(apps, isolation)

    async with _client(apps.reports, "reports") as client:
        client.event_hooks["request"].append(bring_facts_up_to_date)
        yield client


@pytest.fixture
def playwright():
    """Playwright's async API (`playwright.async_api`) for the browser tests (marked
    `in_a_browser`, tests/surveys/forms.py); the test is skipped without it."""
    return pytest.importorskip("playwright.async_api")
