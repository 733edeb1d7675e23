"""Campaigns: one instrument version × audience × organizations × period × time window."""

import secrets
import uuid
from datetime import UTC

from sqlalchemy import and_, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns.models import Campaign, CampaignOrganization, Invitation
from services.surveys.campaigns.progress import has_answers
from services.surveys.campaigns.rights import (
    before_change,
    changed_fields,
    created_fields,
    ensure_holds_all,
)
from services.surveys.campaigns.schemas import (
    CampaignCreate,
    CampaignUpdate,
)
from services.surveys.campaigns.window import check_window
from services.surveys.clients.api import ApiClient
from services.surveys.instruments.models import Instrument, InstrumentVersion
from services.surveys.instruments.service import get_version
from shared.db import utcnow
from shared.disclosure import published
from shared.errors import Conflict, Invalid, NotFound, field_error
from shared.expected_respondents import expected_of, needs_staff, of_audience
from shared.identity import Principal, Role, ScopeType, require_roles
from shared.labels import organizations_not_found
from shared.pagination import Pagination, paginate
from shared.periods import Period, parse_period
from shared.scope import ScopeResolver, ensure_in_scope, readable_organizations

LAUNCHERS = (Role.territory_analyst, Role.methodologist, Role.organization_leader)


def new_code() -> str:
    return secrets.token_urlsafe(9)


def _check_rules(data: CampaignCreate, instrument: Instrument) -> None:
    """Invalid unless the request keeps the instrument's rules (audience, anonymity)."""
    if data.audience not in instrument.audience:
        raise Invalid.at("audience", f"Инструмент рассчитан на: {', '.join(instrument.audience)}")
    if data.audience in ("parents", "students") and not data.anonymous:
        raise Invalid.at("anonymous", "Ответы родителей и обучающихся собираются только анонимно")
    if instrument.kind == "deficit" and data.anonymous:
        raise Invalid.at("anonymous", "Диагностика дефицитов проводится по персональным ссылкам")
    if instrument.kind != "deficit" and not data.anonymous:
        # Only a diagnostic's results are personal (the teacher, their leader, the
        # methodologists read them); a questionnaire's answers are free only when nobody,
        # the leader neither, can read one person's.
        raise Invalid.at(
            "anonymous",
            "По персональным ссылкам проводятся только диагностики дефицитов: "
            "ответы на анкету собираются анонимно",
        )


async def create_campaign(
    session: AsyncSession, principal: Principal, api: ApiClient, data: CampaignCreate
) -> Campaign:
    """Check the rules, the window (window.py: at most two years, not closing before the
    period begins; 422), the organizations (in the caller's scope), make the links; recorded
    in the audit log (`create`, `campaign`)."""
    require_roles(principal, *LAUNCHERS)
    check_window(data.opens_at, data.closes_at, data.period)
    instrument, version = await get_version(session, data.instrument_id, data.version)
    _check_rules(data, instrument)
    facts = await api.organizations(data.organization_ids, with_staff=needs_staff(data.audience))
    if missing := [str(i) for i in data.organization_ids if i not in facts]:
        raise Invalid.at(
            "organization_ids",
            organizations_not_found(missing),
        )
    campaign = Campaign(
        title=data.title or instrument.title,
        instrument_version_id=version.id,
        audience=data.audience,
        period=data.period.code,
        opens_at=data.opens_at,
        closes_at=data.closes_at,
        anonymous=data.anonymous,
        created_by=principal.id,
    )
    session.add(campaign)
    await session.flush()
    for org_id in dict.fromkeys(data.organization_ids):
        org = facts[org_id]
        # Who is invited to an identified campaign: the audience's staff, as counted.
        invited = [] if data.anonymous else of_audience(data.audience, org.get("staff") or [])
        expected = expected_of(data.audience, org)
        session.add(
            CampaignOrganization(
                campaign_id=campaign.id,
                organization_id=org_id,
                expected=expected,
                code=new_code(),
                territory_ids=[uuid.UUID(t) for t in org["territory_ids"]],
                cluster_ids=[uuid.UUID(c) for c in org["cluster_ids"]],
            )
        )
        session.add_all(
            Invitation(
                campaign_id=campaign.id,
                organization_id=org_id,
                staff_id=uuid.UUID(s["id"]),
                full_name=s["full_name"],
                code=new_code(),
            )
            for s in invited
        )
    await session.flush()
    await api.audit(
        "create", "campaign", str(campaign.id), created_fields(campaign, data.organization_ids)
    )
    return campaign


async def readable_campaign(
    session: AsyncSession, principal: Principal, scopes: ScopeResolver, campaign_id: uuid.UUID
) -> tuple[Campaign, frozenset[uuid.UUID] | None]:
    """The campaign if one of its organizations is in the caller's scope, and which ones are."""
    campaign = await session.get(Campaign, campaign_id)
    if campaign is None:
        raise NotFound("Кампания не найдена")
    readable = await readable_organizations(principal, scopes)
    if readable is None:
        return campaign, None
    mine = frozenset(
        await session.scalars(
            select(CampaignOrganization.organization_id).where(
                CampaignOrganization.campaign_id == campaign_id,
                CampaignOrganization.organization_id.in_(readable),
            )
        )
    )
    if not mine:
        raise NotFound("Кампания не найдена")
    return campaign, mine


async def ensure_member(
    session: AsyncSession,
    principal: Principal,
    scopes: ScopeResolver,
    campaign: Campaign,
    organization_id: uuid.UUID,
    *,
    where: str = "query",
) -> None:
    """Nothing when the organization takes part in the campaign and the caller reads it;
    otherwise NotFound (404) naming `organization_id` (in the query or the path: `where`):
    "Организация не найдена" for one outside the caller's scope, exactly as for one that does
    not exist (no hint of which organizations exist elsewhere), and "Организация … не
    участвует в этой кампании" for one the caller reads that the campaign does not ask. The
    one answer of every per-organization campaign route (aggregates, deficits, imports,
    sheets)."""
    readable = await readable_organizations(principal, scopes)
    if readable is not None and organization_id not in readable:
        raise NotFound.at("organization_id", "Организация не найдена", where=where)
    if await session.get(CampaignOrganization, (campaign.id, organization_id)) is None:
        raise NotFound.at(
            "organization_id",
            f"Организация {organization_id} не участвует в этой кампании",
            where=where,
        )


async def list_campaigns(
    session: AsyncSession,
    principal: Principal,
    scopes: ScopeResolver,
    page: Pagination,
    *,
    instrument_codes: list[str] | None,
    periods: list[str] | None,
    territory_id: uuid.UUID | None,
    open_first: bool = False,
    audience: str | None = None,
    anonymous: bool | None = None,
) -> tuple[list[Campaign], int, frozenset[uuid.UUID] | None]:
    """One page of the campaigns with at least one organization the caller reads (and of the
    territory, when given: NotFound outside the caller's scope), newest first (with
    `open_first`, those taking answers now first, each part newest first), optionally of the
    given instruments (codes) and periods (codes), of one audience, anonymous or identified
    only; the count of all of them; and the organizations they are read for (None: all)."""
    readable = await readable_organizations(principal, scopes)
    if territory_id is not None:
        territory = await ensure_in_scope(principal, scopes, ScopeType.territory, territory_id)
        readable = (
            territory.organization_ids
            if readable is None
            else (readable & territory.organization_ids)
        )
    order = [Campaign.opens_at.desc(), Campaign.id]
    if open_first:
        now = utcnow()
        taking = and_(Campaign.opens_at <= now, Campaign.closes_at > now)
        order.insert(0, case((taking, 0), else_=1))
    query = select(Campaign).order_by(*order)
    if instrument_codes:
        query = query.where(
            Campaign.instrument_version_id.in_(
                select(InstrumentVersion.id)
                .join(Instrument, Instrument.id == InstrumentVersion.instrument_id)
                .where(Instrument.code.in_(instrument_codes))
            )
        )
    if periods:
        query = query.where(Campaign.period.in_(periods))
    if audience is not None:
        query = query.where(Campaign.audience == audience)
    if anonymous is not None:
        query = query.where(Campaign.anonymous.is_(anonymous))
    if readable is not None:
        query = query.where(
            Campaign.id.in_(
                select(CampaignOrganization.campaign_id).where(
                    CampaignOrganization.organization_id.in_(readable)
                )
            )
        )
    campaigns, total = await paginate(session, query, page)
    return campaigns, total, readable


async def manages(
    principal: Principal | None, scopes: ScopeResolver, organization_id: uuid.UUID | None
) -> bool:
    """May this signed-in person manage the organization's campaigns (launch, close, key in its
    paper questionnaires)? The rule of launching and closing: an administrator, or an analyst,
    methodologist or leader whose scope holds the organization. A service token is nobody."""
    if principal is None or principal.kind != "user" or organization_id is None:
        return False
    if principal.role != Role.admin and principal.role not in LAUNCHERS:
        return False
    readable = await readable_organizations(principal, scopes)
    return readable is None or organization_id in readable


async def update_campaign(
    session: AsyncSession,
    principal: Principal,
    scopes: ScopeResolver,
    api: ApiClient,
    campaign_id: uuid.UUID,
    data: CampaignUpdate,
) -> Campaign:
    """Close early, extend, rename or correct the period, recorded in the audit log
    (`update`, `campaign`, each changed field's `before` and `after`); by analysts,
    methodologists and leaders whose scope holds every organization of the campaign
    (Forbidden, 403, otherwise: `ensure_holds_all`).

    Invalid (422) for a close before the opening or over two years after it, or before the
    period begins (window.py). Conflict (409) for re-opening a campaign
    (identified or anonymous) whose figures are out (closed over `SETTLE` ago) and that has
    answers: its published figures and those after more answers would differ by the late
    respondents, however few (shared/disclosure.py). A campaign closed without answers, or
    within `SETTLE`, may be re-opened; it is then open again. Conflict (409) naming `period`
    for a change of the period once anyone has answered: their answers count for the period
    (`_repurpose`)."""
    campaign, _ = await readable_campaign(session, principal, scopes, campaign_id)
    require_roles(principal, *LAUNCHERS)
    await ensure_holds_all(session, principal, scopes, campaign.id)
    before = before_change(campaign)
    if data.period is not None and data.period.code != campaign.period:
        await _repurpose(session, campaign, data.period)
    if data.closes_at is not None:
        if data.closes_at <= campaign.opens_at:
            raise Invalid.at("closes_at", "Дата закрытия раньше даты открытия")
        now = utcnow()
        if (
            data.closes_at > now
            and published(campaign.closes_at, now)
            and await has_answers(session, campaign.id)
        ):
            raise Conflict(
                "Итоги кампании уже открыты, её нельзя продлить: новые ответы отличили бы "
                "итоги от открытых на ответы опоздавших. Чтобы собрать их, запустите новую "
                "кампанию.",
                errors=[field_error("closes_at", "итоги кампании уже открыты")],
                closes_at=campaign.closes_at.isoformat(),
            )
        campaign.closes_at = data.closes_at.astimezone(UTC)  # as it is read back: in UTC
    if data.period is not None:
        check_window(campaign.opens_at, campaign.closes_at, data.period)
    elif data.closes_at is not None:
        # A new closing still to come must not end before the period begins (its answers
        # would count for a period not begun); closing now is always allowed (a launch made
        # by mistake for next year is closed at once).
        period = parse_period(campaign.period) if data.closes_at > utcnow() else None
        check_window(campaign.opens_at, campaign.closes_at, period, blame="closes_at")
    if data.title:
        campaign.title = data.title
    await session.flush()
    if changes := changed_fields(before, campaign):
        await api.audit("update", "campaign", str(campaign.id), changes)
    return campaign


async def _repurpose(session: AsyncSession, campaign: Campaign, period: Period) -> None:
    """Move the campaign to `period` (a mistyped one corrected), while it has no submitted
    response. Conflict (409) naming `period` once it has one: those answers count for the
    period's figures, and the figures of both periods read before and after a move would
    differ by exactly them (however few: a difference of two reads tells what the minimum
    hides, shared/disclosure.py) — as a late respondent's answers do to published figures."""
    # Locked against every submission (a new response's foreign key, a personal link's lock
    # take the campaign's key share): one in flight is waited for and seen here, and any
    # later one counts for the new period.
    await session.execute(select(Campaign.id).where(Campaign.id == campaign.id).with_for_update())
    if await has_answers(session, campaign.id):
        raise Conflict(
            f"У кампании уже есть ответы, они засчитаны за период «{campaign.period}»: перенос "
            f"в «{period.code}» изменил бы итоги обоих периодов на ответы этой кампании и "
            "по разнице раскрыл бы их. Чтобы собрать ответы за другой период, запустите "
            "новую кампанию.",
            errors=[field_error("period", "у кампании уже есть ответы")],
            period=campaign.period,
        )
    campaign.period = period.code


async def campaign_facts(
    session: AsyncSession, campaigns: list[Campaign], organizations: frozenset[uuid.UUID] | None
) -> tuple[
    dict[uuid.UUID, tuple[Instrument, InstrumentVersion]],
    dict[uuid.UUID, list[CampaignOrganization]],
    dict[uuid.UUID, int],
]:
    """For a page of campaigns, in three queries whatever their number: each one's instrument
    and version, its organizations' links (those the caller may see), its invitation count."""
    ids = [c.id for c in campaigns]
    versions = {c.instrument_version_id for c in campaigns}
    instruments = {
        version.id: (instrument, version)
        for instrument, version in await session.execute(
            select(Instrument, InstrumentVersion)
            .join(InstrumentVersion, InstrumentVersion.instrument_id == Instrument.id)
            .where(InstrumentVersion.id.in_(versions))
        )
    }
    members_query = select(CampaignOrganization).where(CampaignOrganization.campaign_id.in_(ids))
    if organizations is not None:
        members_query = members_query.where(CampaignOrganization.organization_id.in_(organizations))
    members: dict[uuid.UUID, list[CampaignOrganization]] = {i: [] for i in ids}
    for member in await session.scalars(
        members_query.order_by(CampaignOrganization.organization_id)
    ):
        members[member.campaign_id].append(member)
    invitations = dict(
        (
            await session.execute(
                select(Invitation.campaign_id, func.count())
                .where(Invitation.campaign_id.in_(ids))
                .group_by(Invitation.campaign_id)
            )
        ).all()
    )
    by_campaign = {c.id: instruments[c.instrument_version_id] for c in campaigns}
    return by_campaign, members, invitations
