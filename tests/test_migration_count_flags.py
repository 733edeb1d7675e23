"""Revision 0032: the territory flags of counts stored before are cleared at the upgrade (the
check no longer compares counts within the territory), and only those: a count's history flag
and a percentage's territory flag stay; each removal leaves the change feed a tombstone, so the
reports service's facts drop it too."""

import uuid

import asyncpg

from shared.db import plain_url
from shared.migrations import upgrade
from tests.conftest import run_sync

_INDICATOR = """INSERT INTO api.indicator (id, code, name, unit, direction, level, method, min_n)
                VALUES ($1, $2::text, $2::text, $3, 'higher', 'organization', 'data_value', 1)"""
_VALUE = """INSERT INTO api.data_value (indicator_id, organization_id, period, value)
            VALUES ($1, $2, '2024/2025', 600)"""
_FLAG = """INSERT INTO api.outlier_flag (indicator_id, organization_id, period, kind, value)
           VALUES ($1, $2, '2024/2025', $3, 600)"""


async def test_0032_clears_the_territory_flags_of_counts_only(scratch_database):
    url = scratch_database()
    run_sync(upgrade, url, "0031_change_position_defaults")
    territory, school, pupils, share = (uuid.uuid4() for _ in range(4))
    conn = await asyncpg.connect(plain_url(url))
    try:
        await conn.execute(
            "INSERT INTO api.territory (id, name, kind) VALUES ($1, 'Район', 'municipality')",
            territory,
        )
        await conn.execute(
            "INSERT INTO api.organization (id, name, kind, territory_id) "
            "VALUES ($1, 'Школа 1', 'school', $2)",
            school,
            territory,
        )
        await conn.execute(_INDICATOR, pupils, "pupils", "count")
        await conn.execute(_INDICATOR, share, "share", "percent")
        for indicator in (pupils, share):
            await conn.execute(_VALUE, indicator, school)
        for indicator, kind in (
            (pupils, "territory_z"),
            (pupils, "history_z"),
            (share, "territory_z"),
        ):
            await conn.execute(_FLAG, indicator, school, kind)
    finally:
        await conn.close()
    run_sync(upgrade, url)
    conn = await asyncpg.connect(plain_url(url))
    try:
        kept = await conn.fetch(
            "SELECT i.code, f.kind FROM api.outlier_flag f "
            "JOIN api.indicator i ON i.id = f.indicator_id ORDER BY 1, 2"
        )
        assert [tuple(r) for r in kept] == [("pupils", "history_z"), ("share", "territory_z")]
        tombstones = await conn.fetch(
            "SELECT key FROM api.change_tombstone WHERE entity = 'outlier_flag'"
        )
        assert len(tombstones) == 1 and '"territory_z"' in tombstones[0]["key"]
    finally:
        await conn.close()
