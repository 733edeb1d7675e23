"""A recommendation whose cause is gone leaves the active list: a school fixes the values a
`data_quality` recommendation named, or reports what `low_reporting` asked for, and the next
generation marks it resolved (with the moment) — its status, history and decisions stay (also
in `GET /v1/decisions`), it is listed with `include_resolved=true`, and it comes back when the
cause does."""

from tests.reports.checks_world import break_and_flag, checks_world
from tests.reports.helpers import PERIOD, generate, post_values
from tests.reports.quality_world import add_leader10, quality_world, three_schools


async def _listed(client, world, who, rule, **params):
    answer = await client.get(
        "/v1/recommendations", params={"period": PERIOD, **params}, headers=world.headers(who)
    )
    assert answer.status_code == 200, answer.text
    return [i for i in answer.json()["items"] if i["rule_code"] == rule]


async def _generated(client, world) -> dict:
    answer = await generate(client, world)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_fixed_values_resolve_the_data_quality_recommendation(
    api_client, reports_client, db, settings
):
    world = await checks_world(db, settings)
    await break_and_flag(api_client, world)
    first = await _generated(reports_client, world)
    assert first["resolved"] == 0
    [told] = await _listed(reports_client, world, "leader2", "leader_data_quality")
    assert told["resolved_at"] is None
    # The leader takes it up, and the analyst records a decision on it.
    moved = await reports_client.patch(
        f"/v1/recommendations/{told['id']}",
        json={"status": "in_progress", "comment": "Проверяем"},
        headers=world.headers("leader2"),
    )
    assert moved.status_code == 200, moved.text
    decided = await reports_client.post(
        f"/v1/recommendations/{told['id']}/decisions",
        json={"text": "Перепроверить отчёт", "decided_on": "2021-10-05", "responsible": "Зам"},
        headers=world.headers("analyst"),
    )
    assert decided.status_code in (200, 201), decided.text

    # S2 corrects its passed (90 of 100): the rule holds again.
    await post_values(api_client, world, [("students_passed", world.s2.id, PERIOD, 90)])
    second = await _generated(reports_client, world)
    assert second["resolved"] == 1
    assert await _listed(reports_client, world, "leader2", "leader_data_quality") == []
    [kept] = await _listed(
        reports_client, world, "leader2", "leader_data_quality", include_resolved="true"
    )
    assert kept["id"] == told["id"] and kept["resolved_at"] is not None
    assert kept["status"] == "in_progress"
    assert [h["to"] for h in kept["history"]] == ["in_progress"]
    assert [d["text"] for d in kept["decisions"]] == ["Перепроверить отчёт"]
    # Its decision stays on the decisions page: its period is listed, and the decision in it.
    where = {"territory_id": str(world.m1.id)}
    periods = await reports_client.get(
        "/v1/decisions/periods", params=where, headers=world.headers("analyst")
    )
    assert periods.json() == {"items": [PERIOD], "total": 1}
    listed = await reports_client.get(
        "/v1/decisions", params={**where, "period": PERIOD}, headers=world.headers("analyst")
    )
    assert [d["text"] for d in listed.json()["items"]] == ["Перепроверить отчёт"]
    # S1's and «Школа 10»'s values are still flagged: theirs stay.
    left = await _listed(reports_client, world, "analyst", "leader_data_quality")
    assert sorted(i["addressee_id"] for i in left) == sorted(
        str(s.id) for s in (world.s1, world.s10)
    )
    # Generating again changes nothing more.
    assert (await _generated(reports_client, world))["resolved"] == 0

    # The value broken again: the same recommendation is active again, as it was left.
    await post_values(api_client, world, [("students_passed", world.s2.id, PERIOD, 120)])
    await _generated(reports_client, world)
    [back] = await _listed(reports_client, world, "leader2", "leader_data_quality")
    assert (back["id"], back["status"], back["resolved_at"]) == (told["id"], "in_progress", None)


async def test_reported_data_resolve_the_low_reporting_recommendation(
    api_client, reports_client, db, settings
):
    world = await quality_world(db, settings)
    await add_leader10(db, settings, world)
    await three_schools(api_client, db, world)
    await _generated(reports_client, world)
    [told] = await _listed(reports_client, world, "leader10", "leader_low_reporting")

    # «Школа 10» reports the missing indicator (late, but complete: no longer late).
    await post_values(api_client, world, [("trained", world.s10.id, PERIOD, 40)])
    assert (await _generated(reports_client, world))["resolved"] == 1
    assert await _listed(reports_client, world, "leader10", "leader_low_reporting") == []
    [kept] = await _listed(
        reports_client, world, "analyst", "leader_low_reporting", include_resolved="true"
    )
    assert (kept["id"], kept["status"]) == (told["id"], "new")
    assert kept["resolved_at"] is not None
    # The school's card still lists it, saying the cause is gone and since when.
    card = await reports_client.get(
        f"/v1/reports/organizations/{world.s10.id}",
        params={"period": PERIOD},
        headers=world.headers("leader10"),
    )
    assert card.status_code == 200, card.text
    assert "новая; причина устранена " in card.text
