"""The api's pages in Debian's Chromium on a phone (390×844): a school leader signs in, marks
the school's activity done, and signs out. A failure leaves a screenshot at FAILURE."""

from pathlib import Path

from sqlalchemy import select

from services.api.app import create_app as create_api
from services.api.roadmaps.models import Activity
from tests.api.browser import PHONE
from tests.factories import PASSWORD
from tests.surveys.forms import committed_world, in_a_browser, phone, screenshot_on_failure, served

FAILURE = Path("/tmp/soko-pages-failure.png")  # noqa: S108 - a fixed place to look at


@in_a_browser
async def test_a_leader_marks_an_activity_done_on_a_phone(apps, isolation, settings, playwright):
    world = await committed_world(isolation, settings)
    expect = playwright.expect
    async with served(create_api(settings)) as base, phone(playwright) as (page, problems):
        await page.set_viewport_size(PHONE)
        async with screenshot_on_failure(page, FAILURE):
            await page.goto(f"{base}/")
            await expect(page.locator("h1")).to_have_text("Вход в Soko")
            # Nothing wider than the phone; fields and buttons big enough for a finger (44 px).
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            for field in ("#sign-in-email", "#sign-in-password", "button[type=submit]"):
                box = await page.locator(field).bounding_box()
                assert box is not None and box["height"] >= 44, field
            await page.get_by_label("Электронная почта").fill("leader@soko.example")
            await page.get_by_label("Пароль").fill(PASSWORD)
            await page.get_by_role("button", name="Войти").click()

            await expect(page.locator("h1")).to_have_text("Мероприятия — Школа 1")
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
            done = page.get_by_role("button", name="Отметить выполненным: Анкетирование родителей")
            await done.click()
            await expect(page.get_by_role("status")).to_have_text(
                "Мероприятие отмечено выполненным."
            )
            await expect(page.locator(".status-done")).to_contain_text("выполнено")
            await expect(done).to_have_count(0)

            await page.get_by_role("button", name="Выйти").click()
            await expect(page.locator("h1")).to_have_text("Вход в Soko")
            await page.goto(f"{base}/home")  # the session is gone: back to the sign-in page
            await expect(page.locator("h1")).to_have_text("Вход в Soko")
            assert problems == []
    async with isolation() as session:
        status = await session.scalar(select(Activity.status).where(Activity.id == world.a1.id))
    assert status == "done"
