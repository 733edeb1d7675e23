"""A required question whose choices a choice filter draws from an unanswered question asks
for that question first («Сначала ответьте на вопрос 1», by the number the page shows), on the
page after a refused post and in the browser while no choice is offered; a question the filter
leaves without a choice for the answers given is not required, and never «Ответьте на этот
вопрос». A question the answers leave out is not waited for, a calculation the filter reads
stands for the questions it reads, and a filter may read a later question."""

import pytest

from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.instruments.xlsform import from_xlsform
from services.surveys.responses import scoring
from tests.factories import committed_world
from tests.surveys.forms import (
    CASES,
    Dom,
    forget,
    in_a_browser,
    launch,
    launch_kobo,
    link_of,
    opened,
)
from tests.surveys.test_form_follow_ups import _import as import_form
from tests.surveys.test_xlsform import build

# fmt: off
# Three levels; no grade is of level "spo", and "spec" waits for two questions.
LEVELS = {
    "survey": [
        ["type", "name", "label", "required", "choice_filter"],
        ["text", "name", "Как зовут ребёнка?", "false", None],
        ["select_one levels", "level", "Уровень образования", "false", None],
        ["select_one forms", "form", "Форма обучения", "false", None],
        ["select_one grades", "grade", "Класс", "true", "level = ${level}"],
        ["select_one specs", "spec", "Направление", "true",
         "level = ${level} and form = ${form}"],
    ],
    "choices": [
        ["list_name", "name", "label", "level", "form"],
        ["levels", "noo", "Начальное", None, None],
        ["levels", "spo", "Колледж", None, None],
        ["forms", "full", "Очная", None, None],
        ["forms", "part", "Заочная", None, None],
        ["grades", "g1", "1 класс", "noo", None],
        ["specs", "it", "Информатика", "spo", "full"],
        ["specs", "art", "Живопись", "noo", "full"],
    ],
    "settings": [["form_title", "form_id"], ["Уровни", "w_waits"]],
}
# A level only for a child at school; "grade2" reads it through a calculation; no grade of "spo".
CHAINED = {
    "survey": [
        ["type", "name", "label", "required", "choice_filter", "relevant", "calculation"],
        ["select_one yesno", "has", "Ребёнок учится?", "false", None, None, None],
        ["select_one levels", "level", "Уровень образования", "false", None, "${has} = 'yes'",
         None],
        ["calculate", "lv", None, None, None, None, "${level}"],
        ["select_one grades", "grade", "Класс", "true", "level = ${level}", None, None],
        ["select_one grades", "grade2", "Класс в прошлом году", "true", "level = ${lv}", None,
         None],
    ],
    "choices": [
        ["list_name", "name", "label", "level"],
        ["yesno", "yes", "Да", None],
        ["yesno", "no", "Нет", None],
        ["levels", "noo", "Начальное", None],
        ["levels", "spo", "Колледж", None],
        ["grades", "g1", "1 класс", "noo"],
    ],
    "settings": [["form_title", "form_id"], ["Цепочка", "w_chained"]],
}
# fmt: on
HIDDEN = "Ответьте на этот вопрос"


async def launched(client, world, form: dict) -> dict:
    """The XLSForm imported to the bank and a parents' campaign of it launched in S1."""
    await import_form(client, world, form)
    return await launch(client, world, form["settings"][1][1], "parents", [world.s1.id])


async def refused(form, campaign: dict, data: dict) -> tuple[str, Dom]:
    """The form posted with these fields and refused: the page, read."""
    page = await form.post(link_of(campaign), data=data)
    assert page.status_code == 422, page.text
    return page.text, Dom(page.text)


def forward() -> dict:
    """A form whose filtered question comes before the one its filter reads, as the JSON
    import takes it (the XLSForm import refuses that order)."""
    definition = from_xlsform(build(LEVELS)).model_dump(mode="json")
    questions = definition["sections"][0]["questions"]
    grade = next(q for q in questions if q["code"] == "grade")
    questions[:] = [grade] + [q for q in questions if q["code"] in ("level",)]
    return definition | {"code": "w_forward", "title": "Вперёд"}


def test_scoring_asks_for_the_question_the_choices_wait_for():
    definition = from_xlsform((CASES / "xf1b_kobo_with_kind.xlsx").read_bytes())
    checked = scoring.check_answers(definition, {"topics": ["food"]}, complete=True)
    said = {e["loc"][-1]: e["msg"] for e in checked.errors}
    assert said["grade"] == (
        "сначала ответьте на вопрос «Уровень образования ребёнка» (edu_level): "
        "от ответа зависят варианты этого вопроса"
    )
    assert said["edu_level"] == "Выберите уровень"
    # An API client (and the form page) tells a blank required question by its type, not by
    # its words (the form's own required_message here): the waiting one is not "missing".
    kinds = {e["loc"][-1]: e.get("type") for e in checked.errors}
    assert kinds["edu_level"] == "missing" and kinds["grade"] is None


def test_a_question_left_without_a_choice_is_not_required():
    definition = from_xlsform(build(LEVELS))
    answers = {"level": "spo", "form": "part"}  # no grade of "spo", no "spo" part-time spec
    checked = scoring.check_answers(definition, answers, complete=True)
    assert checked.errors == []
    state = scoring.shown(definition, answers)
    assert not state.required["grade"] and not state.required["spec"]


async def test_the_page_asks_for_question_1_first(surveys_client, form, world):
    campaign = await launch_kobo(surveys_client, world)
    _, dom = await refused(form, campaign, {"topics": "food"})
    assert dom.text("q-grade-error") == "Ошибка: Сначала ответьте на вопрос 1"
    assert HIDDEN not in dom.text("q-grade")
    summary = dom.text("error-summary")
    assert "Вопрос 2: Сначала ответьте на вопрос 1" in summary
    assert "Вопрос 1: Выберите уровень" in summary
    assert HIDDEN not in summary


async def test_the_page_names_every_unanswered_question_by_its_number(surveys_client, form, world):
    campaign = await launched(surveys_client, world, LEVELS)
    page, dom = await refused(form, campaign, {"name": "Аня"})
    assert dom.text("q-grade-error") == "Ошибка: Сначала ответьте на вопрос 2"
    assert dom.text("q-spec-error") == "Ошибка: Сначала ответьте на вопросы 2 и 3"
    assert HIDDEN not in page
    # Answered, the filters leave no grade and no spec: nothing is asked, the answers go in.
    sent = await form.post(link_of(campaign), data={"level": "spo", "form": "part"})
    assert sent.status_code == 303, sent.text


# [the page is no wider than the window, every shown choice lies below the question's title
# and within the question's width]
CHOICES_UNDER_THE_QUESTION = """(question) => {
    const box = document.querySelector(question);
    const title = box.querySelector("legend").getBoundingClientRect();
    const shown = [...box.querySelectorAll("label.choice")].filter((c) => c.offsetParent);
    const inside = shown.length > 0 && shown.every((c) => {
        const r = c.getBoundingClientRect();
        return r.top >= title.bottom - 1 && r.left >= title.left - 1 && r.right <= title.right + 1;
    });
    return [document.documentElement.scrollWidth <= window.innerWidth, inside];
}"""


@in_a_browser
async def test_the_browser_says_which_question_to_answer_first(playwright, kobo_page):
    page, problems = kobo_page
    waits = page.locator("#q-grade-waits")
    await playwright.expect(waits).to_be_visible()
    await playwright.expect(waits).to_have_text("Сначала ответьте на вопрос 1")
    await playwright.expect(page.locator("#q-grade label.choice").first).to_be_hidden()
    await page.locator("#q-topics label.choice").filter(has_text="Питание").click()
    await page.get_by_role("button", name="Отправить ответы").click()
    error = page.locator("#q-grade-error")
    await playwright.expect(error).to_have_text("Ошибка: Сначала ответьте на вопрос 1")
    summary = page.locator("#error-summary")
    await playwright.expect(summary).to_contain_text("Вопрос 2: Сначала ответьте на вопрос 1")
    await playwright.expect(page.locator("#q-grade")).not_to_contain_text(HIDDEN)
    await page.locator("#q-edu_level label.choice").filter(has_text="Начальное").click()
    grades = page.locator("#q-grade label.choice")
    await playwright.expect(grades.filter(has_text="4 класс")).to_be_visible()
    # The grades show under their question, within the phone's width (the hints and the error
    # the script hid no longer push them beside the question's title).
    assert await page.evaluate(CHOICES_UNDER_THE_QUESTION, "#q-grade") == [True, True]
    await grades.filter(has_text="4 класс").click()
    await page.get_by_role("button", name="Отправить ответы").click()
    await playwright.expect(page.locator("h1")).to_have_text("Спасибо! Ваши ответы приняты")
    assert problems == []


def test_the_questions_waited_for_are_joined_once():
    assert scoring.questions_named(["1"]) == "вопрос 1"
    assert scoring.questions_named(["1", "3"]) == "вопросы 1 и 3"
    assert scoring.questions_named(["1", "2", "«Класс»"]) == "вопросы 1, 2 и «Класс»"
    definition = from_xlsform(build(LEVELS))
    said = {
        e["loc"][-1]: e["msg"] for e in scoring.check_answers(definition, {}, complete=True).errors
    }
    assert said["spec"] == (
        "сначала ответьте на вопросы «Уровень образования» (level) и «Форма обучения» (form): "
        "от ответа зависят варианты этого вопроса"
    )


def test_a_question_left_out_is_not_waited_for_and_a_calculation_stands_for_what_it_reads():
    definition = from_xlsform(build(CHAINED))
    grade2 = next(q for q in definition.questions() if q.code == "grade2")
    assert scoring.filter_reads(definition, grade2) == ["level"]
    # No level is asked of a child not at school: nothing to choose, nothing required.
    checked = scoring.check_answers(definition, {"has": "no"}, complete=True)
    assert checked.errors == []
    state = scoring.shown(definition, {"has": "no"})
    assert not state.required["grade"] and not state.required["grade2"]
    checked = scoring.check_answers(definition, {"has": "yes"}, complete=True)
    said = {e["loc"][-1]: e["msg"] for e in checked.errors}
    level = "сначала ответьте на вопрос «Уровень образования» (level): "
    assert said["grade"].startswith(level) and said["grade2"].startswith(level)


def test_a_filter_may_read_a_later_question():
    definition = InstrumentDefinition.model_validate(forward())
    assert scoring.check_answers(definition, {"level": "spo"}, complete=True).errors == []
    checked = scoring.check_answers(definition, {}, complete=True)
    said = {e["loc"][-1]: e["msg"] for e in checked.errors}
    assert said["grade"].startswith("сначала ответьте на вопрос «Уровень образования» (level)")


async def test_the_page_names_a_later_question_by_its_number(surveys_client, form, world):
    imported = await surveys_client.post(
        "/v1/instruments", json=forward(), headers=world.headers("analyst")
    )
    assert imported.status_code == 201, imported.text
    campaign = await launch(surveys_client, world, "w_forward", "parents", [world.s1.id])
    _, dom = await refused(form, campaign, {})
    assert dom.text("q-grade-error") == "Ошибка: Сначала ответьте на вопрос 2"
    assert dom.text("q-grade-waits") == "Сначала ответьте на вопрос 2"
    sent = await form.post(link_of(campaign), data={"level": "spo"})
    assert sent.status_code == 303, sent.text


async def test_the_page_names_what_a_calculation_reads(surveys_client, form, world):
    campaign = await launched(surveys_client, world, CHAINED)
    page, dom = await refused(form, campaign, {"has": "yes"})
    assert dom.text("q-grade2-error") == "Ошибка: Сначала ответьте на вопрос 2"
    # The hints are there for the script too, the error being the server's until answered.
    assert dom.text("q-grade2-waits") == "Сначала ответьте на вопрос 2"
    assert "data-waiting-error" in dom.attrs["q-grade2-error"]
    assert 'data-reads="level"' in page
    sent = await form.post(link_of(campaign), data={"has": "no"})
    assert sent.status_code == 303, sent.text


@in_a_browser
async def test_the_browser_drops_the_waiting_error_once_answered(
    apps, isolation, settings, surveys_client, forget_waiting, playwright
):
    world = await committed_world(isolation, settings)
    campaign = await launched(surveys_client, world, CHAINED)
    async with opened(playwright, settings, campaign) as (page, problems):
        expect = playwright.expect
        none = page.locator("#q-grade2-none")
        # The level is not asked yet: nothing to wait for.
        await expect(page.locator("#q-level")).to_be_hidden()
        await expect(page.locator("#q-grade2-waits")).to_be_hidden()
        await expect(none).to_be_visible()
        await page.locator("#q-has label.choice").filter(has_text="Да").click()
        await expect(page.locator("#q-grade2-waits")).to_have_text("Сначала ответьте на вопрос 2")
        await expect(page.locator("#q-grade2-waits")).to_be_visible()
        await page.get_by_role("button", name="Отправить ответы").click()
        error = page.locator("#q-grade2-error")
        await expect(error).to_have_text("Ошибка: Сначала ответьте на вопрос 2")
        await expect(error).to_be_visible()
        await expect(page.locator("#q-grade2-waits")).to_be_hidden()  # said once
        await page.locator("#q-level label.choice").filter(has_text="Колледж").click()
        await expect(error).to_be_hidden()
        await expect(page.locator("#q-grade-error")).to_be_hidden()
        await expect(none).to_be_visible()
        await expect(none).to_have_text(
            "При ваших ответах вариантов здесь нет: пропустите этот вопрос."
        )
        await page.get_by_role("button", name="Отправить ответы").click()
        await expect(page.locator("h1")).to_have_text("Спасибо! Ваши ответы приняты")
        assert problems == []


@pytest.fixture
async def forget_waiting(isolation):
    yield
    await forget(isolation, "w_chained")


def test_an_answer_the_filter_cannot_offer_yet_asks_for_what_it_waits_for():
    # The grade given without the level it depends on (an API client, a page without script).
    definition = from_xlsform(build(LEVELS))
    checked = scoring.check_answers(definition, {"grade": "g1"}, complete=False)
    [error] = checked.errors
    assert error["loc"][-1] == "grade"
    assert error["msg"].startswith("сначала ответьте на вопрос «Уровень образования» (level)")
    # With the level given, a grade of another level is simply not offered.
    checked = scoring.check_answers(definition, {"level": "spo", "grade": "g1"}, complete=False)
    assert [e["msg"] for e in checked.errors] == [scoring.NOT_OFFERED]


async def test_the_page_asks_first_for_what_a_refused_choice_waits_for(surveys_client, form, world):
    campaign = await launch_kobo(surveys_client, world)
    _, dom = await refused(form, campaign, {"topics": "food", "grade": "g4"})
    assert dom.text("q-grade-error") == "Ошибка: Сначала ответьте на вопрос 1"
