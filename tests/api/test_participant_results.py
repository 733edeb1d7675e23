"""Participants' results by task: checked against the specification, stored under
pseudonymous codes only, idempotent, a re-post replacing the school's set, audited, and the
school's summary result derived from them (numbers computed by hand in the comments)."""

import pytest
from sqlalchemy import select

from services.api.assessment_tasks.models import AssessmentParticipant
from services.api.assessment_tasks.participant_rows import pseudonym_problem
from services.api.audit.models import AuditEvent
from tests.api.test_assessment_tasks import SPEC
from tests.factories import add_colleagues

# SPEC: tasks 1 (max 1), 2 (max 2), 3.1 (max 1), 3.2 (max 2), total 6; "3" from 2, "4" from
# 4, "5" from 5.
TASKS = ("1", "2", "3.1", "3.2")


def participant(code, class_label, variant, journal_mark, *scores):
    return {
        "code": code,
        "class_label": class_label,
        "variant": variant,
        "journal_mark": journal_mark,
        "task_scores": dict(zip(TASKS, scores, strict=True)),
    }


A = participant("1001", "5а", 1, 5, 1, 2, 1, 2)  # 6: "5", confirmed
B = participant("1002", "5А", 2, 4, 1, 1, 0, 1)  # 3: "3", lowered
C = participant("1003", "5Б", 1, 2, 0, 0, 1, 0)  # 1: "2", confirmed
D = participant("1004", "5Б", 2, 3, 1, 2, 1, 0)  # 4: "4", raised


@pytest.fixture
async def spec(api_client, world):
    answer = await api_client.post(
        "/v1/assessment-tasks", json=SPEC, headers=world.headers("admin")
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


def body(world, participants, org=None):
    return {
        "organization_id": str(org or world.s1.id),
        "procedure": "vpr",
        "year": "2023/2024",
        "subject": "математика",
        "grade": 5,
        "participants": participants,
    }


async def post(client, world, participants, who="leader", org=None, **params):
    return await client.post(
        "/v1/assessment-results/participants",
        json=body(world, participants, org),
        params=params,
        headers=world.headers(who),
    )


async def summary_row(client, world, org=None):
    answer = await client.get(
        "/v1/assessment-results",
        params={"organization_id": str(org or world.s1.id), "year": "2023/2024", "grade": 5},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def listed_participants(client, world, who):
    """GET S1's participants as `who`."""
    params = {"organization_id": str(world.s1.id), "procedure": "vpr", "year": "2023/2024"}
    params |= {"subject": "Математика", "grade": 5}
    return await client.get(
        "/v1/assessment-results/participants", params=params, headers=world.headers(who)
    )


async def stored(db):
    query = select(AssessmentParticipant).order_by(AssessmentParticipant.code)
    return (await db.scalars(query)).all()


async def test_the_school_summary_is_derived_from_its_participants(api_client, world, spec):
    answer = await post(api_client, world, [A, B, C, D])
    assert answer.status_code == 200, answer.text
    assert answer.json()["imported"] == 4 and answer.json()["rejected"] == []
    [row] = await summary_row(api_client, world)
    assert row["participants"] == 4
    assert row["marks"] == {"2": 1, "3": 1, "4": 1, "5": 1}
    assert row["score_distribution"] == {"1": 1, "3": 1, "4": 1, "6": 1}
    assert row["mean_score"] == 3.5  # (6 + 3 + 1 + 4) / 4
    assert (row["lowered"], row["confirmed"], row["raised"]) == (1, 2, 1)
    listed = await listed_participants(api_client, world, "leader")
    items = {p["code"]: p for p in listed.json()["items"]}
    assert items["1002"]["total_score"] == 3 and items["1002"]["mark"] == 3
    assert items["1001"]["class_label"] == "5А"  # "5а" written as the calendar writes it


async def test_the_same_post_twice_changes_nothing(api_client, world, spec, db):
    await post(api_client, world, [A, B])
    before = await db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    again = (await post(api_client, world, [A, B])).json()
    assert (again["imported"], again["updated"], again["unchanged"]) == (0, 0, 2)
    after = await db.scalar(select(AuditEvent.id).order_by(AuditEvent.id.desc()).limit(1))
    assert after == before  # nothing written, nothing audited


async def test_a_repost_replaces_the_schools_set(api_client, world, spec, db):
    await post(api_client, world, [A, B, C, D])
    changed_b = {**B, "task_scores": {**B["task_scores"], "3.2": 2}}  # 4: "4", confirmed
    summary = (await post(api_client, world, [A, changed_b])).json()
    assert (summary["imported"], summary["updated"], summary["unchanged"]) == (0, 1, 1)
    assert any("удалено участников" in w["msg"] and "2" in w["msg"] for w in summary["warnings"])
    assert [p.code for p in await stored(db)] == ["1001", "1002"]
    [row] = await summary_row(api_client, world)
    assert row["participants"] == 2 and row["marks"] == {"2": 0, "3": 0, "4": 1, "5": 1}
    assert row["mean_score"] == 5.0  # (6 + 4) / 2
    assert (row["lowered"], row["confirmed"], row["raised"]) == (0, 2, 0)


async def test_each_write_is_audited_under_the_code_only(api_client, world, spec, db):
    await post(api_client, world, [A, B, C])
    await post(api_client, world, [A, B])
    events = (
        await db.scalars(
            select(AuditEvent).where(AuditEvent.entity_type == "assessment_participant")
        )
    ).all()
    assert sorted(e.action for e in events) == ["create", "create", "create", "delete"]
    assert {e.actor_id for e in events} == {str(world.users["leader"].id)}
    created = next(e for e in events if e.action == "create" and "1001" in str(e.changes))
    assert created.changes["total_score"] == {"before": None, "after": 6}


@pytest.mark.parametrize(
    ("scores", "task", "words"),
    [
        ({"1": 1, "2": 3, "3.1": 1, "3.2": 2}, "2", "задание 2: балл 3 выше максимального 2"),
        ({"1": 1, "2": 2, "3.1": 1, "3.2": 2, "4": 1}, "4", "задания 4 нет в спецификации"),
        ({"1": 1, "2": 2, "3.1": 1}, "3.2", "нет балла за задание 3.2"),
        ({"1": 1, "2": -1, "3.1": 1, "3.2": 2}, "2", "задание 2: балл — целое число от 0"),
    ],
)
async def test_a_participant_against_the_specification_is_rejected_naming_it_and_the_task(
    api_client, world, spec, db, scores, task, words
):
    bad = {"code": "1005", "task_scores": scores}
    summary = (await post(api_client, world, [A, bad])).json()
    assert summary["imported"] == 0  # the set is taken whole or not at all
    [rejected] = summary["rejected"]
    assert rejected["index"] == 1
    [error] = rejected["errors"]
    assert error["loc"] == ["task_scores", task]
    assert "участник 1005" in error["msg"] and words in error["msg"]
    assert await stored(db) == []


def test_a_code_that_reads_as_a_name_is_refused():
    for name in ("Иванов Пётр", "Иванов", "Petrov", "ivanov1", "Ivan Petrov 1", ""):
        assert pseudonym_problem(name) is not None, name
    for code in ("10017", "5А-07", "AB12", "2024/5/017", "№12"):
        assert pseudonym_problem(code) is None, code


async def test_a_name_posted_as_a_code_is_not_stored(api_client, world, spec, db):
    named = {**A, "code": "Иванов Пётр"}
    summary = (await post(api_client, world, [named, B])).json()
    [rejected] = summary["rejected"]
    assert rejected["index"] == 0 and rejected["errors"][0]["loc"] == ["code"]
    assert await stored(db) == []
    query = select(AuditEvent.changes).where(
        AuditEvent.entity_type.in_(["assessment_participant", "assessment_result"])
    )
    assert not any("Иванов" in str(changes) for changes in await db.scalars(query))


async def test_task_numbers_are_matched_as_printed(api_client, world, spec, db):
    written = {**A, "task_scores": {"1": 1, "2": 2, " 3.1": 1, "3.2 ": 2}}
    summary = (await post(api_client, world, [written])).json()
    assert summary["imported"] == 1, summary
    [stored_a] = await stored(db)
    assert stored_a.task_scores == {"1": 1, "2": 2, "3.1": 1, "3.2": 2}


async def test_a_repeated_code_is_rejected(api_client, world, spec):
    summary = (await post(api_client, world, [A, {**B, "code": "1001"}])).json()
    assert summary["imported"] == 0
    assert summary["rejected"][0]["errors"][0]["msg"] == "участник 1001 уже был в строке 0"


async def test_without_a_specification_the_post_is_a_422_naming_the_year(api_client, world):
    answer = await post(api_client, world, [A])
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "year"]


async def test_another_schools_leader_in_the_same_territory_can_neither_post_nor_see(
    api_client, world, spec, db, settings
):
    await add_colleagues(db, settings, world)
    await post(api_client, world, [A, B])
    intruder = await post(api_client, world, [C], who="leader2")
    assert intruder.status_code == 404
    assert [p.code for p in await stored(db)] == ["1001", "1002"]
    peek = await listed_participants(api_client, world, "leader2")
    assert peek.status_code == 404
    assert await summary_row(api_client, world) != []  # S1's own summary is still there
    other = await api_client.get(
        "/v1/assessment-results",
        params={"organization_id": str(world.s1.id), "year": "2023/2024"},
        headers=world.headers("leader2"),
    )
    assert other.json()["items"] == []


async def test_a_teacher_may_not_post_and_the_territorys_analyst_may(api_client, world, spec):
    assert (await post(api_client, world, [A], who="teacher")).status_code == 403
    answer = await post(api_client, world, [A], who="analyst")
    assert answer.status_code == 200 and answer.json()["imported"] == 1


async def test_a_dry_run_stores_nothing(api_client, world, spec, db):
    summary = (await post(api_client, world, [A, B], dry_run="true")).json()
    assert summary["imported"] == 2 and summary["dry_run"]
    assert await stored(db) == []
    assert await summary_row(api_client, world) == []


# --- task completion ---------------------------------------------------------------------------


async def completion(client, world, who="analyst", **params):
    query = {"procedure": "vpr", "year": "2023/2024", "subject": "Математика", "grade": 5}
    answer = await client.get(
        "/v1/assessment-results/task-completion",
        params={**query, **params},
        headers=world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    return {
        item["group_id"]: (
            item["participants"],
            {t["number"]: t["completion"] for t in item["tasks"]},
        )
        for item in answer.json()["items"]
    }


async def test_task_completion_per_organization_cluster_and_territory(api_client, world, spec):
    await post(api_client, world, [A, B])  # S1
    await post(api_client, world, [C, D], who="analyst", org=world.s2.id)  # S2, M1, cluster C1
    by_school = await completion(api_client, world)
    # S1, task 2 (max 2): (2 + 1) / (2 × 2) = 75 %; task 3.1 (max 1): (1 + 0) / (1 × 2) = 50 %
    assert by_school[str(world.s1.id)] == (2, {"1": 100.0, "2": 75.0, "3.1": 50.0, "3.2": 75.0})
    # S2: task 1 (0 + 1) / 2 = 50 %, task 3.2 (0 + 0) / 4 = 0 %
    assert by_school[str(world.s2.id)] == (2, {"1": 50.0, "2": 50.0, "3.1": 100.0, "3.2": 0.0})
    # M1 pools both: task 2 (2 + 1 + 0 + 2) / (2 × 4) = 62.5 %, task 3.2 (2 + 1 + 0 + 0) / 8
    pooled = (4, {"1": 75.0, "2": 62.5, "3.1": 75.0, "3.2": 37.5})
    assert await completion(api_client, world, group_by="territory") == {str(world.m1.id): pooled}
    assert await completion(api_client, world, group_by="cluster") == {str(world.c1.id): pooled}


async def test_task_completion_counts_only_the_callers_schools(
    api_client, world, spec, db, settings
):
    await add_colleagues(db, settings, world)
    await post(api_client, world, [A, B])
    await post(api_client, world, [C, D], who="analyst", org=world.s2.id)
    own = await completion(api_client, world, who="leader2", group_by="territory")
    # S2's leader sees S2's participants only: task 1 (0 + 1) / 2 = 50 %
    assert own == {str(world.m1.id): (2, {"1": 50.0, "2": 50.0, "3.1": 100.0, "3.2": 0.0})}
    assert await completion(api_client, world, who="leader3") == {}


async def test_task_completion_has_the_territorys_and_the_regions_beside_it(
    api_client, world, spec, db, settings
):
    await add_colleagues(db, settings, world)
    await post(api_client, world, [A, B])  # S1, M1
    await post(api_client, world, [C, D], who="analyst", org=world.s2.id)  # S2, M1
    e = participant("1005", "5А", 1, 5, 1, 2, 1, 2)
    await post(api_client, world, [e], who="leader3", org=world.s3.id)  # S3, M2
    answer = await api_client.get(
        "/v1/assessment-results/task-completion",
        params={"procedure": "vpr", "year": "2023/2024", "subject": "Математика", "grade": 5},
        headers=world.headers("leader"),
    )
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["items"]  # S1's leader reads S1 only ...
    assert item["group_id"] == str(world.s1.id)
    assert (item["territory_id"], item["region_id"]) == (str(world.m1.id), str(world.region.id))
    side = {t["number"]: (t["territory_completion"], t["region_completion"]) for t in item["tasks"]}
    # ... beside M1 pooled over A, B, C, D (as above: 75, 62.5, 75, 37.5) and the region
    # over those and E: task 1 (1+1+0+1+1)/5 = 80 %, task 2 (2+1+0+2+2)/(2×5) = 70 %,
    # task 3.1 (1+0+1+1+1)/5 = 80 %, task 3.2 (2+1+0+0+2)/(2×5) = 50 %.
    assert side == {"1": (75.0, 80.0), "2": (62.5, 70.0), "3.1": (75.0, 80.0), "3.2": (37.5, 50.0)}
    by_territory = await completion(api_client, world, group_by="territory")
    # A territory's own item: its completion twice over, the region beside it.
    assert by_territory[str(world.m1.id)] == (4, {"1": 75.0, "2": 62.5, "3.1": 75.0, "3.2": 37.5})


# --- the per-participant spreadsheet -----------------------------------------------------------


async def upload(client, world, content: str, name="participants.csv", who="leader", **fields):
    """POST the file `content` as `who`, with the form fields of S1's paper (`fields` instead)."""
    form = {
        "organization_id": str(world.s1.id),
        "procedure": "vpr",
        "year": "2023/2024",
        "subject": "Математика",
        "grade": "5",
    }
    files = {"file": (name, content.encode(), "text/csv")}
    return await client.post(
        "/v1/assessment-results/participants/upload",
        data=form | fields,
        files=files,
        headers=world.headers(who),
    )


HEADER = "Код участника;Класс;Вариант;1;2;Задание 3.1;3.2;Отметка по журналу;Примечание\n"


async def test_the_spreadsheet_is_read_by_its_headers(api_client, world, spec, db):
    content = HEADER + "1001;5А;1;1;2;1;2;5;\n1002;5А;2;1;1;0;1;4;\n"
    answer = await upload(api_client, world, content)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["imported"] == 2 and summary["rejected"] == []
    assert any(w["loc"] == ["Примечание"] for w in summary["warnings"])
    [row] = await summary_row(api_client, world)
    assert row["marks"] == {"2": 0, "3": 1, "4": 0, "5": 1} and row["mean_score"] == 4.5


async def test_a_refused_row_of_the_file_names_the_participant_and_the_task(
    api_client, world, spec, db
):
    content = (
        HEADER + "1001;5А;1;1;2;1;2;5;\n"
        "1003;5Б;1;1;3;1;0;;\n"  # task 2 above its maximum 2
        "1004;5Б;2;1;;1;0;3;\n"  # no score for task 2
    )
    summary = (await upload(api_client, world, content)).json()
    rejected = {r["index"]: r["errors"][0] for r in summary["rejected"]}
    assert rejected[3]["loc"] == ["task_scores", "2"] and "участник 1003" in rejected[3]["msg"]
    assert rejected[4]["msg"].startswith("участник 1004: нет балла за задание 2")
    assert summary["imported"] == 0 and await stored(db) == []


async def test_another_schools_leader_cannot_upload(api_client, world, spec, db, settings):
    await add_colleagues(db, settings, world)
    answer = await upload(api_client, world, "Код участника;1\n1001;1\n", who="leader2")
    assert answer.status_code == 404
    assert await stored(db) == []


async def test_a_malformed_form_field_is_a_422_naming_it(api_client, world, spec):
    answer = await api_client.post(
        "/v1/assessment-results/participants/upload",
        data={
            "organization_id": str(world.s1.id),
            "procedure": "ВПР!",
            "year": "2023/2024",
            "subject": "Математика",
            "grade": "5",
        },
        files={"file": ("p.csv", b"\xd0\x9a\xd0\xbe\xd0\xb4;1\n1001;1\n", "text/csv")},
        headers=world.headers("leader"),
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["form", "procedure"]
