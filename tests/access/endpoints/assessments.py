"""Rows of the access matrix: assessment procedures, calendars, results, tasks and
participants."""

from tests.access.cases import (
    EVERYONE,
    MANAGE_ORG,
    WRITE_DATA,
    Case,
    bulk_cases,
    fixed,
    org,
)
from tests.api.helpers import result
from tests.factories import World

RESULTS_CSV = (
    "organization_id;procedure;year;subject;grade;participants;mark_2;mark_3;mark_4;mark_5\n"
    "{s1};vpr;2021/2022;Русский язык;5;10;1;3;4;2\n"
)


def assessment_results(w: World, inside: bool) -> dict:
    return {"results": [result(w, org=org(w, True))]}


PARTICIPANTS_CSV = (
    "Код участника;" + ";".join(str(n) for n in range(1, 13)) + "\n10001;" + ";".join("0" * 12)
)


def participants(w: World, inside: bool) -> dict:
    return {
        "organization_id": org(w, inside),
        "procedure": "vpr",
        "year": "2025/2026",
        "subject": "Русский язык",
        "grade": 4,
        "participants": [
            {"code": "10001", "task_scores": {str(n): 0 for n in range(1, 13)}, "journal_mark": 3}
        ],
    }


TABLE = [
    Case(
        "api",
        "GET",
        "/v1/assessment-procedures",
        EVERYONE,
        fixed("/v1/assessment-procedures"),
        scoped=False,
    ),
    Case(
        "api",
        "POST",
        "/v1/assessment-procedures",
        frozenset({"admin"}),
        fixed("/v1/assessment-procedures"),
        body=lambda w, i: {"code": "rdr_math", "name": "РДР по математике", "kind": "regional"},
        ok=201,
        scoped=False,
    ),
    Case(
        "api",
        "POST",
        "/v1/assessment-procedures/{procedure_id}/subjects",
        frozenset({"admin"}),
        lambda w, i: f"/v1/assessment-procedures/{w.vpr.id}/subjects",
        body=lambda w, i: {"subject": "Литературное чтение", "grade": 3, "max_primary_score": 20},
        ok=201,
        scoped=False,
    ),
    Case(
        "api",
        "POST",
        "/v1/assessment-calendar",
        MANAGE_ORG,
        fixed("/v1/assessment-calendar"),
        body=lambda w, i: {
            "organization_id": org(w, i),
            "procedure": "vpr",
            "subject": "Русский язык",
            "grade": 5,
            "class_label": "5Б",
            "event_date": "2022-04-14",
        },
        ok=201,
    ),
    Case(
        "api",
        "GET",
        "/v1/assessment-calendar",
        EVERYONE,
        lambda w, i: f"/v1/assessment-calendar?organization_id={org(w, i)}",
    ),
    Case(
        "api",
        "GET",
        "/v1/assessment-calendar/conflicts",
        EVERYONE,
        lambda w, i: f"/v1/assessment-calendar/conflicts?organization_id={org(w, i)}",
    ),
    # As with data values, rows outside the caller's scope are rejected in the summary (see
    # tests/api/test_assessments.py), and lists and aggregates leave them out.
    *bulk_cases("/v1/assessment-results", assessment_results, ("results.csv", RESULTS_CSV)),
    Case(
        "api",
        "GET",
        "/v1/assessment-results",
        EVERYONE,
        fixed("/v1/assessment-results"),
        scoped=False,
    ),
    Case(
        "api",
        "GET",
        "/v1/assessment-results/aggregates",
        EVERYONE,
        fixed("/v1/assessment-results/aggregates?procedure=vpr&year=2021/2022&group_by=territory"),
        scoped=False,
    ),
    Case(
        "api",
        "GET",
        "/v1/assessment-tasks",
        EVERYONE,
        fixed("/v1/assessment-tasks"),
        scoped=False,
    ),
    Case(
        "api",
        "POST",
        "/v1/assessment-tasks",
        frozenset({"admin"}),
        fixed("/v1/assessment-tasks"),
        body=lambda w, i: {
            "procedure": "vpr",
            "year": "2023/2024",
            "subject": "Математика",
            "grade": 5,
            "tasks": [{"number": "1", "max_score": 1}, {"number": "2", "max_score": 2}],
            "mark_scale": [],
        },
        ok=201,
        scoped=False,
    ),
    # One school's participants: a school outside the caller's scope is 404 (the shipped
    # specification of ВПР, Russian, grade 4, 2025/2026 is the one checked against).
    Case(
        "api",
        "POST",
        "/v1/assessment-results/participants",
        WRITE_DATA,
        fixed("/v1/assessment-results/participants"),
        body=participants,
        extra_ok=frozenset({"api_key"}),
    ),
    Case(
        "api",
        "GET",
        "/v1/assessment-results/task-completion",
        EVERYONE,
        fixed(
            "/v1/assessment-results/task-completion?procedure=vpr&year=2025/2026"
            "&subject=Русский язык&grade=4&group_by=territory"
        ),
        scoped=False,
    ),
    Case(
        "api",
        "GET",
        "/v1/assessment-results/score-distribution",
        EVERYONE,
        fixed(
            "/v1/assessment-results/score-distribution?procedure=vpr&year=2025/2026"
            "&subject=Русский язык&grade=4&group_by=territory"
        ),
        scoped=False,
    ),
    Case(
        "api",
        "GET",
        "/v1/assessment-results/marks-by-class",
        EVERYONE,
        fixed(
            "/v1/assessment-results/marks-by-class?procedure=vpr&year=2025/2026"
            "&subject=Русский язык&grade=4"
        ),
        scoped=False,
    ),
    Case(
        "api",
        "POST",
        "/v1/assessment-results/participants/upload",
        WRITE_DATA,
        fixed("/v1/assessment-results/participants/upload"),
        form=lambda w, i: {
            key: str(value) for key, value in participants(w, i).items() if key != "participants"
        },
        file=("participants.csv", PARTICIPANTS_CSV),
        extra_ok=frozenset({"api_key"}),
    ),
    Case(
        "api",
        "GET",
        "/v1/assessment-results/participants",
        EVERYONE,
        lambda w, i: (
            f"/v1/assessment-results/participants?organization_id={org(w, i)}&procedure=vpr"
            "&year=2025/2026&subject=Русский язык&grade=4"
        ),
    ),
]
