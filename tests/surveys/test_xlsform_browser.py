"""The web form applies an imported XLSForm's logic in the browser with the server's own trees:
the browser's evaluator agrees with the server's on the expression table, follow-up questions
appear when their condition holds, a choice filter offers only its choices, and the answer
the old form dropped (the text after "Другое") is stored."""

import json

import pytest
from sqlalchemy import select

from services.surveys.instruments import xpath
from services.surveys.responses.models import Answer
from tests.surveys.forms import CHROMIUM
from tests.surveys.test_xlsform_cases import EXPRESSIONS


@pytest.mark.committed
@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian's Chromium is not at /usr/bin/chromium")
async def test_the_browser_applies_the_forms_logic_as_the_server_does(
    playwright, kobo_page, isolation
):
    page, problems = kobo_page
    for expression, answers, current, choice, value in EXPRESSIONS:
        context = {"answers": answers, "current": current, "choice": choice}
        tree = json.dumps(xpath.parse(expression))
        seen = await page.evaluate(
            "([tree, context]) => window.sokoXPath.evaluate(JSON.parse(tree), context)",
            [tree, context],
        )
        assert seen == value, expression
    other = page.locator("#q-topics_other")
    await playwright.expect(other).to_be_hidden()
    await page.locator("#q-topics label.choice").filter(has_text="Питание").click()
    await playwright.expect(other).to_be_hidden()
    await page.locator("#q-topics label.choice").filter(has_text="Другое").click()
    await playwright.expect(other).to_be_visible()
    await page.locator("#q-edu_level label.choice").filter(has_text="Начальное").click()
    grades = page.locator("#q-grade label.choice")
    await playwright.expect(grades.filter(has_text="5 класс")).to_be_hidden()
    await playwright.expect(grades.filter(has_text="4 класс")).to_be_visible()
    await grades.filter(has_text="4 класс").click()
    await page.locator("#f-topics_other").fill("Шумно в столовой")
    await page.get_by_role("button", name="Отправить ответы").click()
    await playwright.expect(page.locator("h1")).to_have_text("Спасибо! Ваши ответы приняты")
    assert problems == []
    async with isolation() as session:
        stored = {
            a.question: a.text or a.option or a.options
            for a in (await session.scalars(select(Answer))).all()
        }
    assert stored == {
        "edu_level": "noo",
        "grade": "g4",
        "topics": ["food", "other"],
        "topics_other": "Шумно в столовой",
    }
