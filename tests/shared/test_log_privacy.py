"""Logs never hold a personal link's code or a statement's parameters (answers, personal data).

As an attacker with access to the log files would read them: a request to `/s/<code>` that
fails for want of the database, or with an unexpected error in the middle of a statement, is
logged by its route's template (`/s/{code}`), and the failed statement without its parameters.
The form's pages for people stay HTML in Russian while the database is away.
"""

import logging

import httpx
import pytest
from fastapi import APIRouter
from sqlalchemy import text

from bench.common import free_port
from services.surveys.app import create_app as create_surveys
from shared.db import SessionDep
from shared.settings import Settings
from tests.shared.test_outage import client, started

CODE = "Zq7PersonalCodeXy"  # what a personal link's code looks like to a reader of the log
ANSWER = "мой-тайный-ответ-42"

probe = APIRouter()


@probe.get("/s/{code}/probe")
async def failing_statement(code: str, session: SessionDep) -> dict[str, str]:
    """A statement that fails in PostgreSQL with an answer among its parameters."""
    await session.execute(text("SELECT length(:answer) / :zero"), {"answer": ANSWER, "zero": 0})
    return {"code": code}


def assert_private(caplog: pytest.LogCaptureFixture) -> str:
    """What the services logged (not the test's own client, httpx, quiet in production) holds
    neither the code nor the answer, with tracebacks formatted."""
    formatter = logging.Formatter("%(name)s %(message)s")
    ours = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    logged = "\n".join(formatter.format(r) + str(vars(r)) for r in ours)
    assert CODE not in logged
    assert ANSWER not in logged
    return logged


@pytest.mark.parametrize("method", ["GET", "POST"])
async def test_the_form_while_the_database_is_away_is_a_russian_page_and_logs_no_code(
    settings, caplog, method
):
    dead = settings.model_copy(
        update={"database_url": f"postgresql://postgres@127.0.0.1:{free_port()}/soko"}
    )
    caplog.set_level(logging.INFO)
    async with started(dead) as apps, client(apps.surveys) as surveys:
        answer = await surveys.request(method, f"/s/{CODE}", data={"q1": ANSWER})
        api = await surveys.get("/v1/campaigns")  # the API keeps its problem+json
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert int(answer.headers["retry-after"]) > 0
    assert "Сервис временно недоступен" in answer.text
    assert api.status_code in (401, 503) and api.headers["content-type"].endswith("problem+json")
    logged = assert_private(caplog)
    assert f"database unavailable on {method} /s/{{code}}" in logged


async def test_an_unexpected_database_error_logs_the_route_not_the_code_nor_the_answers(
    settings: Settings, caplog
):
    app = create_surveys(settings)
    app.include_router(probe)
    caplog.set_level(logging.INFO)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url="http://t") as surveys:
            answer = await surveys.get(f"/s/{CODE}/probe")
    assert answer.status_code == 500
    assert ANSWER not in answer.text and CODE not in answer.text.replace(f"/s/{CODE}/probe", "")
    logged = assert_private(caplog)
    assert "unhandled error on GET /s/{code}/probe" in logged
    assert "division by zero" in logged  # the error itself is still there to read
