"""Dependencies of the surveys service's routers."""

from typing import Annotated

from fastapi import Depends, Request

from services.surveys.clients.api import ApiClient, api_client
from shared.db import SessionDep
from shared.headers import API_KEY_HEADER
from shared.identity import Principal, checked_principal
from shared.ratelimit import SharedRateLimit
from shared.scope import HttpScopeResolver
from shared.settings import Settings


def scope_resolver(request: Request, session: SessionDep) -> HttpScopeResolver:
    """The app's resolver, reading kept answers through the request's session."""
    return request.app.state.scope_resolver.using(session)


async def optional_principal(request: Request) -> Principal | None:
    """The caller if credentials were sent (401 if they are bad, or the account changed or is
    inactive); None for an anonymous form."""
    sent = "authorization" in request.headers or API_KEY_HEADER in request.headers
    if not sent:
        return None
    return await checked_principal(request)


def settings(request: Request) -> Settings:
    return request.app.state.settings


def anonymous_limit(request: Request) -> SharedRateLimit:
    """The limit of public submissions per address, shared by every process (app.state)."""
    return request.app.state.anonymous_limit


ScopeResolverDep = Annotated[HttpScopeResolver, Depends(scope_resolver)]
Api = Annotated[ApiClient, Depends(api_client)]
MaybeCaller = Annotated[Principal | None, Depends(optional_principal)]
SettingsDep = Annotated[Settings, Depends(settings)]
AnonymousLimit = Annotated[SharedRateLimit, Depends(anonymous_limit)]
