"""A campaign's window: at most two years long, and not closing before its period begins
(its answers are counted for its period)."""

from datetime import timedelta

from tests.surveys.forms import NOW, launch, post_campaign


async def test_a_window_longer_than_two_years_is_refused_naming_closes_at(surveys_client, world):
    answer = await post_campaign(
        surveys_client,
        world,
        "nok_parents_2018",
        "parents",
        [world.s1.id],
        closes_at=(NOW + timedelta(days=3660)).isoformat(),
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["loc"] == ["body", "closes_at"]
    assert error["msg"].startswith("Кампания была бы открыта дольше 2 лет")


async def test_a_window_opened_in_the_past_is_counted_from_now(surveys_client, world):
    """A past survey's window backdated 3 years and closing next week (to key in its paper
    answers) is no long link."""
    opened = await post_campaign(
        surveys_client,
        world,
        "nok_parents_2018",
        "parents",
        [world.s1.id],
        opens_at=(NOW - timedelta(days=1100)).isoformat(),
    )
    assert opened.status_code == 201, opened.text


async def test_a_campaign_cannot_be_extended_past_two_years(surveys_client, world):
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    url = f"/v1/campaigns/{campaign['id']}"
    longer = {"closes_at": (NOW + timedelta(days=800)).isoformat()}
    answer = await surveys_client.patch(url, json=longer, headers=world.headers("analyst"))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "closes_at"]
    year = {"closes_at": (NOW + timedelta(days=365)).isoformat()}
    answer = await surveys_client.patch(url, json=year, headers=world.headers("analyst"))
    assert answer.status_code == 200, answer.text


async def test_a_window_closing_before_its_period_begins_is_refused_naming_the_period(
    surveys_client, world
):
    period = f"{NOW.year + 3}/{NOW.year + 4}"
    answer = await post_campaign(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id], period=period
    )
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["loc"] == ["body", "period"]
    assert f"до начала периода «{period}» (01.09.{NOW.year + 3})" in error["msg"]
