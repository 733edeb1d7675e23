"""Issue 14 follow-ups on the web form: notes take no number, one hint per question, whole
numbers asked as whole numbers, a calculation without a finite value stores nothing, and in a
real browser a choice the filter no longer offers is unticked and hidden (the question saying
why when none is left), and the answer of a question that no longer applies is not sent."""

import copy
import re
from urllib.parse import parse_qs

import pytest
from sqlalchemy import delete, select, text

from services.surveys.app import create_app as create_surveys
from services.surveys.instruments.models import Instrument
from services.surveys.instruments.xlsform import XLSFormError, from_xlsform
from services.surveys.responses.models import Answer
from tests.factories import committed_world
from tests.surveys.forms import Dom, in_a_browser, launch, link_of, phone, served
from tests.surveys.test_xlsform import BASE, build, cell

# fmt: off
PAGE_FORM = {
    "survey": [
        ["type", "name", "label", "hint", "calculation"],
        ["note", "intro", "Спасибо, что отвечаете на вопросы", None, None],
        ["integer", "kids", "Сколько детей в семье?", None, None],
        ["decimal", "hours", "Сколько часов в неделю занимаются?", None, None],
        ["calculate", "per_kid", None, None, "${hours} div ${kids}"],
        ["calculate", "endless", None, None, "${hours} div 0"],
        ["select_multiple clubs", "clubs", "Какие кружки посещает ребёнок?",
         "Отметьте все, какие есть", None],
    ],
    "choices": [
        ["list_name", "name", "label"],
        ["clubs", "chess", "Шахматы"],
        ["clubs", "music", "Музыка"],
    ],
    "settings": [["form_title", "form_id"], ["Кружки", "w14_page"]],
}
FILTER_FORM = {
    "survey": [
        ["type", "name", "label", "choice_filter", "relevant"],
        ["select_one levels", "level", "Уровень образования", None, None],
        ["select_one grades", "grade", "Класс", "level = ${level}", None],
        ["text", "details", "Что мешает в начальной школе?", None, "${level} = 'noo'"],
    ],
    "choices": [
        ["list_name", "name", "label", "level"],
        ["levels", "noo", "Начальное", None],
        ["levels", "ooo", "Основное", None],
        ["levels", "spo", "Колледж", None],  # no grade: nothing to choose
        ["grades", "g4", "4 класс", "noo"],
        ["grades", "g5", "5 класс", "ooo"],
        ["grades", "g6", "6 класс", "ooo"],
    ],
    "settings": [["form_title", "form_id"], ["Уровни", "w14_filter"]],
}
# fmt: on


async def _import(client, world, form: dict) -> None:
    imported = await client.post(
        "/v1/instruments/xlsform",
        files={"file": ("form.xlsx", build(form))},
        headers=world.headers("analyst"),
    )
    assert imported.status_code == 201, imported.text


async def test_the_page_numbers_questions_only_and_shows_one_hint(surveys_client, world, form):
    await _import(surveys_client, world, PAGE_FORM)
    campaign = await launch(surveys_client, world, "w14_page", "parents", [world.s1.id])
    html = (await form.get(link_of(campaign))).text
    assert re.search(r'"data-code=', html) is None  # a space between attributes
    dom = Dom(html)
    assert dom.text("q-intro") == "Спасибо, что отвечаете на вопросы"
    assert dom.text("q-kids").startswith("1. Сколько детей в семье?")
    assert dom.text("q-hours").startswith("2. Сколько часов")
    assert dom.text("q-clubs").startswith("3. Какие кружки")
    assert "Отметьте все, какие есть" in dom.text("q-clubs")
    assert "Можно выбрать несколько вариантов" not in dom.text("q-clubs")
    assert dom.attrs["q-clubs"]["aria-describedby"] == "q-clubs-hint"
    [kids] = dom.named("kids")
    assert (kids["step"], kids["inputmode"]) == ("1", "numeric")
    [hours] = dom.named("hours")
    assert (hours["step"], hours["inputmode"]) == ("any", "decimal")


async def test_a_calculation_without_a_finite_value_stores_nothing(surveys_client, world, db):
    await _import(surveys_client, world, PAGE_FORM)
    campaign = await launch(surveys_client, world, "w14_page", "parents", [world.s1.id])
    url = f"/v1/campaigns/{campaign['id']}/responses"
    for kids, hours in ((0, 0), (0, 3)):  # NaN, then Infinity, for both calculations
        answer = await surveys_client.post(
            url,
            json={"organization_id": str(world.s1.id), "answers": {"kids": kids, "hours": hours}},
        )
        assert answer.status_code == 201, answer.text
        rows = await db.scalars(select(Answer).where(Answer.response_id == answer.json()["id"]))
        assert {a.question: a.number for a in rows} == {"kids": kids, "hours": hours}


@in_a_browser
async def test_the_browser_clears_choices_and_answers_that_no_longer_apply(
    apps, isolation, settings, surveys_client, forget_w14, playwright
):
    world = await committed_world(isolation, settings)
    await _import(surveys_client, world, FILTER_FORM)
    campaign = await launch(surveys_client, world, "w14_filter", "parents", [world.s1.id])
    app = create_surveys(settings.model_copy(update={"anonymous_rate_per_minute": 1000}))
    sent: list[dict[str, list[str]]] = []
    async with served(app) as base, phone(playwright) as (page, problems):
        page.on(
            "request",
            lambda r: sent.append(parse_qs(r.post_data or "")) if r.method == "POST" else None,
        )
        await page.goto(base + link_of(campaign))
        levels = page.locator("#q-level label.choice")
        grades = page.locator("#q-grade label.choice")
        waits, none = page.locator("#q-grade-waits"), page.locator("#q-grade-none")
        await playwright.expect(waits).to_be_visible()
        await playwright.expect(waits).to_have_text("Сначала ответьте на вопрос 1")
        await playwright.expect(none).to_be_hidden()
        await levels.filter(has_text="Колледж").click()
        await playwright.expect(waits).to_be_hidden()
        await playwright.expect(none).to_be_visible()
        await playwright.expect(none).to_have_text(
            "При ваших ответах вариантов здесь нет: пропустите этот вопрос."
        )
        await levels.filter(has_text="Начальное").click()
        await playwright.expect(none).to_be_hidden()
        await grades.filter(has_text="4 класс").click()
        await page.locator("#f-details").fill("Шумно в столовой")
        await levels.filter(has_text="Основное").click()
        await playwright.expect(grades.filter(has_text="4 класс")).to_be_hidden()
        await playwright.expect(page.locator("#f-grade-0")).not_to_be_checked()
        await playwright.expect(page.locator("#q-details")).to_be_hidden()
        await playwright.expect(grades.filter(has_text="5 класс")).to_be_visible()
        await page.get_by_role("button", name="Отправить ответы").click()
        await playwright.expect(page.locator("h1")).to_have_text("Спасибо! Ваши ответы приняты")
        assert problems == []
    [fields] = sent
    assert fields.get("level") == ["ooo"]
    assert "grade" not in fields and "details" not in fields
    async with isolation() as session:
        stored = {a.question: a.option for a in (await session.scalars(select(Answer))).all()}
    assert stored == {"level": "ooo"}


@in_a_browser
async def test_a_decimal_comma_typed_in_the_browser_is_stored_as_typed(
    apps, isolation, settings, surveys_client, forget_w14, playwright
):
    """A browser's number box drops a comma (3,5 became 35, stored without a word): the
    form's number boxes are text boxes, read with either decimal mark."""
    world = await committed_world(isolation, settings)
    await _import(surveys_client, world, PAGE_FORM)
    campaign = await launch(surveys_client, world, "w14_page", "parents", [world.s1.id])
    app = create_surveys(settings.model_copy(update={"anonymous_rate_per_minute": 1000}))
    async with served(app) as base, phone(playwright) as (page, problems):
        await page.goto(base + link_of(campaign))
        await page.locator("#f-kids").press_sequentially("2")
        await page.locator("#f-hours").press_sequentially("3,5")
        await page.get_by_role("button", name="Отправить ответы").click()
        await playwright.expect(page.locator("h1")).to_have_text("Спасибо! Ваши ответы приняты")
        assert problems == []
    async with isolation() as session:
        stored = {a.question: a.number for a in (await session.scalars(select(Answer))).all()}
    assert stored["hours"] == 3.5 and stored["kids"] == 2
    assert stored["per_kid"] == 1.75  # the calculation read the comma too


@pytest.fixture
async def forget_w14(isolation):
    """The bank outlives a committed test's clean-up: drop what this one imported."""
    yield
    async with isolation() as session:
        await session.execute(text("TRUNCATE surveys.campaign, surveys.response CASCADE"))
        codes = ("w14_filter", "w14_page")
        await session.execute(delete(Instrument).where(Instrument.code.in_(codes)))
        await session.commit()


def test_every_settings_problem_is_named():
    sheets = copy.deepcopy(BASE)
    cell("settings", 2, "kind", "exam")(sheets)
    cell("settings", 2, "audience", "aliens")(sheets)
    with pytest.raises(XLSFormError) as caught:
        from_xlsform(build(sheets))
    error = caught.value
    assert (error.sheet, error.row, error.column) == ("settings", 2, "kind")
    assert "столбец kind: значение «exam» не подходит" in str(error)
    assert "лист settings, строка 2, столбец audience: значение «aliens» не подходит" in str(error)
    assert "more problems" not in str(error)
