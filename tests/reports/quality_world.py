"""The world of the data-quality tests: build_world with S2's leader, a third school of M1
(«Школа 10», after «Школа 2» in natural order), the `trained` indicator, and M1's collection
«Сбор данных ОО» of `e_planning` and `trained` for PERIOD, due 1 October 2021; approval steps
through the real api."""

from datetime import UTC, date, datetime

import httpx
from sqlalchemy import text

from services.api.auth.service import user_principal
from services.api.indicators.models import IndicatorRoadmap
from services.api.organizations.models import Organization
from shared.identity import issue_user_token
from tests.api.helpers import post_roadmap
from tests.collections_world import add_collection
from tests.factories import TRAINED, add_colleagues, add_data_indicator, add_user, build_world
from tests.reports.helpers import PERIOD, post_values

DUE = date(2021, 10, 1)
COLLECTION = "Сбор данных ОО"


async def quality_world(db, settings):
    world = await build_world(db, settings)
    await add_colleagues(db, settings, world)
    world.s10 = Organization(name="Школа 10", kind="school", territory_id=world.m1.id)
    db.add(world.s10)
    await db.flush()
    world.trained = await add_data_indicator(db, "trained", TRAINED, "percent")
    world.collection = await add_collection(
        db,
        world.m1,
        [world.planning, world.trained],
        {PERIOD: (date(2021, 9, 1), DUE)},
        name=COLLECTION,
    )
    db.add_all(
        IndicatorRoadmap(indicator_id=i.id, roadmap_id=world.r1.id)
        for i in (world.planning, world.trained)
    )
    await db.flush()
    return world


async def one_of_two_approved(client: httpx.AsyncClient, world, *rows) -> None:
    """`trained` 90 for S1 and 50 for S2 (and `rows` beside) posted, S1's data approved."""
    await post_values(
        client,
        world,
        [("trained", world.s1.id, PERIOD, 90), ("trained", world.s2.id, PERIOD, 50), *rows],
    )
    await approve(client, world, world.s1)


async def three_schools(client: httpx.AsyncClient, db, world) -> None:
    """Around the due date (1 October 2021): S1 reports both indicators in September
    (complete in time), S2 both after the due date (complete, late), «Школа 10» only
    `e_planning`, in September (incomplete: late)."""
    await post_values(
        client,
        world,
        [
            ("e_planning", world.s1.id, PERIOD, True),
            ("trained", world.s1.id, PERIOD, 90),
            ("e_planning", world.s2.id, PERIOD, False),
            ("trained", world.s2.id, PERIOD, 50),
            ("e_planning", world.s10.id, PERIOD, True),
        ],
    )
    await first_stored(db, world.s1, "e_planning", date(2021, 9, 15))
    await first_stored(db, world.s1, "trained", date(2021, 9, 30))
    await first_stored(db, world.s10, "e_planning", date(2021, 9, 25))


async def approve(client: httpx.AsyncClient, world, organization, action: str = "approve"):
    """`approve`: the organization's data of the collection for PERIOD submitted (by an
    administrator, at the school's level) and approved by M1's analyst; `unapprove`: taken
    back by the analyst with a reason. Each step asserted 200."""
    body = {"organization_id": str(organization.id), "period": PERIOD}
    if action == "approve":
        steps = [("submit", "admin", body), ("approve", "analyst", body)]
    else:
        steps = [(action, "analyst", body | {"comment": "исправить"})]
    for step, who, sent in steps:
        answer = await client.post(
            f"/v1/collections/{world.collection.id}/approvals/{step}",
            json=sent,
            headers=world.headers(who),
        )
        assert answer.status_code == 200, answer.text


async def first_stored(db, organization, code: str, day: date | datetime) -> None:
    """Crafted data: the organization's value of `code` was first stored at noon UTC of `day`
    (or at the moment `day`; the feed sends the change on)."""
    at = (
        day if isinstance(day, datetime) else datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    )
    await db.execute(
        text(
            "UPDATE api.data_value SET created_at = :at WHERE organization_id = :org "
            "AND indicator_id = (SELECT id FROM api.indicator WHERE code = :code)"
        ),
        {
            "at": at,
            "org": organization.id,
            "code": code,
        },
    )


async def add_leader10(db, settings, world) -> None:
    """The leader of «Школа 10» ("leader10")."""
    world.users["leader10"] = add_user(
        db, "leader10@soko.example", "organization_leader", "organization", world.s10.id
    )
    await db.flush()
    world.tokens["leader10"] = issue_user_token(settings, user_principal(world.users["leader10"]))


async def school_roadmap(client: httpx.AsyncClient, world, who: str, school) -> str:
    """The id of a new roadmap of `school` for PERIOD, posted by `who` (its leader)."""
    answer = await post_roadmap(
        client,
        world,
        who,
        title=f"ВСОКО {school.name}",
        level="organization",
        owner_type="organization",
        owner_id=str(school.id),
        period=PERIOD,
    )
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]
