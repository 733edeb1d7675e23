"""Rows of the access matrix: data collections and their approvals."""

from collections.abc import Callable

from tests.access.cases import (
    Case,
    fixed,
    org,
    terr,
)
from tests.factories import World

# Data collections (tests/api/test_collections.py, test_approvals.py): the owner territory's
# analysts write them; its analysts and viewers, and the leaders of its schools, read them. M1's
# collection waits for S1's 2021/2022 submission to be approved and has S1's 2016/2017 approved.
COLLECTION_READERS = frozenset({"admin", "analyst", "leader", "viewer", "service"})
COLLECTION_OWNERS = frozenset({"admin", "analyst"})


def coll(w: World, inside: bool, key: str = "") -> str:
    return f"/v1/collections/{w.collections[key + ('m1' if inside else 'm2')].id}"


def step(period: str, comment: str | None = None) -> Callable[[World, bool], dict]:
    return lambda w, i: {"organization_id": org(w, i), "period": period, "comment": comment}


TABLE = [
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
