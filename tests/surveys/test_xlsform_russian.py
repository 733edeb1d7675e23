"""Issue 14: every problem an XLSForm upload is refused for is told in Russian (the uploaders are
Russian analysts and methodologists), naming the cell's value; pyxform's English follows our
Russian sentence, never stands alone."""

import io
import re

import pytest

from services.surveys.instruments.xlsform_messages import pyxform_message
from tests.surveys.test_xlsform import build

SETTINGS = [["form_title", "form_id"], ["Русские сообщения", "w14_russian"]]
CHOICES = [["list_name", "name", "label"], ["yn", "y", "Да"], ["yn", "n", "Нет"]]
# The place our messages start with; the sentence after it is what must be Russian.
_PLACE = re.compile(r"^лист \w+(, строка \d+)?(, столбец [^:]+)?: ")
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)


def form(survey, choices=CHOICES, settings=SETTINGS, **more) -> dict:
    return {"survey": survey, "choices": choices, "settings": settings, **more}


# fmt: off
# (case, workbook, a part of one message: proof that the path meant is the one taken)
WORKBOOKS = [
    # before pyxform, all at once: sheets, settings, competences, types, expressions, references
    ("rows before pyxform", form(
        [["type", "name", "label", "relevant", "default"],
         ["geopoint", "where", "Где?", None, "x"],
         ["select_one", "one", "Один", None, None],
         ["text", "a", "А", "${a} = ", None],
         ["text", "b", "Б", "${nobody} = 1", None],
         ["text", "c", "В", "pulldata('x')", None]],
        settings=[["form_title", "form_id"], ["Т", "Плохой код"]],
        competences=[["name", "label", "threshold"], ["design", "Дизайн", "много"]]),
     "form_id «Плохой код» не подходит"),
    ("pyxform, recognised", form(
        [["type", "name", "label"], ["select_one colours", "q", "Цвет?"]]),
     "списка вариантов «colours» нет на листе choices"),
    ("pyxform, duplicate name", form(
        [["type", "name", "label"], ["text", "q", "Вопрос"], ["text", "q", "Ещё"]]),
     "имя «q» уже занято"),
    ("pyxform, unmatched group", form(
        [["type", "name", "label"], ["begin group", "g", "Группа"], ["text", "q", "Вопрос"]]),
     "у «begin group» с именем «g» нет парной строки «end group»"),
    ("pyxform, not recognised", form(
        [["type", "name", "label"], ["audit", "x", "Аудит"], ["text", "q", "Вопрос"]]),
     "Ошибка в форме (pyxform): [row : 2] Audits must always be named"),
    ("logic after pyxform", form(
        [["type", "name", "label", "relevant", "choice_filter"],
         ["integer", "a", "А?", "${b} > 1", None],
         ["integer", "b", "Б?", "${a} > 1", None],
         ["select_one yn", "c", "В?", None, "level = 'x'"]]),
     "замкнуты в цикл"),
    ("default language", form(
        [["type", "name", "label::Russian (ru)"], ["integer", "a", "Сколько?"]],
        settings=[["form_title", "form_id", "default_language"], ["Т", "w14_ru", "English (en)"]]),
     "для языка по умолчанию «English (en)»"),
    ("rows pyxform read", form(
        [["type", "name", "label"],
         ["select_one_from_file schools.csv", "school", "Школа"],
         ["begin repeat", "kids", "Дети"], ["text", "kid", "Имя"], ["end repeat"],
         ["select_one bad", "q", "Вопрос"], ["select_one cor", "r", "Вопрос"]],
        choices=[["list_name", "name", "label", "correct"], ["bad", "Плохо", "Плохо", None],
                 ["cor", "ok", "Хорошо", "может быть"]]),
     "тип «select_one_from_file schools.csv» не поддерживается: варианты из файла"),
    ("definition", form(
        [["type", "name", "label", "competence"], ["text", "q", "Вопрос", "design"]],
        settings=[["form_title", "form_id", "kind"], ["Т", "w14_ru", "exam"]]),
     "значение «exam» не подходит"),
    ("definition, empty label", form(
        [["type", "name", "label"], ["select_one yn", "q", None]]),
     "не заполнено"),
    ("choice filter never offering a choice", form(
        [["type", "name", "label", "choice_filter"],
         ["select_one levels", "level", "Уровень", None],
         ["select_one grades", "grade", "Класс", "level = ${grade}"]],
        choices=[["list_name", "name", "label", "level"], ["levels", "noo", "Начальное", None],
                 ["grades", "g1", "1 класс", "noo"]]),
     "choice_filter ссылается на свой же вопрос ${grade}"),
]
# fmt: on


@pytest.mark.parametrize(("sheets", "shown"), [pytest.param(*c[1:], id=c[0]) for c in WORKBOOKS])
async def test_every_problem_of_an_upload_is_told_in_russian(surveys_client, world, sheets, shown):
    answer = await surveys_client.post(
        "/v1/instruments/xlsform",
        files={"file": ("russian.xlsx", build(sheets))},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 422, answer.text
    errors = answer.json()["errors"]
    assert any(shown in e["msg"] for e in errors), [e["msg"] for e in errors]
    for error in errors:
        place = _PLACE.match(error["msg"])
        assert place is not None, error["msg"]  # `лист survey, строка 5, столбец type: `
        expected = f"лист {error['sheet']}"
        expected += f", строка {error['row']}" if error["row"] is not None else ""
        expected += f", столбец {error['column']}" if error["column"] is not None else ""
        assert place.group(0) == f"{expected}: "
        sentence = error["msg"][place.end() :].split("pyxform")[0]
        assert _CYRILLIC.search(sentence), error["msg"]
    assert _CYRILLIC.search(answer.json()["detail"])


async def test_a_file_that_is_not_a_workbook_is_told_in_russian(surveys_client, world):
    answer = await surveys_client.post(
        "/v1/instruments/xlsform",
        files={"file": ("form.xlsx", b"type,name,label\ntext,q1,Question\n")},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["msg"].startswith("файл не читается как книга Excel .xlsx")


async def test_a_word_file_sent_as_a_form_is_told_in_russian_once(surveys_client, world):
    """It said «файл не читается как книга Excel .xlsx (это не книга Excel .xlsx (OSError:
    File contains no valid workbook part))»: the reason twice, the second in English."""
    from docx import Document

    out = io.BytesIO()
    Document().save(out)
    answer = await surveys_client.post(
        "/v1/instruments/xlsform",
        files={"file": ("form.xlsx", out.getvalue())},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    message = error["msg"]
    assert message.startswith("файл не читается как книга Excel .xlsx: в файле нет книги Excel")
    assert message.count("не читается") == 1 and "это не книга" not in message
    assert not re.search(r"\b(?!xlsx\b|Excel\b|Word\b)[A-Za-z]{3,}\b", message), message


@pytest.mark.parametrize(
    ("english", "russian"),
    [
        (
            "[row : 3] Unmatched 'end_repeat'. No matching 'begin_repeat' was found for the "
            "name 'kids'.",
            "строка «end repeat» без парной «begin repeat» выше",
        ),
        (
            "Choice names with spaces cannot be added to multiple choice selects. See [a b] "
            "in [sp]",
            "имя варианта «a b» (список «sp») содержит пробел",
        ),
        (
            "[row : 4] On the 'survey' sheet, the 'relevant' value is invalid. Reference "
            "variables must contain a name from the 'survey' sheet. Could not find the name 'x'.",
            "ссылка ${x}: вопроса с именем «x» на листе survey нет",
        ),
        ("There should be a choices sheet in this xlsform.", "в книге нет листа choices"),
        ("[row : 2] Question with no type.", "у строки не указан тип (type)"),
    ],
)
def test_pyxform_messages_lead_with_a_russian_sentence_and_keep_their_text(english, russian):
    assert pyxform_message(english).startswith(russian)
    assert pyxform_message(english).endswith(f"(pyxform: {english})")


def test_a_pyxform_message_not_recognised_is_still_introduced_in_russian():
    english = "Parameter max-pixels must have an integer value."
    assert pyxform_message(english) == f"Ошибка в форме (pyxform): {english}"
