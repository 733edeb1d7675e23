"""Issue 15 at region scale: participants' import rate and the analysis endpoints' times.

    SOKO_BENCH_DATABASE_URL=postgresql://postgres@127.0.0.1:5432/postgres \\
    .venv/bin/python -m bench.analysis_bench [--schools 2000] [--pupils 60] [--concurrency 4]
                                             [--keep DBNAME [--no-follow]]

The region (bench.analysis_data): `--schools` schools in municipalities of about 33, ВПР in
8 papers (Математика and Русский язык, grades 4–7) over two years, `--pupils` participants a
school and paper (the defaults: 2,000 × 8 × 60 × 2 = 1.92 M participants, 15 tasks each),
and ОГЭ summary rows. Territories, schools and ОГЭ rows are written with SQL; the 16 task
specifications are posted by the administrator to POST /v1/assessment-tasks.

Measured:
- participants_per_s: POST /v1/assessment-results/participants to a real api process, one
  school × paper a request (the endpoint's shape), `--concurrency` requests at a time, by the
  region's analyst; the bodies are made beforehand (not timed), a paper and year at a time;
- copy_ratio: that rate over the rate of an asyncpg COPY of the same rows (as the api stores
  them) into a scratch table without keys (also printed: into a copy of the table with its
  keys and indexes);
- facts_s: the reports facts rebuilt from the feeds (`soko resync` of both, against the
  running api and surveys processes), then ANALYZE of the facts, as autovacuum would do;
- <endpoint>_s: GET /v1/analysis/<endpoint> for the region and the second year, by the
  region's analyst, of a reports process (median of 3 after a warm-up; the goal: < 2 s each);
  the paged ones (/objectivity, /task-completion) answer their first page, computed over the
  whole region; an endpoint the reports service does not have yet is "not built".
The last line: `RESULT participants_per_s=… copy_ratio=… objectivity_s=… … facts_s=…`.
`--keep DBNAME` keeps the database; found again, its import is skipped (the facts are rebuilt
and the endpoints timed: how to time the endpoints again after a change to them); with
`--no-follow` the facts are taken as they are.
"""

import argparse
import asyncio
import contextlib
import json
import os
import statistics
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from bench import analysis_data as data
from bench.common import Timer, scratch_database, server_url, services, signed_in
from bench.reports_bench import timed_resync
from bench.stack import Stack
from shared.db import plain_url

ENDPOINTS = ("objectivity", "low-results", "context", "resilient", "task-completion")
NO_FOLLOWING = {"reports": {"SOKO_FOLLOW_FEEDS": "false"}}


@dataclass
class Figures:
    """What one run measured; seconds summed over the papers and years."""

    participants: int = 0  # posted (and copied) in this run; 0 for a kept database
    api_s: float = 0.0  # POSTing them
    copy_s: float = 0.0  # COPY of the same rows into a table without keys
    keyed_s: float = 0.0  # … into a copy of api.assessment_participant with its keys
    facts_s: float = 0.0  # resync of both feeds and ANALYZE of the facts
    changes: int = 0  # the feeds' changes the resync applied
    endpoints: dict[str, float | None] = field(default_factory=dict)  # None: not built


async def setup(url: str, args: argparse.Namespace) -> tuple[uuid.UUID, bool]:
    """The region (found again in a kept database, else written); whether it is new."""
    conn = await asyncpg.connect(plain_url(url))
    try:
        kept = await conn.fetchval("SELECT id FROM api.territory WHERE name = $1", data.REGION_NAME)
        if kept:
            return kept, False
        municipalities = max(2, round(args.schools / 33))
        with Timer() as timer:
            region = await data.region(conn, args.schools, municipalities)
        print(
            f"  region of {args.schools} schools, {municipalities} municipalities: "
            f"{timer.seconds:.1f} s"
        )
        return region, True
    finally:
        await conn.close()


async def specifications(admin: httpx.AsyncClient) -> dict[tuple[str, str, int], uuid.UUID]:
    """Every paper's specification for both years, posted; their ids by (year, subject,
    grade)."""
    ids = {}
    for year in data.YEARS:
        for subject, grade in data.PAPERS:
            answer = await admin.post(
                "/v1/assessment-tasks", json=data.specification(year, subject, grade)
            )
            assert answer.status_code in (200, 201), answer.text[:500]
            ids[(year, subject, grade)] = uuid.UUID(answer.json()["id"])
    return ids


async def analyst(admin: httpx.AsyncClient, region: uuid.UUID) -> None:
    """The region's territory analyst: posts the participants and reads the analysis."""
    user = {"email": data.ANALYST[0], "password": data.ANALYST[1], "full_name": "Аналитик"}
    scope = {"scope_type": "territory", "scope_id": str(region)}
    answer = await admin.post("/v1/users", json=user | scope | {"role": "territory_analyst"})
    assert answer.status_code == 201, answer.text


async def post_all(client: httpx.AsyncClient, bodies: list[bytes], concurrency: int) -> None:
    """POST every body, `concurrency` at a time; each must be imported whole."""
    queue = iter(bodies)

    async def worker() -> None:
        for body in queue:
            answer = await client.post(
                "/v1/assessment-results/participants",
                content=body,
                headers={"Content-Type": "application/json"},
            )
            summary = answer.json()
            assert answer.status_code == 200 and not summary["rejected"], answer.text[:500]

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def scratch_tables(conn: asyncpg.Connection) -> None:
    """A bare table of the COPY's columns and a copy of the participants' table with its keys
    and indexes (LIKE copies no trigger; the change-feed position gets a constant, not the
    columns' defaults, which would draw from the live `api.change_seq`)."""
    columns = await conn.fetch(
        "SELECT column_name, data_type FROM information_schema.columns "
        "WHERE table_schema = 'api' AND table_name = 'assessment_participant'"
    )
    types = {c["column_name"]: c["data_type"] for c in columns}
    listed = ", ".join(f"{name} {types[name]}" for name in data.COPY_COLUMNS)
    await conn.execute(f"CREATE TABLE public.participants_bare ({listed})")
    await conn.execute(
        "CREATE TABLE public.participants_keyed (LIKE api.assessment_participant INCLUDING ALL)"
    )
    for name in ("change_xid", "change_seq"):
        if name in types:
            await conn.execute(
                f"ALTER TABLE public.participants_keyed ALTER COLUMN {name} SET DEFAULT 0"
            )


async def import_participants(url: str, region: uuid.UUID, args, figures: Figures) -> None:
    """The participants through the api, a paper and year at a time, and the same rows by
    COPY after each."""
    schools = data.schools_of(region, args.schools)
    conn = await asyncpg.connect(plain_url(url))
    await scratch_tables(conn)
    vpr = await conn.fetchval("SELECT id FROM api.assessment_procedure WHERE code = 'vpr'")
    async with services(url, ("api",)) as urls:
        admin = await signed_in(urls["api"])
        await analyst(admin, region)
        spec_ids = await specifications(admin)
        await admin.aclose()
        client = await signed_in(urls["api"], credentials=data.ANALYST, request_timeout=600)
        for year in data.YEARS:
            for subject, grade in data.PAPERS:
                bodies, records = [], []
                for school in schools:
                    header = {
                        "organization_id": str(school.id),
                        "procedure": "vpr",
                        "year": year,
                        "subject": subject,
                        "grade": grade,
                    }
                    rows = data.participants(school, year, subject, grade, args.pupils)
                    bodies.append(json.dumps(header | {"participants": rows}).encode())
                    spec = spec_ids[(year, subject, grade)]
                    records += [data.copy_record(header, row, spec, vpr) for row in rows]
                with Timer() as api:
                    await post_all(client, bodies, args.concurrency)
                for table, attribute in (
                    ("participants_bare", "copy_s"),
                    ("participants_keyed", "keyed_s"),
                ):
                    with Timer() as copy:
                        await conn.copy_records_to_table(
                            table,
                            records=records,
                            schema_name="public",
                            columns=data.COPY_COLUMNS,
                        )
                    setattr(figures, attribute, getattr(figures, attribute) + copy.seconds)
                figures.api_s += api.seconds
                figures.participants += len(records)
                print(
                    f"  {year} {subject} {grade}: {len(records)} participants, "
                    f"{len(records) / api.seconds:.0f}/s",
                    flush=True,
                )
        await client.aclose()
    await conn.execute("DROP TABLE public.participants_bare, public.participants_keyed")
    await conn.close()


async def follow(url: str, urls: dict[str, str], figures: Figures) -> None:
    """The facts rebuilt from both feeds, then analysed (planner statistics)."""
    peers = Stack({"api_reports": urls["api"], "surveys": urls["surveys"]}, {}, Path())
    seconds, figures.changes = await timed_resync(peers, url)
    conn = await asyncpg.connect(plain_url(url))
    with Timer() as analyse:
        await conn.execute("ANALYZE reports.fact_assessment_result")
        await conn.execute("ANALYZE reports.fact_assessment_participant")
        await conn.execute("ANALYZE reports.fact_organization")
    await conn.close()
    figures.facts_s = seconds + analyse.seconds


async def time_endpoints(urls: dict[str, str], region: uuid.UUID, figures: Figures) -> None:
    """Each analysis endpoint the reports service has: median of 3 after a warm-up."""
    client = await signed_in(urls["reports"], urls["api"], data.ANALYST, request_timeout=600)
    paths = (await client.get("/openapi.json")).json()["paths"]
    for name in ENDPOINTS:
        path = f"/v1/analysis/{name}"
        if path not in paths:
            figures.endpoints[name] = None
            print(f"  {path}: not built")
            continue
        params = {"territory_id": str(region)}
        if any(p["name"] == "year" for p in paths[path]["get"].get("parameters", [])):
            params["year"] = data.YEARS[1]
        seconds = []
        for attempt in range(4):
            with Timer() as timer:
                answer = await client.get(path, params=params)
            assert answer.status_code == 200, f"{path}: {answer.status_code} {answer.text[:500]}"
            if attempt:
                seconds.append(timer.seconds)
        body = answer.json()
        items, total = len(body.get("items", [])), body.get("total", len(body.get("items", [])))
        figures.endpoints[name] = statistics.median(seconds)
        print(
            f"  {path}: {figures.endpoints[name]:.3f} s (warm-up {timer.seconds:.3f} s, "
            f"{items} of {total} items, {len(answer.content) / 1e6:.1f} MB)"
        )
    await client.aclose()


def result_line(figures: Figures) -> str:
    """The figures; "none" for what this run did not measure (a kept database imports
    nothing, an endpoint not built)."""
    imported = figures.api_s > 0
    rate = f"{figures.participants / figures.api_s:.0f}" if imported else "none"
    ratio = f"{figures.copy_s / figures.api_s:.3f}" if imported else "none"
    parts = [f"participants_per_s={rate}", f"copy_ratio={ratio}"]
    for name in ENDPOINTS:
        value = figures.endpoints.get(name)
        parts.append(f"{name.replace('-', '_')}_s={'none' if value is None else f'{value:.3f}'}")
    facts = f"{figures.facts_s:.1f}" if figures.facts_s else "none"
    return "RESULT " + " ".join([*parts, f"facts_s={facts}"])


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--schools", type=int, default=2000)
    parser.add_argument("--pupils", type=int, default=60, help="participants a school and paper")
    parser.add_argument("--concurrency", type=int, default=4, help="requests at a time")
    parser.add_argument("--keep", help="a database to reuse and keep (imported if absent)")
    parser.add_argument(
        "--no-follow",
        action="store_true",
        help="with --keep: time the endpoints over the facts as they are (no resync)",
    )
    args = parser.parse_args()
    total = args.schools * len(data.PAPERS) * len(data.YEARS) * args.pupils
    print(
        f"analysis benchmark: {args.schools} schools, {total} participants "
        f"(load average {os.getloadavg()[0]:.1f})"
    )
    figures = Figures()
    with server_url() as server:
        async with scratch_database(server, args.keep) as url:
            region, fresh = await setup(url, args)
            if fresh:
                await import_participants(url, region, args, figures)
                n = figures.participants
                print(f"participants: {n} in {figures.participants // args.pupils} requests")
                for label, seconds in (
                    ("POST /v1/assessment-results/participants", figures.api_s),
                    ("asyncpg COPY into a bare table", figures.copy_s),
                    ("COPY into a table with its keys", figures.keyed_s),
                ):
                    print(f"  {label:42} {seconds:8.2f} s {n / seconds:10.0f} rows/s")
                print(
                    f"  API / bare COPY: {figures.copy_s / figures.api_s:.3f}; "
                    f"API / keyed COPY: {figures.keyed_s / figures.api_s:.3f}"
                )
            async with services(url, ("api", "surveys", "reports"), NO_FOLLOWING) as urls:
                if fresh or not args.no_follow:
                    await follow(url, urls, figures)
                    print(f"facts followed: {figures.changes} changes in {figures.facts_s:.1f} s")
                await time_endpoints(urls, region, figures)
    print(f"load average at the end: {os.getloadavg()[0]:.1f}")
    print(result_line(figures))


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
