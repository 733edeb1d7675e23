"""Rows of the access matrix: roadmaps, their activities and the activities' files."""

from tests.access.cases import (
    EVERYONE,
    Case,
    fixed,
    org,
    terr,
)
from tests.factories import World


def rm(w: World, inside: bool) -> str:
    return str(w.r1.id if inside else w.r2.id)


def act(w: World, inside: bool) -> str:
    return str(w.a1.id if inside else w.a2.id)


MANAGE_ACTIVITY = frozenset({"admin", "analyst", "leader"})  # the leader of the responsible school
TABLE = [
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
    Case(
        "api",
        "DELETE",
        "/v1/activities/{activity_id}/files/{file_id}",
        MANAGE_ACTIVITY,
        lambda w, i: f"/v1/activities/{act(w, i)}/files/{(w.f1 if i else w.f2).id}",
        ok=204,
    ),
]
