"""The pages' tables and form controls on a phone (390×844) in Debian's Chromium: what a person
needs of each row is seen without scrolling sideways — in the values table a unit's value and
its status (the target and the rest further right, in the table's box), in «Какие показатели
ждут сборы данных» every column, an indicator's code whole on one line (people copy it into
their files: never «internal_quali / ty_system») —, and a select or an input is a touch target
as the buttons are (44 px) in type iOS does not zoom into (16 px)."""

from datetime import date
from pathlib import Path

import httpx
from sqlalchemy import update

from services.api.organizations.models import Cluster, Organization
from tests.api.browser import PHONE, signed_in_in_chromium
from tests.api.test_pages_values_browser import _values
from tests.collections_world import add_collection
from tests.factories import add_data_indicator
from tests.surveys.forms import DIAGNOSTIC, committed_world, in_a_browser, launch

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
# The example table's box and each cell's right edge, with its column's title.
EXAMPLE_CELLS = """
(() => {
  const table = document.querySelector('#example-table');
  const box = table.closest('.table-scroll');
  const titles = [...table.querySelectorAll('thead th')].map(t => t.textContent.trim());
  return {
    right: box.getBoundingClientRect().right, scroll: box.scrollWidth, client: box.clientWidth,
    cells: [...table.querySelectorAll('tbody td')].map(c => ({
      label: titles[c.cellIndex], text: c.textContent.trim(),
      right: c.getBoundingClientRect().right,
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


# As the demo's: a school's full name, 407 px in a select at 16 px, and a cluster's with a long
# word («общеобразовательных», 160 px at 14 px) that widened the values table's first column.
SCHOOL = (
    "Муниципальное бюджетное общеобразовательное учреждение «Средняя общеобразовательная "
    "школа № 1 с углублённым изучением отдельных предметов»"
)
CLUSTER = "Кластер общеобразовательных организаций «Северный»"
# The page's width and every visible select: its right edge.
SIDEWAYS = """
({
  page: document.documentElement.scrollWidth,
  selects: [...document.querySelectorAll('select')].filter(c => c.offsetParent !== null)
    .map(c => [c.name, c.getBoundingClientRect().right]),
})
"""
# Every visible button: its words, height and type size.
BUTTONS = """
[...document.querySelectorAll('button')].filter(b => b.offsetParent !== null).map(b => ({
  button: b.textContent.trim(), height: b.getBoundingClientRect().height,
  font: parseFloat(getComputedStyle(b).fontSize),
}))
"""


async def _long_names(isolation, world) -> None:
    async with isolation() as session:
        await session.execute(
            update(Organization).where(Organization.id == world.s1.id).values(name=SCHOOL)
        )
        await session.execute(update(Cluster).where(Cluster.id == world.c1.id).values(name=CLUSTER))
        await session.commit()


def _no_sideways_page(seen: dict) -> None:
    assert seen["page"] <= PHONE["width"], seen
    for name, right in seen["selects"]:
        assert right <= PHONE["width"], (name, right)


def _touch_sized(controls: list[dict]) -> None:
    assert controls, "no form control on the page"
    for control in controls:
        assert control["height"] >= 44 and control["font"] >= 16, control


@in_a_browser
async def test_a_phone_sees_each_value_with_its_status(apps, isolation, settings, playwright):
    world = await committed_world(isolation, settings)
    await _long_names(isolation, world)  # a school's and a cluster's, as the demo's
    await _values(apps, isolation, world, settings, before=True)  # a long name, «Было» filled
    expect, home = playwright.expect, "Дорожные карты — Район 1"  # the analyst's home
    async with signed_in_in_chromium(
        settings, playwright, "analyst@soko.example", home, FAILURE
    ) as (urls, page, problems):
        # The recommendations' filter: selects as tall as its button, in 16 px type at least,
        # and no wider than the screen: the school's full name made the home scroll sideways.
        await expect(page.locator("#rec-status")).to_be_visible()
        controls = await page.evaluate(CONTROLS)
        assert {"rec_status", "rec_org"} <= {c["control"] for c in controls}, controls
        _touch_sized(controls)
        _no_sideways_page(await page.evaluate(SIDEWAYS))

        for view in ("/values", "/values?schools=1"):  # clusters, then every school
            await page.goto(f"{urls['api_url']}{view}")
            await expect(page.locator("#indicator-planned")).to_contain_text("электронное")
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            rows = await page.evaluate(VALUE_ROWS)
            assert len(rows) >= 4, rows  # the district and its units under each indicator
            assert any("общеобразоват" in row["row"] for row in rows), rows
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
        # The example under «Первая строка — заголовки столбцов»: every column on the screen
        # («Период» and «Значение» were past the box beside a whole code).
        example = await page.evaluate(EXAMPLE_CELLS)
        assert {"Период", "Значение"} <= {c["label"] for c in example["cells"]}, example
        assert example["scroll"] <= example["client"], example
        for cell in example["cells"]:
            assert cell["right"] <= example["right"] + 0.5, (cell, example["right"])
        # The file field and its buttons: touch-sized too.
        _touch_sized(await page.evaluate(CONTROLS))
        assert problems == []


@in_a_browser
async def test_a_phone_sees_the_methodologist_s_buttons_and_filter_whole(
    apps, isolation, settings, playwright
):
    """«Пересобрать заказ» is a button as the others (a 44 px target in the page's type, not the
    browser's 21 px in 13.3 px), and the home does not scroll sideways (a school's full name in
    the recommendations' filter)."""
    world = await committed_world(isolation, settings)
    await _long_names(isolation, world)
    transport = httpx.ASGITransport(app=apps.surveys)
    async with httpx.AsyncClient(transport=transport, base_url="http://surveys") as client:
        await launch(client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], anonymous=False)
    expect, home = playwright.expect, "Диагностики и план-заказ — Район 1"
    async with signed_in_in_chromium(
        settings, playwright, "method@soko.example", home, FAILURE
    ) as (_urls, page, problems):
        await expect(page.get_by_role("button", name="Пересобрать заказ")).to_be_visible()
        buttons = await page.evaluate(BUTTONS)
        assert "Пересобрать заказ" in {b["button"] for b in buttons}, buttons
        for button in buttons:
            assert button["height"] >= 44 and button["font"] >= 16, button
        _no_sideways_page(await page.evaluate(SIDEWAYS))
        assert problems == []
