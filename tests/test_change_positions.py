"""A new row's change-feed position (revision 0031): the columns' defaults give it, the insert
trigger is only a guard that stamps a row naming a position of its own, and a downgrade gives
back 0030's shape (an unguarded trigger, no defaults)."""

import uuid

import asyncpg
import pytest
from sqlalchemy import text

from migrations.operations import ANONYMOUS
from services.api.changes.entities import FEED as API_FEED
from services.api.territories.models import Territory
from services.surveys.changes.entities import FEED as SURVEYS_FEED
from shared.db import plain_url
from shared.migrations import downgrade, upgrade
from tests.conftest import run_sync

FEEDS = (API_FEED, SURVEYS_FEED)
_XID = "((pg_current_xact_id())::text)::bigint"
_UNGUARDED = "FOR EACH ROW EXECUTE FUNCTION {schema}.changes_stamp()"
_SHAPE = """SELECT (SELECT pg_get_triggerdef(t.oid) FROM pg_trigger t
                    WHERE t.tgrelid = CAST(:table AS regclass)
                      AND t.tgname = 'changes_stamp_insert') AS trigger,
                   (SELECT json_object_agg(a.attname, pg_get_expr(d.adbin, d.adrelid))
                    FROM pg_attribute a
                    JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
                    WHERE a.attrelid = CAST(:table AS regclass)
                      AND a.attname IN ('change_xid', 'change_seq')) AS defaults"""


def _guarded(schema: str) -> str:
    return (
        f"WHEN (((new.change_xid IS DISTINCT FROM {_XID}) OR "
        f"(new.change_seq IS DISTINCT FROM currval('{schema}.change_seq'::regclass)))) "
        f"EXECUTE FUNCTION {schema}.changes_stamp()"
    )


@pytest.mark.parametrize("feed", FEEDS, ids=lambda f: f.service)
async def test_every_entity_takes_its_position_from_defaults_behind_a_guard(test_engine, feed):
    async with test_engine.connect() as conn:
        for entity in feed.entities:
            shape = (await conn.execute(text(_SHAPE), {"table": entity.table})).one()
            if entity.table in ANONYMOUS:  # no sequence default: the trigger as 0013 made it
                assert shape.defaults is None, entity.name
                assert shape.trigger.endswith(_UNGUARDED.format(schema=feed.schema))
                continue
            assert shape.defaults == {
                "change_xid": _XID,
                "change_seq": f"nextval('{feed.schema}.change_seq'::regclass)",
            }, entity.name
            assert shape.trigger.endswith(_guarded(feed.schema)), (entity.name, shape.trigger)


async def test_a_row_naming_a_position_is_stamped_like_any_other(db):
    """By plain SQL, by the ORM (which names no position), and rows naming a position of their
    own — another transaction's, a number only, this transaction's id with a number already
    taken: each row gets the writing transaction's id and a number no other row has."""
    insert = (
        "INSERT INTO api.territory (id, name, kind{columns}) VALUES (:id, :name, 'region'{values})"
    )
    await db.execute(
        text(insert.format(columns="", values="")), {"id": uuid.uuid4(), "name": "SQL"}
    )
    db.add(Territory(name="ORM", kind="region"))
    await db.flush()
    taken = await db.scalar(text("SELECT change_seq FROM api.territory WHERE name = 'SQL'"))
    for name, columns, values in (
        ("чужая транзакция", ", change_xid, change_seq", ", 0, 0"),
        ("только номер", ", change_seq", f", {taken}"),
        ("свой id, занятый номер", ", change_xid, change_seq", f", {_XID}, {taken}"),
    ):
        statement = text(insert.format(columns=columns, values=values))
        await db.execute(statement, {"id": uuid.uuid4(), "name": name})
    names = ["SQL", "ORM", "чужая транзакция", "только номер", "свой id, занятый номер"]
    rows = (
        await db.execute(
            text(
                "SELECT name, change_xid, change_seq, pg_current_xact_id()::text::bigint AS own "
                "FROM api.territory WHERE name = ANY(:names) ORDER BY change_seq"
            ),
            {"names": names},
        )
    ).all()
    assert [r.name for r in rows] == names
    assert all(r.change_xid == r.own for r in rows)
    assert len({r.change_seq for r in rows}) == 5 and rows[0].change_seq > 0


async def test_downgrading_0031_gives_back_the_unguarded_trigger(scratch_database):
    url = scratch_database()
    run_sync(upgrade, url)
    run_sync(downgrade, url, "0030_recommendation_resolved")
    conn = await asyncpg.connect(plain_url(url))
    try:
        for feed in FEEDS:
            for entity in feed.entities:
                shape = await conn.fetchrow(_SHAPE.replace(":table", "$1"), entity.table)
                assert shape["defaults"] is None, entity.name
                assert shape["trigger"].endswith(_UNGUARDED.format(schema=feed.schema))
    finally:
        await conn.close()
    run_sync(upgrade, url)
