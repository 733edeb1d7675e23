"""The documents open on a phone (a school leader follows the card's link from their home):
the page never runs past the screen; a wide table scrolls in its own box."""

import pytest

from tests.reports.documents_world import PERIOD, add_recommendations, roadmap_with_indicators
from tests.surveys.forms import CHROMIUM, phone

WIDTH = 360  # the phone of tests.surveys.forms.phone


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not at {CHROMIUM}")
async def test_the_school_card_fits_a_phone(api_client, reports_client, db, world, playwright):
    await roadmap_with_indicators(api_client, world)
    await add_recommendations(db, world)
    card = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD},
        headers=world.headers("leader"),
    )
    assert card.status_code == 200, card.text
    async with phone(playwright) as (page, problems):
        await page.set_content(card.text)
        width = await page.evaluate("document.documentElement.scrollWidth")
        table = await page.evaluate(
            "document.querySelector('table.indicators').getBoundingClientRect().right"
        )
    assert width <= WIDTH, f"the card is {width} px wide on a {WIDTH}-px phone"
    # The card of the period before is a tap away (PERIOD is 2021/2022, the latest with data).
    assert '<a href="?period=2020/2021">← 2020/2021</a>' in card.text
    assert table <= WIDTH
    assert problems == []
