"""What the change feeds cost and give: the write overhead of change tracking on a bulk import,
the feed's read throughput, and how soon a follower sees a write.

    .venv/bin/python -m bench.changes_bench [--values 100000] [--batch 10000] [--rounds 2]

Two scratch databases on one server: `tracked` as the migrations leave it, and `untracked`,
the same with the tracking of `api.data_value` taken away (its change triggers, position
columns and index: the table as it was before the feeds). On each, alternately, `--rounds`
times: `--values` new data values through `POST /v1/data-values` of a real api process (in
batches of `--batch`), the same rows again with other values (every row updated), and an
asyncpg COPY of as many new rows straight into `api.data_value`. The best round of each is
printed, and the overhead (tracked / untracked time − 1).

Then, on `tracked`: the whole api feed read from the beginning over HTTP as a service
(`limit=5000`), entries per second; and the time from a POST's answer to the change reaching a
follower that was already waiting (`wait=25`), median of 20. The last line:
`RESULT insert_overhead=… update_overhead=… copy_overhead=… feed_entries_per_s=… visible_ms=…`.
"""

import argparse
import asyncio
import contextlib
import random
import secrets
import statistics
import time
import uuid
from collections.abc import AsyncIterator

import asyncpg
import httpx

from bench.common import Timer, scratch_database, server_url, services, signed_in
from bench.import_bench import line, setup
from shared.db import plain_url
from shared.identity import issue_service_token
from shared.settings import Settings

SECRET = secrets.token_urlsafe(48)
FEED_TRIGGERS = ("stamp_insert", "stamp_update", "key_moved", "deleted", "notify", "truncated")


async def untrack_data_values(url: str) -> None:
    """`api.data_value` as it was before the change feeds."""
    conn = await asyncpg.connect(plain_url(url))
    for name in FEED_TRIGGERS:
        await conn.execute(f"DROP TRIGGER changes_{name} ON api.data_value")
    await conn.execute("ALTER TABLE api.data_value DROP COLUMN change_xid, DROP COLUMN change_seq")
    await conn.close()


def rows_of(org_ids: list[str], codes: list[str], total: int, year: int, seed: int) -> list[dict]:
    rng = random.Random(seed)
    rows: list[dict] = []
    for month in range(1, 13):
        for code in codes:
            for org in org_ids:
                value = round(rng.uniform(0, 100), 1)
                period = f"{year}-{month:02d}"
                rows.append(
                    {
                        "indicator_code": code,
                        "organization_id": org,
                        "period": period,
                        "value": value,
                    }
                )
                if len(rows) == total:
                    return rows
    return rows


@contextlib.asynccontextmanager
async def api_process(url: str) -> AsyncIterator[tuple[str, httpx.AsyncClient]]:
    async with services(url, ("api",), SOKO_SECRET_KEY=SECRET) as urls:
        client = await signed_in(urls["api"])
        try:
            yield urls["api"], client
        finally:
            await client.aclose()


async def post_all(client: httpx.AsyncClient, rows: list[dict], batch: int) -> float:
    with Timer() as timer:
        for start in range(0, len(rows), batch):
            answer = await client.post(
                "/v1/data-values", json={"values": rows[start : start + batch]}
            )
            assert answer.status_code == 200 and not answer.json()["rejected"], answer.text[:500]
    return timer.seconds


async def copy_rows(url: str, rows: list[dict]) -> float:
    conn = await asyncpg.connect(plain_url(url))
    ids = dict(await conn.fetch("SELECT code, id FROM api.indicator"))
    records = [
        (ids[r["indicator_code"]], uuid.UUID(r["organization_id"]), r["period"], r["value"])
        for r in rows
    ]
    with Timer() as timer:
        await conn.copy_records_to_table(
            "data_value",
            schema_name="api",
            records=records,
            columns=["indicator_id", "organization_id", "period", "value"],
        )
    await conn.close()
    return timer.seconds


async def one_round(url: str, org_ids: list[str], codes: list[str], args, n: int) -> dict:
    new = rows_of(org_ids, codes, args.values, 2000 + 2 * n, seed=n)
    changed = [r | {"value": round((r["value"] + 1) % 100, 1)} for r in new]
    copied = rows_of(org_ids, codes, args.values, 2001 + 2 * n, seed=n)
    async with api_process(url) as (_, client):
        insert = await post_all(client, new, args.batch)
        update = await post_all(client, changed, args.batch)
    return {"insert": insert, "update": update, "copy": await copy_rows(url, copied)}


def service_headers() -> dict[str, str]:
    settings = Settings(secret_key=SECRET, environment="development")
    return {"Authorization": f"Bearer {issue_service_token(settings, 'reports')}"}


async def read_feed(base: str) -> tuple[int, float, str]:
    """The whole feed from the beginning: (entries, seconds, the last cursor)."""
    entries, cursor = 0, ""
    async with httpx.AsyncClient(base_url=base, timeout=120, headers=service_headers()) as client:
        started = time.perf_counter()
        while True:
            params = {"limit": 5000} | ({"after": cursor} if cursor else {})
            answer = await client.get("/v1/changes", params=params)
            assert answer.status_code == 200, answer.text[:500]
            body = answer.json()
            entries, cursor = entries + len(body["items"]), body["cursor"]
            if not body["has_more"]:
                return entries, time.perf_counter() - started, cursor


async def visible_after_post(base: str, poster: httpx.AsyncClient, row: dict, cursor: str):
    """Seconds from a POST's answer to the change reaching a follower already waiting."""
    async with httpx.AsyncClient(base_url=base, timeout=60, headers=service_headers()) as client:
        waiting = asyncio.create_task(
            client.get("/v1/changes", params={"after": cursor, "wait": 25})
        )
        await asyncio.sleep(0.2)
        answer = await poster.post("/v1/data-values", json={"values": [row]})
        posted = time.perf_counter()
        assert answer.status_code == 200, answer.text
        body = (await waiting).json()
        seen = time.perf_counter()
        while not body["items"]:  # held back behind another transaction: read on
            body = (await client.get("/v1/changes", params={"after": body["cursor"]})).json()
            seen = time.perf_counter()
        return seen - posted, body["cursor"]


async def feed_figures(url: str, org_ids: list[str], codes: list[str]) -> tuple[float, float]:
    async with api_process(url) as (base, client):
        entries, seconds, cursor = await read_feed(base)
        print(f"api feed from the beginning: {entries} entries")
        print(line("GET /v1/changes?limit=5000, page by page", seconds, entries))
        latencies = []
        for n in range(20):
            row = {"indicator_code": codes[0], "organization_id": org_ids[n], "period": "2030"}
            latency, cursor = await visible_after_post(base, client, row | {"value": n}, cursor)
            latencies.append(latency)
    visible = statistics.median(latencies)
    print(f"  a POSTed value reached a waiting follower after {visible * 1000:.1f} ms (median)")
    return entries / seconds, visible


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--values", type=int, default=100_000)
    parser.add_argument("--batch", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    with server_url() as server:
        async with scratch_database(server) as tracked, scratch_database(server) as untracked:
            await untrack_data_values(untracked)
            worlds = {
                "tracked": (tracked, await setup(tracked, organizations=1000, indicators=10)),
                "untracked": (untracked, await setup(untracked, organizations=1000, indicators=10)),
            }
            best: dict[str, dict[str, float]] = {}
            for n in range(args.rounds):
                for mode in ("untracked", "tracked") if n % 2 == 0 else ("tracked", "untracked"):
                    url, (org_ids, codes) = worlds[mode]
                    figures = await one_round(url, org_ids, codes, args, n)
                    best[mode] = {
                        k: min(v, best.get(mode, {}).get(k, v)) for k, v in figures.items()
                    }
            overhead = {k: best["tracked"][k] / best["untracked"][k] - 1 for k in best["tracked"]}
            print(
                f"data values: {args.values} rows, batches of {args.batch}, best of {args.rounds}"
            )
            for key, label in (
                ("insert", "POST /v1/data-values (new rows)"),
                ("update", "POST again (every value changed)"),
                ("copy", "COPY into api.data_value"),
            ):
                for mode in ("untracked", "tracked"):
                    print(line(f"{label}, {mode}", best[mode][key], args.values))
                print(f"  change tracking: {overhead[key]:+.1%}")
            rate, visible = await feed_figures(tracked, *worlds["tracked"][1])
    print(
        f"RESULT insert_overhead={overhead['insert']:.3f} update_overhead={overhead['update']:.3f} "
        f"copy_overhead={overhead['copy']:.3f} feed_entries_per_s={rate:.0f} "
        f"visible_ms={visible * 1000:.1f}"
    )


if __name__ == "__main__":
    asyncio.run(main())
