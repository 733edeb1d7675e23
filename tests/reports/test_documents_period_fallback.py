"""A roadmap of 2026/2027 opened before anything of that year was reported showed «Период
отчёта: 2025/2026» unexplained: the report (and a school's card) keep that fallback to the
latest period with data, and say it, on the page and in the .xlsx."""

import io

from openpyxl import load_workbook

from shared.periods import academic_year_of
from tests.api.helpers import post_roadmap
from tests.reports.documents_world import post_indicator
from tests.reports.helpers import post_values


async def test_a_document_of_a_period_without_data_says_which_it_shows(
    api_client, reports_client, world, settings
):
    year = academic_year_of(settings.today())
    before = year.previous
    answer = await post_roadmap(api_client, world, title="Карта нового года", period=year.code)
    assert answer.status_code == 201, answer.text
    roadmap = answer.json()
    await post_indicator(api_client, world, "covered", "Охват", "percent",
                         roadmap_ids=[roadmap["id"]])  # fmt: skip
    rows = [("covered", world.s1.id, before.code, 60), ("covered", world.s2.id, before.code, 70)]
    await post_values(api_client, world, rows)
    said = f"За {year.code} данных пока нет — показан последний период с данными: {before.code}."

    analyst = world.headers("analyst")
    url = f"/v1/reports/roadmaps/{roadmap['id']}"
    page = await reports_client.get(url, headers=analyst)
    assert page.status_code == 200, page.text
    assert f"Период отчёта: {before.code}" in page.text and said in page.text
    book = load_workbook(io.BytesIO((await reports_client.get(
        url, params={"format": "xlsx"}, headers=analyst)).content))  # fmt: skip
    passport = dict(book["Паспорт"].iter_rows(min_row=2, values_only=True))
    assert passport["Период отчёта"] == before.code
    assert passport["Период отчёта — примечание"] == said

    card = f"/v1/reports/organizations/{world.s1.id}"
    page = await reports_client.get(card, headers=analyst)
    assert page.status_code == 200, page.text
    assert f"Период: {before.code}" in page.text and said in page.text
    # Asked for a period, or showing its own: nothing to explain.
    asked = await reports_client.get(card, params={"period": before.code}, headers=analyst)
    assert asked.status_code == 200 and "данных пока нет" not in asked.text
