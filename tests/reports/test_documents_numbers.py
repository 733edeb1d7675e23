"""Numbers in the report documents: rounded once, half up, from the value as computed — a
share of 7 schools of 13 (53.846…) reads «53,8 %», never 53.85 rounded again to «53,9 %» —
and a yes/no indicator of one school is «да» / «нет» in the .xlsx as on the page, not 1 / 0."""

import io

from openpyxl import load_workbook

from services.api.organizations.models import Organization
from shared.value_labels import exact_value, number, value_text
from tests.api.helpers import post_roadmap
from tests.reports.documents_world import AS_OF, PERIOD, N, parse, post_indicator
from tests.reports.helpers import post_values

SITE = "Сайт соответствует требованиям"


def test_a_value_is_rounded_once_half_up():
    assert number(53.846, 1, fixed=True) == "53,8"  # not 53.85 → «53,9»
    assert number(21.546, 1, fixed=True) == "21,5"
    assert number(21.55, 1, fixed=True) == "21,6"  # half up as written, not as a double
    assert number(2.675, 2) == "2,68" and number(-0.04, 1) == "0"
    # The reports service's value rounded to two decimals, and its own numerator and
    # denominator: the share as computed (in percent, or as a ratio), else the value sent.
    assert exact_value({"value": 53.85, "numerator": 7, "denominator": 13}) == 700 / 13
    assert exact_value({"value": 0.54, "numerator": 7, "denominator": 13}) == 7 / 13
    assert exact_value({"value": 21.55, "numerator": 184, "denominator": 854}) == 18400 / 854
    assert exact_value({"value": 3.5, "numerator": 7, "denominator": None}) == 3.5
    assert exact_value({"value": 12.0, "numerator": 7, "denominator": 13}) == 12.0
    assert value_text(700 / 13, "boolean", "territory") == f"53,8{N}%"


async def test_a_share_of_13_schools_and_a_yes_no_read_as_on_the_page(
    api_client, reports_client, db, world
):
    schools = [world.s1, world.s2]
    for n in range(3, 14):
        school = Organization(name=f"Школа {n + 10}", kind="school", territory_id=world.m1.id)
        db.add(school)
        schools.append(school)
    await db.flush()
    answer = await post_roadmap(api_client, world, title="Карта сайтов", period=PERIOD)
    assert answer.status_code == 201, answer.text
    roadmap = answer.json()
    await post_indicator(api_client, world, "site_ok", SITE, "boolean",
                         roadmap_ids=[roadmap["id"]])  # fmt: skip
    rows = [("site_ok", s.id, PERIOD, n < 7) for n, s in enumerate(schools)]  # 7 of 13: yes
    assert (await post_values(api_client, world, rows))["imported"] == 13

    params = {"as_of": AS_OF, "period": PERIOD}
    url = f"/v1/reports/roadmaps/{roadmap['id']}"
    page = await reports_client.get(url, params=params, headers=world.headers("analyst"))
    assert page.status_code == 200, page.text
    table = parse(page.text).tables["indicators"]
    district = next(r for r in table if "Район 1" in r)
    assert f"53,8{N}%" in district, district
    assert f"53,9{N}%" not in page.text

    sheet = await reports_client.get(
        url, params=params | {"format": "xlsx"}, headers=world.headers("analyst")
    )
    values = load_workbook(io.BytesIO(sheet.content))["Показатели"]
    shown = {r[3]: r[4] for r in values.iter_rows(min_row=2, values_only=True) if r[1] == "site_ok"}
    assert abs(shown["Район 1"] - 700 / 13) < 1e-6  # Excel's «0.0 %» shows 53,8
    assert shown["Школа 1"] == "да" and shown["Школа 23"] == "нет"

    card = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD, "format": "xlsx"},
        headers=world.headers("analyst"),
    )
    assert card.status_code == 200, card.text
    book = load_workbook(io.BytesIO(card.content))
    own = {r[1]: r[4] for r in book["Показатели"].iter_rows(min_row=2, values_only=True)}
    assert own["site_ok"] == "да"
