"""Issue 14: the web form numbers only the questions a respondent sees, without gaps. The page
numbers those the answers so far make apply (a follow-up left out takes no number, its
condition names the number of the question it follows); in a browser the form's script numbers
the shown questions again whenever an answer shows or hides one."""

import pytest
from sqlalchemy import delete, text

from services.surveys.app import create_app as create_surveys
from services.surveys.form import view
from services.surveys.instruments.models import Instrument
from services.surveys.instruments.xlsform import from_xlsform
from tests.surveys.forms import CHROMIUM, Dom, committed_world, launch, link_of, phone, served
from tests.surveys.test_xlsform import build

# fmt: off
FORM = {
    "survey": [
        ["type", "name", "label", "relevant"],
        ["select_one yn", "visited", "Вы посещали школу?", None],
        ["text", "liked", "Что понравилось?", "${visited} = 'y'"],
        ["note", "thanks", "Спасибо!", None],
        ["select_one yn", "recommend", "Порекомендуете школу?", None],
        ["text", "why_not", "Почему нет?", "${recommend} = 'n'"],
        ["text", "comment", "Комментарий", None],
    ],
    "choices": [["list_name", "name", "label"], ["yn", "y", "Да"], ["yn", "n", "Нет"]],
    "settings": [["form_title", "form_id"], ["Нумерация", "w14_numbering"]],
}
# fmt: on
CODES = ["visited", "liked", "recommend", "why_not", "comment"]


def numbers(values: dict[str, list[str]]) -> dict[str, int]:
    definition = from_xlsform(build(FORM))
    page = view.build(definition, values)
    return {q.code: q.number for s in page.sections for q in s.questions if q.code in CODES}


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ({}, [1, 0, 2, 0, 3]),
        ({"visited": ["y"]}, [1, 2, 3, 0, 4]),
        ({"visited": ["n"], "recommend": ["n"]}, [1, 0, 2, 3, 4]),
        ({"visited": ["y"], "recommend": ["n"]}, [1, 2, 3, 4, 5]),
    ],
)
def test_only_the_questions_that_apply_take_numbers(values, expected):
    assert list(numbers(values).values()) == expected


async def launched(client, world) -> str:
    """The form imported and a campaign launched with it: the campaign's link."""
    files = {"file": ("numbering.xlsx", build(FORM))}
    answer = await client.post(
        "/v1/instruments/xlsform", files=files, headers=world.headers("analyst")
    )
    assert answer.status_code == 201, answer.text
    return link_of(await launch(client, world, "w14_numbering", "parents", [world.s1.id]))


async def test_the_page_numbers_the_questions_shown_at_first(surveys_client, world, form):
    dom = Dom((await form.get(await launched(surveys_client, world))).text)
    assert dom.text("q-visited").startswith("1. Вы посещали школу?")
    assert dom.text("q-liked").startswith("Что понравилось?")  # no number while left out
    assert "Отвечайте, если в вопросе 1 выбран ответ «Да»" in dom.text("q-liked")
    assert dom.text("q-thanks") == "Спасибо!"
    assert dom.text("q-recommend").startswith("2. Порекомендуете школу?")
    assert "Отвечайте, если в вопросе 2 выбран ответ «Нет»" in dom.text("q-why_not")
    assert dom.text("q-comment").startswith("3. Комментарий")


@pytest.mark.committed
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not at /usr/bin/chromium")
async def test_the_browser_renumbers_the_shown_questions_as_answers_change(
    apps, isolation, settings, surveys_client, forget_numbering
):
    playwright = pytest.importorskip("playwright.async_api")
    link = await launched(surveys_client, await committed_world(isolation, settings))
    app = create_surveys(settings.model_copy(update={"anonymous_rate_per_minute": 1000}))
    async with served(app) as base, phone(playwright) as (page, problems):
        await page.goto(base + link)

        async def seen() -> list[str]:
            """The numbers of the questions shown, top to bottom."""
            shown = page.locator(".question:not([hidden]) .question-number")
            return [n.strip() for n in await shown.all_inner_texts()]

        async def choose(question: str, label: str) -> None:
            await page.locator(f"#q-{question} label.choice").filter(has_text=label).click()

        assert await seen() == ["1.", "2.", "3."]
        await choose("visited", "Да")
        assert await seen() == ["1.", "2.", "3.", "4."]
        await playwright.expect(page.locator("#q-recommend .question-number")).to_have_text("3.")
        await choose("recommend", "Нет")
        assert await seen() == ["1.", "2.", "3.", "4.", "5."]
        condition = page.locator("#q-why_not-condition")
        await playwright.expect(condition).to_contain_text("в вопросе 3 выбран ответ «Нет»")
        await choose("visited", "Нет")
        await playwright.expect(page.locator("#q-liked")).to_be_hidden()
        assert await seen() == ["1.", "2.", "3.", "4."]
        await playwright.expect(condition).to_contain_text("в вопросе 2 выбран ответ «Нет»")
        await playwright.expect(page.locator("#q-comment .question-number")).to_have_text("4.")
        assert problems == []


@pytest.fixture
async def forget_numbering(isolation):
    """The bank outlives a committed test's clean-up: drop what this one imported."""
    yield
    async with isolation() as session:
        await session.execute(text("TRUNCATE surveys.campaign, surveys.response CASCADE"))
        await session.execute(delete(Instrument).where(Instrument.code == "w14_numbering"))
        await session.commit()
