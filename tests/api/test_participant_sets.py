"""One school's set of participants is written one post at a time."""

import asyncio

import httpx
import pytest
from sqlalchemy import select, text

from services.api.assessment_tasks.models import AssessmentParticipant
from tests.api.test_assessment_tasks import SPEC
from tests.api.test_participant_results import body, participant, summary_row
from tests.factories import build_world

# --- concurrent posts of one school's set -----------------------------------------------------


def a_set(first: int, size: int) -> list[dict]:
    """`size` valid participants coded first, first + 1, …, their scores varying."""
    return [
        participant(str(first + i), "5А", 1, 4, 1, min(2, i % 3), i % 2, 1) for i in range(size)
    ]


@pytest.mark.committed
async def test_concurrent_posts_of_a_set_store_one_of_them_whole(apps, isolation, settings):
    async with isolation() as session:
        world = await build_world(session, settings)
        await session.commit()
    sets = [a_set(1000 + 100 * n, 10 + n) for n in range(4)]
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        made = await client.post("/v1/assessment-tasks", json=SPEC, headers=world.headers("admin"))
        assert made.status_code == 201, made.text
        try:
            await _post_at_once_thrice(client, isolation, world, sets)
        finally:  # the catalogue of specifications is reference data, not emptied after a test
            await _forget(isolation, made.json()["id"])


_UNDER_SPECIFICATION = (
    ("assessment_participant", "specification_id"),
    ("assessment_result", "specification_id"),
    ("assessment_specification", "id"),
)


async def _forget(isolation, spec_id: str) -> None:
    """Remove a specification the test made, and what was posted under it."""
    async with isolation() as session:
        for table, column in _UNDER_SPECIFICATION:
            statement = text(f"DELETE FROM api.{table} WHERE {column} = CAST(:id AS uuid)")  # noqa: S608
            await session.execute(statement, {"id": spec_id})
        await session.commit()


async def _post_at_once_thrice(client, isolation, world, sets) -> None:
    """Post every set at once, three times over: each time the stored set is one post's whole,
    the school's summary counts what is stored, and no post failed."""
    for _trial in range(3):
        answers = await asyncio.gather(
            *(
                client.post(
                    "/v1/assessment-results/participants",
                    json=body(world, participants),
                    headers=world.headers("leader"),
                )
                for participants in sets
            )
        )
        assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
        async with isolation() as session:
            query = select(AssessmentParticipant.code).order_by(AssessmentParticipant.code)
            kept = list(await session.scalars(query))
        assert kept in [sorted(p["code"] for p in s) for s in sets]  # one post's, whole
        [row] = await summary_row(client, world)
        assert row["participants"] == len(kept)
