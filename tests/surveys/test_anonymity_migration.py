"""Migration 0009_anonymity on stored data: answers, idempotency keys; nothing is lost."""

import hashlib
import json
import uuid

import asyncpg
from alembic.script import ScriptDirectory

from shared.db import plain_url
from shared.migrations import alembic_config, upgrade
from tests.conftest import run_sync

REVISION = "0009_anonymity"
DEFINITION = {
    "code": "clubs_check",
    "sections": [
        {
            "code": "all",
            "questions": [
                {"code": "likert", "type": "likert5"},
                {"code": "clubs", "type": "multiple"},
                {"code": "sport", "type": "multiple"},
                {"code": "grade", "type": "single"},
            ],
        }
    ],
}


def _before() -> str:
    """The revision this one follows (whatever it is once parallel migrations are chained)."""
    script = ScriptDirectory.from_config(alembic_config(""))
    down = script.get_revision(REVISION).down_revision
    assert isinstance(down, str)
    return down


async def _arrange(conn: asyncpg.Connection) -> uuid.UUID:
    instrument, version, campaign, response = (uuid.uuid4() for _ in range(4))
    organization = uuid.uuid4()
    await conn.execute(
        "INSERT INTO surveys.instrument (id, code, kind, title, latest_version) "
        "VALUES ($1, 'clubs_check', 'satisfaction', 'Кружки', 1)",
        instrument,
    )
    await conn.execute(
        "INSERT INTO surveys.instrument_version (id, instrument_id, version, definition) "
        "VALUES ($1, $2, 1, $3::jsonb)",
        version,
        instrument,
        json.dumps(DEFINITION),
    )
    await conn.execute(
        "INSERT INTO surveys.campaign (id, title, instrument_version_id, audience, period, "
        "opens_at, closes_at, anonymous) VALUES ($1, 'Кружки', $2, 'parents', '2021/2022', "
        "now() - interval '1 day', now() + interval '1 day', true)",
        campaign,
        version,
    )
    await conn.execute(
        "INSERT INTO surveys.response (id, campaign_id, organization_id, instrument_version_id, "
        "status, submitted_on) VALUES ($1, $2, $3, $4, 'submitted', current_date)",
        response,
        campaign,
        organization,
        version,
    )
    rows = [
        ("likert", None, 4.0, True),
        ("clubs", "chess", None, None),
        ("clubs", "choir", None, True),
        ("sport", "football", None, None),  # one option ticked: one row, then too
        ("grade", "basic", None, None),  # a single choice keeps its `option`
    ]
    for question, option, number, positive in rows:
        await conn.execute(
            "INSERT INTO surveys.answer (response_id, campaign_id, organization_id, question, "
            "option, number, positive) VALUES ($1, $2, $3, $4, $5, $6, $7)",
            response,
            campaign,
            organization,
            question,
            option,
            number,
            positive,
        )
    for schema in ("api", "surveys"):
        await conn.execute(
            f"INSERT INTO {schema}.idempotency_key (principal, key, method, path, request_hash, "  # noqa: S608
            "status_code, response, created_at) VALUES ('anonymous:-', 'phone-7', 'POST', '/x', "
            "'h', 201, '{\"id\": \"r\"}', now() - interval '1 day'), "
            "('anonymous:-', 'stale', 'POST', '/x', 'h', 201, '{}', now() - interval '3 days')"
        )
    return response


async def test_answers_fold_and_keys_are_hashed_by_the_migration(scratch_database):
    url = scratch_database()
    run_sync(upgrade, url, _before())
    conn = await asyncpg.connect(plain_url(url))
    try:
        response = await _arrange(conn)
        run_sync(upgrade, url, REVISION)
        answers = await conn.fetch(
            "SELECT question, option, options, number, positive FROM surveys.answer "
            "WHERE response_id = $1 ORDER BY question",
            response,
        )
        keys = {
            schema: await conn.fetch(
                f"SELECT principal, key_hash, response, created_on = current_date - 1 AS day "  # noqa: S608
                f"FROM {schema}.idempotency_key"
            )
            for schema in ("api", "surveys")
        }
    finally:
        await conn.close()
    assert [tuple(a) for a in answers] == [
        ("clubs", None, ["chess", "choir"], None, True),
        ("grade", "basic", None, None, None),
        ("likert", None, None, 4.0, True),
        ("sport", None, ["football"], None, None),
    ]
    for rows in keys.values():  # yesterday's key still replays; the older one is gone
        assert [(r["principal"], r["key_hash"], r["day"]) for r in rows] == [
            ("anonymous:-", hashlib.sha256(b"phone-7").hexdigest(), True)
        ]
        assert json.loads(rows[0]["response"]) == {"id": "r"}
