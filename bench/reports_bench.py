"""Indicator values of a whole region: time, calls to the peers, memory of the reports service.

    .venv/bin/python -m bench.reports_bench [--scale 0.05] [--keep DBNAME] [--no-linearity]
                                            [--page-budget 300] [--profile]

At --scale 1: a region of 60 municipalities and 2,000 schools (clusters of 8), 100,000 teachers
diagnosed (a campaign per municipality), 1,000,000 parents' responses of 20 answers, ВПР and ОГЭ
results, data values, and 40 indicators of every method with targets; all written with SQL
(bench.generate), the indicators posted to the api service. The services run as real processes
(bench.stack); a territory analyst of the region asks GET /v1/indicator-values for the region
at every level: cold (first request after start), repeated, after one school's data value
changed, and for one municipality. Printed per request: seconds, items, the calls the reports
service made to each peer (from the peers' access logs), and the reports process's peak memory.

Linearity: before the responses are complete the same schools are measured with a quarter of
the responses and diagnosed teachers, and a second database at a quarter of the scale (a
quarter of the schools, the same quarter of responses) is measured too: time per school and
per response side by side show what the cost follows.
"""

import argparse
import asyncio
import contextlib
import math
import os
import pstats
import tempfile
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

import asyncpg
import httpx

from bench.common import Timer, scratch_database, signed_in
from bench.reports_data import ANALYST, PERIOD, PREVIOUS, Size, counts, respond, setup
from bench.stack import Stack, calls, stack
from shared.db import plain_url

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PAGE = 500


# --- measuring ----------------------------------------------------------------------------------


@dataclass
class Sample:
    label: str
    request_ids: list[str]
    seconds: float  # of the first page (the whole computation)
    items: int
    pages: int
    fetched: int = 1
    all_seconds: float | None = None  # of the pages fetched
    peak_mb: int = 0
    missing: int = 0
    started: float = 0.0  # epoch seconds of the first page's request and answer
    ended: float = 0.0


class Session:
    """The analyst's client of the reports service, and the samples taken."""

    def __init__(self, running: Stack, client: httpx.AsyncClient) -> None:
        self.stack = running
        self.client = client
        self.samples: list[Sample] = []
        self.serial = 0
        self.started = self.ended = 0.0

    async def page(self, params: dict, offset: int) -> tuple[str, float, dict]:
        self.serial += 1
        request_id = f"bench-{self.serial:04d}"
        query = params | {"period": PERIOD, "level": "all", "limit": PAGE, "offset": offset}
        self.started = time.time()
        with Timer() as timer:
            answer = await self.client.get(
                "/v1/indicator-values", params=query, headers={"X-Request-ID": request_id}
            )
        self.ended = time.time()
        assert answer.status_code == 200, answer.text[:500]
        return request_id, timer.seconds, answer.json()

    async def sample(self, label: str, params: dict, budget: float = 0.0) -> Sample:
        """The first page; then the next ones while the time spent stays within `budget`."""
        request_id, seconds, body = await self.page(params, 0)
        pages = max(1, math.ceil(body["total"] / PAGE))
        sample = Sample(label, [request_id], seconds, body["total"], pages)
        sample.started, sample.ended = self.started, self.ended
        sample.missing = len(body["missing_inputs"])
        spent = seconds
        while sample.fetched < pages and spent < budget:
            request_id, seconds, _ = await self.page(params, sample.fetched * PAGE)
            sample.request_ids.append(request_id)
            sample.fetched += 1
            spent += seconds
        if sample.fetched > 1:
            sample.all_seconds = spent
        sample.peak_mb = self.stack.memory()["VmHWM"]
        self.samples.append(sample)
        return sample


async def change_one_value(running: Stack, school: uuid.UUID, value: float) -> None:
    """One school's data value for the period posted through the api service."""
    api = await signed_in(running.urls["api"], credentials=ANALYST)
    row = {"indicator_code": "dv_qualified_teachers", "organization_id": str(school)}
    answer = await api.post(
        "/v1/data-values", json={"values": [row | {"period": PERIOD, "value": value}]}
    )
    summary = answer.json()
    assert answer.status_code == 200 and summary["updated"] + summary["imported"] == 1, summary
    await api.aclose()


async def measure(url: str, region: uuid.UUID, args: argparse.Namespace, *, full: bool) -> dict:
    """The phases (only the cold first page unless `full`); samples, calls, memory, profile."""
    conn = await asyncpg.connect(plain_url(url))
    municipality, school = await conn.fetchrow(
        "SELECT t.id, o.id FROM api.territory t JOIN api.organization o ON o.territory_id = t.id "
        "WHERE t.parent_id = $1 ORDER BY t.name, o.name LIMIT 1",
        region,
    )
    # A value the school does not have yet (a kept database has the last run's).
    current = await conn.fetchval(
        "SELECT v.value FROM api.data_value v JOIN api.indicator i ON i.id = v.indicator_id "
        "WHERE i.code = 'dv_qualified_teachers' AND v.organization_id = $1 AND v.period = $2",
        school,
        PERIOD,
    )
    posted = 98.0 if current == 99.0 else 99.0
    # Cold: nothing computed before (a kept database keeps the snapshots of its last run).
    await conn.execute("DELETE FROM reports.snapshot")
    await conn.close()
    logs = Path(tempfile.mkdtemp(prefix="soko-reports-bench-"))
    profile = logs / "reports.prof" if args.profile and full else None
    region_scope = {"scope_type": "territory", "scope_id": str(region)}
    async with stack(url, logs, profile=profile) as running:
        client = await signed_in(
            running.urls["reports"], running.urls["api"], ANALYST, request_timeout=3600
        )
        session = Session(running, client)
        before = running.memory()
        await session.sample("cold, first page", region_scope)
        if full:
            await session.sample("repeat, first page", region_scope)
            await session.sample("repeat, paging through", region_scope, args.page_budget)
            await change_one_value(running, school, posted)
            await session.sample("after one school's value changed", region_scope)
            seen = await client.get(
                "/v1/indicator-values",
                params={"period": PERIOD, "indicator_code": "dv_qualified_teachers"}
                | {"scope_type": "organization", "scope_id": str(school)},
            )
            changed = seen.json()["items"][0]["value"]
            scope = {"scope_type": "territory", "scope_id": str(municipality)}
            await session.sample("one municipality, every page", scope, math.inf)
        await client.aclose()
    result = {"samples": session.samples, "calls": calls(logs), "before": before}
    return result | {"profile": profile, "changed": (posted, changed) if full else None}


# --- printing -----------------------------------------------------------------------------------


def print_samples(result: dict) -> None:
    found = result["calls"]
    before = result["before"]
    print(f"  reports process before the first request: RSS {before['VmRSS']} MB")
    print("  (fetching: until the last call to a peer ended; computing: from then to the answer)")
    print(
        f"  {'request':34} {'seconds':>8} {'fetching':>8} {'computing':>9} {'items':>6}"
        f" {'pages':>6} {'api':>4} {'surveys':>7} {'(surveys→api)':>13} {'peak MB':>7}"
    )
    for s in result["samples"]:
        first = found.get(s.request_ids[0])
        api, surveys, nested = (
            (first.total("api"), first.total("surveys"), first.total("surveys→api"))
            if first
            else (0, 0, 0)
        )
        fetching = max(0.0, first.last - s.started) if first else 0.0
        computing = s.ended - s.started - fetching
        missing = f"  missing inputs: {s.missing}" if s.missing else ""
        print(
            f"  {s.label:34} {s.seconds:8.2f} {fetching:8.2f} {computing:9.2f} {s.items:6}"
            f" {f'1/{s.pages}':>6} {api:4} {surveys:7} {nested:13} {s.peak_mb:7}{missing}"
        )
        if s.all_seconds is not None:
            per_page = s.all_seconds / s.fetched
            every = "every page" if s.fetched == s.pages else f"{s.fetched} of {s.pages} pages"
            estimate = "" if s.fetched == s.pages else f", all ≈ {per_page * s.pages:.0f} s"
            print(f"  {'':34} {every}: {s.all_seconds:.2f} s ({per_page:.2f} s a page{estimate})")
    posted, seen = result["changed"]
    print(f"  the changed school's value: posted {posted}, the reports service gives {seen}")
    first = result["samples"][0]
    cold = found.get(first.request_ids[0])
    if cold and {"api", "surveys"} <= set(cold.last_by_peer):
        # The service asks the api service everything first, then the surveys service.
        api = cold.last_by_peer["api"] - first.started
        surveys = cold.last_by_peer["surveys"] - cold.last_by_peer["api"]
        print(
            f"  the cold request: {api:.2f} s until the last call to the api service ended, "
            f"then {surveys:.2f} s of calls to the surveys service, "
            f"then {first.ended - cold.last:.2f} s computing and answering"
        )
    if cold:
        print("  calls of the cold request, per peer and path:")
        for (peer, path), n in sorted(cold.count.items()):
            print(f"    {peer:12} {n:5}  {path}")


def print_profile(path: Path) -> None:
    """Where the reports process spent its time: our functions by cumulative time, and any
    function by its own time (awaiting a peer is not counted: a coroutine is timed while it
    runs)."""
    stats = pstats.Stats(str(path))
    print("  reports process under cProfile: services/ and shared/ by cumulative time")
    stats.sort_stats("cumulative").print_stats(r"/(services|shared)/", 20)
    print("  reports process under cProfile: by own time")
    stats.sort_stats("tottime").print_stats(15)


def print_linearity(points: list[tuple[str, dict, dict]]) -> None:
    """Per point: the data's size, and the cold request's time and calls."""
    print("linearity (the cold first page: the whole computation):")
    print(
        f"  {'':28} {'schools':>7} {'units':>6} {'responses':>9} {'diagnosed':>9}"
        f" {'seconds':>8} {'ms/school':>9} {'µs/response':>11} {'api':>4} {'surveys':>7}"
    )
    for label, n, result in points:
        cold = result["samples"][0]
        found = result["calls"].get(cold.request_ids[0])
        api, surveys = (found.total("api"), found.total("surveys")) if found else (0, 0)
        units = n["organizations"] + n["clusters"] + n["territories"]
        answers = n["responses"] + n["diagnosed"]
        print(
            f"  {label:28} {n['organizations']:7} {units:6} {n['responses']:9}"
            f" {n['diagnosed']:9} {cold.seconds:8.2f}"
            f" {1000 * cold.seconds / n['organizations']:9.2f}"
            f" {1e6 * cold.seconds / max(answers, 1):11.2f} {api:4} {surveys:7}"
        )


# --- the run ------------------------------------------------------------------------------------


async def quarter_scale(server: str, scale: float) -> tuple[dict, dict]:
    size = Size.of(scale / 4)
    print(f"quarter scale: {size}")
    async with scratch_database(server) as url:
        region, _ = await setup(url, size)
        await respond(url, region, size, 1.0)
        result = await measure(url, region, argparse.Namespace(profile=False), full=False)
        return await counts(url), result


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", help="a database to reuse and keep (generated if absent)")
    parser.add_argument("--no-linearity", dest="linearity", action="store_false")
    parser.add_argument("--page-budget", type=float, default=300, help="seconds for paging")
    parser.add_argument("--profile", action="store_true", help="run reports under cProfile")
    args = parser.parse_args()
    server = os.environ.get("SOKO_BENCH_DATABASE_URL", SERVER)
    size = Size.of(args.scale)
    print(f"reports benchmark at scale {args.scale}: {size}")
    points = []
    async with scratch_database(server, args.keep) as url:
        region, fresh = await setup(url, size)
        if fresh and args.linearity:
            await respond(url, region, size, 0.25)
            result = await measure(url, region, args, full=False)
            points.append(("same schools, ¼ responses", await counts(url), result))
        if fresh:
            await respond(url, region, size, 1.0)
        n = await counts(url)
        print(
            "data: "
            + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in n.items())
            + f"; 40 indicators, periods {PERIOD} and {PREVIOUS}"
        )
        result = await measure(url, region, args, full=True)
        print(f"GET /v1/indicator-values?scope_type=territory&level=all&period={PERIOD}:")
        print_samples(result)
        if result["profile"]:
            print_profile(result["profile"])
    points.append(("all schools, all responses", n, result))
    if args.linearity:
        small, quarter = await quarter_scale(server, args.scale)
        points.insert(0, ("¼ schools, ¼ responses", small, quarter))
    print_linearity(points)


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
