"""`low_reporting` end to end: values posted through the api around a collection's due date,
recommendations issued for the municipality: only the leader of the school that is late (past
due, incomplete) is told what to report; the school that reported late but completely, the
one in time, and the other schools' leaders get nothing of it. `data_quality` end to end: each
school whose values break a rule or are flagged is told, by its leader only, which to check."""

from tests.reports.checks_world import CATEGORY, PASSED, break_and_flag, checks_world
from tests.reports.helpers import PERIOD, generate
from tests.reports.quality_world import COLLECTION, add_leader10, quality_world, three_schools

RULE = "leader_low_reporting"
QUALITY = "leader_data_quality"


async def _mine(client, world, who, rule=RULE):
    answer = await client.get(
        "/v1/recommendations", params={"period": PERIOD}, headers=world.headers(who)
    )
    assert answer.status_code == 200, answer.text
    return [i for i in answer.json()["items"] if i["rule_code"] == rule]


async def test_only_the_late_schools_leader_is_told_to_report(
    api_client, reports_client, db, settings
):
    world = await quality_world(db, settings)
    await add_leader10(db, settings, world)
    await three_schools(api_client, db, world)

    answer = await generate(reports_client, world)
    assert answer.status_code == 200, answer.text

    [told] = await _mine(reports_client, world, "leader10")
    assert told["addressee_type"] == "organization_leader"
    assert told["addressee_id"] == str(world.s10.id)
    assert f"не сдала данные сбора «{COLLECTION}» за {PERIOD}" in told["text"]
    assert "срок сдачи 01.10.2021 прошёл" in told["text"]
    assert "Не внесены показатели: «Доля педагогов, прошедших КПК»" in told["text"]
    assert told["actions"][0]["text"].startswith(f"Сдать данные сбора «{COLLECTION}» до ")
    for who in ("leader", "leader2", "leader3", "teacher"):
        assert await _mine(reports_client, world, who) == [], who
    # The analyst sees it among the territory's; nothing about a school of another territory.
    every = await _mine(reports_client, world, "analyst")
    assert [i["addressee_id"] for i in every] == [str(world.s10.id)]


async def test_the_leaders_of_schools_with_broken_rules_or_outliers_are_told_what_to_check(
    api_client, reports_client, db, settings
):
    world = await checks_world(db, settings)
    await add_leader10(db, settings, world)
    await break_and_flag(api_client, world)

    answer = await generate(reports_client, world)
    assert answer.status_code == 200, answer.text

    [s2] = await _mine(reports_client, world, "leader2", QUALITY)
    assert s2["addressee_id"] == str(world.s2.id)
    assert s2["text"] == (
        f"В данных организации «Школа 2» за {PERIOD} есть значения, которые нужно проверить: "
        "1 нарушенное правило проверки. Проверьте: Сдавших больше, чем "
        "обучающихся («Обучающихся, сдавших ГИА» = 120; «Обучающихся всего» = 100). Исправьте "
        "ошибочные значения; верные оставьте: выброс не отбрасывается, а только отмечается."
    )
    [s10] = await _mine(reports_client, world, "leader10", QUALITY)
    assert (
        f"Проверьте: {CATEGORY} («Педагогов с категорией» = 30; «Педагогов всего» = 20); "
        in (s10["text"])
    )
    assert "«Обучающихся всего» = 5 (ниже нижней границы 10)" in s10["text"]
    [s1] = await _mine(reports_client, world, "leader", QUALITY)
    assert "«Обучающихся всего» = 5\u00a0000 (выше верхней границы 3\u00a0000)" in s1["text"]
    assert PASSED not in s1["text"] and CATEGORY not in s1["text"]
    # No other school's values in a leader's list; the analyst sees the three.
    every = await _mine(reports_client, world, "analyst", QUALITY)
    assert sorted(i["addressee_id"] for i in every) == sorted(
        str(s.id) for s in (world.s1, world.s2, world.s10)
    )


async def test_an_analysts_own_rule_may_count_only_the_important_violations(
    api_client, reports_client, db, settings
):
    world = await checks_world(db, settings)
    await break_and_flag(api_client, world)
    rule = {
        "code": "m1_important_violations",
        "title": "Важные нарушения",
        "condition": "data_quality",
        "params": {"importance": "high", "checks": "violations"},
        "addressee_type": "organization_leader",
        "template": "«{where}»: {values}",
        "actions": [],
    }
    analyst = world.headers("analyst")
    answer = await reports_client.post("/v1/recommendation-rules", json=rule, headers=analyst)
    assert answer.status_code == 201, answer.text
    bad = {**rule, "code": "m1_x", "params": {"importance": "urgent"}}
    answer = await reports_client.post("/v1/recommendation-rules", json=bad, headers=analyst)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "params.importance"]

    assert (await generate(reports_client, world)).status_code == 200
    every = await _mine(reports_client, world, "analyst", "m1_important_violations")
    # S2's rule is of importance high; «Школа 10»'s is medium and S1 has only outliers.
    assert [(i["addressee_id"], i["text"]) for i in every] == [
        (
            str(world.s2.id),
            f"«Школа 2»: {PASSED} («Обучающихся, сдавших ГИА» = 120; «Обучающихся всего» = 100)",
        )
    ]
