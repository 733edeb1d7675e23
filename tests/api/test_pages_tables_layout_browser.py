"""The tables of the api's pages in Debian's Chromium with demo-like texts: a cell's words wrap
instead of stretching its column, so that at 1366 px every column of «Какие показатели ждут
сборы данных» (long indicator and collection names) is seen inside its box, and on a phone
(390 px) the page itself never scrolls sideways."""

from datetime import date
from pathlib import Path

from tests.api.browser import PHONE, signed_in_in_chromium
from tests.collections_world import add_collection
from tests.factories import add_data_indicator, committed_world
from tests.surveys.forms import in_a_browser

FAILURE = Path("/tmp/soko-pages-tables-layout-failure.png")  # noqa: S108 - a fixed place to look at
DESKTOP = {"width": 1366, "height": 900}
# Names as long as the demo's.
NAMES = [
    "Доля педагогических работников, прошедших повышение квалификации по программам "
    "из федерального реестра дополнительных профессиональных программ",
    "Доля обучающихся, охваченных дополнительным образованием естественнонаучной и "
    "технической направленности, в общей численности обучающихся",
]
COLLECTION = "Мониторинг внутренней системы оценки качества образования за 2024/2025 учебный год"
# Each table's box: how wide its content is, how wide the box, and where each column ends.
MEASURE = """
[...document.querySelectorAll('.table-scroll')].map(box => ({
  id: box.querySelector('table').id, scroll: box.scrollWidth, client: box.clientWidth,
  right: box.getBoundingClientRect().right,
  cells: [...box.querySelectorAll('tr:first-child > *')].map(c => c.getBoundingClientRect().right),
}))
"""


@in_a_browser
async def test_the_asked_indicators_fit_a_desktop_and_a_phone(
    apps, isolation, settings, playwright
):
    world = await committed_world(isolation, settings)
    async with isolation() as session:
        indicators = [
            await add_data_indicator(
                session, f"very_long_indicator_code_number_{n}", name, "percent"
            )
            for n, name in enumerate(NAMES)
        ]
        window = {"2024/2025": (date(2000, 9, 1), date(2090, 10, 1))}
        await add_collection(session, world.m1, indicators, window, name=COLLECTION)
        await session.commit()
    expect, home = playwright.expect, "Мероприятия — Школа 1"
    async with signed_in_in_chromium(
        settings, playwright, "leader@soko.example", home, FAILURE, viewport=DESKTOP
    ) as (urls, page, problems):
        await page.goto(f"{urls['api_url']}/data-values/upload")
        await expect(page.locator("#asked-table")).to_contain_text(COLLECTION)
        boxes = await page.evaluate(MEASURE)
        assert "asked-table" in [box["id"] for box in boxes]
        for box in boxes:
            assert box["scroll"] <= box["client"], box
            assert all(right <= box["right"] + 0.5 for right in box["cells"]), box

        await page.set_viewport_size(PHONE)
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert problems == []
