"""Personal diagnostic results: read only by the teacher, the school's leader, the
territory's methodologists and administrators, and every read recorded in the audit log of
the api service."""

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.surveys.campaigns.models import Campaign, CampaignOrganization, Invitation
from services.surveys.campaigns.service import ensure_member
from services.surveys.clients.api import ApiClient
from services.surveys.instruments.parsed import Definitions
from services.surveys.responses.models import CompetenceScore
from shared.disclosure import reads_personal_results
from shared.errors import Forbidden, NotFound
from shared.identity import Principal, Role
from shared.numbers import percent
from shared.scope import ScopeResolver, readable_organizations


def ensure_results_reader(principal: Principal) -> None:
    """Forbidden (403) for the roles that read no one's personal results: all but teachers
    (their own), schools' leaders and those who read them (`reads_personal_results`)."""
    personal = principal.role in (Role.teacher, Role.organization_leader)
    if not personal and not reads_personal_results(principal):
        raise Forbidden("Персональные результаты видят педагог, руководитель ОО и методисты")


async def _allowed_organizations(
    session: AsyncSession,
    principal: Principal,
    scopes: ScopeResolver,
    campaign: Campaign,
    organization_id: uuid.UUID | None,
) -> list[uuid.UUID] | None:
    """The organizations whose results the caller may read; None: only their own results.
    403 for the roles that read no one's; 404 for an organization outside the caller's."""
    if principal.role in (Role.teacher, Role.organization_leader):
        # Their own school only: another one is not found (as for individual routes), never
        # a filter silently dropped.
        if organization_id not in (None, principal.scope_id):
            raise NotFound.at("organization_id", "Организация не найдена", where="query")
        return None if principal.role == Role.teacher else [principal.scope_id]
    ensure_results_reader(principal)
    if organization_id is not None:
        await ensure_member(session, principal, scopes, campaign, organization_id)
        return [organization_id]
    members = set(
        await session.scalars(
            select(CampaignOrganization.organization_id).where(
                CampaignOrganization.campaign_id == campaign.id
            )
        )
    )
    # One resolution of the methodologist's territory, not one call per school.
    readable = await readable_organizations(principal, scopes)
    return sorted((o for o in members if readable is None or o in readable), key=str)


async def personal(
    session: AsyncSession,
    principal: Principal,
    scopes: ScopeResolver,
    api: ApiClient,
    campaign: Campaign,
    organization_id: uuid.UUID | None,
    definitions: Definitions,
) -> list[dict[str, Any]]:
    """Per staff member: each competence's score, share of the maximum, and the deficits
    (competence titles from the campaign's version, through the app's `definitions`)."""
    allowed = await _allowed_organizations(session, principal, scopes, campaign, organization_id)
    query = (
        select(CompetenceScore, Invitation.full_name)
        .join(Invitation, Invitation.staff_id == CompetenceScore.staff_id)
        .where(CompetenceScore.campaign_id == campaign.id, Invitation.campaign_id == campaign.id)
        .order_by(Invitation.full_name, CompetenceScore.staff_id, CompetenceScore.competence)
    )
    if allowed is None:
        query = query.where(CompetenceScore.staff_id == principal.staff_id)
    else:
        query = query.where(CompetenceScore.organization_id.in_(allowed))
    definition = await definitions.get(session, campaign.instrument_version_id)
    titles = {c.code: c.title for c in definition.competences}
    people: dict[uuid.UUID, dict[str, Any]] = {}
    for score, full_name in await session.execute(query):
        person = people.setdefault(
            score.staff_id,
            {
                "staff_id": str(score.staff_id),
                "full_name": full_name,
                "organization_id": str(score.organization_id),
                "competences": [],
                "deficits": [],
            },
        )
        person["competences"].append(
            {
                "code": score.competence,
                "title": titles.get(score.competence, score.competence),
                "score": score.score,
                "max_score": score.max_score,
                "share": percent(score.score, score.max_score),
                "deficit": score.deficit,
            }
        )
        if score.deficit:
            person["deficits"].append(score.competence)
    if people:
        await api.audit(
            "read_personal",
            "deficit_result",
            str(campaign.id),
            {
                "staff_ids": sorted(str(s) for s in people),
                "organization_id": str(organization_id) if organization_id else None,
            },
        )
    return list(people.values())
