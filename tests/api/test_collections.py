"""Data collections: who writes and reads them, and each period's completeness and timeliness
of three schools around a due date (one complete in time, one complete late, one incomplete)."""

import uuid
from datetime import UTC, date, datetime

import pytest
from sqlalchemy import text

from services.api.organizations.models import Organization
from tests.collections_world import add_collection
from tests.factories import TRAINED, add_data_indicator, build_world

DUE = date(2021, 10, 1)  # 2021/2022: values are due by the end of 1 October, Moscow time
BEFORE_MIDNIGHT = datetime(2021, 10, 1, 20, 30, tzinfo=UTC)  # 23:30 in Moscow: in time
AFTER_MIDNIGHT = datetime(2021, 10, 1, 21, 10, tzinfo=UTC)  # 00:10 on 2 October: late
EARLY = datetime(2021, 9, 20, 9, 0, tzinfo=UTC)
VALUES = {"e_planning": True, "teachers_trained": 80, "stand_items": 12}


@pytest.fixture
async def world(db, settings):
    world = await build_world(db, settings)
    world.trained = await add_data_indicator(db, "teachers_trained", TRAINED, "percent")
    world.stand = await add_data_indicator(db, "stand_items", "Информация на стенде", "number")
    world.s4 = Organization(name="Школа 4", kind="school", territory_id=world.m1.id)
    world.k1 = Organization(name="Детский сад 1", kind="kindergarten", territory_id=world.m1.id)
    db.add_all([world.s4, world.k1])
    await db.flush()
    world.collection = await add_collection(
        db,
        world.m1,
        [world.planning, world.trained, world.stand],
        {"2021/2022": (date(2021, 9, 1), DUE), "2030/2031": (date(2030, 9, 1), date(2030, 10, 1))},
        name="Мониторинг 2021/2022",
    )
    return world


async def post_values(api_client, world, rows, who="analyst"):
    values = [
        {"indicator_code": code, "organization_id": str(org.id), "period": period, "value": value}
        for code, org, period, value in rows
    ]
    answer = await api_client.post(
        "/v1/data-values", json={"values": values}, headers=world.headers(who)
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["rejected"] == [], answer.text
    return answer.json()


async def first_stored(db, world, org, code, at):
    """As if the value had been stored first at `at` (a test's writes share one moment)."""
    await db.execute(
        text(
            "UPDATE api.data_value d SET created_at = :at FROM api.indicator i "
            "WHERE i.id = d.indicator_id AND i.code = :code AND d.organization_id = :org"
        ),
        {"at": at, "code": code, "org": org.id},
    )


async def status(api_client, world, period="2021/2022", who="analyst"):
    answer = await api_client.get(
        f"/v1/collections/{world.collection.id}/status",
        params={"period": period},
        headers=world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def three_schools(api_client, db, world):
    """S1 complete in time (one value at 23:30 on the due date), S2 complete with one value
    first stored ten minutes past midnight, S4 with two values of three, in time."""
    codes = ("e_planning", "teachers_trained", "stand_items")
    rows = [(code, s, "2021/2022", VALUES[code]) for s in (world.s1, world.s2) for code in codes]
    rows += [
        ("e_planning", world.s4, "2021/2022", False),
        ("teachers_trained", world.s4, "2021/2022", 50),
    ]
    await post_values(api_client, world, rows)
    for school in (world.s1, world.s2, world.s4):
        for code in codes:
            await first_stored(db, world, school, code, EARLY)
    await first_stored(db, world, world.s1, "stand_items", BEFORE_MIDNIGHT)
    await first_stored(db, world, world.s2, "stand_items", AFTER_MIDNIGHT)


async def test_completeness_and_timeliness_of_three_schools_around_the_due_date(
    api_client, db, world
):
    await three_schools(api_client, db, world)
    body = await status(api_client, world)
    by_name = {o["name"]: o for o in body["organizations"]}
    assert list(by_name) == ["Школа 1", "Школа 2", "Школа 4"]  # no kindergarten, no M2 school
    s1, s2, s4 = by_name["Школа 1"], by_name["Школа 2"], by_name["Школа 4"]
    assert (s1["expected"], s1["present"], s1["present_by_due"]) == (3, 3, 3)
    assert (s1["completeness"], s1["timeliness"], s1["late"]) == (100.0, 100.0, False)
    assert (s2["completeness"], s2["timeliness"], s2["late"]) == (100.0, 66.7, False)
    assert (s4["completeness"], s4["timeliness"], s4["late"]) == (66.7, 66.7, True)
    assert s1["approval"] == {"status": "not_submitted", "level": 0, "levels": 1}
    territory = body["territory"]
    assert territory["territory_id"] == str(world.m1.id)
    assert (territory["organizations"], territory["expected"], territory["present"]) == (3, 9, 8)
    assert territory["present_by_due"] == 7
    # Pooled: 8 of 9 and 7 of 9, not the mean of the schools' percents (88.9 and 77.8).
    assert (territory["completeness"], territory["timeliness"]) == (88.9, 77.8)
    assert territory["late"] == 1
    assert (body["due_date"], body["past_due"]) == ("2021-10-01", True)


async def test_a_value_changed_after_the_due_date_stays_timely_when_first_stored_in_time(
    api_client, db, world
):
    await three_schools(api_client, db, world)
    await post_values(api_client, world, [("teachers_trained", world.s1, "2021/2022", 75)])
    [s1] = [o for o in (await status(api_client, world))["organizations"] if o["name"] == "Школа 1"]
    assert s1["timeliness"] == 100.0


async def test_incomplete_before_the_due_date_is_not_late(api_client, db, world):
    await post_values(api_client, world, [("e_planning", world.s1, "2030/2031", True)])
    body = await status(api_client, world, period="2030/2031")
    [s1] = [o for o in body["organizations"] if o["name"] == "Школа 1"]
    assert (s1["completeness"], s1["late"], body["past_due"]) == (33.3, False, False)
    assert body["territory"]["late"] == 0


async def test_an_indicator_not_for_the_schools_kind_is_not_expected(api_client, db, world):
    world.stand.applies_to = ["kindergarten"]
    await db.flush()
    body = await status(api_client, world, period="2030/2031")
    assert {o["expected"] for o in body["organizations"]} == {2}


async def test_a_leader_sees_the_status_of_their_school_alone(api_client, db, world):
    await three_schools(api_client, db, world)
    body = await status(api_client, world, who="leader")
    assert [o["name"] for o in body["organizations"]] == ["Школа 1"]
    assert body["territory"]["expected"] == 3


async def test_a_period_without_a_window_is_422_naming_it(api_client, world):
    answer = await api_client.get(
        f"/v1/collections/{world.collection.id}/status",
        params={"period": "2022/2023"},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["query", "period"]


def new_collection(world, **changes):
    return {
        "name": "Сбор данных о КПК",
        "owner_territory_id": str(world.m1.id),
        "indicator_codes": ["teachers_trained", "e_planning"],
        "windows": [{"period": "2022/2023", "opens_date": "2022-09-01", "due_date": "2022-10-15"}],
        **changes,
    }


async def test_an_analyst_creates_a_collection_its_schools_leaders_read(api_client, world):
    created = await api_client.post(
        "/v1/collections", json=new_collection(world), headers=world.headers("analyst")
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["indicator_codes"] == ["teachers_trained", "e_planning"]
    assert body["organization_kinds"] == ["school"]
    assert body["windows"] == [
        {"period": "2022/2023", "opens_date": "2022-09-01", "due_date": "2022-10-15"}
    ]
    read = await api_client.get(f"/v1/collections/{body['id']}", headers=world.headers("leader"))
    assert read.status_code == 200
    listed = await api_client.get(
        "/v1/collections", params={"period": "2022/2023"}, headers=world.headers("leader")
    )
    assert [c["id"] for c in listed.json()["items"]] == [body["id"]]
    other = await api_client.get(f"/v1/collections/{body['id']}", headers=world.headers("leader3"))
    assert other.status_code == 404
    # Those who read it but may not change it are told so (403), not that it is not there.
    path = f"/v1/collections/{body['id']}"
    for who in ("leader", "viewer"):
        renamed = await api_client.patch(path, json={"name": "Моё"}, headers=world.headers(who))
        assert renamed.status_code == 403, renamed.text
        gone = await api_client.delete(path, headers=world.headers(who))
        assert gone.status_code == 403, gone.text
    # Another district's school: a leader never changes a collection, so they are refused
    # (403) as for any id, before the collection is looked for: nothing tells it exists.
    renamed = await api_client.patch(path, json={"name": "Моё"}, headers=world.headers("leader3"))
    assert renamed.status_code == 403, renamed.text
    unknown = f"/v1/collections/{uuid.uuid4()}"
    refused = await api_client.patch(
        unknown, json={"name": "Моё"}, headers=world.headers("leader3")
    )
    assert (refused.status_code, refused.json()["detail"]) == (403, renamed.json()["detail"])
    kept = await api_client.get(path, headers=world.headers("analyst"))
    assert kept.json()["name"] == body["name"]


@pytest.mark.parametrize(
    ("changes", "loc"),
    [
        ({"indicator_codes": ["no_such_code"]}, ["body", "indicator_codes"]),
        ({"indicator_codes": ["e_planning", "m2_own"]}, ["body", "indicator_codes"]),
        ({"indicator_codes": ["computed"]}, ["body", "indicator_codes"]),
        (
            {
                "windows": [
                    {"period": "2022/2023", "opens_date": "2022-10-01", "due_date": "2022-09-01"}
                ]
            },
            ["body", "windows", 0, "due_date"],
        ),
        ({"name": "\u200b"}, ["body", "name"]),  # a zero-width space pasted from Word
        ({"name": "Сбор\u202eатад"}, ["body", "name"]),  # shown reversed
    ],
)
async def test_a_bad_collection_is_422_naming_the_field(api_client, db, world, changes, loc):
    # M2's own indicator does not exist for M1; a computed one is not reported.
    m2_own = await add_data_indicator(db, "m2_own", "Показатель района 2", "number")
    m2_own.owner_territory_id = world.m2.id
    await add_data_indicator(db, "computed", "Рассчитывается", "number")
    await db.execute(text("UPDATE api.indicator SET method = 'formula' WHERE code = 'computed'"))
    await db.flush()
    answer = await api_client.post(
        "/v1/collections", json=new_collection(world, **changes), headers=world.headers("analyst")
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == loc


async def test_what_decides_the_lock_stays_while_data_are_approved(api_client, world):
    approved = world.collections["m1"]  # S1's 2016/2017 is approved
    path = f"/v1/collections/{approved.id}"
    headers = world.headers("analyst")
    answer = await api_client.patch(
        path, json={"indicator_codes": ["teachers_trained"]}, headers=headers
    )
    assert answer.status_code == 409
    assert (await api_client.delete(path, headers=headers)).status_code == 409
    renamed = await api_client.patch(path, json={"name": "Новое имя"}, headers=headers)
    assert renamed.status_code == 200
    spare = f"/v1/collections/{world.collections['spare_m1'].id}"
    assert (await api_client.delete(spare, headers=headers)).status_code == 204
    assert (await api_client.get(spare, headers=headers)).status_code == 404


async def test_windows_are_replaced_audited_and_one_with_approvals_stays(api_client, world):
    collection = world.collections["m1"]  # S1 has approvals for 2016/2017 and 2021/2022
    path = f"/v1/collections/{collection.id}"
    headers = world.headers("analyst")
    kept = [
        {"period": "2016/2017", "opens_date": "2016-09-01", "due_date": "2016-10-01"},
        {"period": "2021/2022", "opens_date": "2021-09-01", "due_date": "2021-11-01"},
    ]
    first = (await api_client.get(path, headers=headers)).json()["updated_at"]
    dropped = await api_client.patch(path, json={"windows": kept[:1]}, headers=headers)
    assert dropped.status_code == 409
    assert "2021/2022" in dropped.json()["detail"]
    moved = await api_client.patch(path, json={"windows": kept}, headers=headers)
    assert moved.status_code == 200, moved.text
    assert moved.json()["windows"] == kept  # 2019/2020 had no approval and went
    # Its windows changed, so did the collection (was: `updated_at` as it was created).
    changed = moved.json()["updated_at"]
    assert datetime.fromisoformat(changed) > datetime.fromisoformat(first)
    again = await api_client.patch(path, json={"windows": kept}, headers=headers)
    assert again.json()["updated_at"] == changed  # the same windows: no change
    events = await api_client.get(
        "/v1/audit-events",
        params={"entity_type": "collection", "entity_id": str(collection.id), "action": "update"},
        headers=world.headers("admin"),
    )
    [event] = events.json()["items"]
    assert [w["period"] for w in event["changes"]["windows"]["before"]] == [
        "2016/2017",
        "2019/2020",
        "2021/2022",
    ]
    assert event["changes"]["windows"]["after"] == kept
