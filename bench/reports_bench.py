"""The reports read model at region scale: sync, cold and live reads, a change's visibility.

    .venv/bin/python -m bench.reports_bench [--scale 0.05] [--keep DBNAME] [--no-linearity]
                                            [--live-seconds 20] [--rate 20] [--profile]

At --scale 1: a region of 60 municipalities and 2,000 schools (clusters of 8), 100,000 teachers
diagnosed (a campaign per municipality), 1,000,000 parents' responses of 20 answers, ВПР and ОГЭ
results, data values, and 40 indicators of every method with targets; all written with SQL
(bench.generate), the indicators posted to the api service. The services run as real processes
(bench.stack); the reports service follows the api and surveys change feeds into its facts.

Measured, in one run:
- sync_s: the facts rebuilt from empty (`soko resync` of both feeds, as the bench calls it);
- cold_s: the region's indicator values at every level, first page, by a territory analyst,
  asked of a reports process just started (the facts already synced);
- change_visible_s: from the answer to one school's POSTed data value until the region's
  values (read again and again, the indicator's pages read once before) show it;
- live_p95_s: the 95th percentile of region reads (the first page and the page of a parents'
  survey indicator, by turns) while parents' anonymous responses arrive at
  `--rate` a second for `--live-seconds`;
- peak_mb: the reports process's peak resident memory;
- peer_calls_per_read: calls the reports service made to its peers per read (from the peers'
  access logs, by our request ids; the feeds' long polls are not a read's).
Linearity: a second database at a quarter of the scale, measured the same way (sync and cold
per school side by side). The last line: `RESULT cold_s=… change_visible_s=… live_p95_s=…
sync_s=… peak_mb=… peer_calls_per_read=…`.
"""

import argparse
import asyncio
import contextlib
import os
import pstats
import random
import statistics
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import asyncpg
import httpx

from bench.common import Timer, scratch_database, signed_in
from bench.reports_data import ANALYST, PERIOD, Size, counts, definitions, respond, setup
from bench.reports_indicators import PARENTS
from bench.stack import Stack, calls, stack
from services.reports.facts.running import resync_feeds
from shared.db import plain_url
from shared.settings import Settings

SERVER = "postgresql://postgres@127.0.0.1:5432/postgres"
PAGE = 500
INDICATOR = "dv_qualified_teachers"
# A parents' survey indicator: every response that arrives changes its inputs.
SURVEY_INDICATOR = "sp_all"
FAST_LIMIT = {"surveys": {"SOKO_ANONYMOUS_RATE_PER_MINUTE": "10000000"}}


@dataclass
class Point:
    """One database measured: its size and the figures."""

    label: str
    size: dict
    sync_s: float = 0.0
    sync_changes: int = 0
    cold_s: float = 0.0
    cold_items: int = 0
    repeat_s: float = 0.0
    change_visible_s: float | None = None
    live: list[float] = field(default_factory=list)
    live_survey: list[float] = field(default_factory=list)  # the survey indicator's reads
    live_posted: int = 0
    live_failed: int = 0
    peak_mb: int = 0
    reads: int = 0
    peer_calls: int = 0


class Reader:
    """The analyst's reads of the region's values; each carries a request id of ours."""

    def __init__(self, client: httpx.AsyncClient, region: uuid.UUID) -> None:
        self.client, self.region, self.serial = client, region, 0
        self.request_ids: list[str] = []

    async def region_values(self, **extra: str | int) -> tuple[float, dict]:
        self.serial += 1
        request_id = f"bench-{self.serial:05d}"
        self.request_ids.append(request_id)
        params = {
            "scope_type": "territory",
            "scope_id": str(self.region),
            "period": PERIOD,
            "level": "all",
            "limit": PAGE,
        } | extra
        with Timer() as timer:
            answer = await self.client.get(
                "/v1/indicator-values", params=params, headers={"X-Request-ID": request_id}
            )
        assert answer.status_code == 200, answer.text[:500]
        return timer.seconds, answer.json()


async def timed_resync(running: Stack, url: str) -> tuple[float, int]:
    """`soko resync` of both feeds against the running peers: seconds, changes applied."""
    settings = Settings(
        database_url=url,
        api_url=running.urls["api_reports"],
        surveys_url=running.urls["surveys"],
        http_timeout_seconds=300,
    )
    with Timer() as timer:
        applied = await resync_feeds(settings, ["api", "surveys"])
    return timer.seconds, sum(applied.values())


async def change_visible(running: Stack, reader: Reader, school: uuid.UUID, value: float) -> float:
    """POST one school's value; seconds from the answer until the region's values show it
    (the indicator's pages were read before, as by an analyst who has them open)."""
    offset, total = 0, 1
    while offset < total:
        _, body = await reader.region_values(
            indicator_code=INDICATOR, level="organization", offset=offset
        )
        offset, total = offset + PAGE, body["total"]
    api = await signed_in(running.urls["api"], credentials=ANALYST)
    row = {"indicator_code": INDICATOR, "organization_id": str(school), "period": PERIOD}
    answer = await api.post("/v1/data-values", json={"values": [row | {"value": value}]})
    answered = time.perf_counter()
    summary = answer.json()
    await api.aclose()
    assert answer.status_code == 200 and summary["updated"] + summary["imported"] == 1, summary
    deadline = answered + 600
    reads: list[str] = []  # each read's seconds, to say where the time went
    while time.perf_counter() < deadline:
        mine, offset, total = [], 0, 1
        while not mine and offset < total:  # the school's item, on whichever page it is
            seconds, body = await reader.region_values(
                indicator_code=INDICATOR, level="organization", offset=offset
            )
            reads.append(f"{seconds:.3f}@{offset}")
            mine = [i for i in body["items"] if i["scope_id"] == str(school)]
            offset, total = offset + PAGE, body["total"]
        if mine and mine[0]["value"] == value:
            print(f"  (change: {len(reads)} reads of the indicator's pages, s@offset: {reads})")
            return time.perf_counter() - answered
    raise AssertionError("the posted value was not visible within 600 s")


def parents_answers(rng: random.Random, definition) -> dict:
    """A parent's answers: every question with options answered at random."""
    answers: dict = {}
    for question in definition.questions():
        codes = question.option_codes() if question.options else []
        if question.type.startswith("likert"):
            answers[question.code] = rng.randint(1, 5)
        elif codes and question.type == "multiple_choice":
            answers[question.code] = [rng.choice(codes)]
        elif codes:
            answers[question.code] = rng.choice(codes)
    return answers


async def live_reads(
    running: Stack, url: str, reader: Reader, point: Point, seconds: float, rate: float
) -> None:
    """Region reads one after another while parents answer at `rate` a second."""
    conn = await asyncpg.connect(plain_url(url))
    found = await definitions(conn)
    version = found[PARENTS][0]
    campaign, orgs = await conn.fetchrow(
        "SELECT c.id, array_agg(o.organization_id) FROM surveys.campaign c "
        "JOIN surveys.campaign_organization o ON o.campaign_id = c.id "
        "WHERE c.instrument_version_id = $1 GROUP BY c.id LIMIT 1",
        version,
    )
    await conn.close()
    rng = random.Random(7)
    definition = found[PARENTS][1]
    stop = time.perf_counter() + seconds
    post_url = f"{running.urls['surveys']}/v1/campaigns/{campaign}/responses"

    async def parents() -> None:
        async with httpx.AsyncClient(timeout=30) as client:
            tick = time.perf_counter()
            while tick < stop:
                body = {"organization_id": str(rng.choice(orgs))}
                body["answers"] = parents_answers(rng, definition)
                answer = await client.post(post_url, json=body)
                point.live_posted += 1
                point.live_failed += answer.status_code != 201
                if answer.status_code != 201 and point.live_failed == 1:
                    print(f"  a parent's response refused: {answer.text[:300]}")
                tick += 1 / rate
                await asyncio.sleep(max(0.0, tick - time.perf_counter()))

    async def analyst() -> None:
        """The region's first page and the survey indicator's page by turns: the first reads
        values the responses do not change, the second values each response changes."""
        while time.perf_counter() < stop:
            seconds_taken, _ = await reader.region_values()
            point.live.append(seconds_taken)
            seconds_taken, _ = await reader.region_values(indicator_code=SURVEY_INDICATOR)
            point.live.append(seconds_taken)
            point.live_survey.append(seconds_taken)

    await asyncio.gather(parents(), analyst())


async def measure(url: str, region: uuid.UUID, point: Point, args: argparse.Namespace) -> None:
    conn = await asyncpg.connect(plain_url(url))
    school = await conn.fetchval(
        "SELECT o.id FROM api.territory t JOIN api.organization o ON o.territory_id = t.id "
        "WHERE t.parent_id = $1 ORDER BY t.name, o.name LIMIT 1",
        region,
    )
    current = await conn.fetchval(
        "SELECT v.value FROM api.data_value v JOIN api.indicator i ON i.id = v.indicator_id "
        "WHERE i.code = $1 AND v.organization_id = $2 AND v.period = $3",
        INDICATOR,
        school,
        PERIOD,
    )
    await conn.close()
    posted = 98.0 if current == 99.0 else 99.0
    logs = Path(tempfile.mkdtemp(prefix="soko-reports-bench-"))
    # 1. The facts rebuilt from empty while the services run (the reports process does not
    # follow the feeds meanwhile: the resync is measured alone).
    quiet = FAST_LIMIT | {"reports": {"SOKO_FOLLOW_FEEDS": "false"}}
    async with stack(url, logs, env_of=quiet) as running:
        point.sync_s, point.sync_changes = await timed_resync(running, url)
    print(f"  (sync from empty: {point.sync_s:.1f} s, {point.sync_changes} changes)", flush=True)
    # 2. A reports process just started, its facts synced, nothing computed before (a kept
    # database keeps the last run's kept values): cold, repeated, a change, live.
    conn = await asyncpg.connect(plain_url(url))
    await conn.execute("DELETE FROM reports.indicator_value")
    await conn.execute("DELETE FROM reports.indicator_value_run")
    await conn.close()
    profile = logs / "reports.prof" if args.profile and point.label.startswith("all") else None
    async with stack(url, logs, profile=profile, env_of=FAST_LIMIT) as running:
        client = await signed_in(
            running.urls["reports"], running.urls["api"], ANALYST, request_timeout=3600
        )
        reader = Reader(client, region)
        point.cold_s, body = await reader.region_values()
        point.cold_items = body["total"]
        point.repeat_s, _ = await reader.region_values()
        print(f"  (cold {point.cold_s:.2f} s, repeated {point.repeat_s:.2f} s)", flush=True)
        if args.full:
            point.change_visible_s = await change_visible(running, reader, school, posted)
            await live_reads(running, url, reader, point, args.live_seconds, args.rate)
        point.peak_mb = running.memory()["VmHWM"]
        await client.aclose()
    found = calls(logs)
    point.reads = len(reader.request_ids)
    point.peer_calls = sum(
        found[r].total("api") + found[r].total("surveys") for r in reader.request_ids if r in found
    )
    if profile is not None:
        print_profile(profile)


def print_profile(path: Path) -> None:
    """Where the reports process spent its time: our functions by cumulative time."""
    stats = pstats.Stats(str(path))
    print("  reports process under cProfile: services/ and shared/ by cumulative time")
    stats.sort_stats("cumulative").print_stats(r"/(services|shared)/", 20)


def p95(values: list[float]) -> float:
    return (
        statistics.quantiles(values, n=20, method="inclusive")[-1]
        if len(values) >= 2
        else max(values, default=0.0)
    )


def print_point(point: Point) -> None:
    n = point.size
    print(f"{point.label}: {n['organizations']} schools, {n['responses']} responses")
    print(f"  sync from empty (both feeds): {point.sync_s:.2f} s, {point.sync_changes} changes")
    print(f"  region values, cold first page: {point.cold_s:.3f} s ({point.cold_items} items)")
    print(f"  region values, repeated: {point.repeat_s:.3f} s")
    if point.change_visible_s is not None:
        print(f"  a school's value visible in the region's values: {point.change_visible_s:.3f} s")
    if point.live:
        print(
            f"  live: {len(point.live)} region reads while {point.live_posted} responses arrived"
            f" ({point.live_failed} refused): p50 {statistics.median(point.live):.3f} s,"
            f" p95 {p95(point.live):.3f} s, max {max(point.live):.3f} s"
        )
    if point.live_survey:
        print(
            f"    of them {len(point.live_survey)} of {SURVEY_INDICATOR} (changed by each"
            f" response): p50 {statistics.median(point.live_survey):.3f} s,"
            f" p95 {p95(point.live_survey):.3f} s"
        )
    print(f"  reports peak memory: {point.peak_mb} MB")
    print(f"  calls to peers: {point.peer_calls} in {point.reads} reads")


def print_linearity(points: list[Point]) -> None:
    print("linearity (cost per school at two sizes):")
    print(f"  {'':28} {'schools':>7} {'sync s':>8} {'ms/school':>9} {'cold s':>7} {'ms/school':>9}")
    for p in points:
        schools = p.size["organizations"]
        print(
            f"  {p.label:28} {schools:7} {p.sync_s:8.2f} {1000 * p.sync_s / schools:9.2f}"
            f" {p.cold_s:7.3f} {1000 * p.cold_s / schools:9.3f}"
        )


async def point_at(server: str, label: str, size: Size, args, keep: str | None) -> Point:
    async with scratch_database(server, keep) as url:
        region, fresh = await setup(url, size)
        if fresh:
            await respond(url, region, size, 1.0)
        point = Point(label, await counts(url))
        await measure(url, region, point, args)
        return point


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--keep", help="a database to reuse and keep (generated if absent)")
    parser.add_argument("--no-linearity", dest="linearity", action="store_false")
    parser.add_argument("--live-seconds", type=float, default=20.0)
    parser.add_argument("--rate", type=float, default=20.0, help="parents' responses a second")
    parser.add_argument("--profile", action="store_true", help="run reports under cProfile")
    args = parser.parse_args()
    server = os.environ.get("SOKO_BENCH_DATABASE_URL", SERVER)
    size = Size.of(args.scale)
    print(f"reports benchmark at scale {args.scale}: {size}")
    args.full = True
    whole = await point_at(server, "all schools", size, args, args.keep)
    print_point(whole)
    points = [whole]
    if args.linearity:
        args.full = False
        quarter = await point_at(server, "¼ of the schools", Size.of(args.scale / 4), args, None)
        print_point(quarter)
        points.insert(0, quarter)
        print_linearity(points)
    per_read = whole.peer_calls / max(whole.reads, 1)
    print(
        f"RESULT cold_s={whole.cold_s:.3f} change_visible_s={whole.change_visible_s:.3f}"
        f" live_p95_s={p95(whole.live):.3f} sync_s={whole.sync_s:.2f}"
        f" peak_mb={whole.peak_mb} peer_calls_per_read={per_read:.2f}"
    )


if __name__ == "__main__":
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(main())
