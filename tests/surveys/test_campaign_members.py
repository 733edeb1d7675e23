"""Asking a campaign about one organization it does not ask: the same answer from every
per-organization route (aggregates, deficits, response imports, sheets), naming
`organization_id`. A school the caller reads is said not to take part; one outside the
caller's scope is not found, exactly as one that does not exist (no hint of which schools
exist elsewhere).

M1 holds S1 and S2 (the methodologist's district), M2 holds S3."""

import uuid

from tests.disclosure_world import close
from tests.surveys.forms import DIAGNOSTIC, launch

NOT_FOUND = "Организация не найдена"


def gist(answer) -> tuple[int, str, list]:
    """What a reader sees of a refusal: its status, detail and where it points."""
    body = answer.json()
    return answer.status_code, body["detail"], [e["loc"] for e in body.get("errors", [])]


async def test_a_school_of_the_territory_outside_a_diagnostic_is_said_not_to_take_part(
    surveys_client, world
):
    campaign = await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], False
    )
    campaign = await close(surveys_client, world, campaign)
    asked = world.headers("methodologist")
    base = f"/v1/campaigns/{campaign['id']}"
    for route in ("deficits", "aggregates"):
        answer = await surveys_client.get(
            f"{base}/{route}", params={"organization_id": str(world.s2.id)}, headers=asked
        )
        assert gist(answer) == (
            404,
            f"Организация {world.s2.id} не участвует в этой кампании",
            [["query", "organization_id"]],
        ), (route, answer.text)
        # S3 (another district) and an id of no school at all: one and the same answer.
        outside, unknown = [
            gist(
                await surveys_client.get(
                    f"{base}/{route}", params={"organization_id": str(org)}, headers=asked
                )
            )
            for org in (world.s3.id, uuid.uuid4())
        ]
        assert outside == unknown == (404, NOT_FOUND, [["query", "organization_id"]]), route
        # The school that takes part is read as before.
        own = await surveys_client.get(
            f"{base}/{route}", params={"organization_id": str(world.s1.id)}, headers=asked
        )
        assert own.status_code == 200, own.text


async def test_an_anonymous_campaigns_school_routes_say_it_alike(surveys_client, world):
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    asked = world.headers("analyst")
    base = f"/v1/campaigns/{campaign['id']}/organizations"
    for org, expected in (
        (world.s2.id, f"Организация {world.s2.id} не участвует в этой кампании"),
        (world.s3.id, NOT_FOUND),
        (uuid.uuid4(), NOT_FOUND),
    ):
        sheet = await surveys_client.get(f"{base}/{org}/sheet", headers=asked)
        imported = await surveys_client.post(
            f"{base}/{org}/responses/import",
            files={"file": ("answers.csv", b"a,b\n1,2\n", "text/csv")},
            headers=asked,
        )
        for answer in (sheet, imported):
            assert gist(answer) == (404, expected, [["path", "organization_id"]]), answer.text
