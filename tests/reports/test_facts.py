"""The reports service's facts follow the peers' change feeds: every change, once, in order;
a restart resumes from the stored cursor; a reset (410) resyncs in one transaction; task
specifications and participants' results (by code, never a name) reach them as posted."""

import asyncio
import uuid

import pytest
from sqlalchemy import text

from services.api.changes.entities import FEED as API_FEED
from services.reports.facts.store import feed_state
from shared.changes.positions import Position, encode_cursor
from shared.changes.serve import compact
from tests.api.test_assessment_tasks import SPEC
from tests.api.test_participant_results import A, B, C, D, post
from tests.factories import build_world
from tests.facts import add_trained_teachers, followers, sync_facts
from tests.reports.helpers import post_values, read_values


async def _post(api_client, world, who, org, value, period="2024/2025"):
    return await post_values(api_client, world, [("teachers_trained", org, period, value)], who)


async def _facts(db, sql: str, **params):
    return (await db.execute(text(sql), params)).all()


async def _task_sums(db, organization_id):
    """The specification and task sums of the organization's summary fact (ВПР maths 5)."""
    [row] = await _facts(
        db,
        "SELECT specification_id, task_scores FROM reports.fact_assessment_result "
        "WHERE organization_id = :org AND procedure_code = 'vpr' AND grade = 5 "
        "AND year = '2023/2024'",
        org=organization_id,
    )
    return tuple(row)


async def test_facts_mirror_the_hierarchy_values_and_their_changes(
    apps, db, isolation, api_client, settings
):
    world = await build_world(db, settings)
    await add_trained_teachers(db)
    await sync_facts(apps, isolation)
    organizations = await _facts(
        db, "SELECT id, territory_id, context FROM reports.fact_organization"
    )
    assert {(o.id, o.territory_id) for o in organizations} == {
        (world.s1.id, world.m1.id),
        (world.s2.id, world.m1.id),
        (world.s3.id, world.m2.id),
    }
    assert {o.context.get("students") for o in organizations} == {500, None}
    members = await _facts(
        db, "SELECT cluster_id, organization_id FROM reports.fact_cluster_member"
    )
    assert (world.c1.id, world.s2.id) in {tuple(m) for m in members}

    await _post(api_client, world, "admin", world.s1.id, 80.0)
    await sync_facts(apps, isolation)
    values = await _facts(
        db, "SELECT organization_id, period, value, indicator_code FROM reports.fact_data_value"
    )
    assert [tuple(v) for v in values] == [(world.s1.id, "2024/2025", 80.0, "teachers_trained")]

    await _post(api_client, world, "admin", world.s1.id, 65.5)
    await sync_facts(apps, isolation)
    values = await _facts(db, "SELECT value FROM reports.fact_data_value")
    assert [v.value for v in values] == [65.5]

    # A deletion reaches the facts too: the cluster membership goes.
    await db.execute(
        text("DELETE FROM api.cluster_member WHERE organization_id = :o"), {"o": world.s2.id}
    )
    await sync_facts(apps, isolation)
    members = await _facts(db, "SELECT organization_id FROM reports.fact_cluster_member")
    assert world.s2.id not in {m.organization_id for m in members}


async def test_a_restart_resumes_from_the_stored_cursor(apps, db, isolation, api_client, settings):
    world = await build_world(db, settings)
    await add_trained_teachers(db)
    first = followers(apps, isolation)["api"]
    await first.catch_up()
    async with isolation() as session:
        stored = await feed_state(session, "api")
    assert stored.cursor and stored.changes > 0 and stored.caught_up_at is not None

    # A new follower (the process restarted) starts at the stored cursor: it reads only what
    # came after, and applies nothing twice.
    await _post(api_client, world, "admin", world.s2.id, 50.0)
    again = followers(apps, isolation)["api"]
    seen: list[int] = []
    original = again.reader.read

    async def counting(after="", limit=1000, wait=0.0):
        batch = await original(after, limit, wait)
        seen.append(len(batch.items))
        return batch

    again.reader.read = counting
    await again.catch_up()
    assert sum(seen) == 1  # the one data value posted, not the whole world again
    async with isolation() as session:
        assert (await feed_state(session, "api")).changes == stored.changes + 1


async def test_a_feed_reset_resyncs_in_one_transaction(apps, db, isolation, settings):
    world = await build_world(db, settings)
    follower = followers(apps, isolation)["api"]
    await follower.catch_up()
    # A fact the feed no longer holds (its deletion was compacted away meanwhile) must go.
    ghost = uuid.uuid4()
    await db.execute(
        text("INSERT INTO reports.fact_organization (id, name) VALUES (:id, 'Снесённая школа')"),
        {"id": ghost},
    )
    # The stored cursor falls below the horizon: a tombstone older than the retention is
    # compacted, which moves the horizon past it.
    seq = (
        await db.execute(
            text(
                "INSERT INTO api.change_tombstone (entity, key, change_xid, change_seq, "
                "deleted_at) VALUES ('territory', '{\"id\": \"x\"}', 1, "
                "nextval('api.change_seq'), now() - interval '30 days') RETURNING change_seq"
            )
        )
    ).scalar_one()
    assert await compact(db, API_FEED, retention_days=7) == 1
    old = encode_cursor("api", Position(1, seq - 1))
    await db.execute(
        text("UPDATE reports.feed_cursor SET cursor = :c WHERE source = 'api'"), {"c": old}
    )
    await follower.catch_up()
    ids = {row.id for row in await _facts(db, "SELECT id FROM reports.fact_organization")}
    assert ids == {world.s1.id, world.s2.id, world.s3.id}
    async with isolation() as session:
        state = await feed_state(session, "api")
    assert state.resets == 1 and state.cursor != old


@pytest.mark.committed
async def test_two_followers_never_apply_one_change_twice(
    apps, db, isolation, api_client, settings
):
    world = await build_world(db, settings)
    await add_trained_teachers(db)
    await db.commit()
    await sync_facts(apps, isolation)
    await _post(api_client, world, "admin", world.s1.id, 70.0)
    await _post(api_client, world, "admin", world.s3.id, 90.0)
    one, two = followers(apps, isolation)["api"], followers(apps, isolation)["api"]
    await asyncio.gather(one.catch_up(), two.catch_up())
    async with isolation() as session:
        state = await feed_state(session, "api")
    rows = await _facts(db, "SELECT value FROM reports.fact_data_value ORDER BY value")
    assert [r.value for r in rows] == [70.0, 90.0]
    before = state.changes
    await sync_facts(apps, isolation)
    async with isolation() as session:
        assert (await feed_state(session, "api")).changes == before


async def test_every_indicator_values_answer_says_how_current_it_is(
    apps, db, isolation, reports_client, settings
):
    world = await build_world(db, settings)
    answer = await read_values(reports_client, world, period="2024/2025")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    # The test client brought both feeds up to their end just before the request.
    assert body["as_of"] is not None and 0 <= body["lag_seconds"] < 60


PARTICIPANT_FACTS = (
    "SELECT organization_id, code, class_label, variant, task_scores, total_score, mark, "
    "journal_mark, specification_id, year, subject, grade "
    "FROM reports.fact_assessment_participant ORDER BY organization_id, code"
)


async def test_participants_reach_the_facts_by_code_and_a_repost_replaces_the_set(
    apps, db, isolation, api_client, settings
):
    world = await build_world(db, settings)
    answer = await api_client.post(
        "/v1/assessment-tasks", json=SPEC, headers=world.headers("admin")
    )
    assert answer.status_code == 201, answer.text
    spec = uuid.UUID(answer.json()["id"])
    assert (await post(api_client, world, [A, B, C, D])).status_code == 200
    assert (await post(api_client, world, [C], "leader3", world.s3.id)).status_code == 200
    await sync_facts(apps, isolation)

    [stored] = await _facts(
        db,
        "SELECT procedure_code, year, subject, grade, version, mark_scale "
        "FROM reports.fact_assessment_specification WHERE id = :id",
        id=spec,
    )
    assert tuple(stored) == ("vpr", "2023/2024", "Математика", 5, 1, SPEC["mark_scale"])
    tasks = await _facts(
        db,
        "SELECT number, position, max_score, level, skill FROM reports.fact_assessment_task "
        "WHERE specification_id = :id ORDER BY position",
        id=spec,
    )
    assert [tuple(t) for t in tasks] == [
        ("1", 0, 1, "basic", "Действия с числами"),
        ("2", 1, 2, "basic", None),
        ("3.1", 2, 1, "advanced", None),
        ("3.2", 3, 2, "high", None),
    ]
    rows = await _facts(db, PARTICIPANT_FACTS)
    key = (spec, "2023/2024", "Математика", 5)
    scores = {"1": 1, "2": 1, "3.1": 0, "3.2": 1}
    expected_b = (world.s1.id, "1002", "5А", 2, scores, 3, 3, 4, *key)
    assert expected_b in [tuple(r) for r in rows]
    assert [(r.organization_id, r.code) for r in rows] == sorted(
        [(world.s1.id, c) for c in ("1001", "1002", "1003", "1004")] + [(world.s3.id, "1003")]
    )
    # S1's summary carries its task sums: task 1 is 1+1+0+1 = 3 (A, B, C, D), task 2 is
    # 2+1+0+2 = 5, task 3.1 is 1+0+1+1 = 3, task 3.2 is 2+1+0+0 = 3.
    assert await _task_sums(db, world.s1.id) == (spec, {"1": 3, "2": 5, "3.1": 3, "3.2": 3})

    # A re-post of S1 with two participants (B's scores changed): S1's other two leave the
    # facts, B's row is replaced, S3's set is untouched.
    changed_b = {**B, "task_scores": {**B["task_scores"], "3.2": 2}}
    assert (await post(api_client, world, [A, changed_b])).status_code == 200
    await sync_facts(apps, isolation)
    rows = await _facts(db, PARTICIPANT_FACTS)
    assert sorted((r.organization_id, r.code, r.total_score, r.mark) for r in rows) == sorted(
        [(world.s1.id, "1001", 6, 5), (world.s1.id, "1002", 4, 4), (world.s3.id, "1003", 1, 2)]
    )
    # A (1, 2, 1, 2) and the changed B (1, 1, 0, 2).
    assert await _task_sums(db, world.s1.id) == (spec, {"1": 2, "2": 3, "3.1": 1, "3.2": 4})
    # A summary posted as such says nothing of tasks: the sums are cleared, not left stale.
    summary = {
        "organization_id": str(world.s1.id),
        "procedure": "vpr",
        "year": "2023/2024",
        "subject": "Математика",
        "grade": 5,
        "participants": 2,
    }
    answer = await api_client.post(
        "/v1/assessment-results", json={"results": [summary]}, headers=world.headers("leader")
    )
    assert answer.status_code == 200 and answer.json()["updated"] == 1, answer.text
    await sync_facts(apps, isolation)
    assert await _task_sums(db, world.s1.id) == (None, None)
    # Codes only: the facts have no column a name could be in.
    columns = await _facts(
        db,
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'reports' "
        "AND table_name = 'fact_assessment_participant'",
    )
    assert {c.column_name for c in columns} == {
        "id", "organization_id", "specification_id", "procedure_id", "year", "subject", "grade",
        "code", "class_label", "variant", "task_scores", "total_score", "mark", "journal_mark",
        "updated_at",
    }  # fmt: skip


async def test_collections_windows_approvals_and_first_stored_times_reach_the_facts(
    apps, db, isolation, api_client, settings
):
    world = await build_world(db, settings)
    await post_values(api_client, world, [("e_planning", world.s1.id, "2021/2022", True)])
    await sync_facts(apps, isolation)
    collection = world.collections["m1"]
    [stored] = await _facts(
        db,
        "SELECT name, owner_territory_id, organization_kinds, indicator_ids "
        "FROM reports.fact_collection WHERE id = :id",
        id=collection.id,
    )
    assert tuple(stored) == ("Сбор данных", world.m1.id, ["school"], [world.planning.id])
    windows = await _facts(
        db,
        "SELECT period, opens_date, due_date FROM reports.fact_collection_window "
        "WHERE collection_id = :id ORDER BY period",
        id=collection.id,
    )
    assert [(w.period, w.due_date.isoformat()) for w in windows] == [
        ("2016/2017", "2016-10-01"),
        ("2019/2020", "2019-10-01"),
        ("2021/2022", "2021-10-01"),
    ]
    approvals = await _facts(
        db,
        "SELECT organization_id, period, status, level FROM reports.fact_collection_approval "
        "WHERE collection_id = :id ORDER BY period",
        id=collection.id,
    )
    assert [tuple(a) for a in approvals] == [
        (world.s1.id, "2016/2017", "approved", 1),
        (world.s1.id, "2021/2022", "submitted", 0),
    ]
    [value] = await _facts(
        db,
        "SELECT v.created_at, d.created_at AS stored FROM reports.fact_data_value v "
        "JOIN api.data_value d USING (indicator_id, organization_id, period)",
    )
    assert value.created_at == value.stored

    # The school's data approved through the api: the fact follows; a deletion of the
    # collection takes its window and approvals along.
    answer = await api_client.post(
        f"/v1/collections/{collection.id}/approvals/approve",
        json={"organization_id": str(world.s1.id), "period": "2021/2022"},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    await sync_facts(apps, isolation)
    [approved] = await _facts(
        db,
        "SELECT status, level FROM reports.fact_collection_approval "
        "WHERE collection_id = :id AND period = '2021/2022'",
        id=collection.id,
    )
    assert tuple(approved) == ("approved", 1)
    spare = world.collections["spare_m1"]
    answer = await api_client.delete(
        f"/v1/collections/{spare.id}", headers=world.headers("analyst")
    )
    assert answer.status_code == 204, answer.text
    await sync_facts(apps, isolation)
    for table, column in (("fact_collection", "id"), ("fact_collection_window", "collection_id")):
        gone = await _facts(
            db,
            f"SELECT 1 FROM reports.{table} WHERE {column} = :id",  # noqa: S608
            id=spare.id,
        )
        assert gone == [], table
