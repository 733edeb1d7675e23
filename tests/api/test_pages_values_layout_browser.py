"""The values table's layout in Debian's Chromium with demo-like texts: at 1280 px a status with
its long reason («недостаточно данных: анкетирование ещё идёт: …») wraps instead of stretching
its column, so that the table fits its box (every column seen); on a phone (390 px) an
indicator's long name wraps inside the visible box, never cut at its edge."""

from pathlib import Path

from tests.api.browser import PHONE, signed_in_in_chromium
from tests.api.test_pages_values_browser import DESKTOP, _values
from tests.surveys.forms import committed_world, in_a_browser

FAILURE = Path("/tmp/soko-pages-values-layout-failure.png")  # noqa: S108 - a fixed place to look at
REASON = "анкетирование ещё идёт: результаты будут показаны после закрытия кампании"
# Every status of the table as the demo's open survey makes it: with its reason, on one line.
LONG_STATUS = f"""
document.querySelectorAll('.values td.value-status').forEach(cell => {{
  cell.innerHTML = '<span aria-hidden="true">?</span> недостаточно данных: '
    + '<span class="reason">{REASON}</span>';
}});
"""
# The box of each table and how far its content reaches; each indicator name's right edge.
MEASURE = """
[...document.querySelectorAll('.table-scroll')].map(box => ({
  scroll: box.scrollWidth, client: box.clientWidth, right: box.getBoundingClientRect().right,
  names: [...box.querySelectorAll('.indicator-name')].map(n => ({
    text: n.textContent.trim().slice(0, 40), right: n.getBoundingClientRect().right,
    overflow: n.scrollWidth - n.clientWidth,
  })),
}))
"""


@in_a_browser
async def test_long_statuses_fit_a_desktop_and_long_names_wrap_on_a_phone(
    apps, isolation, settings, playwright
):
    world = await committed_world(isolation, settings)
    await _values(apps, isolation, world, settings, before=True)  # «planned»: a long name
    expect, home = playwright.expect, "Дорожные карты — Район 1"  # the analyst's home
    async with signed_in_in_chromium(
        settings, playwright, "analyst@soko.example", home, FAILURE, viewport=DESKTOP
    ) as (urls, page, problems):
        base = urls["api_url"]
        await page.goto(f"{base}/values")
        await expect(page.locator("#indicator-planned")).to_contain_text("электронное")
        await page.evaluate(LONG_STATUS)
        for box in await page.evaluate(MEASURE):
            assert box["scroll"] <= box["client"], box

        await page.set_viewport_size(PHONE)
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        boxes = await page.evaluate(MEASURE)
        assert any(box["names"] for box in boxes)
        for box in boxes:
            for name in box["names"]:
                assert name["right"] <= box["right"] and name["overflow"] <= 0, (box, name)
        assert problems == []
