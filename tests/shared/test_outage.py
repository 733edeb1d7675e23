"""While PostgreSQL is away, every service answers 503 with Retry-After, and /readyz says why.

The kinds, each produced for real: a throwaway embedded server stopped and started again (its
socket disappears), a port nobody listens on (refused), a PostgreSQL-speaking stand-in that
answers "starting up" or "shutting down" (states a real server holds only for a moment), a
backend terminated in the middle of a request, and a pool whose connections all stay busy.
Never the machine's own server: the tests use their own database on it or their own server.
"""

import asyncio
import struct
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text
from sqlalchemy.orm import exc as orm_exc

from bench.common import free_port
from services.api.app import create_app as create_api
from services.api.auth.service import user_principal
from services.api.users.models import User
from services.reports.app import create_app as create_reports
from services.surveys.app import create_app as create_surveys
from shared.db import SessionDep, plain_url
from shared.embedded import EmbeddedPostgres
from shared.identity import issue_user_token
from shared.migrations import upgrade
from shared.settings import Settings
from tests.conftest import Apps, run_sync, running_apps
from tests.factories import add_user

PROBLEM = "application/problem+json"
NOK = {f"nok_{i:02d}": True for i in range(1, 15) if i != 7} | {"nok_06": False}


@asynccontextmanager
async def started(settings: Settings, probe: APIRouter | None = None) -> AsyncIterator[Apps]:
    """The three apps on `settings`' database; `probe` adds a router of the test's to each."""
    if probe is None:
        async with running_apps(settings) as apps:
            yield apps
        return
    api_peers: dict[str, httpx.AsyncBaseTransport] = {}  # its pages' peers, as running_apps
    with_probe = [
        create_api(settings, peer_transports=api_peers),
        create_surveys(settings),
        create_reports(settings),
    ]
    for app in with_probe:
        app.include_router(probe, prefix="/v1")
    api_peers |= {
        "surveys": httpx.ASGITransport(app=with_probe[1]),
        "reports": httpx.ASGITransport(app=with_probe[2]),
    }
    async with AsyncExitStack() as stack:
        for app in with_probe:
            await stack.enter_async_context(app.router.lifespan_context(app))
        yield Apps(*with_probe)


def client(app) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def assert_unavailable(answer: httpx.Response, *reasons: str) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == PROBLEM
    assert int(answer.headers["retry-after"]) > 0
    body = answer.json()
    assert "недоступ" in body["detail"]  # недоступна (the database), недоступен (a peer)
    if body["type"] == "urn:soko:problem:database-unavailable":
        assert body["reason"] in reasons, body
    else:  # a peer whose own database is away
        assert body["type"] == "urn:soko:problem:peer-unavailable", body


async def public_writes(apps: Apps) -> tuple[httpx.Response, httpx.Response]:
    """A sign-in to the api service and an anonymous survey response: no token, yet both need
    the database."""
    async with client(apps.api) as api:
        sign_in = await api.post("/v1/auth/token", data={"username": "a@b.c", "password": "x"})
    async with client(apps.surveys) as surveys:
        public = await surveys.post(f"/v1/campaigns/{uuid.uuid4()}/responses", json={"answers": {}})
    return sign_in, public


async def readiness(app) -> tuple[int, dict]:
    async with client(app) as c:
        answer = await c.get("/readyz")
    return answer.status_code, answer.json()["checks"]["database"]


# --- the server stopped and started again ---------------------------------------------------


@pytest.fixture(scope="module")
def throwaway(tmp_path_factory):
    """A PostgreSQL of this module's own, in a temporary folder, migrated."""
    server = EmbeddedPostgres(tmp_path_factory.mktemp("outage"))
    url = run_sync(server.start)
    run_sync(upgrade, url)
    yield server, url
    run_sync(server.stop)


class Calls:
    """A read and a write of each service, as an administrator and as a parent."""

    def __init__(self, apps: Apps, admin: dict[str, str], campaign: str, org: str) -> None:
        self.apps, self.admin, self.campaign, self.org = apps, admin, campaign, org

    async def all(self) -> dict[str, httpx.Response]:
        unique = uuid.uuid4().hex[:8]
        answers = {}
        async with client(self.apps.api) as api:
            answers["api read"] = await api.get("/v1/territories", headers=self.admin)
            region = {"name": f"Область {unique}", "kind": "region"}
            answers["api write"] = await api.post(
                "/v1/territories", json=region, headers=self.admin
            )
        async with client(self.apps.surveys) as surveys:
            answers["surveys read"] = await surveys.get("/v1/campaigns", headers=self.admin)
            answers["surveys write"] = await surveys.post(
                f"/v1/campaigns/{self.campaign}/responses",
                json={"organization_id": self.org, "answers": NOK},
            )
        async with client(self.apps.reports) as reports:
            answers["reports read"] = await reports.get("/v1/pd-programmes", headers=self.admin)
            programme = {
                "code": f"outage_{unique}",
                "title": "Программа",
                "provider": "ИМЦ",
                "hours": 36,
                "competences": ["subject"],
            }
            answers["reports write"] = await reports.post(
                "/v1/pd-programmes", json=programme, headers=self.admin
            )
        return answers


async def prepare(apps: Apps, settings: Settings) -> Calls:
    """An administrator, a school and an open parents' survey there."""
    async with apps.api.state.db.sessionmaker.begin() as session:
        user = add_user(session, f"admin-{uuid.uuid4().hex[:6]}@soko.example", "admin")
        await session.flush()
        admin = {"Authorization": f"Bearer {issue_user_token(settings, user_principal(user))}"}
    async with client(apps.api) as api:
        region = await api.post(
            "/v1/territories", json={"name": "Область", "kind": "region"}, headers=admin
        )
        school = {"name": "Школа", "kind": "school", "territory_id": region.json()["id"]}
        org = (await api.post("/v1/organizations", json=school, headers=admin)).json()["id"]
    async with client(apps.surveys) as surveys:
        listed = await surveys.get("/v1/instruments?limit=100", headers=admin)
        instrument = next(
            i["id"] for i in listed.json()["items"] if i["code"] == "nok_parents_2018"
        )
        now = datetime.now(UTC)
        campaign = {
            "title": "НОК",
            "instrument_id": instrument,
            "audience": "parents",
            "organization_ids": [org],
            "period": "2021/2022",
            "opens_at": (now - timedelta(days=1)).isoformat(),
            "closes_at": (now + timedelta(days=7)).isoformat(),
            "anonymous": True,
        }
        created = await surveys.post("/v1/campaigns", json=campaign, headers=admin)
        assert created.status_code == 201, created.text
    return Calls(apps, admin, created.json()["id"], org)


async def test_a_stopped_server_is_503_everywhere_and_a_restarted_one_serves_again(throwaway):
    server, url = throwaway
    settings = Settings(database_url=url, environment="test", log_format="text")
    async with started(settings) as apps:
        calls = await prepare(apps, settings)
        before = await calls.all()
        assert {k: a.status_code for k, a in before.items()} == {
            "api read": 200,
            "api write": 201,
            "surveys read": 200,
            "surveys write": 201,
            "reports read": 200,
            "reports write": 201,
        }
        run_sync(server.stop)
        try:
            for answer in (await calls.all()).values():
                assert_unavailable(answer, "socket_missing", "refused", "shutting_down")
            for app in apps:
                status, database = await readiness(app)
                assert status == 503
                assert database["ok"] is False
                assert database["reason"] in ("socket_missing", "refused")
                assert "not running" in database["error"]
        finally:
            run_sync(server.start)
        after = await calls.all()
        assert {k: a.status_code for k, a in after.items()} == {
            k: a.status_code for k, a in before.items()
        }
        for app in apps:
            assert (await readiness(app))[0] == 200


# --- refused, starting up, shutting down ----------------------------------------------------


def admin_token(settings: Settings) -> dict[str, str]:
    """A valid administrator's token (of an account the database would be asked about)."""
    admin = User(email="admin@soko.example", full_name="admin", password_hash="-", role="admin")
    return {"Authorization": f"Bearer {issue_user_token(settings, user_principal(admin))}"}


async def test_a_port_nobody_listens_on_is_503_refused(settings):
    dead = settings.model_copy(
        update={"database_url": f"postgresql://postgres@127.0.0.1:{free_port()}/soko"}
    )
    async with started(dead) as apps:
        async with client(apps.api) as api:
            signed_in = await api.get("/v1/organizations", headers=admin_token(settings))
        sign_in, public = await public_writes(apps)
        status, database = await readiness(apps.reports)
    assert_unavailable(signed_in, "refused")
    assert_unavailable(sign_in, "refused")
    assert_unavailable(public, "refused")
    assert status == 503
    assert database == {
        "ok": False,
        "reason": "refused",
        "error": database["error"],
    } and database["error"].startswith("the database server refuses connections")


def _error_response(code: str, message: str) -> bytes:
    fields = b"".join(
        kind + value.encode() + b"\x00"
        for kind, value in ((b"S", "FATAL"), (b"V", "FATAL"), (b"C", code), (b"M", message))
    )
    body = fields + b"\x00"
    return b"E" + struct.pack("!I", len(body) + 4) + body


@asynccontextmanager
async def refusing_postgres(message: str) -> AsyncIterator[int]:
    """A server speaking PostgreSQL's protocol that refuses every connection with 57P03."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            length = struct.unpack("!I", await reader.readexactly(4))[0]
            packet = await reader.readexactly(length - 4)
            if packet[:4] == struct.pack("!I", 80877103):  # SSLRequest: no TLS here
                writer.write(b"N")
                continue
            writer.write(_error_response("57P03", message))
            await writer.drain()
            writer.close()
            return

    port = free_port()
    server = await asyncio.start_server(serve, "127.0.0.1", port)
    async with server:
        yield port


@pytest.mark.parametrize(
    ("message", "reason"),
    [
        ("the database system is starting up", "starting_up"),
        ("the database system is shutting down", "shutting_down"),
        ("the database system is not yet accepting connections", "starting_up"),
    ],
)
async def test_a_server_that_cannot_accept_connections_now_is_503_with_its_reason(
    settings, message, reason
):
    async with refusing_postgres(message) as port:
        database_url = f"postgresql://postgres@127.0.0.1:{port}/soko"
        async with started(settings.model_copy(update={"database_url": database_url})) as apps:
            async with client(apps.api) as api:
                sign_in = await api.post(
                    "/v1/auth/token", data={"username": "a@b.c", "password": "x"}
                )
            async with client(apps.reports) as reports:
                read = await reports.get("/v1/pd-programmes", headers=admin_token(settings))
            status, database = await readiness(apps.surveys)
    assert_unavailable(sign_in, reason)
    assert_unavailable(read, reason)
    assert status == 503
    assert database == {"ok": False, "reason": reason, "error": database["error"]}
    assert message in database["error"]


# --- lost in the middle, pool exhausted -----------------------------------------------------

slow = APIRouter()


@slow.get("/slow-query")
async def slow_query(session: SessionDep) -> dict[str, str]:
    await session.execute(text("SELECT pg_sleep(30)"))
    return {"status": "done"}


async def test_a_connection_terminated_in_the_middle_of_a_request_is_503(settings, database_url):
    async with started(settings, probe=slow) as apps, client(apps.api) as api:
        request = asyncio.create_task(api.get("/v1/slow-query"))
        killer = await asyncpg.connect(plain_url(database_url))
        try:
            for _ in range(100):  # until the query runs, then end its backend
                ended = await killer.fetchval(
                    "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND query = 'SELECT pg_sleep(30)' "
                    "AND pid <> pg_backend_pid()"
                )
                if ended:
                    break
                await asyncio.sleep(0.05)
        finally:
            await killer.close()
        answer = await asyncio.wait_for(request, 10)
        after = await api.get("/readyz")
    assert_unavailable(answer, "connection_lost")
    assert after.status_code == 200  # pre-ping replaced the dead connection


async def test_an_exhausted_pool_is_503_after_the_pool_timeout(settings):
    small = settings.model_copy(update={"db_pool_size": 1, "db_pool_timeout_seconds": 0.3})
    async with started(small) as apps, AsyncExitStack() as held:
        for app in apps:  # the pool's connection and its one overflow, busy elsewhere
            for _ in range(2):
                await held.enter_async_context(app.state.db.engine.connect())
        sign_in, public = await public_writes(apps)
        status, database = await readiness(apps.reports)
    assert_unavailable(sign_in, "pool_timeout")
    assert_unavailable(public, "pool_timeout")
    assert status == 503 and database["reason"] == "pool_timeout"


# --- lost a race with another writer ---------------------------------------------------------

races = APIRouter()


@races.post("/deadlocked")
async def deadlocked(session: SessionDep) -> dict[str, str]:
    """What PostgreSQL raises in the writer it picks to break a deadlock (SQLSTATE 40P01)."""
    await session.execute(
        text("DO $$ BEGIN RAISE EXCEPTION 'deadlock detected' USING ERRCODE = '40P01'; END $$")
    )
    return {"status": "done"}


@races.post("/created-meanwhile")
async def created_meanwhile(session: SessionDep) -> dict[str, str]:
    """Two inserts of one key: the second as another writer's racing insert would fail."""
    await session.execute(text("CREATE TEMP TABLE raced (k int PRIMARY KEY)"))
    await session.execute(text("INSERT INTO raced VALUES (1)"))
    await session.execute(text("INSERT INTO raced VALUES (1)"))
    return {"status": "done"}


@races.post("/deleted-meanwhile")
async def deleted_meanwhile(session: SessionDep) -> dict[str, str]:
    """An ORM update of a row another request deleted after it was loaded."""
    await session.execute(text("CREATE TEMP TABLE gone (k int PRIMARY KEY, v int)"))
    await session.execute(text("INSERT INTO gone VALUES (1, 1)"))
    row = (await session.execute(text("SELECT k FROM gone"))).scalar_one()
    await session.execute(text("DELETE FROM gone"))
    changed = await session.execute(text("UPDATE gone SET v = 2 WHERE k = :k"), {"k": row})
    if changed.rowcount != 1:  # what the ORM's flush raises for the row it no longer finds
        raise orm_exc.StaleDataError("UPDATE statement on table 'gone' expected to update 1 row")
    return {"status": "done"}


async def test_a_request_that_lost_a_race_is_told_to_retry_not_500(settings):
    """A deadlock broken by PostgreSQL is 503 with Retry-After; a key another request created
    meanwhile is 409; each says in Russian that nothing was stored."""
    async with started(settings, probe=races) as apps, client(apps.api) as api:
        deadlock = await api.post("/v1/deadlocked")
        duplicate = await api.post("/v1/created-meanwhile")
        stale = await api.post("/v1/deleted-meanwhile")
    assert deadlock.status_code == 503, deadlock.text
    assert deadlock.headers["retry-after"] == "1"
    assert deadlock.headers["content-type"] == PROBLEM
    assert deadlock.json()["type"] == "urn:soko:problem:concurrent-writes"
    assert "ничего не сохранено, повторите его" in deadlock.json()["detail"]
    assert duplicate.status_code == 409, duplicate.text
    assert duplicate.json()["type"] == "urn:soko:problem:created-meanwhile"
    assert "ничего не сохранено" in duplicate.json()["detail"]
    assert stale.status_code == 409, stale.text
    assert stale.json()["type"] == "urn:soko:problem:changed-meanwhile"
