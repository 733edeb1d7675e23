"""Who calls the api service: typed dependencies every router here uses."""

from typing import Annotated

from fastapi import Depends, Request
from sqlalchemy import select

from services.api.api_keys.service import authenticate_api_key
from services.api.territories.scope import DbScopeResolver
from services.api.users.models import User
from shared.auth import API_KEY_HEADER, Principal, authenticate_token, bearer_token
from shared.context import principal_var
from shared.db import SessionDep
from shared.errors import Forbidden, Unauthorized

# What a service acting for nobody may write here (it reads anything).
SERVICE_WRITES = frozenset(
    {
        ("POST", "/v1/audit-events"),
        ("POST", "/v1/organizations/lookup"),
        ("POST", "/v1/data-values/query"),  # reads, though it is a POST
    }
)


async def api_principal(request: Request, session: SessionDep) -> Principal:
    """A bearer token (whose account must still be active) or an organization's API key."""
    key = request.headers.get(API_KEY_HEADER)
    if key and bearer_token(request) is None:
        principal = await authenticate_api_key(session, key)
    else:
        principal = authenticate_token(request)
        if principal.kind == "user":
            active = await session.scalar(select(User.is_active).where(User.id == principal.id))
            if not active:
                raise Unauthorized("Учётная запись отключена или удалена")
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


async def scope_resolver(session: SessionDep) -> DbScopeResolver:
    return DbScopeResolver(session)


Caller = Annotated[Principal, Depends(user_principal)]
CallerOrKey = Annotated[Principal, Depends(api_principal)]
Scopes = Annotated[DbScopeResolver, Depends(scope_resolver)]
