"""The analyses' `year` reads a school year as people write it, as every assessment `year` does
(`shared/school_years.py`): «2021-2022» answers as «2021/2022»; years swapped are a 422 naming
`query.year` in Russian, saying which school year is meant."""

import re

import pytest

from tests.reports.analysis_helpers import add_schools, analysis, post_results
from tests.reports.test_analysis_low_results import NEW, RESULTS, rows

ANALYSES = ["low-results", "resilient", "objectivity", "task-completion"]
_ENGLISH = re.compile(r"\b(should|Input|String|Field|valid|pattern|required|value)\b")


@pytest.fixture
async def posted(api_client, world):
    """Schools X, Y, Z, W of M1 with their results of 2020/2021 and 2021/2022 (NEW)."""
    ids = await add_schools(api_client, world, {code: {} for code in RESULTS})
    await post_results(api_client, world, rows(world, ids))


@pytest.mark.usefixtures("posted")
@pytest.mark.parametrize("what", ANALYSES)
@pytest.mark.parametrize("written", ["2021-2022", "2021/22", "2021–2022 учебный год"])
async def test_a_year_written_as_people_do_answers_as_its_code(
    reports_client, world, what, written
):
    as_code = await analysis(reports_client, world, what, year=NEW)
    assert as_code.status_code == 200, as_code.text
    assert as_code.json()["year"] == NEW
    as_written = await analysis(reports_client, world, what, year=written)
    assert as_written.status_code == 200, as_written.text
    assert as_written.json() == as_code.json()


@pytest.mark.usefixtures("posted")
async def test_the_answers_compared_have_something_in_them(reports_client, world):
    for what in ("low-results", "objectivity"):
        answer = await analysis(reports_client, world, what, year="2021-2022")
        assert answer.json()["items"], what


@pytest.mark.usefixtures("posted")
@pytest.mark.parametrize("what", ANALYSES)
async def test_years_swapped_are_a_422_naming_the_year_in_russian(reports_client, world, what):
    answer = await analysis(reports_client, world, what, year="2022-2021")
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    [error] = problem["errors"]
    assert error["loc"] == ["query", "year"]
    assert error["msg"] == (
        "Год «2022-2021»: учебный год — два соседних года по порядку, ожидается 2021/2022"
    )
    assert not _ENGLISH.search(problem["detail"])
