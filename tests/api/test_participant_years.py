"""The participants' year as people write it: the upload's `year` form field (and the post's,
the list's query) reads a school year written «2023-2024», «2023/24», «2023–2024 учебный год»
or «2023-24 уч. год» as 2023/2024, said in `warnings`, as the values upload reads a period;
a year written wrongly is a 422 naming `year` in Russian, and nothing is stored."""

import re

import pytest

from tests.api.test_participant_results import (
    HEADER,
    A,
    body,
    spec,  # noqa: F401 - the fixture
    stored,
    upload,
)

FORM = {"procedure": "vpr", "subject": "Математика", "grade": "5"}
ONE = HEADER + "1001;5А;1;1;2;1;2;5;\n"  # one valid participant of S1's paper of 2023/2024
_ENGLISH = re.compile(r"\b(should|Input|String|Field|valid|pattern|required|value)\b")
SPELLED = [
    "2023-2024",
    "2023/24",
    "2023-24",
    "2023–2024 учебный год",  # en dash, 21 characters
    "2023-24 уч. год",
    "2023 / 2024",
    "2023—2024 уч.г.",
]


@pytest.mark.usefixtures("spec")
@pytest.mark.parametrize("written", SPELLED)
async def test_a_school_year_written_as_people_do_is_read(api_client, world, db, written):
    answer = await upload(api_client, world, ONE, year=written)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["imported"] == 1 and summary["rejected"] == []
    [note] = [w for w in summary["warnings"] if w["loc"] == ["year"]]
    assert note == {
        "index": None,
        "loc": ["year"],
        "msg": f"«{written}» прочитано как учебный год 2023/2024",
    }
    [row] = await stored(db)
    assert (row.code, row.year) == ("1001", "2023/2024")


@pytest.mark.usefixtures("spec")
async def test_the_year_as_stored_is_said_of_nothing(api_client, world, db):
    answer = await upload(api_client, world, ONE)  # 2023/2024
    assert answer.status_code == 200, answer.text
    assert not [w for w in answer.json()["warnings"] if w["loc"] == ["year"]]
    assert [r.year for r in await stored(db)] == ["2023/2024"]


@pytest.mark.usefixtures("spec")
@pytest.mark.parametrize(
    ("written", "said"),
    [
        (
            "2024-2023",
            "Год «2024-2023»: учебный год — два соседних года по порядку, ожидается 2023/2024",
        ),
        (
            "2024/23",
            "Год «2024/23»: учебный год — два соседних года по порядку, ожидается 2023/2024",
        ),
        ("2023-2025", "Год «2023-2025»: учебный год — два соседних года по порядку"),
        ("20245", "Год «20245» не распознан. Ожидается учебный год (2025/2026;"),
        ("двадцать третий", "Год «двадцать третий» не распознан. Ожидается учебный год"),
        ("2023-09", "«2023-09» — не год. Ожидается учебный год"),
        ("2023Q3", "«2023Q3» — не год. Ожидается учебный год"),
        ("1900/1901", "Год «1900/1901»: год 1900 вне 1950–2090"),
    ],
)
async def test_a_year_written_wrongly_is_a_422_naming_it(api_client, world, db, written, said):
    for params in ({}, {"dry_run": "true"}):
        answer = await api_client.post(
            "/v1/assessment-results/participants/upload",
            params=params,
            data={**FORM, "organization_id": str(world.s1.id), "year": written},
            files={"file": ("participants.csv", ONE.encode(), "text/csv")},
            headers=world.headers("leader"),
        )
        assert answer.status_code == 422, answer.text
        assert answer.headers["content-type"] == "application/problem+json"
        problem = answer.json()
        [error] = problem["errors"]
        assert error["loc"] == ["form", "year"], error
        assert error["msg"].startswith(said), error["msg"]
        assert not _ENGLISH.search(error["msg"]) and not _ENGLISH.search(problem["detail"])
    assert await stored(db) == []


@pytest.mark.usefixtures("spec")
async def test_a_year_longer_than_any_written_one_is_refused_in_russian(api_client, world, db):
    answer = await upload(api_client, world, ONE, year="2023-2024 учебный год, " + "я" * 30)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"][-1] == "year" and not _ENGLISH.search(error["msg"]), error
    assert await stored(db) == []


@pytest.mark.usefixtures("spec")
async def test_the_post_and_the_list_read_the_year_as_the_upload_does(api_client, world, db):
    posted = await api_client.post(
        "/v1/assessment-results/participants",
        json={**body(world, [A]), "year": "2023/24 учебный год"},
        headers=world.headers("leader"),
    )
    assert posted.status_code == 200, posted.text
    assert posted.json()["imported"] == 1
    notes = [w["msg"] for w in posted.json()["warnings"] if w["loc"] == ["year"]]
    assert notes == ["«2023/24 учебный год» прочитано как учебный год 2023/2024"]
    assert [r.year for r in await stored(db)] == ["2023/2024"]

    swapped = await api_client.post(
        "/v1/assessment-results/participants",
        json={**body(world, [A]), "year": "2024-2023"},
        headers=world.headers("leader"),
    )
    assert swapped.status_code == 422
    [error] = swapped.json()["errors"]
    assert error["loc"] == ["body", "year"] and "ожидается 2023/2024" in error["msg"]

    query = {"organization_id": str(world.s1.id), "procedure": "vpr", "subject": "Математика"}
    query["grade"] = 5
    listed = await api_client.get(
        "/v1/assessment-results/participants",
        params={**query, "year": "2023-2024"},
        headers=world.headers("leader"),
    )
    assert listed.status_code == 200, listed.text
    assert [p["code"] for p in listed.json()["items"]] == ["1001"]
    unread = await api_client.get(
        "/v1/assessment-results/participants",
        params={**query, "year": "20235"},
        headers=world.headers("leader"),
    )
    assert unread.status_code == 422
    assert unread.json()["errors"][0]["loc"] == ["query", "year"]
