"""The access matrix's vocabulary: the principals, one endpoint's row (`Case`), the targets
inside and outside a principal's scope, and how a row is called."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from tests.factories import World

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
    # Refused principals for whom the target is hidden inside the allowed ones' scope (404: a
    # person's account, another scope's figures, a recommendation addressed to someone else);
    # every other refused principal gets 403, whatever the target.
    hidden: frozenset[str] = field(default_factory=frozenset)


def fixed(path: str) -> Callable[[World, bool], str]:
    return lambda w, inside: path


def org(w: World, inside: bool) -> str:
    return str(w.s1.id if inside else w.s3.id)


def terr(w: World, inside: bool) -> str:
    return str(w.m1.id if inside else w.m2.id)


# Who is allowed, shared by the rows of several areas.
MANAGE_ORG = frozenset({"admin", "analyst", "leader"})
WRITE_DATA = frozenset({"admin", "analyst", "leader"})
RULE_EDITORS = frozenset({"admin", "analyst"})  # recommendation rules and validation rules
# A school's people, for whom a territory's own figures and reports are another scope's (404).
SCHOOL_PEOPLE = frozenset({"leader", "teacher"})
CHECKED = "outlier_checked"  # a percent indicator of the world (conftest.py), which bounds need
# The file an upload row sends unless it names its own: a roadmap CSV.
SAMPLE_CSV = "№;Мероприятие;Сроки;Ответственный\n1;Анкетирование родителей;Октябрь 2021;ИМЦ\n"


def bulk_cases(path: str, body: Callable[[World, bool], dict], file: tuple[str, str]) -> list[Case]:
    """The two endpoints of one bulk import (`shared.bulk_http.add_import_routes`): the JSON post
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
