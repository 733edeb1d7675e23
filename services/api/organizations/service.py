"""Organizations: schools, kindergartens, additional education, colleges, with context data."""

import uuid

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import MANAGERS, ORGANIZATION_MANAGERS, authorize
from services.api.organizations.models import ClusterMember, Organization
from services.api.organizations.schemas import OrganizationCreate, OrganizationUpdate
from services.api.territories.scope import DbScopeResolver
from shared.db import add_new, apply_changes
from shared.errors import Forbidden
from shared.identity import Principal, Role, ScopeType
from shared.pagination import Pagination, containing, paginate, where_given
from shared.scope import ensure_in_scope, readable_organizations

# What a school leader may change about their own school.
LEADER_FIELDS = frozenset({"short_name", "context"})


async def create_organization(
    session: AsyncSession, scopes: DbScopeResolver, principal: Principal, data: OrganizationCreate
) -> Organization:
    await authorize(principal, scopes, ScopeType.territory, data.territory_id, MANAGERS)
    organization = Organization(**data.model_dump(exclude={"context"}))
    organization.context = data.context.model_dump(exclude_none=True)
    return await add_new(session, organization)


async def get_organization(
    session: AsyncSession, scopes: DbScopeResolver, principal: Principal, org_id: uuid.UUID
) -> Organization:
    await ensure_in_scope(principal, scopes, ScopeType.organization, org_id)
    organization = await session.get(Organization, org_id)
    assert organization is not None  # resolved above
    return organization


async def update_organization(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    org_id: uuid.UUID,
    data: OrganizationUpdate,
) -> Organization:
    """Analysts change everything; a school's leader its short name and context data."""
    changes = data.model_dump(exclude_unset=True)
    await authorize(principal, scopes, ScopeType.organization, org_id, ORGANIZATION_MANAGERS)
    if principal.role == Role.organization_leader and set(changes) - LEADER_FIELDS:
        raise Forbidden("Руководитель может менять только краткое название и контекстные данные")
    if changes.get("territory_id"):
        await authorize(principal, scopes, ScopeType.territory, changes["territory_id"], MANAGERS)
    organization = await get_organization(session, scopes, principal, org_id)
    if "context" in changes:
        changes["context"] = (data.context.model_dump(exclude_none=True)) if data.context else {}
    return await apply_changes(session, organization, changes)


async def list_organizations(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    page: Pagination,
    *,
    territory_id: uuid.UUID | None = None,
    cluster_id: uuid.UUID | None = None,
    kind: str | None = None,
    q: str | None = None,
) -> tuple[list[Organization], int]:
    query = select(Organization).order_by(Organization.name, Organization.id)
    readable = await readable_organizations(principal, scopes)
    if readable is not None:
        query = query.where(Organization.id.in_(readable))
    if territory_id is not None:
        query = query.where(Organization.territory_id.in_(await scopes.subtree(territory_id)))
    if cluster_id is not None:
        members = select(ClusterMember.organization_id).where(
            ClusterMember.cluster_id == cluster_id
        )
        query = query.where(Organization.id.in_(members))
    query = where_given(query, (Organization.kind, kind))
    return await paginate(session, containing(query, q, Organization.name), page)
