"""Change feeds across transactions: out-of-order commits, the long poll, compaction and 410,
the reader other services use, the triggers behind every entity, and the migration.

Tests marked `committed` write through connections of their own and commit for real, as the
services do. A reader is held back while any older transaction runs, on this database or any
other of the server: they read with a deadline rather than once.
"""

import asyncio
import json
import time
import uuid
from typing import Any

import asyncpg
import pytest
from sqlalchemy import text

from services.api.changes.entities import FEED as API_FEED
from services.surveys.changes.entities import FEED as SURVEYS_FEED
from shared.changes.positions import START, Cursor, Position, decode_cursor, encode_cursor
from shared.changes.serve import compact
from shared.db import plain_url
from shared.migrations import upgrade
from tests.api.test_assessment_tasks import SPEC
from tests.api.test_participant_results import A, B, C, post
from tests.changes import get_changes, of, read_all
from tests.conftest import run_sync
from tests.factories import build_world

FEEDS = (API_FEED, SURVEYS_FEED)
TRIGGERS = {
    "changes_stamp_insert",
    "changes_stamp_update",
    "changes_key_moved",
    "changes_deleted",
    "changes_notify",
    "changes_truncated",
}
DEADLINE_SECONDS = 30.0

INSERT_TERRITORY = text("INSERT INTO api.territory (id, name, kind) VALUES (:id, :name, 'region')")


async def add_territory(engine, name: str) -> str:
    territory = uuid.uuid4()
    async with engine.begin() as conn:
        await conn.execute(INSERT_TERRITORY, {"id": territory, "name": name})
    return str(territory)


async def read_until(app, settings, cursor: str, wanted: set[str]) -> tuple[list[dict], str]:
    """Read on (waiting for changes) until the changes of every id in `wanted` came."""
    items: list[dict[str, Any]] = []
    deadline = time.monotonic() + DEADLINE_SECONDS
    while not wanted <= {str(i["key"].get("id")) for i in items}:
        assert time.monotonic() < deadline, f"not delivered within {DEADLINE_SECONDS} s"
        answer = await get_changes(app, settings, cursor, wait=5)
        assert answer.status_code == 200, answer.text
        items += answer.json()["items"]
        cursor = answer.json()["cursor"]
    return items, cursor


async def caught_up(app, settings) -> str:
    """A cursor past everything committed so far."""
    _, cursor = await read_all(app, settings)
    while (answer := (await get_changes(app, settings, cursor)).json())["items"]:
        cursor = answer["cursor"]
    return cursor


def ids(items: list[dict]) -> list[str]:
    return [str(i["key"].get("id")) for i in items]


@pytest.mark.committed
async def test_transactions_committed_out_of_order_are_read_in_order_none_skipped(
    apps, settings, isolation, test_engine
):
    cursor = await caught_up(apps.api, settings)
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    async with test_engine.connect() as one, test_engine.connect() as two:
        began_first = await one.begin()
        await one.execute(INSERT_TERRITORY, {"id": first, "name": "Первая"})  # the older one
        began_second = await two.begin()
        await two.execute(INSERT_TERRITORY, {"id": second, "name": "Вторая"})
        await began_second.commit()
        # The second is committed, the first still runs: nothing at or past it is delivered.
        seen, cursor = await read_all(apps.api, settings, cursor)
        assert {first, second}.isdisjoint(ids(seen))
        await began_first.commit()
    items, _ = await read_until(apps.api, settings, cursor, {first, second})
    ours = [i for i in ids(items) if i in (first, second)]
    assert ours == [first, second]  # the first to start comes first, though it committed last


@pytest.mark.committed
async def test_a_transaction_of_another_database_holds_nothing_back(
    apps, settings, isolation, test_engine, server_url
):
    cursor = await caught_up(apps.api, settings)
    elsewhere = await asyncpg.connect(plain_url(server_url))  # the server's own database
    try:
        async with elsewhere.transaction():
            await elsewhere.fetchval("SELECT pg_current_xact_id()")  # it has an id: it runs
            territory = await add_territory(test_engine, "Пока идёт чужая транзакция")
            # Older than our commit, still running, but in another database: not waited for.
            # (Other transactions of this database may still run: read a little longer.)
            deadline = time.monotonic() + 5
            items: list[dict] = []
            while territory not in ids(items):
                assert time.monotonic() < deadline, "held back by another database"
                answer = await get_changes(apps.api, settings, cursor, wait=1)
                items += answer.json()["items"]
                cursor = answer.json()["cursor"]
    finally:
        await elsewhere.close()


@pytest.mark.committed
async def test_a_waiting_reader_gets_a_change_as_soon_as_it_commits(
    apps, settings, isolation, test_engine
):
    cursor = await caught_up(apps.api, settings)
    waiting = asyncio.create_task(get_changes(apps.api, settings, cursor, wait=25))
    await asyncio.sleep(0.5)
    assert not waiting.done(), "answered before there was a change"
    committed = time.monotonic()
    territory = await add_territory(test_engine, "Новая")
    answer = await waiting
    latency = time.monotonic() - committed
    assert answer.status_code == 200
    if territory not in ids(answer.json()["items"]):  # held back by another transaction
        await read_until(apps.api, settings, answer.json()["cursor"], {territory})
    assert latency < 10, f"the waiting reader answered {latency:.2f} s after the commit"


async def test_a_wait_with_nothing_to_read_ends_when_the_time_is_up(apps, settings, isolation):
    started = time.monotonic()
    _, cursor = await read_all(apps.surveys, settings)
    answer = await get_changes(apps.surveys, settings, cursor, wait=0.6)
    assert answer.status_code == 200
    assert answer.json() == {"items": [], "cursor": cursor, "has_more": False}
    assert time.monotonic() - started >= 0.6


@pytest.mark.committed
async def test_a_lost_listen_connection_is_replaced_and_waiters_still_wake(
    apps, settings, isolation, test_engine
):
    notifier = apps.api.state.changes.notifier
    await asyncio.wait_for(notifier.listening.wait(), 10)
    lost = notifier.server_pid
    async with test_engine.connect() as conn:
        await conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": lost})
    cursor = await caught_up(apps.api, settings)
    waiting = asyncio.create_task(get_changes(apps.api, settings, cursor, wait=20))
    await asyncio.sleep(0.3)
    territory = await add_territory(test_engine, "После обрыва")
    await read_until(apps.api, settings, cursor, {territory})
    assert (await waiting).status_code == 200
    deadline = time.monotonic() + 10
    while notifier.server_pid in (None, lost):
        assert time.monotonic() < deadline, "the LISTEN connection was not opened again"
        await asyncio.sleep(0.1)


@pytest.mark.committed
async def test_deletions_past_the_retention_send_older_cursors_back_to_the_beginning(
    apps, settings, isolation, test_engine
):
    territory = await add_territory(test_engine, "Удаляемая")
    _, before = await read_until(apps.api, settings, "", {territory})
    async with test_engine.begin() as conn:
        await conn.execute(text("DELETE FROM api.territory WHERE id = :id"), {"id": territory})
    items, after = await read_until(apps.api, settings, before, {territory})
    assert {"entity": "territory", "key": {"id": territory}, "op": "delete", "state": None} in items

    async with test_engine.begin() as conn:
        await conn.execute(
            text("UPDATE api.change_tombstone SET deleted_at = now() - interval '8 days'")
        )
    deadline = time.monotonic() + DEADLINE_SECONDS
    while True:  # a transaction still running anywhere keeps a tombstone from compaction
        async with isolation() as session, session.begin():
            if await compact(session, API_FEED, settings.changes_retention_days):
                break
        assert time.monotonic() < deadline
        await asyncio.sleep(0.2)
    gone = await get_changes(apps.api, settings, before)
    assert gone.status_code == 410
    assert (await get_changes(apps.api, settings, after)).status_code == 200
    resync, _ = await read_all(apps.api, settings)
    assert territory not in ids(resync)


async def _triggers(conn, table: str) -> dict[str, str]:
    rows = await conn.execute(
        text(
            "SELECT tgname, pg_get_triggerdef(oid) FROM pg_trigger "
            "WHERE tgrelid = CAST(:table AS regclass) AND NOT tgisinternal"
        ),
        {"table": table},
    )
    return dict(rows.all())


async def _primary_key(conn, table: str) -> list[str]:
    rows = await conn.execute(
        text(
            "SELECT a.attname FROM pg_index i "
            "JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = ANY(i.indkey) "
            "WHERE i.indrelid = CAST(:table AS regclass) AND i.indisprimary"
        ),
        {"table": table},
    )
    return sorted(rows.scalars())


@pytest.mark.parametrize("feed", FEEDS, ids=lambda f: f.service)
async def test_every_entity_is_its_tables_primary_key_and_has_its_triggers(test_engine, feed):
    async with test_engine.connect() as conn:
        for entity in feed.entities:
            assert await _primary_key(conn, entity.table) == sorted(entity.key), entity.name
            triggers = await _triggers(conn, entity.table)
            assert set(triggers) >= TRIGGERS, entity.name
            arguments = ", ".join(f"'{a}'" for a in (entity.name, *entity.key))
            assert f"changes_deleted({arguments})" in triggers["changes_deleted"], entity.name


def test_cursors_round_trip_and_belong_to_their_feed():
    for position, safe in (
        (Position(0, 1), START),
        (Position(123456789, 2**62), START),
        (Position(5, 7), Position(9, 2)),  # a resync under a horizon it has not reached
    ):
        cursor = encode_cursor("api", position, safe)
        assert decode_cursor("api", cursor) == Cursor(position, safe)
        assert "api" not in cursor and ":" not in cursor
    assert decode_cursor("api", "") == Cursor() and encode_cursor("api", START) == ""


async def test_migration_gives_existing_rows_positions_and_tallies_the_scores(scratch_database):
    url = scratch_database()
    run_sync(upgrade, url, "0012_shared_caches")
    conn = await asyncpg.connect(plain_url(url))
    try:
        campaign, organization = await _diagnostic_taken_before(conn)
        await conn.close()
        run_sync(upgrade, url)
        conn = await asyncpg.connect(plain_url(url))
        positions = await conn.fetch("SELECT change_xid, change_seq FROM surveys.campaign")
        assert [p["change_xid"] for p in positions] == [0]
        tallies = await conn.fetch(
            "SELECT competence, respondents, with_deficit, score_sum, max_score_sum "
            "FROM surveys.competence_tally WHERE campaign_id = $1 AND organization_id = $2 "
            "ORDER BY competence",
            campaign,
            organization,
        )
        assert [tuple(t) for t in tallies] == [
            ("design", 2, 1, 5.0, 10.0),
            ("tools", 2, 2, 1.0, 8.0),
        ]

        # Kept by the triggers from now on: a score taken away, the last one of a competence.
        await conn.execute("DELETE FROM surveys.competence_score WHERE score = 4")
        await conn.execute("UPDATE surveys.competence_score SET deficit = false")
        tallies = await conn.fetch(
            "SELECT competence, respondents, with_deficit FROM surveys.competence_tally "
            "ORDER BY competence"
        )
        assert [tuple(t) for t in tallies] == [("design", 1, 0), ("tools", 2, 0)]
        await conn.execute("DELETE FROM surveys.competence_score")
        assert await conn.fetchval("SELECT count(*) FROM surveys.competence_tally") == 0
        tombstones = await conn.fetch(
            "SELECT key FROM surveys.change_tombstone WHERE entity = 'competence_tally'"
        )
        assert sorted(json.loads(t["key"])["competence"] for t in tombstones) == [
            "design",
            "tools",
        ]
    finally:
        await conn.close()


async def test_migration_puts_stored_specifications_after_every_earlier_change(scratch_database):
    """Rows of a table added to a feed that readers follow already come after their cursors."""
    url = scratch_database()
    run_sync(upgrade, url, "0018_assessment_tasks")
    conn = await asyncpg.connect(plain_url(url))
    try:
        territory, spec = uuid.uuid4(), uuid.uuid4()
        await conn.execute(
            "INSERT INTO api.territory (id, name, kind) VALUES ($1, 'Край', 'region')", territory
        )
        await conn.execute(
            "INSERT INTO api.assessment_specification (id, procedure_id, year, subject, grade, "
            "version, mark_scale) SELECT $1, procedure_id, '2023/2024', subject, grade, 1, "
            "'[]' FROM api.assessment_subject ORDER BY subject, grade LIMIT 1",
            spec,
        )
        await conn.execute(
            "INSERT INTO api.assessment_task (specification_id, number, position, max_score) "
            "VALUES ($1, '1', 0, 1)",
            spec,
        )
        await conn.close()
        run_sync(upgrade, url)
        conn = await asyncpg.connect(plain_url(url))
        read_up_to = tuple(
            await conn.fetchrow(
                "SELECT change_xid, change_seq FROM api.territory WHERE id = $1", territory
            )
        )
        for table, column in (
            ("assessment_specification", "id"),
            ("assessment_task", "specification_id"),
        ):
            position = await conn.fetchrow(
                f"SELECT change_xid, change_seq FROM api.{table} WHERE {column} = $1",  # noqa: S608
                spec,
            )
            assert tuple(position) > read_up_to, table
    finally:
        await conn.close()


async def _diagnostic_taken_before(conn: asyncpg.Connection) -> tuple[uuid.UUID, uuid.UUID]:
    """A campaign with two teachers' competence scores, stored before the feeds existed."""
    instrument, version = uuid.uuid4(), uuid.uuid4()
    await conn.execute(
        "INSERT INTO surveys.instrument (id, code, kind, title, latest_version) "
        "VALUES ($1, 'old_diagnostic', 'deficit', 'Диагностика', 1)",
        instrument,
    )
    await conn.execute(
        "INSERT INTO surveys.instrument_version (id, instrument_id, version, definition) "
        "VALUES ($1, $2, 1, '{}')",
        version,
        instrument,
    )
    campaign, organization = uuid.uuid4(), uuid.uuid4()
    await conn.execute(
        "INSERT INTO surveys.campaign (id, title, instrument_version_id, audience, period, "
        "opens_at, closes_at, anonymous) VALUES ($1, 'Диагностика', $2, 'teachers', "
        "'2021/2022', now() - interval '2 days', now() - interval '1 day', false)",
        campaign,
        version,
    )
    for teacher, scores in (
        (1, {"design": (4, False), "tools": (1, True)}),
        (2, {"design": (1, True), "tools": (0, True)}),
    ):
        response = uuid.uuid4()
        await conn.execute(
            "INSERT INTO surveys.response (id, campaign_id, organization_id, "
            "instrument_version_id, staff_id, status, submitted_on) "
            "VALUES ($1, $2, $3, $4, $5, 'submitted', current_date)",
            response,
            campaign,
            organization,
            version,
            uuid.UUID(int=teacher),
        )
        for competence, (score, deficit) in scores.items():
            await conn.execute(
                "INSERT INTO surveys.competence_score (response_id, competence, campaign_id, "
                "organization_id, staff_id, score, max_score, deficit) "
                "VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                response,
                competence,
                campaign,
                organization,
                uuid.UUID(int=teacher),
                float(score),
                5.0 if competence == "design" else 4.0,
                deficit,
            )
    return campaign, organization


async def test_a_feed_row_is_not_delivered_twice_after_a_no_op_update(apps, db, settings):
    world = await build_world(db, settings)
    _, cursor = await read_all(apps.api, settings)
    await db.execute(
        text("UPDATE api.territory SET name = name WHERE id = :id"), {"id": world.m1.id}
    )
    assert (await read_all(apps.api, settings, cursor))[0] == []
    await db.execute(
        text("UPDATE api.territory SET name = 'Район 1 (новый)' WHERE id = :id"),
        {"id": world.m1.id},
    )
    items, _ = await read_all(apps.api, settings, cursor)
    assert [i["state"]["name"] for i in of(items, "territory")] == ["Район 1 (новый)"]


PARTICIPANT_STATE = {
    "id", "organization_id", "specification_id", "procedure_id", "year", "subject", "grade",
    "code", "class_label", "variant", "task_scores", "total_score", "mark", "journal_mark",
    "updated_at",
}  # fmt: skip


async def test_specifications_and_participants_are_fed_by_code_and_a_repost_deletes(
    apps, api_client, world, settings
):
    _, cursor = await read_all(apps.api, settings)
    answer = await api_client.post(
        "/v1/assessment-tasks", json=SPEC, headers=world.headers("admin")
    )
    assert answer.status_code == 201, answer.text
    spec = answer.json()["id"]
    assert (await post(api_client, world, [A, B, C])).status_code == 200
    items, cursor = await read_all(apps.api, settings, cursor)
    [specification] = of(items, "assessment_specification", id=spec)
    assert specification["state"]["procedure_code"] == "vpr"
    assert specification["state"]["mark_scale"] == SPEC["mark_scale"]
    tasks = of(items, "assessment_task", specification_id=spec)
    assert [(t["key"]["number"], t["state"]["max_score"]) for t in tasks] == [
        ("1", 1),
        ("2", 2),
        ("3.1", 1),
        ("3.2", 2),
    ]
    participants = of(items, "assessment_participant")
    assert sorted(p["state"]["code"] for p in participants) == ["1001", "1002", "1003"]
    assert all(set(p["state"]) == PARTICIPANT_STATE for p in participants)
    by_code = {p["state"]["code"]: p for p in participants}
    assert by_code["1002"]["state"]["task_scores"] == B["task_scores"]
    assert (by_code["1002"]["state"]["total_score"], by_code["1002"]["state"]["mark"]) == (3, 3)

    # A re-post naming only A: B and C are deleted, A (unchanged) is not fed again.
    assert (await post(api_client, world, [A])).status_code == 200
    items, _ = await read_all(apps.api, settings, cursor)
    changed = of(items, "assessment_participant")
    assert sorted((i["op"], i["key"]["id"]) for i in changed) == sorted(
        ("delete", by_code[code]["key"]["id"]) for code in ("1002", "1003")
    )


async def test_migration_sends_stored_data_values_again_with_when_they_were_first_stored(
    scratch_database,
):
    """0026: data values stored before it come after every earlier change (a follower gets
    them again, now with `created_at`); collections stored before it too."""
    url = scratch_database()
    run_sync(upgrade, url, "0025_validation_rules")
    conn = await asyncpg.connect(plain_url(url))
    try:
        territory, school, indicator = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
        await conn.execute(
            "INSERT INTO api.territory (id, name, kind) VALUES ($1, 'Район', 'municipality')",
            territory,
        )
        await conn.execute(
            "INSERT INTO api.organization (id, name, kind, territory_id) "
            "VALUES ($1, 'Школа', 'school', $2)",
            school,
            territory,
        )
        await conn.execute(
            "INSERT INTO api.indicator (id, code, name, unit, direction, level, method, min_n) "
            "VALUES ($1, 'old_value', 'Показатель', 'count', 'higher', 'organization', "
            "'data_value', 1)",
            indicator,
        )
        await conn.execute(
            "INSERT INTO api.data_value (indicator_id, organization_id, period, value, "
            "created_at) VALUES ($1, $2, '2021/2022', 5, '2021-09-15T12:00:00Z')",
            indicator,
            school,
        )
        collection = uuid.uuid4()
        await conn.execute(
            "INSERT INTO api.collection (id, name, owner_territory_id, indicator_ids) "
            "VALUES ($1, 'Сбор', $2, ARRAY[$3::uuid])",
            collection,
            territory,
            indicator,
        )
        read_up_to = tuple(
            await conn.fetchrow(
                "SELECT change_xid, change_seq FROM api.territory WHERE id = $1", territory
            )
        )
        await conn.close()
        run_sync(upgrade, url)
        conn = await asyncpg.connect(plain_url(url))
        for table, column, key in (
            ("data_value", "organization_id", school),
            ("collection", "id", collection),
        ):
            position = await conn.fetchrow(
                f"SELECT change_xid, change_seq FROM api.{table} WHERE {column} = $1",  # noqa: S608
                key,
            )
            assert tuple(position) > read_up_to, table
        # The feed's state of it names when it was first stored.
        [entity] = [e for e in API_FEED.entities if e.name == "data_value"]
        created = await conn.fetchval(
            f"SELECT {entity.fields['created_at']} FROM api.data_value r"  # noqa: S608
        )
        assert created == "2021-09-15T12:00:00.000000Z"
    finally:
        await conn.close()
