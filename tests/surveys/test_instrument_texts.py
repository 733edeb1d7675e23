"""The texts of an instrument being added — questions, options, hints, titles — hold no
invisible character that changes how they read: a direction override (U+202E) showed a
question's words reversed on the parents' form, a zero-width space made two options that read
alike differ. Refused naming the place (the JSON field; the XLSForm sheet, row and column), as
organization and roadmap names are; line breaks, soft hyphens and the joiners of emoji
sequences are kept. A definition stored before is read as it was kept."""

import pytest
from sqlalchemy import text

from tests.surveys.test_xlsform import build
from tests.surveys.test_xlsform_follow_ups import CHOICES, SURVEY, post

pytestmark = pytest.mark.usefixtures("world")

RLO, ZWSP, BOM = "\u202e", "\u200b", "\ufeff"


def instrument(question: str, option: str = "Да", title: str = "Анкета") -> dict:
    return {
        "code": "texts_check",
        "kind": "satisfaction",
        "title": title,
        "description": "",
        "audience": ["parents"],
        "sections": [
            {
                "code": "main",
                "title": "Раздел",
                "questions": [
                    {
                        "code": "q1",
                        "type": "single",
                        "text": question,
                        "options": [{"code": "y", "text": option}, {"code": "n", "text": "Нет"}],
                    }
                ],
            }
        ],
    }


@pytest.mark.parametrize(
    ("body", "loc", "code"),
    [
        (instrument(f"Оцените {RLO}питание"), ["sections", 0, "questions", 0, "text"], "202E"),
        (instrument("Питание", option=f"Д{ZWSP}а"), ["options", 0, "text"], "200B"),
        (instrument("Питание", title=f"{BOM}Анкета"), ["title"], "FEFF"),
    ],
)
async def test_an_invisible_character_in_a_posted_definition_is_refused(
    surveys_client, world, body, loc, code
):
    answer = await surveys_client.post(
        "/v1/instruments", json=body, headers=world.headers("analyst")
    )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    [error] = answer.json()["errors"]
    assert error["loc"][-len(loc) :] == loc, error
    assert f"U+{code}" in error["msg"] and "уберите его" in error["msg"], error
    listed = await surveys_client.get("/v1/instruments?limit=500", headers=world.headers("viewer"))
    assert "texts_check" not in {i["code"] for i in listed.json()["items"]}


async def test_line_breaks_soft_hyphens_and_emoji_joiners_are_kept(surveys_client, world):
    family = "\U0001f468\u200d\U0001f469\u200d\U0001f467"
    body = instrument(f"Оцените\nпита\u00adние {family}")
    answer = await surveys_client.post(
        "/v1/instruments", json=body, headers=world.headers("analyst")
    )
    assert answer.status_code == 201, answer.text
    [question] = answer.json()["definition"]["sections"][0]["questions"]
    assert question["text"] == body["sections"][0]["questions"][0]["text"]


async def test_an_invisible_character_in_an_xlsform_label_is_named_by_its_cell(
    surveys_client, world
):
    survey = [list(row) for row in SURVEY]
    survey[1][2] = f"Вы посещали {RLO}школу?"
    workbook = build({"survey": survey, "choices": CHOICES})
    answer = await post(surveys_client, world, "texts.xlsx", workbook)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert (error["sheet"], error["row"], error["column"]) == ("survey", 2, "label"), error
    assert "U+202E" in error["msg"], error


async def test_a_definition_stored_before_is_read_as_kept(surveys_client, world, db):
    answer = await surveys_client.post(
        "/v1/instruments", json=instrument("Питание"), headers=world.headers("analyst")
    )
    assert answer.status_code == 201, answer.text
    kept = f"Оцените {ZWSP}питание"
    await db.execute(
        text(
            "UPDATE surveys.instrument_version SET definition = jsonb_set(definition, "
            "'{sections,0,questions,0,text}', to_jsonb(CAST(:kept AS text)))"
            " WHERE instrument_id = :id"
        ),
        {"kept": kept, "id": answer.json()["id"]},
    )
    read = await surveys_client.get(
        f"/v1/instruments/{answer.json()['id']}", headers=world.headers("viewer")
    )
    assert read.status_code == 200, read.text
    assert read.json()["definition"]["sections"][0]["questions"][0]["text"] == kept


def translated(question: str, option: str) -> dict:
    """The instrument with an English translation of its question and of its first option."""
    body = instrument("Питание")
    [q] = body["sections"][0]["questions"]
    q["translations"] = {"English (en)": {"text": question}}
    q["options"][0]["translations"] = {"English (en)": {"text": option}}
    return body


@pytest.mark.parametrize(
    ("body", "loc", "code"),
    [
        (
            translated(f"Rate {RLO}the meals", "Yes"),
            ["questions", 0, "translations", "English (en)", "text"],
            "202E",
        ),
        (
            translated("Rate the meals", f"Y{ZWSP}es"),
            ["options", 0, "translations", "English (en)", "text"],
            "200B",
        ),
    ],
)
async def test_an_invisible_character_in_a_translation_is_refused(
    surveys_client, world, body, loc, code
):
    """A translation is read on the form in its language as the text is in Russian."""
    answer = await surveys_client.post(
        "/v1/instruments", json=body, headers=world.headers("analyst")
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"][-len(loc) :] == loc, error
    assert f"U+{code}" in error["msg"], error


@pytest.mark.parametrize(
    ("sheet", "row", "value"),
    [
        ("survey", 2, f"Did you visit {RLO}the school?"),
        ("choices", 2, f"Y{BOM}es"),
    ],
)
async def test_an_invisible_character_in_a_translated_xlsform_label_is_named_by_its_cell(
    surveys_client, world, sheet, row, value
):
    english = {"survey": ["Visited?", "Comment"], "choices": ["Yes", "No"]}
    survey = [
        [*r, e] for r, e in zip(SURVEY, ["label::English (en)", *english["survey"]], strict=True)
    ]
    choices = [
        [*r, e] for r, e in zip(CHOICES, ["label::English (en)", *english["choices"]], strict=True)
    ]
    {"survey": survey, "choices": choices}[sheet][row - 1][-1] = value
    workbook = build({"survey": survey, "choices": choices})
    answer = await post(surveys_client, world, "texts.xlsx", workbook)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert (error["sheet"], error["row"], error["column"]) == (
        sheet,
        row,
        "label::English (en)",
    ), error


async def test_clean_translations_are_added(surveys_client, world):
    answer = await surveys_client.post(
        "/v1/instruments",
        json=translated("Rate\nthe meals", "Yes"),
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 201, answer.text
    [q] = answer.json()["definition"]["sections"][0]["questions"]
    assert q["translations"]["English (en)"]["text"] == "Rate\nthe meals"


@pytest.mark.parametrize(
    ("sheet", "column", "value"),
    [
        ("survey", "label::Russian (ru)", f"{BOM}Вы посещали школу?"),
        ("survey", "hint::Russian (ru)", f"Подсказка{ZWSP}"),
        ("choices", "label::Russian (ru)", f"Д{RLO}а"),
    ],
)
async def test_a_text_read_from_the_form_s_language_column_is_named_by_it_once(
    surveys_client, world, sheet, column, value
):
    """A form whose texts are all in language columns (`label::Russian (ru)`, no plain
    `label`): the question's text is read from the Russian one, and is its translation too —
    one problem, at the column the sheet has."""
    survey = [
        ["type", "name", "label::Russian (ru)", "hint::Russian (ru)"],
        ["select_one yn", "visited", "Вы посещали школу?", "Подсказка"],
        ["text", "comment", "Комментарий", ""],
    ]
    choices = [["list_name", "name", "label::Russian (ru)"], ["yn", "y", "Да"], ["yn", "n", "Нет"]]
    table = {"survey": survey, "choices": choices}[sheet]
    table[1][table[0].index(column)] = value
    settings = [["default_language"], ["Russian (ru)"]]
    workbook = build({"survey": survey, "choices": choices, "settings": settings})
    answer = await post(surveys_client, world, "texts.xlsx", workbook)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert (error["sheet"], error["row"], error["column"]) == (sheet, 2, column), error


@pytest.mark.parametrize("label", ["label", "label::Russian (ru)"])
async def test_an_invisible_character_in_the_form_title_is_said_once_at_its_cell(
    surveys_client, world, label
):
    """The form's title is also the title of its questions' section when they are in no
    group: one problem, at settings' form_title, none made up at the first question."""
    survey = [["type", "name", label], *SURVEY[1:]]
    choices = [["list_name", "name", label], *CHOICES[1:]]
    settings = [["form_title", "default_language"], [f"Анкета{ZWSP}", "Russian (ru)"]]
    workbook = build({"survey": survey, "choices": choices, "settings": settings})
    answer = await post(surveys_client, world, "texts.xlsx", workbook)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert (error["sheet"], error["row"], error["column"]) == ("settings", 2, "form_title"), error


async def test_an_invisible_character_in_a_nested_group_s_label_is_named_at_its_row(
    surveys_client, world
):
    survey = [
        ["type", "name", "label"],
        ["begin group", "outer", "Школа"],
        ["begin group", "inner", f"Питание{RLO}"],
        ["select_one yn", "visited", "Вы посещали школу?"],
        ["end group", "", ""],
        ["end group", "", ""],
    ]
    workbook = build({"survey": survey, "choices": CHOICES})
    answer = await post(surveys_client, world, "texts.xlsx", workbook)
    assert answer.status_code == 422, answer.text
    places = {(e["sheet"], e["row"]) for e in answer.json()["errors"]}
    assert places == {("survey", 3)}, answer.json()["errors"]
