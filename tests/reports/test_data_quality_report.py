"""The roadmap report's «Качество данных» and its published view: three schools around a due
date with their completeness, timeliness, lateness and approval, the territory pooled, in HTML
and in the spreadsheet; a leader sees only their own school; the published report shows only
approved values and says which data it shows."""

import io
import re
from datetime import UTC, datetime

from openpyxl import load_workbook

from tests.reports.documents_world import N, parse
from tests.reports.helpers import PERIOD, post_values
from tests.reports.quality_world import (
    COLLECTION,
    approve,
    first_stored,
    one_of_two_approved,
    quality_world,
    school_roadmap,
    three_schools,
)

HEADING = f"«{COLLECTION}»: приём с 01.09.2021 по 01.10.2021"


async def _report(client, world, roadmap_id, who="analyst", **params):
    answer = await client.get(
        f"/v1/reports/roadmaps/{roadmap_id}",
        params={"period": PERIOD, **params},
        headers=world.headers(who),
    )
    return answer


def _group(page, heading=HEADING) -> list[list[str]]:
    """The rows of the collection `heading` in the completeness table."""
    rows = page.tables["quality-completeness"]
    start = rows.index([heading]) + 1
    end = next((i for i in range(start, len(rows)) if len(rows[i]) == 1), len(rows))
    return rows[start:end]


async def test_the_section_lists_three_schools_around_the_due_date(
    api_client, reports_client, db, settings
):
    world = await quality_world(db, settings)
    await three_schools(api_client, db, world)
    await approve(api_client, world, world.s1)

    answer = await _report(reports_client, world, world.r1.id)
    assert answer.status_code == 200, answer.text
    page = parse(answer.text)
    assert page.tables["quality-completeness"][0] == [
        "Организация",
        "Ожидается",
        "Внесено",
        "Внесено в срок",
        "Полнота",
        "Своевременность",
        "Просрочено",
        "Утверждение",
    ]
    assert _group(page) == [
        ["Школа 1", "2", "2", "2", f"100,0{N}%", f"100,0{N}%", "нет", "утверждено"],
        ["Школа 2", "2", "2", "0", f"100,0{N}%", f"0,0{N}%", "нет", "не представлено"],
        ["Школа 10", "2", "1", "1", f"50,0{N}%", f"50,0{N}%", "да", "не представлено"],
        ["Итого: Район 1", "6", "5", "3", f"83,3{N}%", f"50,0{N}%", "1 из 3", "утверждено: 1 из 3"],
    ]
    # The world's own collection of e_planning (and its spare): S1's data wait for approval.
    rows = page.tables["quality-completeness"]
    assert rows.count(["«Сбор данных»: приём с 01.09.2021 по 01.10.2021"]) == 2
    assert [
        "Школа 1",
        "1",
        "1",
        "1",
        f"100,0{N}%",
        f"100,0{N}%",
        "нет",
        "представлено на утверждение",
    ] in rows

    sheet = await _report(reports_client, world, world.r1.id, format="xlsx")
    assert sheet.status_code == 200, sheet.text
    book = load_workbook(io.BytesIO(sheet.content))
    rows = [r for r in book["Качество данных"].iter_rows(min_row=2, values_only=True)]
    mine = [r[1:] for r in rows if r[0] == HEADING]
    assert mine == [
        ("Школа 1", 2, 2, 2, 100.0, 100.0, "нет", "утверждено"),
        ("Школа 2", 2, 2, 0, 100.0, 0.0, "нет", "не представлено"),
        ("Школа 10", 2, 1, 1, 50.0, 50.0, "да", "не представлено"),
        ("Итого: Район 1", 6, 5, 3, 83.3, 50.0, "1 из 3", "утверждено: 1 из 3"),
    ]


async def test_a_leader_sees_only_their_own_school_in_the_section(
    api_client, reports_client, db, settings
):
    world = await quality_world(db, settings)
    await three_schools(api_client, db, world)
    own = {
        who: await school_roadmap(api_client, world, who, school)
        for who, school in (("leader", world.s1), ("leader2", world.s2))
    }

    answer = await _report(reports_client, world, own["leader2"], who="leader2")
    assert answer.status_code == 200, answer.text
    assert _group(parse(answer.text)) == [
        ["Школа 2", "2", "2", "0", f"100,0{N}%", f"0,0{N}%", "нет", "не представлено"],
        ["Итого: Школа 2", "2", "2", "0", f"100,0{N}%", f"0,0{N}%", "0 из 1", "утверждено: 0 из 1"],
    ]
    assert "Школа 1" not in answer.text and "Школа 10" not in answer.text
    # Another school's report, and the municipality's, stay closed to S2's leader.
    for roadmap in (own["leader"], world.r1.id):
        assert (await _report(reports_client, world, roadmap, who="leader2")).status_code == 404
    sheet = await _report(reports_client, world, own["leader2"], who="leader2", format="xlsx")
    book = load_workbook(io.BytesIO(sheet.content))
    names = {r[1] for r in book["Качество данных"].iter_rows(min_row=2, values_only=True)}
    assert names == {"Школа 2", "Итого: Школа 2"}


async def test_the_published_report_shows_approved_values_and_says_so(
    api_client, reports_client, db, settings
):
    world = await quality_world(db, settings)
    await one_of_two_approved(api_client, world)

    working = await _report(reports_client, world, world.r1.id)
    assert "Данные: рабочие данные" in working.text
    # The page leads to its spreadsheet and to the other view, keeping the period.
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', _views(working.text)))
    period = PERIOD  # as the period arrows write it
    assert links == {
        f"?period={period}&amp;format=xlsx": "Скачать .xlsx",
        f"?period={period}&amp;approved_only=true": "Показать опубликованные (утверждённые) данные",
    }
    rows = parse(working.text).tables["indicators"]
    trained = {r[1]: r[2] for r in rows if len(r) == 7 and r[0] == "организация"}
    assert trained["Школа 1"] == f"90,0{N}%" and trained["Школа 2"] == f"50,0{N}%"

    published = await _report(reports_client, world, world.r1.id, approved_only="true")
    assert published.status_code == 200, published.text
    assert "Данные: опубликованные (утверждённые) данные" in published.text
    links = dict(re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)</a>', _views(published.text)))
    assert links == {
        f"?period={period}&amp;format=xlsx&amp;approved_only=true": "Скачать .xlsx",
        f"?period={period}": "Показать рабочие данные",
    }
    # (Its links to other periods keep the view: test_documents_in_a_browser; this world's
    # data is of one period, so the report offers none.)
    rows = parse(published.text).tables["indicators"]
    shown = {(r[1], r[2]) for r in rows if len(r) == 7 and r[0] in ("организация", "территория")}
    assert ("Школа 1", f"90,0{N}%") in shown and ("Район 1", f"90,0{N}%") in shown
    assert ("Школа 2", f"50,0{N}%") not in shown

    sheet = await _report(reports_client, world, world.r1.id, approved_only="true", format="xlsx")
    book = load_workbook(io.BytesIO(sheet.content))
    passport = dict(book["Паспорт"].iter_rows(min_row=2, values_only=True))
    assert passport["Данные"] == "опубликованные (утверждённые) данные"
    card = await reports_client.get(
        f"/v1/reports/organizations/{world.s2.id}",
        params={"period": PERIOD, "approved_only": "true"},
        headers=world.headers("leader2"),
    )
    assert card.status_code == 200, card.text
    assert "Данные: опубликованные (утверждённые) данные" in card.text
    assert f"50,0{N}%" not in card.text

    # A stray value of an earlier period, not approved: the working view links to it, the
    # published one (no approved data there) does not.
    await post_values(api_client, world, [("trained", world.s1.id, "2019/2020", 70.0)])
    working = await _report(reports_client, world, world.r1.id)
    assert "2019/2020" in _other_periods(working.text)
    published = await _report(reports_client, world, world.r1.id, approved_only="true")
    assert "2019/2020" not in _other_periods(published.text)


def _views(page: str) -> str:
    """The text of the report's «Другие формы документа» navigation."""
    found = re.search(r'<nav class="periods views"[^>]*>(.*?)</nav>', page, re.S)
    return found.group(1) if found else ""


def _other_periods(page: str) -> str:
    """The text of the report's «Другие периоды» navigation ("" when it offers none)."""
    found = re.search(r'<nav class="periods"[^>]*>(.*?)</nav>', page, re.S)
    return found.group(1) if found else ""


async def test_a_value_is_timely_until_the_end_of_the_due_date_in_the_settings_time_zone(
    api_client, reports_client, db, settings
):
    """The due date is a day in SOKO_TIMEZONE (Moscow, UTC+3): 23:30 there on 1 October is in
    time, half past midnight on the 2nd is not, though both are 1 October in UTC."""
    assert settings.timezone == "Europe/Moscow"
    world = await quality_world(db, settings)
    await three_schools(api_client, db, world)
    await first_stored(db, world.s2, "e_planning", datetime(2021, 10, 1, 20, 30, tzinfo=UTC))
    await first_stored(db, world.s2, "trained", datetime(2021, 10, 1, 21, 30, tzinfo=UTC))

    answer = await _report(reports_client, world, world.r1.id)
    assert answer.status_code == 200, answer.text
    [s2] = [r for r in _group(parse(answer.text)) if r[0] == "Школа 2"]
    assert s2[1:6] == ["2", "2", "1", f"100,0{N}%", f"50,0{N}%"]
