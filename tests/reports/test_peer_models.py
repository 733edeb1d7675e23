"""The reports service reads its peers' answers as typed models: an answer that does not fit
(a field missing, an id that is not one, a page without its total) is the contract error it is
(502 `peer-refused`, logged without the answer's values), never a 500; a field a peer adds is
ignored. The peers are the real apps; one answer is rewritten on its way back."""

import json
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest

from services.reports.app import create_app as create_reports
from shared.settings import Settings
from tests.factories import build_world

PERIOD = "2021/2022"
Rewrite = Callable[[Any], Any]


class Rewriting(httpx.AsyncBaseTransport):
    """Passes every call on to a real app; the JSON answer of `path` goes through `rewrite`
    first (while `rewrite` is set)."""

    def __init__(self, inner: httpx.AsyncBaseTransport, path: str) -> None:
        self.inner, self.path = inner, path
        self.rewrite: Rewrite | None = None

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        if self.rewrite is None or request.url.path != self.path:
            return response
        body = json.loads(await response.aread())
        return httpx.Response(response.status_code, json=self.rewrite(body))


@asynccontextmanager
async def reports_with(
    apps, settings: Settings, peer: str, path: str
) -> AsyncIterator[tuple[httpx.AsyncClient, Rewriting]]:
    """A reports app of its own whose calls go to the real api and surveys apps, the answers
    of `peer` to `path` rewritten as the test says; its database session is the test's."""
    transports: dict[str, httpx.AsyncBaseTransport] = {
        "api": httpx.ASGITransport(app=apps.api),
        "surveys": httpx.ASGITransport(app=apps.surveys),
    }
    rewriting = transports[peer] = Rewriting(transports[peer], path)
    own = Settings(
        database_url=settings.database_url, environment="test", log_format="text", http_retries=0
    )
    reports = create_reports(own, peer_transports=transports)
    reports.dependency_overrides.update(apps.reports.dependency_overrides)
    async with reports.router.lifespan_context(reports):
        transport = httpx.ASGITransport(app=reports)
        async with httpx.AsyncClient(transport=transport, base_url="http://reports") as client:
            yield client, rewriting


def assert_refused(answer: httpx.Response, peer: str) -> None:
    assert answer.status_code == 502, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    body = answer.json()
    assert body["type"] == "urn:soko:problem:peer-refused"
    assert body["detail"] == f"Сервис {peer} ответил не по договору"


def contract_errors(caplog) -> list[str]:
    return [
        r.getMessage()
        for r in caplog.records
        if r.levelno == logging.ERROR and "contract does not allow" in r.getMessage()
    ]


def with_bad_organization(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lookup's answer with its first organization's id not an id."""
    return [{**items[0], "id": "school-1"}, *items[1:]]


def with_added_field(items: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The lookup's answer with a field the reports service does not know (a peer's later
    addition)."""
    return [{**item, "founded": 1936} for item in items]


@pytest.mark.parametrize(
    ("rewrite", "status"), [(None, 200), (with_added_field, 200), (with_bad_organization, 502)]
)
async def test_a_malformed_organization_lookup_is_a_peer_refusal(
    apps, db, settings, caplog, rewrite, status
):
    world = await build_world(db, settings)
    async with reports_with(apps, settings, "api", "/v1/organizations/lookup") as (client, peer):
        peer.rewrite = rewrite
        with caplog.at_level(logging.ERROR, logger="soko.client"):
            answer = await client.get(
                f"/v1/reports/organizations/{world.s1.id}",
                params={"period": PERIOD},
                headers=world.headers("analyst"),
            )
    if status == 200:
        assert answer.status_code == 200, answer.text
        assert "Школа 1" in answer.text
        assert not contract_errors(caplog)
        return
    assert_refused(answer, "api")
    [logged] = contract_errors(caplog)
    assert "api" in logged and "/v1/organizations/lookup" in logged and "'0.id'" in logged
    assert "school-1" not in logged and "Школа 1" not in logged  # where, never the values


def without_total(page: dict[str, Any]) -> dict[str, Any]:
    return {"items": page["items"]}


def with_nameless_instrument(page: dict[str, Any]) -> dict[str, Any]:
    return {**page, "items": [{"id": page["items"][0]["id"], "kind": "deficit"}]}


@pytest.mark.parametrize("rewrite", [without_total, with_nameless_instrument])
async def test_a_malformed_page_of_the_surveys_service_is_a_peer_refusal(
    apps, db, settings, caplog, rewrite
):
    world = await build_world(db, settings)
    params = {"territory_id": str(world.m1.id), "period": PERIOD}
    async with reports_with(apps, settings, "surveys", "/v1/instruments") as (client, peer):
        methodologist = world.headers("methodologist")
        answer = await client.get("/v1/pd-order", params=params, headers=methodologist)
        assert answer.status_code == 200, answer.text  # the order, built from the diagnostics
        peer.rewrite = rewrite
        with caplog.at_level(logging.ERROR, logger="soko.client"):
            answer = await client.get("/v1/pd-order", params=params, headers=methodologist)
    assert_refused(answer, "surveys")
    [logged] = contract_errors(caplog)
    assert "surveys" in logged and "/v1/instruments" in logged
