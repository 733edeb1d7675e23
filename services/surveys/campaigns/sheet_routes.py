"""HTTP: printable sheets of a campaign's anonymous links (HTML for print, A4), for whoever may
see those links in the campaign's reads: one school's page, or every school's the caller
reads in one document (a page each)."""

import uuid
from dataclasses import dataclass
from functools import partial
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns import sheets
from services.surveys.campaigns.models import Campaign, CampaignOrganization
from services.surveys.campaigns.router import form_url
from services.surveys.campaigns.service import ensure_member, readable_campaign
from services.surveys.clients.api import ApiClient
from services.surveys.deps import Api, ScopeResolverDep, SettingsDep
from shared.db import SessionDep
from shared.errors import NotFound, PeerUnavailable, Unauthorized, error_responses
from shared.identity import BrowserCaller, Principal
from shared.scope import ScopeResolver
from shared.settings import Settings

router = APIRouter(tags=["campaigns"])
HTML = "text/html; charset=utf-8"
RESPONSES = {
    200: {"description": "An HTML page to print (A4)", "content": {"text/html": {}}},
    **error_responses(Unauthorized, NotFound, PeerUnavailable),
}


async def _members(
    session: AsyncSession,
    caller: Principal,
    scopes: ScopeResolver,
    campaign_id: uuid.UUID,
    organization_id: uuid.UUID | None,
) -> tuple[Campaign, list[CampaignOrganization]]:
    """The campaign and the schools whose anonymous links the caller sees in its reads (the
    campaign's schools in the caller's scope), or the one asked for. NotFound (404) when the
    campaign has no such school (the school of another leader looks like none), and for an
    identified campaign: it has personal links only, shown to their teachers alone."""
    campaign, mine = await readable_campaign(session, caller, scopes, campaign_id)
    if not campaign.anonymous:
        raise NotFound("У этой кампании нет анонимных ссылок: она проводится по персональным")
    query = select(CampaignOrganization).where(CampaignOrganization.campaign_id == campaign.id)
    if mine is not None:
        query = query.where(CampaignOrganization.organization_id.in_(mine))
    if organization_id is not None:
        await ensure_member(session, caller, scopes, campaign, organization_id, where="path")
        query = query.where(CampaignOrganization.organization_id == organization_id)
    members = list(await session.scalars(query))
    if not members:
        raise NotFound("Организация не найдена среди организаций этой кампании, доступных вам")
    return campaign, members


@dataclass(frozen=True)
class SheetRequest:
    """What rendering a sheet needs from a request: the session, the caller (a bearer token or
    the sign-in cookie), their scope, the api client (schools' names), the settings."""

    session: AsyncSession
    caller: Principal
    scopes: ScopeResolver
    api: ApiClient
    settings: Settings

    async def page(self, campaign_id: uuid.UUID, organization_id: uuid.UUID | None) -> str:
        campaign, members = await _members(
            self.session, self.caller, self.scopes, campaign_id, organization_id
        )
        facts = await self.api.organizations([m.organization_id for m in members])
        names = {org_id: fact["name"] for org_id, fact in facts.items()}
        pages = sheets.school_sheets(members, names, partial(form_url, self.settings))
        home = f"{self.settings.peer_url('api')}/home"
        return sheets.render(campaign, pages, self.settings.timezone, home)


def sheet_request(
    session: SessionDep,
    caller: BrowserCaller,
    scopes: ScopeResolverDep,
    api: Api,
    settings: SettingsDep,
) -> SheetRequest:
    return SheetRequest(session, caller, scopes, api, settings)


Sheets = Annotated[SheetRequest, Depends(sheet_request)]


@router.get(
    "/campaigns/{campaign_id}/organizations/{organization_id}/sheet",
    response_class=HTMLResponse,
    responses=RESPONSES,
)
async def school_sheet(
    campaign_id: uuid.UUID, organization_id: uuid.UUID, request: Sheets
) -> HTMLResponse:
    """A printable A4 page (HTML, print CSS) of one school's anonymous link for parents'
    meetings and chats: the campaign's title, the school's name, the link and its QR code
    (inline SVG). For whoever sees the school's link in `GET /v1/campaigns/{id}` (the
    campaign's schools in the caller's scope); 404 for any other school and for an
    identified campaign. Opens in a browser with the sign-in cookie too."""
    return HTMLResponse(await request.page(campaign_id, organization_id), media_type=HTML)


@router.get("/campaigns/{campaign_id}/sheets", response_class=HTMLResponse, responses=RESPONSES)
async def campaign_sheets(campaign_id: uuid.UUID, request: Sheets) -> HTMLResponse:
    """Every school's sheet of the campaign the caller sees (an analyst: the territory's; a
    leader: their own) in one document, a page per school, schools by name in natural order
    (№ 3 before № 10). 404 as for one school's sheet."""
    return HTMLResponse(await request.page(campaign_id, None), media_type=HTML)
