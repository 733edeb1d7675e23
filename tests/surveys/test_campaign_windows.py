"""A campaign's window: at most two years long, and not closing before its period begins
(its answers are counted for its period); an opening far from its period is kept but warned."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from shared.periods import academic_year_of
from shared.settings import get_settings
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


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(ZoneInfo(get_settings().timezone)):%d.%m.%Y}"


async def test_an_old_period_is_kept_but_warned_naming_the_period(surveys_client, world):
    """Keying in a 2019/2020 paper survey today is allowed, and said: a mistyped period looks
    the same."""
    opens_at = NOW - timedelta(days=1)
    answer = await post_campaign(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id], period="2019/2020"
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["warnings"] == [
        f"period: кампания открывается {_local(opens_at)}, больше чем через год после конца "
        "периода «2019/2020» (31.08.2020); её ответы будут засчитаны в показатели периода "
        "«2019/2020». Если вносятся анкеты старого опроса, всё верно; если нет, проверьте "
        "период и дату открытия"
    ]
    kept = await surveys_client.get(
        f"/v1/campaigns/{answer.json()['id']}", headers=world.headers("analyst")
    )
    assert kept.status_code == 200 and kept.json()["period"] == "2019/2020"
    assert "warnings" not in kept.json()
    renamed = await surveys_client.patch(
        f"/v1/campaigns/{answer.json()['id']}",
        json={"title": "Опрос 2019/2020 (бумажные анкеты)"},
        headers=world.headers("analyst"),
    )
    assert renamed.status_code == 200 and renamed.json()["warnings"] == []


async def test_a_period_starting_over_a_year_after_the_opening_is_warned(surveys_client, world):
    """A month over a year ahead (its window reaching into it, so not refused)."""
    month = f"{NOW + timedelta(days=400):%Y-%m}"
    answer = await post_campaign(
        surveys_client,
        world,
        "nok_parents_2018",
        "parents",
        [world.s1.id],
        period=month,
        closes_at=(NOW + timedelta(days=430)).isoformat(),
    )
    assert answer.status_code == 201, answer.text
    [warning] = answer.json()["warnings"]
    assert warning.startswith(
        f"period: кампания открывается {_local(NOW - timedelta(days=1))}, больше чем за год до "
        f"начала периода «{month}» (01.{month[5:]}.{month[:4]})"
    )


async def test_a_campaign_of_its_own_school_year_is_not_warned(surveys_client, world):
    period = academic_year_of(NOW.date()).code
    answer = await post_campaign(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id], period=period
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["warnings"] == []
