"""Bulk import through the api service next to a plain asyncpg COPY of the same rows.

    .venv/bin/python -m bench.import_bench [--values 100000] [--batch 10000] [--rules 10]
    .venv/bin/python -m bench.import_bench --rules 10 --profile [--explain] [--cprofile]
    .venv/bin/python -m bench.import_bench --floor

Prints rows per second for POST /v1/data-values (a real uvicorn process, JSON over loopback,
validation, upsert and audit events) and for COPY into a scratch table in the same database,
then `RESULT api_per_s=… keyed_copy_per_s=… ratio=…`. With `--rules N`, N validation rules
over the bench's indicators are active during the import (each evaluated for every
organization and period the import touches; some warn, sometimes broken, two reject and are
never broken). The goal: the API at least a third of keyed COPY's rate with 10 rules.
`--profile` times the steps of one batch in process instead (`bench.import_profile`);
`--floor` times the import's write alone (staging, upsert, audit events, commit) next to keyed
COPY (`bench.import_floor`): the rate no import can exceed while it keeps those guarantees.
"""

import argparse
import asyncio
import random
import uuid

import asyncpg

from bench import import_profile
from bench.common import Timer, api_server, scratch_database, server_url
from shared.db import plain_url


async def setup(url: str, organizations: int, indicators: int) -> tuple[list[str], list[str]]:
    """A territory with schools and data_value indicators, inserted directly (not measured)."""
    conn = await asyncpg.connect(plain_url(url))
    territory = uuid.uuid4()
    await conn.execute(
        "INSERT INTO api.territory (id, name, kind) VALUES ($1, 'Бенчмарк', 'municipality')",
        territory,
    )
    org_ids = [uuid.uuid4() for _ in range(organizations)]
    await conn.copy_records_to_table(
        "organization",
        schema_name="api",
        columns=["id", "name", "kind", "territory_id"],
        records=[(o, f"Школа {n}", "school", territory) for n, o in enumerate(org_ids)],
    )
    codes = [f"bench_{n}" for n in range(indicators)]
    await conn.executemany(
        "INSERT INTO api.indicator (id, code, name, unit, direction, level, method, params, min_n) "
        "VALUES ($1, $2::text, $2::text, 'percent', 'higher', 'organization', 'data_value', "
        '\'{"value_type": "percent"}\', 1)',
        [(uuid.uuid4(), c) for c in codes],
    )
    await conn.close()
    return [str(o) for o in org_ids], codes


def value_rows(org_ids: list[str], codes: list[str], total: int) -> list[dict]:
    rng = random.Random(1)
    periods = [f"2022-{m:02d}" for m in range(1, 13)]
    rows = []
    for period in periods:
        for code in codes:
            for org in org_ids:
                rows.append(
                    {
                        "indicator_code": code,
                        "organization_id": org,
                        "period": period,
                        "value": round(rng.uniform(0, 100), 1),
                    }
                )
                if len(rows) == total:
                    return rows
    return rows


def rule_bodies(codes: list[str], count: int) -> list[dict]:
    """`count` validation rules over the bench's percent indicators (0–100): warnings that the
    random values break now and then, and two rejecting rules that they never break."""
    bodies = []
    for n in range(count):
        a, b = codes[n % len(codes)], codes[(n + 1) % len(codes)]
        if n < 2:
            left, operator, right, action = f"{a} + {b}", ">=", "0", "reject"
        elif n % 2:
            left, operator, right, action = f"{a} / {b} * 100", "<=", "400", "warn"
        else:
            left, operator, right, action = a, "<=", f"{b} * 3 + 10", "warn"
        bodies.append(
            {
                "code": f"bench_rule_{n}",
                "left": left,
                "operator": operator,
                "right": right,
                "message": "Бенчмарк",
                "action": action,
            }
        )
    return bodies


async def bench_values(url: str, total: int, batch: int, rules: int) -> None:
    org_ids, codes = await setup(url, organizations=1000, indicators=10)
    rows = value_rows(org_ids, codes, total)
    violations = 0
    async with api_server(url) as client:
        for body in rule_bodies(codes, rules):
            answer = await client.post("/v1/validation-rules", json=body)
            assert answer.status_code == 201, answer.text
        with Timer() as api:
            for start in range(0, len(rows), batch):
                answer = await client.post(
                    "/v1/data-values", json={"values": rows[start : start + batch]}
                )
                summary = answer.json()
                assert answer.status_code == 200 and not summary["rejected"], answer.text[:500]
                violations += len(summary["violations"])
        with Timer() as again:
            for start in range(0, len(rows), batch):
                await client.post("/v1/data-values", json={"values": rows[start : start + batch]})
    conn = await asyncpg.connect(plain_url(url))
    ids = dict(await conn.fetch("SELECT code, id FROM api.indicator"))
    stored = await conn.fetchval("SELECT count(*) FROM api.data_value")
    await conn.execute(
        "CREATE TABLE public.copy_scratch "
        "(indicator_id uuid, organization_id uuid, period text, value float8)"
    )
    records = [
        (ids[r["indicator_code"]], uuid.UUID(r["organization_id"]), r["period"], r["value"])
        for r in rows
    ]
    with Timer() as copy:
        await conn.copy_records_to_table("copy_scratch", records=records, schema_name="public")
    # The same COPY into a table with data_value's primary key and indexes: a fairer floor.
    await keyed_table(conn)
    with Timer() as keyed:
        await conn.copy_records_to_table(
            "copy_keyed",
            records=records,
            schema_name="public",
            columns=["indicator_id", "organization_id", "period", "value"],
        )
    await conn.close()
    n = len(rows)
    print(
        f"data values: {n} rows in batches of {batch}; stored {stored}; {rules} validation "
        f"rules, {violations} violations listed"
    )
    print(line("POST /v1/data-values (new rows)", api.seconds, n))
    print(line("POST again (all unchanged)", again.seconds, n))
    print(line("asyncpg COPY into a bare table", copy.seconds, n))
    print(line("COPY into a table with data_value's keys", keyed.seconds, n))
    print(
        f"  API / bare COPY: {copy.seconds / api.seconds:.3f}; "
        f"API / keyed COPY: {keyed.seconds / api.seconds:.3f} (goal: 0.33)"
    )
    print(
        f"RESULT api_per_s={n / api.seconds:.0f} keyed_copy_per_s={n / keyed.seconds:.0f} "
        f"ratio={keyed.seconds / api.seconds:.3f}"
    )


async def profile_values(url: str, args: argparse.Namespace) -> None:
    """`--profile`: the steps of one batch of new rows and of the same rows again, in process
    (`bench.import_profile`), with the same schools, indicators and rules as the bench."""
    org_ids, codes = await setup(url, organizations=1000, indicators=10)
    rows = value_rows(org_ids, codes, max(args.values, 3 * args.batch))
    await import_profile.profile(
        url,
        rule_bodies(codes, args.rules),
        rows,
        args.batch,
        explain=args.explain,
        cprofile=args.cprofile,
    )


async def keyed_table(conn: asyncpg.Connection) -> None:
    """public.copy_keyed: api.data_value's columns, keys and indexes, no trigger, and a
    constant change-feed position (LIKE … INCLUDING ALL copies the columns' defaults, which
    would draw from the live `api.change_seq`)."""
    await conn.execute("CREATE TABLE public.copy_keyed (LIKE api.data_value INCLUDING ALL)")
    await conn.execute(
        "ALTER TABLE public.copy_keyed ALTER COLUMN change_xid SET DEFAULT 0, "
        "ALTER COLUMN change_seq SET DEFAULT 0"
    )


def line(label: str, seconds: float, rows: int) -> str:
    return f"  {label:42} {seconds:7.2f} s {rows / seconds:10.0f} rows/s"


def result_rows(org_ids: list[str], total: int) -> list[dict]:
    """ВПР results: schools × (grades 4–8) × (Математика, Русский язык) × years."""
    rng = random.Random(2)
    rows = []
    for year in ("2020/2021", "2021/2022", "2022/2023"):
        for grade in range(4, 9):
            for subject in ("Математика", "Русский язык"):
                for org in org_ids:
                    participants = rng.randint(40, 120)
                    two, four, five = (round(participants * f) for f in (0.1, 0.35, 0.15))
                    rows.append(
                        {
                            "organization_id": org,
                            "procedure": "vpr",
                            "year": year,
                            "subject": subject,
                            "grade": grade,
                            "participants": participants,
                            "marks": {
                                "2": two,
                                "3": participants - two - four - five,
                                "4": four,
                                "5": five,
                            },
                            "mean_score": round(rng.uniform(8, 15), 2),
                            "lowered": 5,
                            "confirmed": participants - 10,
                            "raised": 5,
                        }
                    )
                    if len(rows) == total:
                        return rows
    return rows


async def bench_results(url: str, total: int, batch: int) -> None:
    conn = await asyncpg.connect(plain_url(url))
    org_ids = [str(o) for o in await conn.fetchval("SELECT array_agg(id) FROM api.organization")]
    await conn.close()
    rows = result_rows(org_ids, total)
    async with api_server(url) as client:
        with Timer() as api:
            for start in range(0, len(rows), batch):
                answer = await client.post(
                    "/v1/assessment-results", json={"results": rows[start : start + batch]}
                )
                assert answer.status_code == 200 and not answer.json()["rejected"], answer.text[
                    :500
                ]
    conn = await asyncpg.connect(plain_url(url))
    stored = await conn.fetchval("SELECT count(*) FROM api.assessment_result")
    await conn.execute(
        "CREATE TABLE public.results_keyed (LIKE api.assessment_result INCLUDING ALL)"
    )
    template = await conn.fetchrow("SELECT * FROM api.assessment_result LIMIT 1")
    await conn.execute("TRUNCATE api.assessment_result CASCADE")
    columns = list(template.keys())
    # The same rows as stored rows: what the API computed (procedure id, marks as stored,
    # timestamps) is taken from a stored row; the key columns are each posted row's own.
    records = [
        tuple(
            uuid.uuid4()
            if c == "id"
            else (
                uuid.UUID(r["organization_id"])
                if c == "organization_id"
                else r.get(c, template[c])
                if c not in ("marks",)
                else template[c]
            )
            for c in columns
        )
        for r in rows
    ]
    with Timer() as keyed:
        await conn.copy_records_to_table(
            "results_keyed", records=records, schema_name="public", columns=columns
        )
    await conn.close()
    n = len(rows)
    print(f"assessment results: {n} rows in batches of {batch}; stored {stored}")
    print(line("POST /v1/assessment-results (new rows)", api.seconds, n))
    print(line("COPY into a table with its keys", keyed.seconds, n))
    print(f"  API / keyed COPY: {keyed.seconds / api.seconds:.3f} (goal: 0.33)")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--values", type=int, default=100_000)
    parser.add_argument("--results", type=int, default=20_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--rules", type=int, default=0, help="active validation rules")
    parser.add_argument(
        "--profile", action="store_true", help="time the steps of one batch (in process)"
    )
    parser.add_argument("--explain", action="store_true", help="with --profile: the plans")
    parser.add_argument("--cprofile", action="store_true", help="with --profile: cProfile")
    parser.add_argument("--floor", action="store_true", help="the write alone next to keyed COPY")
    args = parser.parse_args()
    with server_url() as server:
        async with scratch_database(server) as url:
            if args.profile:
                await profile_values(url, args)
                return
            if args.floor:
                from bench.import_floor import floor  # it imports this module's helpers

                await floor(url, args.values, args.batch)
                return
            await bench_values(url, args.values, args.batch, args.rules)
            if args.results:
                await bench_results(url, args.results, args.batch)


if __name__ == "__main__":
    asyncio.run(main())
