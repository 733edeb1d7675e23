"""The НОК checklist indicators ship with the api: a new database has them after the first
start, and a later start adds what is missing without overwriting what someone edited."""

from sqlalchemy import delete, select, update

from services.api.app import create_app as create_api
from services.api.indicators.models import Indicator
from services.demo.loader import database_is_empty
from shared.migrations import upgrade
from shared.settings import Settings
from tests.conftest import run_sync

# services/reports/quality_evaluation/weights.json, "data_value_codes": what the НОК method reads.
CHECKLIST = {
    "nok_info_stand_items",
    "nok_info_stand_norm",
    "nok_info_site_items",
    "nok_info_site_norm",
    "nok_remote_channels",
    "nok_comfort_conditions",
    "nok_access_premises",
    "nok_access_services",
}


async def start_once(settings: Settings) -> dict[str, Indicator]:
    """Start the api on the database and read the indicators it holds, by code."""
    app = create_api(settings)
    async with app.router.lifespan_context(app), app.state.db.sessionmaker() as session:
        return {i.code: i for i in await session.scalars(select(Indicator))}


async def test_a_new_database_has_the_checklist_indicators_and_edits_survive(scratch_database):
    url = scratch_database()
    run_sync(upgrade, url)
    settings = Settings(database_url=url)

    first = await start_once(settings)
    assert set(first) == CHECKLIST
    remote = first["nok_remote_channels"]
    assert (remote.method, remote.level, remote.owner_territory_id) == (
        "data_value",
        "organization",
        None,
    )
    assert remote.params == {"value_type": "number", "min": 0, "max": 6}
    # Only the shipped indicators: for the demo the database is still empty.
    assert await database_is_empty(url)

    # Someone renames one and deletes another; the next start restores only the deleted one.
    app = create_api(settings)
    async with app.router.lifespan_context(app), app.state.db.sessionmaker.begin() as session:
        await session.execute(
            update(Indicator)
            .where(Indicator.code == "nok_info_stand_items")
            .values(name="Стенд: пункты (свой)")
        )
        await session.execute(delete(Indicator).where(Indicator.code == "nok_access_services"))

    second = await start_once(settings)
    assert set(second) == CHECKLIST
    assert second["nok_info_stand_items"].name == "Стенд: пункты (свой)"
    assert second["nok_info_stand_items"].id == first["nok_info_stand_items"].id
    assert second["nok_access_services"].id != first["nok_access_services"].id
