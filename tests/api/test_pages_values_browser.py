"""The values pages in Debian's Chromium on a phone (390×844), the three services behind real
servers: the analyst opens the values table from the home, drills to a cluster and a school,
opens the school card, signs out; the viewer's home shows the values with no form and no
button. A failure leaves a screenshot at FAILURE."""

from contextlib import AsyncExitStack
from pathlib import Path

import httpx

from services.api.app import create_app as create_api
from services.reports.app import create_app as create_reports
from services.surveys.app import create_app as create_surveys
from shared.periods import academic_year_of
from tests.api.test_pages_roles_browser import PHONE, sign_in
from tests.facts import sync_facts
from tests.reports import helpers
from tests.reports.helpers import TRAINED_INDICATOR
from tests.surveys.forms import committed_world, free_port, in_a_browser, phone, served
from tests.surveys.forms import screenshot_on_failure as keep_screenshot

FAILURE = Path("/tmp/soko-pages-values-failure.png")  # noqa: S108 - a fixed place to look at


async def _values(apps, isolation, world, settings) -> str:
    """ "trained" last academic year (the latest with data): S1 50 %, S2 80 %; the facts
    caught up. The year's code."""
    year = academic_year_of(settings.today()).previous
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        answer = await client.post(
            "/v1/indicators", json=TRAINED_INDICATOR, headers=world.headers("admin")
        )
        assert answer.status_code == 201, answer.text
        rows = [
            ("trained", world.s1.id, year.code, 50.0),
            ("trained", world.s2.id, year.code, 80.0),
        ]
        await helpers.post_values(client, world, rows, who="admin")
    await sync_facts(apps, isolation)
    return year.code


async def _fits(page) -> None:
    """Nothing wider than the phone: the table scrolls inside its own box."""
    assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]


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
    ports = {name: free_port() for name in ("api", "surveys", "reports")}
    urls = {f"{name}_url": f"http://127.0.0.1:{port}" for name, port in ports.items()}
    served_settings = settings.model_copy(update=urls)
    expect = playwright.expect
    async with AsyncExitStack() as stack:
        for name, create in (
            ("api", create_api),
            ("surveys", create_surveys),
            ("reports", create_reports),
        ):
            await stack.enter_async_context(served(create(served_settings), ports[name]))
        base = urls["api_url"]
        page, problems = await stack.enter_async_context(phone(playwright))
        await page.set_viewport_size(PHONE)
        async with keep_screenshot(page, FAILURE):
            await sign_in(page, expect, base, "analyst@soko.example", "Дорожные карты — Район 1")
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
