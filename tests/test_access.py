"""Every endpoint of every service, with each role and scope: who gets in and who does not.

A new endpoint must join TABLE: `test_every_endpoint_is_in_the_table` fails until it does.
Principals of M1 (analyst, methodologist, viewer) and of school S1 (leader, teacher, the API key)
are tried on a target inside their scope and on one outside it (in M2 / school S3).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from services.reports.recommendations.rules import default_rule_id
from tests.api.helpers import result
from tests.factories import World, add_data_indicator, build_world, expired_token

PRINCIPALS = ("admin", "analyst", "methodologist", "leader", "teacher", "viewer", "service")
USERS = frozenset(PRINCIPALS) - {"service"}
EVERYONE = USERS | {"service"}
# Sign-in, and sign-out (RFC 7009: holding the token is the right to revoke it; a stranger's
# guess revokes nothing and learns nothing, tests/api/test_token_revocation.py).
PUBLIC = {("api", "POST", "/v1/auth/token"), ("api", "POST", "/v1/auth/revoke")}


@dataclass(frozen=True)
class Case:
    service: str
    method: str
    path: str  # the template, as in the OpenAPI document
    allowed: frozenset[str]  # principals that succeed on a target inside their scope
    target: Callable[[World, bool], str]  # (world, inside) -> concrete path
    body: Callable[[World, bool], Any] | None = None
    form: Callable[[World, bool], dict[str, str]] | None = None  # multipart fields (+ a file)
    file: tuple[str, str | bytes] | None = None  # the uploaded file; a roadmap CSV by default
    public: bool = False  # answers without credentials (anonymous survey links)
    ok: int = 200
    scoped: bool = True  # False: a list, filtered rather than refused
    extra_ok: frozenset[str] = field(default_factory=frozenset)  # e.g. the API key on /me


def fixed(path: str) -> Callable[[World, bool], str]:
    return lambda w, inside: path


def org(w: World, inside: bool) -> str:
    return str(w.s1.id if inside else w.s3.id)


def terr(w: World, inside: bool) -> str:
    return str(w.m1.id if inside else w.m2.id)


MANAGE_ORG = frozenset({"admin", "analyst", "leader"})
PERSONAL = frozenset({"admin", "analyst", "methodologist", "leader", "service"})

TABLE = [
    Case(
        "api",
        "GET",
        "/v1/me",
        EVERYONE,
        fixed("/v1/me"),
        scoped=False,
        extra_ok=frozenset({"api_key"}),
    ),
    Case("surveys", "GET", "/v1/me", EVERYONE, fixed("/v1/me"), scoped=False),
    Case("reports", "GET", "/v1/me", EVERYONE, fixed("/v1/me"), scoped=False),
    # Whether a user's token still stands: asked by the surveys and reports services only.
    Case(
        "api",
        "POST",
        "/v1/auth/introspect",
        frozenset({"service"}),
        fixed("/v1/auth/introspect"),
        body=lambda w, inside: {"token": w.tokens["viewer"]},
        scoped=False,
    ),
    # users
    Case(
        "api",
        "POST",
        "/v1/users",
        frozenset({"admin", "analyst"}),
        fixed("/v1/users"),
        body=lambda w, inside: {
            "email": f"new-{inside}@soko.example",
            "password": "long-enough-1",
            "full_name": "Новый",
            "role": "viewer",
            "scope_type": "territory",
            "scope_id": terr(w, inside),
        },
        ok=201,
    ),
    Case(
        "api",
        "GET",
        "/v1/users",
        frozenset({"admin", "analyst", "service"}),
        fixed("/v1/users"),
        scoped=False,
    ),
    Case(
        "api",
        "GET",
        "/v1/users/{user_id}",
        frozenset({"admin", "analyst", "service"}),
        lambda w, inside: f"/v1/users/{w.users['target' if inside else 'leader3'].id}",
    ),
    Case(
        "api",
        "PATCH",
        "/v1/users/{user_id}",
        frozenset({"admin", "analyst"}),
        lambda w, inside: f"/v1/users/{w.users['target' if inside else 'leader3'].id}",
        body=lambda w, inside: {"full_name": "Переименован"},
    ),
    # territories and scopes
    Case(
        "api",
        "POST",
        "/v1/territories",
        frozenset({"admin", "analyst"}),
        fixed("/v1/territories"),
        body=lambda w, inside: {
            "name": "Поселение",
            "kind": "municipality",
            "parent_id": terr(w, inside),
        },
        ok=201,
    ),
    Case("api", "GET", "/v1/territories", EVERYONE, fixed("/v1/territories"), scoped=False),
    Case(
        "api",
        "GET",
        "/v1/territories/{territory_id}",
        EVERYONE,
        lambda w, inside: f"/v1/territories/{terr(w, inside)}",
    ),
    Case(
        "api",
        "PATCH",
        "/v1/territories/{territory_id}",
        frozenset({"admin", "analyst"}),
        lambda w, inside: f"/v1/territories/{terr(w, inside)}",
        body=lambda w, inside: {"name": "Район (новое имя)"},
    ),
    Case(
        "api",
        "GET",
        "/v1/scopes/resolve",
        frozenset({"admin", "service"}),
        lambda w, inside: f"/v1/scopes/resolve?scope_type=organization&scope_id={org(w, inside)}",
        scoped=False,
    ),
    # organizations and clusters
    Case(
        "api",
        "POST",
        "/v1/organizations",
        frozenset({"admin", "analyst"}),
        fixed("/v1/organizations"),
        body=lambda w, inside: {
            "name": "Новая школа",
            "kind": "school",
            "territory_id": terr(w, inside),
        },
        ok=201,
    ),
    Case("api", "GET", "/v1/organizations", EVERYONE, fixed("/v1/organizations"), scoped=False),
    Case(
        "api",
        "GET",
        "/v1/organizations/{organization_id}",
        EVERYONE,
        lambda w, inside: f"/v1/organizations/{org(w, inside)}",
    ),
    Case(
        "api",
        "PATCH",
        "/v1/organizations/{organization_id}",
        MANAGE_ORG,
        lambda w, inside: f"/v1/organizations/{org(w, inside)}",
        body=lambda w, inside: {"context": {"students": 640, "rural": True}},
    ),
    Case(
        "api",
        "POST",
        "/v1/clusters",
        frozenset({"admin", "analyst"}),
        fixed("/v1/clusters"),
        body=lambda w, inside: {
            "name": "Новый кластер",
            "territory_id": terr(w, inside),
            "member_ids": [org(w, inside)],
        },
        ok=201,
    ),
    Case("api", "GET", "/v1/clusters", EVERYONE, fixed("/v1/clusters"), scoped=False),
    Case(
        "api",
        "GET",
        "/v1/clusters/{cluster_id}",
        EVERYONE,
        lambda w, inside: f"/v1/clusters/{w.c1.id if inside else w.c2.id}",
    ),
    Case(
        "api",
        "PATCH",
        "/v1/clusters/{cluster_id}",
        frozenset({"admin", "analyst"}),
        lambda w, inside: f"/v1/clusters/{w.c1.id if inside else w.c2.id}",
        body=lambda w, inside: {"description": "Сетевое взаимодействие"},
    ),
    # staff: personal data
    Case(
        "api",
        "POST",
        "/v1/organizations/{organization_id}/staff",
        MANAGE_ORG,
        lambda w, inside: f"/v1/organizations/{org(w, inside)}/staff",
        body=lambda w, inside: {
            "full_name": "Сидорова Анна",
            "position": "teacher",
            "subjects": ["Математика"],
        },
        ok=201,
    ),
    Case(
        "api",
        "GET",
        "/v1/organizations/{organization_id}/staff",
        PERSONAL,
        lambda w, inside: f"/v1/organizations/{org(w, inside)}/staff",
    ),
    Case(
        "api",
        "GET",
        "/v1/staff/{staff_id}",
        PERSONAL | {"teacher"},
        lambda w, inside: f"/v1/staff/{w.t1.id if inside else w.t3.id}",
    ),
    Case(
        "api",
        "PATCH",
        "/v1/staff/{staff_id}",
        MANAGE_ORG,
        lambda w, inside: f"/v1/staff/{w.t1.id if inside else w.t3.id}",
        body=lambda w, inside: {"subjects": ["Физика"]},
    ),
    # API keys
    Case(
        "api",
        "POST",
        "/v1/organizations/{organization_id}/api-keys",
        MANAGE_ORG,
        lambda w, inside: f"/v1/organizations/{org(w, inside)}/api-keys",
        body=lambda w, inside: {"name": "АИС"},
        ok=201,
    ),
    Case(
        "api",
        "GET",
        "/v1/organizations/{organization_id}/api-keys",
        MANAGE_ORG | {"service"},
        lambda w, inside: f"/v1/organizations/{org(w, inside)}/api-keys",
    ),
    Case(
        "api",
        "DELETE",
        "/v1/organizations/{organization_id}/api-keys/{key_id}",
        MANAGE_ORG,
        lambda w, inside: (
            f"/v1/organizations/{w.s1.id}/api-keys/{w.key_s1_id}"
            if inside
            else f"/v1/organizations/{w.s3.id}/api-keys/{w.key_s3_id}"
        ),
        ok=204,
    ),
    # audit
    Case(
        "api",
        "GET",
        "/v1/audit-events",
        frozenset({"admin"}),
        fixed("/v1/audit-events"),
        scoped=False,
    ),
    Case(
        "api",
        "POST",
        "/v1/audit-events",
        frozenset({"service"}),
        fixed("/v1/audit-events"),
        body=lambda w, inside: {"action": "read_personal", "entity_type": "deficit_result"},
        ok=201,
        scoped=False,
    ),
]
SAMPLE_CSV = "№;Мероприятие;Сроки;Ответственный\n1;Анкетирование родителей;Октябрь 2021;ИМЦ\n"


def rm(w: World, inside: bool) -> str:
    return str(w.r1.id if inside else w.r2.id)


def act(w: World, inside: bool) -> str:
    return str(w.a1.id if inside else w.a2.id)


MANAGE_ACTIVITY = frozenset({"admin", "analyst", "leader"})  # the leader of the responsible school
TABLE += [
    Case(
        "api",
        "POST",
        "/v1/roadmaps",
        frozenset({"admin", "analyst"}),
        fixed("/v1/roadmaps"),
        body=lambda w, inside: {
            "title": "Дорожная карта",
            "level": "municipality",
            "owner_type": "territory",
            "owner_id": terr(w, inside),
            "period": "2021/2022",
            "sections": [
                {"title": "", "activities": [{"title": "Семинар", "deadline_text": "Октябрь"}]}
            ],
        },
        ok=201,
    ),
    Case(
        "api",
        "POST",
        "/v1/roadmaps/import",
        frozenset({"admin", "analyst"}),
        fixed("/v1/roadmaps/import"),
        form=lambda w, inside: {
            "level": "municipality",
            "owner_type": "territory",
            "owner_id": terr(w, inside),
        },
        ok=201,
    ),
    Case("api", "GET", "/v1/roadmaps", EVERYONE, fixed("/v1/roadmaps"), scoped=False),
    Case(
        "api", "GET", "/v1/roadmaps/{roadmap_id}", EVERYONE, lambda w, i: f"/v1/roadmaps/{rm(w, i)}"
    ),
    Case(
        "api",
        "PATCH",
        "/v1/roadmaps/{roadmap_id}",
        frozenset({"admin", "analyst"}),
        lambda w, i: f"/v1/roadmaps/{rm(w, i)}",
        body=lambda w, i: {"passport": {"goal": "Цель"}},
    ),
    Case(
        "api",
        "GET",
        "/v1/roadmaps/{roadmap_id}/progress",
        EVERYONE,
        lambda w, i: f"/v1/roadmaps/{rm(w, i)}/progress",
    ),
    Case(
        "api",
        "GET",
        "/v1/roadmaps/{roadmap_id}/activities",
        EVERYONE,
        lambda w, i: f"/v1/roadmaps/{rm(w, i)}/activities",
    ),
    Case(
        "api",
        "GET",
        "/v1/activities",
        EVERYONE,
        lambda w, i: f"/v1/activities?responsible_organization_id={org(w, i)}",
    ),
    Case(
        "api",
        "GET",
        "/v1/activities/{activity_id}",
        EVERYONE,
        lambda w, i: f"/v1/activities/{act(w, i)}",
    ),
    Case(
        "api",
        "PATCH",
        "/v1/activities/{activity_id}",
        MANAGE_ACTIVITY,
        lambda w, i: f"/v1/activities/{act(w, i)}",
        body=lambda w, i: {"status": "in_progress"},
    ),
    Case(
        "api",
        "GET",
        "/v1/activities/{activity_id}/history",
        EVERYONE,
        lambda w, i: f"/v1/activities/{act(w, i)}/history",
    ),
    Case(
        "api",
        "POST",
        "/v1/activities/{activity_id}/files",
        MANAGE_ACTIVITY,
        lambda w, i: f"/v1/activities/{act(w, i)}/files",
        form=lambda w, i: {},
        ok=201,
    ),
    Case(
        "api",
        "GET",
        "/v1/activities/{activity_id}/files",
        EVERYONE,
        lambda w, i: f"/v1/activities/{act(w, i)}/files",
    ),
    Case(
        "api",
        "GET",
        "/v1/activities/{activity_id}/files/{file_id}",
        EVERYONE,
        lambda w, i: f"/v1/activities/{act(w, i)}/files/{(w.f1 if i else w.f2).id}",
    ),
]
VALUES_CSV = "indicator_code;organization_id;period;value\ne_planning;{s1};2021/2022;1\n"
WRITE_DATA = frozenset({"admin", "analyst", "leader"})


def bulk_cases(path: str, body: Callable[[World, bool], dict], file: tuple[str, str]) -> list[Case]:
    """The two endpoints of one bulk import (`shared.bulk.add_import_routes`): the JSON post
    and the upload, for the data writers and API keys; rows outside the caller's scope are
    rejected in the summary, not refused."""
    common: dict[str, Any] = {"scoped": False, "extra_ok": frozenset({"api_key"})}
    upload = f"{path}/upload"
    return [
        Case("api", "POST", path, WRITE_DATA, fixed(path), body=body, **common),
        Case(
            "api",
            "POST",
            upload,
            WRITE_DATA,
            fixed(upload),
            form=lambda w, i: {},
            file=file,
            **common,
        ),
    ]


CHECKED = "outlier_checked"  # a percent indicator of the module's world, which bounds need


@pytest.fixture
async def world(db, settings) -> World:
    """The standard world, a numeric indicator schools report (`CHECKED`) and a validation
    rule of M1 and one of M2."""
    from services.api.validation.models import ValidationRule

    world = await build_world(db, settings)
    await add_data_indicator(db, CHECKED, "Показатель с границами", "percent")
    world.validation_rules = {}
    for name, territory in (("m1", world.m1), ("m2", world.m2)):
        rule = ValidationRule(
            code=f"planning_{name}",
            owner_territory_id=territory.id,
            left="e_planning",
            operator="<=",
            right="1",
            message="Проверка",
            indicator_codes=["e_planning"],
        )
        db.add(rule)
        world.validation_rules[name] = rule.id
    await db.flush()
    return world


def values(w: World, inside: bool) -> dict:
    return {
        "values": [
            {
                "indicator_code": "e_planning",
                "organization_id": org(w, True),
                "period": "2021/2022",
                "value": True,
            }
        ]
    }


TABLE += [
    Case(
        "api",
        "POST",
        "/v1/indicators",
        frozenset({"admin", "analyst"}),
        fixed("/v1/indicators"),
        body=lambda w, i: {
            "code": "new_one",
            "owner_territory_id": terr(w, i),
            "name": "Новый",
            "unit": "percent",
            "level": "organization",
            "method": "data_value",
            "params": {"value_type": "percent"},
        },
        ok=201,
    ),
    Case("api", "GET", "/v1/indicators", EVERYONE, fixed("/v1/indicators"), scoped=False),
    Case(
        "api",
        "GET",
        "/v1/indicators/{indicator_id}",
        EVERYONE,
        lambda w, i: f"/v1/indicators/{w.planning.id}",
        scoped=False,
    ),
    Case(
        "api",
        "PATCH",
        "/v1/indicators/{indicator_id}",
        frozenset({"admin", "analyst"}),
        lambda w, i: f"/v1/indicators/{w.planning.id}",
        # A global indicator: an analyst sets the targets of their own scope only (its
        # definition is the administrators', see tests/api/test_indicators.py).
        body=lambda w, i: {
            "targets": [
                {"op": ">=", "value": 80, "scope_type": "organization", "scope_id": org(w, i)}
            ]
        },
    ),
    # Rows outside the caller's scope are rejected in the summary, not refused (see
    # tests/api/test_data_values.py).
    *bulk_cases("/v1/data-values", values, ("values.csv", VALUES_CSV)),
    Case("api", "GET", "/v1/data-values", EVERYONE, fixed("/v1/data-values"), scoped=False),
    # Outliers: a school's bound is its territory's analysts' (the global one an
    # administrator's, tests/api/test_outliers.py); flags are read as the values are.
    Case("api", "GET", "/v1/outlier-bounds", EVERYONE, fixed("/v1/outlier-bounds"), scoped=False),
    Case(
        "api",
        "PUT",
        "/v1/outlier-bounds",
        frozenset({"admin", "analyst"}),
        fixed("/v1/outlier-bounds"),
        body=lambda w, i: {"indicator_code": CHECKED, "organization_id": org(w, i), "upper": 90},
    ),
    Case(
        "api",
        "DELETE",
        "/v1/outlier-bounds",
        frozenset({"admin", "analyst"}),
        lambda w, i: f"/v1/outlier-bounds?indicator_code={CHECKED}&organization_id={org(w, i)}",
        ok=204,
    ),
    Case(
        "api",
        "GET",
        "/v1/outliers",
        EVERYONE,
        lambda w, i: f"/v1/outliers?territory_id={terr(w, i)}&period=2021/2022",
    ),
]
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


TABLE += [
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


def small_instrument() -> dict:
    return {
        "code": "access_check",
        "kind": "satisfaction",
        "title": "Проверка",
        "description": "",
        "audience": ["parents"],
        "competences": [],
        "sections": [
            {
                "code": "main",
                "title": "Основное",
                "questions": [{"code": "q1", "type": "yes_no", "text": "Всё хорошо?"}],
            }
        ],
    }


def instrument_xlsform() -> bytes:
    from services.surveys.instruments.definition import InstrumentDefinition
    from services.surveys.instruments.xlsform import to_xlsform

    return to_xlsform(
        InstrumentDefinition.model_validate(small_instrument() | {"code": "access_xls"})
    )


def camp(w: World, name: str, inside: bool) -> str:
    return str(w.campaigns[f"{name}_{'s1' if inside else 's3'}"].id)


def nok_answers() -> dict:
    answers = {f"nok_{i:02d}": True for i in range(1, 15)} | {"nok_06": False}
    answers.pop("nok_07")
    return answers


AUTHORS = frozenset({"admin", "analyst", "methodologist"})
LAUNCHERS = AUTHORS | {"leader", "service"}
NOK = lambda w, i: w.instruments["nok_parents_2018"][0]  # noqa: E731
TABLE += [
    Case(
        "api",
        "POST",
        "/v1/organizations/lookup",
        EVERYONE,
        fixed("/v1/organizations/lookup"),
        body=lambda w, i: {"organization_ids": [org(w, True)], "with_staff": True},
        scoped=False,
    ),
    Case("surveys", "GET", "/v1/instruments", EVERYONE, fixed("/v1/instruments"), scoped=False),
    Case(
        "surveys",
        "POST",
        "/v1/instruments",
        AUTHORS,
        fixed("/v1/instruments"),
        body=lambda w, i: small_instrument(),
        ok=201,
        scoped=False,
    ),
    Case(
        "surveys",
        "POST",
        "/v1/instruments/xlsform",
        AUTHORS,
        fixed("/v1/instruments/xlsform"),
        form=lambda w, i: {},
        file=("form.xlsx", instrument_xlsform()),
        ok=201,
        scoped=False,
    ),
    Case(
        "surveys",
        "GET",
        "/v1/instruments/{instrument_id}",
        EVERYONE,
        lambda w, i: f"/v1/instruments/{NOK(w, i)}",
        scoped=False,
    ),
    Case(
        "surveys",
        "GET",
        "/v1/instruments/{instrument_id}/versions",
        EVERYONE,
        lambda w, i: f"/v1/instruments/{NOK(w, i)}/versions",
        scoped=False,
    ),
    Case(
        "surveys",
        "GET",
        "/v1/instruments/{instrument_id}/export",
        EVERYONE,
        lambda w, i: f"/v1/instruments/{NOK(w, i)}/export?format=xlsform",
        scoped=False,
    ),
    # Outside the scope, a launch is refused as a bad field (see tests/surveys/test_campaigns.py).
    Case(
        "surveys",
        "POST",
        "/v1/campaigns",
        LAUNCHERS - {"service"},
        fixed("/v1/campaigns"),
        body=lambda w, i: {
            "instrument_id": str(NOK(w, i)),
            "audience": "parents",
            "organization_ids": [org(w, True)],
            "period": "2021/2022",
            "opens_at": "2021-09-01T00:00:00+03:00",
            "closes_at": "2021-10-01T00:00:00+03:00",
        },
        ok=201,
        scoped=False,
    ),
    Case("surveys", "GET", "/v1/campaigns", EVERYONE, fixed("/v1/campaigns"), scoped=False),
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}",
        EVERYONE,
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}",
    ),
    Case(
        "surveys",
        "PATCH",
        "/v1/campaigns/{campaign_id}",
        LAUNCHERS - {"service"},
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}",
        body=lambda w, i: {"title": "Анкета"},
    ),
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}/rates",
        EVERYONE,
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}/rates",
    ),
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}/pending",
        LAUNCHERS,
        lambda w, i: f"/v1/campaigns/{camp(w, 'diagnostic', i)}/pending",
    ),
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}/aggregates",
        EVERYONE,
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}/aggregates?level=territory",
    ),
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}/deficits",
        frozenset({"admin", "teacher", "leader", "methodologist"}),
        lambda w, i: f"/v1/campaigns/{camp(w, 'diagnostic', i)}/deficits",
    ),
    # Printable sheets of the anonymous links: whoever sees the links in the campaign's reads.
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}/organizations/{organization_id}/sheet",
        EVERYONE,
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}/organizations/{org(w, i)}/sheet",
    ),
    Case(
        "surveys",
        "GET",
        "/v1/campaigns/{campaign_id}/sheets",
        EVERYONE,
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}/sheets",
    ),
    # A form service's export imported (a dry run by default): who manages the school's
    # campaigns, as for keying in paper questionnaires.
    Case(
        "surveys",
        "POST",
        "/v1/campaigns/{campaign_id}/organizations/{organization_id}/responses/import",
        AUTHORS | {"leader"},
        lambda w, i: (
            f"/v1/campaigns/{camp(w, 'parents', i)}/organizations/{org(w, i)}/responses/import"
        ),
        form=lambda w, i: {},
        file=("answers.csv", "Отметка времени;Ваши предложения по улучшению условий\n"),
    ),
    # Each caller's own personal links (teachers'; empty for everyone else).
    Case(
        "surveys", "GET", "/v1/me/invitations", EVERYONE, fixed("/v1/me/invitations"), scoped=False
    ),
    # Anonymous links need no account: anyone may answer, with or without credentials.
    Case(
        "surveys",
        "POST",
        "/v1/campaigns/{campaign_id}/responses",
        EVERYONE,
        lambda w, i: f"/v1/campaigns/{camp(w, 'parents', i)}/responses",
        body=lambda w, i: {"organization_id": org(w, True), "answers": nok_answers()},
        ok=201,
        scoped=False,
        public=True,
    ),
]
TABLE += [
    # Reads only, though a POST; rows outside the caller's scope are left out, not refused.
    Case(
        "api",
        "POST",
        "/v1/data-values/query",
        EVERYONE,
        fixed("/v1/data-values/query"),
        body=lambda w, i: {
            "indicator_codes": ["e_planning"],
            "periods": ["2021/2022"],
            "organization_ids": None,
        },
        scoped=False,
    ),
    Case(
        "reports",
        "GET",
        "/v1/indicator-values",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i: (
            f"/v1/indicator-values?period=2021/2022&scope_type=territory&scope_id={terr(w, i)}"
        ),
    ),
]
TABLE += [
    Case(
        "reports",
        "GET",
        "/v1/nok",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i: f"/v1/nok?territory_id={terr(w, i)}&period=2021/2022",
    ),
]
# Complex analysis (issue 15): a territory's results, read by whoever sees the territory (like
# НОК).
TABLE += [
    Case(
        "reports",
        "GET",
        f"/v1/analysis/{name}",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i, name=name: f"/v1/analysis/{name}?territory_id={terr(w, i)}&year=2021/2022",
    )
    for name in ("objectivity", "task-completion", "low-results", "context", "resilient")
]
# Recommendations: global rules are the administrators', a territory's own rules its analysts'
# (tests/reports/test_recommendation_owners.py); recommendations follow the scope of what they
# concern.
RULE_EDITORS = frozenset({"admin", "analyst"})
ISSUERS = frozenset({"admin", "analyst", "methodologist"})
RULE = f"/v1/recommendation-rules/{default_rule_id('leader_indicator_not_achieved')}"


def rec(w: World, inside: bool) -> str:
    return str((w.rec_s1 if inside else w.rec_s3).id)


TABLE += [
    Case(
        "reports",
        "GET",
        "/v1/recommendation-rules",
        EVERYONE,
        fixed("/v1/recommendation-rules"),
        scoped=False,
    ),
    Case(
        "reports",
        "POST",
        "/v1/recommendation-rules",
        RULE_EDITORS,
        fixed("/v1/recommendation-rules"),
        body=lambda w, i: {
            "code": "access_rule",
            "owner_territory_id": terr(w, i),
            "title": "Проверка",
            "condition": "indicator_not_achieved",
            "addressee_type": "organization_leader",
            "template": "{indicator}: {value}",
        },
        ok=201,
    ),
    Case(
        "reports",
        "GET",
        "/v1/recommendation-rules/{rule_id}",
        EVERYONE,
        fixed(RULE),
        scoped=False,
    ),
    Case(
        "reports",
        "PATCH",
        "/v1/recommendation-rules/{rule_id}",
        frozenset({"admin"}),  # a global rule
        fixed(RULE),
        body=lambda w, i: {"title": "Показатель не достиг цели"},
        scoped=False,
    ),
    Case(
        "reports",
        "PUT",
        "/v1/recommendation-rules/{rule_id}/territories/{territory_id}",
        RULE_EDITORS,
        lambda w, i: f"{RULE}/territories/{terr(w, i)}",
        body=lambda w, i: {"active": False},
    ),
    Case(
        "reports",
        "DELETE",
        "/v1/recommendation-rules/{rule_id}",
        frozenset({"admin"}),  # a global rule
        fixed(RULE),
        ok=204,
        scoped=False,
    ),
    Case(
        "reports",
        "POST",
        "/v1/recommendations/generate",
        ISSUERS,
        fixed("/v1/recommendations/generate"),
        body=lambda w, i: {"territory_id": terr(w, i), "period": "2021/2022"},
    ),
    Case(
        "reports",
        "GET",
        "/v1/recommendations",
        EVERYONE,
        fixed("/v1/recommendations"),
        scoped=False,
    ),
    Case(
        "reports",
        "GET",
        "/v1/recommendations/{recommendation_id}",
        frozenset({"admin", "analyst", "methodologist", "leader", "viewer", "service"}),
        lambda w, i: f"/v1/recommendations/{rec(w, i)}",
    ),
    Case(
        "reports",
        "PATCH",
        "/v1/recommendations/{recommendation_id}",
        frozenset({"admin", "analyst", "methodologist", "leader"}),
        lambda w, i: f"/v1/recommendations/{rec(w, i)}",
        body=lambda w, i: {"status": "accepted"},
    ),
    Case(
        "reports",
        "POST",
        "/v1/recommendations/{recommendation_id}/decisions",
        frozenset({"admin", "analyst", "methodologist", "leader"}),
        lambda w, i: f"/v1/recommendations/{rec(w, i)}/decisions",
        body=lambda w, i: {
            "text": "Решение",
            "decided_on": "2022-06-01",
            "responsible": "Директор",
        },
        ok=201,
    ),
    Case(
        "reports",
        "GET",
        "/v1/decisions",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i: f"/v1/decisions?territory_id={terr(w, i)}&period=2021/2022",
    ),
    Case(
        "reports",
        "GET",
        "/v1/decisions/periods",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i: f"/v1/decisions/periods?territory_id={terr(w, i)}",
    ),
]
TABLE += [
    # The version of the data the reports are computed from: any account or Soko service.
    Case("api", "GET", "/v1/data-version", EVERYONE, fixed("/v1/data-version"), scoped=False),
    Case("surveys", "GET", "/v1/data-version", EVERYONE, fixed("/v1/data-version"), scoped=False),
    # The change feeds: a Soko service's own token only (acting for a user, it is refused too:
    # tests/api/test_changes.py).
    Case("api", "GET", "/v1/changes", frozenset({"service"}), fixed("/v1/changes"), scoped=False),
    Case(
        "surveys", "GET", "/v1/changes", frozenset({"service"}), fixed("/v1/changes"), scoped=False
    ),
]
# PD catalogue (the global one is the administrators', a territory's own programmes its analysts'
# and methodologists': tests/reports/test_pd_programme_owners.py), the PD order of a territory, and
# teachers' routes (personal data).
PD_EDITORS = frozenset({"admin", "analyst", "methodologist"})
TABLE += [
    Case("reports", "GET", "/v1/pd-programmes", EVERYONE, fixed("/v1/pd-programmes"), scoped=False),
    Case(
        "reports",
        "POST",
        "/v1/pd-programmes",
        PD_EDITORS,
        fixed("/v1/pd-programmes"),
        body=lambda w, i: {
            "code": "access_pd",
            "owner_territory_id": terr(w, i),
            "title": "Проверка",
            "provider": "ИМЦ",
            "hours": 16,
            "competences": ["tools"],
        },
        ok=201,
    ),
    Case(
        "reports",
        "GET",
        "/v1/pd-programmes/{programme_id}",
        EVERYONE,
        lambda w, i: f"/v1/pd-programmes/{w.programme.id}",
        scoped=False,
    ),
    Case(
        "reports",
        "PATCH",
        "/v1/pd-programmes/{programme_id}",
        frozenset({"admin"}),  # in the global catalogue
        lambda w, i: f"/v1/pd-programmes/{w.programme.id}",
        body=lambda w, i: {"hours": 36},
        scoped=False,
    ),
    Case(
        "reports",
        "DELETE",
        "/v1/pd-programmes/{programme_id}",
        frozenset({"admin"}),  # in the global catalogue
        lambda w, i: f"/v1/pd-programmes/{w.programme.id}",
        ok=204,
        scoped=False,
    ),
    Case(
        "reports",
        "GET",
        "/v1/pd-order",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i: f"/v1/pd-order?territory_id={terr(w, i)}&period=2021/2022",
    ),
    Case(
        "reports",
        "GET",
        "/v1/individual-routes",
        frozenset({"teacher", "leader", "methodologist"}),
        lambda w, i: f"/v1/individual-routes?period=2021/2022&organization_id={org(w, i)}",
    ),
]
# Report documents: readers of the owner's indicator values (a school's own people read the
# school's card, and its own roadmaps' reports: see tests/reports/test_documents.py).
TABLE += [
    Case(
        "reports",
        "GET",
        "/v1/reports/roadmaps/{roadmap_id}",
        frozenset({"admin", "analyst", "methodologist", "viewer", "service"}),
        lambda w, i: f"/v1/reports/roadmaps/{(w.r1 if i else w.r2).id}?period=2021/2022",
    ),
    Case(
        "reports",
        "GET",
        "/v1/reports/organizations/{organization_id}",
        EVERYONE,
        lambda w, i: f"/v1/reports/organizations/{org(w, i)}?period=2021/2022",
    ),
]
# Data collections (tests/api/test_collections.py, test_approvals.py): the owner territory's
# analysts write them; its analysts and viewers, and the leaders of its schools, read them. M1's
# collection waits for S1's 2021/2022 submission to be approved and has S1's 2016/2017 approved.
COLLECTION_READERS = frozenset({"admin", "analyst", "leader", "viewer", "service"})
COLLECTION_OWNERS = frozenset({"admin", "analyst"})


def coll(w: World, inside: bool, key: str = "") -> str:
    return f"/v1/collections/{w.collections[key + ('m1' if inside else 'm2')].id}"


def step(period: str, comment: str | None = None) -> Callable[[World, bool], dict]:
    return lambda w, i: {"organization_id": org(w, i), "period": period, "comment": comment}


TABLE += [
    Case(
        "api",
        "POST",
        "/v1/collections",
        COLLECTION_OWNERS,
        fixed("/v1/collections"),
        body=lambda w, i: {
            "name": "Сбор",
            "owner_territory_id": terr(w, i),
            "indicator_codes": ["e_planning"],
            "windows": [
                {"period": "2022/2023", "opens_date": "2022-09-01", "due_date": "2022-10-01"}
            ],
        },
        ok=201,
    ),
    Case(
        "api", "GET", "/v1/collections", COLLECTION_READERS, fixed("/v1/collections"), scoped=False
    ),
    Case("api", "GET", "/v1/collections/{collection_id}", COLLECTION_READERS, coll),
    Case(
        "api",
        "PATCH",
        "/v1/collections/{collection_id}",
        COLLECTION_OWNERS,
        coll,
        body=lambda w, i: {"name": "Сбор данных (новое имя)"},
    ),
    Case(
        "api",
        "DELETE",
        "/v1/collections/{collection_id}",
        COLLECTION_OWNERS,
        lambda w, i: coll(w, i, "spare_"),
        ok=204,
    ),
    Case(
        "api",
        "GET",
        "/v1/collections/{collection_id}/status",
        COLLECTION_READERS,
        lambda w, i: f"{coll(w, i)}/status?period=2021/2022",
    ),
    Case(
        "api",
        "POST",
        "/v1/collections/{collection_id}/approvals/submit",
        frozenset({"admin", "leader"}),
        lambda w, i: f"{coll(w, i)}/approvals/submit",
        body=step("2019/2020"),
    ),
    Case(
        "api",
        "POST",
        "/v1/collections/{collection_id}/approvals/withdraw",
        frozenset({"admin", "leader"}),
        lambda w, i: f"{coll(w, i)}/approvals/withdraw",
        body=step("2021/2022"),
    ),
    Case(
        "api",
        "POST",
        "/v1/collections/{collection_id}/approvals/approve",
        COLLECTION_OWNERS,
        lambda w, i: f"{coll(w, i)}/approvals/approve",
        body=step("2021/2022"),
    ),
    Case(
        "api",
        "POST",
        "/v1/collections/{collection_id}/approvals/return",
        COLLECTION_OWNERS,
        lambda w, i: f"{coll(w, i)}/approvals/return",
        body=step("2021/2022", "Нет значения"),
    ),
    Case(
        "api",
        "POST",
        "/v1/collections/{collection_id}/approvals/unapprove",
        COLLECTION_OWNERS,
        lambda w, i: f"{coll(w, i)}/approvals/unapprove",
        body=step("2016/2017", "Ошибка в данных"),
    ),
    Case(
        "api",
        "GET",
        "/v1/collections/{collection_id}/approvals",
        COLLECTION_READERS,
        lambda w, i: f"{coll(w, i)}/approvals",
    ),
    Case(
        "api",
        "GET",
        "/v1/collections/{collection_id}/approvals/history",
        COLLECTION_READERS,
        lambda w, i: f"{coll(w, i)}/approvals/history",
    ),
]


# Validation rules: M1's rule (inside) and M2's (outside), each over the world's indicator.
def vrule(w: World, inside: bool) -> str:
    return f"/v1/validation-rules/{w.validation_rules['m1' if inside else 'm2']}"


TABLE += [
    Case(
        "api",
        "POST",
        "/v1/validation-rules",
        RULE_EDITORS,
        fixed("/v1/validation-rules"),
        body=lambda w, i: {
            "code": "access_check",
            "owner_territory_id": terr(w, i),
            "left": "e_planning",
            "operator": "<=",
            "right": "1",
            "message": "Проверка",
        },
        ok=201,
    ),
    Case(
        "api", "GET", "/v1/validation-rules", EVERYONE, fixed("/v1/validation-rules"), scoped=False
    ),
    Case("api", "GET", "/v1/validation-rules/{rule_id}", EVERYONE, vrule),
    Case(
        "api",
        "PATCH",
        "/v1/validation-rules/{rule_id}",
        RULE_EDITORS,
        vrule,
        body=lambda w, i: {"importance": "low"},
    ),
    Case("api", "DELETE", "/v1/validation-rules/{rule_id}", RULE_EDITORS, vrule, ok=204),
    # Filtered to the caller's organizations inside a territory they see; 404 outside.
    Case(
        "api",
        "GET",
        "/v1/validation-results",
        EVERYONE,
        lambda w, i: f"/v1/validation-results?territory_id={terr(w, i)}&period=2021/2022",
    ),
]
CASES = {f"{c.service} {c.method} {c.path}": c for c in TABLE}


def test_every_endpoint_is_in_the_table(apps):
    served = set()
    for name in ("api", "surveys", "reports"):
        for path, operations in getattr(apps, name).openapi()["paths"].items():
            if path in ("/healthz", "/readyz"):
                continue
            served |= {f"{name} {method.upper()} {path}" for method in operations}
    listed = set(CASES) | {f"{s} {m} {p}" for s, m, p in PUBLIC}
    assert served - listed == set(), "endpoints missing from the access table"
    assert listed - served == set(), "table rows for endpoints that do not exist"


async def call(apps, case: Case, world: World, headers: dict[str, str], inside: bool):
    app = getattr(apps, case.service)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        path = case.target(world, inside)
        if case.form:
            name, content = case.file or ("plan.csv", SAMPLE_CSV)
            if isinstance(content, str):
                content = content.replace("{s1}", str(world.s1.id)).encode()
            files = {"file": (name, content, "application/octet-stream")}
            return await client.request(
                case.method, path, data=case.form(world, inside), files=files, headers=headers
            )
        body = case.body(world, inside) if case.body else None
        return await client.request(case.method, path, json=body, headers=headers)


@pytest.mark.parametrize("who", [*PRINCIPALS, "api_key"])
@pytest.mark.parametrize("key", list(CASES))
async def test_inside_the_scope_only_allowed_principals_succeed(apps, isolation, world, key, who):
    case = CASES[key]
    if who == "api_key" and case.service != "api":
        pytest.skip("API keys are checked by the api service only (see the 401 test)")
    answer = await call(apps, case, world, world.headers(who), inside=True)
    if who in case.allowed or who in case.extra_ok:
        assert answer.status_code == case.ok, answer.text
    else:
        assert answer.status_code in (403, 404), answer.text
        assert answer.headers["content-type"] == "application/problem+json"


SCOPED_PRINCIPALS = ("analyst", "methodologist", "leader", "teacher", "viewer")


@pytest.mark.parametrize("who", SCOPED_PRINCIPALS)
@pytest.mark.parametrize("key", [k for k, c in CASES.items() if c.scoped])
async def test_outside_the_scope_is_refused(apps, isolation, world, key, who):
    case = CASES[key]
    answer = await call(apps, case, world, world.headers(who), inside=False)
    assert answer.status_code in (403, 404), answer.text


def bad_credentials(world: World, settings) -> dict[str, dict[str, str]]:
    return {
        "none": {},
        "garbage": {"Authorization": "Bearer not-a-jwt"},
        "expired": {"Authorization": f"Bearer {expired_token(settings, world)}"},
        "foreign_secret": {
            "Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
        },
        "revoked_key": {"X-API-Key": world.revoked_key},
        "unknown_key": {"X-API-Key": "soko_000000000000_nope"},
    }


@pytest.mark.parametrize(
    "credential", ["none", "garbage", "expired", "foreign_secret", "revoked_key", "unknown_key"]
)
@pytest.mark.parametrize("key", list(CASES))
async def test_missing_or_bad_credentials_are_401(
    apps, isolation, world, settings, key, credential
):
    case = CASES[key]
    if case.public and credential == "none":
        pytest.skip("a public endpoint answers without credentials")
    headers = bad_credentials(world, settings)[credential]
    answer = await call(apps, case, world, headers, inside=True)
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"] == "application/problem+json"


# --- Same scope, another person's personal data -------------------------------------------------
# Reading a school is not reading its teachers' results. T1 of S1 has taken the diagnostic
# (alone: a group of one), has a route and a recommendation of their own; each principal below
# is inside the scope of S1 or M1 and tries them. Each check is (service, path, expected):
# "refused" 403/404; "absent" 200 with nothing of T1 in it; "withheld" 200 with every aggregate
# suppressed; "shown" 200 with T1's data (readers of personal results, as a control).

PersonalCheck = tuple[str, Callable[[World], str], str]


def diagnostic(w: World) -> str:
    return f"/v1/campaigns/{w.campaigns['diagnostic_s1'].id}"


def t1_rec(w: World) -> str:
    return f"/v1/recommendations/{w.rec_t1.id}"


ORDER = "/v1/pd-order?period=2021/2022&territory_id={m1}"


def aggregates_at(level: str, expected: str = "withheld") -> PersonalCheck:
    return ("surveys", lambda w: f"{diagnostic(w)}/aggregates?level={level}", expected)


OF_S1: PersonalCheck = (
    "surveys",
    lambda w: f"{diagnostic(w)}/aggregates?organization_id={w.s1.id}",
    "withheld",
)
AGGREGATES = [aggregates_at("organization"), aggregates_at("cluster"), OF_S1]
NO_PERSONAL_READS: list[PersonalCheck] = [
    ("surveys", lambda w: f"{diagnostic(w)}/deficits", "refused"),
    ("reports", lambda w: f"/v1/individual-routes?staff_id={w.t1.id}", "refused"),
    ("reports", lambda w: "/v1/recommendations?addressee_type=teacher", "absent"),
    ("reports", t1_rec, "refused"),
]
PERSONAL_CASES: dict[str, list[PersonalCheck]] = {
    # Another teacher of S1: their own results only.
    "teacher2": [
        ("surveys", lambda w: f"{diagnostic(w)}/deficits", "absent"),
        ("surveys", lambda w: f"{diagnostic(w)}/deficits?organization_id={w.s1.id}", "absent"),
        ("reports", lambda w: f"/v1/individual-routes?staff_id={w.t1.id}", "absent"),
        ("reports", lambda w: f"/v1/individual-routes?organization_id={w.s1.id}", "absent"),
        ("reports", lambda w: "/v1/recommendations", "absent"),
        ("reports", t1_rec, "refused"),
        *AGGREGATES,  # a teacher's scope holds no territory
    ],
    # The leader of S2, in the same municipality: nothing of S1's teachers.
    "leader2": [
        ("surveys", lambda w: f"{diagnostic(w)}/deficits", "refused"),
        ("surveys", lambda w: f"{diagnostic(w)}/aggregates", "refused"),
        ("reports", lambda w: f"/v1/individual-routes?organization_id={w.s1.id}", "refused"),
        ("reports", lambda w: f"/v1/individual-routes?staff_id={w.t1.id}", "absent"),
        ("reports", lambda w: "/v1/recommendations", "absent"),
        ("reports", t1_rec, "refused"),
    ],
    # M1's viewer and analyst, and a service acting for them or for nobody: aggregates only,
    # and a group of one is no aggregate.
    **{
        who: [
            *NO_PERSONAL_READS,
            *AGGREGATES,
            aggregates_at("territory"),
            ("reports", lambda w: ORDER.format(m1=w.m1.id), "withheld"),
        ]
        for who in ("viewer", "analyst", "service+viewer", "service+analyst", "service")
    },
    # The readers of T1's results, as a control that the checks above can fail.
    "teacher": [
        ("surveys", lambda w: f"{diagnostic(w)}/deficits", "shown"),
        ("reports", lambda w: "/v1/individual-routes", "shown"),
        ("reports", t1_rec, "shown"),
    ],
    "leader": [
        ("surveys", lambda w: f"{diagnostic(w)}/deficits", "shown"),
        ("surveys", lambda w: f"{diagnostic(w)}/aggregates", "shown"),
        ("reports", lambda w: f"/v1/individual-routes?staff_id={w.t1.id}", "shown"),
        ("reports", t1_rec, "shown"),
    ],
    "methodologist": [
        ("surveys", lambda w: f"{diagnostic(w)}/deficits?organization_id={w.s1.id}", "shown"),
        aggregates_at("territory", "shown"),
        ("reports", lambda w: f"/v1/individual-routes?organization_id={w.s1.id}", "shown"),
        ("reports", lambda w: "/v1/recommendations?addressee_type=teacher", "shown"),
        ("reports", lambda w: ORDER.format(m1=w.m1.id), "shown"),
    ],
    "admin": [
        ("surveys", lambda w: f"{diagnostic(w)}/deficits", "shown"),
        ("surveys", lambda w: f"{diagnostic(w)}/aggregates", "shown"),
        ("reports", lambda w: ORDER.format(m1=w.m1.id), "shown"),
    ],
}


@pytest.fixture
async def diagnosed(apps, db, settings, world) -> World:
    """The world with T2 and the leader of S2, T1's diagnostic taken, a route and a
    recommendation of T1's own."""
    from services.reports.recommendations.models import Recommendation
    from tests.factories import add_colleagues
    from tests.reports.helpers import individual_route
    from tests.surveys.forms import diagnostic_answers

    await add_colleagues(db, settings, world)
    transport = httpx.ASGITransport(app=apps.surveys)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        taken = await client.post(
            f"{diagnostic(world)}/responses",
            json={"staff_id": str(world.t1.id), "answers": diagnostic_answers({"design": 5})},
            headers=world.headers("teacher"),
        )
        assert taken.status_code == 201, taken.text
    deficit = {"code": "interpretation", "title": "Интерпретация", "share": 0.0}
    programme = {"code": "p", "title": "Программа", "provider": "ИМЦ", "hours": 24}
    db.add(
        individual_route(
            world.t1,
            world.m1.id,
            "2021/2022",
            deficits=[deficit],
            steps=[{"position": 1, "programme": programme, "competences": [deficit]}],
        )
    )
    world.rec_t1 = Recommendation(
        rule_code="teacher_own_deficits",
        period="2021/2022",
        addressee_type="teacher",
        addressee_id=world.t1.id,
        organization_id=world.s1.id,
        territory_id=world.m1.id,
        territory_ids=[world.m1.id, world.region.id],
        subject="deficits",
        text=f"{world.t1.full_name}, у вас выявлены профессиональные дефициты: «Интерпретация».",
        evidence={"deficits": [deficit]},
    )
    db.add(world.rec_t1)
    await db.flush()
    return world


def _withheld(body: dict) -> bool:
    if "suppressed" in body and "items" not in body:  # the PD order
        return body["suppressed"] is True and body["seats"] is None and body["programmes"] == []
    values = [
        v
        for item in body["items"]
        for part in (*item["questions"], *item["competences"])
        for k, v in part.items()
        if k not in ("code", "n")
    ]
    items = body["items"]
    return bool(items) and all(i["suppressed"] for i in items) and all(v is None for v in values)


def _about_t1(world: World, text: str) -> bool:
    return str(world.t1.id) in text or world.t1.full_name in text


@pytest.mark.parametrize("who", list(PERSONAL_CASES))
async def test_same_scope_another_persons_personal_data(apps, isolation, diagnosed, who):
    world = diagnosed
    for service, path, expected in PERSONAL_CASES[who]:
        app = getattr(apps, service)
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://t"
        ) as client:
            answer = await client.get(path(world), headers=world.headers(who))
        where = (who, path(world), expected, answer.text[:300])
        if expected == "refused":
            assert answer.status_code in (403, 404), where
            assert answer.headers["content-type"] == "application/problem+json"
            continue
        assert answer.status_code == 200, where
        if expected == "absent":
            assert not _about_t1(world, answer.text), where
        elif expected == "withheld":
            assert _withheld(answer.json()), where
        elif "/aggregates" in answer.url.path or "/pd-order" in answer.url.path:
            assert not _withheld(answer.json()), where
        else:
            assert _about_t1(world, answer.text), where
