"""The validation rules, their current violations and the outlier flags reach the reports
service's facts through the api feed; a value that fixes a violation or a flag deletes the
fact (the feed's tombstone), and a rule switched off takes its violations along."""

from sqlalchemy import text

from tests.api.validation import PERIOD, add_rule, post, row, validation_world
from tests.facts import sync_facts


async def _facts(db, sql: str, **params):
    return [tuple(r) for r in (await db.execute(text(sql), params)).all()]


async def _violations(db):
    return await _facts(
        db,
        "SELECT r.code, v.organization_id, v.period, v.left_value, v.right_value "
        "FROM reports.fact_validation_violation v "
        "JOIN reports.fact_validation_rule r ON r.id = v.rule_id ORDER BY r.code",
    )


async def _flags(db):
    return await _facts(
        db,
        "SELECT i.code, f.organization_id, f.period, f.kind, f.value, f.bound "
        "FROM reports.fact_outlier_flag f JOIN reports.fact_indicator i ON i.id = f.indicator_id",
    )


async def test_violations_reach_the_facts_and_a_fix_removes_them(
    apps, db, isolation, api_client, settings
):
    world = await validation_world(db, settings)
    rule = await add_rule(api_client, world)
    await post(
        api_client,
        world,
        [row(world, "students_passed", 120), row(world, "students_total", 100)],
    )
    await sync_facts(apps, isolation)
    [stored] = await _facts(
        db,
        "SELECT code, expression, message, importance, action, active, owner_territory_id, "
        "indicator_codes "
        "FROM reports.fact_validation_rule WHERE id = :id",
        id=rule["id"],
    )
    assert stored == (
        "passed_le_total",
        "students_passed <= students_total",
        "Сдавших больше, чем обучающихся",
        "high",
        "warn",
        True,
        world.m1.id,
        ["students_passed", "students_total"],
    )
    assert await _violations(db) == [("passed_le_total", world.s1.id, PERIOD, 120.0, 100.0)]

    # The school corrects the value: the api deletes the violation, the facts follow.
    await post(api_client, world, [row(world, "students_passed", 90)])
    await sync_facts(apps, isolation)
    assert await _violations(db) == []

    # Broken again, then the rule switched off: its violations go with it.
    await post(api_client, world, [row(world, "students_passed", 101)])
    await sync_facts(apps, isolation)
    assert await _violations(db) == [("passed_le_total", world.s1.id, PERIOD, 101.0, 100.0)]
    answer = await api_client.patch(
        f"/v1/validation-rules/{rule['id']}",
        json={"active": False},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    await sync_facts(apps, isolation)
    assert await _violations(db) == []
    [(active,)] = await _facts(
        db, "SELECT active FROM reports.fact_validation_rule WHERE id = :id", id=rule["id"]
    )
    assert active is False


async def test_outlier_flags_reach_the_facts_and_a_corrected_value_clears_its_flag(
    apps, db, isolation, api_client, settings
):
    world = await validation_world(db, settings)
    bound = await api_client.put(
        "/v1/outlier-bounds",
        json={"indicator_code": "students_total", "organization_id": None, "upper": 3000},
        headers=world.headers("admin"),
    )
    assert bound.status_code == 200, bound.text
    await post(
        api_client,
        world,
        [row(world, "students_total", 50000), row(world, "students_total", 800, world.s2.id)],
    )
    await sync_facts(apps, isolation)
    assert await _flags(db) == [("students_total", world.s1.id, PERIOD, "min_max", 50000.0, 3000.0)]

    await post(api_client, world, [row(world, "students_total", 500)])
    await sync_facts(apps, isolation)
    assert await _flags(db) == []

    # A deleted value takes its flag along (the api's cascade, a tombstone in the feed).
    await post(api_client, world, [row(world, "students_total", 4000, world.s2.id)])
    await sync_facts(apps, isolation)
    assert [f[1] for f in await _flags(db)] == [world.s2.id]
    await db.execute(
        text("DELETE FROM api.data_value WHERE organization_id = :org"), {"org": world.s2.id}
    )
    await sync_facts(apps, isolation)
    assert await _flags(db) == []
