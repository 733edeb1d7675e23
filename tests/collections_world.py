"""The data collections of the test world (`tests.factories.build_world`): for each
municipality one collection of `e_planning` (its school's submission for 2021/2022 waiting, its
2016/2017 approved by the municipality, nothing yet for 2019/2020) and a spare one with no
approval (the one a delete may remove)."""

from datetime import date

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.collections.models import (
    Collection,
    CollectionApproval,
    CollectionApprovalStep,
    CollectionWindow,
)
from services.api.indicators.models import Indicator
from services.api.organizations.models import Organization
from services.api.territories.models import Territory

PERIODS = ("2016/2017", "2019/2020", "2021/2022")
SUBMITTED, APPROVED, OPEN = "2021/2022", "2016/2017", "2019/2020"


async def add_collection(
    session: AsyncSession,
    owner: Territory,
    indicators: list[Indicator],
    windows: dict[str, tuple[date, date]],
    name: str = "Сбор данных",
) -> Collection:
    """A collection of `owner` for schools, with `windows` {period: (opens, due)}."""
    collection = Collection(
        name=name, owner_territory_id=owner.id, indicator_ids=[i.id for i in indicators]
    )
    session.add(collection)
    await session.flush()
    session.add_all(
        CollectionWindow(collection_id=collection.id, period=p, opens_date=o, due_date=d)
        for p, (o, d) in windows.items()
    )
    await session.flush()
    return collection


async def add_world_collections(
    session: AsyncSession,
    territories: dict[str, Territory],
    schools: dict[str, Organization],
    indicator: Indicator,
) -> dict[str, Collection]:
    """{"m1", "m2", "spare_m1", "spare_m2"}: see the module's docstring."""
    windows = {p: (date(int(p[:4]), 9, 1), date(int(p[:4]), 10, 1)) for p in PERIODS}
    found = {}
    for key, territory in territories.items():
        school = schools[key]
        collection = await add_collection(session, territory, [indicator], windows)
        found[key] = collection
        found[f"spare_{key}"] = await add_collection(session, territory, [indicator], windows)
        for period, status, level in ((SUBMITTED, "submitted", 0), (APPROVED, "approved", 1)):
            session.add(
                CollectionApproval(
                    collection_id=collection.id,
                    organization_id=school.id,
                    period=period,
                    status=status,
                    level=level,
                    last_action="approve" if level else "submit",
                )
            )
            if level:
                session.add(
                    CollectionApprovalStep(
                        collection_id=collection.id,
                        organization_id=school.id,
                        period=period,
                        action="approve",
                        level=1,
                        territory_id=territory.id,
                        status="approved",
                        actor_name="analyst",
                    )
                )
    await session.flush()
    return found
