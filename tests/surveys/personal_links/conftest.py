"""The personal links' world: the small world with a colleague of T1, and an identified
diagnostic of S1 with its personal links."""

import pytest
from sqlalchemy import select

from services.surveys.campaigns.models import Invitation
from tests.factories import build_world
from tests.surveys.forms import DIAGNOSTIC, add_colleague, launch
from tests.surveys.personal_links.helpers import EMAILS


@pytest.fixture
async def world(db, settings):
    """The small world, with a second teacher of S1 who has an account: a colleague."""
    world = await build_world(db, settings)
    await add_colleague(db, settings, world, EMAILS["teacher2"])
    return world


@pytest.fixture
async def diagnostic(surveys_client, world, db) -> tuple[dict, dict[str, str]]:
    """An identified diagnostic in S1, and its personal links by staff member ("t1", "t2")."""
    campaign = await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], anonymous=False
    )
    rows = await db.execute(
        select(Invitation.staff_id, Invitation.code).where(Invitation.campaign_id == campaign["id"])
    )
    by_staff = dict(rows.all())
    return campaign, {"t1": f"/s/{by_staff[world.t1.id]}", "t2": f"/s/{by_staff[world.t2.id]}"}
