"""Fixtures of the surveys tests: a respondent's browser from an address of its own, a parents'
campaign in two districts."""

import itertools
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import delete, text

from services.surveys.app import create_app as create_surveys
from services.surveys.instruments.models import Instrument
from tests.surveys.forms import committed_world, launch, launch_kobo, link_of, phone, served

# Each test posts from its own address, so the per-address limit of anonymous posts (kept in
# the database, committed at once) never counts another test's posts: from 198.18.0.0/15, a
# range no other test writes (others use 192.0.2.x, 198.51.100.x and 203.0.113.x by hand).
_addresses = (f"198.18.{n // 250}.{n % 250 + 1}" for n in itertools.count())


@pytest.fixture
def address() -> str:
    return next(_addresses)


@pytest.fixture
async def form(apps, isolation, address) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the surveys app as a respondent's browser, from an address of its own."""
    transport = httpx.ASGITransport(app=apps.surveys, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://surveys") as client:
        yield client


@pytest.fixture
def new_address() -> Callable[[], str]:
    """More addresses of their own, for a test that posts from several."""
    return lambda: next(_addresses)


@pytest.fixture
def browser(apps, isolation) -> Callable[[str], httpx.AsyncClient]:
    """A client of the surveys app from the given address (use it in `async with`)."""

    def make(address: str, app=None) -> httpx.AsyncClient:
        transport = httpx.ASGITransport(app=app or apps.surveys, client=(address, 40000))
        return httpx.AsyncClient(transport=transport, base_url="http://surveys")

    return make


@pytest.fixture
async def parents(surveys_client, world) -> dict:
    """An anonymous parents' campaign (NOK) in S1 (M1) and S3 (M2), launched by an
    administrator: the campaign as created."""
    return await launch(
        surveys_client,
        world,
        "nok_parents_2018",
        "parents",
        [world.s1.id, world.s3.id],
        who="admin",
    )


@pytest.fixture
async def forget_imported(isolation):
    """The instrument bank outlives a committed test's clean-up: drop the Kobo form a test
    imported (`test_xlsform_browser.launch_kobo`; its campaign and responses first), so that
    other tests see the bank as it was."""
    yield
    async with isolation() as session:
        await session.execute(text("TRUNCATE surveys.campaign, surveys.response CASCADE"))
        await session.execute(delete(Instrument).where(Instrument.code == "hunt_kobo_parents"))
        await session.commit()


@pytest.fixture
async def kobo_page(
    playwright, apps, isolation, settings, surveys_client, forget_imported
) -> AsyncIterator[tuple[Any, list[str]]]:
    """The Kobo form launched in the committed world, open in a phone-sized Chromium served
    by an app of its own (a limit of anonymous posts of its own): the page and the problems
    its console reports."""
    world = await committed_world(isolation, settings)
    campaign = await launch_kobo(surveys_client, world)
    app = create_surveys(settings.model_copy(update={"anonymous_rate_per_minute": 1000}))
    async with served(app) as base, phone(playwright) as (page, problems):
        await page.goto(base + link_of(campaign))
        yield page, problems
