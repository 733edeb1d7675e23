"""The values pages in Debian's Chromium on a phone (390×844), the three services behind real
servers: the analyst opens the values table from the home, drills to a cluster and a school,
opens the school card, signs out; the viewer's home shows the values with no form and no
button. On a desktop (1280×800) every column of a values table is seen without scrolling
sideways. A failure leaves a screenshot at FAILURE."""

from pathlib import Path

import httpx
from sqlalchemy import update

from services.api.organizations.models import Cluster
from shared.periods import academic_year_of
from tests.api.browser import PHONE, sign_in, signed_in_in_chromium
from tests.facts import sync_facts
from tests.reports import helpers
from tests.reports.helpers import TRAINED_INDICATOR
from tests.surveys.forms import committed_world, in_a_browser

FAILURE = Path("/tmp/soko-pages-values-failure.png")  # noqa: S108 - a fixed place to look at


DESKTOP = {"width": 1280, "height": 800}
CLUSTER = "Кластер «Цифровая оценка» (межмуниципальный)"
# A percent without a target (its status «цель не задана», the widest but one) and a long name.
UNTARGETED = {
    **{k: v for k, v in TRAINED_INDICATOR.items() if k != "target"},
    "code": "planned",
    "name": "Доля организаций, в которых ведётся электронное планирование процедур внутренней "
    "оценки качества образования",
}


async def _values(apps, isolation, world, settings, before: bool = False) -> str:
    """ "trained" last academic year (the latest with data): S1 50 %, S2 80 % (`before`: and
    60 %, 75 % the year before, so that «Было» and «Изменение» are filled, and `UNTARGETED`:
    S1 100 %, S2 0 %, S1 0 % the year before); the facts caught up. The year's code."""
    year = academic_year_of(settings.today()).previous
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        for indicator in (TRAINED_INDICATOR, *([UNTARGETED] if before else [])):
            answer = await client.post(
                "/v1/indicators", json=indicator, headers=world.headers("admin")
            )
            assert answer.status_code == 201, answer.text
        rows = [
            ("trained", world.s1.id, year.code, 50.0),
            ("trained", world.s2.id, year.code, 80.0),
        ]
        if before:
            rows += [
                ("trained", world.s1.id, year.previous.code, 60.0),
                ("trained", world.s2.id, year.previous.code, 75.0),
                ("planned", world.s1.id, year.code, 100.0),
                ("planned", world.s2.id, year.code, 0.0),
                ("planned", world.s1.id, year.previous.code, 0.0),
            ]
        await helpers.post_values(client, world, rows, who="admin")
    await sync_facts(apps, isolation)
    return year.code


async def _fits(page) -> None:
    """Nothing wider than the phone: the table scrolls inside its own box."""
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


async def _uncut(page) -> None:
    """Every table box shows its whole table: nothing to scroll sideways to."""
    boxes = await page.evaluate(
        "[...document.querySelectorAll('.table-scroll')]"
        ".map(b => [b.getAttribute('aria-label'), b.scrollWidth, b.clientWidth])"
    )
    assert boxes, "no table on the page"
    for label, scroll_width, client_width in boxes:
        assert scroll_width <= client_width, (label, scroll_width, client_width)


async def _drill(page, expect, name: str) -> None:
    """Follow the link of the unit `name` in the "trained" rows: its own values page."""
    await page.locator("#indicator-trained").get_by_role("link", name=name, exact=True).click()
    await expect(page.locator("h1")).to_have_text(f"Показатели — {name}")


@in_a_browser
async def test_the_analyst_drills_down_and_the_viewer_only_reads(
    apps, isolation, settings, playwright
):
    world = await committed_world(isolation, settings)
    year = await _values(apps, isolation, world, settings)
    expect = playwright.expect
    async with signed_in_in_chromium(
        settings, playwright, "analyst@soko.example", "Дорожные карты — Район 1", FAILURE
    ) as (urls, page, problems):
        base = urls["api_url"]
        await page.get_by_role("link", name="Показатели", exact=True).click()
        await expect(page.locator("h1")).to_have_text("Показатели — Район 1")
        await expect(page.locator(".period-nav strong")).to_have_text(f"Период: {year}")
        own = page.locator("#indicator-trained .own-row")
        await expect(own).to_contain_text("65,0")
        await expect(own.locator(".value-status")).to_have_text("✗ не достигнуто")
        await _fits(page)

        await _drill(page, expect, "Кластер 1")
        school = page.locator("#indicator-trained tr", has_text="Школа 2")
        await expect(school.locator(".value-status")).to_have_text("✓ достигнуто")
        await _fits(page)

        await _drill(page, expect, "Школа 1")
        crumbs = page.get_by_role("navigation", name="Уровни")
        await expect(crumbs).to_contain_text("Район 1")
        await expect(crumbs).to_contain_text("Кластер 1")
        await _fits(page)

        await page.get_by_role("link", name="Карточка организации: Школа 1").first.click()
        await expect(page.locator("h1")).to_have_text("Школа 1")  # the reports service's
        assert page.url.startswith(f"{urls['reports_url']}/v1/reports/organizations/")
        await page.goto(f"{base}/home")
        await page.get_by_role("button", name="Выйти").click()
        await expect(page.locator("h1")).to_have_text("Вход в Soko")

        await sign_in(page, expect, base, "viewer@soko.example", "Дорожные карты — Район 1")
        values = page.locator("section", has=page.locator("#values-title"))
        await expect(values.locator("#indicator-trained .own-row")).to_contain_text("65,0")
        assert await page.locator("main form, main button").count() == 0
        await _fits(page)
        await values.locator("#indicator-trained").get_by_role("link", name="Кластер 1").click()
        await expect(page.locator("h1")).to_have_text("Показатели — Кластер 1")
        assert await page.locator("main form, main button").count() == 0
        assert problems == []


@in_a_browser
async def test_a_values_table_fits_a_desktop_and_scrolls_only_on_a_phone(
    apps, isolation, settings, playwright
):
    """Every column (to «Изменение») seen at 1280×800 on the values page and the viewer's
    home; on a phone the table scrolls inside its box, the page itself never sideways."""
    world = await committed_world(isolation, settings)
    await _values(apps, isolation, world, settings, before=True)
    async with isolation() as session:  # a long word of a name: the first column's least width
        await session.execute(update(Cluster).values(name=CLUSTER).where(Cluster.id == world.c1.id))
        await session.commit()
    expect, home = playwright.expect, "Дорожные карты — Район 1"  # the analyst's home
    async with signed_in_in_chromium(
        settings, playwright, "analyst@soko.example", home, FAILURE, viewport=DESKTOP
    ) as (urls, page, problems):
        base = urls["api_url"]
        await page.get_by_role("link", name="Показатели", exact=True).click()
        own = page.locator("#indicator-trained .own-row")
        await expect(own).to_contain_text("−2,5 п.п.")  # 67,5 % the year before
        await _uncut(page)
        await _drill(page, expect, CLUSTER)
        await _uncut(page)
        await page.set_viewport_size(PHONE)
        await _fits(page)
        await page.goto(f"{base}/home")
        await page.get_by_role("button", name="Выйти").click()

        await sign_in(page, expect, base, "viewer@soko.example", "Дорожные карты — Район 1")
        await _fits(page)
        await page.set_viewport_size(DESKTOP)
        await _uncut(page)
        assert problems == []
