"""Issue 14, what a fresh tester still found: a KoboToolbox form without a settings sheet
imports, a workbook with several problems is answered with each of them, a choice_filter that
can never offer a choice is refused, and a row without a label in the default language is
refused naming the missing column."""

import io
from pathlib import Path

import pytest
from openpyxl import load_workbook

from services.surveys.instruments.xlsform import XLSFormError, from_xlsform
from services.surveys.instruments.xlsform_common import MAX_PROBLEMS
from services.surveys.instruments.xlsform_reader import form_code
from tests.surveys.test_xlsform import build

CASES = Path(__file__).parent / "cases"
SURVEY = [
    ["type", "name", "label"],
    ["select_one yn", "visited", "Вы посещали школу?"],
    ["text", "comment", "Комментарий"],
]
CHOICES = [["list_name", "name", "label"], ["yn", "y", "Да"], ["yn", "n", "Нет"]]


async def post(client, world, filename: str, workbook: bytes, **fields: str | list[str]):
    return await client.post(
        "/v1/instruments/xlsform",
        files={"file": (filename, workbook)},
        data=fields,
        headers=world.headers("analyst"),
    )


async def bank_codes(client, world) -> set[str]:
    listed = await client.get("/v1/instruments?limit=500", headers=world.headers("viewer"))
    return {i["code"] for i in listed.json()["items"]}


def without_settings(name: str) -> bytes:
    """A handed case with its settings sheet removed, as KoboToolbox users often send."""
    book = load_workbook(CASES / name)
    book.remove(book["settings"])
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


# 1. No settings sheet: the file's name gives form_id and title, the upload kind and audience.


async def test_a_form_without_settings_takes_its_code_and_title_from_the_file_name(
    surveys_client, world
):
    workbook = without_settings("xf1a_kobo_no_kind.xlsx")
    answer = await post(surveys_client, world, "Родители 2031 (1).xlsx", workbook)
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["code"] == "roditeli_2031_1"
    assert body["title"] == "Родители 2031 (1)"
    assert (body["kind"], body["audience"]) == ("satisfaction", ["parents"])
    texts = [q["text"] for s in body["definition"]["sections"] for q in s["questions"]]
    assert "Уровень образования ребёнка" in texts


async def test_a_form_without_settings_takes_kind_and_audience_from_the_upload(
    surveys_client, world
):
    workbook = build({"survey": SURVEY, "choices": CHOICES})
    answer = await post(
        surveys_client,
        world,
        "self check.xlsx",
        workbook,
        kind="self_assessment",
        audience=["teachers"],
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert (body["code"], body["title"]) == ("self_check", "self check")
    assert (body["kind"], body["audience"]) == ("self_assessment", ["teachers"])


def test_settings_without_form_id_and_title_take_the_file_name():
    workbook = build(
        {
            "survey": SURVEY,
            "choices": CHOICES,
            "settings": [["default_language", "kind"], ["", "deficit"]],
        }
    )
    with pytest.raises(XLSFormError) as caught:  # a deficit diagnostic needs competences
        from_xlsform(workbook, filename="Диагностика.xlsx")
    assert "diagnostika" in str(caught.value)
    plain = build({"survey": SURVEY, "choices": CHOICES, "settings": [["version"], ["7"]]})
    definition = from_xlsform(plain, filename="C:\\forms\\Опрос_ёлка.XLSX")
    assert (definition.code, definition.title) == ("opros_elka", "Опрос_ёлка")


@pytest.mark.parametrize("filename", ["😀.xlsx", "📋.xlsx", "调查.xlsx", "(1).xlsx"])
async def test_a_file_name_with_nothing_to_make_a_code_of_is_refused(
    surveys_client, world, filename
):
    """Without form_id, a name of no letters or digits gave every such form the code `form`:
    an emoji-named questionnaire and another became versions of one instrument, the second
    replacing the first's questions and title. Refused naming form_id, and nothing stored."""
    before = await bank_codes(surveys_client, world)
    plain = build({"survey": SURVEY, "choices": CHOICES, "settings": [["version"], ["7"]]})
    answer = await post(surveys_client, world, filename, plain)
    if filename == "(1).xlsx":  # a digit: the code pyxform makes of it
        assert answer.status_code == 201 and answer.json()["code"] == "form_1", answer.text
        return
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    [error] = answer.json()["errors"]
    assert (error["sheet"], error["column"]) == ("settings", "form_id"), error
    assert f"в имени файла «{filename[:-5]}» нет" in error["msg"], error
    assert await bank_codes(surveys_client, world) == before


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("Анкета родителей", "anketa_roditelei"),
        ("My Form (1)", "my_form_1"),
        ("2031 опрос", "form_2031_opros"),
        ("ab", "form_ab"),
        ("Объём Щей", "obem_shchei"),
        ("???", ""),
        ("😀", ""),
        ("调查", ""),
        ("x" * 80, "x" * 61),
    ],
)
def test_a_file_name_becomes_an_instrument_code(name, code):
    assert form_code(name) == code


@pytest.mark.parametrize(
    ("fields", "column", "said"),
    [
        (
            {"kind": "deficit"},
            "kind",
            "в книге kind «satisfaction», а в поле kind запроса — «deficit»",
        ),
        ({"audience": ["teachers"]}, "audience", "в поле audience запроса — «teachers»"),
    ],
)
async def test_an_upload_field_that_says_otherwise_than_the_settings_is_refused(
    surveys_client, world, fields, column, said
):
    """kind and audience sent with the file fill what the settings sheet lacks; where the
    sheet has them and they differ, the upload's were dropped unseen (a diagnostic of
    teachers stored as a parents' questionnaire). Refused naming both; the same values, or
    none sent, are taken."""
    settings = [["form_id", "kind", "audience"], ["xf_kind", "satisfaction", "parents"]]
    workbook = build({"survey": SURVEY, "choices": CHOICES, "settings": settings})
    answer = await post(surveys_client, world, "f.xlsx", workbook, **fields)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert (error["sheet"], error["column"]) == ("settings", column), error
    assert said in error["msg"], error
    agreeing = {"kind": "satisfaction", "audience": ["parents"]}
    answer = await post(surveys_client, world, "f.xlsx", workbook, **agreeing)
    assert answer.status_code == 201, answer.text
    assert (answer.json()["kind"], answer.json()["audience"]) == ("satisfaction", ["parents"])


# 2. Every problem of a workbook, in one answer.


def broken_survey() -> list[list[str | None]]:
    rows = [["type", "name", "label", "relevant"]]
    rows += [["text", f"q{i}", f"Вопрос {i}", None] for i in range(2, 5)]
    rows.append(["geopoint", "where", "Где вы?", None])  # row 5
    rows += [["text", f"q{i}", f"Вопрос {i}", None] for i in range(6, 9)]
    rows.append(["text", "why", "Почему?", "${q2} = "])  # row 9
    return rows


async def test_an_unknown_type_and_a_bad_expression_are_both_named(surveys_client, world):
    workbook = build({"survey": broken_survey()})
    answer = await post(surveys_client, world, "two problems.xlsx", workbook)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    errors = answer.json()["errors"]
    assert [(e["sheet"], e["row"], e["column"]) for e in errors] == [
        ("survey", 5, "type"),
        ("survey", 9, "relevant"),
    ]
    assert all(e["loc"] == ["body", "file"] for e in errors)
    assert "тип «geopoint» не поддерживается" in errors[0]["msg"]
    assert "лист survey, строка 9, столбец relevant: выражение «${q2} =»" in errors[1]["msg"]
    assert "2" in answer.json()["detail"]
    assert "two_problems" not in await bank_codes(surveys_client, world)


def test_problems_of_every_kind_are_listed_together():
    survey = [
        ["type", "name", "label", "relevant", "image"],
        ["text", "a", "Первый", "${nobody} = 1", "a.png"],
        ["date", "b", "Дата", None, None],
        ["text", "c", "Третий", "random()", None],
    ]
    with pytest.raises(XLSFormError) as caught:
        from_xlsform(build({"survey": survey}), filename="many.xlsx")
    places = [(p.sheet, p.row, p.column) for p in caught.value.problems]
    assert places == [
        ("survey", 2, "image"),
        ("survey", 2, "relevant"),
        ("survey", 3, "type"),
        ("survey", 4, "relevant"),
    ]
    assert "вопроса с именем «nobody» на листе survey нет" in caught.value.problems[1].message


def test_questions_refused_after_pyxform_are_each_named():
    survey = [
        ["type", "name", "label"],
        ["select_one yn", "a", "Первый"],
        ["begin repeat", "kids", "Дети"],
        ["text", "kid", "Имя"],
        ["end repeat"],
        ["select_one_from_file schools.csv", "school", "Школа"],
    ]
    with pytest.raises(XLSFormError) as caught:
        from_xlsform(build({"survey": survey, "choices": CHOICES}), filename="rep.xlsx")
    places = [(p.sheet, p.row, p.column) for p in caught.value.problems]
    assert places == [("survey", 3, "type"), ("survey", 6, "type")]


async def test_at_most_fifty_problems_are_named_and_all_are_counted(surveys_client, world):
    survey = [["type", "name", "label"]]
    survey += [["geopoint", f"g{i}", f"Где {i}?"] for i in range(MAX_PROBLEMS + 10)]
    answer = await post(surveys_client, world, "many.xlsx", build({"survey": survey}))
    assert answer.status_code == 422, answer.text
    assert len(answer.json()["errors"]) == MAX_PROBLEMS
    assert answer.json()["errors"][-1]["row"] == MAX_PROBLEMS + 1
    assert f"{MAX_PROBLEMS + 10}" in answer.json()["detail"]
    assert f"первые {MAX_PROBLEMS}" in answer.json()["detail"]


# 3. A choice_filter that can never offer a choice.

FILTER_CHOICES = [
    ["list_name", "name", "label", "level"],
    ["levels", "noo", "Начальное", None],
    ["levels", "ooo", "Основное", None],
    ["grades", "g1", "1 класс", "noo"],
    ["grades", "g5", "5 класс", "ooo"],
]


def filtered(first: list[str | None], second: list[str | None]) -> bytes:
    survey = [["type", "name", "label", "choice_filter"], first, second]
    return build({"survey": survey, "choices": FILTER_CHOICES})


# fmt: off
DEADLOCKS = [
    ("its own question",
     ["select_one levels", "level", "Уровень", None],
     ["select_one grades", "grade", "Класс", "level = ${grade}"],
     3, "choice_filter ссылается на свой же вопрос ${grade}"),
    ("a question after it",
     ["select_one grades", "grade", "Класс", "level = ${level}"],
     ["select_one levels", "level", "Уровень", None],
     2, "${level} — вопрос, который задаётся после «grade»"),
    ("a value no choice has",
     ["select_one levels", "level", "Уровень", None],
     ["select_one grades", "grade", "Класс", "level = 'spo'"],
     3, "choice_filter «level = 'spo'» не оставляет ни одного варианта"),
    ("answers no choice matches",
     ["select_one levels", "level", "Уровень", None],
     ["select_one grades", "grade", "Класс", "level = concat(${level}, '_x')"],
     3, "не оставляет ни одного варианта ни при каком ответе на ${level}"),
]
# fmt: on


@pytest.mark.parametrize(
    ("first", "second", "row", "message"), [pytest.param(*c[1:], id=c[0]) for c in DEADLOCKS]
)
def test_a_choice_filter_that_can_never_offer_a_choice_is_refused(first, second, row, message):
    with pytest.raises(XLSFormError) as caught:
        from_xlsform(filtered(first, second), filename="filters.xlsx")
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("survey", row, "choice_filter")
    assert message in problem.message


@pytest.mark.parametrize(
    "second",
    [
        ["select_one grades", "grade", "Класс", "level = ${level}"],
        ["select_one grades", "grade", "Класс", "level = 'noo' or ${level} = ''"],
        # An answer we cannot list (a text): not decided, so not refused.
        ["select_one grades", "grade", "Класс", "level = ${note}"],
    ],
)
def test_a_choice_filter_that_can_offer_a_choice_imports(second):
    survey = [
        ["type", "name", "label", "choice_filter"],
        ["text", "note", "Заметка", None],
        ["select_one levels", "level", "Уровень", None],
        second,
    ]
    definition = from_xlsform(
        build({"survey": survey, "choices": FILTER_CHOICES}), filename="ok.xlsx"
    )
    assert definition.question("grade").choice_filter == second[3]


async def test_a_deadlocked_filter_is_a_422_naming_the_cell(surveys_client, world):
    workbook = filtered(*DEADLOCKS[0][1:3])
    answer = await post(surveys_client, world, "deadlock.xlsx", workbook)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert (error["sheet"], error["row"], error["column"]) == ("survey", 3, "choice_filter")
    assert "deadlock" not in await bank_codes(surveys_client, world)


# 4. A label missing in the default language (pyxform would show "-" or another language).

SETTINGS_RU = [["default_language"], ["Russian (ru)"]]


def bilingual(survey_rows, choice_rows, choice_headers=None) -> bytes:
    survey = [["type", "name", "label::English (en)", "label::Russian (ru)"], *survey_rows]
    headers = choice_headers or ["list_name", "name", "label::English (en)", "label::Russian (ru)"]
    return build({"survey": survey, "choices": [headers, *choice_rows], "settings": SETTINGS_RU})


def test_a_question_with_an_english_label_only_is_refused_naming_the_russian_column():
    workbook = bilingual(
        [["select_one yn", "q1", "Satisfied?", "Довольны?"], ["text", "q2", "Why?", None]],
        [["yn", "y", "Yes", "Да"], ["yn", "n", "No", "Нет"]],
    )
    with pytest.raises(XLSFormError) as caught:
        from_xlsform(workbook, filename="lang.xlsx")
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("survey", 3, "label::Russian (ru)")
    assert "заполнено только label::English (en)" in problem.message


async def test_a_choice_with_an_english_label_only_is_refused_naming_the_russian_column(
    surveys_client, world
):
    workbook = bilingual(
        [["select_one yn", "q1", "Satisfied?", "Довольны?"]],
        [["yn", "y", "Yes", "Да"], ["yn", "n", "No", None]],
    )
    answer = await post(surveys_client, world, "lang.xlsx", workbook)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert (error["sheet"], error["row"], error["column"]) == ("choices", 3, "label::Russian (ru)")
    assert "lang" not in await bank_codes(surveys_client, world)


def test_choices_in_english_only_under_a_russian_default_are_named_once():
    workbook = bilingual(
        [["select_one yn", "q1", "Satisfied?", "Довольны?"]],
        [["yn", "y", "Yes"], ["yn", "n", "No"]],
        ["list_name", "name", "label::English (en)"],
    )
    with pytest.raises(XLSFormError) as caught:
        from_xlsform(workbook, filename="lang.xlsx")
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("choices", 2, "label::Russian (ru)")
    assert "(строк: 2)" in problem.message


def test_every_label_in_the_default_language_shows_it_and_keeps_the_other():
    workbook = bilingual(
        [["select_one yn", "q1", "Satisfied?", "Довольны?"], ["text", "q2", None, "Почему?"]],
        [["yn", "y", "Yes", "Да"], ["yn", "n", None, "Нет"]],
    )
    definition = from_xlsform(workbook, filename="lang.xlsx")
    q1 = definition.question("q1")
    assert (q1.text, [o.text for o in q1.options]) == ("Довольны?", ["Да", "Нет"])
    assert q1.translations["English (en)"]["text"] == "Satisfied?"
    assert definition.question("q2").text == "Почему?"


def test_a_hint_in_english_only_is_refused_naming_the_russian_hint_column():
    survey = [
        ["type", "name", "label::Russian (ru)", "hint::English (en)", "hint::Russian (ru)"],
        ["text", "q1", "Почему?", "Tell us", "Расскажите"],
        ["text", "q2", "Что ещё?", "Anything else", None],
    ]
    workbook = build({"survey": survey, "settings": SETTINGS_RU})
    with pytest.raises(XLSFormError) as caught:
        from_xlsform(workbook, filename="hint.xlsx")
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("survey", 3, "hint::Russian (ru)")


def test_a_form_id_without_a_title_is_the_title_as_in_pyxform():
    workbook = build({"survey": SURVEY, "choices": CHOICES, "settings": [["form_id"], ["w14_t"]]})
    definition = from_xlsform(workbook, filename="Что угодно.xlsx")
    assert (definition.code, definition.title) == ("w14_t", "w14_t")
