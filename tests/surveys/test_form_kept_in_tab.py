"""A parent's answers outlive a reload of the form in the same tab (a phone reloads a page
left in the background; a finger pulls it down), and nowhere else: they are kept in the tab's
sessionStorage as they are given, restored into a fresh form with a notice and a way to start
over, and forgotten once the thank-you page says they were sent. A personal link keeps its
draft on the server instead, and the paper desk clears the form for the next sheet: neither
keeps answers in the browser."""

from services.surveys.app import create_app as create_surveys
from tests.surveys.forms import (
    committed_world,
    in_a_browser,
    launch_kobo,
    link_of,
    phone,
    served,
)

SEND = "Отправить ответы"
THANKS = "Спасибо! Ваши ответы приняты"
KEPT = "soko-answers:"


@in_a_browser
async def test_answers_survive_a_reload_and_go_once_sent(
    apps, isolation, settings, surveys_client, playwright, forget_imported
):
    world = await committed_world(isolation, settings)
    campaign = await launch_kobo(surveys_client, world)
    app = create_surveys(settings.model_copy(update={"anonymous_rate_per_minute": 1000}))
    async with served(app) as base, phone(playwright) as (page, problems):
        link = link_of(campaign)
        await page.goto(base + link)
        await page.locator("#q-topics label.choice").filter(has_text="Другое").click()
        await page.locator("#q-edu_level label.choice").filter(has_text="Начальное").click()
        grades = page.locator("#q-grade label.choice")
        await grades.filter(has_text="4 класс").click()
        await page.locator("#f-topics_other").fill("Шумно в столовой")
        await page.reload()
        notice = page.locator("#answers-restored")
        await playwright.expect(notice).to_be_visible()
        await playwright.expect(notice).to_contain_text("ответы восстановлены")
        await playwright.expect(page.locator("#f-topics_other")).to_have_value("Шумно в столовой")
        # The form's logic runs on the restored answers: the grades of «Начальное» only.
        await playwright.expect(grades.filter(has_text="4 класс").locator("input")).to_be_checked()
        await playwright.expect(grades.filter(has_text="5 класс")).to_be_hidden()
        # Kept in this tab only, and only the answers: no token, nothing about the parent.
        kept = await page.evaluate(f"sessionStorage.getItem('{KEPT}' + '{link[3:]}')")
        assert "Шумно в столовой" in kept and "_submission" not in kept
        assert await page.evaluate("localStorage.length") == 0

        await page.get_by_role("button", name=SEND).click()
        await playwright.expect(page.locator("h1")).to_have_text(THANKS)
        assert await page.evaluate(f"sessionStorage.getItem('{KEPT}' + '{link[3:]}')") is None
        await page.goto(base + link)  # the form again, for another child: empty
        await playwright.expect(page.locator("#answers-restored")).to_be_hidden()
        await playwright.expect(page.locator("#f-topics_other")).to_be_hidden()
        await playwright.expect(page.locator("#q-edu_level input:checked")).to_have_count(0)
        assert problems == []


@in_a_browser
async def test_start_over_forgets_the_restored_answers(
    apps, isolation, settings, surveys_client, playwright, forget_imported
):
    world = await committed_world(isolation, settings)
    campaign = await launch_kobo(surveys_client, world)
    app = create_surveys(settings.model_copy(update={"anonymous_rate_per_minute": 1000}))
    async with served(app) as base, phone(playwright) as (page, problems):
        link = link_of(campaign)
        await page.goto(base + link)
        await page.locator("#q-edu_level label.choice").filter(has_text="Начальное").click()
        await page.reload()
        await playwright.expect(page.locator("#answers-restored")).to_be_visible()
        await page.get_by_role("button", name="Начать заново").click()
        await playwright.expect(page.locator("#answers-restored")).to_be_hidden()
        await playwright.expect(page.locator("#q-edu_level input:checked")).to_have_count(0)
        await page.reload()
        await playwright.expect(page.locator("#answers-restored")).to_be_hidden()
        await playwright.expect(page.locator("#q-edu_level input:checked")).to_have_count(0)
        assert problems == []


@in_a_browser
async def test_sending_in_one_tab_keeps_the_other_tabs_answers(
    apps, isolation, settings, surveys_client, playwright, forget_imported
):
    """Tab B of the same link, half filled; tab A sends. B reloaded shows the thank-you page
    (the browser's "sent" cookie) but keeps its own answers: «Открыть новую анкету» brings
    them back. Before, B's answers were wiped and B thanked for answers it never sent."""
    world = await committed_world(isolation, settings)
    campaign = await launch_kobo(surveys_client, world)
    app = create_surveys(settings.model_copy(update={"anonymous_rate_per_minute": 1000}))
    async with served(app) as base, phone(playwright) as (page_a, problems):
        link = link_of(campaign)
        async with page_a.context.expect_page() as opened:  # a second tab, its own storage
            await page_a.evaluate(f"window.open('{base + link}', '_blank', 'noopener')")
        page_b = await opened.value
        await page_b.wait_for_load_state()
        await page_b.locator("#q-edu_level label.choice").filter(has_text="Основное").click()
        await page_a.goto(base + link)
        await page_a.locator("#q-topics label.choice").filter(has_text="Другое").click()
        await page_a.locator("#q-edu_level label.choice").filter(has_text="Начальное").click()
        await page_a.locator("#q-grade label.choice").filter(has_text="4 класс").click()
        await page_a.locator("#f-topics_other").fill("Шумно")
        await page_a.get_by_role("button", name=SEND).click()
        await playwright.expect(page_a.locator("h1")).to_have_text(THANKS)
        await page_b.reload()
        await playwright.expect(page_b.locator("h1")).to_have_text(THANKS)
        kept = await page_b.evaluate(f"sessionStorage.getItem('{KEPT}' + '{link[3:]}')")
        assert kept is not None  # B's own, unsent
        await page_b.get_by_role("link", name="Открыть новую анкету").click()
        await playwright.expect(page_b.locator("#answers-restored")).to_be_visible()
        chosen = page_b.locator("#q-edu_level label.choice").filter(has_text="Основное")
        await playwright.expect(chosen.locator("input")).to_be_checked()
        assert problems == []
