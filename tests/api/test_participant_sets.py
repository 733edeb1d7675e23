"""One school's set of participants is taken whole or not at all, one post at a time, and the
upload's form fields are read as the results upload reads them (a procedure by its name) and
refused in Russian."""

import asyncio
import re

import httpx
import pytest
from sqlalchemy import select, text

from services.api.assessment_tasks.models import AssessmentParticipant
from tests.api.test_assessment_tasks import SPEC
from tests.api.test_participant_results import (
    HEADER,
    A,
    B,
    C,
    D,
    body,
    participant,
    post,
    spec,  # noqa: F401 - the fixture
    stored,
    summary_row,
    upload,
)
from tests.factories import build_world

NOT_REPLACED = "Набор участников не заменён"


async def codes(db) -> list[str]:
    return [p.code for p in await stored(db)]


@pytest.mark.usefixtures("spec")
async def test_a_post_with_a_rejected_participant_replaces_nothing(api_client, world, db):
    await post(api_client, world, [A, B, C, D])
    bad = {**B, "task_scores": {**B["task_scores"], "2": 3}}  # above the maximum 2
    answer = await post(api_client, world, [A, bad])
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert (summary["imported"], summary["updated"], summary["unchanged"]) == (0, 0, 0)
    assert [r["index"] for r in summary["rejected"]] == [1]
    [notice] = [w for w in summary["warnings"] if NOT_REPLACED in w["msg"]]
    assert notice["loc"] == ["participants"] and "отклонены строки (1)" in notice["msg"]
    assert not any("удалено участников" in w["msg"] for w in summary["warnings"])
    assert await codes(db) == ["1001", "1002", "1003", "1004"]  # all four kept, B unchanged
    [row] = await summary_row(api_client, world)
    assert row["participants"] == 4 and row["mean_score"] == 3.5


@pytest.mark.usefixtures("spec")
async def test_the_dry_run_answers_what_the_post_does(api_client, world, db):
    await post(api_client, world, [A, B, C, D])
    bad = {**C, "code": "ivanov1"}
    dry = (await post(api_client, world, [A, bad], dry_run="true")).json()
    real = (await post(api_client, world, [A, bad])).json()
    assert {**dry, "dry_run": False} == real
    assert real["imported"] == 0 and any(NOT_REPLACED in w["msg"] for w in real["warnings"])
    assert await codes(db) == ["1001", "1002", "1003", "1004"]


@pytest.mark.usefixtures("spec")
async def test_a_file_with_a_refused_row_replaces_nothing(api_client, world, db):
    await post(api_client, world, [A, B, C, D])
    content = (
        HEADER + "1001;5А;1;1;2;1;2;5;\n"
        "1002;5А;2;1;1;0;1;4;;лишнее\n"  # a value right of the header: refused before the checks
    )
    summary = (await upload(api_client, world, content)).json()
    assert summary["imported"] == 0 and [r["index"] for r in summary["rejected"]] == [3]
    assert any(NOT_REPLACED in w["msg"] for w in summary["warnings"])
    assert await codes(db) == ["1001", "1002", "1003", "1004"]
    [row] = await summary_row(api_client, world)
    assert row["participants"] == 4


# --- concurrent posts of one school's set -----------------------------------------------------


def a_set(first: int, size: int) -> list[dict]:
    """`size` participants coded first, first + 1, …; each with score 1 + (its place mod 6)."""
    return [
        participant(str(first + i), "5А", 1, 4, 1, min(2, i % 3), i % 2, 1) for i in range(size)
    ]


@pytest.mark.committed
async def test_concurrent_posts_of_a_set_store_one_of_them_whole(apps, isolation, settings):
    async with isolation() as session:
        world = await build_world(session, settings)
        await session.commit()
    sets = [a_set(1000 + 100 * n, 10 + n) for n in range(4)]
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        made = await client.post("/v1/assessment-tasks", json=SPEC, headers=world.headers("admin"))
        assert made.status_code == 201, made.text
        try:
            await _post_at_once_thrice(client, isolation, world, sets)
        finally:  # the catalogue of specifications is reference data, not emptied after a test
            await _forget(isolation, made.json()["id"])


_UNDER_SPECIFICATION = (
    ("assessment_participant", "specification_id"),
    ("assessment_result", "specification_id"),
    ("assessment_specification", "id"),
)


async def _forget(isolation, spec_id: str) -> None:
    """Remove a specification the test made, and what was posted under it."""
    async with isolation() as session:
        for table, column in _UNDER_SPECIFICATION:
            statement = text(f"DELETE FROM api.{table} WHERE {column} = CAST(:id AS uuid)")  # noqa: S608
            await session.execute(statement, {"id": spec_id})
        await session.commit()


async def _post_at_once_thrice(client, isolation, world, sets) -> None:
    """Post every set at once, three times over: each time the stored set is one post's whole,
    the school's summary counts what is stored, and no post failed."""
    for _trial in range(3):
        answers = await asyncio.gather(
            *(
                client.post(
                    "/v1/assessment-results/participants",
                    json=body(world, participants),
                    headers=world.headers("leader"),
                )
                for participants in sets
            )
        )
        assert [a.status_code for a in answers] == [200] * 4, [a.text for a in answers]
        async with isolation() as session:
            query = select(AssessmentParticipant.code).order_by(AssessmentParticipant.code)
            kept = list(await session.scalars(query))
        assert kept in [sorted(p["code"] for p in s) for s in sets]  # one post's, whole
        [row] = await summary_row(client, world)
        assert row["participants"] == len(kept)


# --- the upload's form fields ------------------------------------------------------------------


async def upload_as(client, world, **fields):
    """Upload one valid participant of S1 with the form fields `fields` given otherwise."""
    return await upload(client, world, HEADER + "1001;5А;1;1;2;1;2;5;\n", **fields)


@pytest.mark.usefixtures("spec")
@pytest.mark.parametrize("written", ["ВПР", " впр ", "Всероссийские проверочные работы", "VPR"])
async def test_the_procedure_may_be_given_by_its_name(api_client, world, db, written):
    answer = await upload_as(api_client, world, procedure=written)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["imported"] == 1 and await codes(db) == ["1001"]
    [note] = [w for w in summary["warnings"] if w["loc"] == ["procedure"]]
    assert note["msg"].startswith("процедура: «") and "vpr" in note["msg"]


@pytest.mark.usefixtures("spec")
async def test_the_post_takes_the_procedures_name_too(api_client, world, db):
    answer = await api_client.post(
        "/v1/assessment-results/participants",
        json={**body(world, [A]), "procedure": "ВПР"},
        headers=world.headers("leader"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["imported"] == 1
    assert any(w["loc"] == ["procedure"] for w in answer.json()["warnings"])


_ENGLISH = re.compile(r"\b(should|Input|String|Field|valid|pattern|required)\b")


@pytest.mark.usefixtures("spec")
@pytest.mark.parametrize(
    ("field", "written", "loc", "words"),
    [
        ("procedure", "ЖЖЖ", ["form", "procedure"], "Процедура «ЖЖЖ» не найдена"),
        ("procedure", "", ["body", "procedure"], "не заполнено"),
        ("procedure", "я" * 101, ["body", "procedure"], "слишком длинный текст"),
        ("year", "двадцать третий", ["form", "year"], "Ожидается учебный год"),
        ("year", "", ["body", "year"], "не заполнено"),
        ("subject", "Химия", ["form", "subject"], "нет предмета «Химия»"),
        ("grade", "пятый", ["body", "grade"], "ожидается целое число"),
        ("grade", "12", ["body", "grade"], "не больше 11"),
        ("organization_id", "гимназия", ["body", "organization_id"], "идентификатор UUID"),
    ],
)
async def test_a_refused_form_field_is_named_in_russian(
    api_client, world, field, written, loc, words
):
    answer = await upload_as(api_client, world, **{field: written})
    assert answer.status_code == 422, answer.text
    problem = answer.json()
    [error] = problem["errors"]
    assert error["loc"] == loc and words in error["msg"], error
    assert not _ENGLISH.search(error["msg"]) and not _ENGLISH.search(problem["detail"]), problem
