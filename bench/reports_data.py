"""The data of the reports benchmark: sizes, the region generated, responses added.

The region, data values, results and campaigns are written with SQL (bench.generate); the
analyst and the 40 indicators are posted to a running api service, which checks them.
"""

import uuid
from dataclasses import dataclass

import asyncpg

from bench import generate
from bench.common import Timer, services, signed_in
from bench.reports_indicators import DIAGNOSTIC, PARENTS, indicators
from services.surveys.instruments.definition import InstrumentDefinition
from shared.db import plain_url

PERIOD, PREVIOUS = "2021/2022", "2020/2021"
ANALYST = ("analyst@bench.example", "bench-analyst-password-1")


@dataclass
class Size:
    organizations: int
    municipalities: int
    teachers: int
    responses: int

    @classmethod
    def of(cls, scale: float) -> "Size":
        organizations = max(10, round(2000 * scale))
        return cls(
            organizations,
            min(organizations, max(2, round(60 * scale))),
            max(10, round(100_000 * scale)),
            max(100, round(1_000_000 * scale)),
        )


async def definitions(
    conn: asyncpg.Connection,
) -> dict[str, tuple[uuid.UUID, InstrumentDefinition]]:
    """The latest versions of the parents' survey and of the teachers' diagnostic."""
    found = {}
    for code in (PARENTS, DIAGNOSTIC):
        version, body = await generate.version_of(conn, code)
        found[code] = (version, InstrumentDefinition.model_validate_json(body))
    return found


async def setup(url: str, size: Size) -> tuple[uuid.UUID, bool]:
    """The region (found again in a kept database, else generated without responses); whether
    it is new. The analyst and the indicators are posted to the api service."""
    conn = await asyncpg.connect(plain_url(url))
    try:
        kept = await conn.fetchval(
            "SELECT id FROM api.territory WHERE name = $1", generate.REGION_NAME
        )
        if kept:
            return kept, False
        with Timer() as timer:
            region = await generate.region(
                conn, size.organizations, size.municipalities, size.teachers
            )
            async with services(url, ("api", "surveys")) as urls:
                admin = await signed_in(urls["api"])
                user = {"email": ANALYST[0], "password": ANALYST[1], "full_name": "Аналитик"}
                scope = {"scope_type": "territory", "scope_id": str(region)}
                answer = await admin.post(
                    "/v1/users", json=user | scope | {"role": "territory_analyst"}
                )
                assert answer.status_code == 201, answer.text
                analyst = await signed_in(urls["api"], credentials=ANALYST)
                for indicator in indicators(str(region), PERIOD):
                    answer = await analyst.post("/v1/indicators", json=indicator)
                    assert answer.status_code == 201, answer.text
                await admin.aclose()
                await analyst.aclose()
            await generate.data_values(conn, region, [PERIOD, PREVIOUS])
            await generate.assessment_results(conn, region, [PERIOD, PREVIOUS])
            found = await definitions(conn)
            await generate.campaigns(conn, region, PERIOD, found[PARENTS][0], found[DIAGNOSTIC][0])
        print(f"  region, indicators, values, results, campaigns: {timer.seconds:.0f} s")
        return region, True
    finally:
        await conn.close()


async def respond(url: str, region: uuid.UUID, size: Size, share: float) -> None:
    """Parents' responses and teachers' diagnostics up to `share` of the size's numbers."""
    conn = await asyncpg.connect(plain_url(url))
    try:
        found = await definitions(conn)
        parents = uuid.uuid5(region, "parents")
        diagnostics = list(
            await conn.fetchval(
                "SELECT array_agg(id) FROM surveys.campaign WHERE instrument_version_id = $1",
                found[DIAGNOSTIC][0],
            )
        )
        have = await conn.fetchval(
            "SELECT count(*) FROM surveys.response WHERE campaign_id = $1", parents
        )
        diagnosed = await conn.fetchval(
            "SELECT count(*) FROM surveys.response WHERE campaign_id = ANY($1::uuid[])",
            diagnostics,
        )
        questions = [q.code for q in found[PARENTS][1].questions() if q.type == "likert5"][:20]
        with Timer() as timer:
            more = round(size.responses * share) - have
            await generate.parents_answered(conn, parents, more, questions)
            more_teachers = round(size.teachers * share) - diagnosed
            await generate.teachers_diagnosed(
                conn, diagnostics, more_teachers, found[DIAGNOSTIC][1]
            )
            await conn.execute("VACUUM ANALYZE")
        print(
            f"  +{more} parents' responses, +{more_teachers} teachers diagnosed: "
            f"{timer.seconds:.0f} s"
        )
    finally:
        await conn.close()


async def counts(url: str) -> dict[str, int]:
    """What the database holds."""
    conn = await asyncpg.connect(plain_url(url))
    try:
        row = await conn.fetchrow(
            "SELECT (SELECT count(*) FROM api.organization) organizations, "
            "(SELECT count(*) FROM api.cluster) clusters, "
            "(SELECT count(*) FROM api.territory) territories, "
            "(SELECT count(*) FROM surveys.response WHERE invitation_id IS NULL) responses, "
            "(SELECT count(*) FROM surveys.answer) answers, "
            "(SELECT count(*) FROM surveys.response WHERE invitation_id IS NOT NULL) diagnosed, "
            "(SELECT count(*) FROM api.data_value) data_values, "
            "(SELECT count(*) FROM api.assessment_result) results"
        )
        return dict(row)
    finally:
        await conn.close()
