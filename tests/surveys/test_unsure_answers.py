"""«Затрудняюсь ответить» on a likert question that allows it (`allow_unsure`): offered by the
form, stored as the answer "unsure", and counted in no denominator: neither the aggregates'
mean and positive share nor the reports' indicator values, which read the same tallies."""

from typing import Any

import pytest
from pydantic import ValidationError
from sqlalchemy import select

from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.instruments.xlsform import XLSFormError, from_xlsform, to_xlsform
from services.surveys.responses.models import Answer
from services.surveys.responses.scoring import check_answers
from tests.disclosure_world import close
from tests.reports.helpers import read_values
from tests.surveys.forms import Dom, answer_as_parents, launch, link_of
from tests.surveys.test_xlsform import build, sheet_rows

UNSURE_TEXT = "Затрудняюсь ответить"


def instrument(**calm: Any) -> dict[str, Any]:
    """A parents' questionnaire: `calm` (likert, «затрудняюсь ответить» allowed unless
    `calm` says otherwise) and `clean` (likert, not allowed)."""
    return {
        "code": "unsure_check",
        "kind": "satisfaction",
        "title": "Спокойствие и чистота",
        "description": "Анкета для родителей",
        "audience": ["parents"],
        "sections": [
            {
                "code": "main",
                "title": "Вопросы",
                "questions": [
                    {"code": "calm", "type": "likert5", "text": "Спокойно ли ребёнку в школе?"}
                    | {"allow_unsure": True}
                    | calm,
                    {"code": "clean", "type": "likert5", "text": "Чисто ли в школе?"},
                ],
            }
        ],
    }


def test_the_flag_is_a_likert_questions_and_false_is_not_stored():
    definition = InstrumentDefinition.model_validate(instrument())
    assert definition.question("calm").allow_unsure is True
    assert definition.question("clean").allow_unsure is None
    off = InstrumentDefinition.model_validate(instrument(allow_unsure=False))
    dumped = off.model_dump(mode="json", by_alias=True, exclude_none=True)
    assert "allow_unsure" not in dumped["sections"][0]["questions"][0]
    single = instrument(type="single", options=[{"code": "a", "text": "А"}])
    with pytest.raises(ValidationError) as refused:
        InstrumentDefinition.model_validate(single)
    assert "вопрос «calm»: allow_unsure («затрудняюсь ответить») не бывает у вопроса" in str(
        refused.value
    )


def test_unsure_is_an_answer_only_where_allowed():
    definition = InstrumentDefinition.model_validate(instrument())
    assert check_answers(definition, {"calm": "unsure", "clean": 3}, complete=True).errors == []
    [error] = check_answers(definition, {"calm": 4, "clean": "unsure"}, complete=True).errors
    assert error["loc"] == ["body", "answers", "clean"]
    assert error["msg"] == "ожидается целое число от 1 до 5"


def test_the_flag_goes_through_xlsform_and_back():
    definition = InstrumentDefinition.model_validate(instrument())
    data = to_xlsform(definition)
    assert from_xlsform(data) == definition
    header, *rows = sheet_rows(data, "survey")
    column = header.index("allow_unsure")
    padded = [(*row, *[None] * (column + 1 - len(row))) for row in rows]
    flags = {row[1]: row[column] for row in padded}
    assert (flags["calm"], flags["clean"]) == ("yes", None)
    # A cell that is neither yes nor no is refused, naming its place.
    sheets = {
        name: [list(row) for row in sheet_rows(data, name)] for name in ("survey", "settings")
    }
    calm = next(row for row in sheets["survey"] if len(row) > 1 and row[1] == "calm")
    calm[column] = "иногда"
    with pytest.raises(XLSFormError) as refused:
        from_xlsform(build(sheets))
    assert (refused.value.sheet, refused.value.column) == ("survey", "allow_unsure")
    assert "ожидается yes или no, а написано «иногда»" in str(refused.value)


async def add_instrument(surveys_client, world) -> None:
    added = await surveys_client.post(
        "/v1/instruments", json=instrument(), headers=world.headers("analyst")
    )
    assert added.status_code == 201, added.text


async def test_the_form_offers_unsure_and_stores_it(surveys_client, form, world, db):
    await add_instrument(surveys_client, world)
    campaign = await launch(surveys_client, world, "unsure_check", "parents", [world.s1.id])
    page = Dom((await form.get(link_of(campaign))).text)
    calm = [str(c["value"]) for c in page.named("calm")]
    assert calm == ["1", "2", "3", "4", "5", "unsure"]
    assert page.label("f-calm-5") == UNSURE_TEXT  # its label only, no point before it
    assert [c["value"] for c in page.named("clean")] == ["1", "2", "3", "4", "5"]
    sent = await form.post(link_of(campaign), data={"calm": "unsure", "clean": "4"})
    assert sent.status_code == 303, sent.text
    stored = sorted(
        (a.question, a.option, a.number, a.positive) for a in await db.scalars(select(Answer))
    )
    assert stored == [("calm", "unsure", None, None), ("clean", None, 4.0, True)]


# Six parents of S1. `calm`: 5, 5, 4, 2, 1 and one «затрудняюсь ответить»; `clean`: 4 each.
CALM = [5, 5, 4, 2, 1, "unsure"]
INDICATORS = [
    {
        "code": "calm_positive",
        "name": "Доля родителей, которым ребёнку в школе спокойно",
        "unit": "percent",
        "level": "organization",
        "method": "survey_positive_share",
        "params": {
            "instrument_code": "unsure_check",
            "question_codes": ["calm"],
            "audience": "parents",
        },
        "min_n": 5,
    },
    {
        "code": "calm_mean",
        "name": "Средний балл спокойствия",
        "unit": "score",
        "level": "organization",
        "method": "survey_mean",
        "params": {"instrument_code": "unsure_check", "audience": "parents"},
        "min_n": 5,
    },
]


async def test_unsure_answers_count_in_no_share_no_mean_no_indicator(
    apps, api_client, surveys_client, reports_client, world
):
    await add_instrument(surveys_client, world)
    campaign = await launch(surveys_client, world, "unsure_check", "parents", [world.s1.id])
    answers = [(world.s1.id, {"calm": calm, "clean": 4}) for calm in CALM]
    await answer_as_parents(apps, campaign["id"], answers)
    await close(surveys_client, world, campaign)  # its figures are out at the close

    aggregates = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/aggregates?level=organization",
        headers=world.headers("analyst"),
    )
    [s1] = aggregates.json()["items"]
    assert s1["n"] == 6 and s1["suppressed"] is False  # six parents answered
    calm = next(q for q in s1["questions"] if q["code"] == "calm")
    assert calm["counts"] == {"1": 1, "2": 1, "4": 1, "5": 2, "unsure": 1}
    # Five answers on the scale: positive (4 or 5) 3 of 5 = 60.0 %, not 3 of 6 = 50.0 %;
    # mean (5 + 5 + 4 + 2 + 1) / 5 = 17 / 5 = 3.4, not 17 / 6.
    assert (calm["n"], calm["positive"], calm["rated"]) == (5, 3, 5)
    assert (calm["positive_share"], calm["mean"]) == (60.0, 3.4)

    analyst = world.headers("analyst")
    for definition in INDICATORS:
        answer = await api_client.post("/v1/indicators", json=definition, headers=analyst)
        assert answer.status_code == 201, answer.text
    values = await read_values(reports_client, world, limit=500)
    assert values.status_code == 200, values.text
    items = {(i["indicator_code"], i["scope_id"]): i for i in values.json()["items"]}
    share = items[("calm_positive", str(world.s1.id))]
    assert (share["value"], share["numerator"], share["denominator"]) == (60.0, 3, 5)
    # Pooled over both questions, answers on the scale only: (17 + 6 × 4) / (5 + 6) = 41 / 11.
    mean = items[("calm_mean", str(world.s1.id))]
    assert mean["value"] == pytest.approx(41 / 11, abs=0.01)
