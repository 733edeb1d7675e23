"""Who calls the api service: typed dependencies every router here uses."""

import ipaddress
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Request, Security

from services.api.access import Access
from services.api.api_keys.service import authenticate_api_key
from services.api.auth.service import account_stands
from services.api.territories.scope import DbScopeResolver
from shared import identity
from shared.context import client_address_var
from shared.db import SessionDep
from shared.docs import API_KEY, OAUTH2
from shared.errors import AccountChanged, Forbidden, Invalid, Unauthorized
from shared.headers import API_KEY_HEADER, CLIENT_ADDRESS_HEADER
from shared.identity import (
    INTROSPECT_PATH,
    Principal,
    Role,
    authenticate_token,
    bearer_token,
    decode_token,
    principal_var,
)

# What a service acting for nobody may write here (it reads anything).
SERVICE_WRITES = frozenset(
    {
        ("POST", "/v1/audit-events"),
        ("POST", "/v1/organizations/lookup"),
        ("POST", "/v1/data-values/query"),  # reads, though it is a POST
        ("POST", INTROSPECT_PATH),  # reads too
    }
)


async def api_principal(
    request: Request,
    session: SessionDep,
    _documented: Annotated[str | None, Security(OAUTH2)] = None,
) -> Principal:
    """A bearer token or an organization's API key. A user's token (own, or passed on by a
    service in `X-Soko-User`) is 401 unless its account is active and unchanged since it was
    issued (version, role, scope, staff link: one look-up by primary key). (`_documented`:
    the OpenAPI document's OAuth2 scheme; the API key scheme is `key_principal`'s.)"""
    key = request.headers.get(API_KEY_HEADER)
    if key and bearer_token(request) is None:
        principal = await authenticate_api_key(session, key)
    else:
        principal = authenticate_token(request)
        if principal.kind == "user" and not await account_stands(session, principal):
            raise AccountChanged(headers={"WWW-Authenticate": "Bearer"})
    writes = request.method not in ("GET", "HEAD")
    if (
        principal.kind == "service"
        and writes
        and (request.method, request.url.path) not in SERVICE_WRITES
    ):
        raise Forbidden("Сервис без пользователя может здесь только читать")
    principal_var.set(principal)
    return principal


async def user_principal(principal: Annotated[Principal, Depends(api_principal)]) -> Principal:
    """Deny API keys by default: they may only post their organization's data."""
    if principal.kind == "api_key":
        raise Forbidden("API-ключ позволяет только передавать данные своей организации")
    return principal


async def key_principal(
    principal: Annotated[Principal, Depends(api_principal)],
    _documented: Annotated[str | None, Security(API_KEY)] = None,
) -> Principal:
    """`api_principal` for the operations that accept an API key: the OpenAPI document lists
    the key's scheme (`X-API-Key`) beside OAuth2 on them alone."""
    return principal


def sign_in_address(request: Request, forwarded: str | None) -> str | None:
    """The address a sign-in is counted against: the connecting client's (as the server's
    handling of trusted proxies gives it) or, when a Soko service signs a person in on their
    behalf (a valid service token), the person's from `X-Soko-Client-Address` (422 naming the
    header if it is not an IP address). From anyone else the header is ignored."""
    token = bearer_token(request)
    if forwarded is None or token is None:
        return client_address_var.get()
    try:
        caller = decode_token(request.app.state.settings, token)
    except Unauthorized:
        return client_address_var.get()
    if caller.kind != "service":
        return client_address_var.get()
    try:
        address = str(ipaddress.ip_address(forwarded.strip()))
    except ValueError as exc:
        message = "Ожидается IP-адрес"
        raise Invalid.at(CLIENT_ADDRESS_HEADER, message, where="header") from exc
    client_address_var.set(address)  # the audit log records the person's address too
    return address


async def scope_resolver(session: SessionDep) -> DbScopeResolver:
    return DbScopeResolver(session)


Caller = Annotated[Principal, Depends(user_principal)]
CallerOrKey = Annotated[Principal, Depends(key_principal)]
ScopeResolverDep = Annotated[DbScopeResolver, Depends(scope_resolver)]


async def request_access(session: SessionDep, caller: Caller, scopes: ScopeResolverDep) -> Access:
    """The request's `Access`: its session, the caller (a user or a service acting for one; API
    keys are refused with 403, as by `Caller`) and the scope resolver."""
    return Access(session, caller, scopes)


AccessDep = Annotated[Access, Depends(request_access)]


def allowed(*roles: Role, keys: bool = False) -> Any:
    """`shared.identity.allowed` for the api's routes: a route dependency answering 403 before
    the path, query or body are read unless the caller has one of `roles` (admins and services
    always pass). API keys are refused as by `Caller`, or with `keys` taken as `CallerOrKey`
    takes them (their role is `organization_system`)."""
    return identity.allowed(*roles, caller=key_principal if keys else user_principal)


def gate(check: Callable[[Principal], None]) -> Any:
    """`shared.identity.gate` for the api's routes (API keys refused as by `Caller`)."""
    return identity.gate(check, user_principal)
