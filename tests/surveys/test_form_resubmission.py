"""A parent's answers are stored once, whatever the browser does after sending them.

Each rendered form carries a one-time random submission token; a second post of the same token
stores nothing and lands on the thank-you page (a failed post gives its token back). The form's
pages are never cached. In Chromium, Back from the thank-you page shows the thank-you page (the
browser holds the link's "sent" cookie, see services/surveys/form/thanks.py), never the
browser's "Confirm Form Resubmission" page; a browser that keeps no cookies gets the form with
its logic applied to the answers the browser restores, told the answers were sent and the
button disabled; sending it again still leaves one response."""

from datetime import date

from sqlalchemy import func, select

from services.surveys.app import create_app as create_surveys
from services.surveys.responses.models import IdempotencyKeys, Response
from tests.surveys.forms import (
    Dom,
    committed_world,
    in_a_browser,
    launch,
    launch_kobo,
    link_of,
    nok_fields,
    phone,
    responses,
    served,
)

SEND = "Отправить ответы"
THANKS = "Спасибо! Ваши ответы приняты"


def token_of(page) -> str:
    [field] = Dom(page.text).named("_submission")
    return str(field["value"])


async def test_each_form_page_has_its_own_token_and_is_never_cached(surveys_client, form, world):
    link = link_of(
        await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    )
    first, second = await form.get(link), await form.get(link)
    assert first.headers["cache-control"] == "no-store"
    assert len(token_of(first)) >= 32 and token_of(first) != token_of(second)
    failed = await form.post(link, data=nok_fields(nok_12=""))
    assert failed.status_code == 422 and failed.headers["cache-control"] == "no-store"
    assert token_of(failed) not in (token_of(first), token_of(second))


async def test_the_same_page_sent_twice_stores_one_response(surveys_client, form, world, db):
    link = link_of(
        await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    )
    token = token_of(await form.get(link))
    for _ in range(2):
        sent = await form.post(link, data=nok_fields() | {"_submission": token})
        assert sent.status_code == 303 and sent.headers["location"] == f"{link}/thanks"
        assert sent.headers["cache-control"] == "no-store"
    assert len(await responses(db)) == 1
    # What is kept of the token names nobody: not the token, nor a time finer than the day.
    [kept] = (await db.execute(select(IdempotencyKeys))).all()
    assert kept.principal == "form:-" and token not in kept.key_hash
    assert kept.created_on == date.today() and kept.response is None
    form.cookies.clear()  # another parent, on another phone
    other = await form.post(
        link, data=nok_fields() | {"_submission": token_of(await form.get(link))}
    )
    assert other.status_code == 303 and len(await responses(db)) == 2  # another parent's page


async def test_a_failed_post_gives_its_token_back(surveys_client, form, world, db):
    link = link_of(
        await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    )
    token = token_of(await form.get(link))
    failed = await form.post(link, data=nok_fields(nok_12="") | {"_submission": token})
    assert failed.status_code == 422 and await responses(db) == []
    # Back to the page it came from, the answer added, sent again: stored, once.
    for _ in range(2):
        sent = await form.post(link, data=nok_fields() | {"_submission": token})
        assert sent.status_code == 303
    assert len(await responses(db)) == 1


async def stored(isolation) -> int:
    async with isolation() as session:
        return await session.scalar(select(func.count()).select_from(Response)) or 0


@in_a_browser
async def test_back_without_cookies_shows_the_sent_form_and_stores_nothing_more(
    apps, isolation, settings, surveys_client, playwright, forget_imported
):
    world = await committed_world(isolation, settings)
    campaign = await launch_kobo(surveys_client, world)
    app = create_surveys(settings.model_copy(update={"anonymous_rate_per_minute": 1000}))
    async with served(app) as base, phone(playwright) as (page, problems):
        await page.goto(base + link_of(campaign))
        await page.locator("#q-topics label.choice").filter(has_text="Другое").click()
        await page.locator("#q-edu_level label.choice").filter(has_text="Начальное").click()
        grades = page.locator("#q-grade label.choice")
        await grades.filter(has_text="4 класс").click()
        await page.locator("#f-topics_other").fill("Шумно в столовой")
        await page.get_by_role("button", name=SEND).click()
        await playwright.expect(page.locator("h1")).to_have_text(THANKS)
        await page.context.clear_cookies()  # a browser that keeps none: no "sent" marker
        await page.go_back()
        # The form again, with the answers the browser restores and the logic applied to them.
        await playwright.expect(page.locator("#already-sent")).to_be_visible()
        await playwright.expect(page.locator("#already-sent")).to_contain_text(
            "Ответы уже отправлены"
        )
        await playwright.expect(page.get_by_role("button", name=SEND)).to_be_disabled()
        await playwright.expect(page.locator("#f-topics_other")).to_have_value("Шумно в столовой")
        await playwright.expect(page.locator("#q-topics_other")).to_be_visible()
        await playwright.expect(grades.filter(has_text="4 класс")).to_be_visible()
        await playwright.expect(grades.filter(has_text="5 класс")).to_be_hidden()
        await playwright.expect(grades.filter(has_text="4 класс").locator("input")).to_be_checked()
        # Sent all the same (the button forced): the thank-you page, nothing stored.
        await page.evaluate("document.querySelector('form.survey').requestSubmit()")
        await playwright.expect(page.locator("h1")).to_have_text(THANKS)
        assert problems == []
    assert await stored(isolation) == 1


@in_a_browser
async def test_back_after_a_failed_then_sent_form_is_no_resubmission_page(
    apps, isolation, settings, surveys_client, playwright, forget_imported
):
    world = await committed_world(isolation, settings)
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    app = create_surveys(settings.model_copy(update={"anonymous_rate_per_minute": 1000}))
    async with served(app) as base, phone(playwright) as (page, problems):
        await page.goto(base + link_of(campaign))
        for question in ("nok_01", "nok_02", "nok_03", "nok_05", "nok_06", "nok_08", "nok_09"):
            await page.locator(f"#q-{question} label.choice").filter(has_text="Да").click()
        await page.get_by_role("button", name=SEND).click()
        await playwright.expect(page.locator("#error-summary")).to_be_visible()
        for n in range(1, 15):  # every question that applies now, "Да"
            question = page.locator(f"#q-nok_{n:02d}")
            if await question.is_visible():
                await question.locator("label.choice").filter(has_text="Да").click()
        await page.get_by_role("button", name=SEND).click()
        await playwright.expect(page.locator("h1")).to_have_text(THANKS)
        await page.go_back()  # the thank-you page again, nothing sent
        await playwright.expect(page.locator("h1")).to_have_text(THANKS)
        await playwright.expect(page.get_by_role("button", name=SEND)).to_have_count(0)
        assert problems == []
    assert await stored(isolation) == 1
