"""The instrument bank: every file validates, the real instruments say what they must, and
each validation rule of the definition format rejects a bad definition by naming its code."""

import copy
import re
from collections.abc import Callable
from typing import Any

import pytest
from pydantic import ValidationError

from services.surveys.instruments.definition import (
    BANK_DIR,
    InstrumentDefinition,
    load_bank,
    load_instrument,
)

BANK_FILES = sorted(BANK_DIR.glob("*.json"))
CYRILLIC = re.compile(r"[А-Яа-яЁё]")


def bank() -> dict[str, InstrumentDefinition]:
    return {d.code: d for d in load_bank()}


def test_the_bank_holds_the_six_instruments():
    assert sorted(bank()) == [
        "leader_self_assessment",
        "nok_parents_2018",
        "parents_satisfaction",
        "teacher_digital_assessment_deficits",
        "teacher_professional_deficits",
        "teachers_digital_tools_satisfaction",
    ]


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.stem)
def test_every_bank_file_validates_and_is_named_by_its_code(path):
    defn = load_instrument(path)
    assert defn.code == path.stem
    assert defn.language == "ru"
    assert load_instrument(path.read_bytes()) == defn


@pytest.mark.parametrize("path", BANK_FILES, ids=lambda p: p.stem)
def test_every_text_a_respondent_reads_is_russian(path):
    defn = load_instrument(path)
    texts = [defn.title, defn.description, *(s.title for s in defn.sections)]
    for question in defn.questions():
        texts += [question.text, *(o.text for o in question.options)]
    texts += [c.title for c in defn.competences]
    assert all(CYRILLIC.search(text) for text in texts)


def test_nok_questionnaire_follows_the_order_675n():
    nok = bank()["nok_parents_2018"]
    questions = list(nok.questions())
    assert [q.code for q in questions] == [f"nok_{n:02d}" for n in range(1, 16)]
    assert [q.type for q in questions] == ["yes_no"] * 14 + ["text"]
    assert all(q.required for q in questions[:14])
    assert not questions[14].required
    assert (nok.kind, nok.audience) == ("satisfaction", ["parents"])
    assert "675н" in (nok.source or "")
    conditions = {
        q.code: (q.relevant.question, q.relevant.values()) for q in questions if q.relevant
    }
    assert conditions == {
        "nok_02": ("nok_01", [True]),
        "nok_04": ("nok_03", [True]),
        "nok_07": ("nok_06", [True]),
        "nok_11": ("nok_10", [True]),
    }


def test_nok_filter_questions_do_not_count_as_satisfaction():
    nok = bank()["nok_parents_2018"]
    filters = {"nok_01", "nok_03", "nok_06", "nok_10"}
    for question in nok.questions():
        if question.code in filters:
            assert question.positive == []
        elif question.type == "yes_no":
            assert question.positive == [True]


def test_nok_wording_is_the_orders():
    nok = bank()["nok_parents_2018"]
    assert nok.question("nok_01").text.startswith("При посещении организации обращались ли Вы")
    assert "информационных стендах" in nok.question("nok_01").text
    assert "официальным сайтом" in nok.question("nok_03").text
    assert "группу инвалидности" in nok.question("nok_06").text
    assert "дистанционными способами" in nok.question("nok_10").text
    assert "рекомендовать" in nok.question("nok_12").text
    assert "навигации внутри организации" in nok.question("nok_13").text
    assert nok.question("nok_14").text == (
        "Удовлетворены ли Вы в целом условиями оказания услуг в организации?"
    )
    assert nok.question("nok_15").text.startswith("Ваши предложения по улучшению условий")


def test_parents_satisfaction_covers_the_six_themes():
    survey = bank()["parents_satisfaction"]
    sections = {s.code: s for s in survey.sections}
    for theme in ("teaching", "safety", "food", "communication", "extracurricular", "openness"):
        questions = sections[theme].questions
        assert len(questions) >= 3
        assert all(q.type == "likert5" and q.code.startswith(f"ps_{theme}_") for q in questions)
    assert [q.type for q in survey.questions()].count("single") == 1
    texts = [q for q in survey.questions() if q.type == "text"]
    assert len(texts) == 1
    assert not texts[0].required


def test_digital_tools_satisfaction_is_for_teachers():
    survey = bank()["teachers_digital_tools_satisfaction"]
    types = [q.type for q in survey.questions()]
    assert survey.audience == ["teachers"]
    assert 10 <= len(types) <= 15
    assert {"likert5", "yes_no"} <= set(types)


@pytest.mark.parametrize(
    ("code", "min_items", "competences", "min_per_competence"),
    [
        ("teacher_digital_assessment_deficits", 20, (4, 5), 1),
        ("teacher_professional_deficits", 24, (4, 4), 5),
    ],
)
def test_deficit_diagnostics_have_enough_items(code, min_items, competences, min_per_competence):
    diagnostic = bank()[code]
    assert diagnostic.kind == "deficit"
    assert len(diagnostic.scored_items()) >= min_items
    assert competences[0] <= len(diagnostic.competences) <= competences[1]
    for competence in diagnostic.competences:
        items = [q for q in diagnostic.scored_items() if q.competence == competence.code]
        assert len(items) >= min_per_competence
        assert diagnostic.max_score(competence.code) == sum(q.points for q in items)
    for item in diagnostic.scored_items():
        assert len(item.options) == 4
        assert [o.points for o in item.options if o.correct] == [1]
        assert item.points == 1


def test_leader_self_assessment_has_the_seven_blocks_of_roadmap_2_2():
    leader = bank()["leader_self_assessment"]
    assert (leader.kind, leader.audience) == ("self_assessment", ["leaders"])
    assert len(leader.sections) == 7
    for number, section in enumerate(leader.sections, 1):
        assert section.title.startswith(f"{number}. Блок показателей по ")
        assert len(section.questions) >= 3
        assert all(q.type == "likert5" for q in section.questions)
    assert "резерва управленческих кадров" in leader.sections[5].title


def test_max_score_sums_points_including_several_correct_options():
    defn = InstrumentDefinition.model_validate(base())
    assert defn.max_score("assess") == 1
    payload = base()
    questions = payload["sections"][0]["questions"]
    questions[2]["options"][1].update(correct=True, points=0.5)
    questions.append(
        {
            "code": "item_two",
            "type": "test_item",
            "text": "Сколько баллов за задание?",
            "competence": "assess",
            "points": 3,
            "options": [{"code": "a", "text": "Три", "correct": True, "points": 1}],
        }
    )
    defn = InstrumentDefinition.model_validate(payload)
    assert defn.question("item_one").points == 1.5
    assert defn.max_score("assess") == 4.5
    with pytest.raises(KeyError):
        defn.max_score("unknown")
    with pytest.raises(KeyError):
        defn.question("unknown")


def test_defaults_are_filled_in():
    defn = InstrumentDefinition.model_validate(base())
    assert defn.question("uses_tests").positive == [True]
    assert defn.question("tool").positive is None
    assert defn.competences[0].threshold == 0.6
    assert [q.code for q in defn.questions()] == ["uses_tests", "tests_count", "item_one", "tool"]
    assert [q.code for q in defn.scored_items()] == ["item_one"]


def base() -> dict[str, Any]:
    """A small valid diagnostic, for breaking one rule at a time."""
    return {
        "code": "tiny_diagnostic",
        "kind": "deficit",
        "title": "Мини-диагностика",
        "description": "Проверка правил",
        "audience": ["teachers"],
        "competences": [{"code": "assess", "title": "Оценивание"}],
        "sections": [
            {
                "code": "main",
                "title": "Основной блок",
                "questions": [
                    {"code": "uses_tests", "type": "yes_no", "text": "Используете ли Вы тесты?"},
                    {
                        "code": "tests_count",
                        "type": "number",
                        "text": "Сколько тестов в месяц?",
                        "min": 0,
                        "max": 50,
                        "relevant": {"question": "uses_tests", "equals": True},
                    },
                    {
                        "code": "item_one",
                        "type": "test_item",
                        "text": "Что такое валидность?",
                        "competence": "assess",
                        "options": [
                            {"code": "a", "text": "Верно", "correct": True, "points": 1},
                            {"code": "b", "text": "Неверно"},
                        ],
                    },
                    {
                        "code": "tool",
                        "type": "single",
                        "text": "Какой инструмент?",
                        "options": [
                            {"code": "forms", "text": "Формы"},
                            {"code": "sheets", "text": "Таблицы"},
                        ],
                    },
                ],
            }
        ],
    }


Mutation = Callable[[dict[str, Any], list[dict[str, Any]]], None]


def _set(index: int, **changes: Any) -> Mutation:
    return lambda defn, questions: questions[index].update(changes)


def _append(question: dict[str, Any]) -> Mutation:
    return lambda defn, questions: questions.append(question)


def _top(**changes: Any) -> Mutation:
    return lambda defn, questions: defn.update(changes)


def _option(index: int, option: int, **changes: Any) -> Mutation:
    return lambda defn, questions: questions[index]["options"][option].update(changes)


LATER = {"code": "later", "type": "text", "text": "Комментарий"}
BAD_DEFINITIONS: list[tuple[str, Mutation, str]] = [
    ("repeated question code", _set(3, code="uses_tests"), "вопрос «uses_tests» повторяется"),
    (
        "relevance on a later question",
        _set(0, relevant={"question": "tool", "equals": "forms"}),
        "вопрос «uses_tests»: relevant ссылается на «tool», а это не вопрос выше по форме",
    ),
    (
        "relevance on an unknown question",
        _set(1, relevant={"question": "ghost", "equals": True}),
        "вопрос «tests_count»: relevant ссылается на «ghost»",
    ),
    (
        "relevance value of the wrong type",
        _set(1, relevant={"question": "uses_tests", "equals": "yes"}),
        "вопрос «tests_count»: значение «yes» в relevant — не ответ на вопрос «uses_tests»",
    ),
    (
        "relevance on an unknown option",
        _append({**LATER, "relevant": {"question": "tool", "in": ["forms", "paper"]}}),
        "вопрос «later»: значение «paper» в relevant — не ответ на вопрос «tool»",
    ),
    (
        "relevance value outside the number's bounds",
        _append({**LATER, "relevant": {"question": "tests_count", "equals": 99}}),
        "вопрос «later»: значение «99» в relevant — не ответ на вопрос «tests_count»",
    ),
    (
        "relevance on a text answer",
        lambda defn, questions: questions.extend(
            [LATER, {**LATER, "code": "after", "relevant": {"question": "later", "equals": "x"}}]
        ),
        "вопрос «after»: значение «x» в relevant — не ответ на вопрос «later» (text)",
    ),
    (
        "relevance with both equals and in",
        _set(1, relevant={"question": "uses_tests", "equals": True, "in": [True, False]}),
        "условие показа по «uses_tests» (relevant): укажите ровно одно из equals и in",
    ),
    (
        "deficit without competences",
        _top(competences=[]),
        "инструмент «tiny_diagnostic»: диагностике дефицитов нужны компетенции",
    ),
    (
        "test item with an unknown competence",
        _set(2, competence="ghost"),
        "вопрос «item_one»: неизвестная компетенция «ghost»",
    ),
    (
        "test item without competence",
        _set(2, competence=None),
        "вопрос «item_one»: у тестового задания должна быть указана компетенция",
    ),
    (
        "competence without items",
        _top(competences=[{"code": "assess", "title": "А"}, {"code": "feedback", "title": "Б"}]),
        "у компетенции «feedback» нет тестовых заданий",
    ),
    (
        "test item without a correct option",
        _option(2, 0, correct=False),
        "вопрос «item_one»: у тестового задания нужен хотя бы один верный вариант (correct)",
    ),
    (
        "correct option worth nothing",
        _option(2, 0, points=0),
        "вопрос «item_one»: у тестового задания нужен хотя бы один верный вариант (correct)",
    ),
    (
        "competence on a question",
        _set(0, competence="assess"),
        "вопрос «uses_tests»: competence (компетенция) задаётся только у тестовых заданий",
    ),
    (
        "points on a question",
        _set(3, points=2),
        "вопрос «tool»: points (баллы) задаются только у тестовых заданий",
    ),
    (
        "min on a yes/no question",
        _set(0, min=0),
        "вопрос «uses_tests»: min и max (границы ответа) задаются только у числовых вопросов",
    ),
    (
        "min above max",
        _set(1, min=10, max=5),
        "вопрос «tests_count»: min 10 больше max 5",
    ),
    (
        "options on a yes/no question",
        _set(0, options=[{"code": "y", "text": "Да"}]),
        "вопрос «uses_tests»: у вопроса типа «yes_no» не бывает вариантов ответа",
    ),
    (
        "single without options",
        _set(3, options=[]),
        "вопрос «tool»: вопросу типа «single» нужны варианты",
    ),
    (
        "repeated option code",
        _option(3, 1, code="forms"),
        "вопрос «tool»: вариант «forms» повторяется",
    ),
    (
        "correct option outside a test item",
        _option(3, 0, correct=True),
        "вопрос «tool»: вариант «forms»: correct и points задаются только у тестовых заданий",
    ),
    ("bad option code", _option(3, 0, code="Forms x"), "Forms x"),
    ("bad question code", _set(3, code="1tool"), "1tool"),
    ("unknown question type", _set(3, type="matrix"), "неизвестный тип вопроса «matrix»"),
    (
        "positive answer that is not an answer",
        _set(0, positive=[5]),
        "вопрос «uses_tests»: положительный ответ «5» (positive) — не ответ на этот вопрос",
    ),
    (
        "positive answers on a test item",
        _set(2, positive=["a"]),
        "вопрос «item_one»: у вопроса типа «test_item» нет положительных ответов",
    ),
    (
        "repeated section code",
        _top(sections=[base()["sections"][0]] * 2),
        "раздел «main» повторяется",
    ),
    ("unknown kind", _top(kind="exam"), "exam"),
    ("unknown field", _set(0, requried=False), "requried"),
]


@pytest.mark.parametrize(
    ("mutation", "message"),
    [pytest.param(m, msg, id=name) for name, m, msg in BAD_DEFINITIONS],
)
def test_each_rule_rejects_a_bad_definition_naming_the_code(mutation, message):
    payload = copy.deepcopy(base())
    mutation(payload, payload["sections"][0]["questions"])
    with pytest.raises(ValidationError, match=re.escape(message)):
        InstrumentDefinition.model_validate(payload)
