"""A required question whose choices a choice filter draws from an unanswered question asks
for that question first («Сначала ответьте на вопрос 1», by the number the page shows), on the
page after a refused post and in the browser while no choice is offered; a question the filter
leaves without a choice for the answers given is not required, and never «Ответьте на этот
вопрос»."""

from services.surveys.instruments.xlsform import from_xlsform
from services.surveys.responses import scoring
from tests.surveys.forms import CASES, Dom, in_a_browser, launch, launch_kobo, link_of
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
# fmt: on
HIDDEN = "Ответьте на этот вопрос"


def test_scoring_asks_for_the_question_the_choices_wait_for():
    definition = from_xlsform((CASES / "xf1b_kobo_with_kind.xlsx").read_bytes())
    checked = scoring.check_answers(definition, {"topics": ["food"]}, complete=True)
    said = {e["loc"][-1]: e["msg"] for e in checked.errors}
    assert said["grade"] == (
        "сначала ответьте на вопрос «Уровень образования ребёнка» (edu_level): "
        "от ответа зависят варианты этого вопроса"
    )
    assert said["edu_level"] == "Выберите уровень"


def test_a_question_left_without_a_choice_is_not_required():
    definition = from_xlsform(build(LEVELS))
    answers = {"level": "spo", "form": "part"}  # no grade of "spo", no "spo" part-time spec
    checked = scoring.check_answers(definition, answers, complete=True)
    assert checked.errors == []
    state = scoring.shown(definition, answers)
    assert not state.required["grade"] and not state.required["spec"]


async def test_the_page_asks_for_question_1_first(surveys_client, form, world):
    campaign = await launch_kobo(surveys_client, world)
    page = await form.post(link_of(campaign), data={"topics": "food"})
    assert page.status_code == 422, page.text
    dom = Dom(page.text)
    assert dom.text("q-grade-error") == "Ошибка: Сначала ответьте на вопрос 1"
    assert HIDDEN not in dom.text("q-grade")
    summary = dom.text("error-summary")
    assert "Вопрос 2: Сначала ответьте на вопрос 1" in summary
    assert "Вопрос 1: Выберите уровень" in summary
    assert HIDDEN not in summary


async def test_the_page_names_every_unanswered_question_by_its_number(surveys_client, form, world):
    await import_form(surveys_client, world, LEVELS)
    campaign = await launch(surveys_client, world, "w_waits", "parents", [world.s1.id])
    page = await form.post(link_of(campaign), data={"name": "Аня"})
    assert page.status_code == 422, page.text
    dom = Dom(page.text)
    assert dom.text("q-grade-error") == "Ошибка: Сначала ответьте на вопрос 2"
    assert dom.text("q-spec-error") == "Ошибка: Сначала ответьте на вопросы 2 и 3"
    assert HIDDEN not in page.text
    # Answered, the filters leave no grade and no spec: nothing is asked, the answers go in.
    sent = await form.post(link_of(campaign), data={"level": "spo", "form": "part"})
    assert sent.status_code == 303, sent.text


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
    await grades.filter(has_text="4 класс").click()
    await page.get_by_role("button", name="Отправить ответы").click()
    await playwright.expect(page.locator("h1")).to_have_text("Спасибо! Ваши ответы приняты")
    assert problems == []
