"""Numbers a sum could overflow: a 422 naming the field (or a rejected row), never a 500 or an
infinite aggregate.

Measured values (survey number answers, data values, targets, thresholds, formula constants)
lie within ±10^15 (`shared.validation.Measure`); counts within a 32-bit column. Written as the
tester sent them: 1e308, 10^400, 1.7976931348623157e308, also through the web form.
"""

import uuid
from urllib.parse import urlencode, urlsplit

import httpx
import pytest
from sqlalchemy import select, text

from services.api.indicators.models import Indicator
from services.reports.indicator_values.methods.formula import evaluate
from services.surveys.responses.models import Answer, AnswerTally
from shared.validation import MEASURE_MAX
from tests.shared.test_unstorable_input import indicator, instrument_with, send
from tests.shared.test_validation import count, refused

# --- bounds: numbers that would overflow a sum ----------------------------------------------


async def number_campaign(surveys_client, world) -> dict:
    """An open anonymous campaign in S1 and S3 of an instrument with two number questions."""
    analyst = world.headers("admin")
    added = await surveys_client.post(
        "/v1/instruments",
        json=instrument_with(
            {"code": "children", "type": "number", "text": "Сколько детей?"},
            {"code": "income", "type": "number", "text": "Доход", "required": False},
        ),
        headers=analyst,
    )
    assert added.status_code == 201, added.text
    from tests.surveys.forms import launch

    return await launch(
        surveys_client, world, "bounded_numbers", "parents", [world.s1.id, world.s3.id], who="admin"
    )


async def submit(surveys_client, campaign: dict, organization: uuid.UUID, answers: dict, admin):
    return await send(
        surveys_client,
        "POST",
        f"/v1/campaigns/{campaign['id']}/responses",
        {"organization_id": str(organization), "answers": answers},
        admin,
    )


async def test_number_answers_beyond_the_bound_are_422_every_time(surveys_client, world, db):
    campaign = await number_campaign(surveys_client, world)
    paper = world.headers("admin")  # keyed in from paper: not limited per address
    for value in (1e308, 1e308, 1.7e308, -1e16, 10**400, MEASURE_MAX * 1.0000001):
        answer = await submit(surveys_client, campaign, world.s1.id, {"children": value}, paper)
        body = refused(answer, ["body", "answers", "children"])
        assert "10^15" in body["errors"][0]["msg"]
    for value in (MEASURE_MAX, -MEASURE_MAX, MEASURE_MAX, 3):
        answer = await submit(surveys_client, campaign, world.s1.id, {"children": value}, paper)
        assert answer.status_code == 201, answer.text
    sums = await db.scalar(
        select(AnswerTally.number_sum).where(
            AnswerTally.campaign_id == uuid.UUID(campaign["id"]),
            AnswerTally.question == "children",
            AnswerTally.value == "*",
        )
    )
    assert sums == MEASURE_MAX + 3


@pytest.mark.parametrize(
    "typed",
    ["NaN", "Infinity", "-inf", "1e308", "9" * 400, "1,7976931348623157e308", "\ud800"],
)
async def test_the_web_form_takes_no_unbounded_number_and_stores_nothing(
    apps, surveys_client, world, db, typed
):
    """What a browser could be made to post into a number field: the form comes back (422)
    with the error at the question, nothing is stored."""
    campaign = await number_campaign(surveys_client, world)
    link = next(
        urlsplit(link["url"]).path
        for link in campaign["links"]
        if link["organization_id"] == str(world.s1.id)
    )
    fields = {"children": typed, "income": "5"}
    content = urlencode(fields, encoding="utf-8", errors="surrogatepass")
    address = f"198.51.100.{len(typed) % 250}"  # a browser of its own, within the public limit
    transport = httpx.ASGITransport(app=apps.surveys, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="http://surveys") as browser:
        answer = await browser.post(
            link, content=content, headers={"content-type": "application/x-www-form-urlencoded"}
        )
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("text/html")
    assert "Ожидается число" in answer.text or "ожидается число" in answer.text
    assert await count(db, Answer, Answer.campaign_id == uuid.UUID(campaign["id"])) == 0


async def test_a_tally_broken_before_the_bound_does_not_break_later_answers(
    surveys_client, world, db
):
    campaign = await number_campaign(surveys_client, world)
    campaign_id = uuid.UUID(campaign["id"])
    paper = world.headers("admin")
    for school in (world.s1.id, world.s3.id):
        first = await submit(surveys_client, campaign, school, {"children": 2}, paper)
        assert first.status_code == 201, first.text
    # As an earlier version left it: 1e308 accepted and summed in S1's row.
    await db.execute(
        text(
            "UPDATE surveys.answer_tally SET number_sum = 1e308 WHERE campaign_id = :c "
            "AND organization_id = :o AND question = 'children' AND value = '*'"
        ),
        {"c": campaign_id, "o": world.s1.id},
    )
    for _ in range(3):
        later = await submit(
            surveys_client, campaign, world.s1.id, {"children": MEASURE_MAX}, paper
        )
        assert later.status_code == 201, later.text
    for level in ("organization", "territory"):
        aggregates = await surveys_client.get(
            f"/v1/campaigns/{campaign_id}/aggregates?level={level}", headers=paper
        )
        assert aggregates.status_code == 200, aggregates.text
    assert await count(db, Answer, Answer.campaign_id == campaign_id) == 5


async def test_instrument_bounds_beyond_the_measure_are_422(surveys_client, world, db):
    question = {"code": "q1", "type": "number", "text": "Сколько?", "max": 1e300}
    answer = await surveys_client.post(
        "/v1/instruments", json=instrument_with(question), headers=world.headers("admin")
    )
    refused(answer, ["body", "sections", 0, "questions", 0, "max"])


@pytest.mark.parametrize(
    "value", [1e16, -1e300, 10**400, "1e400", "NaN", "-inf", 1.7976931348623157e308]
)
async def test_data_values_beyond_the_bound_are_rejected_in_the_summary(
    api_client, world, db, value
):
    analyst = world.headers("analyst")
    created = await api_client.post(
        "/v1/indicators", json=indicator("bounded_value"), headers=analyst
    )
    assert created.status_code == 201, created.text
    rows = [
        {
            "indicator_code": "bounded_value",
            "organization_id": str(world.s1.id),
            "period": "2022",
            "value": value,
        },
        {
            "indicator_code": "bounded_value",
            "organization_id": str(world.s2.id),
            "period": "2022",
            "value": MEASURE_MAX,
        },
    ]
    answer = await api_client.post("/v1/data-values", json={"values": rows}, headers=analyst)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["imported"] == 1
    [rejected] = summary["rejected"]
    assert rejected["index"] == 0 and rejected["errors"][0]["loc"] == ["value"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        ({"target": {"op": ">=", "value": 1e16}}, ["body", "target", "value"]),
        ({"targets": [{"op": ">=", "value": -1e300}]}, ["body", "targets", 0, "value"]),
        ({"params": {"value_type": "number", "min": 1e300}}, ["body", "params", "min"]),
        (
            {"method": "formula", "unit": "number", "params": {"numerator": "1e999 * 2"}},
            ["body", "params", "numerator"],
        ),
        (
            {"method": "formula", "unit": "number", "params": {"numerator": "2", "scale": 1e16}},
            ["body", "params", "scale"],
        ),
    ],
)
async def test_indicator_numbers_beyond_the_bound_are_422(api_client, world, db, body, loc):
    answer = await api_client.post(
        "/v1/indicators", json=indicator("bounded_target") | body, headers=world.headers("admin")
    )
    refused(answer, loc)
    assert await count(db, Indicator, Indicator.code == "bounded_target") == 0


async def test_a_rule_threshold_beyond_the_bound_is_422(reports_client, world):
    rule = {
        "code": "huge_rule",
        "title": "Правило",
        "condition": "indicator_below",
        "params": {"threshold": 1e300},
        "addressee_type": "authority",
        "template": "{indicator}",
    }
    answer = await reports_client.post(
        "/v1/recommendation-rules", json=rule, headers=world.headers("admin")
    )
    assert answer.status_code == 422, answer.text
    assert "10^15" in answer.text


def test_a_formula_past_float8_has_no_value():
    terms = {"a": MEASURE_MAX}
    assert evaluate("a.value * a.value", lambda code, _: terms[code]) == MEASURE_MAX**2
    huge = " * ".join(["a.value"] * 30)
    assert evaluate(huge, lambda code, _: terms[code]) is None
    assert evaluate(f"({huge}) - ({huge})", lambda code, _: terms[code]) is None


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("participants", 2**40),
        ("mean_score", 10**400),
        ("mean_score", 1e300),
        ("marks", {"2": 2**40, "3": 0, "4": 0, "5": 0}),
        ("score_distribution", {"5": 2**40}),
        ("score_distribution", {str(10**30): 20}),
        ("lowered", 10**25),
    ],
)
async def test_assessment_numbers_beyond_a_column_are_rejected_in_the_summary(
    api_client, world, field, value
):
    row = {
        "organization_id": str(world.s1.id),
        "procedure": "vpr",
        "year": "2022/2023",
        "subject": "Математика",
        "grade": 5,
        "participants": 20,
    } | {field: value}
    answer = await api_client.post(
        "/v1/assessment-results", json={"results": [row]}, headers=world.headers("analyst")
    )
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["imported"] == 0 and summary["rejected"][0]["index"] == 0, summary
