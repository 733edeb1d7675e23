"""Outliers: min–max bounds (global and per organization), the modified z-score within the
territory and against the school's history, flags in the import summary and in /v1/outliers,
and who reads and sets them."""

import asyncio

import httpx
import pytest
from sqlalchemy import select

from services.api.auth.service import user_principal
from services.api.data_values.models import DataValue
from services.api.organizations.models import Organization
from services.api.outliers.models import OutlierFlag
from shared.identity import issue_user_token
from tests.api.helpers import upload
from tests.factories import TRAINED, add_colleagues, add_data_indicator, add_user, build_world

PERIOD = "2021/2022"


@pytest.fixture
async def world(db, settings):
    """The standard world, the percent indicator `teachers_trained`, eight more schools in M1
    (ten with S1 and S2), the leader of S2 and an analyst of M2."""
    world = await build_world(db, settings)
    await add_data_indicator(db, "teachers_trained", TRAINED, "percent")
    world.more = [
        Organization(name=f"Школа 1{n}", kind="school", territory_id=world.m1.id) for n in range(8)
    ]
    db.add_all(world.more)
    await add_colleagues(db, settings, world)
    analyst2 = add_user(db, "analyst2@soko.example", "territory_analyst", "territory", world.m2.id)
    await db.flush()
    world.tokens["analyst2"] = issue_user_token(settings, user_principal(analyst2))
    return world


def row(org, value, period=PERIOD, code="teachers_trained") -> dict:
    return {
        "indicator_code": code,
        "organization_id": str(org.id),
        "period": period,
        "value": value,
    }


async def post(client, world, values, who="analyst", **params) -> dict:
    answer = await client.post(
        "/v1/data-values", json={"values": values}, params=params, headers=world.headers(who)
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def put_bound(client, world, who="admin", org=None, **sides):
    body = {"indicator_code": "teachers_trained", "organization_id": org and str(org.id), **sides}
    return await client.put("/v1/outlier-bounds", json=body, headers=world.headers(who))


async def outliers(client, world, who="analyst", territory=None, **params) -> dict:
    answer = await client.get(
        "/v1/outliers",
        params={"territory_id": str((territory or world.m1).id), "period": PERIOD, **params},
        headers=world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


def flagged(listing: dict) -> dict[str, list[tuple]]:
    """{organization name: [(check, value, bound), ...]}"""
    return {
        item["organization_name"]: [(f["check"], f["value"], f["bound"]) for f in item["flags"]]
        for item in listing["items"]
    }


def schools(world) -> list:
    return [world.s1, world.s2, *world.more]


async def test_a_global_bound_flags_a_value_stored_all_the_same(api_client, world, db):
    assert (await put_bound(api_client, world, lower=10, upper=90)).status_code == 200
    summary = await post(api_client, world, [row(world.s1, 95), row(world.s2, 85)], who="admin")
    assert summary["imported"] == 2 and summary["rejected"] == []
    [warning] = summary["warnings"]
    assert (warning["index"], warning["loc"]) == (0, ["value"])
    assert (
        "проверка по границам" in warning["msg"] and "больше верхней границы 90" in warning["msg"]
    )
    assert await db.scalar(select(DataValue.value).where(DataValue.organization_id == world.s1.id))
    assert flagged(await outliers(api_client, world)) == {"Школа 1": [("min_max", 95.0, 90.0)]}


async def test_an_organizations_bound_wins_over_the_global_one(api_client, world):
    await put_bound(api_client, world, upper=90)
    answer = await put_bound(api_client, world, who="analyst", org=world.s1, lower=20, upper=99)
    assert answer.status_code == 200, answer.text
    assert answer.json()["organization_id"] == str(world.s1.id)
    summary = await post(api_client, world, [row(world.s1, 95), row(world.s2, 95)])
    assert [w["index"] for w in summary["warnings"]] == [1]  # S2: the global bound
    summary = await post(api_client, world, [row(world.s1, 15)])
    assert "меньше нижней границы 20" in summary["warnings"][0]["msg"]
    assert flagged(await outliers(api_client, world)) == {
        "Школа 1": [("min_max", 15.0, 20.0)],
        "Школа 2": [("min_max", 95.0, 90.0)],
    }


async def test_setting_or_removing_a_bound_recomputes_the_flags_of_stored_values(api_client, world):
    await post(api_client, world, [row(world.s1, 95)])
    assert flagged(await outliers(api_client, world)) == {}
    await put_bound(api_client, world, who="analyst", org=world.s1, upper=90)
    assert flagged(await outliers(api_client, world)) == {"Школа 1": [("min_max", 95.0, 90.0)]}
    removed = await api_client.delete(
        "/v1/outlier-bounds",
        params={"indicator_code": "teachers_trained", "organization_id": str(world.s1.id)},
        headers=world.headers("analyst"),
    )
    assert removed.status_code == 204, removed.text
    assert flagged(await outliers(api_client, world)) == {}


async def test_nine_schools_near_80_and_one_at_8_flag_the_one(api_client, world):
    near = [78, 79, 80, 81, 82, 80, 79, 81, 80]
    values = [row(s, v) for s, v in zip(schools(world)[1:], near, strict=True)]
    summary = await post(api_client, world, [*values, row(world.s1, 8)])
    [warning] = summary["warnings"]
    assert warning["index"] == 9 and warning["loc"] == ["value"]
    assert (
        "организаций территории" in warning["msg"]
        and "медиане 80 по 10 значениям" in warning["msg"]
    )
    [item] = (await outliers(api_client, world))["items"]
    [flag] = item["flags"]
    assert (item["organization_name"], flag["check"], flag["median"], flag["n"]) == (
        "Школа 1",
        "territory_z",
        80.0,
        10,
    )
    assert flag["score"] == pytest.approx(0.6745 * (8 - 80) / 1)  # MAD of the ten is 1


async def test_a_flag_within_the_territory_follows_the_other_schools_posts(api_client, world):
    await post(api_client, world, [row(world.s1, 8)], who="leader")  # alone: no sample yet
    assert flagged(await outliers(api_client, world)) == {}
    near = [78, 79, 80, 81, 82, 80, 79, 81, 80]
    await post(
        api_client, world, [row(s, v) for s, v in zip(schools(world)[1:], near, strict=True)]
    )
    assert flagged(await outliers(api_client, world)) == {"Школа 1": [("territory_z", 8.0, None)]}


async def test_a_corrected_value_clears_its_flag(api_client, world, db):
    near = [78, 79, 80, 81, 82, 80, 79, 81, 80]
    await post(
        api_client, world, [row(s, v) for s, v in zip(schools(world)[1:], near, strict=True)]
    )
    assert (await post(api_client, world, [row(world.s1, 8)], who="leader"))["warnings"]
    summary = await post(api_client, world, [row(world.s1, 80)], who="leader")
    assert summary["updated"] == 1 and summary["warnings"] == []
    assert flagged(await outliers(api_client, world)) == {}
    assert (await db.scalars(select(OutlierFlag))).all() == []


async def test_a_value_far_from_the_schools_own_history_is_flagged(api_client, world):
    history = [("2017/2018", 70), ("2018/2019", 72), ("2019/2020", 71), ("2020/2021", 73)]
    await post(api_client, world, [row(world.s1, v, period=p) for p, v in history])
    summary = await post(api_client, world, [row(world.s1, 20)], who="leader")
    [warning] = summary["warnings"]
    assert "прежними периодами организации" in warning["msg"] and "по 4 значениям" in warning["msg"]
    [item] = (await outliers(api_client, world))["items"]
    assert [(f["check"], f["median"], f["n"]) for f in item["flags"]] == [("history_z", 71.5, 4)]
    # Earlier years corrected: the later year is judged against the new history.
    corrected = [(p, v) for (p, _), v in zip(history, (21, 19, 22, 20), strict=True)]
    await post(api_client, world, [row(world.s1, v, period=p) for p, v in corrected])
    assert flagged(await outliers(api_client, world)) == {}
    # A history of two earlier periods is too short (SOKO_OUTLIER_HISTORY_MIN_PERIODS, 3).
    short = [row(world.s2, 70, period="2019/2020"), row(world.s2, 72, period="2020/2021")]
    assert (await post(api_client, world, [*short, row(world.s2, 20)]))["warnings"] == []


async def test_mad_zero_falls_back_to_the_mean_absolute_deviation(api_client, world):
    """Nine schools at exactly 100 %: MAD is 0, so the spread is the mean absolute deviation
    (M = (x − median)/(1.253314·MeanAD)); all ten equal: no spread, no flag."""
    await post(api_client, world, [row(s, 100) for s in schools(world)[1:]])
    assert (await post(api_client, world, [row(world.s1, 100)]))["warnings"] == []
    summary = await post(api_client, world, [row(world.s1, 60)])
    assert "z-оценка -8" in summary["warnings"][0]["msg"]
    [flag] = (await outliers(api_client, world))["items"][0]["flags"]
    assert flag["score"] == pytest.approx((60 - 100) / (1.253314 * 40 / 10))
    # A constant history (MAD and mean deviation 0) gives no score against it.
    steady = [row(world.s3, 50, period=p) for p in ("2018/2019", "2019/2020", "2020/2021")]
    assert (await post(api_client, world, [*steady, row(world.s3, 60)], who="admin"))[
        "warnings"
    ] == []


async def test_a_dry_run_warns_and_stores_no_flag(api_client, world, db):
    await put_bound(api_client, world, upper=50)
    summary = await post(api_client, world, [row(world.s1, 60)], dry_run="true")
    assert summary["dry_run"] and len(summary["warnings"]) == 1
    # Nothing is stored: the warning says the value is not dropped, not that it was stored.
    message = summary["warnings"][0]["msg"]
    assert "значение не отбрасывается" in message and "сохранен" not in message
    assert (await db.scalars(select(OutlierFlag))).all() == []


async def test_an_upload_says_the_flag_at_the_files_line(api_client, world):
    await put_bound(api_client, world, upper=50)
    csv = (
        "indicator_code;organization_id;period;value\n"
        f"teachers_trained;{world.s1.id};{PERIOD};40\n"
        f"teachers_trained;{world.s1.id};2020/2021;64,5\n"
    ).encode()
    summary = await upload(api_client, world, "/v1/data-values/upload", "values.csv", csv)
    assert summary["imported"] == 2
    assert [(w["index"], w["loc"]) for w in summary["warnings"]] == [(3, ["value"])]
    assert "64,5 больше верхней границы 50" in summary["warnings"][0]["msg"]


async def test_flags_are_read_as_the_values_are(api_client, world):
    await put_bound(api_client, world, upper=50)
    await post(api_client, world, [row(world.s1, 60), row(world.s2, 70)])
    await post(api_client, world, [row(world.s3, 80)], who="admin")
    assert set(flagged(await outliers(api_client, world))) == {"Школа 1", "Школа 2"}
    # The leader of S2, in the same municipality: their own school's only.
    assert set(flagged(await outliers(api_client, world, who="leader2"))) == {"Школа 2"}
    assert set(flagged(await outliers(api_client, world, who="leader"))) == {"Школа 1"}
    # Another territory's analyst: M1 is not theirs (404); the region holds only their schools.
    refused = await api_client.get(
        "/v1/outliers",
        params={"territory_id": str(world.m1.id), "period": PERIOD},
        headers=world.headers("analyst2"),
    )
    assert refused.status_code == 404
    region = await outliers(api_client, world, who="analyst2", territory=world.region)
    assert set(flagged(region)) == {"Школа 3"}
    assert set(flagged(await outliers(api_client, world, territory=world.region))) == {
        "Школа 1",
        "Школа 2",
    }
    only = await outliers(api_client, world, indicator_code="e_planning")
    assert only["items"] == []


async def test_who_sets_and_reads_bounds(api_client, world):
    tries = [
        ("analyst", None, 50, 403),  # the global bound is an administrator's
        ("leader", world.s1, 50, 403),
        ("analyst", world.s3, 50, 404),  # another territory's school
        ("analyst2", world.s3, 50, 200),
        ("analyst", world.s1, 60, 200),
    ]
    for who, school, upper, status in tries:
        answer = await put_bound(api_client, world, who=who, org=school, upper=upper)
        assert answer.status_code == status, (who, answer.text)
    await put_bound(api_client, world, upper=90)

    async def seen(who):
        answer = await api_client.get("/v1/outlier-bounds", headers=world.headers(who))
        return {(b["organization_id"], b["upper"]) for b in answer.json()["items"]}

    assert await seen("leader") == {(None, 90.0), (str(world.s1.id), 60.0)}
    assert await seen("leader2") == {(None, 90.0)}
    assert await seen("analyst2") == {(None, 90.0), (str(world.s3.id), 50.0)}


async def test_a_territorys_own_indicator_takes_its_analysts_bound_for_every_school(
    api_client, world
):
    own = {
        "code": "m1_share",
        "name": "Показатель района",
        "unit": "percent",
        "level": "organization",
        "method": "data_value",
        "params": {"value_type": "percent"},
    }
    created = await api_client.post("/v1/indicators", json=own, headers=world.headers("analyst"))
    assert created.status_code == 201, created.text
    body = {"indicator_code": "m1_share", "lower": 40}
    for who, status in (("leader", 403), ("analyst2", 404), ("analyst", 200)):
        answer = await api_client.put("/v1/outlier-bounds", json=body, headers=world.headers(who))
        assert answer.status_code == status, (who, answer.text)
    summary = await post(api_client, world, [row(world.s2, 30, code="m1_share")])
    assert "меньше нижней границы 40" in summary["warnings"][0]["msg"]


async def test_a_bound_must_make_sense(api_client, world):
    answer = await put_bound(api_client, world, lower=60, upper=50)
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["body", "upper"]
    answer = await put_bound(api_client, world)
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["body", "lower"]
    body = {"indicator_code": "e_planning", "upper": 1}
    answer = await api_client.put("/v1/outlier-bounds", json=body, headers=world.headers("admin"))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "indicator_code"]
    body = {"indicator_code": "no_such", "upper": 1}
    answer = await api_client.put("/v1/outlier-bounds", json=body, headers=world.headers("admin"))
    assert answer.status_code == 404


@pytest.mark.committed
async def test_the_same_flagged_values_posted_again_are_warned_of_again(
    apps, isolation, settings, api_client
):
    """Each post its own transaction (as in production): unchanged values keep their stored
    flags, which the summary repeats; a correction in a later post clears its flag."""
    async with isolation() as session:
        world = await build_world(session, settings)
        await add_data_indicator(session, "teachers_trained", TRAINED, "percent")
        await session.commit()
    await put_bound(api_client, world, upper=50)
    values = [row(world.s1, 60), row(world.s2, 40)]
    first = await post(api_client, world, values)
    again = await post(api_client, world, values)
    assert again["unchanged"] == 2
    assert [(w["index"], w["msg"]) for w in again["warnings"]] == [
        (w["index"], w["msg"]) for w in first["warnings"]
    ]
    assert [w["index"] for w in again["warnings"]] == [0]
    corrected = await post(api_client, world, [row(world.s1, 45), row(world.s2, 40)])
    assert corrected["updated"] == 1 and corrected["warnings"] == []
    assert flagged(await outliers(api_client, world)) == {}


@pytest.mark.committed
async def test_schools_of_one_territory_posting_at_once_all_get_their_summary(
    apps, isolation, settings
):
    """Ten schools post at once, each its own value of one group: each import recomputes the
    group's flags; every answer is 200 and the one outlier is flagged once."""
    async with isolation() as session:
        world = await build_world(session, settings)
        await add_data_indicator(session, "teachers_trained", TRAINED, "percent")
        world.more = [
            Organization(name=f"Школа 1{n}", kind="school", territory_id=world.m1.id)
            for n in range(8)
        ]
        session.add_all(world.more)
        await session.commit()
    values = [8, 78, 79, 80, 81, 82, 80, 79, 81, 80]
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answers = await asyncio.gather(
            *(
                client.post(
                    "/v1/data-values",
                    json={"values": [row(school, value)]},
                    headers=world.headers("analyst"),
                )
                for school, value in zip(schools(world), values, strict=True)
            )
        )
        assert [a.status_code for a in answers] == [200] * 10, [a.text for a in answers]
        assert flagged(await outliers(client, world)) == {"Школа 1": [("territory_z", 8.0, None)]}
