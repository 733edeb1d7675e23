"""Who is calling: roles, principals, tokens and the auth dependency.

Every service accepts the same JWTs (HS256, signed with `SOKO_SECRET_KEY`), issued by the api
service at `POST /v1/auth/token`. A service calling another sends a service token (role
`service`) and, when it acts for a user, that user's token in `X-Soko-User`: the callee then
applies the user's rights. API keys (`X-API-Key`) belong to one organization and are checked by
the api service only (it owns them).

A user's token carries the account's `token_version` (`ver`), which the api service bumps on
every change of role, scope, staff link, activity or password. The api service compares a
token with the account on each request; the surveys and reports services ask it
(`POST /v1/auth/introspect`, through `TokenChecker`) and keep each answer for
`SOKO_TOKEN_CHECK_SECONDS`, so an old token stops working everywhere within seconds.

What a principal may reach (its scope) is decided in shared/scope.py.
"""

import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Annotated, Any

import jwt
from cachetools import TTLCache
from fastapi import Depends, Request, Security

from shared.client import ServiceClient
from shared.context import user_token_var
from shared.docs import OAUTH2
from shared.errors import AccountChanged, Forbidden, PeerUnavailable, Unauthorized
from shared.headers import API_KEY_HEADER, SESSION_COOKIE, USER_HEADER
from shared.settings import Settings

ALGORITHM = "HS256"
ISSUER = "soko"
INTROSPECT_PATH = "/v1/auth/introspect"


class Role(StrEnum):
    admin = "admin"
    territory_analyst = "territory_analyst"
    methodologist = "methodologist"
    organization_leader = "organization_leader"
    teacher = "teacher"
    viewer = "viewer"
    # Not assignable to users:
    service = "service"  # another Soko service
    organization_system = "organization_system"  # a school's information system, by API key


class ScopeType(StrEnum):
    territory = "territory"
    cluster = "cluster"
    organization = "organization"


USER_ROLES = tuple(r for r in Role if r not in (Role.service, Role.organization_system))

# Roles that reach personal data (staff records, users) of their scope.
PERSONAL_DATA_ROLES = frozenset(
    {Role.admin, Role.service, Role.territory_analyst, Role.methodologist, Role.organization_leader}
)


@dataclass(frozen=True)
class Principal:
    """The caller of one request, as every service sees it."""

    kind: str  # "user", "api_key" or "service"
    id: str  # user id, API key id, or service name
    role: Role
    scope_type: ScopeType | None = None
    scope_id: uuid.UUID | None = None
    staff_id: uuid.UUID | None = None
    name: str | None = None
    via: str | None = None  # the service that passed this user's identity on
    token_version: int | None = None  # a user's: the account's version when the token was issued
    token_id: str | None = None  # the token's `jti`, by which it may be revoked
    expires_at: datetime | None = None  # the token's expiry (UTC)

    @property
    def unrestricted(self) -> bool:
        """Admins and services read everything."""
        return self.role in (Role.admin, Role.service)

    @property
    def user_id(self) -> uuid.UUID | None:
        return uuid.UUID(self.id) if self.kind == "user" else None


# Who is calling the request being served (set by the auth dependency, reset by the middleware).
principal_var: ContextVar[Principal | None] = ContextVar("principal", default=None)


def _encode(settings: Settings, claims: dict[str, Any], ttl: timedelta) -> str:
    now = datetime.now(UTC)
    payload = {"iss": ISSUER, "iat": now, "exp": now + ttl, "jti": uuid.uuid4().hex, **claims}
    return jwt.encode(payload, settings.secret_key.get_secret_value(), algorithm=ALGORITHM)


def issue_user_token(settings: Settings, principal: Principal) -> str:
    """A short-lived access token carrying the user's role and scope."""
    claims = {
        "sub": principal.id,
        "kind": "user",
        "role": principal.role.value,
        "scope_type": principal.scope_type.value if principal.scope_type else None,
        "scope_id": str(principal.scope_id) if principal.scope_id else None,
        "staff_id": str(principal.staff_id) if principal.staff_id else None,
        "name": principal.name,
        "ver": principal.token_version,
    }
    return _encode(settings, claims, timedelta(minutes=settings.access_token_minutes))


def issue_service_token(settings: Settings, service: str) -> str:
    """A token one Soko service presents to another."""
    claims = {"sub": service, "kind": "service", "role": Role.service.value}
    return _encode(settings, claims, timedelta(minutes=10))


def decode_token(settings: Settings, token: str) -> Principal:
    """Verify signature, issuer and expiry; 401 for anything wrong with the token.

    Only the token itself is checked here: whether the account still stands is the api
    service's question (`TokenChecker`, or its own dependency).
    """
    try:
        claims = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss", "jti"]},  # jti: to revoke it
        )
        return Principal(
            kind=claims["kind"],
            id=claims["sub"],
            role=Role(claims["role"]),
            scope_type=ScopeType(claims["scope_type"]) if claims.get("scope_type") else None,
            scope_id=uuid.UUID(claims["scope_id"]) if claims.get("scope_id") else None,
            staff_id=uuid.UUID(claims["staff_id"]) if claims.get("staff_id") else None,
            name=claims.get("name"),
            # A user's token without its account's version is not ours (KeyError: 401).
            token_version=int(claims["ver"]) if claims["kind"] == "user" else None,
            token_id=str(claims["jti"]),
            expires_at=datetime.fromtimestamp(claims["exp"], UTC),
        )
    except jwt.ExpiredSignatureError as exc:
        raise Unauthorized("Срок действия токена истёк, войдите снова", **_bearer()) from exc
    except (jwt.InvalidTokenError, KeyError, ValueError, TypeError) as exc:
        raise Unauthorized("Недействительный токен", **_bearer()) from exc


def _bearer() -> dict[str, Any]:
    return {"headers": {"WWW-Authenticate": "Bearer"}}


class ServiceTokens:
    """Mints this service's token and reuses it until shortly before it expires."""

    def __init__(self, settings: Settings, service: str) -> None:
        self.settings, self.service = settings, service
        self._token, self._renew_at = "", 0.0

    def __call__(self) -> str:
        if time.monotonic() >= self._renew_at:
            self._token = issue_service_token(self.settings, self.service)
            self._renew_at = time.monotonic() + 300
        return self._token


def bearer_token(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    return token.strip() if scheme.lower() == "bearer" and token.strip() else None


def authenticate_token(request: Request, token: str | None = None) -> Principal:
    """The principal behind `token`, else the request's bearer token (401 when missing or
    invalid).

    A service token with `X-Soko-User` stands for that user (`via` names the service); the
    user's token is remembered so that calls this request makes to peers pass it on. Whether
    the user's account still stands is not checked here (see `checked_principal`).
    """
    settings: Settings = request.app.state.settings
    token = token or bearer_token(request)
    if token is None:
        if request.headers.get(API_KEY_HEADER):
            raise Unauthorized("API-ключи принимает только сервис api", **_bearer())
        raise Unauthorized(**_bearer())
    principal = decode_token(settings, token)
    user_token = token if principal.kind == "user" else None
    if principal.kind == "service" and (forwarded := request.headers.get(USER_HEADER)):
        user = decode_token(settings, forwarded)
        principal = Principal(**{**user.__dict__, "via": principal.id})
        user_token = forwarded
    user_token_var.set(user_token)
    principal_var.set(principal)
    return principal


class TokenChecker:
    """Asks the api service whether a user's token still stands; keeps each answer `ttl` s.

    One per process of the surveys and reports services (`app.state.token_checker`, made in
    the lifespan). A cached answer costs a dictionary look-up; `ttl` 0 asks every time.
    """

    def __init__(
        self,
        api: ServiceClient,
        ttl: float,
        *,
        maxsize: int = 10_000,
        timer: Callable[[], float] = time.monotonic,
    ) -> None:
        self._api = api
        self._cache: TTLCache[str, bool] | None = (
            TTLCache(maxsize, ttl, timer=timer) if ttl > 0 else None
        )

    async def ensure_current(self, token: str) -> None:
        """Nothing when the token's account is unchanged and active; 401 when the account
        changed, is inactive or is gone; 503 (PeerUnavailable) when the api does not answer."""
        active = self._cache.get(token) if self._cache is not None else None
        if active is None:
            active = await self._ask(token)
            if self._cache is not None:
                self._cache[token] = active
        if not active:
            raise AccountChanged(**_bearer())

    async def _ask(self, token: str) -> bool:
        response = await self._api.request(
            "POST", INTROSPECT_PATH, json={"token": token}, as_service=True
        )
        if response.status_code != 200:
            raise PeerUnavailable(
                f"Сервис api не проверил токен (HTTP {response.status_code})", peer="api"
            )
        return response.json().get("active") is True


async def checked_principal(request: Request, token: str | None = None) -> Principal:
    """`authenticate_token`, then, for a user, the api service's word that the account still
    stands (through the app's `token_checker`; the api service checks its own table)."""
    principal = authenticate_token(request, token)
    checker: TokenChecker | None = getattr(request.app.state, "token_checker", None)
    token = user_token_var.get()
    if principal.kind == "user" and checker is not None and token is not None:
        await checker.ensure_current(token)
    return principal


async def token_principal(
    request: Request, _documented: Annotated[str | None, Security(OAUTH2)] = None
) -> Principal:
    """Dependency of the surveys and reports services: bearer tokens only, checked as
    `checked_principal` does. A service acting for nobody reads; what it writes it writes
    for a user (`X-Soko-User`). (`_documented`: the OpenAPI document's OAuth2 scheme.)"""
    principal = await checked_principal(request)
    if principal.kind == "service" and request.method not in ("GET", "HEAD"):
        raise Forbidden("Сервис без пользователя может здесь только читать")
    return principal


Caller = Annotated[Principal, Depends(token_principal)]


async def browser_principal(request: Request) -> Principal:
    """`token_principal` for what a person opens in a browser (the reports' documents): a GET
    without a bearer token may carry the api sign-in page's session cookie (`SESSION_COOKIE`,
    the same access token, checked the same way). Reads only: a browser sends a cookie on its
    own, so a cookie never authorises a write (no CSRF to guard against)."""
    cookie = request.cookies.get(SESSION_COOKIE)
    if request.method in ("GET", "HEAD") and bearer_token(request) is None and cookie:
        return await checked_principal(request, cookie)
    return await token_principal(request)


BrowserCaller = Annotated[Principal, Depends(browser_principal)]


def require_roles(principal: Principal, *roles: Role) -> None:
    """403 unless the caller has one of the roles (admins and services always pass)."""
    if principal.unrestricted or principal.role in roles:
        return
    raise Forbidden("Недостаточно прав для этого действия")


def gate(check: Callable[[Principal], None], caller: Callable[..., Any] = token_principal) -> Any:
    """A route's gate, for `dependencies=[gate(check)]`: `check(principal)` raises (Forbidden,
    403) for a caller who may never call the route, the caller as the `caller` dependency finds
    them (the surveys' and reports' `token_principal` by default). Route dependencies are solved
    before the path's objects are loaded and before the query and body are validated, so such a
    caller learns neither the route's schema (422) nor whether what it names exists (404). The
    area's service still applies its whole rule (scope, target, what the body asks), which
    pages and other callers share; `check` is the service's own role rule, not a copy."""

    async def gated(principal: Annotated[Principal, Depends(caller)]) -> None:
        check(principal)

    return Depends(gated)


def allowed(*roles: Role, caller: Callable[..., Any] = token_principal) -> Any:
    """`gate` of `require_roles(principal, *roles)`: 403 unless the caller has one of `roles`
    (admins and services always pass)."""
    return gate(lambda principal: require_roles(principal, *roles), caller)
