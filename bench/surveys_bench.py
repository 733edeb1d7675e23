"""The surveys service under load, and its aggregates over a million responses.

    .venv/bin/python -m bench.surveys_bench submissions [--count 20000] [--clients 50]
    .venv/bin/python -m bench.surveys_bench aggregates [--responses 1000000] [--organizations 2000]
    .venv/bin/python -m bench.surveys_bench workers [--count 5000] [--clients 50]

submissions: anonymous responses to a 20-question form posted by concurrent clients to a real
uvicorn process of the surveys service, next to a bare FastAPI endpoint that does one asyncpg
INSERT of the same JSON, in the same run; rates, latency percentiles, and the rows counted in
the database afterwards (none lost, none duplicated).

aggregates: responses × 20 questions over organizations in 20 municipalities, generated in the
database; the time of the aggregates at territory and at organization level, and of one
organization's, cold (first request after the services start) and warm.

workers: the surveys service as one process and as two workers (`SOKO_WORKERS=2`): anonymous
responses with Idempotency-Key, each sent again until acknowledged, then acknowledged, stored,
duplicated and lost (n, n, 0, 0 with either); and the anonymous limit of one address: twice
a minute's budget sent at once, counting what was accepted and what was refused (429).
"""

import argparse
import asyncio
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from bench.common import (
    Timer,
    free_port,
    scratch_database,
    server_url,
    service_env,
    services,
    signed_in,
    start,
    wait_ready,
)
from bench.delivery import deliver, one_address_budget, tally
from bench.generate import ANSWERS, GENERATE, TALLIES
from shared.db import plain_url

LIKERT = [
    f"ps_{area}_{n}"
    for area in ("teaching", "safety", "food", "communication", "extra", "openness")
    for n in range(1, 5)
]


async def instrument_questions(surveys: httpx.AsyncClient) -> tuple[str, list[str], dict]:
    listed = (await surveys.get("/v1/instruments?limit=100")).json()["items"]
    instrument = next(i for i in listed if i["code"] == "parents_satisfaction")
    detail = (await surveys.get(f"/v1/instruments/{instrument['id']}")).json()
    questions = [q for s in detail["definition"]["sections"] for q in s["questions"]]
    likert = [q["code"] for q in questions if q["type"] == "likert5"][:20]
    extra = {
        q["code"]: q["options"][0]["code"]
        for q in questions
        if q["type"] == "single" and q.get("required", True)
    }
    return instrument["id"], likert, extra


async def make_campaign(urls: dict, organizations: int) -> tuple[str, list[str], list[str], dict]:
    api, surveys = await signed_in(urls["api"]), await signed_in(urls["surveys"], urls["api"])
    region = (await api.post("/v1/territories", json={"name": "Регион", "kind": "region"})).json()
    org_ids = []
    for m in range(20):
        municipality = (
            await api.post(
                "/v1/territories",
                json={"name": f"Район {m}", "kind": "municipality", "parent_id": region["id"]},
            )
        ).json()
        for n in range(organizations // 20):
            org = await api.post(
                "/v1/organizations",
                json={
                    "name": f"Школа {m}-{n}",
                    "kind": "school",
                    "territory_id": municipality["id"],
                    "context": {"students": 500},
                },
            )
            org_ids.append(org.json()["id"])
    instrument_id, likert, extra = await instrument_questions(surveys)
    now = datetime.now(UTC)
    campaign = await surveys.post(
        "/v1/campaigns",
        json={
            "instrument_id": instrument_id,
            "audience": "parents",
            "organization_ids": org_ids,
            "period": "2021/2022",
            "opens_at": (now - timedelta(hours=1)).isoformat(),
            "closes_at": (now + timedelta(days=30)).isoformat(),
            "anonymous": True,
        },
    )
    assert campaign.status_code == 201, campaign.text
    await api.aclose()
    await surveys.aclose()
    return campaign.json()["id"], org_ids, likert, extra


def anonymous_bodies(
    rng: random.Random, orgs: list[str], likert: list[str], extra: dict, count: int
) -> list[dict]:
    """Parents' answers: every likert question 1–5 at random, the required choices, a school."""
    return [
        {
            "organization_id": rng.choice(orgs),
            "answers": {q: rng.randint(1, 5) for q in likert} | extra,
        }
        for _ in range(count)
    ]


async def load(
    url: str, bodies: list[dict], clients: int, *, keys: bool
) -> tuple[float, list[float], int, int]:
    """POST every body with `clients` concurrent workers: seconds, latencies, failures, retries.

    With `keys`, each body carries an Idempotency-Key and a dropped connection is retried with
    it, as a phone on a bad network would: the count in the database must still be exact.
    """
    latencies: list[float] = []
    failures = retries = 0
    queue = iter(enumerate(bodies))
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:

        async def worker() -> None:
            nonlocal failures, retries
            for index, body in queue:
                headers = {"Idempotency-Key": f"bench-{index}"} if keys else {}
                started = time.perf_counter()
                for attempt in range(4):
                    try:
                        answer = await client.post(url, json=body, headers=headers)
                        break
                    except httpx.TransportError:
                        if not keys or attempt == 3:
                            raise
                        retries += 1
                latencies.append(time.perf_counter() - started)
                failures += answer.status_code != 201

        with Timer() as timer:
            await asyncio.gather(*(worker() for _ in range(clients)))
    return timer.seconds, latencies, failures, retries


def report(
    label: str, count: int, seconds: float, latencies: list[float], failures: int, retries: int
) -> None:
    q = statistics.quantiles(latencies, n=100)
    print(
        f"  {label:28} {count / seconds:8.0f} responses/s   p50 {q[49] * 1000:6.1f} ms   "
        f"p95 {q[94] * 1000:6.1f} ms   p99 {q[98] * 1000:6.1f} ms   "
        f"failed {failures}   retried {retries}"
    )


async def submissions(database_url: str, count: int, clients: int) -> None:
    rng = random.Random(7)
    async with services(
        database_url, ("api", "surveys"), SOKO_ANONYMOUS_RATE_PER_MINUTE="10000000"
    ) as urls:
        campaign, orgs, likert, extra = await make_campaign(urls, organizations=20)
        bodies = anonymous_bodies(rng, orgs, likert, extra, count)
        soko = await load(
            f"{urls['surveys']}/v1/campaigns/{campaign}/responses", bodies, clients, keys=True
        )
    port = free_port()
    bare = start(
        [
            sys.executable,
            "-m",
            "uvicorn",
            "bench.bare_app:app",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ],
        service_env(database_url),
    )
    try:
        await wait_ready(f"http://127.0.0.1:{port}")
        baseline = await load(f"http://127.0.0.1:{port}/responses", bodies, clients, keys=False)
    finally:
        bare.terminate()
        await asyncio.to_thread(bare.wait, 10)
    conn = await asyncpg.connect(plain_url(database_url))
    stored = await conn.fetchval(
        "SELECT count(*) FROM surveys.response WHERE campaign_id = $1", uuid.UUID(campaign)
    )
    answers = await conn.fetchval(
        "SELECT count(*) FROM surveys.answer WHERE campaign_id = $1", uuid.UUID(campaign)
    )
    bare_rows = await conn.fetchval("SELECT count(*) FROM public.bare_response")
    await conn.close()
    print(
        f"submissions: {count} of {len(likert) + len(extra)} answers, {clients} concurrent clients"
    )
    report("POST /v1/.../responses", count, *soko)
    report("bare FastAPI + one INSERT", count, *baseline)
    print(f"  Soko / bare: {baseline[0] / soko[0]:.2f} (goal: at least 0.5)")
    print(
        f"  stored: {stored} responses, {answers} answers (expected {count} and "
        f"{count * (len(likert) + len(extra))}); bare table: {bare_rows}"
    )


async def timed_get(client: httpx.AsyncClient, path: str) -> tuple[float, int]:
    with Timer() as timer:
        answer = await client.get(path)
    assert answer.status_code == 200, answer.text[:300]
    return timer.seconds, len(answer.json()["items"])


async def aggregates(database_url: str, responses: int, organizations: int) -> None:
    conn = await asyncpg.connect(plain_url(database_url))
    existing = await conn.fetchrow(
        "SELECT c.id, array_agg(o.organization_id) AS orgs FROM surveys.campaign c "
        "JOIN surveys.campaign_organization o ON o.campaign_id = c.id GROUP BY c.id LIMIT 1"
    )
    generated = Timer()
    generated.seconds = 0.0
    if existing:  # a kept database (--keep): measure again without generating again
        campaign, orgs = str(existing["id"]), [str(o) for o in existing["orgs"]]
    else:
        async with services(database_url, ("api", "surveys")) as urls:
            campaign, orgs, likert, _ = await make_campaign(urls, organizations)
        with generated:
            await conn.execute(GENERATE, uuid.UUID(campaign), responses)
            await conn.execute(ANSWERS, uuid.UUID(campaign), likert)
            await conn.execute("VACUUM ANALYZE surveys.response")
            await conn.execute("VACUUM ANALYZE surveys.answer")
    if not await conn.fetchval("SELECT count(*) FROM surveys.answer_tally"):
        with Timer() as tallied:
            await conn.execute(TALLIES, uuid.UUID(campaign))
            await conn.execute("ANALYZE surveys.answer_tally")
        print(f"  tallies built from the generated answers in {tallied.seconds:.0f} s")
    rows = await conn.fetchval("SELECT count(*) FROM surveys.answer")
    responses = await conn.fetchval("SELECT count(*) FROM surveys.response")
    likert = range(rows // max(responses, 1))
    await conn.close()
    print(
        f"aggregates: {responses} responses × {len(likert)} questions = {rows} answer rows over "
        f"{len(orgs)} organizations (generated in {generated.seconds:.0f} s)"
    )
    paths = {
        "territory level": f"/v1/campaigns/{campaign}/aggregates?level=territory",
        "organization level": f"/v1/campaigns/{campaign}/aggregates?level=organization",
        "one organization": f"/v1/campaigns/{campaign}/aggregates?organization_id={orgs[0]}",
    }
    async with services(database_url, ("api", "surveys")) as urls:
        client = await signed_in(urls["surveys"], urls["api"])
        for label, path in paths.items():
            cold = await timed_get(client, path)
            warm = await timed_get(client, path)
            print(
                f"  {label:20} cold {cold[0]:6.2f} s   warm {warm[0]:6.2f} s   ({warm[1]} scopes)"
            )
        await client.aclose()


BUDGET = 60  # SOKO_ANONYMOUS_RATE_PER_MINUTE's default
UNLIMITED = "10000000"


def worker_env(workers: int, rate: str) -> dict[str, dict[str, str]]:
    return {"surveys": {"SOKO_WORKERS": str(workers), "SOKO_ANONYMOUS_RATE_PER_MINUTE": rate}}


async def budget_of_one_address(database_url: str, workers: int, campaign: str, body: dict) -> str:
    """Twice a minute's budget from one address, at once: what was accepted, what refused."""
    async with services(database_url, ("api", "surveys"), worker_env(workers, str(BUDGET))) as urls:
        url = f"{urls['surveys']}/v1/campaigns/{campaign}/responses"
        statuses = await one_address_budget(url, body, sent=2 * BUDGET)
    others = {code: n for code, n in statuses.items() if code not in (201, 429)}
    return (
        f"{statuses[201]} accepted, {statuses[429]} refused (429)"
        + (f", other answers {others}" if others else "")
        + f" of {2 * BUDGET} (limit {BUDGET} a minute)"
    )


async def workers(database_url: str, count: int, clients: int) -> None:
    rng = random.Random(11)
    print(
        f"workers: the surveys service as 1 process and as 2 workers; {count} anonymous "
        f"responses from {clients} clients with Idempotency-Key (limit raised), and "
        f"{2 * BUDGET} at once from one address"
    )
    async with services(database_url, ("api", "surveys")) as urls:
        probe, orgs, likert, extra = await make_campaign(urls, organizations=20)
    probe_body = anonymous_bodies(rng, orgs, likert, extra, 1)[0]
    # Limits kept in PostgreSQL remember the last minute's hits across restarts: each
    # measurement of one address's budget starts a minute after the one before.
    budgets = {}
    for n in (1, 2):
        if n > 1:
            await asyncio.sleep(61)
        budgets[n] = await budget_of_one_address(database_url, n, probe, probe_body)
    for n in (1, 2):
        async with services(database_url, ("api", "surveys"), worker_env(n, UNLIMITED)) as urls:
            campaign, orgs, likert, extra = await make_campaign(urls, organizations=20)
            bodies = anonymous_bodies(rng, orgs, likert, extra, count)
            url = f"{urls['surveys']}/v1/campaigns/{campaign}/responses"
            delivery = await deliver(url, bodies, clients, key_prefix=f"workers-{n}")
        counts = await tally(database_url, campaign, delivery)
        q = statistics.quantiles(delivery.latencies, n=100)
        print(
            f"  {n} worker{'s' if n > 1 else ' '}: {count / delivery.seconds:6.0f} responses/s  "
            f"p50 {q[49] * 1000:5.1f} ms  p99 {q[98] * 1000:6.1f} ms  "
            f"retried {sum(delivery.retried.values())}"
        )
        print(f"             {counts.line()}")
        print(f"             one address: {budgets[n]}")


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("what", choices=["submissions", "aggregates", "workers"])
    parser.add_argument("--count", type=int, help="responses (20,000; workers: 5,000)")
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--responses", type=int, default=1_000_000)
    parser.add_argument("--organizations", type=int, default=2000)
    parser.add_argument("--keep", help="a database to reuse and keep (skips generating again)")
    args = parser.parse_args()
    with server_url() as server:
        async with scratch_database(server, args.keep) as url:
            if args.what == "submissions":
                await submissions(url, args.count or 20_000, args.clients)
            elif args.what == "workers":
                await workers(url, args.count or 5_000, args.clients)
            else:
                await aggregates(url, args.responses, args.organizations)


if __name__ == "__main__":
    asyncio.run(main())
