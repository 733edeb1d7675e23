"""Issue 14 follow-up: XLSForms that would leave questions nobody can answer are refused at
import, with a 422 naming the sheet, row and column (checks pyxform leaves to ODK Validate)."""

import pytest

from tests.surveys.test_xlsform import build

SETTINGS = [["form_title", "form_id"], ["Проверка логики", "w14_logic"]]
# fmt: off
CHOICES = [
    ["list_name", "name", "label"],
    ["levels", "noo", "Начальное"],
    ["grades", "g4", "4 класс"],
]
BROKEN = [
    ("choice_filter on a column the choices lack",
     [["type", "name", "label", "choice_filter"],
      ["select_one levels", "level", "Уровень", None],
      ["select_one grades", "grade", "Класс", "level = ${level}"]],
     SETTINGS, ("survey", 3, "choice_filter"),
     "choice_filter читает столбец level, которого нет на листе choices"),
    ("two questions shown only after each other",
     [["type", "name", "label", "relevant"],
      ["integer", "a", "Сколько?", "${b} > 1"],
      ["integer", "b", "А сколько?", "${a} > 1"]],
     SETTINGS, ("survey", 2, "relevant"), "замкнуты в цикл (${a} → ${b} → ${a})"),
    ("a calculation of itself",
     [["type", "name", "label", "calculation"],
      ["integer", "a", "Сколько?", None],
      ["calculate", "total", None, "${total} + ${a}"]],
     SETTINGS, ("survey", 3, "calculation"), "замкнуты в цикл (${total} → ${total})"),
    ("a group shown after an answer inside it",
     [["type", "name", "label", "relevant"],
      ["integer", "a", "Сколько?", None],
      ["begin group", "more", "Подробнее", "${b} > 0"],
      ["integer", "b", "А сколько?", None],
      ["end group", None, None, None]],
     SETTINGS, ("survey", 3, "relevant"), "замкнуты в цикл"),
    ("a calculation of a question that does not exist",
     [["type", "name", "label", "calculation"],
      ["calculate", "total", None, "${nobody} + 1"]],
     SETTINGS, ("survey", 2, "calculation"), "вопроса с именем «nobody» на листе survey нет"),
    ("a choice filter on a question that does not exist",
     [["type", "name", "label", "choice_filter"],
      ["select_one grades", "grade", "Класс", "name = ${nobody}"]],
     SETTINGS, ("survey", 2, "choice_filter"), "ссылка ${nobody}"),
    ("default_language without its label column",
     [["type", "name", "label::Russian (ru)"], ["integer", "a", "Сколько?"]],
     [["form_title", "form_id", "default_language"], ["Проверка", "w14_logic", "English (en)"]],
     ("settings", 2, "default_language"),
     "для языка по умолчанию «English (en)» на листе survey нет столбца label"),
]
# fmt: on


@pytest.mark.parametrize(
    ("survey", "setup", "place", "message"),
    [pytest.param(*case[1:], id=case[0]) for case in BROKEN],
)
async def test_a_form_nobody_could_answer_is_refused_naming_the_cell(
    surveys_client, world, survey, setup, place, message
):
    answer = await _import(surveys_client, world, survey, setup)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "file"]
    sheet, row, column = place
    assert error["msg"].startswith(f"лист {sheet}, строка {row}, столбец {column}: ")
    assert message in error["msg"]
    bank = await surveys_client.get("/v1/instruments", headers=world.headers("analyst"))
    assert "w14_logic" not in {i["code"] for i in bank.json()["items"]}


async def _import(client, world, survey: list, setup: list):
    workbook = build({"survey": survey, "choices": CHOICES, "settings": setup})
    return await client.post(
        "/v1/instruments/xlsform",
        files={"file": ("logic.xlsx", workbook)},
        headers=world.headers("analyst"),
    )


# fmt: off
SOUND = [
    ("a follow-up, a filter on a column the choices have, a calculation of earlier answers",
     [["type", "name", "label", "relevant", "choice_filter", "calculation"],
      ["select_one levels", "level", "Уровень", None, None, None],
      ["select_one grades", "grade", "Класс", "${level} != ''", "list_name = 'grades'", None],
      ["integer", "kids", "Сколько детей?", None, None, None],
      ["calculate", "twice", None, "${kids} > 0", None, "${kids} * 2"]],
     SETTINGS),
    ("default_language naming its label column",
     [["type", "name", "label::Russian (ru)", "label::English (en)"],
      ["integer", "a", "Сколько?", "How many?"]],
     [["form_title", "form_id", "default_language"], ["Проверка", "w14_logic", "English (en)"]]),
]
# fmt: on


@pytest.mark.parametrize(
    ("survey", "setup"), [pytest.param(*case[1:], id=case[0]) for case in SOUND]
)
async def test_sound_logic_still_imports(surveys_client, world, survey, setup):
    answer = await _import(surveys_client, world, survey, setup)
    assert answer.status_code == 201, answer.text
