"""Dates on the api's pages in the configured time zone (SOKO_TIMEZONE, Europe/Moscow by
default), as the printed campaign sheet dates its window (finding #10: a campaign closing at
22:30 UTC on the 8th was shown as «до 08…» while in Moscow it closes on the 9th; a file
attached after 21:00 UTC was dated the day before)."""

from datetime import UTC, datetime, timedelta

from tests.api import test_pages
from tests.surveys.forms import DIAGNOSTIC, Dom, launch

browser = test_pages.browser
signed_in = test_pages.signed_in


async def test_a_campaign_s_end_is_dated_in_moscow(browser, surveys_client, world, settings):
    assert settings.timezone == "Europe/Moscow"
    # Not the week ahead: the test world's own parents' campaign closes in seven days.
    day = datetime.now(UTC).date() + timedelta(days=20)
    closes = datetime(day.year, day.month, day.day, 22, 30, tzinfo=UTC)  # 01:30 next day, MSK
    schools = [world.s1.id, world.s2.id]
    await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", schools, False,
        closes_at=closes.isoformat(),
    )  # fmt: skip
    _, home = await signed_in(browser, "analyst@soko.example")
    text = Dom(home.text).text("main")
    assert f"до {day + timedelta(days=1):%d.%m.%Y}" in text
    assert f"до {day:%d.%m.%Y}" not in text


async def test_a_file_is_dated_in_moscow(browser, world, db):
    world.f1.created_at = datetime(2026, 11, 30, 22, 30, tzinfo=UTC)  # 01.12 01:30 in Moscow
    await db.flush()
    client, _ = await signed_in(browser, "analyst@soko.example")
    page = await client.get(f"/activities/{world.a1.id}/evidence")
    assert "01.12.2026" in page.text and "30.11.2026" not in page.text
