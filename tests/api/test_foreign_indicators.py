"""Another territory's own indicator does not exist for a school elsewhere: a value posted for
it is rejected like an unknown code, whoever posts it (the school's system, its analyst, the
region's, the administrator) and however (JSON or a file), and nothing is stored.

M1's analyst defines `m1_own`; S3 lies in M2. A value of `m1_own` for S3 would show in no
report of M2 (which cannot see the definition) yet sit in the table; a global indicator or
M1's own for S1 are accepted as before.
"""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from services.api.data_values.models import DataValue
from tests.factories import TRAINED, World, add_data_indicator, build_world
from tests.owners import add_analysts

UNKNOWN = "нет показателя с кодом «m1_own»"  # another territory's own is unknown here


@pytest.fixture
async def world(db, settings) -> World:
    world = await add_analysts(db, settings, await build_world(db, settings))
    # Of the global catalogue: it exists for every school.
    await add_data_indicator(db, "teachers_trained", TRAINED, "percent")
    return world


@pytest.fixture
async def m1_own(api_client, world) -> str:
    body = {
        "code": "m1_own",
        "name": "Свой показатель района 1",
        "unit": "number",
        "level": "organization",
        "method": "data_value",
        "params": {"value_type": "number"},
    }
    created = await api_client.post("/v1/indicators", json=body, headers=world.headers("analyst"))
    assert created.status_code == 201, created.text
    assert created.json()["owner_territory_id"] == str(world.m1.id)
    return "m1_own"


async def s3_key(api_client, world) -> dict[str, str]:
    """The information system of S3 (in M2), with its organization's API key."""
    created = await api_client.post(
        f"/v1/organizations/{world.s3.id}/api-keys",
        json={"name": "АИС школы 3"},
        headers=world.headers("admin"),
    )
    assert created.status_code == 201, created.text
    return {"X-API-Key": created.json()["key"]}


def value(code: str, organization, amount: float = 7) -> dict:
    return {
        "indicator_code": code,
        "organization_id": str(organization.id),
        "period": "2021/2022",
        "value": amount,
    }


async def stored(db) -> int:
    return await db.scalar(select(func.count()).select_from(DataValue))


@pytest.mark.parametrize("who", ["s3_key", "analyst2", "region_analyst", "admin"])
async def test_a_value_for_another_territorys_indicator_is_rejected_as_unknown(
    api_client, world, db, m1_own, who
):
    headers = await s3_key(api_client, world) if who == "s3_key" else world.headers(who)
    before = await stored(db)
    rows = [value(m1_own, world.s3), value("teachers_trained", world.s3, 50)]
    answer = await api_client.post("/v1/data-values", json={"values": rows}, headers=headers)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["imported"] == 1, summary  # the global indicator's value goes in
    [rejected] = summary["rejected"]
    assert rejected["index"] == 0
    assert rejected["errors"] == [{"loc": ["indicator_code"], "msg": UNKNOWN}]
    assert await stored(db) == before + 1


async def test_the_owners_own_schools_and_the_region_above_may_post_it(
    api_client, world, db, m1_own
):
    for who in ("analyst", "region_analyst", "leader"):
        answer = await api_client.post(
            "/v1/data-values",
            json={"values": [value(m1_own, world.s1)]},
            headers=world.headers(who),
        )
        assert answer.status_code == 200, answer.text
        assert answer.json()["rejected"] == [], who
    # The region's own indicator exists for the schools of both municipalities under it.
    regional = {
        "code": "region_own",
        "name": "Свой показатель области",
        "unit": "number",
        "level": "organization",
        "method": "data_value",
        "params": {"value_type": "number"},
    }
    created = await api_client.post(
        "/v1/indicators", json=regional, headers=world.headers("region_analyst")
    )
    assert created.status_code == 201, created.text
    rows = [value("region_own", world.s1), value("region_own", world.s3)]
    answer = await api_client.post(
        "/v1/data-values", json={"values": rows}, headers=world.headers("region_analyst")
    )
    assert answer.json()["imported"] == 2 and answer.json()["rejected"] == []


async def test_a_file_with_another_territorys_indicator_has_those_rows_rejected(
    api_client, world, db, m1_own
):
    csv = (
        "indicator_code;organization_id;period;value\n"
        f"{m1_own};{world.s3.id};2021/2022;5\n"
        f"teachers_trained;{world.s3.id};2021/2022;60\n"
    ).encode()
    answer = await api_client.post(
        "/v1/data-values/upload",
        files={"file": ("values.csv", csv)},
        headers=world.headers("analyst2"),
    )
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["imported"] == 1
    assert [(r["index"], r["errors"][0]["msg"]) for r in summary["rejected"]] == [
        (2, f"{UNKNOWN} (строка 2, столбец 1 «indicator_code»)")
    ]
    book = Workbook()
    book.active.append(["indicator_code", "organization_id", "period", "value"])
    book.active.append([m1_own, str(world.s3.id), "2021/2022", 5])
    buffer = io.BytesIO()
    book.save(buffer)
    xlsx = await api_client.post(
        "/v1/data-values/upload",
        files={"file": ("values.xlsx", buffer.getvalue())},
        headers=await s3_key(api_client, world),
    )
    assert xlsx.status_code == 200, xlsx.text
    assert xlsx.json()["imported"] == 0
    assert xlsx.json()["rejected"][0]["errors"][0]["msg"] == (
        f"{UNKNOWN} (строка 2, столбец A «indicator_code»)"
    )
    m1_values = await db.scalar(
        select(func.count()).select_from(DataValue).where(DataValue.organization_id == world.s3.id)
    )
    assert m1_values == 1  # teachers_trained only
