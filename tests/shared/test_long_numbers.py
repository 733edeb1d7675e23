"""A number written with more digits than Python's int() reads (4300) is refused naming its
row and field and saying which number is expected, never a 500 nor a value the file does not
hold: as the tester sent it, 5,000 nines in a CSV cell, an .xlsx text cell, a posted string,
an assessment export and a survey export. Before, int() raised deep inside the reading of the
cell (or str() did, in the message that showed it), then float8's largest was shown in full.
"""

import pytest
from sqlalchemy import func, select

from services.api.assessments.models import AssessmentResult
from services.api.data_values.models import DataValue
from services.surveys.responses.models import Response
from shared.tabular import Cell, CellType
from shared.validation import MEASURE_MAX
from tests.api.helpers import upload, xlsx
from tests.shared.test_number_bounds import number_campaign
from tests.shared.test_unstorable_input import indicator

LONG = "9" * 5000


@pytest.mark.parametrize("text", [LONG, "-" + LONG, LONG + ",5", "1 " + "000 " * 1500, "9" * 400])
def test_a_cell_of_more_digits_than_a_float_holds_is_text_not_a_number(text):
    """No number we can read: each check then says which number it expects in that column,
    never a value the file does not hold (float8's largest, printed in full)."""
    assert Cell(text.strip()).type == CellType.text


def test_a_long_number_a_float_holds_is_read():
    assert Cell("9" * 301).value == float("9" * 301) > MEASURE_MAX


def test_leading_zeros_do_not_make_a_number_large():
    assert Cell("0" * 5000 + "12").value == 12


async def values_indicator(api_client, world) -> None:
    created = await api_client.post(
        "/v1/indicators", json=indicator("long_value"), headers=world.headers("admin")
    )
    assert created.status_code == 201, created.text


def too_large(summary: dict, index: int) -> None:
    """The row refused naming its value, saying what is expected, not a number it lacks."""
    [rejected] = summary["rejected"]
    assert rejected["index"] == index, summary
    [error] = rejected["errors"]
    assert error["loc"] == ["value"] and "ожидается число" in error["msg"], error
    assert "179769" not in error["msg"], error  # float8's largest, never in the file


async def test_a_data_value_of_thousands_of_digits_is_rejected_in_each_way_it_comes(
    api_client, world, db
):
    await values_indicator(api_client, world)
    s1, s2 = world.s1.id, world.s2.id
    csv = f"indicator_code;organization_id;period;value\nlong_value;{s1};2022;{LONG}\n"
    csv += f"long_value;{s2};2022;5\n"
    summary = await upload(
        api_client, world, "/v1/data-values/upload", "v.csv", csv.encode(), "admin"
    )
    too_large(summary, 2)
    assert summary["imported"] == 1
    sheet = xlsx(
        ["indicator_code", "organization_id", "period", "value"],
        ["long_value", str(s1), "2023", LONG],  # a text cell
    )
    summary = await upload(api_client, world, "/v1/data-values/upload", "v.xlsx", sheet, "admin")
    too_large(summary, 2)
    posted = await api_client.post(
        "/v1/data-values",
        json={
            "values": [
                {"indicator_code": "long_value", "organization_id": str(s1), "period": "2024"}
                | {"value": value}
                for value in (LONG, "-" + LONG + ",5")
            ]
        },
        headers=world.headers("admin"),
    )
    assert posted.status_code == 200, posted.text
    assert [r["index"] for r in posted.json()["rejected"]] == [0, 1], posted.json()
    stored = select(func.count()).select_from(DataValue).where(DataValue.period != "2022")
    assert await db.scalar(stored) == 0


async def test_an_assessment_count_of_thousands_of_digits_is_rejected(api_client, world, db):
    before = await db.scalar(select(func.count()).select_from(AssessmentResult))
    csv = (
        "organization_id;procedure;year;subject;grade;participants;mean_score\n"
        f"{world.s1.id};vpr;2022/2023;Математика;5;{LONG};\n"
        f"{world.s1.id};vpr;2022/2023;Русский язык;5;20;{LONG}\n"
    ).encode()
    summary = await upload(api_client, world, "/v1/assessment-results/upload", "r.csv", csv)
    assert summary["imported"] == 0, summary
    fields = [e["loc"][0] for r in summary["rejected"] for e in r["errors"]]
    assert fields == ["participants", "mean_score"], summary
    assert await db.scalar(select(func.count()).select_from(AssessmentResult)) == before


async def test_a_survey_export_with_a_number_of_thousands_of_digits_refuses_that_row(
    surveys_client, world, db
):
    campaign = await number_campaign(surveys_client, world)
    csv = f"Сколько детей?;Доход\n{LONG};5\n2;3\n".encode()
    answer = await surveys_client.post(
        f"/v1/campaigns/{campaign['id']}/organizations/{world.s1.id}/responses/import",
        params={"dry_run": "false"},
        files={"file": ("export.csv", csv)},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["imported"] == 1 and [r["index"] for r in body["rejected"]] == [2], body
    assert body["rejected"][0]["errors"][0]["loc"] == ["children"], body
    stored = select(func.count()).select_from(Response)
    assert await db.scalar(stored.where(Response.campaign_id == campaign["id"])) == 1
