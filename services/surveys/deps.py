"""Dependencies of the surveys service's routers."""

import uuid
from typing import Annotated

from fastapi import Depends, Request

from services.surveys.campaigns.models import Campaign
from services.surveys.campaigns.service import readable_campaign
from services.surveys.clients.api import ApiClient, api_client
from services.surveys.form.service import FormLink, LinkNotFound, resolve
from services.surveys.instruments.parsed import Definitions
from shared.db import SessionDep
from shared.errors import NotFound
from shared.headers import API_KEY_HEADER
from shared.identity import Caller, Principal, checked_principal
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


def definitions(request: Request) -> Definitions:
    """The app's parsed instrument versions (app.state)."""
    return request.app.state.definitions


ScopeResolverDep = Annotated[HttpScopeResolver, Depends(scope_resolver)]
Api = Annotated[ApiClient, Depends(api_client)]
MaybeCaller = Annotated[Principal | None, Depends(optional_principal)]
SettingsDep = Annotated[Settings, Depends(settings)]
AnonymousLimit = Annotated[SharedRateLimit, Depends(anonymous_limit)]
DefinitionsDep = Annotated[Definitions, Depends(definitions)]


async def valid_campaign(campaign_id: uuid.UUID, session: SessionDep) -> Campaign:
    """The campaign of the path, whoever asks (NotFound when there is none): for the public
    form and submissions, whose rules say who may do what with it."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("Кампания не найдена")
    return campaign


async def campaign_in_scope(
    campaign_id: uuid.UUID, session: SessionDep, caller: Caller, scopes: ScopeResolverDep
) -> tuple[Campaign, frozenset[uuid.UUID] | None]:
    """The campaign of the path if one of its organizations is in the caller's scope (NotFound
    otherwise), and which of them are (None: all)."""
    return await readable_campaign(session, caller, scopes, campaign_id)


ValidCampaign = Annotated[Campaign, Depends(valid_campaign)]
ReadableCampaign = Annotated[
    tuple[Campaign, frozenset[uuid.UUID] | None], Depends(campaign_in_scope)
]


async def form_link(code: str, session: SessionDep) -> FormLink:
    """The campaign behind the path's link code of the respondents' form, anonymous or personal
    (LinkNotFound, the form's 404 page, when there is none)."""
    return await resolve(session, code)


ValidLink = Annotated[FormLink, Depends(form_link)]


async def personal_link(link: ValidLink) -> FormLink:
    """The path's link code when it is a staff member's personal link (an invitation);
    LinkNotFound, the form's 404 page, for an anonymous link or none."""
    if link.invitation is None:
        raise LinkNotFound("Ссылка на анкету не найдена")
    return link


PersonalLink = Annotated[FormLink, Depends(personal_link)]


async def anonymous_link(link: ValidLink) -> FormLink:
    """The path's link code when it is an organization's anonymous link; LinkNotFound, the
    form's 404 page, for a personal link or none."""
    if link.invitation is not None:
        raise LinkNotFound("Ссылка на анкету не найдена")
    return link


AnonymousLink = Annotated[FormLink, Depends(anonymous_link)]
