"""A school year written as people write it («2024-2025», «2024–2025», «2024/25», «2024-25»,
«2024 / 2025») is read as 2024/2025 and said in `warnings`, in data values (a file or a posted
row) and assessment results; a month code stays a month, and two years that are not one school
year («2024-2026», «2025/24») or a month 13 are still refused."""

import pytest
from sqlalchemy import select

from services.api.assessments.models import AssessmentResult
from services.api.data_values.models import DataValue
from tests.factories import add_data_indicator


@pytest.fixture
async def indicator(db, world):
    return await add_data_indicator(db, "teachers_count", "teachers_count", value_type="number")


async def _periods(db) -> dict[str, float]:
    return dict((await db.execute(select(DataValue.period, DataValue.value))).tuples().all())


async def test_school_years_written_otherwise_are_read_and_said(api_client, world, db, indicator):
    spellings = ["2020-2021", "2021–2022", "2022/23", "2023-24", "2024 / 2025", "2019-2020 уч. год"]
    spellings += ["2018-2019 учебный год"]  # 21 characters: a cell may be longer than a code
    lines = [f"teachers_count;{world.s1.id};{period};{n}" for n, period in enumerate(spellings)]
    lines += [
        f"teachers_count;{world.s1.id};2024-09;10",  # a month code: the month
        f"teachers_count;{world.s1.id};2024-2026;11",
        f"teachers_count;{world.s1.id};2025/24;12",
        f"teachers_count;{world.s1.id};2024-13;13",
        f"teachers_count;{world.s1.id};2024/2025;14",  # 2024 / 2025 again
    ]
    content = "\r\n".join(["indicator_code;organization_id;period;value", *lines]).encode()
    answer = await api_client.post(
        "/v1/data-values/upload", files={"file": ("v.csv", content)}, headers=world.headers("admin")
    )
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert await _periods(db) == {
        "2020/2021": 0,
        "2021/2022": 1,
        "2022/2023": 2,
        "2023/2024": 3,
        "2024/2025": 4,
        "2019/2020": 5,
        "2018/2019": 6,
        "2024-09": 10,
    }
    said = {w["index"]: w["msg"] for w in summary["warnings"] if w["index"] is not None}
    assert said == {
        2: "«2020-2021» прочитано как учебный год 2020/2021",
        3: "«2021–2022» прочитано как учебный год 2021/2022",
        4: "«2022/23» прочитано как учебный год 2022/2023",
        5: "«2023-24» прочитано как учебный год 2023/2024",
        6: "«2024 / 2025» прочитано как учебный год 2024/2025",
        7: "«2019-2020 уч. год» прочитано как учебный год 2019/2020",
        8: "«2018-2019 учебный год» прочитано как учебный год 2018/2019",
    }
    refused = {r["index"]: r["errors"][0]["msg"] for r in summary["rejected"]}
    assert refused.keys() == {10, 11, 12, 13}
    assert refused[10].startswith(
        "Период «2024-2026»: учебный год — два соседних года по порядку, ожидается 2024/2025"
    )
    assert refused[11].startswith("Период «2025/24»: учебный год — два соседних года по порядку")
    assert refused[12].startswith("Период «2024-13»: месяц — от 01 до 12, указан 13")
    assert refused[13].startswith("повтор строки 6"), refused[13]


async def test_a_posted_row_reads_the_school_year_alike(api_client, world, db, indicator):
    row = {
        "indicator_code": "teachers_count",
        "organization_id": str(world.s1.id),
        "period": "2023–2024",
        "value": 3,
    }
    answer = await api_client.post(
        "/v1/data-values", json={"values": [row]}, headers=world.headers("admin")
    )
    assert answer.json()["imported"] == 1, answer.text
    assert answer.json()["warnings"] == [
        {"index": 0, "loc": ["period"], "msg": "«2023–2024» прочитано как учебный год 2023/2024"}
    ]
    assert await _periods(db) == {"2023/2024": 3}


async def test_an_assessment_results_year_reads_the_school_year_alike(api_client, world, db):
    content = (
        "organization_id;procedure;year;subject;grade;participants\r\n"
        f"{world.s1.id};vpr;2030-31;Математика;4;10\r\n"
        f"{world.s1.id};vpr;2030-2032;Математика;4;10\r\n"
    ).encode()
    answer = await api_client.post(
        "/v1/assessment-results/upload",
        files={"file": ("r.csv", content)},
        headers=world.headers("admin"),
    )
    summary = answer.json()
    assert summary["imported"] == 1, summary
    years = select(AssessmentResult.year).where(AssessmentResult.year.like("2030%"))
    assert set(await db.scalars(years)) == {"2030/2031"}
    assert summary["warnings"] == [
        {"index": 2, "loc": ["year"], "msg": "«2030-31» прочитано как учебный год 2030/2031"}
    ]
    assert [r["index"] for r in summary["rejected"]] == [3]
