"""The respondent's form as issue 16 asks: it names the school and the campaign, Back after
sending shows the thank-you page (never a second response), and the draft's confirmation is
where the teacher looks (focused, announced)."""

from markupsafe import escape
from sqlalchemy import func, select

from services.api.app import create_app as create_api
from services.surveys.app import create_app as create_surveys
from services.surveys.campaigns.models import Invitation
from services.surveys.responses.models import Response
from tests.factories import PASSWORD
from tests.surveys import forms

SEND = "Отправить ответы"
THANKS = "Спасибо! Ваши ответы приняты"
DRAFT = "Сохранить и продолжить позже"


async def stored(isolation) -> int:
    async with isolation() as session:
        return await session.scalar(select(func.count()).select_from(Response)) or 0


async def test_the_form_and_its_thanks_name_the_school_and_the_campaign(
    surveys_client, form, world
):
    campaign = await forms.launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id]
    )
    page = await form.get(forms.link_of(campaign))
    dom = forms.Dom(page.text)
    # The school's name comes from the api service (the surveys service keeps none).
    assert dom.text("organization") == "Школа 1"
    title = escape(campaign["title"])
    assert f"<h1>{title}</h1>" in page.text
    assert f"<title>{title} — Школа 1</title>" in page.text
    sent = await form.post(forms.link_of(campaign), data=forms.nok_fields())
    assert sent.status_code == 303
    thanks = forms.Dom((await form.get(sent.headers["location"])).text)
    assert thanks.text("organization") == "Школа 1"
    assert campaign["title"] in thanks.text("thanks")


async def test_an_anonymous_link_once_sent_shows_the_thanks_until_asked_for_a_new_form(
    surveys_client, form, world, db
):
    campaign = await forms.launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id]
    )
    link = forms.link_of(campaign)
    sent = await form.post(link, data=forms.nok_fields())
    assert sent.status_code == 303 and sent.headers["location"] == f"{link}/thanks"
    marker = sent.headers["set-cookie"]
    # For this link only, no script reads it; it says "sent from here", nothing else.
    assert f"Path={link}" in marker and "HttpOnly" in marker and "soko_form_sent=1;" in marker
    back = await form.get(link)  # what Back after sending asks for
    assert back.status_code == 200 and THANKS in back.text and SEND not in back.text
    assert len(await forms.responses(db)) == 1
    # Another parent on the same phone: the thank-you page's link gives an empty form.
    again = forms.Dom(back.text).attrs["again"]["href"]
    assert again == f"{link}?again=1"
    fresh = await form.get(str(again))
    assert fresh.status_code == 303 and fresh.headers["location"] == link
    assert "soko_form_sent" not in form.cookies
    page = await form.get(link)
    assert SEND in page.text and THANKS not in page.text
    assert (await form.post(link, data=forms.nok_fields())).status_code == 303
    assert len(await forms.responses(db)) == 2


async def test_a_thanks_address_passed_on_leads_to_the_form_not_a_false_thanks(
    surveys_client, form, world, db
):
    """A parent copies the address bar after sending («…/thanks») and passes it on: another
    parent opening it read «Спасибо! Ваши ответы приняты» for answers never sent. A browser
    that sent nothing through the link is sent to the form."""
    campaign = await forms.launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id]
    )
    link = forms.link_of(campaign)
    passed_on = await form.get(f"{link}/thanks")
    assert passed_on.status_code == 303 and passed_on.headers["location"] == link
    page = await form.get(link)
    assert SEND in page.text and THANKS not in page.text
    assert await forms.responses(db) == []
    # The browser that sent lands on the thanks.
    assert (await form.post(link, data=forms.nok_fields())).status_code == 303
    thanked = await form.get(f"{link}/thanks")
    assert thanked.status_code == 200 and THANKS in thanked.text


async def test_another_link_of_the_same_browser_still_shows_its_form(surveys_client, form, world):
    first = await forms.launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    second = await forms.launch(surveys_client, world, "nok_parents_2018", "parents", [world.s2.id])
    assert (await form.post(forms.link_of(first), data=forms.nok_fields())).status_code == 303
    other = await form.get(forms.link_of(second))
    assert SEND in other.text and THANKS not in other.text
    assert forms.Dom(other.text).text("organization") == "Школа 2"


async def invitation_code(isolation, campaign: dict, staff_id) -> str:
    async with isolation() as session:
        return await session.scalar(
            select(Invitation.code).where(
                Invitation.campaign_id == campaign["id"], Invitation.staff_id == staff_id
            )
        )


@forms.in_a_browser
async def test_back_after_sending_an_anonymous_form_shows_the_thanks(
    apps, isolation, settings, surveys_client, playwright
):
    world = await forms.committed_world(isolation, settings)
    campaign = await forms.launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id]
    )
    # Real servers, each on its own event loop: the form asks the api for the school's name.
    async with forms.served(create_api(settings)) as api_base:
        update = {"anonymous_rate_per_minute": 1000, "api_url": api_base}
        async with forms.served(create_surveys(settings.model_copy(update=update))) as base:
            await sent_and_back(playwright, base + forms.link_of(campaign), isolation)
    assert await stored(isolation) == 1


async def sent_and_back(playwright, url: str, isolation) -> None:
    """Answer every question "Да", send, go Back: the thank-you page; a new form on asking."""
    async with forms.phone(playwright) as (page, problems):
        await page.goto(url)
        await playwright.expect(page.locator("#organization")).to_have_text("Школа 1")
        for n in range(1, 15):  # every question that applies, "Да"
            question = page.locator(f"#q-nok_{n:02d}")
            if await question.is_visible():
                await question.locator("label.choice").filter(has_text="Да").click()
        await page.get_by_role("button", name=SEND).click()
        await playwright.expect(page.locator("h1")).to_have_text(THANKS)
        await page.go_back()
        await playwright.expect(page.locator("h1")).to_have_text(THANKS)
        await playwright.expect(page.get_by_role("button", name=SEND)).to_have_count(0)
        await page.reload()
        await playwright.expect(page.locator("h1")).to_have_text(THANKS)
        assert await stored(isolation) == 1
        # Another parent on this phone: a new, empty form.
        await page.get_by_role("link", name="Открыть новую анкету").click()
        await playwright.expect(page.get_by_role("button", name=SEND)).to_be_visible()
        assert problems == []


@forms.in_a_browser
async def test_a_teachers_draft_is_confirmed_where_they_are_and_back_shows_the_profile(
    apps, isolation, settings, surveys_client, playwright
):
    world = await forms.committed_world(isolation, settings)
    campaign = await forms.launch(
        surveys_client, world, forms.DIAGNOSTIC.code, "teachers", [world.s1.id], anonymous=False
    )
    code = await invitation_code(isolation, campaign, world.t1.id)
    answers = forms.diagnostic_answers({"design": 5, "tools": 3, "processing": 2, "security": 4})
    # Real servers, each on its own event loop: the surveys app signs in at the api over HTTP.
    async with forms.served(create_api(settings)) as api_base:
        app = create_surveys(settings.model_copy(update={"api_url": api_base}))
        async with forms.served(app) as base, forms.phone(playwright) as (page, problems):
            await page.goto(f"{base}/s/{code}")
            await page.get_by_label("Электронная почта").fill("teacher@soko.example")
            await page.get_by_label("Пароль").fill(PASSWORD)
            await page.get_by_role("button", name="Войти").click()
            await playwright.expect(page.locator("#organization")).to_have_text("Школа 1")
            first = next(iter(answers))
            await page.locator(f"input[name='{first}'][value='{answers[first]}']").check()
            # At the bottom of a long form on a phone, the teacher saves a draft.
            await page.get_by_role("button", name=DRAFT).click()
            saved = page.locator("#draft-saved")
            await playwright.expect(saved).to_be_visible()
            await playwright.expect(saved).to_have_attribute("role", "status")
            await playwright.expect(saved).to_contain_text("Черновик сохранён")
            await playwright.expect(saved).to_be_focused()
            await playwright.expect(saved).to_be_in_viewport()
            checked = page.locator(f"input[name='{first}'][value='{answers[first]}']")
            await playwright.expect(checked).to_be_checked()
            for name, value in answers.items():
                await page.locator(f"input[name='{name}'][value='{value}']").check()
            await page.get_by_role("button", name=SEND).click()
            await playwright.expect(page.locator("h1")).to_have_text(THANKS)
            await playwright.expect(page.locator("#profile-title")).to_be_visible()
            await page.go_back()
            await playwright.expect(page.locator("h1")).to_have_text(THANKS)
            await playwright.expect(page.locator("#profile-title")).to_be_visible()
            assert problems == []
    assert await stored(isolation) == 1


async def test_a_link_copied_with_the_sentence_s_full_stop_opens_the_form(
    surveys_client, form, world
):
    """«Анкета не найдена» for «…/s/Q3iNw4FYDGfY.»: a link right but for the punctuation a
    message put after it. It leads to the form; a code that is wrong stays a 404."""
    campaign = await forms.launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id]
    )
    link = forms.link_of(campaign)
    for tail in (".", ",", ").", "»", "!"):
        answer = await form.get(f"{link}{tail}")
        assert answer.status_code == 303 and answer.headers["location"] == link, tail
    assert SEND in (await form.get(link)).text
    wrong = await form.get("/s/NoSuchCode1.")
    assert wrong.status_code == 303
    assert (await form.get(wrong.headers["location"])).status_code == 404
