"""Days and moments clients send lie within the years periods are reported for (1950–2090):
0001-01-01 or 9999-12-31 is a typo, and past them the stored value broke later reads (a
campaign opening at -infinity made every campaign list a 500; a window due 9999-12-31 the
collection's status; `as_of=9999-12-31` the progress). Each is a 422 naming the field."""

import pytest

from tests.factories import add_data_indicator
from tests.surveys.forms import post_campaign


def _named(answer, loc):
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert errors[0]["loc"] == loc, errors
    assert "вне 1950–2090" in errors[0]["msg"]


@pytest.mark.parametrize(
    ("field", "moment"),
    [
        ("opens_at", "0001-01-01T00:00:00Z"),
        ("closes_at", "9999-12-31T23:59:59Z"),
        ("closes_at", "9999-12-31T23:59:59-12:00"),  # past what UTC holds
        ("opens_at", "1949-12-31T00:00:00"),
    ],
)
async def test_a_campaign_window_out_of_the_years_is_refused(surveys_client, world, field, moment):
    answer = await post_campaign(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id], **{field: moment}
    )
    _named(answer, ["body", field])


async def test_a_progress_or_report_day_out_of_the_years_is_refused(
    api_client, reports_client, world
):
    headers = world.headers("analyst")
    progress = await api_client.get(
        f"/v1/roadmaps/{world.r1.id}/progress", params={"as_of": "9999-12-31"}, headers=headers
    )
    _named(progress, ["query", "as_of"])
    report = await reports_client.get(
        f"/v1/reports/roadmaps/{world.r1.id}", params={"as_of": "0001-01-01"}, headers=headers
    )
    _named(report, ["query", "as_of"])


async def test_a_collection_window_out_of_the_years_is_refused(api_client, world, db):
    await add_data_indicator(db, "bounded_days", "Показатель", "number")
    answer = await api_client.post(
        "/v1/collections",
        json={
            "name": "Сбор даты",
            "owner_territory_id": str(world.m1.id),
            "indicator_codes": ["bounded_days"],
            "windows": [
                {"period": "2026/2027", "opens_date": "2026-09-01", "due_date": "9999-12-31"}
            ],
        },
        headers=world.headers("analyst"),
    )
    _named(answer, ["body", "windows", 0, "due_date"])
