"""The floor under the data-values import: its write alone, next to keyed COPY (`--floor`).

    .venv/bin/python -m bench.import_bench --floor [--values 100000] [--batch 10000]

An import can be no faster than the one statement that stores its rows with the guarantees
Soko keeps: the rows copied into the import's temporary table (`_stage`), then the service's
own upsert (`_UPSERT`: ON CONFLICT on the key, so a retry or a concurrent post never
duplicates a value; the foreign keys to indicator and organization checked by PostgreSQL; the
change-feed position stamped; one audit event per new or changed value with its previous
value), committed. Nothing else of a request is here: no HTTP, JSON, row checks, validation
rules, outliers, approval locks or summary.

Each batch is stored this way and, beside it, COPYed into a table with data_value's keys and
indexes (the bench's floor); the totals give `FLOOR write_per_s=… keyed_copy_per_s=…
ratio=…` (keyed COPY time / write time). When that ratio is near or below 0.33, the import
as a whole (write + everything else) cannot reach a third of keyed COPY. One more batch is
written under EXPLAIN ANALYZE (rolled back) to say where the write's time goes: the foreign-key
checks, the change-feed stamp, the audit events and the insert itself.
"""

import re
import time
import uuid

import asyncpg
from sqlalchemy import text

from bench.import_bench import keyed_table, line, setup, value_rows
from shared.db import create_engine, plain_url

_TRIGGER = re.compile(r"^Trigger (?:for constraint )?(\S+) on \S+: time=([\d.]+) calls=(\d+)")
_NODE = re.compile(r"->\s+(Insert on \w+).*actual time=[\d.]+\.\.([\d.]+)")


async def floor(url: str, total: int, batch: int) -> None:
    """Write `total` new values in batches of `batch` through the service's upsert, each batch
    also COPYed into a keyed table; print both rates, the ratio and one batch's breakdown."""
    from services.api.audit import service as audit
    from services.api.data_values.service import _UPSERT, Valid, _stage

    org_ids, codes = await setup(url, organizations=1000, indicators=10)
    rows = value_rows(org_ids, codes, total + batch)
    conn = await asyncpg.connect(plain_url(url))
    ids = dict(await conn.fetch("SELECT code, id FROM api.indicator"))
    await keyed_table(conn)
    valid = [
        Valid(n, ids[r["indicator_code"]], uuid.UUID(r["organization_id"]), r["period"], r["value"])
        for n, r in enumerate(rows)
    ]
    params = {"source": "bench", **audit.actor(None)}
    engine = create_engine(url, pool_size=1)
    write_s = copy_s = 0.0
    try:
        async with engine.connect() as connection:
            for start in range(0, total, batch):
                part = valid[start : start + batch]
                started = time.perf_counter()
                await conn.copy_records_to_table(
                    "copy_keyed",
                    records=[(v.indicator_id, v.organization_id, v.period, v.value) for v in part],
                    schema_name="public",
                    columns=["indicator_id", "organization_id", "period", "value"],
                )
                copy_s += time.perf_counter() - started
                started = time.perf_counter()
                async with connection.begin():
                    session = _Session(connection)
                    await _stage(session, part)  # type: ignore[arg-type]
                    counts = (await connection.execute(_UPSERT, params)).one()
                write_s += time.perf_counter() - started
                assert counts.imported == len(part), counts
            explained = valid[total : total + batch]
            async with connection.begin() as transaction:
                await _stage(_Session(connection), explained)  # type: ignore[arg-type]
                plan = await connection.execute(text("EXPLAIN (ANALYZE) " + _UPSERT.text), params)
                lines = [r[0] for r in plan]
                await transaction.rollback()
    finally:
        await engine.dispose()
        await conn.close()
    print(f"the write alone: {total} new values in batches of {batch}")
    print(line("stage + upsert + audit events + commit", write_s, total))
    print(line("COPY into a table with data_value's keys", copy_s, total))
    _print_breakdown(lines, len(explained))
    print(
        f"FLOOR write_per_s={total / write_s:.0f} keyed_copy_per_s={total / copy_s:.0f} "
        f"ratio={copy_s / write_s:.3f}"
    )


class _Session:
    """What `_stage` asks of a session, over a plain connection (no ORM in the floor)."""

    def __init__(self, connection) -> None:
        self._connection = connection

    async def execute(self, statement, params=None):
        return await self._connection.execute(statement, params)

    async def connection(self):
        return self._connection


def _print_breakdown(plan: list[str], rows: int) -> None:
    """Milliseconds of one batch's write by part, read off its EXPLAIN ANALYZE."""
    parts: dict[str, float] = {}
    for raw in plan:
        entry = raw.strip()
        if match := _TRIGGER.match(entry):
            name = match.group(1)
            label = "foreign-key checks" if name.startswith("fk_") else f"trigger {name}"
            parts[label] = parts.get(label, 0.0) + float(match.group(2))
        elif match := _NODE.search(entry):
            parts[match.group(1)] = float(match.group(2))
        elif entry.startswith("Execution Time:"):
            parts["whole statement"] = float(entry.split()[2])
    print(f"  one batch of {rows} under EXPLAIN ANALYZE (ms; triggers run beside the nodes):")
    for label, ms in parts.items():
        print(f"    {label:40} {ms:8.1f}")
