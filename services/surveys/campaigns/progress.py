"""How far a campaign's collecting has got: whether it has answers, submitted responses
against the expected number per organization (`rates`), who has not answered yet (`pending`),
and a staff member's invitations in open campaigns (`own_invitations`)."""

import uuid

from sqlalchemy import Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns.models import Campaign, CampaignOrganization, Invitation
from services.surveys.campaigns.schemas import Channels, OrganizationRate
from services.surveys.responses.models import Response
from shared.db import utcnow
from shared.expected_respondents import unknown_reason
from shared.numbers import percent
from shared.pagination import Pagination, paginate


async def has_answers(session: AsyncSession, campaign_id: uuid.UUID) -> bool:
    """Whether the campaign has a submitted response (drafts are no answers)."""
    query = select(Response.id).where(
        Response.campaign_id == campaign_id, Response.status == "submitted"
    )
    return bool(await session.scalar(select(query.exists())))


async def rates(
    session: AsyncSession,
    campaign: Campaign,
    organizations: frozenset[uuid.UUID] | None,
    page: Pagination,
) -> tuple[list[OrganizationRate], int]:
    """One page of the submitted responses against the expected number (stored at the launch,
    by shared/expected_respondents.py; null with `expected_unknown` when unknown), and how
    many came on paper and from imported files, per organization (one GROUP BY, paged in
    SQL by organization id), and the number of organizations."""
    campaign_id = campaign.id
    submitted = (
        select(
            Response.organization_id,
            func.count().label("n"),
            func.count().filter(Response.channel == "paper").label("paper"),
            func.count().filter(Response.channel == "import").label("imported"),
        )
        .where(Response.campaign_id == campaign_id, Response.status == "submitted")
        .group_by(Response.organization_id)
        .subquery()
    )
    query = (
        select(
            CampaignOrganization.organization_id,
            CampaignOrganization.expected,
            func.coalesce(submitted.c.n, 0),
            func.coalesce(submitted.c.paper, 0),
            func.coalesce(submitted.c.imported, 0),
        )
        .outerjoin(submitted, submitted.c.organization_id == CampaignOrganization.organization_id)
        .where(CampaignOrganization.campaign_id == campaign_id)
        .order_by(CampaignOrganization.organization_id)
    )
    if organizations is not None:
        query = query.where(CampaignOrganization.organization_id.in_(organizations))
    rows, total = await paginate(session, query, page, whole_rows=True)
    items = [
        OrganizationRate(
            organization_id=org,
            responses=n,
            expected=expected,
            expected_unknown=unknown_reason(campaign.audience, expected),
            rate=percent(n, expected),
            channels=Channels(web=n - paper - imported, paper=paper, imported=imported),
        )
        for org, expected, n, paper, imported in rows
    ]
    return items, total


async def pending(
    session: AsyncSession,
    campaign_id: uuid.UUID,
    organizations: frozenset[uuid.UUID] | None,
    page: Pagination,
) -> tuple[list[tuple[Invitation, str | None]], int]:
    """One page of the invitations without a submitted response (identified campaigns), for
    reminders, by organization and name (then the invitation's id), each with its response's
    status (None or "draft"), and how many there are."""
    query = (
        select(Invitation, Response.status)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(Invitation.campaign_id == campaign_id)
        .where((Response.status.is_(None)) | (Response.status == "draft"))
        .order_by(Invitation.organization_id, Invitation.full_name)
    )
    if organizations is not None:
        query = query.where(Invitation.organization_id.in_(organizations))
    rows, total = await paginate(session, query, page, whole_rows=True)
    return [(invitation, state) for invitation, state in rows], total


def own_invitations(staff_id: uuid.UUID | None) -> Select:
    """The staff member's invitations in open campaigns, with the campaign and the response's
    status (None: not started), soonest closing first; nothing for a caller who is no staff."""
    now = utcnow()
    return (
        select(Invitation, Campaign, Response.status)
        .join(Campaign, Campaign.id == Invitation.campaign_id)
        .outerjoin(Response, Response.invitation_id == Invitation.id)
        .where(
            Invitation.staff_id == staff_id,
            Campaign.opens_at <= now,
            Campaign.closes_at > now,
        )
        .order_by(Campaign.closes_at, Campaign.id)
    )
