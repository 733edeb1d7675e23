"""The roadmap report's «Качество данных» lists each school's validation violations and
flagged values (natural order of schools, HTML and spreadsheet alike); a leader sees only their
own school's; a value corrected through the api leaves the report."""

import io

from openpyxl import load_workbook

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
        ["Обучающихся всего", "5000", "вне границ: выше верхней границы", "3000", NONE, NONE, NONE],
        [
            "Обучающихся всего",
            "5000",
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
