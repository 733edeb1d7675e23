"""An analysis asked for a year the territory's schools have no results of says so and names
the years they have (services/reports/analysis/years.py): an empty list is never read as «no
school has a sign» when nothing was analysed."""

from services.reports.analysis.years import missing_years_note
from shared.periods import parse_period
from tests.reports.analysis_helpers import add_schools, analysis, post_results
from tests.reports.test_analysis_low_results import NEW, OLD, RESULTS, rows

NO_RESULTS = "Результатов оценочных процедур за"


def notes_of(answer) -> list[str]:
    assert answer.status_code == 200, answer.text
    return answer.json()["notes"]


def missing(answer) -> list[str]:
    return [n for n in notes_of(answer) if NO_RESULTS in n or "нет результатов" in n]


async def test_a_year_without_results_names_the_years_with_them(api_client, reports_client, world):
    ids = await add_schools(api_client, world, {code: {} for code in RESULTS})
    await post_results(api_client, world, rows(world, ids))

    # A year that has results: no such note, and the items are there.
    answer = await analysis(reports_client, world, "objectivity", year=NEW)
    assert missing(answer) == [] and answer.json()["total"] == 9  # with the world's S1

    # A later school year: the note names the years there are, the latest first.
    for what in ("objectivity", "resilient", "task-completion"):
        answer = await analysis(reports_client, world, what, year="2023/2024")
        assert missing(answer) == [
            "Результатов оценочных процедур за год «2023/2024» у школ территории нет; "
            f"они есть за {NEW}, {OLD}"
        ], what

    # A calendar year where the results are of school years: the school years it lies in.
    answer = await analysis(reports_client, world, "objectivity", year="2021")
    assert answer.json()["items"] == []
    assert missing(answer) == [
        "Результатов оценочных процедур за год «2021» у школ территории нет: результаты "
        f"записаны по учебным годам — запросите {OLD} или {NEW}"
    ]

    # ШНОР of 2020/2021 needs 2019/2020 as well, which nobody wrote: said, not only [].
    answer = await analysis(reports_client, world, "low-results", year=OLD)
    assert answer.json()["items"] == []
    assert missing(answer) == [
        "Результатов оценочных процедур за год «2019/2020» у школ территории нет; "
        f"они есть за {NEW}, {OLD}"
    ]
    assert missing(await analysis(reports_client, world, "low-results", year=NEW)) == []


async def test_task_completion_says_no_participants_results_were_posted(
    api_client, reports_client, world
):
    ids = await add_schools(api_client, world, {code: {} for code in RESULTS})
    await post_results(api_client, world, rows(world, ids))
    answer = await analysis(reports_client, world, "task-completion", year=NEW)
    assert answer.json()["items"] == []
    assert notes_of(answer)[0] == (
        f"Выполнение заданий за {NEW} не рассчитано: результаты участников по заданиям "
        "за этот год не загружены"
    )


def test_no_results_at_all_and_many_years():
    asked = [parse_period("2021/2022")]
    assert missing_years_note(asked, []) == (
        "У школ территории нет результатов оценочных процедур: анализировать пока нечего"
    )
    years = [parse_period(f"{y}/{y + 1}") for y in range(2020, 2010, -1)]
    assert missing_years_note([parse_period("2030/2031")], years) == (
        "Результатов оценочных процедур за год «2030/2031» у школ территории нет; они есть за "
        "2020/2021, 2019/2020, 2018/2019, 2017/2018, 2016/2017, 2015/2016 и ещё 4"
    )
    # Both needed years missing, a calendar year among the results' academic years: each named.
    two = [parse_period("2019/2020"), parse_period("2020/2021")]
    assert missing_years_note(two, [parse_period("2022")]) == (
        "Результатов оценочных процедур за годы «2019/2020», «2020/2021» у школ территории "
        "нет; они есть за 2022"
    )
    assert missing_years_note([parse_period("2020/2021")], years) is None
