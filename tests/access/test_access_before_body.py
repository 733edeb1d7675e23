"""Who may call a route is answered before what they sent is read: without credentials 401, a
principal the route refuses 403 (404 where the matrix hides the target from them), never 422
telling them the body's or the query's schema, or whether the ids in it exist.

The routes come from each app's own OpenAPI document, so a new route is walked as soon as it is
served; who is refused comes from the access matrix (tests/access/endpoints/), which every route
must join (test_every_endpoint_is_listed.py). Each route is called with a body no route takes
(an array where an object is expected, an object where an array is), its path filled with random
ids and each typed query parameter malformed (required ones left out when they are plain text).
"""

import random
import uuid
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from services.api.app import create_app as create_api
from services.reports.app import create_app as create_reports
from services.surveys.app import create_app as create_surveys
from shared.settings import Settings
from tests.access.cases import PRINCIPALS
from tests.access.endpoints import CASES

WRITES = ("POST", "PUT", "PATCH", "DELETE")

# Routes that answer without credentials, so (a) does not apply: whatever they answer an
# anonymous caller, a bad body is theirs to refuse.
OPEN = {
    # Sign-in: the OAuth2 password form is read to know who signs in.
    "api POST /v1/auth/token": "sign-in",
    # Sign-out (RFC 7009): holding the token is the right to revoke it; the form names it.
    "api POST /v1/auth/revoke": "sign-out: the token in the form is the credential",
    # Anonymous survey links: anyone may answer, the campaign's rules say who.
    "surveys POST /v1/campaigns/{campaign_id}/responses": "anonymous survey submission",
}

# Principals whose refusal depends on which object the request names (the school, territory,
# roadmap or rule in the body, the query or the path): they learn it is refused only once that
# object is read, so an unreadable request may be 422 first, and a random id in the path 404.
# A role that may never call the route is 403 first even here (everyone not listed).
SCHOOL = frozenset({"leader", "teacher"})
BY_TARGET: dict[str, tuple[frozenset[str], str]] = {
    "api POST /v1/roadmaps": (
        frozenset({"leader"}),
        "a school's leader writes their school's roadmaps: `owner_type`/`owner_id` in the body",
    ),
    "api POST /v1/roadmaps/import": (
        frozenset({"leader"}),
        "as POST /v1/roadmaps: the owner is in the form",
    ),
    "api PATCH /v1/roadmaps/{roadmap_id}": (
        frozenset({"leader"}),
        "a school's leader changes their school's roadmaps: the roadmap's owner decides",
    ),
    "reports PATCH /v1/recommendation-rules/{rule_id}": (
        frozenset({"analyst"}),
        "an analyst changes their territory's rules, not the default ones: the rule decides",
    ),
    "reports DELETE /v1/recommendation-rules/{rule_id}": (
        frozenset({"analyst"}),
        "as PATCH: the rule's owner decides",
    ),
    "reports PATCH /v1/pd-programmes/{programme_id}": (
        frozenset({"analyst", "methodologist"}),
        "a territory's own programmes, not the global catalogue: the programme's owner decides",
    ),
    "reports DELETE /v1/pd-programmes/{programme_id}": (
        frozenset({"analyst", "methodologist"}),
        "as PATCH: the programme's owner decides",
    ),
    # A school's people read their own school's figures; a territory's are another scope's
    # (404): the territory or organization is in the query.
    **{
        f"reports GET {path}": (SCHOOL, "the scope asked in the query decides")
        for path in (
            "/v1/indicator-values",
            "/v1/nok",
            "/v1/decisions",
            "/v1/decisions/periods",
            "/v1/analysis/low-results",
            "/v1/analysis/context",
            "/v1/analysis/resilient",
            "/v1/analysis/objectivity",
            "/v1/analysis/task-completion",
        )
    },
    "reports GET /v1/reports/roadmaps/{roadmap_id}": (
        SCHOOL,
        "a school's roadmap its people read, a territory's is hidden: the roadmap decides",
    ),
}


@dataclass(frozen=True)
class Route:
    service: str
    method: str
    path: str
    operation: dict[str, Any]

    @property
    def key(self) -> str:
        return f"{self.service} {self.method} {self.path}"


def _served_routes() -> list[Route]:
    """Every write, and every read with query parameters, of the three apps' OpenAPI documents
    (built without a database: only the documents are read)."""
    settings = Settings(database_url="postgresql://openapi@127.0.0.1:9/none", environment="test")
    routes = []
    for name, create in (
        ("api", create_api),
        ("surveys", create_surveys),
        ("reports", create_reports),
    ):
        for path, operations in create(settings).openapi()["paths"].items():
            for method, operation in operations.items():
                method = method.upper()
                queried = any(p["in"] == "query" for p in operation.get("parameters", []))
                if method in WRITES or (method == "GET" and queried):
                    routes.append(Route(name, method, path, operation))
    return routes


ROUTES = _served_routes()


def _schema(parameter: dict[str, Any]) -> dict[str, Any]:
    """The parameter's own schema (the non-null one of an optional parameter's `anyOf`)."""
    schema = parameter.get("schema", {})
    for option in schema.get("anyOf", []):
        if option.get("type") != "null":
            return option
    return schema


def _path_value(parameter: dict[str, Any]) -> str:
    schema = _schema(parameter)
    if schema.get("type") == "integer":
        return str(random.randint(1, 10**6))
    if schema.get("format") == "uuid" or parameter["name"].endswith("_id"):
        return str(uuid.uuid4())
    return f"x{uuid.uuid4().hex[:8]}"


def _malformed(parameter: dict[str, Any]) -> str | None:
    """A value the query parameter's type refuses; None for free text (left out)."""
    schema = _schema(parameter)
    kind, fmt = schema.get("type"), schema.get("format")
    if fmt in ("uuid", "date", "date-time") or kind in ("integer", "number", "boolean"):
        return "__bogus"
    if "enum" in schema or "$ref" in schema:
        return "__bogus"
    return None


def _request(route: Route) -> tuple[str, dict[str, str], Any]:
    """The route's path with random ids, its malformed query, and a body it cannot take."""
    path, query = route.path, {}
    for parameter in route.operation.get("parameters", []):
        if parameter["in"] == "path":
            path = path.replace("{" + parameter["name"] + "}", _path_value(parameter))
        elif parameter["in"] == "query" and (value := _malformed(parameter)) is not None:
            query[parameter["name"]] = value
    body = None
    if route.method in WRITES:
        content = route.operation.get("requestBody", {}).get("content", {})
        schema = content.get("application/json", {}).get("schema", {})
        body = {"__bogus": 1} if schema.get("type") == "array" else ["__bogus"]
    return path, query, body


async def _send(apps, route: Route, headers: dict[str, str]) -> httpx.Response:
    path, query, body = _request(route)
    transport = httpx.ASGITransport(app=getattr(apps, route.service))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        return await client.request(route.method, path, params=query, json=body, headers=headers)


def _refused(route: Route) -> list[str]:
    """The principals the access matrix refuses on the route (an API key only on the api)."""
    case = CASES[route.key]
    everyone = [*PRINCIPALS, "api_key"] if route.service == "api" else list(PRINCIPALS)
    return [who for who in everyone if who not in case.allowed | case.extra_ok]


@pytest.mark.parametrize("route", [r for r in ROUTES if r.key not in OPEN], ids=lambda r: r.key)
async def test_without_credentials_a_bad_request_is_401(apps, isolation, route):
    answer = await _send(apps, route, {})
    assert answer.status_code == 401, answer.text


@pytest.mark.parametrize("route", [r for r in ROUTES if r.key not in OPEN], ids=lambda r: r.key)
async def test_a_refused_principal_with_a_bad_request_is_403(apps, isolation, world, route):
    assert route.key in CASES, "the route is missing from the access matrix"
    case = CASES[route.key]
    by_target = BY_TARGET.get(route.key, (frozenset(), ""))[0]
    wrong = {}
    for who in _refused(route):
        answer = await _send(apps, route, world.headers(who))
        if who in by_target:
            allowed = (403, 404, 422)
        else:
            allowed = (403, 404) if who in case.hidden else (403,)
        if answer.status_code not in allowed:
            wrong[who] = (answer.status_code, answer.text[:300])
    statuses = {who: status for who, (status, _) in wrong.items()}
    assert wrong == {}, f"{route.key}: refused principals answered {statuses}, not 403"


def test_the_allow_lists_name_served_routes():
    """A route renamed or removed leaves no stale exemption behind."""
    served = {r.key for r in ROUTES}
    assert set(OPEN) - served == set()
    assert set(BY_TARGET) - served == set()
