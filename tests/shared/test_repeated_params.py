"""A query parameter of one value sent twice is a 422 naming it, not its last value used silently.

A script that sends `?period=2024/2025&period=2025/2026` means both periods; before, the
services answered for the second as if the first were never sent. Parameters that take a list
(`indicator_code`, `code`, the campaigns' `period`) still take every value.
"""

from sqlalchemy import func, select

from services.api.assessments.models import AssessmentResult
from tests.api.helpers import result
from tests.shared.test_unstorable_input import indicator
from tests.shared.test_validation import refused


def repeated(answer, *names: str) -> dict:
    body = refused(answer, *(["query", name] for name in names))
    assert {e["type"] for e in body["errors"]} == {"repeated_parameter"}
    assert body["detail"].startswith("Параметр указан несколько раз"), body
    for name in names:
        assert f"query.{name}" in body["detail"]
    return body


async def test_a_single_valued_parameter_twice_is_422_in_each_service(
    api_client, surveys_client, reports_client, world
):
    analyst = world.headers("analyst")
    repeated(
        await api_client.get(
            "/v1/data-values?period=2024/2025&period=2025/2026&organization_id="
            f"{world.s1.id}&organization_id={world.s2.id}",
            headers=analyst,
        ),
        "period",
        "organization_id",
    )
    repeated(
        await surveys_client.get(
            "/v1/campaigns?audience=parents&audience=teachers", headers=analyst
        ),
        "audience",
    )
    repeated(
        await reports_client.get(
            f"/v1/indicator-values?period=2024/2025&scope_type=territory&scope_id={world.m1.id}"
            f"&scope_id={world.region.id}&scope_type=organization",
            headers=analyst,
        ),
        "scope_type",  # an enum of texts: one value, though a text is a sequence
        "scope_id",
    )


async def test_a_field_of_a_query_model_twice_is_422(api_client, world):
    """The audit log's filters are one model (`EventFilter`): its fields are parameters too."""
    answer = await api_client.get(
        "/v1/audit-events?action=create&action=delete", headers=world.headers("admin")
    )
    repeated(answer, "action")


async def test_a_write_with_a_flag_twice_stores_nothing(api_client, world, db):
    """`dry_run=true&dry_run=false` was read as false: the rows meant to be checked were stored."""
    before = await db.scalar(select(func.count()).select_from(AssessmentResult))
    answer = await api_client.post(
        "/v1/assessment-results?dry_run=true&dry_run=false",
        json={"results": [result(world, subject="Биология")]},
        headers=world.headers("leader"),
    )
    repeated(answer, "dry_run")
    assert await db.scalar(select(func.count()).select_from(AssessmentResult)) == before


async def test_parameters_that_take_a_list_still_take_every_value(
    api_client, surveys_client, world
):
    analyst = world.headers("analyst")
    for code in ("rep_a", "rep_b"):
        created = await api_client.post(
            "/v1/indicators",
            json=indicator(code),
            headers=analyst,
        )
        assert created.status_code == 201, created.text
    listed = await api_client.get("/v1/indicators?code=rep_a&code=rep_b", headers=analyst)
    assert listed.status_code == 200, listed.text
    assert sorted(i["code"] for i in listed.json()["items"]) == ["rep_a", "rep_b"]
    campaigns = await surveys_client.get(
        "/v1/campaigns?period=2024/2025&period=2025/2026", headers=analyst
    )
    assert campaigns.status_code == 200, campaigns.text


async def test_a_name_the_route_does_not_take_is_ignored_as_before(api_client, world):
    answer = await api_client.get("/v1/indicators?utm=a&utm=b", headers=world.headers("analyst"))
    assert answer.status_code == 200, answer.text
