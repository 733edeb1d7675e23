"""A school moved while an import of its old territory is under way: the flags left are those of
the territory as it is after both, whichever commits last.

The import posts the first values of its group other than the moving school's, so the move,
reading which groups of the territory it leaves to recompute, did not see them; the import had
computed its flags with the school still in the territory. The import is held (a table it
writes after its flags, the current violations, locked by the test) between computing its flags
and committing, and the move is sent then."""

import asyncio

import pytest
from sqlalchemy import text

from services.api.organizations.models import Organization
from tests.api.test_outliers import flagged, outliers, post, row
from tests.factories import TRAINED, add_data_indicator, build_world

WAITING = text(
    "SELECT count(*) FROM pg_locks WHERE NOT granted AND (locktype = 'advisory' OR "
    "relation = CAST('api.validation_violation' AS regclass))"
)


async def _waiting(connection, count: int) -> None:
    """Until `count` backends wait for a lock this test holds or an advisory lock (10 s)."""
    for _ in range(200):
        if await connection.scalar(WAITING) >= count:
            return
        await asyncio.sleep(0.05)


@pytest.mark.committed
async def test_a_move_during_an_import_of_its_old_territory_leaves_no_stale_flag(
    apps, isolation, settings, api_client, test_engine
):
    async with isolation() as session:
        world = await build_world(session, settings)
        await add_data_indicator(session, "teachers_trained", TRAINED, "percent")
        more = [
            Organization(name=f"Школа 1{n}", kind="school", territory_id=world.m1.id)
            for n in (1, 2, 3)
        ]
        session.add_all(more)
        await session.commit()
    await post(api_client, world, [row(world.s2, 80)], who="admin")
    rule = {
        "code": "trained_small",
        "left": "teachers_trained",
        "operator": "<=",
        "right": "100",
        "importance": "medium",
        "action": "warn",
        "message": "Доля обученных педагогов больше 100 %",
    }
    made = await api_client.post("/v1/validation-rules", json=rule, headers=world.headers("admin"))
    assert made.status_code == 201, made.text

    async with test_engine.connect() as holder, test_engine.connect() as watcher:
        await holder.begin()
        await holder.execute(text("LOCK TABLE api.validation_violation IN EXCLUSIVE MODE"))
        # S1, 11, 12 near 80 and 13's 40: with S2's 80 five values, 40 far from them.
        values = [row(s, v) for s, v in zip([world.s1, *more], [80, 79, 81, 40], strict=True)]
        importing = asyncio.create_task(
            api_client.post(
                "/v1/data-values", json={"values": values}, headers=world.headers("admin")
            )
        )
        await _waiting(watcher, 1)  # the import computed its flags and waits to store rules'
        moving = asyncio.create_task(
            api_client.patch(
                f"/v1/organizations/{world.s2.id}",
                json={"territory_id": str(world.m2.id)},
                headers=world.headers("admin"),
            )
        )
        await asyncio.wait({moving}, timeout=2)  # done at once when nothing holds it
        await holder.rollback()
        imported, moved = await importing, await moving
    assert imported.status_code == 200, imported.text
    assert moved.status_code == 200, moved.text

    # Район 1 holds four values now (S1, 11, 12, 13): too few to compare, so no flag; the
    # import had flagged 13's 40 with S2's 80 among them.
    assert flagged(await outliers(api_client, world, who="admin")) == {}
