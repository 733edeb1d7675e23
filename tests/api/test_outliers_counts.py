"""Outliers of counts (pupils, teachers: unit `count`), which grow with a school's size: judged
against the school's own history and its bounds, never against the territory's other schools;
and every per-school listing of data quality in the natural order of the schools' names."""

from datetime import date

import pytest
from sqlalchemy import func, select

from services.api.outliers.models import OutlierFlag
from tests.api.test_outliers import PERIOD, flagged, outliers, post, row, schools
from tests.api.test_outliers import world as world  # the fixture
from tests.collections_world import add_collection
from tests.factories import add_data_indicator

# Nine village schools and one town school, as in a real district (the demo's: 35–115 pupils
# against 310–627): the town school's figure is right.
VILLAGE = [78, 79, 80, 81, 82, 80, 79, 81, 80]


@pytest.fixture
async def pupils(db):
    return await add_data_indicator(db, "pupils", "Численность обучающихся", "number")


def pupils_row(org, value, period=PERIOD) -> dict:
    return row(org, value, period=period, code="pupils")


async def test_a_big_schools_head_count_is_not_an_outlier_among_small_ones(
    api_client, world, pupils
):
    assert pupils.unit == "count"
    village = [pupils_row(s, v) for s, v in zip(schools(world)[1:], VILLAGE, strict=True)]
    summary = await post(api_client, world, [*village, pupils_row(world.s1, 600)])
    assert summary["warnings"] == []
    assert flagged(await outliers(api_client, world)) == {}
    # The same figures as a percentage are comparable between schools: flagged.
    shares = [row(s, v) for s, v in zip(schools(world)[1:], VILLAGE, strict=True)]
    percent = await post(api_client, world, [*shares, row(world.s1, 8)])
    assert [w["index"] for w in percent["warnings"]] == [9]


async def test_a_count_far_from_the_schools_own_history_or_past_its_bound_is_flagged(
    api_client, world, pupils
):
    history = [("2017/2018", 600), ("2018/2019", 610), ("2019/2020", 605), ("2020/2021", 612)]
    await post(api_client, world, [pupils_row(world.s1, v, period=p) for p, v in history])
    summary = await post(api_client, world, [pupils_row(world.s1, 6050)], who="leader")
    [warning] = summary["warnings"]
    assert "прежними периодами организации" in warning["msg"]
    assert flagged(await outliers(api_client, world)) == {"Школа 1": [("history_z", 6050.0, None)]}
    # A school with no history yet: a bound catches the typo from the first year.
    bound = {"indicator_code": "pupils", "organization_id": None, "upper": 3000}
    answer = await api_client.put("/v1/outlier-bounds", json=bound, headers=world.headers("admin"))
    assert answer.status_code == 200, answer.text
    summary = await post(api_client, world, [pupils_row(world.s2, 5000)])
    assert "больше верхней границы 3000" in summary["warnings"][0]["msg"]


async def test_a_stored_territory_flag_of_a_count_is_cleared_when_its_group_is_written(
    api_client, world, pupils, db
):
    """A flag an earlier version stored (the upgrade's migration clears them all at once)."""
    village = [pupils_row(s, v) for s, v in zip(schools(world)[1:], VILLAGE, strict=True)]
    await post(api_client, world, [*village, pupils_row(world.s1, 600)])
    db.add(
        OutlierFlag(
            indicator_id=pupils.id,
            organization_id=world.s1.id,
            period=PERIOD,
            kind="territory_z",
            value=600,
            median=80,
            n=10,
            score=350.0,
        )
    )
    await db.flush()
    assert flagged(await outliers(api_client, world)) == {"Школа 1": [("territory_z", 600.0, None)]}
    await post(api_client, world, [pupils_row(world.s2, 81)])
    assert flagged(await outliers(api_client, world)) == {}
    assert await db.scalar(select(func.count()).select_from(OutlierFlag)) == 0


async def test_per_school_listings_put_school_3_before_school_10(api_client, world, db):
    """Outliers, validation results and a collection's status list the schools as the pages
    do: «Школа 2» before «Школа 10» (not as text, where «Школа 10…17» come first)."""
    answer = await api_client.put(
        "/v1/outlier-bounds",
        json={"indicator_code": "teachers_trained", "organization_id": None, "upper": 50},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 200, answer.text
    everyone = schools(world)
    await post(api_client, world, [row(s, 60) for s in reversed(everyone)])
    expected = ["Школа 1", "Школа 2", *(f"Школа 1{n}" for n in range(8))]
    assert list(flagged(await outliers(api_client, world))) == expected
    rule = {
        "code": "trained_small",
        "left": "teachers_trained",
        "operator": "<=",
        "right": "50",
        "importance": "medium",
        "action": "warn",
        "message": "Доля обученных педагогов больше половины",
    }
    answer = await api_client.post(
        "/v1/validation-rules", json=rule, headers=world.headers("admin")
    )
    assert answer.status_code == 201, answer.text
    await post(api_client, world, [row(s, 61) for s in everyone])
    results = await api_client.get(
        "/v1/validation-results",
        params={"territory_id": str(world.m1.id), "period": PERIOD},
        headers=world.headers("analyst"),
    )
    assert results.status_code == 200, results.text
    assert [i["organization_name"] for i in results.json()["items"]] == expected
    collection = await add_collection(
        db, world.m1, [world.planning], {PERIOD: (date(2021, 9, 1), date(2021, 10, 1))}
    )
    status = await api_client.get(
        f"/v1/collections/{collection.id}/status",
        params={"period": PERIOD},
        headers=world.headers("analyst"),
    )
    assert status.status_code == 200, status.text
    assert [o["name"] for o in status.json()["organizations"]] == expected
