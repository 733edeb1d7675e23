"""The report documents end to end: a roadmap's analytical report and a school's report card,
as HTML (parsed with the standard library) and as .xlsx (opened with openpyxl). The data and
the hand-computed numbers are in documents_world.py.
"""

import io
import re
from datetime import date

from openpyxl import load_workbook

from tests.api.helpers import post_roadmap
from tests.reports.documents_world import (
    AS_OF,
    MENTORS,
    PERIOD,
    SVG,
    TRAINED,
    XLSX,
    N,
    add_recommendations,
    charts,
    parse,
    recommendation,
    roadmap_with_indicators,
)
from tests.reports.test_nok import SHOWN
from tests.reports.test_nok import arrange as arrange_nok
from tests.reports.test_nok_compute import EXPECTED_CRITERIA

# How a cluster's or territory's figure of "trained" (a data value in percent) is obtained.
MEAN = "среднее по организациям, без учёта их численности"


async def get_report(reports_client, world, roadmap_id, who="analyst", **params):
    return await reports_client.get(
        f"/v1/reports/roadmaps/{roadmap_id}",
        params={"as_of": AS_OF, **params},
        headers=world.headers(who),
    )


async def test_html_report_shows_indicators_charts_execution_and_decisions(
    api_client, reports_client, db, world
):
    roadmap = await roadmap_with_indicators(api_client, world)
    await add_recommendations(db, world)
    # No period: the roadmap's own (2021/2022).
    answer = await get_report(reports_client, world, roadmap["id"])
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    body = answer.text
    assert "<script" not in body and "&lt;script&gt;" in body  # the passport text is escaped
    page = parse(body)
    # Every section numbered in order, those after the sixth as they come.
    headings = re.findall(r"<h2>(\d+)\. ", body)
    assert headings == ["1", "2", "3", "4", "5", "6", "7", "8"], headings
    assert "<h2>7. Качество данных</h2>" in body

    assert ["Задачи", "Снизить долю <script>alert(1)</script> без КПК"] in page.tables["passport"]
    rows = page.tables["indicators"][1:]
    assert rows == [
        # by code: "mentors", then "trained"; each named once, its rows beneath, with how a
        # cluster's and a territory's figure is obtained (mentors: counts added up; trained:
        # the schools' percentages averaged, 80 and 50 → 65); a school's count target (≥ 2)
        # is no target for the sum of a cluster or territory
        [f"{MENTORS} (кластеры и территории: сумма по организациям)"],
        ["территория", "Район 1", "4", "—", "· цель не задана", "+2", "2"],
        ["кластер", "Кластер 1", "4", "—", "· цель не задана", "+2", "2"],
        ["организация", "Школа 1", "3", f"≥{N}2", "✓ достигнуто", "+2", "1"],
        ["организация", "Школа 2", "1", f"≥{N}2", "✗ не достигнуто", "0", "1"],
        [f"{TRAINED} (кластеры и территории: {MEAN})"],
        ["территория", "Район 1", f"65,0{N}%", f"≥{N}70,0{N}%", "✗ не достигнуто",
         f"+7,5{N}п.п.", "2"],
        ["кластер", "Кластер 1", f"65,0{N}%", f"≥{N}70,0{N}%", "✗ не достигнуто",
         f"+7,5{N}п.п.", "2"],
        ["организация", "Школа 1", f"80,0{N}%", f"≥{N}70,0{N}%", "✓ достигнуто",
         f"+20,0{N}п.п.", "1"],
        ["организация", "Школа 2", f"50,0{N}%", f"≥{N}70,0{N}%", "✗ не достигнуто",
         f"{chr(0x2212)}5,0{N}п.п.", "1"],
    ]  # fmt: skip
    assert body.count(f">{TRAINED} <span") == 1  # the name once, as its rows' header

    svgs = charts(body)
    bars = [s for s in svgs if "bars" in s.get("class", "")]
    lines = [s for s in svgs if "line" in s.get("class", "")]
    assert len(bars) == 2 and len(lines) == 2  # one of each per indicator
    for svg in bars:  # one bar per school, and the target line
        assert len(svg.findall(f".//{SVG}rect[@class='bar']")) == 2
        assert len(svg.findall(f".//{SVG}line[@class='target']")) == 1
    trained_line = next(s for s in lines if TRAINED in s.get("aria-label"))
    labels = [t.text for t in trained_line.iter(f"{SVG}text")]
    periods = [t for t in labels if t and "/" in t]
    # 2018/2019 has no value: the line starts at 2019/2020, three points 45,0 → 57,5 → 65,0.
    assert periods == ["2019/2020", "2020/2021", "2021/2022"]
    assert len(trained_line.findall(f".//{SVG}circle[@class='point']")) == 3
    assert [f"45,0{N}%", f"57,5{N}%", f"65,0{N}%"] == [
        t.text for t in trained_line.iter(f"{SVG}text") if t.get("class") == "value"
    ]

    execution = page.tables["execution"][1:]
    assert execution == [
        ["Подготовка", "3", "1", "1", "1", "1", "0", f"33,3{N}%"],
        ["Анализ", "2", "1", "0", "1", "0", "0", f"50,0{N}%"],
        ["Итого", "5", "2", "1", "2", "1", "0", f"40,0{N}%"],
    ]
    assert page.tables["overdue-list"][1:] == [
        ["1.2", "Курсы КПК", "Подготовка", "до 15.11.2021", "Школа 1", "выполняется"]
    ]

    # The world's recommendation to S1 is about another indicator, but S1 is responsible
    # for an activity of the roadmap.
    recommendations = page.tables["recommendations"][1:]
    assert [r[3] for r in recommendations] == [
        "В организации «Школа 1» электронное планирование не ведётся.",
        "Организовать сетевые курсы КПК",
        "Составить план КПК школы",
    ]
    assert recommendations[0][:3] == ["руководитель ОО", "Школа 1", world.planning.name]
    assert recommendations[1][:3] == ["орган управления образованием", "Район 1", TRAINED]
    assert "Личная рекомендация педагогу" not in body
    assert "Рекомендация району 2" not in body
    decisions = page.tables["decisions"][1:]
    assert decisions == [
        [
            "Направить педагогов школы 1 на КПК",
            "01.06.2021",
            "Начальник управления образования",
            TRAINED,
            "Школа 1",
            f"60,0{N}% → 80,0{N}% (+20,0{N}п.п.)",
            "улучшение",
        ]
    ]
    assert "Личное решение о педагоге" not in body


async def test_xlsx_report_holds_the_values_as_numbers(api_client, reports_client, db, world):
    roadmap = await roadmap_with_indicators(api_client, world)
    await add_recommendations(db, world)
    answer = await get_report(reports_client, world, roadmap["id"], format="xlsx", period=PERIOD)
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == XLSX
    disposition = answer.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="roadmap-report-2021-2022-')
    assert "filename*=UTF-8''" in disposition
    book = load_workbook(io.BytesIO(answer.content))
    assert book.sheetnames == [
        "Паспорт",
        "Показатели",
        "Динамика",
        "Исполнение",
        "Мероприятия",
        "Рекомендации",
        "Решения",
        # The world's collections ask M1's schools for 2021/2022: «Качество данных».
        "Качество данных",
        # The world's Школа 1 has a ВПР result in 2021/2022: the complex analysis chapter.
        "Объективность",
        "Контекст",
        "ШНОР",
    ]
    sheet = book["Показатели"]
    assert sheet.freeze_panes == "A2" and sheet["A1"].font.b
    rows = {(r[0], r[3]): r for r in sheet.iter_rows(min_row=2, values_only=True)}
    school = rows[(TRAINED, "Школа 1")]
    assert school[4] == 80 and isinstance(school[4], int | float)  # a number, not "80,0 %"
    assert (school[6], school[7], school[8], school[9]) == (70, "достигнуто", 20, 1)
    assert rows[(TRAINED, "Район 1")][4] == 65 and rows[(TRAINED, "Район 1")][7] == "не достигнуто"
    assert sheet["K1"].value == "Как получено значение кластера, территории"
    assert rows[(TRAINED, "Район 1")][10] == MEAN and school[10] is None
    assert rows[(MENTORS, "Школа 2")][4] == 1 and rows[(MENTORS, "Школа 2")][8] == 0
    status_fills = {row[7].value: row[7].fill.fgColor.rgb for row in sheet.iter_rows(min_row=2)}
    assert status_fills["достигнуто"].endswith("D4EDDA")
    assert status_fills["не достигнуто"].endswith("F8D7DA")

    trend = list(book["Динамика"].iter_rows(values_only=True))
    assert trend[0][3:] == ("2018/2019", "2019/2020", "2020/2021", "2021/2022")
    assert trend[1][:3] == (MENTORS, "mentors", "Район 1") and trend[1][3:] == (None, None, 2, 4)
    assert trend[2][2:] == ("Район 1", None, 45, 57.5, 65)

    execution = list(book["Исполнение"].iter_rows(min_row=2, values_only=True))
    assert execution[-1] == ("Итого", 5, 2, 1, 2, 1, 0, 40.0)
    overdue = [
        r for r in book["Мероприятия"].iter_rows(min_row=2, values_only=True) if r[7] == "да"
    ]
    assert [r[2] for r in overdue] == ["Курсы КПК"]

    texts = [r[3] for r in book["Рекомендации"].iter_rows(min_row=2, values_only=True)]
    assert texts[1:] == ["Организовать сетевые курсы КПК", "Составить план КПК школы"]
    [decision] = list(book["Решения"].iter_rows(min_row=2, values_only=True))
    assert decision[1].date() == date(2021, 6, 1)
    assert book["Решения"]["B2"].number_format == "DD.MM.YYYY"  # a date, shown the Russian way
    assert decision[6:10] == (60, 80, 20, f"60,0{N}% → 80,0{N}% (+20,0{N}п.п.)")


async def test_out_of_scope_roadmap_is_404_and_bad_format_is_422(api_client, reports_client, world):
    roadmap = await roadmap_with_indicators(api_client, world)
    other = await get_report(reports_client, world, world.r2.id)  # M2's, for M1's analyst
    assert other.status_code == 404
    assert other.headers["content-type"] == "application/problem+json"
    # A school's leader reads M1's roadmap, but not M1's figures.
    leader = await get_report(reports_client, world, roadmap["id"], who="leader")
    assert leader.status_code == 404
    bad = await get_report(reports_client, world, roadmap["id"], format="pdf")
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["loc"] == ["query", "format"]
    bad_period = await get_report(reports_client, world, roadmap["id"], period="2021/2023")
    assert bad_period.status_code == 422
    assert bad_period.json()["errors"][0]["loc"] == ["query", "period"]


async def test_school_leader_reads_own_roadmap_and_own_card(
    api_client, reports_client, db, world, settings
):
    await roadmap_with_indicators(api_client, world)
    await add_recommendations(db, world)
    db.add(
        recommendation(
            world,
            "Провести педсовет по итогам КПК",
            "organization_leader",
            world.s1.id,
            organization_id=world.s1.id,
        )
    )
    await db.flush()
    leader = world.headers("leader")
    own = await post_roadmap(
        api_client,
        world,
        "leader",
        title="Дорожная карта ВСОКО школы 1",
        level="organization",
        owner_type="organization",
        owner_id=str(world.s1.id),
        period=PERIOD,
    )
    assert own.status_code == 201, own.text
    report = await get_report(reports_client, world, own.json()["id"], who="leader")
    assert report.status_code == 200, report.text
    # A way back to the leader's home at the top of the page (none in print).
    home = f'<a href="{str(settings.api_url).rstrip("/")}/">← На главную</a>'

    answer = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD, "as_of": AS_OF},
        headers=leader,
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"] == "text/html; charset=utf-8"
    page = parse(answer.text)
    assert page.tables["indicators"][1:] == [
        [MENTORS, "3", f"≥{N}2", "✓ достигнуто", "+2"],
        [TRAINED, f"80,0{N}%", f"≥{N}70,0{N}%", "✓ достигнуто", f"+20,0{N}п.п."],
    ]
    # S1 is responsible for "Курсы КПК" (overdue) and the world's roadmap's activity.
    execution = {r[0]: r[1:] for r in page.tables["execution"][1:]}
    assert execution["Дорожная карта МСОКО <2021>"] == ["1", "0", "1", "1", f"0,0{N}%"]
    assert page.tables["overdue-list"][1][0] == "1.2 Курсы КПК"
    assert [r[1] for r in page.tables["recommendations"][1:]] == [
        "В организации «Школа 1» электронное планирование не ведётся.",
        "Провести педсовет по итогам КПК",
    ]
    assert "Личная рекомендация" not in answer.text
    assert "@media print" in answer.text and "@page" in answer.text
    assert home in answer.text and home in report.text

    sheet = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD, "format": "xlsx"},
        headers=leader,
    )
    assert sheet.status_code == 200, sheet.text
    book = load_workbook(io.BytesIO(sheet.content))
    values = {r[1]: r[4] for r in book["Показатели"].iter_rows(min_row=2, values_only=True)}
    assert values == {"mentors": 3, "trained": 80}

    other = await reports_client.get(f"/v1/reports/organizations/{world.s3.id}", headers=leader)
    assert other.status_code == 404


async def test_card_shows_the_schools_nok_by_the_same_formulas(
    db, apps, api_client, reports_client, world
):
    """The hand-computed НОК example of test_nok (S1: К1 78,25 …) as the evaluation shows it
    (Пдостуд withheld: 3 parents answered its question, К3 82,86, Sn 83,42), which the leader,
    who may not read the municipality's ranking, sees on the card."""
    await arrange_nok(db, api_client, apps, world)
    answer = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD},
        headers=world.headers("leader"),
    )
    assert answer.status_code == 200, answer.text
    [header, row] = parse(answer.text).tables["nok"]
    assert header[-1] == "Итого Sn"
    expected = [*(SHOWN[k] for k in EXPECTED_CRITERIA), SHOWN["total"]]
    assert row == [f"{v:g}".replace(".", ",") for v in expected]
    # Why К3 is made without Пдостуд is said under the table (it was said only without a total).
    assert "Пдостуд" in answer.text and "меньше порога раскрытия" in answer.text
    sheet = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD, "format": "xlsx"},
        headers=world.headers("leader"),
    )
    rows = list(load_workbook(io.BytesIO(sheet.content))["НОК"].iter_rows(values_only=True))
    assert rows[1:7] == [
        ("К1 Открытость", 78.25),
        ("К2 Комфортность", 85),
        ("К3 Доступность", 82.86),
        ("К4 Доброжелательность", 89.5),
        ("К5 Удовлетворённость", 81.5),
        ("Итого Sn", 83.42),
    ]


async def test_a_teacher_reads_on_the_card_only_the_recommendations_the_api_gives_them(
    api_client, reports_client, db, world
):
    """A school's own people read its card; a teacher reads no recommendation addressed to
    others through the API (`GET /v1/recommendations/{id}` is a 404 to them), so the card they
    read shows none of them either: neither the page nor the workbook."""
    await roadmap_with_indicators(api_client, world)
    await add_recommendations(db, world)
    to_leader = recommendation(
        world,
        "Провести педсовет по итогам КПК",
        "organization_leader",
        world.s1.id,
        organization_id=world.s1.id,
    )
    db.add(to_leader)
    await db.flush()
    teacher = world.headers("teacher")
    hidden = await reports_client.get(f"/v1/recommendations/{to_leader.id}", headers=teacher)
    assert hidden.status_code == 404

    answer = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD, "as_of": AS_OF},
        headers=teacher,
    )
    assert answer.status_code == 200, answer.text
    page = parse(answer.text)
    assert "recommendations" not in page.tables
    assert "Провести педсовет по итогам КПК" not in answer.text
    assert "электронное планирование не ведётся" not in answer.text
    # The leader's card still holds them.
    leader = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD, "as_of": AS_OF},
        headers=world.headers("leader"),
    )
    assert "Провести педсовет по итогам КПК" in leader.text

    sheet = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD, "format": "xlsx"},
        headers=teacher,
    )
    assert sheet.status_code == 200, sheet.text
    book = load_workbook(io.BytesIO(sheet.content))
    texts = [r[3] for r in book["Рекомендации"].iter_rows(min_row=2, values_only=True)]
    assert texts == []


async def test_a_school_s_people_read_no_report_of_their_cluster_s_roadmap(
    api_client, reports_client, world
):
    """A roadmap owned by Кластер 1 (S1 and S2): its report holds both schools' values and the
    territory's analysis; S1's leader and teacher read S1 alone (its card, its own roadmaps),
    so the cluster's report is a 404 to them, even without an indicator to compute. The
    analyst reads it."""
    posted = await post_roadmap(
        api_client,
        world,
        title="Дорожная карта кластера",
        level="cluster",
        owner_type="cluster",
        owner_id=str(world.c1.id),
        period=PERIOD,
    )
    assert posted.status_code == 201, posted.text
    roadmap = posted.json()["id"]
    for who in ("leader", "teacher"):
        answer = await get_report(reports_client, world, roadmap, who=who, period=PERIOD)
        assert answer.status_code == 404, (who, answer.text[:300])
    answer = await get_report(reports_client, world, roadmap, period=PERIOD)
    assert answer.status_code == 200, answer.text
