"""The question-type module's contract: every registered type names itself in XLSForm both ways,
validates a question's definition, and tells good answers from bad ones; a type registered in a
test (a toy one) is usable by the definition, the answers' check, XLSForm, the API and the form
without a change anywhere else."""

import copy
from collections.abc import Iterator
from typing import Any, ClassVar

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from services.surveys.instruments.definition import InstrumentDefinition, Question
from services.surveys.instruments.question_types import (
    QuestionType,
    Value,
    question_type,
    question_types,
    register,
    type_from_xlsform,
    unregister,
)
from services.surveys.instruments.xlsform import from_xlsform, to_xlsform
from services.surveys.responses.models import Answer
from services.surveys.responses.scoring import answer_rows, check_answers
from tests.surveys.forms import Dom, launch, link_of

OPTIONS = [{"code": "a", "text": "Первый"}, {"code": "b", "text": "Второй"}]
SCORED_OPTIONS = [
    {"code": "a", "text": "Верно", "correct": True, "points": 2},
    {"code": "b", "text": "Неверно"},
]
# Per type: the extra fields of a good question, answers it takes, answers it refuses.
SAMPLES: dict[str, tuple[dict[str, Any], list[Any], list[Any]]] = {
    "likert5": ({}, [1, 5], [0, 6, "3", 2.5, True, [4]]),
    "single": ({"options": OPTIONS}, ["a", "b"], ["z", 1, ["a"], True]),
    "multiple": ({"options": OPTIONS}, [["a"], ["b", "a"]], [[], ["a", "a"], ["z"], "a", 1]),
    "yes_no": ({}, [True, False], ["yes", 1, 0, "да"]),
    "number": (
        {"min": -10, "max": 10},
        [0, -10, 2.5, 10],
        [11, -10.5, "5", True, float("nan"), float("inf"), [1]],
    ),
    "integer": ({"min": -10, "max": 10}, [0, -10, 10, 3.0], [2.5, 11, "5", True, [1]]),
    "note": ({}, [], ["Прочитано", 1, True]),
    "calculate": ({"calculation": "1 + 1"}, [], ["2", 2]),
    "text": ({}, ["Хорошо", "я" * 5000], ["я" * 5001, 5, ["a"], True]),
    "test_item": (
        {"options": SCORED_OPTIONS, "competence": "skill"},
        ["a", "b"],
        ["z", 2, ["a"]],
    ),
}
# JSON an API client may send where a type expects a plain value: refused by every type, never
# a 500 (a nested list or an object is unhashable, so cannot be counted among options).
ODD_SHAPES: list[Any] = [{"a": 1}, [["a"]], [{"code": "a"}], ["a", ["b"]], [None]]
for _extra, _good, _bad in SAMPLES.values():
    _bad.extend(ODD_SHAPES)


def instrument(*questions: dict[str, Any], **top: Any) -> dict[str, Any]:
    """A self-assessment instrument of these questions (and the competence `skill`)."""
    return {
        "code": "every_type",
        "kind": "self_assessment",
        "title": "Все типы вопросов",
        "description": "Анкета для проверки типов вопросов",
        "audience": ["parents"],
        "competences": [{"code": "skill", "title": "Навык"}],
        "sections": [{"code": "main", "title": "Вопросы", "questions": list(questions)}],
    } | top


def question_of(name: str, **fields: Any) -> dict[str, Any]:
    extra = SAMPLES[name][0]
    return {"code": f"q_{name}", "type": name, "text": f"Вопрос ({name})"} | extra | fields


def validated(name: str, **fields: Any) -> InstrumentDefinition:
    """An instrument of one question of the type (a test item needs it for its competence)."""
    extra = [] if name == "test_item" else [question_of("test_item")]
    return InstrumentDefinition.model_validate(instrument(question_of(name, **fields), *extra))


def refusal(definition: dict[str, Any]) -> str:
    with pytest.raises(ValidationError) as caught:
        InstrumentDefinition.model_validate(definition)
    return str(caught.value)


NAMES = [kind.name for kind in question_types()]


def test_every_registered_type_has_samples_here():
    assert sorted(NAMES) == sorted(SAMPLES)


@pytest.mark.parametrize("name", NAMES)
def test_each_type_cell_reads_back_as_its_type(name):
    kind = question_type(name)
    competence = "skill" if kind.scored else ""
    cell = kind.xlsform_type("own_list")
    assert type_from_xlsform(cell, competence) == (name, "own_list" if kind.options else None)


def test_an_instrument_of_every_type_round_trips_through_xlsform():
    definition = InstrumentDefinition.model_validate(
        instrument(
            question_of("likert5", positive=[5]),
            question_of("single", relevant={"question": "q_likert5", "in": [4, 5]}),
            question_of("multiple", positive=["a"], required=False),
            question_of("yes_no", relevant={"question": "q_multiple", "equals": "b"}),
            question_of("number", relevant={"question": "q_yes_no", "equals": False}),
            question_of("text", relevant={"question": "q_number", "in": [-1, 3]}),
            question_of("test_item", relevant={"question": "q_single", "equals": "a"}),
            question_of("yes_no", code="q_yes_no_2", positive=[False], hint="Подсказка"),
        )
    )
    assert from_xlsform(to_xlsform(definition)) == definition


@pytest.mark.parametrize("name", NAMES)
def test_each_type_validates_a_definition(name):
    kind = question_type(name)
    assert validated(name).question(f"q_{name}").type == name
    if kind.options:
        wrong = question_of(name, options=[])
        expected = f"вопрос «q_{name}»: вопросу типа «{name}» нужны варианты ответа"
    else:
        wrong = question_of(name, options=OPTIONS)
        expected = f"вопрос «q_{name}»: у вопроса типа «{name}» не бывает вариантов ответа"
    assert expected in refusal(instrument(wrong, question_of("test_item", code="q_item")))
    if not kind.ranged:
        message = refusal(instrument(question_of(name, min=1), question_of("test_item", code="i")))
        assert (
            f"вопрос «q_{name}»: min и max (границы ответа) задаются только у числовых" in message
        )
    if not kind.scored:
        message = refusal(
            instrument(question_of(name, competence="skill"), question_of("test_item"))
        )
        assert f"вопрос «q_{name}»: competence (компетенция) задаётся только у тестовых" in message


@pytest.mark.parametrize("name", NAMES)
def test_each_type_takes_its_good_answers_and_names_the_question_of_a_bad_one(name):
    definition = validated(name, required=False)
    question = definition.question(f"q_{name}")
    _, good, bad = SAMPLES[name]
    for value in good:
        assert question_type(name).check_answer(question, value) is None, value
        checked = check_answers(definition, {question.code: value}, complete=False)
        assert checked.errors == [] and checked.answers == {question.code: value}
        [row] = answer_rows(definition, checked.answers)
        assert row["question"] == question.code
    for value in bad:
        problem = question_type(name).check_answer(question, value)
        assert isinstance(problem, str) and problem, value
        checked = check_answers(definition, {question.code: value}, complete=False)
        if value == []:  # blank, as an unanswered question: nothing kept, nothing refused
            assert checked.errors == [] and checked.answers == {}
        else:
            assert checked.errors == [{"loc": ["body", "answers", question.code], "msg": problem}]


class Stars(QuestionType):
    """A toy type: one to three stars, a radio group, `select_one stars` in XLSForm."""

    name = "stars"
    default_positive = (3,)
    xlsform_bases = ("select_one",)
    built_in_list = "stars"
    marked = True
    LABELS: ClassVar[list[str]] = ["Плохо", "Средне", "Отлично"]

    def accepts(self, question: Question, value: Value) -> bool:
        return type(value) is int and 1 <= value <= 3

    def check_answer(self, question: Question, value: Any) -> str | None:
        return None if self.accepts(question, value) else "ожидается от 1 до 3 звёзд"

    def stored(self, question: Question, value: Any) -> dict[str, Any]:
        return {"number": float(value)}

    def choices(self, question: Question, instrument_kind: str) -> list[tuple[str, str]]:
        return [(str(n), label) for n, label in enumerate(self.LABELS, 1)]

    def from_form(self, given: list[str]) -> Any:
        return int(given[0]) if given[0].isdigit() else given[0]

    def built_in_choices(self, instrument_kind: str) -> list[tuple[str, str]]:
        return self.choices(None, instrument_kind)  # type: ignore[arg-type]

    def relevant_value(self, code: str, literal: str, quoted: bool, selected: bool) -> Value:
        return int(literal)

    def xlsform_literal(self, value: Value) -> str:
        return str(value)

    def parse_positive(self, cell: str, tokens: list[str]) -> list[Value]:
        return [int(token) for token in tokens]


STARRED = instrument(
    {"code": "rating", "type": "stars", "text": "Оцените кружки"},
    {
        "code": "why",
        "type": "text",
        "text": "Почему не отлично?",
        "required": False,
        "relevant": {"question": "rating", "in": [1, 2]},
    },
    code="stars_survey",
    kind="satisfaction",
    competences=[],
)


@pytest.fixture
def stars() -> Iterator[QuestionType]:
    register(Stars)
    yield question_type("stars")
    unregister("stars")


def test_an_unregistered_type_is_refused_by_name():
    assert "неизвестный тип вопроса «stars»" in refusal(copy.deepcopy(STARRED))


def test_a_registered_toy_type_validates_checks_and_round_trips(stars):
    definition = InstrumentDefinition.model_validate(copy.deepcopy(STARRED))
    rating = definition.question("rating")
    assert rating.positive == [3]  # its default positive answers
    bad = copy.deepcopy(STARRED)
    bad["sections"][0]["questions"][1]["relevant"]["in"] = [2, 4]
    assert "значение «4» в relevant — не ответ на вопрос «rating» (stars)" in refusal(bad)
    bad["sections"][0]["questions"][0]["options"] = OPTIONS
    assert "вопрос «rating»: у вопроса типа «stars» не бывает вариантов ответа" in refusal(bad)

    assert check_answers(definition, {"rating": 2, "why": "Мало"}, complete=True).errors == []
    refused = check_answers(definition, {"rating": 4}, complete=True).errors
    assert refused == [{"loc": ["body", "answers", "rating"], "msg": "ожидается от 1 до 3 звёзд"}]
    assert answer_rows(definition, {"rating": 3}) == [
        {"question": "rating", "positive": True, "number": 3.0}
    ]
    assert from_xlsform(to_xlsform(definition)) == definition


async def test_a_registered_toy_type_works_through_the_api_and_the_form(
    surveys_client, form, world, db, stars
):
    posted = await surveys_client.post(
        "/v1/instruments", json=STARRED, headers=world.headers("methodologist")
    )
    assert posted.status_code == 201, posted.text
    campaign = await launch(surveys_client, world, "stars_survey", "parents", [world.s1.id])
    url = f"/v1/campaigns/{campaign['id']}/responses"
    school = str(world.s1.id)
    refused = await surveys_client.post(
        url, json={"organization_id": school, "answers": {"rating": 5}}
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert ["body", "answers", "rating"] in [e["loc"] for e in refused.json()["errors"]]
    kept = await surveys_client.post(
        url, json={"organization_id": school, "answers": {"rating": 2, "why": "Мало кружков"}}
    )
    assert kept.status_code == 201, kept.text

    page = Dom((await form.get(link_of(campaign))).text)
    radios = page.named("rating")
    assert [(c["type"], c["value"]) for c in radios] == [
        ("radio", "1"),
        ("radio", "2"),
        ("radio", "3"),
    ]
    assert "Отлично" in page.label("f-rating-2")
    wrong = Dom((await form.post(link_of(campaign), data={"rating": "4"})).text)
    assert wrong.text("q-rating-error") == "Ошибка: Ожидается от 1 до 3 звёзд"
    sent = await form.post(link_of(campaign), data={"rating": "3", "_action": "submit"})
    assert sent.status_code == 303 and sent.headers["location"].endswith("/thanks")
    stored = await db.scalars(select(Answer.number).where(Answer.question == "rating"))
    assert sorted(stored) == [2.0, 3.0]


async def test_an_unknown_question_type_is_422_naming_the_type_field(surveys_client, world):
    answer = await surveys_client.post(
        "/v1/instruments", json=STARRED, headers=world.headers("methodologist")
    )
    assert answer.status_code == 422
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "sections", 0, "questions", 0, "type"]
    assert "неизвестный тип вопроса «stars»" in error["msg"]
