"""Rows of the access matrix: who one is (/v1/me), users, territories, organizations, clusters,
staff (personal data), API keys and the audit log."""

from tests.access.cases import (
    EVERYONE,
    MANAGE_ORG,
    Case,
    fixed,
    org,
    terr,
)

PERSONAL = frozenset({"admin", "analyst", "methodologist", "leader", "service"})

# A user's account is personal data: hidden from those who may not manage it (404).
ACCOUNT_HIDDEN = frozenset({"methodologist", "leader", "teacher", "viewer"})

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
        hidden=ACCOUNT_HIDDEN,
    ),
    Case(
        "api",
        "PATCH",
        "/v1/users/{user_id}",
        frozenset({"admin", "analyst"}),
        lambda w, inside: f"/v1/users/{w.users['target' if inside else 'leader3'].id}",
        body=lambda w, inside: {"full_name": "Переименован"},
        hidden=ACCOUNT_HIDDEN,
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
    Case(
        "api",
        "POST",
        "/v1/organizations/lookup",
        EVERYONE,
        fixed("/v1/organizations/lookup"),
        body=lambda w, i: {"organization_ids": [org(w, True)], "with_staff": True},
        scoped=False,
    ),
]
