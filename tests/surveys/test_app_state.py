"""What an app keeps between requests is its own: a second surveys app in the same process
(as `soko serve --workers`, or these tests, make) reads instrument versions for itself."""

import copy
import uuid
from contextlib import AsyncExitStack

import httpx

from services.surveys.app import create_app as create_surveys
from services.surveys.instruments.models import InstrumentVersion
from shared.db import get_session
from tests.surveys.forms import launch, link_of

RENAMED = "Вопрос, переименованный в базе другого приложения"


async def test_a_second_app_parses_the_versions_it_shows_for_itself(
    apps, db, settings, surveys_client, form, world
):
    campaign = await launch(surveys_client, world, "parents_satisfaction", "parents", [world.s1.id])
    first = await form.get(link_of(campaign))
    assert first.status_code == 200
    version = await db.get(InstrumentVersion, uuid.UUID(campaign["instrument_version_id"]))
    assert version is not None
    definition = copy.deepcopy(version.definition)
    question = definition["sections"][0]["questions"][0]
    assert question["text"] in first.text and RENAMED not in first.text
    question["text"] = RENAMED  # what another app's database would say of the same version
    version.definition = definition
    await db.commit()

    other = create_surveys(settings, peer_transports={"api": httpx.ASGITransport(app=apps.api)})
    other.dependency_overrides[get_session] = apps.surveys.dependency_overrides[get_session]
    async with AsyncExitStack() as stack:
        await stack.enter_async_context(other.router.lifespan_context(other))
        transport = httpx.ASGITransport(app=other, client=("198.18.200.1", 40000))
        client = await stack.enter_async_context(
            httpx.AsyncClient(transport=transport, base_url="http://surveys")
        )
        fresh = await client.get(link_of(campaign))
    assert fresh.status_code == 200 and RENAMED in fresh.text
    # The first app keeps the version as it parsed it (a version never changes in one database).
    again = await form.get(link_of(campaign))
    assert RENAMED not in again.text
