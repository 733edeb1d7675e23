"""The handed real-world XLSForms (../shared/cases/real-world, copied to `cases/`): each gives
the README's right result through the real surveys app, answers are checked by the form's own
logic (one XPath evaluator), and every form round-trips through export and import."""

import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from services.surveys.instruments import xpath
from services.surveys.instruments.xlsform import XLSFormError, from_xlsform, to_xlsform
from services.surveys.responses.models import Answer
from tests.surveys.forms import Dom, launch, link_of
from tests.surveys.test_xlsform import build

CASES = Path(__file__).parent / "cases"
IMPORTED = sorted(
    p.name
    for p in CASES.glob("xf*.xlsx")
    if p.name
    not in {
        "xf6c_space_multi.xlsx",
        "xf9b_repeat.xlsx",
    }
)


async def upload(client, world, name: str, **fields: str | list[str]):
    return await client.post(
        "/v1/instruments/xlsform",
        files={"file": (name, (CASES / name).read_bytes())},
        data=fields,
        headers=world.headers("analyst"),
    )


@pytest.mark.parametrize("name", IMPORTED)
def test_every_handed_form_round_trips(name):
    definition = from_xlsform((CASES / name).read_bytes())
    assert from_xlsform(to_xlsform(definition)) == definition


async def test_a_kobo_form_without_kind_is_a_parents_satisfaction_survey(surveys_client, world):
    plain = await upload(surveys_client, world, "xf1a_kobo_no_kind.xlsx")
    assert plain.status_code == 201, plain.text
    assert (plain.json()["kind"], plain.json()["audience"]) == ("satisfaction", ["parents"])


async def test_a_kobo_form_without_kind_takes_the_upload_fields(surveys_client, world):
    given = await upload(
        surveys_client,
        world,
        "xf1a_kobo_no_kind.xlsx",
        kind="self_assessment",
        audience=["teachers", "leaders"],
    )
    assert given.status_code == 201, given.text
    assert given.json()["kind"] == "self_assessment"
    assert given.json()["audience"] == ["teachers", "leaders"]


async def responses_url(client, world, name: str, code: str) -> str:
    imported = await upload(client, world, name)
    assert imported.status_code == 201, imported.text
    campaign = await launch(client, world, code, "parents", [world.s1.id])
    return f"/v1/campaigns/{campaign['id']}/responses"


def problems(answer) -> dict[str, str]:
    assert answer.status_code == 422, answer.text
    return {e["loc"][-1]: e["msg"] for e in answer.json()["errors"]}


async def test_kobo_form_logic_is_checked_on_every_answer(surveys_client, world):
    url = await responses_url(
        surveys_client, world, "xf1b_kobo_with_kind.xlsx", "hunt_kobo_parents"
    )
    school = str(world.s1.id)

    async def post(**answers):
        return await surveys_client.post(url, json={"organization_id": school, "answers": answers})

    good = {"edu_level": "noo", "grade": "g4", "topics": ["food", "other"], "topics_other": "Шум"}
    outside_filter = await post(**(good | {"grade": "g9"}))
    assert "grade" in problems(outside_filter)
    missing = problems(await post(grade="g4", topics=["food"]))
    assert missing["edu_level"] == "Выберите уровень"
    other_missing = problems(await post(**{k: v for k, v in good.items() if k != "topics_other"}))
    assert set(other_missing) == {"topics_other"}
    assert set(problems(await post(**(good | {"children": 2.5})))) == {"children"}
    assert problems(await post(**(good | {"children": 11}))) == {"children": "От 1 до 10"}
    not_asked = problems(await post(**(good | {"topics": ["food"]})))
    assert set(not_asked) == {"topics_other"}
    stored = await post(**(good | {"children": 2}))
    assert stored.status_code == 201, stored.text
    without_other = await post(
        **({k: v for k, v in good.items() if k != "topics_other"} | {"topics": ["safety"]})
    )
    assert without_other.status_code == 201, without_other.text


@pytest.mark.parametrize(
    ("name", "code", "shown", "hidden"),
    [
        ("xf4a_not_selected.xlsx", "hunt_not_sel", {"t": ["safety"]}, {"t": ["food", "safety"]}),
        ("xf4b_not_equal.xlsx", "hunt_neq", {"t": "safety"}, {"t": "food"}),
        ("xf4c_and_selected.xlsx", "hunt_and_sel", {"t": ["food", "safety"]}, {"t": ["food"]}),
        ("xf5_or_other.xlsx", "hunt_or_other", {"t": ["other"]}, {"t": ["soup"]}),
    ],
)
async def test_relevance_expressions_decide_which_answers_are_taken(
    surveys_client, world, name, code, shown, hidden
):
    url = await responses_url(surveys_client, world, name, code)
    school = str(world.s1.id)
    question = "food" if code == "hunt_or_other" else "t"
    follow_up = "food_other" if code == "hunt_or_other" else "why"

    def answers(given):
        return {question: given["t"], follow_up: "Потому что"}

    taken = await surveys_client.post(
        url, json={"organization_id": school, "answers": answers(shown)}
    )
    assert taken.status_code == 201, taken.text
    refused = await surveys_client.post(
        url, json={"organization_id": school, "answers": answers(hidden)}
    )
    assert problems(refused) == {follow_up: "вопрос не задаётся при таких ответах"}


async def test_the_default_language_is_the_text_and_every_language_is_exported(
    surveys_client, world
):
    imported = await upload(surveys_client, world, "xf2_bilingual_en_first.xlsx")
    assert imported.status_code == 201, imported.text
    question = imported.json()["definition"]["sections"][0]["questions"][0]
    assert question["text"] == "Вы удовлетворены?"
    assert question["translations"]["English (en)"] == {"text": "Are you satisfied?"}
    exported = await surveys_client.get(
        f"/v1/instruments/{imported.json()['id']}/export?format=xlsform",
        headers=world.headers("analyst"),
    )
    book = load_workbook(io.BytesIO(exported.content))
    header = [c.value for c in next(book["survey"].iter_rows(max_row=1))]
    assert {"label::English (en)", "label::Russian (ru)"} <= set(header)
    settings = list(book["settings"].iter_rows(values_only=True))
    assert dict(zip(settings[0], settings[1], strict=True))["default_language"] == "Russian (ru)"


async def test_notes_are_shown_and_calculations_feed_other_logic(surveys_client, form, world, db):
    url = await responses_url(surveys_client, world, "xf3_note_calculate.xlsx", "hunt_note_calc")
    school = str(world.s1.id)
    noted = await surveys_client.post(
        url, json={"organization_id": school, "answers": {"a": 2, "intro": "ок"}}
    )
    assert set(problems(noted)) == {"intro"}
    taken = await surveys_client.post(url, json={"organization_id": school, "answers": {"a": 2}})
    assert taken.status_code == 201, taken.text
    rows = await db.scalars(select(Answer).where(Answer.response_id == taken.json()["id"]))
    # the calculate `a2 = ${a} * 2` is worked out by the server and stored with the answer
    assert {a.question: (a.number, a.text) for a in rows} == {"a": (2.0, None), "a2": (4.0, "4")}
    campaign = await launch(surveys_client, world, "hunt_note_calc", "parents", [world.s1.id])
    page = Dom((await form.get(link_of(campaign))).text)
    assert page.text("q-intro") == "Анкета анонимна. Спасибо!"
    assert not page.named("a2")


@pytest.mark.parametrize(
    ("name", "place", "message"),
    [
        ("xf6c_space_multi.xlsx", ("choices", 2, "name"), "содержит пробел"),
        (
            "xf9b_repeat.xlsx",
            ("survey", 2, "type"),
            "группа «kids» (begin repeat) не поддерживается",
        ),
    ],
)
async def test_what_cannot_be_held_is_refused_naming_sheet_row_and_column(
    surveys_client, world, name, place, message
):
    with pytest.raises(XLSFormError) as caught:
        from_xlsform((CASES / name).read_bytes())
    assert (caught.value.sheet, caught.value.row, caught.value.column) == place
    answer = await upload(surveys_client, world, name)
    [error] = answer.json()["errors"]
    assert answer.status_code == 422 and message in error["msg"]
    assert error["msg"].startswith(f"лист {place[0]}, строка {place[1]}, столбец {place[2]}: ")
    assert not {"hunt_repeat", "hunt_space_multi"} & await bank_codes(surveys_client, world)


async def bank_codes(client, world) -> set[str]:
    listed = await client.get("/v1/instruments?limit=100", headers=world.headers("viewer"))
    return {i["code"] for i in listed.json()["items"]}


@pytest.mark.parametrize(
    ("rows", "row"),
    [
        ([["begin repeat", "kids", "Дети"], ["integer", "age", "Возраст"], ["end repeat"]], 4),
        (
            [
                ["begin group", "family", "Семья"],
                ["begin repeat", "kids", "Дети"],
                ["text", "name", "Имя"],
                ["end repeat"],
                ["end group"],
            ],
            5,
        ),
    ],
)
async def test_a_repeat_anywhere_is_refused_naming_its_row_and_nothing_is_imported(
    surveys_client, world, rows, row
):
    survey = [
        ["type", "name", "label"],
        ["integer", "count", "Сколько детей?"],
        ["note", "hello", "Спасибо"],
        *rows,
    ]
    form = {"survey": survey, "settings": [["form_title", "form_id"], ["Повторы", "own_repeat"]]}
    before = await bank_codes(surveys_client, world)
    answer = await surveys_client.post(
        "/v1/instruments/xlsform",
        files={"file": ("repeat.xlsx", build(form))},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "file"]
    assert error["msg"].startswith(
        f"лист survey, строка {row}, столбец type: повторяющаяся группа «kids» (begin repeat)"
    )
    assert await bank_codes(surveys_client, world) == before


def test_choice_names_and_nested_groups_of_real_forms_are_kept():
    hyphen = from_xlsform((CASES / "xf6a_hyphen_names.xlsx").read_bytes())
    assert next(hyphen.questions()).option_codes() == ["18-25", "26-40"]
    upper = from_xlsform((CASES / "xf6b_upper_names.xlsx").read_bytes())
    assert next(upper.questions()).option_codes() == ["Yes", "No"]
    nested = from_xlsform((CASES / "xf9a_nested_group.xlsx").read_bytes())
    assert [(s.code, s.title) for s in nested.sections] == [("b", "Раздел — Подраздел")]


def test_spaced_headers_blank_rows_and_special_characters_are_read_as_typed():
    spaced = from_xlsform((CASES / "xf7_header_spaces.xlsx").read_bytes())
    assert [(q.code, q.type, q.required) for q in spaced.questions()] == [
        ("n", "integer", True),
        ("c", "text", False),
    ]
    special = from_xlsform((CASES / "xf10_special_chars.xlsx").read_bytes())
    back = from_xlsform(to_xlsform(special))
    question = next(back.questions())
    assert question.text == "Оцените «качество» питания & <b>меню</b> (ёлки-палки, Ü)"
    assert question.hint == "Подсказка: 5 > 3 и 2 < 4; кавычки \"двойные\" и 'одинарные'"
    assert [o.text for o in question.options] == ["Да — «полностью»", "Нет & <нет>"]


# (expression, answers, `.`, choice, value): the table the browser's evaluator must agree with.
EXPRESSIONS = [
    ("selected(${t}, 'other')", {"t": "food other"}, "", {}, True),
    ("not(selected(${t}, 'food'))", {"t": "food"}, "", {}, False),
    ("${t} != 'food'", {"t": ""}, "", {}, True),
    ("${a} = 3 and ${b} = 'x' or false()", {"a": "3", "b": "x"}, "", {}, True),
    (". >= 1 and . <= 10", {}, "11", {}, False),
    ("count-selected(${t}) div 2", {"t": "a b c"}, "", {}, 1.5),
    ("${a} * 2 - 1", {"a": "4"}, "", {}, 7.0),
    ("${a}-1", {"a": "4"}, "", {}, 3.0),
    ("if(${a} > 3, 'big', 'small')", {"a": "10"}, "", {}, "big"),
    ("coalesce(${x}, 'none')", {}, "", {}, "none"),
    ("string-length(.) <= 3", {}, "abcd", {}, False),
    ("regex(., '^[0-9]{6}$')", {}, "123456", {}, True),
    ("level=${edu_level}", {"edu_level": "noo"}, "", {"level": "noo"}, True),
    ("7 mod 3 + -1", {}, "", {}, 0.0),
    ("${missing} = ''", {}, "", {}, True),
]


@pytest.mark.parametrize(("expression", "answers", "current", "choice", "value"), EXPRESSIONS)
def test_the_evaluator_gives_odk_values(expression, answers, current, choice, value):
    context = xpath.Context(answers, current=current, choice=choice)
    assert xpath.evaluate(xpath.parse(expression), context) == value


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        ("pulldata('x', 'y')", "функция pulldata() не поддерживается"),
        ("${a} = ", "«${a} = »: оборвано на середине"),
        ("(${a} = 1", "оборвано на середине"),
        ("/data/a = 1", "неожиданное «/»"),
        ("selected(${a})", "у selected() должно быть аргументов: 2"),
    ],
)
def test_expressions_outside_the_subset_are_refused_saying_why(expression, message):
    with pytest.raises(xpath.ExpressionError, match=re.escape(message)):
        xpath.parse(expression)
