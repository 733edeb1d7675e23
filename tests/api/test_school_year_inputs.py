"""Every assessment `year` a user or a school's system types reads a school year as people
write it (`shared/school_years.py`): «2023-2024» (or «2023–2024 учебный год») answers as
«2023/2024» does, in the task catalogue's query and post, the aggregates over participants,
the participants' list and the results' list and aggregates; years swapped («2024-2023») are a
422 naming the field in Russian, nothing stored; a results row with them is rejected saying
which school year is meant."""

import re

import pytest
from sqlalchemy import select

from services.api.assessment_tasks.models import AssessmentSpecification
from services.api.assessments.models import AssessmentResult
from tests.api.helpers import result
from tests.api.test_assessment_result_tables import upload as upload_results
from tests.api.test_assessment_tasks import SPEC
from tests.api.test_participant_results import A, B, C, post
from tests.api.test_participant_results import spec as spec  # the fixture

SWAPPED = "2024-2023"
SWAPPED_SAID = "учебный год — два соседних года по порядку, ожидается 2023/2024"
WRITTEN = ["2023-2024", "2023–2024 учебный год", "2023/24"]
_ENGLISH = re.compile(r"\b(should|Input|String|Field|valid|pattern|required|value)\b")
PAPER = {"procedure": "vpr", "subject": "Математика", "grade": 5}

# Each query with a `year`: its path, the rest of its query (`s1`: S1's id) and who asks.
QUERIES = {
    "specifications": ("/v1/assessment-tasks", {"procedure": "vpr", "grade": 5}, "teacher"),
    "task-completion": ("/v1/assessment-results/task-completion", PAPER, "analyst"),
    "score-distribution": ("/v1/assessment-results/score-distribution", PAPER, "analyst"),
    "marks-by-class": ("/v1/assessment-results/marks-by-class", PAPER, "analyst"),
    "participants": (
        "/v1/assessment-results/participants",
        {**PAPER, "organization_id": "s1"},
        "leader",
    ),
    "results": ("/v1/assessment-results", {"organization_id": "s1", "grade": 5}, "analyst"),
    "results-aggregates": (
        "/v1/assessment-results/aggregates",
        {"procedure": "vpr", "grade": 5},
        "analyst",
    ),
}


async def ask(client, world, name, year):
    path, params, who = QUERIES[name]
    params = {k: str(world.s1.id) if v == "s1" else v for k, v in params.items()}
    return await client.get(path, params={**params, "year": year}, headers=world.headers(who))


@pytest.fixture
async def posted(api_client, world, spec):
    """S1's participants A, B and S2's C of the paper of 2023/2024 (and so their results)."""
    assert (await post(api_client, world, [A, B])).status_code == 200
    answer = await post(api_client, world, [C], who="analyst", org=world.s2.id)
    assert answer.status_code == 200, answer.text


@pytest.mark.usefixtures("posted")
@pytest.mark.parametrize("name", QUERIES)
@pytest.mark.parametrize("written", WRITTEN)
async def test_a_year_written_as_people_do_answers_as_its_code(api_client, world, name, written):
    as_code = await ask(api_client, world, name, "2023/2024")
    assert as_code.status_code == 200, as_code.text
    assert as_code.json()["items"], as_code.json()  # something to compare
    as_written = await ask(api_client, world, name, written)
    assert as_written.status_code == 200, as_written.text
    assert as_written.json() == as_code.json()


@pytest.mark.usefixtures("posted")
@pytest.mark.parametrize("name", QUERIES)
async def test_years_swapped_in_a_query_are_a_422_naming_it_in_russian(api_client, world, name):
    answer = await ask(api_client, world, name, SWAPPED)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    problem = answer.json()
    [error] = problem["errors"]
    assert error["loc"] == ["query", "year"]
    assert error["msg"] == f"Год «{SWAPPED}»: {SWAPPED_SAID}"
    assert not _ENGLISH.search(problem["detail"])


async def _specifications(db) -> list[tuple[str, int]]:
    """The stored specifications of SPEC's grade (none shipped): (year, version)."""
    s = AssessmentSpecification
    query = select(s.year, s.version).where(s.grade == 5).order_by(s.version)
    return [(year, version) for year, version in await db.execute(query)]


@pytest.mark.parametrize("written", WRITTEN)
async def test_a_specification_posted_with_a_written_year_is_of_that_school_year(
    api_client, world, db, written
):
    created = await api_client.post(
        "/v1/assessment-tasks", json={**SPEC, "year": written}, headers=world.headers("admin")
    )
    assert created.status_code == 201, created.text
    assert created.json()["year"] == "2023/2024"
    again = await api_client.post("/v1/assessment-tasks", json=SPEC, headers=world.headers("admin"))
    assert again.status_code == 200, again.text  # the same specification: no new version
    assert again.json() == created.json()
    assert await _specifications(db) == [("2023/2024", 1)]


async def test_a_specification_posted_with_years_swapped_is_a_422_storing_nothing(
    api_client, world, db
):
    answer = await api_client.post(
        "/v1/assessment-tasks", json={**SPEC, "year": SWAPPED}, headers=world.headers("admin")
    )
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error == {**error, "loc": ["body", "year"], "msg": f"Год «{SWAPPED}»: {SWAPPED_SAID}"}
    assert await _specifications(db) == []


async def _results(db) -> list[str]:
    """The years of the stored results of 2023 and 2024 (the world's are of other years)."""
    r = AssessmentResult
    query = select(r.year).where(r.year.like("2023%") | r.year.like("2024%")).order_by(r.year)
    return list(await db.scalars(query))


@pytest.mark.parametrize("written", WRITTEN)
async def test_a_result_row_with_a_written_year_is_stored_as_its_code(
    api_client, world, db, written
):
    row = result(world, year=written)
    answer = await api_client.post(
        "/v1/assessment-results", json={"results": [row]}, headers=world.headers("analyst")
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["imported"] == 1 and answer.json()["rejected"] == []
    assert await _results(db) == ["2023/2024"]


async def test_a_posted_result_row_with_years_swapped_says_which_year_is_meant(
    api_client, world, db
):
    answer = await api_client.post(
        "/v1/assessment-results",
        json={"results": [result(world, year=SWAPPED)]},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    [refused] = answer.json()["rejected"]
    assert refused["errors"] == [{"loc": ["year"], "msg": SWAPPED_SAID}]
    assert await _results(db) == []


async def test_an_uploaded_result_row_with_years_swapped_says_which_year_is_meant(
    api_client, world, db
):
    content = (
        "organization_id;procedure;year;subject;grade;participants\r\n"
        f"{world.s1.id};vpr;{SWAPPED};Математика;4;10\r\n"
        f"{world.s1.id};vpr;2023/24;Математика;4;10\r\n"
    ).encode()
    summary = await upload_results(api_client, world, "r.csv", content)
    [refused] = summary["rejected"]
    [error] = refused["errors"]
    assert (refused["index"], error["loc"]) == (2, ["year"])
    assert error["msg"].startswith(SWAPPED_SAID + " (строка 2"), error["msg"]
    assert summary["imported"] == 1  # the other row, of 2023/2024
    assert await _results(db) == ["2023/2024"]
