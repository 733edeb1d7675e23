"""The editable resources whose changes take `If-Match` (shared/etag.py), for
tests/test_if_match.py: where each lives (some made first through the API), who may change it
and two different changes of one field that its GET shows back."""

import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from tests.api.validation import add_rule
from tests.factories import World, add_data_indicator
from tests.reports.helpers import below_rule

Locate = Callable[[httpx.AsyncClient, World, AsyncSession], Awaitable[str]]


@dataclass(frozen=True)
class Case:
    name: str
    service: str  # "api", "surveys" or "reports"
    locate: Locate  # the resource's URL, made first when the world has none
    who: str  # a role of tests/factories.py that may change it
    field: str
    first: Any
    second: Any
    # A row of a reference table (kept after `committed` tests): deleted at the end of one.
    reference: bool = False

    def body(self, value: Any) -> dict[str, Any]:
        return {self.field: value}


def at(path: Callable[[World], str]) -> Locate:
    """A resource the standard world has."""

    async def locate(client: httpx.AsyncClient, world: World, session: AsyncSession) -> str:
        return path(world)

    return locate


async def validation_rule(client: httpx.AsyncClient, world: World, session: AsyncSession) -> str:
    for code in ("students_total", "students_passed"):
        await add_data_indicator(session, code, code, "number", min=0)
    await session.commit()
    return f"/v1/validation-rules/{(await add_rule(client, world))['id']}"


async def recommendation_rule(
    client: httpx.AsyncClient, world: World, session: AsyncSession
) -> str:
    # A reference table: a code of the test's own, never another test's rule.
    body = below_rule(f"etag_{uuid.uuid4().hex[:8]}")
    made = await client.post(
        "/v1/recommendation-rules", json=body, headers=world.headers("analyst")
    )
    assert made.status_code == 201, made.text
    return f"/v1/recommendation-rules/{made.json()['id']}"


CASES = [
    Case(
        "roadmap",
        "api",
        at(lambda w: f"/v1/roadmaps/{w.r1.id}"),
        "analyst",
        "title",
        "Дорожная карта МСОКО (первая правка)",
        "Дорожная карта МСОКО (вторая правка)",
    ),
    Case(
        "activity",
        "api",
        at(lambda w: f"/v1/activities/{w.a1.id}"),
        "analyst",
        "status",
        "in_progress",
        "done",
    ),
    Case(
        "indicator",
        "api",
        at(lambda w: f"/v1/indicators/{w.planning.id}"),
        "admin",
        "name",
        "ОО ведёт электронное планирование (первая правка)",
        "ОО ведёт электронное планирование (вторая правка)",
    ),
    Case(
        "collection",
        "api",
        at(lambda w: f"/v1/collections/{w.collections['m1'].id}"),
        "analyst",
        "name",
        "Сбор района (первая правка)",
        "Сбор района (вторая правка)",
    ),
    Case(
        "validation_rule",
        "api",
        validation_rule,
        "analyst",
        "message",
        "Сдавших больше, чем обучающихся (первая правка)",
        "Сдавших больше, чем обучающихся (вторая правка)",
    ),
    Case(
        "organization",
        "api",
        at(lambda w: f"/v1/organizations/{w.s2.id}"),
        "admin",
        "name",
        "Школа 2 имени первой правки",
        "Школа 2 имени второй правки",
    ),
    Case(
        "cluster",
        "api",
        at(lambda w: f"/v1/clusters/{w.c1.id}"),
        "admin",
        "name",
        "Кластер 1 (первая правка)",
        "Кластер 1 (вторая правка)",
    ),
    Case(
        "campaign",
        "surveys",
        at(lambda w: f"/v1/campaigns/{w.campaigns['parents_s1'].id}"),
        "analyst",
        "title",
        "Опрос родителей (первая правка)",
        "Опрос родителей (вторая правка)",
    ),
    Case(
        "recommendation_rule",
        "reports",
        recommendation_rule,
        "analyst",
        "title",
        "Мало обученных педагогов (первая правка)",
        "Мало обученных педагогов (вторая правка)",
        reference=True,
    ),
    Case(
        "recommendation",
        "reports",
        at(lambda w: f"/v1/recommendations/{w.rec_s1.id}"),
        "leader",
        "status",
        "accepted",
        "rejected",
    ),
    Case(
        "territory",
        "api",
        at(lambda w: f"/v1/territories/{w.m1.id}"),
        "admin",
        "name",
        "Район 1 (первая правка)",
        "Район 1 (вторая правка)",
    ),
    Case(
        "user",
        "api",
        at(lambda w: f"/v1/users/{w.users['viewer'].id}"),
        "admin",
        "full_name",
        "Наблюдатель Первый",
        "Наблюдатель Второй",
    ),
    Case(
        "staff",
        "api",
        at(lambda w: f"/v1/staff/{w.t1.id}"),
        "admin",
        "full_name",
        "Иванова Мария Петровна",
        "Иванова Мария Сергеевна",
    ),
    Case(
        "pd_programme",
        "reports",
        at(lambda w: f"/v1/pd-programmes/{w.programme.id}"),
        "admin",
        "title",
        "Программа для проверок (первая правка)",
        "Программа для проверок (вторая правка)",
    ),
]
