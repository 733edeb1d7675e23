"""The roadmap report's «Качество данных» lists each school's validation violations and
flagged values (natural order of schools, HTML and spreadsheet alike); a leader sees only their
own school's; a value corrected through the api leaves the report."""

import io

from openpyxl import load_workbook

from tests.factories import add_data_indicator
from tests.reports.checks_world import CATEGORY, PASSED, break_and_flag, checks_world
from tests.reports.documents_world import parse
from tests.reports.helpers import PERIOD, post_values
from tests.reports.quality_world import school_roadmap

NONE = "—"

PASSED_NAME = "Обучающихся, сдавших ГИА"


async def _report(client, world, roadmap_id, who="analyst", **params):
    answer = await client.get(
        f"/v1/reports/roadmaps/{roadmap_id}",
        params={"period": PERIOD, **params},
        headers=world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    return answer


def _sheet(content: bytes, title: str) -> list[tuple]:
    book = load_workbook(io.BytesIO(content))
    return list(book[title].iter_rows(values_only=True))


async def test_violations_and_outliers_of_each_school_in_html_and_sheet(
    api_client, reports_client, db, settings
):
    world = await checks_world(db, settings)
    await break_and_flag(api_client, world)

    page = parse((await _report(reports_client, world, world.r1.id)).text)
    assert page.tables["quality-violations"] == [
        ["Правило", "Условие", "Важность", "Левая часть", "Правая часть"],
        ["Школа 2"],
        [PASSED, f"«{PASSED_NAME}» ≤ «Обучающихся всего»", "высокая", "120", "100"],
        ["Школа 10"],
        [CATEGORY, "«Педагогов с категорией» ≤ «Педагогов всего»", "средняя", "30", "20"],
    ]
    outliers = page.tables["quality-outliers"]
    assert outliers[0] == [
        "Показатель",
        "Значение",
        "Проверка",
        "Граница",
        "Медиана",
        "Значений в сравнении",
        "Модифицированная z-оценка",
    ]
    assert outliers[1:] == [
        ["Школа 1"],
        [
            "Обучающихся всего",
            "5\u00a0000",
            "вне границ: выше верхней границы",
            "3\u00a0000",
            NONE,
            NONE,
            NONE,
        ],
        [
            "Обучающихся всего",
            "5\u00a0000",
            "отличается от прежних значений организации",
            NONE,
            "505",
            "3",
            "606,4",
        ],
        ["Школа 10"],
        ["Обучающихся всего", "5", "вне границ: ниже нижней границы", "10", NONE, NONE, NONE],
    ]

    sheet = await _report(reports_client, world, world.r1.id, format="xlsx")
    assert _sheet(sheet.content, "Нарушения правил") == [
        ("Организация", "Правило", "Условие", "Важность", "Левая часть", "Правая часть"),
        ("Школа 2", PASSED, f"«{PASSED_NAME}» ≤ «Обучающихся всего»", "высокая", 120, 100),
        ("Школа 10", CATEGORY, "«Педагогов с категорией» ≤ «Педагогов всего»", "средняя", 30, 20),
    ]
    rows = _sheet(sheet.content, "Выбросы")
    assert rows[0][:3] == ("Организация", "Показатель", "Значение")
    assert [r[:5] for r in rows[1:]] == [
        ("Школа 1", "Обучающихся всего", 5000, "вне границ: выше верхней границы", 3000),
        ("Школа 1", "Обучающихся всего", 5000, "отличается от прежних значений организации", None),
        ("Школа 10", "Обучающихся всего", 5, "вне границ: ниже нижней границы", 10),
    ]
    assert rows[2][5:] == (505, 3, 606.4)


async def test_a_leader_sees_only_their_school_and_a_fix_leaves_the_report(
    api_client, reports_client, db, settings
):
    world = await checks_world(db, settings)
    await break_and_flag(api_client, world)
    own = await school_roadmap(api_client, world, "leader2", world.s2)

    mine = await _report(reports_client, world, own, who="leader2")
    page = parse(mine.text)
    assert [r[0] for r in page.tables["quality-violations"][1:]] == ["Школа 2", PASSED]
    assert "quality-outliers" not in page.tables  # S2's values are not flagged
    assert CATEGORY not in mine.text and "Школа 10" not in mine.text
    book = load_workbook(
        io.BytesIO((await _report(reports_client, world, own, "leader2", format="xlsx")).content)
    )
    assert "Выбросы" not in book.sheetnames
    assert {r[0] for r in book["Нарушения правил"].iter_rows(min_row=2, values_only=True)} == {
        "Школа 2"
    }

    # S2 corrects its value, S1 and «Школа 10» theirs: the violations and flags are gone.
    await post_values(
        api_client,
        world,
        [
            ("students_passed", world.s2.id, PERIOD, 90),
            ("students_total", world.s1.id, PERIOD, 505),
            ("students_total", world.s10.id, PERIOD, 50),
        ],
    )
    page = parse((await _report(reports_client, world, world.r1.id)).text)
    assert [r[0] for r in page.tables["quality-violations"][1:]] == ["Школа 10", CATEGORY]
    assert "quality-outliers" not in page.tables


async def test_a_flagged_percent_is_shown_as_a_percent_beside_counts(
    api_client, reports_client, db, settings
):
    """A percent indicator's flagged value, its bound and median read «95 %» in the report
    and are percent-formatted in the sheet, while the counts' rows stay plain numbers."""
    world = await checks_world(db, settings)
    await add_data_indicator(db, "share_passed", "Доля сдавших ГИА", "percent")
    await break_and_flag(api_client, world)
    bound = await api_client.put(
        "/v1/outlier-bounds",
        json={"indicator_code": "share_passed", "lower": 10, "upper": 90},
        headers=world.headers("admin"),
    )
    assert bound.status_code == 200, bound.text
    await post_values(api_client, world, [("share_passed", world.s2.id, PERIOD, 95.5)])

    outliers = parse((await _report(reports_client, world, world.r1.id)).text).tables[
        "quality-outliers"
    ]
    school_2 = outliers.index(["Школа 2"])
    assert outliers[school_2 + 1][:4] == [
        "Доля сдавших ГИА",
        "95,5\u00a0%",
        "вне границ: выше верхней границы",
        "90,0\u00a0%",
    ]
    assert ["Обучающихся всего", "5", "вне границ: ниже нижней границы", "10"] in [
        row[:4] for row in outliers
    ]

    content = (await _report(reports_client, world, world.r1.id, format="xlsx")).content
    sheet = load_workbook(io.BytesIO(content))["Выбросы"]
    rows = {row[1].value: row for row in sheet.iter_rows(min_row=2) if row[0].value == "Школа 2"}
    share = rows["Доля сдавших ГИА"]
    assert share[2].value == 95.5 and "%" in share[2].number_format
    assert share[4].value == 90 and "%" in share[4].number_format
    counted = [r for r in sheet.iter_rows(min_row=2) if r[1].value == "Обучающихся всего"]
    assert all("%" not in r[2].number_format for r in counted)
