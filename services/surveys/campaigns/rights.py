"""Who may change a campaign, and what the audit log keeps of its changes."""

import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns.models import Campaign, CampaignOrganization
from shared.errors import Forbidden
from shared.identity import Principal
from shared.scope import ScopeResolver, readable_organizations

# What the audit log keeps of a change: these fields' values before and after it.
CHANGEABLE = ("title", "closes_at", "period")


def _json(value: Any) -> Any:
    return value.isoformat() if isinstance(value, datetime) else value


async def ensure_holds_all(
    session: AsyncSession, principal: Principal, scopes: ScopeResolver, campaign_id: uuid.UUID
) -> None:
    """Forbidden (403) unless the caller's scope holds every organization of the campaign: a
    campaign's window and title are everyone's it covers, so one school's leader changes only
    a campaign of their school alone; one of several schools, the analysts and methodologists
    of a territory that holds them all, or an administrator."""
    readable = await readable_organizations(principal, scopes)
    if readable is None:
        return
    outside = await session.scalar(
        select(func.count()).where(
            CampaignOrganization.campaign_id == campaign_id,
            CampaignOrganization.organization_id.not_in(readable),
        )
    )
    if outside:
        raise Forbidden(
            "Кампания охватывает и другие организации: изменить её может аналитик или "
            "методист территории, в которую входят все они, или администратор"
        )


def created_fields(campaign: Campaign, organization_ids: Iterable[uuid.UUID]) -> dict[str, Any]:
    """The audit log's `changes` of a launched campaign: what it is, for whom, when."""
    return {
        "title": campaign.title,
        "instrument_version_id": str(campaign.instrument_version_id),
        "audience": campaign.audience,
        "period": campaign.period,
        "opens_at": _json(campaign.opens_at),
        "closes_at": _json(campaign.closes_at),
        "anonymous": campaign.anonymous,
        "organization_ids": [str(o) for o in dict.fromkeys(organization_ids)],
    }


def before_change(campaign: Campaign) -> dict[str, Any]:
    """The values `changed_fields` compares with after the change."""
    return {field: getattr(campaign, field) for field in CHANGEABLE}


def changed_fields(before: dict[str, Any], campaign: Campaign) -> dict[str, Any]:
    """The audit log's `changes` of a change: {field: {"before": …, "after": …}} for each field
    whose value differs (empty: nothing changed)."""
    return {
        field: {"before": _json(old), "after": _json(getattr(campaign, field))}
        for field, old in before.items()
        if getattr(campaign, field) != old
    }
