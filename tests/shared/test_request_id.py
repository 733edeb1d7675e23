"""Request ids: echoed or made, logged, and passed on to peer services."""

import asyncio
import json
import logging

import httpx
from fastapi import FastAPI, Request

from shared.client import ServiceClient
from shared.context import request_id_var
from shared.logging import JsonFormatter
from shared.middleware import RequestIdMiddleware


async def test_request_id_is_echoed_when_given(api_client):
    answer = await api_client.get("/healthz", headers={"X-Request-ID": "abc-123"})
    assert answer.headers["x-request-id"] == "abc-123"


async def test_request_id_is_made_when_missing_or_unsafe(api_client):
    made = await api_client.get("/healthz")
    assert len(made.headers["x-request-id"]) == 32
    forged = await api_client.get("/healthz", headers={"X-Request-ID": 'x" injected=1'})
    assert forged.headers["x-request-id"] != 'x" injected=1'


async def test_peer_call_carries_the_callers_request_id():
    peer = FastAPI()

    @peer.get("/echo")
    async def echo(request: Request) -> dict:
        return {"request_id": request.headers.get("x-request-id")}

    client = ServiceClient("peer", "http://peer", transport=httpx.ASGITransport(app=peer))
    token = request_id_var.set("req-777")
    try:
        assert await client.get_json("/echo") == {"request_id": "req-777"}
    finally:
        request_id_var.reset(token)
        await client.aclose()


async def test_access_log_line_is_json_with_the_request_id(caplog):
    app = FastAPI()
    app.add_middleware(RequestIdMiddleware)

    @app.get("/v1/thing")
    async def thing() -> dict:
        return {}

    caplog.set_level(logging.INFO, logger="soko.access")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await c.get("/v1/thing", headers={"X-Request-ID": "log-42"})
    record = next(r for r in caplog.records if r.name == "soko.access")
    request_id_var.set("log-42")  # the formatter reads the id the middleware had set
    line = json.loads(JsonFormatter("api").format(record))
    assert line["request_id"] == "log-42"
    assert line["status"] == 200 and line["path"] == "/v1/thing" and line["service"] == "api"


async def test_access_log_gives_how_long_the_request_took(caplog):
    app = FastAPI()
    app.add_middleware(RequestIdMiddleware)

    @app.get("/v1/slow")
    async def slow() -> dict:
        await asyncio.sleep(0.05)
        return {}

    caplog.set_level(logging.INFO, logger="soko.access")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        await c.get("/v1/slow")
    record = next(r for r in caplog.records if r.name == "soko.access")
    assert 50 <= record.duration_ms < 5000
