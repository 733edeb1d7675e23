"""Every service answers /healthz and /readyz; readiness notices a stale schema and a dead peer."""

import httpx
import pytest

from services.api.app import create_app as create_api
from services.reports.app import create_app as create_reports
from shared.migrations import head_revision
from shared.settings import Settings


@pytest.mark.parametrize("service", ["api", "surveys", "reports"])
async def test_healthz_answers_without_auth(apps, service):
    app = getattr(apps, service)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        answer = await c.get("/healthz")
    assert answer.status_code == 200
    assert answer.json() == {"status": "ok", "service": service}


@pytest.mark.parametrize("service", ["api", "surveys", "reports"])
async def test_readyz_reports_database_schema_and_peers(apps, service):
    app = getattr(apps, service)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        answer = await c.get("/readyz")
    body = answer.json()
    assert answer.status_code == 200, body
    assert body["checks"]["database"]["ok"] is True
    head = head_revision()
    assert body["checks"]["schema"] == {"ok": True, "revision": head, "head": head}
    # The api's pages ask the surveys and reports services as the signed-in person.
    expected_peers = {
        "api": {"surveys", "reports"},
        "surveys": {"api"},
        "reports": {"api", "surveys"},
    }[service]
    assert set(body["checks"].get("peers", {})) == expected_peers


async def test_readyz_is_503_on_a_database_never_migrated(scratch_database):
    app = create_api(Settings(database_url=scratch_database()))
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            answer = await c.get("/readyz")
    assert answer.status_code == 503
    schema = answer.json()["checks"]["schema"]
    assert schema == {"ok": False, "revision": None, "head": head_revision()}


async def test_readyz_is_503_when_a_peer_is_down(database_url):
    # Port 9 (discard) has no listener here: the reports service cannot reach its peers.
    settings = Settings(
        database_url=database_url, api_url="http://127.0.0.1:9", surveys_url="http://127.0.0.1:9"
    )
    app = create_reports(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            answer = await c.get("/readyz")
    body = answer.json()
    assert answer.status_code == 503
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["peers"]["api"]["ok"] is False
    assert body["checks"]["peers"]["surveys"]["ok"] is False


async def test_the_api_is_ready_without_the_services_its_pages_ask(database_url):
    # The api's pages ask surveys and reports, but its JSON API answers without them: both
    # down (nothing listens on port 9), /readyz says so and is still 200.
    settings = Settings(
        database_url=database_url,
        surveys_url="http://127.0.0.1:9",
        reports_url="http://127.0.0.1:9",
    )
    app = create_api(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
            answer = await c.get("/readyz")
    body = answer.json()
    assert answer.status_code == 200, body
    assert body["status"] == "ready"
    assert body["checks"]["peers"]["surveys"]["ok"] is False
    assert body["checks"]["peers"]["reports"]["ok"] is False
