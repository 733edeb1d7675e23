"""A period in requests: `PeriodQuery` and `PeriodBody` give handlers a Period, parsed once,
and answer a malformed code with a 422 naming the field, like every other input."""

from typing import Annotated

import httpx
import pytest
from fastapi import Depends, FastAPI
from pydantic import BaseModel, Field, ValidationError

from shared.error_handlers import install_error_handlers
from shared.periods import (
    OptionalPeriodQuery,
    Period,
    PeriodBody,
    PeriodQuery,
    parse_period,
    period_query,
)


class Body(BaseModel):
    period: PeriodBody = Field(description="Период")


def _app() -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)

    @app.get("/required")
    async def required(period: PeriodQuery) -> dict[str, str]:
        return {"kind": period.kind, "previous": period.previous.code}

    @app.get("/optional")
    async def optional(
        period: OptionalPeriodQuery,
        compare: Annotated[Period | None, Depends(period_query("compare", required=False))],
    ) -> dict[str, str | None]:
        return {
            "period": period.code if period else None,
            "compare": compare.code if compare else None,
        }

    @app.post("/body")
    async def body(data: Body) -> dict[str, str]:
        assert isinstance(data.period, Period)
        return {"echo": data.model_dump(mode="json")["period"], "kind": data.period.kind}

    return app


@pytest.fixture
async def client():
    transport = httpx.ASGITransport(app=_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as c:
        yield c


async def test_period_query_gives_the_handler_a_period(client):
    answer = await client.get("/required", params={"period": "2022Q1"})
    assert answer.json() == {"kind": "quarter", "previous": "2021Q4"}


@pytest.mark.parametrize("code", ["2021/2023", "2022Q5", "20221", "\x002021"])
async def test_malformed_period_query_is_422_naming_it(client, code):
    answer = await client.get("/required", params={"period": code})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert [e["loc"] for e in answer.json()["errors"]] == [["query", "period"]]


async def test_missing_or_overlong_period_query_is_422_naming_it(client):
    for params in ({}, {"period": "2021/2022" * 3}):
        answer = await client.get("/required", params=params)
        assert answer.status_code == 422
        assert [e["loc"] for e in answer.json()["errors"]] == [["query", "period"]]


async def test_optional_period_query_is_none_when_absent_and_named_by_its_parameter(client):
    assert (await client.get("/optional")).json() == {"period": None, "compare": None}
    found = await client.get("/optional", params={"period": "2022", "compare": "2023"})
    assert found.json() == {"period": "2022", "compare": "2023"}
    bad = await client.get("/optional", params={"compare": "2023/2025"})
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["query", "compare"]
    assert "2023/2025" in bad.json()["detail"]


async def test_period_body_reads_a_period_and_writes_back_its_code(client):
    answer = await client.post("/body", json={"period": "2021/2022"})
    assert answer.json() == {"echo": "2021/2022", "kind": "academic_year"}


@pytest.mark.parametrize("value", ["2021/2023", "2021/2022" * 3, 2022, None])
async def test_malformed_period_body_is_422_naming_the_field(client, value):
    answer = await client.post("/body", json={"period": value})
    assert answer.status_code == 422
    assert [e["loc"] for e in answer.json()["errors"]] == [["body", "period"]]


def test_period_body_is_documented_as_the_code_string():
    schema = Body.model_json_schema()["properties"]["period"]
    assert schema == {"type": "string", "maxLength": 20, "title": "Period", "description": "Период"}


def test_period_body_takes_a_period_and_says_why_a_code_is_refused():
    assert Body(period=parse_period("2022")).period.code == "2022"
    with pytest.raises(ValidationError, match="два соседних года"):
        Body(period="2021/2023")
