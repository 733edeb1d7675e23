"""XLSForm features on forms of our own, shaped after pyxform's test forms: what a group sets
applies to the questions inside, every feature round-trips through export and import, and a
column our definition cannot hold is refused naming its sheet, row and column."""

import copy
from typing import Any

import pytest

from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.instruments.xlsform import XLSFormError, from_xlsform, to_xlsform
from services.surveys.responses.scoring import check_answers
from tests.surveys.test_xlsform import Sheets, build

# fmt: off
KITCHEN_SINK: Sheets = {
    "survey": [
        ["type", "name", "label::Russian (ru)", "label::English (en)", "hint::Russian (ru)",
         "required", "required_message::Russian (ru)", "relevant", "constraint",
         "constraint_message::Russian (ru)", "choice_filter", "calculation", "appearance"],
        ["note", "hello", "Здравствуйте!", "Hello!"],
        ["select_one yn", "parent", "Вы родитель?", "Are you a parent?", None, "yes"],
        ["begin group", "kids", "О детях", "About children", None, "yes", None,
         "${parent} = 'y'", None, None, None, None, "field-list"],
        ["integer", "count", "Сколько детей?", "How many?", "Число", None, "Ответьте",
         None, ". > 0 and . < 20", "От 1 до 19"],
        ["calculate", "many", None, None, None, None, None, None, None, None, None,
         "if(${count} >= 3, 'yes', 'no')"],
        ["select_one level", "level", "Уровень", "Level"],
        ["select_multiple grade", "grades", "Классы", "Grades", None, "false", None, None,
         "count-selected(.) <= ${count}", None, "level = ${level}"],
        ["begin group", "big", "Многодетные", "Large families", None, None, None,
         "${many} = 'yes'"],
        ["text", "support", "Какая помощь нужна?", "What help?", None, "no"],
        ["end group"],
        ["end group"],
        ["decimal", "hours", "Сколько часов?", "Hours?", None, "${parent} = 'y'", None, None,
         "regex(string(.), '^[0-9]+(\\.[0-9])?$')"],
    ],
    "choices": [
        ["list_name", "name", "label::Russian (ru)", "label::English (en)", "level"],
        ["yn", "y", "Да", "Yes"],
        ["yn", "n", "Нет", "No"],
        ["level", "noo", "Начальное", "Primary"],
        ["level", "ooo", "Основное", "Basic"],
        ["grade", "g1", "1", "1", "noo"],
        ["grade", "g5", "5", "5", "ooo"],
    ],
    "settings": [
        ["form_title", "form_id", "default_language"],
        ["Анкета с логикой", "logic_form", "Russian (ru)"],
    ],
}
# fmt: on


def sink() -> InstrumentDefinition:
    return from_xlsform(build(KITCHEN_SINK))


def test_every_feature_round_trips():
    definition = sink()
    assert from_xlsform(to_xlsform(definition)) == definition


def test_what_a_group_sets_applies_to_every_question_inside():
    definition = sink()
    count = definition.question("count")
    assert count.relevant is not None and count.relevant.values() == ["y"]
    assert count.required and count.appearance == "field-list"
    support = definition.question("support")
    assert support.relevant_expression == "(${parent} = 'y') and (${many} = 'yes')"
    assert not support.required  # its own `no` wins over the group's `yes`
    assert not definition.question("grades").required
    assert [(s.code, s.title) for s in definition.sections] == [
        ("section_1", "Анкета с логикой"),
        ("kids", "О детях"),
        ("big", "О детях — Многодетные"),
        ("section_4", "Анкета с логикой"),
    ]


def problems(answers: dict[str, Any]) -> dict[str, str]:
    checked = check_answers(sink(), answers, complete=True)
    return {e["loc"][-1]: e["msg"] for e in checked.errors}


def test_the_answer_check_follows_the_forms_logic():
    base = {"parent": "y", "count": 4, "level": "noo", "grades": ["g1"], "hours": 2.5}
    assert problems(base) == {}
    assert problems(base | {"count": None, "grades": None}) == {"count": "Ответьте"}
    assert problems(base | {"count": 20})["count"] == "От 1 до 19"
    assert problems(base | {"count": 2.5})["count"] == "ожидается целое число"
    assert set(problems(base | {"grades": ["g5"]})) == {"grades"}  # outside the filter
    assert set(problems(base | {"count": 1, "grades": ["g1"], "support": "x"})) == {"support"}
    assert problems(base | {"support": "Продлёнка"}) == {}
    assert set(problems(base | {"hours": 2.55})) == {"hours"}
    assert problems({"parent": "n"}) == {}
    assert set(problems({"parent": "n", "count": 3})) == {"count"}  # the group is not shown


@pytest.mark.parametrize(
    ("sheet", "row", "column", "value"),
    [
        ("survey", 3, "default", "y"),
        ("survey", 3, "media::image", "photo.png"),
        ("survey", 3, "parameters", "randomize=true"),
        ("survey", 3, "bind::oc:itemgroup", "g1"),
        ("settings", 2, "style", "pages"),
        ("choices", 2, "media::image", "yes.png"),
    ],
)
def test_a_column_the_definition_cannot_hold_is_refused(sheet, row, column, value):
    sheets = copy.deepcopy(KITCHEN_SINK)
    sheets[sheet][0].append(column)
    line = sheets[sheet][row - 1]
    line.extend([None] * (len(sheets[sheet][0]) - 1 - len(line)))
    line.append(value)
    with pytest.raises(XLSFormError) as caught:
        from_xlsform(build(sheets))
    assert (caught.value.sheet, caught.value.row, caught.value.column) == (sheet, row, column)
    assert f"столбец {column} не поддерживается: Soko не может сохранить" in str(caught.value)
