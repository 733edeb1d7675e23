"""The pages' tables and form controls on a phone (390×844) in Debian's Chromium: what a person
needs of each row is seen without scrolling sideways — in the values table a unit's value and
its status (the target and the rest further right, in the table's box), in «Какие показатели
ждут сборы данных» every column, an indicator's code whole on one line (people copy it into
their files: never «internal_quali / ty_system») —, and a select or an input is a touch target
as the buttons are (44 px) in type iOS does not zoom into (16 px)."""

from datetime import date
from pathlib import Path

from tests.api.browser import PHONE, signed_in_in_chromium
from tests.api.test_pages_values_browser import _values
from tests.collections_world import add_collection
from tests.factories import add_data_indicator
from tests.surveys.forms import committed_world, in_a_browser

FAILURE = Path("/tmp/soko-pages-phone-tables-failure.png")  # noqa: S108 - a fixed place to look at
# Codes and names as the demo's.
ASKED = {
    "e_planning_use": "Доля организаций, в которых ведётся электронное планирование процедур "
    "внутренней оценки качества образования",
    "internal_quality_system": "Наличие утверждённого положения о внутренней системе оценки "
    "качества образования",
}
# Each row of the values table: the box's edges and the right edge of its name, value, status.
VALUE_ROWS = """
[...document.querySelectorAll('.values tbody tr:not(.indicator-row)')].map(row => {
  const box = row.closest('.table-scroll').getBoundingClientRect();
  const [name, value, status] = row.children;
  return {
    row: row.textContent.trim().replace(/\\s+/g, ' ').slice(0, 60), left: box.left,
    right: box.right, name: name.getBoundingClientRect().right,
    value: value.getBoundingClientRect().right, status: status.getBoundingClientRect().right,
  };
})
"""
# Each cell of the asked indicators' table (its right edge, the box's) and each code: how many
# lines it takes (a code broken inside is two boxes) and whether it is cut at its cell's edge.
ASKED_CELLS = """
(() => {
  const box = document.querySelector('#asked-table').closest('.table-scroll');
  const right = box.getBoundingClientRect().right;
  return {
    right, scroll: box.scrollWidth, client: box.clientWidth,
    cells: [...box.querySelectorAll('tbody td')].map(c => ({
      text: c.textContent.trim().slice(0, 30), right: c.getBoundingClientRect().right,
    })),
    codes: [...box.querySelectorAll('code')].map(c => ({
      code: c.textContent, lines: c.getClientRects().length,
      height: c.getBoundingClientRect().height,
      line: parseFloat(getComputedStyle(c).lineHeight) || c.getBoundingClientRect().height,
      cut: c.parentElement.scrollWidth > c.parentElement.clientWidth + 1,
    })),
  };
})()
"""
# Every visible select and input (not hidden, a checkbox or a radio): its height and type size.
CONTROLS = """
[...document.querySelectorAll('select, textarea, input')]
  .filter(c => !['hidden', 'checkbox', 'radio'].includes(c.type) && c.offsetParent !== null)
  .map(c => ({
    control: c.name || c.id, height: c.getBoundingClientRect().height,
    font: parseFloat(getComputedStyle(c).fontSize),
  }))
"""


def _touch_sized(controls: list[dict]) -> None:
    assert controls, "no form control on the page"
    for control in controls:
        assert control["height"] >= 44 and control["font"] >= 16, control


@in_a_browser
async def test_a_phone_sees_each_value_with_its_status(apps, isolation, settings, playwright):
    world = await committed_world(isolation, settings)
    await _values(apps, isolation, world, settings, before=True)  # a long name, «Было» filled
    expect, home = playwright.expect, "Дорожные карты — Район 1"  # the analyst's home
    async with signed_in_in_chromium(
        settings, playwright, "analyst@soko.example", home, FAILURE
    ) as (urls, page, problems):
        # The recommendations' filter: selects as tall as its button, in 16 px type at least.
        await expect(page.locator("#rec-status")).to_be_visible()
        controls = await page.evaluate(CONTROLS)
        assert {"rec_status", "rec_org"} <= {c["control"] for c in controls}, controls
        _touch_sized(controls)

        await page.goto(f"{urls['api_url']}/values")
        await expect(page.locator("#indicator-planned")).to_contain_text("электронное")
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        rows = await page.evaluate(VALUE_ROWS)
        assert len(rows) >= 4, rows  # the district and its cluster under each indicator
        for row in rows:
            # The name, the value and the whole status are on the first screen of the box.
            assert row["name"] < row["value"] < row["status"] <= row["right"] + 0.5, row
        assert problems == []


@in_a_browser
async def test_a_phone_sees_every_column_of_the_asked_indicators_and_whole_codes(
    apps, isolation, settings, playwright
):
    world = await committed_world(isolation, settings)
    async with isolation() as session:
        indicators = [
            await add_data_indicator(session, code, name, "percent") for code, name in ASKED.items()
        ]
        window = {"2024/2025": (date(2000, 9, 1), date(2090, 10, 1))}
        name = "Мониторинг ВСОКО за 2024/2025 учебный год"
        await add_collection(session, world.m1, indicators, window, name=name)
        await session.commit()
    expect, home = playwright.expect, "Мероприятия — Школа 1"  # the leader's home
    async with signed_in_in_chromium(
        settings, playwright, "leader@soko.example", home, FAILURE
    ) as (urls, page, problems):
        await page.goto(f"{urls['api_url']}/data-values/upload")
        await expect(page.locator("#asked-table")).to_contain_text("internal_quality_system")
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        seen = await page.evaluate(ASKED_CELLS)
        assert seen["scroll"] <= seen["client"], seen  # nothing to scroll to
        for cell in seen["cells"]:
            assert cell["right"] <= seen["right"] + 0.5, (cell, seen["right"])
        assert set(ASKED) <= {c["code"] for c in seen["codes"]}, seen["codes"]
        for code in seen["codes"]:
            # One line, never broken inside; not cut at the cell's edge either.
            assert code["lines"] == 1 and code["height"] < 1.5 * code["line"], code
            assert not code["cut"], code
        # The file field and its buttons: touch-sized too.
        _touch_sized(await page.evaluate(CONTROLS))
        assert problems == []
