"""HTTP: /v1/campaigns (launch, read, close early or extend, response rates, reminders) and
/v1/me/invitations (a teacher's own personal links).

A personal link (an invitation's code) is shown to its teacher only: campaign reads list the
anonymous links of organizations, reminders list who has not answered, never a personal link.
"""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from services.surveys.campaigns import progress, service
from services.surveys.campaigns.models import Campaign
from services.surveys.campaigns.schemas import (
    Audience,
    CampaignCreate,
    CampaignRead,
    CampaignUpdate,
    CampaignWritten,
    Link,
    MyInvitation,
    OrganizationRate,
    Pending,
)
from services.surveys.campaigns.service import LAUNCHERS
from services.surveys.campaigns.window import status
from services.surveys.deps import Api, ReadableCampaign, ScopeResolverDep, SettingsDep
from shared import etag
from shared.campaign_periods import opening_warnings
from shared.db import SessionDep
from shared.errors import Conflict, Forbidden, Invalid, NotFound, error_responses
from shared.identity import Caller, allowed
from shared.pagination import Page, PaginationDep, paginate

router = APIRouter(tags=["campaigns"])
ERRORS = error_responses(Forbidden, NotFound, Invalid)
UPDATE_ERRORS = error_responses(Forbidden, NotFound, Invalid, Conflict)
CAMPAIGN = etag.Versioned.of(Campaign)


def form_url(settings, code: str) -> str:
    """Where a link opens the form: the surveys service's /s/{code}."""
    return f"{settings.peer_url('surveys')}/s/{code}"


async def read_many(
    session, settings, campaigns: list[Campaign], organizations
) -> list[CampaignRead]:
    """Campaigns as the API shows them: three queries for the whole page (no N+1)."""
    instruments, members, invitations = await service.campaign_facts(
        session, campaigns, organizations
    )
    result = []
    for campaign in campaigns:
        instrument, version = instruments[campaign.id]
        links = [
            Link(organization_id=m.organization_id, url=form_url(settings, m.code))
            for m in members[campaign.id]
        ]
        result.append(
            CampaignRead(
                id=campaign.id,
                title=campaign.title,
                instrument_id=instrument.id,
                instrument_code=instrument.code,
                instrument_version_id=version.id,
                version=version.version,
                audience=campaign.audience,
                period=campaign.period,
                opens_at=campaign.opens_at,
                closes_at=campaign.closes_at,
                anonymous=campaign.anonymous,
                status=status(campaign),
                links=links if campaign.anonymous else [],
                invitations=invitations.get(campaign.id, 0),
            )
        )
    return result


async def read(session, settings, campaign: Campaign, organizations) -> CampaignRead:
    return (await read_many(session, settings, [campaign], organizations))[0]


async def written(session, settings, campaign: Campaign, warnings: list[str]) -> CampaignWritten:
    """The campaign as read, with the warnings about what the write sent."""
    read_back = await read(session, settings, campaign, None)
    return CampaignWritten(**read_back.model_dump(), warnings=warnings)


@router.post("/campaigns", status_code=201, responses=ERRORS, dependencies=[allowed(*LAUNCHERS)])
async def create_campaign(
    body: CampaignCreate, session: SessionDep, caller: Caller, api: Api, settings: SettingsDep
) -> CampaignWritten:
    """Launch an instrument for organizations: a link per organization (anonymous) or a
    personal link per staff member (identified, from the api service's staff lists). 422
    naming the field for a window over two years long or closing before its period begins.
    `warnings` (kept, 201): an opening over a year after the period ends or over a year before
    it starts, naming `period` (its answers count for that period's indicators: right for an
    old paper survey keyed in, wrong for a mistyped period); [] otherwise."""
    campaign = await service.create_campaign(session, caller, api, body)
    warnings = opening_warnings(campaign.opens_at, body.period)
    return await written(session, settings, campaign, warnings)


@router.get("/campaigns", responses=ERRORS)
async def list_campaigns(
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    settings: SettingsDep,
    page: PaginationDep,
    instrument_code: Annotated[
        list[str] | None, Query(max_length=80, description="Instrument codes (repeatable)")
    ] = None,
    period: Annotated[
        list[str] | None, Query(max_length=20, description="Periods (repeatable)")
    ] = None,
    territory_id: Annotated[
        uuid.UUID | None,
        Query(description="Only campaigns that cover organizations of this territory"),
    ] = None,
    open_first: Annotated[
        bool, Query(description="Those taking answers now first, then the others; newest first")
    ] = False,
    audience: Annotated[
        Audience | None, Query(description="Only campaigns of this audience")
    ] = None,
    anonymous: Annotated[
        bool | None,
        Query(description="Only anonymous (true) or only identified (false) campaigns"),
    ] = None,
) -> Page[CampaignRead]:
    """Campaigns with at least one organization of the caller's scope, newest first (with
    `open_first`, the open ones first); optionally of the given instruments and periods, of
    one `audience` (parents, teachers, leaders, students), only anonymous or only identified
    ones (`anonymous=true|false`; `audience=teachers&anonymous=false`: the teachers'
    diagnostics), and reaching a territory's organizations (their links and counts then cover
    those organizations only). `total` counts them after these filters; a value a filter does
    not take is a 422 naming the parameter."""
    campaigns, total, readable = await service.list_campaigns(
        session,
        caller,
        scopes,
        page,
        instrument_codes=instrument_code,
        periods=period,
        territory_id=territory_id,
        open_first=open_first,
        audience=audience,
        anonymous=anonymous,
    )
    items = await read_many(session, settings, campaigns, readable)
    return Page(items=items, total=total)


@router.get("/campaigns/{campaign_id}", responses=ERRORS | etag.TAGGED)
async def get_campaign(
    found: ReadableCampaign, session: SessionDep, settings: SettingsDep, response: Response
) -> CampaignRead:
    """One campaign the caller reads (404 otherwise), with its `ETag`."""
    campaign, mine = found
    await etag.tag_response(response, session, CAMPAIGN, campaign.id)
    return await read(session, settings, campaign, mine)


@router.patch(
    "/campaigns/{campaign_id}",
    responses=UPDATE_ERRORS | etag.CONDITIONAL,
    dependencies=[allowed(*LAUNCHERS)],
)
async def update_campaign(
    campaign_id: uuid.UUID,
    body: CampaignUpdate,
    session: SessionDep,
    caller: Caller,
    scopes: ScopeResolverDep,
    settings: SettingsDep,
    api: Api,
    response: Response,
    if_match: etag.IfMatchDep,
) -> CampaignWritten:
    """Close early (a `closes_at` of now), extend, rename or correct a mistyped `period`,
    recorded in the audit log with the previous and new values. Only for a caller whose scope
    holds every organization of the campaign (403 otherwise: a school's leader changes a
    campaign of their school alone). 409 for re-opening a campaign that has answers and whose
    figures are out (closed over a minute ago): launch a new one for late respondents. 409
    naming `period` for a new period once anyone has answered (the answers count for the
    period they were given in); 422 naming `period` for one that begins after the campaign
    closes. `warnings`: for a new period, as a launch's (an opening over a year from it);
    [] otherwise. With `If-Match` only if the campaign is unchanged since (412 otherwise,
    nothing changed); answers the new `ETag`."""
    async with etag.precondition(session, CAMPAIGN, campaign_id, if_match, response):
        campaign = await service.update_campaign(session, caller, scopes, api, campaign_id, body)
    warnings = opening_warnings(campaign.opens_at, body.period) if body.period else []
    return await written(session, settings, campaign, warnings)


@router.get("/campaigns/{campaign_id}/rates", responses=ERRORS)
async def response_rates(
    found: ReadableCampaign, session: SessionDep, page: PaginationDep
) -> Page[OrganizationRate]:
    """`{items, total}`: responses against the expected number, per school of the caller's
    scope, by organization id (`expected`: pupils for parents and students, the staff of the
    audience's positions for teachers and leaders; null with the Russian `expected_unknown`
    when not recorded), and how many of them came through the link (`channels.web`), were
    keyed in from paper questionnaires (`channels.paper`) and imported from a form service's
    export (`channels.import`). `limit` (default 50, at most 500) from `offset`. 404 for a
    campaign the caller does not read, 422 naming `limit` or `offset` out of range."""
    campaign, mine = found
    items, total = await progress.rates(session, campaign, mine, page)
    return Page(items=items, total=total)


@router.get(
    "/campaigns/{campaign_id}/pending", responses=ERRORS, dependencies=[allowed(*LAUNCHERS)]
)
async def pending(
    found: ReadableCampaign, session: SessionDep, page: PaginationDep
) -> Page[Pending]:
    """`{items, total}`: who of the caller's scope has not answered yet (identified
    campaigns), for reminders, by organization and name: names and staff ids, never personal
    links (each teacher finds their own at `GET /v1/me/invitations`). `limit` (default 50, at
    most 500) from `offset`. 403 for a role that does not launch campaigns (whatever the
    campaign or the query), 404 for a campaign the caller does not read, 422 naming
    `campaign_id` for an anonymous campaign and `limit` or `offset` out of range."""
    campaign, mine = found
    if campaign.anonymous:
        raise Invalid.at(
            "campaign_id", "В анонимной кампании не известно, кто не ответил", where="path"
        )
    rows, total = await progress.pending(session, campaign.id, mine, page)
    items = [
        Pending(
            staff_id=i.staff_id,
            organization_id=i.organization_id,
            full_name=i.full_name,
            status="draft" if state == "draft" else "not_started",
        )
        for i, state in rows
    ]
    return Page(items=items, total=total)


@router.get("/me/invitations", responses=ERRORS)
async def my_invitations(
    session: SessionDep, caller: Caller, settings: SettingsDep, page: PaginationDep
) -> Page[MyInvitation]:
    """The caller's own personal links in open campaigns (diagnostics, staff surveys): title,
    window, whether it is answered, and the link, soonest closing first. Empty for a caller
    without a staff record (only a teacher's own account carries one)."""
    if caller.staff_id is None:
        return Page(items=[], total=0)
    rows, total = await paginate(
        session, progress.own_invitations(caller.staff_id), page, whole_rows=True
    )
    items = [
        MyInvitation(
            campaign_id=campaign.id,
            title=campaign.title,
            opens_at=campaign.opens_at,
            closes_at=campaign.closes_at,
            status=state or "not_started",
            url=form_url(settings, invitation.code),
        )
        for invitation, campaign, state in rows
    ]
    return Page(items=items, total=total)
