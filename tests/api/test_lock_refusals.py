"""A bulk import into approved data is refused whole (409) saying each approval once — in the
problem's `detail` and `approvals` — and each refused row briefly, not the whole approval
again for every row of a large file."""

import pytest
from sqlalchemy import update

from services.api.organizations.models import Organization
from tests.api.test_approvals import (
    PERIOD,
    WINDOW,
    act,
    approval_world,
    post_values,
    stored,
    values,
)
from tests.collections_world import add_collection
from tests.factories import add_data_indicator

LOCKED_ROW = "Значение утверждено — изменить его можно после отзыва утверждения"
MANY = 12


@pytest.fixture
async def world(db, settings):
    """The approval world with a monitoring collection of M1 over `MANY` number indicators."""
    world = await approval_world(db, settings)
    world.many = [
        await add_data_indicator(db, f"monitoring_{n}", f"Показатель мониторинга {n}", "number")
        for n in range(MANY)
    ]
    world.monitoring = await add_collection(
        db, world.m1, world.many, WINDOW, name="Мониторинг района"
    )
    return world


def monitoring_rows(world, value: float, org=None) -> list[dict]:
    return [
        {
            "indicator_code": indicator.code,
            "organization_id": str((org or world.s1).id),
            "period": PERIOD,
            "value": value,
        }
        for indicator in world.many
    ]


async def test_many_rows_into_one_approval_say_it_once(api_client, world):
    assert (await post_values(api_client, world, monitoring_rows(world, 1))).status_code == 200
    for step, who in (("submit", "leader"), ("approve", "analyst")):
        done = await act(api_client, world, step, who, collection=world.monitoring)
        assert done.status_code == 200, done.text

    refused = await post_values(api_client, world, monitoring_rows(world, 2))
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert problem["detail"].startswith(
        "Значения закрыты для изменений: данные «Школа 1» за 2021/2022 по сбору "
        "«Мониторинг района» утверждены: Район 1, "
    )
    assert problem["detail"].endswith(". Изменить их можно после отзыва утверждения.")
    assert problem["detail"].count("утверждены:") == 1
    [approval] = problem["approvals"]
    assert approval["collection_id"] == str(world.monitoring.id)
    assert approval["collection_name"] == "Мониторинг района"
    assert approval["organization_id"] == str(world.s1.id)
    assert (approval["period"], approval["level"]) == (PERIOD, 1)
    assert approval["territory_id"] == str(world.m1.id)
    assert approval["approved_by"] == str(world.users["analyst"].id)
    assert approval["approved_by_name"] and approval["approved_at"]
    assert problem["errors"] == [
        {"loc": ["values", n, "value"], "msg": LOCKED_ROW, "approval": 0, "approvals": [0]}
        for n in range(MANY)
    ]
    # The answer no longer grows by the approval's words with every row of the file.
    assert "Мониторинг района" not in str(problem["errors"])


async def test_rows_of_two_approved_schools_name_each_approval_once(api_client, world):
    rows = values(world) + values(world, org=world.s2)
    assert (await post_values(api_client, world, rows, "analyst")).status_code == 200
    for school, leader in ((world.s1, "leader"), (world.s2, "leader2")):
        assert (await act(api_client, world, "submit", leader, org=school)).status_code == 200
        assert (await act(api_client, world, "approve", "analyst", org=school)).status_code == 200

    changed = values(world, 90.0) + values(world, 91.0, org=world.s2)
    refused = await post_values(api_client, world, changed, "analyst")
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    detail = problem["detail"]
    assert detail.count("данные «Школа 1»") == 1 and detail.count("данные «Школа 2»") == 1
    assert detail.count("по сбору «Сбор района»") == 2
    schools = [a["organization_id"] for a in problem["approvals"]]
    assert sorted(schools) == sorted([str(world.s1.id), str(world.s2.id)])
    # Each refused row (the changed percent of each school) points at its school's approval.
    by_row = {e["loc"][1]: schools[e["approval"]] for e in problem["errors"]}
    assert by_row == {1: str(world.s1.id), 3: str(world.s2.id)}
    assert {e["msg"] for e in problem["errors"]} == {LOCKED_ROW}


async def approve_both(api_client, world, school=None, leader="leader"):
    """S1's (or `school`'s) data approved by M1 in its own collection and in the region's,
    both asking the same two indicators for the same period."""
    for collection in (world.municipal, world.regional):
        for step, who in (("submit", leader), ("approve", "analyst")):
            done = await act(api_client, world, step, who, collection=collection, org=school)
            assert done.status_code == 200, done.text


async def test_a_value_two_approvals_lock_is_one_error_naming_both(api_client, world, db):
    assert (await post_values(api_client, world, values(world))).status_code == 200
    await approve_both(api_client, world)

    refused = await post_values(api_client, world, values(world, 90.0))
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    names = [a["collection_name"] for a in problem["approvals"]]
    assert sorted(names) == ["Сбор области", "Сбор района"]
    # The changed percent (row 1) is one error naming both approvals, not one per approval.
    assert problem["errors"] == [
        {"loc": ["values", 1, "value"], "msg": LOCKED_ROW, "approval": 0, "approvals": [0, 1]}
    ]
    detail = problem["detail"]
    assert detail.count("по сбору «Сбор района»") == 1
    assert detail.count("по сбору «Сбор области»") == 1
    assert await stored(db, world) == 80.0

    # A file: each refused line once, both approvals named; the dry run says the same.
    sheet = "indicator_code;organization_id;period;value\n" + "".join(
        f"{code};{world.s1.id};{PERIOD};{value}\n"
        for code, value in (("teachers_trained", "91"), ("e_planning", "нет"))
    )
    for params in ({}, {"dry_run": "true"}):
        answer = await api_client.post(
            "/v1/data-values/upload",
            params=params,
            files={"file": ("values.csv", sheet.encode())},
            headers=world.headers("leader"),
        )
        assert answer.status_code == 409, answer.text
        errors = answer.json()["errors"]
        assert [e["loc"] for e in errors] == [["values", 2, "value"], ["values", 3, "value"]]
        assert [e["approvals"] for e in errors] == [[0, 1], [0, 1]]
        assert {e["msg"] for e in errors} == {LOCKED_ROW}
    assert await stored(db, world) == 80.0


async def test_a_single_value_and_rows_of_other_approvals_name_their_own(api_client, world, db):
    """The single-value write (one posted row) is one error naming both approvals; beside a
    value only the monitoring locks, each row names its own approvals."""
    assert (await post_values(api_client, world, values(world))).status_code == 200
    assert (await post_values(api_client, world, monitoring_rows(world, 1))).status_code == 200
    await approve_both(api_client, world)
    for step, who in (("submit", "leader"), ("approve", "analyst")):
        done = await act(api_client, world, step, who, collection=world.monitoring)
        assert done.status_code == 200, done.text

    trained = values(world, 95.0)[1]
    refused = await post_values(api_client, world, [trained], "analyst")
    assert refused.status_code == 409, refused.text
    [error] = refused.json()["errors"]
    assert error["loc"] == ["values", 0, "value"] and error["approvals"] == [0, 1]

    refused = await post_values(api_client, world, [trained, monitoring_rows(world, 2)[0]])
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    names = [a["collection_name"] for a in problem["approvals"]]
    assert names == ["Сбор области", "Сбор района", "Мониторинг района"]
    assert [(e["loc"][1], e["approval"], e["approvals"]) for e in problem["errors"]] == [
        (0, 0, [0, 1]),
        (1, 2, [2]),
    ]
    assert await stored(db, world) == 80.0


async def test_past_three_approvals_the_detail_counts_the_rest(api_client, world):
    schools = ((world.s1, "leader"), (world.s2, "leader2"))
    rows = [r for s, _ in schools for r in values(world, org=s) + monitoring_rows(world, 1, s)]
    assert (await post_values(api_client, world, rows, "analyst")).status_code == 200
    for collection in (world.municipal, world.monitoring):
        for school, leader in schools:
            for step, who in (("submit", leader), ("approve", "analyst")):
                done = await act(api_client, world, step, who, collection=collection, org=school)
                assert done.status_code == 200, done.text

    changed = [
        r for s, _ in schools for r in values(world, 90.0, org=s) + monitoring_rows(world, 2, s)
    ]
    refused = await post_values(api_client, world, changed, "analyst")
    assert refused.status_code == 409, refused.text
    problem = refused.json()
    assert len(problem["approvals"]) == 4
    assert problem["detail"].count("утверждены:") == 3
    assert problem["detail"].endswith(
        " и ещё 1 утверждение. Изменить их можно после отзыва утверждения."
    )
    assert {e["approval"] for e in problem["errors"]} == {0, 1, 2, 3}


async def test_names_with_their_own_quotes_nest_as_russian_typography_does(api_client, world, db):
    """«МБОУ „Гимназия № 1“», never «МБОУ «Гимназия № 1»»: the school's and the collection's
    own quotes become „лапки“ inside the detail's «ёлочки»."""
    await db.execute(
        update(Organization)
        .where(Organization.id == world.s1.id)
        .values(name="МБОУ «Гимназия № 1»", short_name=None)
    )
    world.monitoring.name = "Мониторинг «ВСОКО»"
    await db.flush()
    assert (await post_values(api_client, world, monitoring_rows(world, 1))).status_code == 200
    for step, who in (("submit", "leader"), ("approve", "analyst")):
        done = await act(api_client, world, step, who, collection=world.monitoring)
        assert done.status_code == 200, done.text

    refused = await post_values(api_client, world, monitoring_rows(world, 2))
    assert refused.status_code == 409, refused.text
    detail = refused.json()["detail"]
    assert "данные «МБОУ „Гимназия № 1“» за 2021/2022 по сбору «Мониторинг „ВСОКО“»" in detail
    assert "«МБОУ «Гимназия" not in detail
