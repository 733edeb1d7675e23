"""In Debian's Chromium: a person whose session ran out presses «Вернуть в работу» on an
activity's evidence page, signs in again and is back on that page (not the home); a form
refused before any rule reads it (a U+0000 in a field) is a Russian page, not the API's JSON
as raw text."""

from pathlib import Path

from services.api.roadmaps.models import Activity
from tests.api.browser import signed_in_in_chromium
from tests.api.test_pages_evidence import evidence
from tests.factories import PASSWORD
from tests.surveys.forms import committed_world, in_a_browser

FAILURE = Path("/tmp/soko-pages-refused-failure.png")  # noqa: S108 - a fixed place to look at


@in_a_browser
async def test_a_lost_session_and_a_refused_form_on_the_evidence_page(
    apps, isolation, settings, playwright
):
    world = await committed_world(isolation, settings)
    expect = playwright.expect
    async with signed_in_in_chromium(
        settings, playwright, "leader@soko.example", "Мероприятия — Школа 1", FAILURE
    ) as (urls, page, problems):
        base = urls["api_url"]
        await page.goto(f"{base}{evidence(world.a1)}")
        await expect(page.locator("h1")).to_have_text("Материалы о выполнении")
        # A U+0000 in a field (pasted from a broken document): a page saying so.
        await page.get_by_label("Адрес ссылки").fill("https://school1.example/a")
        title = page.get_by_label("Название или описание ссылки")
        await title.evaluate("(input) => { input.value = 'Новость\\u0000' }")
        await page.get_by_role("button", name="Приложить").click()
        await expect(page.locator("h1")).to_have_text("Форма заполнена неверно")
        await expect(page.locator("main")).to_contain_text("U+0000")
        await page.goto(f"{base}/home")
        await page.get_by_role("button", name=f"Отметить выполненным: {world.a1.title}").click()
        await page.goto(f"{base}{evidence(world.a1)}")
        # The session runs out; the person presses «Вернуть в работу» on the evidence page.
        await page.context.clear_cookies()
        button = "Вернуть в работу"  # the evidence page names the activity once
        await page.get_by_role("button", name=button).click()
        await page.get_by_label("Электронная почта").fill("leader@soko.example")
        await page.get_by_label("Пароль").fill(PASSWORD)
        await page.get_by_role("button", name="Войти").click()
        await expect(page.locator("h1")).to_have_text("Материалы о выполнении")
        assert page.url == f"{base}{evidence(world.a1)}"
        await page.get_by_role("button", name=button).click()  # pressed again: done
        await expect(page.get_by_role("status")).to_contain_text("возвращено в работу")
        assert problems == []
    async with isolation() as session:
        activity = await session.get(Activity, world.a1.id)
        assert activity is not None and activity.status == "in_progress" and activity.evidence == []
