"""The progress line a refused post shows («Обязательные вопросы: отвечено 1 из 3») counts the
required questions the answers make apply: a `required` expression counts once it holds, a
question a choice filter leaves without a choice does not count, and in the browser the line
follows the answers as they are given (a number counts once it is a number). A refused
post's «Ответьте на этот вопрос» goes once the question is answered (and comes back when the
answer is cleared), its line in the error summary with it, and the summary with its last line."""

import re

import pytest

from tests.factories import committed_world
from tests.surveys.forms import Dom, forget, in_a_browser, launch, link_of, opened
from tests.surveys.test_form_follow_ups import _import as import_form
from tests.surveys.test_form_waiting_choices import CHAINED

# fmt: off
# "age" is required of a child at school only; no grade is of level "spo".
PROGRESS = {
    "survey": [
        ["type", "name", "label", "required", "choice_filter"],
        ["select_one yesno", "has", "Ребёнок учится?", "true", None],
        ["integer", "age", "Возраст ребёнка", "${has} = 'yes'", None],
        ["select_one levels", "level", "Уровень образования", "false", None],
        ["select_one grades", "grade", "Класс", "true", "level = ${level}"],
    ],
    "choices": CHAINED["choices"],  # yes/no; two levels; no grade of "spo"
    "settings": [["form_title", "form_id"], ["Прогресс", "w_progress"]],
}
# fmt: on


def said(page: str) -> str:
    return " ".join(Dom(page).text("progress").split())


async def launched(client, world) -> dict:
    await import_form(client, world, PROGRESS)
    return await launch(client, world, "w_progress", "parents", [world.s1.id])


async def test_the_refused_page_counts_what_the_answers_require(surveys_client, form, world):
    campaign = await launched(surveys_client, world)
    page = await form.post(link_of(campaign), data={})
    assert page.status_code == 422
    # "has" and "grade" (waiting for a level); "age" only once the child is at school.
    assert said(page.text) == "Обязательные вопросы: отвечено 0 из 2"
    page = await form.post(link_of(campaign), data={"has": "yes"})
    assert said(page.text) == "Обязательные вопросы: отвечено 1 из 3"
    page = await form.post(link_of(campaign), data={"has": "yes", "level": "noo"})
    assert said(page.text) == "Обязательные вопросы: отвечено 1 из 3"
    # No grade of a college: the grade is not required, the answers go in.
    sent = await form.post(link_of(campaign), data={"has": "yes", "age": "17", "level": "spo"})
    assert sent.status_code == 303, sent.text


@in_a_browser
async def test_the_browser_counts_as_answers_change(
    apps, isolation, settings, surveys_client, forget_progress, playwright
):
    world = await committed_world(isolation, settings)
    campaign = await launched(surveys_client, world)
    async with opened(playwright, settings, campaign) as (page, problems):
        expect = playwright.expect
        progress = page.locator("#progress")
        await page.get_by_role("button", name="Отправить ответы").click()
        await expect(progress).to_have_text("Обязательные вопросы: отвечено 0 из 2")
        await page.locator("#q-has label.choice").filter(has_text="Да").click()
        await expect(progress).to_have_text("Обязательные вопросы: отвечено 1 из 3")
        await page.locator("#f-age").fill("семь")
        await expect(progress).to_have_text("Обязательные вопросы: отвечено 1 из 3")
        await page.locator("#f-age").fill("7,5")  # an integer question: not a whole number
        await expect(progress).to_have_text("Обязательные вопросы: отвечено 1 из 3")
        await page.locator("#f-age").fill("7")
        await expect(progress).to_have_text("Обязательные вопросы: отвечено 2 из 3")
        await page.locator("#q-level label.choice").filter(has_text="Колледж").click()
        await expect(progress).to_have_text("Обязательные вопросы: отвечено 2 из 2")
        await page.locator("#q-level label.choice").filter(has_text="Начальное").click()
        await expect(progress).to_have_text("Обязательные вопросы: отвечено 2 из 3")
        await page.locator("#q-grade label.choice").filter(has_text="1 класс").click()
        await expect(progress).to_have_text("Обязательные вопросы: отвечено 3 из 3")
        await page.locator("#q-has label.choice").filter(has_text="Нет").click()
        await expect(progress).to_have_text("Обязательные вопросы: отвечено 2 из 2")
        await page.get_by_role("button", name="Отправить ответы").click()
        await expect(page.locator("h1")).to_have_text("Спасибо! Ваши ответы приняты")
        assert problems == []


@pytest.fixture
async def forget_progress(isolation):
    yield
    await forget(isolation, "w_progress")


@in_a_browser
async def test_an_answered_question_s_error_goes_and_its_summary_line_with_it(
    apps, isolation, settings, surveys_client, forget_progress, playwright
):
    world = await committed_world(isolation, settings)
    campaign = await launched(surveys_client, world)
    async with opened(playwright, settings, campaign) as (page, problems):
        expect = playwright.expect
        await page.get_by_role("button", name="Отправить ответы").click()
        summary = page.locator("#error-summary")
        lines = summary.locator("li")
        await expect(lines).to_have_count(2)  # «has» unanswered, «grade» waiting for a level
        await expect(page.locator("#q-has-error")).to_have_text("Ошибка: Ответьте на этот вопрос")
        await page.locator("#q-has label.choice").filter(has_text="Да").click()
        await expect(page.locator("#q-has-error")).to_be_hidden()
        await expect(page.locator("#q-has")).not_to_have_class(re.compile("has-error"))
        await expect(lines.filter(has_text="Вопрос 1")).to_be_hidden()
        await expect(summary).to_be_visible()  # the grade still waits
        await page.locator("#q-level label.choice").filter(has_text="Колледж").click()
        await expect(page.locator("#q-grade-error")).to_be_hidden()
        await expect(summary).to_be_hidden()  # nothing left to fix
        await page.get_by_role("button", name="Отправить ответы").click()
        await expect(summary).to_be_visible()  # «age» is required now: asked again
        await expect(page.locator("#q-age-error")).to_have_text("Ошибка: Ответьте на этот вопрос")
        await page.locator("#f-age").fill("7")
        await expect(page.locator("#q-age-error")).to_be_hidden()
        await page.locator("#f-age").fill("")
        await expect(page.locator("#q-age-error")).to_be_visible()
        assert problems == []
