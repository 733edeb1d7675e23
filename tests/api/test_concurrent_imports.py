"""Two writers posting overlapping data values at the same moment, each in its own order (a
school's information system and its leader, two analysts): both are taken, none answers 500,
every value is stored once with one of the posted values."""

import asyncio

import pytest
from sqlalchemy import text

from tests.factories import add_data_indicator, build_world

CODES = [f"concurrent_{n}" for n in range(6)]
PERIODS = [f"{year}/{year + 1}" for year in range(2014, 2024)]


@pytest.mark.committed
async def test_overlapping_posts_in_opposite_orders_are_both_taken(
    apps, isolation, settings, api_client, test_engine
):
    async with isolation() as session:
        world = await build_world(session, settings)
        for code in CODES:
            await add_data_indicator(session, code, code, "number")
        await session.commit()
    keys = [(c, o, p) for c in CODES for o in (world.s1.id, world.s2.id) for p in PERIODS]

    def body(rows, value):
        return {
            "values": [
                {"indicator_code": c, "organization_id": str(o), "period": p, "value": value}
                for c, o, p in rows
            ]
        }

    answers = []
    for round_ in range(6):
        answers += await asyncio.gather(
            api_client.post(
                "/v1/data-values", json=body(keys, round_), headers=world.headers("analyst")
            ),
            api_client.post(
                "/v1/data-values",
                json=body(keys[::-1], round_ + 100),
                headers=world.headers("analyst"),
            ),
        )
    assert [a.status_code for a in answers] == [200] * len(answers), [
        a.text for a in answers if a.status_code != 200
    ][:1]
    async with test_engine.connect() as connection:
        stored = await connection.scalar(
            text(
                "SELECT count(*) FROM api.data_value d JOIN api.indicator i "
                "ON i.id = d.indicator_id WHERE i.code LIKE 'concurrent_%'"
            )
        )
    assert stored == len(keys)


@pytest.mark.committed
async def test_concurrent_first_puts_of_one_outlier_bound_leave_one_bound(
    apps, isolation, settings, api_client, test_engine
):
    """Ten PUTs of a bound no one has set yet, at once: each answers 200 (PUT replaces), one
    bound is left, with one of the posted upper bounds (was: one 200 and nine 500)."""
    async with isolation() as session:
        world = await build_world(session, settings)
        await add_data_indicator(session, "bounded", "С границей", "number")
        await session.commit()
    answers = await asyncio.gather(
        *(
            api_client.put(
                "/v1/outlier-bounds",
                json={"indicator_code": "bounded", "lower": 0, "upper": 100 + n},
                headers=world.headers("admin"),
            )
            for n in range(10)
        )
    )
    assert [a.status_code for a in answers] == [200] * 10, answers[-1].text
    listed = await api_client.get(
        "/v1/outlier-bounds", params={"indicator_code": "bounded"}, headers=world.headers("admin")
    )
    [bound] = listed.json()["items"]
    assert 100 <= bound["upper"] < 110
