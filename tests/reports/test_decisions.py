"""Decisions on a territory's recommendations: all of them, however many, each in the api
service's audit log with the recommendation it was taken on."""

import pytest
from sqlalchemy import select

from services.api.audit.models import AuditEvent
from tests.factories import build_world
from tests.reports.test_recommendations import (
    PERIOD,
    TRAINED,
    VALUES,
    generate,
    listing,
    post_values,
)

DECISION = {
    "text": "Провести методический семинар",
    "decided_on": "2022-06-01",
    "responsible": "Методический кабинет",
}


@pytest.fixture
async def issued(db, settings, api_client, reports_client):
    world = await build_world(db, settings)
    answer = await api_client.post("/v1/indicators", json=TRAINED, headers=world.headers("analyst"))
    assert answer.status_code == 201, answer.text
    await post_values(api_client, world, VALUES)
    await generate(reports_client, world)
    return world


async def test_decisions_of_a_territory_are_all_listed(reports_client, db, issued):
    world = issued
    recs = await listing(reports_client, world, "analyst", period=PERIOD)
    assert len(recs) >= 3
    taken = []
    for rec in recs:
        answer = await reports_client.post(
            f"/v1/recommendations/{rec['id']}/decisions",
            json=DECISION,
            headers=world.headers("analyst"),
        )
        assert answer.status_code == 201, answer.text
        taken.append(answer.json()["id"])
    params = {"territory_id": str(world.m1.id), "period": PERIOD}
    whole = await reports_client.get(
        "/v1/decisions", params=params, headers=world.headers("analyst")
    )
    assert whole.status_code == 200, whole.text
    assert whole.json()["total"] == len(taken)
    assert sorted(d["id"] for d in whole.json()["items"]) == sorted(taken)
    events = (
        await db.scalars(select(AuditEvent).where(AuditEvent.entity_type == "decision"))
    ).all()
    assert sorted(e.entity_id for e in events) == sorted(taken)
    assert {e.changes["recommendation_id"] for e in events} == {r["id"] for r in recs}
    assert {e.actor_id for e in events} == {str(world.users["analyst"].id)}


async def test_malformed_compare_period_is_422_naming_it(reports_client, issued):
    answer = await reports_client.get(
        "/v1/decisions",
        params={"territory_id": str(issued.m1.id), "period": PERIOD, "compare_period": "2022Q7"},
        headers=issued.headers("analyst"),
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["query", "compare_period"]


async def test_rule_changes_are_in_the_audit_log(reports_client, db, issued):
    world = issued
    headers = world.headers("analyst")
    rules = (await reports_client.get("/v1/recommendation-rules", headers=headers)).json()
    rule = rules["items"][0]
    path = f"/v1/recommendation-rules/{rule['id']}/territories/{world.m1.id}"
    answer = await reports_client.put(path, json={"active": False}, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["active_here"] is False
    events = (
        await db.scalars(
            select(AuditEvent).where(
                AuditEvent.entity_type == "recommendation_rule",
                AuditEvent.entity_id == rule["id"],
            )
        )
    ).all()
    assert [(e.action, e.changes) for e in events] == [
        ("update", {"territory_id": str(world.m1.id), "active": False})
    ]


async def test_decisions_and_their_periods_are_paged(reports_client, issued):
    world = issued
    headers = world.headers("analyst")
    recs = await listing(reports_client, world, "analyst", period=PERIOD)
    for rec in recs[:3]:  # two decisions on the first: a recommendation's come together
        for _ in range(2 if rec is recs[0] else 1):
            answer = await reports_client.post(
                f"/v1/recommendations/{rec['id']}/decisions", json=DECISION, headers=headers
            )
            assert answer.status_code == 201, answer.text
    params = {"territory_id": str(world.m1.id), "period": PERIOD}
    whole = (await reports_client.get("/v1/decisions", params=params, headers=headers)).json()
    assert whole["total"] == 4 and len(whole["items"]) == 4
    walked = []
    for offset in range(5):  # one at a time, and one past the end
        one = await reports_client.get(
            "/v1/decisions", params={**params, "limit": 1, "offset": offset}, headers=headers
        )
        assert one.status_code == 200 and one.json()["total"] == 4, one.text
        walked += [d["id"] for d in one.json()["items"]]
    assert walked == [d["id"] for d in whole["items"]]  # each once, in the list's order
    periods = await reports_client.get(
        "/v1/decisions/periods",
        params={"territory_id": str(world.m1.id), "limit": 1, "offset": 1},
        headers=headers,
    )
    assert periods.json() == {"items": [], "total": 1}
    for path in ("/v1/decisions", "/v1/decisions/periods"):
        too_many = await reports_client.get(path, params={**params, "limit": 501}, headers=headers)
        assert too_many.status_code == 422
        assert too_many.json()["errors"][0]["loc"] == ["query", "limit"]


@pytest.mark.parametrize(
    ("day", "said"),
    [
        ("2030-01-01", "Дата 01.01.2030 ещё не наступила (сегодня "),
        # Before the 2021/2022 recommendation's period began: a decision cannot precede it.
        ("2020-01-01", "Дата 01.01.2020 раньше начала периода рекомендации 2021/2022 (01.09.2021)"),
        ("2021-08-31", "раньше начала периода рекомендации 2021/2022"),
    ],
)
async def test_a_decision_is_dated_a_day_that_came_after_its_period_began(
    reports_client, issued, day, said
):
    rec = (await listing(reports_client, issued, "analyst", period=PERIOD))[0]
    path = f"/v1/recommendations/{rec['id']}/decisions"
    h = issued.headers("analyst")
    answer = await reports_client.post(path, json={**DECISION, "decided_on": day}, headers=h)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "decided_on"] and said in error["msg"]
    listed = await reports_client.get(
        "/v1/decisions", params={"territory_id": str(issued.m1.id), "period": PERIOD}, headers=h
    )
    assert listed.json()["total"] == 0
    first_day = await reports_client.post(
        path, json={**DECISION, "decided_on": "2021-09-01"}, headers=h
    )
    assert first_day.status_code == 201, first_day.text
