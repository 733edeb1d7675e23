"""Schemathesis over the three OpenAPI documents: no request, valid or not, makes a service fail.

Every operation of every service is fuzzed in process, through the real apps and the test
database, once with an administrator's token and once with a school leader's. The world of
tests/factories.py is built for each operation (and rolled back after it), and path and query
parameters that name a resource often take the id of one of its objects, so that requests reach
the code behind the 404. Any 5xx fails the test, and so do a response that breaks the schema the
service itself publishes (status, content type, body, headers), a 405 without `Allow`, and a
valid request answered with anything but 2xx, 401, 403, 404, 409, 422 or 429. The run prints
how many operations and requests it made, and a digest of the requests.

`SOKO_FUZZ_EXAMPLES` (default 8) bounds the random examples per operation and role; as the
administrator, the deterministic coverage cases schemathesis derives from each schema
(boundaries, nulls, wrong types, undeclared methods) come on top. The seed is fixed and
generation derandomized, so that CI sees the same requests each run.
"""

import asyncio
import copy
import hashlib
import io
import os
import re
from collections import Counter
from collections.abc import Iterator
from functools import cache
from typing import Any

import httpx
import pytest
import requests
import schemathesis
import urllib3
from hypothesis import HealthCheck, settings

from services.api.app import create_app as create_api
from services.reports.app import create_app as create_reports
from services.reports.recommendations.rules import default_rule_id
from services.surveys.app import create_app as create_surveys
from shared.settings import Settings
from tests.factories import World, build_world

EXAMPLES = int(os.environ.get("SOKO_FUZZ_EXAMPLES", "8"))
SEED = 20260611

CONFIG = {
    "seed": SEED,
    "generation": {"deterministic": True, "max-examples": EXAMPLES, "database": "none"},
    # No values learnt from earlier answers: the same requests whatever the database holds.
    "phases": {
        "examples": {"extra-data-sources": {"responses": False}},
        "coverage": {"extra-data-sources": {"responses": False}},
        "fuzzing": {
            "extra-data-sources": {"responses": False},
            "error-feedback": {"enabled": False},
        },
        "stateful": {"enabled": False},
    },
    "checks": {
        # A valid request may still break a rule no schema states (scope, state, a reference
        # to nothing): 403/404/409, or 422 naming the field, as every operation documents; a
        # well-formed `If-Match` of a tag the resource does not have is 412 (shared/etag.py).
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422", "429"]
        },
        # Pydantic reads a number as a date or a time (seconds since 1970): lenient, not wrong.
        "negative_data_rejection": {"enabled": False},
    },
    "suppress-health-check": ["all"],
}


@cache
def _openapi(create: Any) -> dict[str, Any]:
    # The documents do not depend on the database: an app that is never started serves them.
    offline = Settings(database_url="postgresql://fuzz@127.0.0.1:1/unused", environment="test")
    return create(offline).openapi()


def _schema(create: Any, *, coverage: bool) -> Any:
    phases = CONFIG["phases"] | {"coverage": CONFIG["phases"]["coverage"] | {"enabled": coverage}}
    config = CONFIG | {"phases": phases}
    document = copy.deepcopy(_openapi(create))  # one per schema object: never shared
    return schemathesis.openapi.from_dict(document, config=schemathesis.Config.from_dict(config))


class _Stats:
    """What the fuzz sent: requests per status class, and a digest of them all in order (the
    same digest on two runs means the same requests)."""

    def __init__(self) -> None:
        self.statuses: Counter[str] = Counter()
        self.operations: set[str] = set()
        self.digest = hashlib.sha256()

    def record(self, request: requests.PreparedRequest, body: bytes | None, status: int) -> None:
        self.statuses[f"{status // 100}xx"] += 1
        # The world's ids are new on every run: the digest sees them as one placeholder.
        sent = f"{request.method} {request.url}\n".encode() + (body or b"") + b"\n"
        self.digest.update(_UUID.sub(b"<id>", sent))

    def summary(self) -> str:
        sent = sum(self.statuses.values())
        classes = ", ".join(f"{k} {v}" for k, v in sorted(self.statuses.items()))
        return (
            f"fuzz: {len(self.operations)} operation runs (operation x role), {sent} requests "
            f"({classes}), {EXAMPLES} random examples per operation, "
            f"digest {self.digest.hexdigest()[:16]}"
        )


STATS = _Stats()
_UUID = re.compile(rb"[0-9a-f]{8}-(?:[0-9a-f]{4}-){3}[0-9a-f]{12}|[0-9a-f]{32}")


class _Summary:
    """A plugin that prints what the fuzz sent at the end of the run."""

    @staticmethod
    def pytest_terminal_summary(terminalreporter: Any) -> None:
        if STATS.operations:
            terminalreporter.write_line(STATS.summary())


@pytest.fixture(scope="module")
def fuzz_summary(request: pytest.FixtureRequest) -> None:
    if not request.config.pluginmanager.has_plugin("soko-fuzz-summary"):
        request.config.pluginmanager.register(_Summary(), "soko-fuzz-summary")


class _LoopAdapter(requests.adapters.HTTPAdapter):
    """A requests adapter that hands each request to an in-process app on the test event loop.

    Schemathesis serializes cases as `requests` calls; this sends the prepared request through
    httpx's ASGITransport, on the loop the apps and their database pools were started on.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, apps: dict[str, Any]) -> None:
        super().__init__()
        self.loop = loop
        self.clients = {
            name: httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url=f"http://{name}"
            )
            for name, app in apps.items()
        }

    def send(self, request: requests.PreparedRequest, *_: Any, **__: Any) -> requests.Response:
        client = self.clients[httpx.URL(request.url).host]
        body = request.body.encode() if isinstance(request.body, str) else request.body
        answer = self.loop.run_until_complete(
            client.request(
                request.method or "GET", request.url, headers=dict(request.headers), content=body
            )
        )
        STATS.record(request, body, answer.status_code)
        raw = urllib3.HTTPResponse(
            body=io.BytesIO(answer.content),
            headers=urllib3.HTTPHeaderDict(answer.headers.multi_items()),
            status=answer.status_code,
            reason=answer.reason_phrase,
            version=11,
            preload_content=False,
            decode_content=False,
        )
        return self.build_response(request, raw)


@pytest.fixture
async def fuzz_world(db, settings) -> World:
    return await build_world(db, settings)


@pytest.fixture
async def http(apps, isolation) -> Iterator[requests.Session]:
    adapter = _LoopAdapter(
        asyncio.get_running_loop(),
        {"api": apps.api, "surveys": apps.surveys, "reports": apps.reports},
    )
    session = requests.Session()
    session.mount("http://", adapter)
    yield session
    for client in adapter.clients.values():
        await client.aclose()


def _known_values(world: World) -> dict[str, list[str]]:
    """Values of the world's objects for the path and query parameters that name them."""
    territories = [world.m1.id, world.region.id, world.m2.id]
    ids: dict[str, list[Any]] = {
        "activity_id": [world.a1.id, world.a2.id],
        "campaign_id": [c.id for c in world.campaigns.values()],
        "cluster_id": [world.c1.id, world.c2.id],
        "collection_id": [c.id for c in world.collections.values()],
        "file_id": [world.f1.id],
        "indicator_id": [world.planning.id],
        "instrument_id": [i for i, _ in world.instruments.values()],
        "key_id": [world.key_s1_id],
        "organization_id": [world.s1.id, world.s3.id],
        "responsible_organization_id": [world.s1.id],
        "entity_id": [world.s1.id],
        "procedure_id": [world.vpr.id],
        "programme_id": [world.programme.id],
        "recommendation_id": [world.rec_s1.id, world.rec_s3.id],
        "roadmap_id": [world.r1.id, world.r2.id],
        "rule_id": [default_rule_id("leader_indicator_not_achieved")],
        "staff_id": [world.t1.id, world.t3.id],
        "territory_id": territories,
        "parent_id": territories,
        "owner_id": territories,
        "owner_territory_id": territories,
        "scope_id": [world.m1.id, world.s1.id],
        "user_id": [u.id for u in world.users.values()],
        "actor_id": [world.users["admin"].id],
        "period": ["2021/2022"],
        "year": ["2021/2022"],
    }
    return {name: [str(v) for v in values] for name, values in ids.items()}


def _pick(value: Any, choices: list[str]) -> str | None:
    """Half of the generated values replaced by one of `choices`, decided by the value itself,
    so that the same case makes the same request on every run (no extra random draws, which
    would also switch schemathesis' coverage phase off)."""
    digest = hashlib.sha256(repr(value).encode()).digest()
    return choices[digest[1] % len(choices)] if digest[0] % 2 else None


def _point_at_world(case: Any, world: World) -> None:
    """Let path and query parameters name the world's objects about half of the time, so that
    requests get past the 404 to the code that reads and writes them."""
    known = _known_values(world)
    for location in ("path_parameters", "query"):
        values = getattr(case, location)
        for name in list(values or {}):
            if name in known and (chosen := _pick(values[name], known[name])) is not None:
                values[name] = chosen


def _check(case: Any, http: requests.Session, world: World, who: str, service: str) -> None:
    STATS.operations.add(f"{service} {case.operation.label} {who}")
    _point_at_world(case, world)
    case.call_and_validate(base_url=f"http://{service}", session=http, headers=world.headers(who))


FUZZ = settings(
    max_examples=EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)


def _fuzz(service: str, create: Any, who: str, *, coverage: bool) -> Any:
    """One test per operation of `service`, as `who`; with schemathesis' coverage cases or not."""

    @_schema(create, coverage=coverage).parametrize()
    @FUZZ
    def fuzz(case, http, fuzz_world, fuzz_summary):
        _check(case, http, fuzz_world, who, service)

    return fuzz


# The coverage cases (every boundary, null, wrong type and undeclared method) as the
# administrator, who gets furthest; the random examples as both.
test_api_as_admin = _fuzz("api", create_api, "admin", coverage=True)
test_api_as_leader = _fuzz("api", create_api, "leader", coverage=False)
test_surveys_as_admin = _fuzz("surveys", create_surveys, "admin", coverage=True)
test_surveys_as_leader = _fuzz("surveys", create_surveys, "leader", coverage=False)
test_reports_as_admin = _fuzz("reports", create_reports, "admin", coverage=True)
test_reports_as_leader = _fuzz("reports", create_reports, "leader", coverage=False)
