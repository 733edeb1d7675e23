"""Organizations' opening and closing dates (`opened_on`, `closed_on`): taken, returned,
changed and cleared over the API, checked (closing before opening, a year outside the reported
ones: 422 naming the field), carried by the change feed and kept in the reports' facts."""

import pytest
from sqlalchemy import text

from tests.changes import of, read_all
from tests.facts import sync_facts


def _school(world, **dates) -> dict:
    return {"name": "Школа 20", "kind": "school", "territory_id": str(world.m1.id), **dates}


async def test_dates_are_taken_returned_changed_and_cleared(api_client, world):
    headers = world.headers("analyst")
    created = await api_client.post(
        "/v1/organizations", json=_school(world, opened_on="2022-09-01"), headers=headers
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["opened_on"], body["closed_on"]) == ("2022-09-01", None)
    path = f"/v1/organizations/{body['id']}"
    closed = await api_client.patch(path, json={"closed_on": "2025-06-30"}, headers=headers)
    assert closed.status_code == 200, closed.text
    read = await api_client.get(path, headers=headers)
    assert (read.json()["opened_on"], read.json()["closed_on"]) == ("2022-09-01", "2025-06-30")
    cleared = await api_client.patch(path, json={"opened_on": None}, headers=headers)
    assert (cleared.json()["opened_on"], cleared.json()["closed_on"]) == (None, "2025-06-30")
    # An organization without dates (as every one stored before) reads null for both.
    plain = await api_client.get(f"/v1/organizations/{world.s1.id}", headers=headers)
    assert (plain.json()["opened_on"], plain.json()["closed_on"]) == (None, None)


async def test_closing_before_opening_is_422_naming_closed_on(api_client, world):
    headers = world.headers("analyst")
    answer = await api_client.post(
        "/v1/organizations",
        json=_school(world, opened_on="2022-09-01", closed_on="2022-08-31"),
        headers=headers,
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "closed_on"]
    assert error["msg"] == "Дата закрытия (31.08.2022) раньше даты открытия (01.09.2022)"
    # A change is checked against the stored other day: opened on 1 September 2022, S1 cannot
    # then be closed in August, nor opened after the day it closed.
    path = f"/v1/organizations/{world.s1.id}"
    opened = await api_client.patch(path, json={"opened_on": "2022-09-01"}, headers=headers)
    assert opened.status_code == 200, opened.text
    closed = await api_client.patch(path, json={"closed_on": "2022-08-31"}, headers=headers)
    assert closed.status_code == 422
    assert closed.json()["errors"][0]["loc"] == ["body", "closed_on"]
    both = {"opened_on": "2023-09-01", "closed_on": "2023-09-01"}  # open one day: fine
    assert (await api_client.patch(path, json=both, headers=headers)).status_code == 200


@pytest.mark.parametrize(
    ("dates", "field"),
    [
        ({"opened_on": "2201-09-01"}, "opened_on"),
        ({"closed_on": "1900-01-01"}, "closed_on"),
        ({"opened_on": "01.09.2022"}, "opened_on"),
    ],
)
async def test_a_day_outside_the_reported_years_or_not_iso_is_422(api_client, world, dates, field):
    answer = await api_client.post(
        "/v1/organizations", json=_school(world, **dates), headers=world.headers("analyst")
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", field]
    assert any(ch in error["msg"] for ch in "абвгдеёжзийклмнопрстуфхцчшщыэюя")  # Russian


async def test_a_leader_may_not_change_the_dates(api_client, world):
    answer = await api_client.patch(
        f"/v1/organizations/{world.s1.id}",
        json={"closed_on": "2022-06-30"},
        headers=world.headers("leader"),
    )
    assert answer.status_code == 403


async def test_the_feed_carries_the_dates_and_the_facts_keep_them(
    apps, api_client, db, isolation, settings, world
):
    _, cursor = await read_all(apps.api, settings)
    answer = await api_client.patch(
        f"/v1/organizations/{world.s1.id}",
        json={"opened_on": "2019-09-01", "closed_on": "2024-06-30"},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    items, _ = await read_all(apps.api, settings, cursor)
    [item] = of(items, "organization", id=world.s1.id)
    assert (item["state"]["opened_on"], item["state"]["closed_on"]) == ("2019-09-01", "2024-06-30")
    assert set(item["state"]) == {
        "id",
        "name",
        "short_name",
        "kind",
        "territory_id",
        "context",
        "opened_on",
        "closed_on",
    }
    await sync_facts(apps, isolation)
    kept = await db.execute(
        text("SELECT id, opened_on, closed_on FROM reports.fact_organization ORDER BY name")
    )
    assert [(r.id, str(r.opened_on), str(r.closed_on)) for r in kept] == [
        (world.s1.id, "2019-09-01", "2024-06-30"),
        (world.s2.id, "None", "None"),
        (world.s3.id, "None", "None"),
    ]
