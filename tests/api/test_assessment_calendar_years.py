"""A result posted with a calendar year (2022) beside its procedure's school-year results
(2021/2022) is stored as posted, but the summary warns: an analysis by school year would not
see it."""

from tests.api.helpers import result
from tests.api.test_assessments import post


def year_warnings(summary: dict) -> list[str]:
    return [w["msg"] for w in summary["warnings"] if w["loc"] == ["year"]]


async def test_a_calendar_year_beside_stored_school_years_is_warned_of(api_client, world):
    """S1 has ВПР 2021/2022 (the world's); S2's ВПР posted for «2022» is warned of, naming
    the school year the others use, once for both rows."""
    rows = [
        result(world, world.s2.id, year="2022"),
        result(world, world.s2.id, year="2022", subject="Математика"),
    ]
    answer = await post(api_client, world, rows, who="analyst")
    summary = answer.json()
    assert (answer.status_code, summary["imported"]) == (200, 2), summary
    [said] = year_warnings(summary)
    assert said.startswith(
        "Год «2022» — календарный, а остальные результаты «Всероссийские проверочные работы "
        "(ВПР)» записаны по учебному году (2021/2022): анализ за учебный год не увидит "
        "2 результата за 2022"
    )
    assert [w["index"] for w in summary["warnings"] if w["loc"] == ["year"]] == [None]


async def test_a_calendar_year_beside_school_years_of_the_same_batch_is_warned_of(
    api_client, world
):
    rows = [
        result(world, world.s1.id, year="2030/2031"),
        result(world, world.s2.id, year="2031"),
    ]
    summary = (await post(api_client, world, rows, who="analyst")).json()
    assert summary["imported"] == 2, summary
    [said] = year_warnings(summary)
    assert "по учебному году (2030/2031)" in said


async def test_school_years_and_a_procedure_posted_by_calendar_years_are_not_warned_of(
    api_client, world
):
    """ОГЭ has no school-year results: its calendar years are its way, nothing to say; nor
    about school years themselves, nor about a calendar year far from the school years in use
    (2031 beside 2021/2022)."""
    oge = result(world, world.s2.id, procedure="oge", grade=9, year="2022")
    far = result(world, world.s2.id, year="2031", subject="Математика")
    rows = [oge, result(world, world.s2.id, year="2022/2023"), far]
    summary = (await post(api_client, world, rows, who="analyst")).json()
    assert summary["imported"] == 3, summary
    assert year_warnings(summary) == []
