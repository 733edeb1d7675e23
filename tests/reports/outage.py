"""A reports app whose surveys peer does not answer, for the tests of an outage."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx

from services.reports.app import create_app as create_reports
from shared.settings import Settings


def settings_without_surveys(settings: Settings) -> Settings:
    """The test run's settings with a surveys service that listens nowhere (no retry)."""
    return Settings(
        database_url=settings.database_url,
        environment="test",
        log_format="text",
        surveys_url="http://127.0.0.1:9",
        http_retries=0,
        http_timeout_seconds=2,
    )


@asynccontextmanager
async def reports_without_surveys(
    apps, settings: Settings, api: httpx.AsyncBaseTransport | None = None
) -> AsyncIterator[httpx.AsyncClient]:
    """A client of a reports app that reaches the api app (through `api`, by default in
    process) but no surveys service, on the test's transaction like the other apps."""
    broken = settings_without_surveys(settings)
    reports = create_reports(
        broken, peer_transports={"api": api or httpx.ASGITransport(app=apps.api)}
    )
    reports.dependency_overrides |= apps.reports.dependency_overrides
    async with reports.router.lifespan_context(reports):
        transport = httpx.ASGITransport(app=reports)
        async with httpx.AsyncClient(transport=transport, base_url="http://reports") as client:
            yield client
