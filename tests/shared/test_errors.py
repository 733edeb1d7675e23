"""Errors reach clients as problem+json (RFC 9457) on every service; never a stack trace."""

import httpx
import pytest
from fastapi import APIRouter
from pydantic import BaseModel, Field

from services.api.app import create_app as create_api
from services.reports.app import create_app as create_reports
from services.surveys.app import create_app as create_surveys
from shared.errors import Conflict

FACTORIES = {"api": create_api, "surveys": create_surveys, "reports": create_reports}


class Probe(BaseModel):
    name: str = Field(min_length=1)
    size: int


probe = APIRouter()


@probe.post("/probe")
async def post_probe(body: Probe) -> Probe:
    return body


@probe.get("/conflict")
async def conflict() -> None:
    raise Conflict("Кампания уже закрыта", closes_at="2026-01-01")


@probe.get("/crash")
async def crash() -> None:
    raise RuntimeError("secret internals /srv/soko/db.py line 42")


@pytest.fixture(params=sorted(FACTORIES))
async def client(request, settings):
    # The real app of each service, plus a probe router that exercises its error handlers.
    app = FACTORIES[request.param](settings)
    app.include_router(probe, prefix="/v1")
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=transport, base_url="http://t") as c,
    ):
        yield c


async def test_unknown_path_is_problem_404(client):
    answer = await client.get("/v1/no-such-thing")
    assert answer.status_code == 404
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["status"] == 404
    assert body["title"] == "Не найдено"
    assert "/v1/no-such-thing" in body["detail"]
    assert body["request_id"] == answer.headers["x-request-id"]


async def test_malformed_body_is_problem_422_naming_the_field(client):
    answer = await client.post("/v1/probe", json={"name": "", "size": "many"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["type"] == "urn:soko:problem:validation-error"
    locs = {tuple(e["loc"]) for e in body["errors"]}
    assert locs == {("body", "name"), ("body", "size")}
    assert all(e["msg"] for e in body["errors"])


async def test_body_that_is_not_json_is_422(client):
    answer = await client.post(
        "/v1/probe", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"][0] == "body"


async def test_wrong_method_is_problem_405(client):
    answer = await client.delete("/v1/probe")
    assert answer.status_code == 405
    assert answer.headers["content-type"] == "application/problem+json"


async def test_domain_error_keeps_its_status_detail_and_fields(client):
    answer = await client.get("/v1/conflict")
    assert answer.status_code == 409
    body = answer.json()
    assert body["type"] == "urn:soko:problem:conflict"
    assert body["detail"] == "Кампания уже закрыта"
    assert body["closes_at"] == "2026-01-01"


async def test_unexpected_error_is_500_without_internals(client):
    answer = await client.get("/v1/crash", headers={"X-Request-ID": "trace-me-1"})
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    body = answer.json()
    assert body["request_id"] == "trace-me-1"
    assert "secret" not in answer.text and "Traceback" not in answer.text


async def test_a_browser_s_500_is_a_russian_page_with_a_way_back(client):
    """A page that failed showed a person the problem+json as raw text (a fresh tester's
    finding): a browser gets a page saying what happened, the request's id to report and a
    link home; an API client keeps its problem+json."""
    headers = {"X-Request-ID": "trace-me-2", "Accept": "text/html,application/xhtml+xml,*/*"}
    answer = await client.get("/v1/crash", headers=headers)
    assert answer.status_code == 500
    assert answer.headers["content-type"].startswith("text/html")
    assert "Что-то пошло не так" in answer.text and "trace-me-2" in answer.text
    assert "На главную" in answer.text
    assert "secret" not in answer.text and "Traceback" not in answer.text


def test_invalid_at_names_the_field_where_it_was_sent():
    from shared.errors import Invalid

    error = Invalid.at("period", "неверный период", where="query")
    assert error.status == 422
    assert error.detail == "неверный период"
    assert error.errors == [{"loc": ["query", "period"], "msg": "неверный период"}]
    nested = Invalid.at(["rows", 3, "value"], "не число")
    assert nested.errors == [{"loc": ["body", "rows", 3, "value"], "msg": "не число"}]


def test_any_error_names_one_field_with_its_own_detail_and_type():
    from shared.errors import NotFound, field_error

    missing = Conflict.at("code", "код занят", detail="Правило с таким кодом уже есть")
    assert (missing.status, missing.detail) == (409, "Правило с таким кодом уже есть")
    assert missing.errors == [{"loc": ["body", "code"], "msg": "код занят"}]
    cursor = NotFound.at("after", "не распознан", where="query", kind="cursor")
    assert cursor.status == 404
    assert cursor.errors == [{"loc": ["query", "after"], "msg": "не распознан", "type": "cursor"}]
    assert field_error([], "пусто") == {"loc": ["body"], "msg": "пусто"}
