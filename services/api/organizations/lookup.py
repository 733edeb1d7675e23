"""One call for what another service needs to know about many organizations at once."""

import uuid
from typing import Any

from pydantic import BaseModel, Field
from sqlalchemy import Uuid, bindparam, select, text
from sqlalchemy.dialects.postgresql import ARRAY

from services.api.access import Access
from services.api.organizations.models import ClusterMember, Organization
from services.api.staff.models import StaffMember
from shared.identity import PERSONAL_DATA_ROLES
from shared.scope import readable_organizations

MAX_IDS = 5000

# Every territory's chain up to the root (its own first), in one recursive query.
_CHAINS = text(
    """
    WITH RECURSIVE up(start_id, id, parent_id, depth) AS (
        SELECT t.id, t.id, t.parent_id, 0 FROM api.territory t WHERE t.id = ANY(:ids)
        UNION ALL
        SELECT up.start_id, t.id, t.parent_id, up.depth + 1
        FROM api.territory t JOIN up ON t.id = up.parent_id
    )
    SELECT start_id, array_agg(id ORDER BY depth) FROM up GROUP BY start_id
    """
).bindparams(bindparam("ids", type_=ARRAY(Uuid)))


class LookupRequest(BaseModel):
    organization_ids: list[uuid.UUID] = Field(max_length=MAX_IDS)
    with_staff: bool = False


class StaffBrief(BaseModel):
    id: uuid.UUID
    full_name: str
    position: str
    email: str | None


class OrganizationFacts(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    territory_id: uuid.UUID
    territory_ids: list[uuid.UUID]  # its territory, then every one above it, up to the root
    cluster_ids: list[uuid.UUID]
    context: dict[str, Any]
    staff: list[StaffBrief] | None = None  # only when asked for, and to personal-data readers


async def lookup(access: Access, data: LookupRequest) -> list[OrganizationFacts]:
    """Facts about the requested organizations that the caller may read (others are left out)."""
    session = access.session
    readable = await readable_organizations(access.principal, access.scopes)
    ids = [i for i in dict.fromkeys(data.organization_ids) if readable is None or i in readable]
    orgs = list(await session.scalars(select(Organization).where(Organization.id.in_(ids))))
    chains = dict(
        (await session.execute(_CHAINS, {"ids": list({o.territory_id for o in orgs})})).all()
    )
    clusters: dict[uuid.UUID, list[uuid.UUID]] = {o.id: [] for o in orgs}
    for cluster_id, org_id in await session.execute(
        select(ClusterMember.cluster_id, ClusterMember.organization_id).where(
            ClusterMember.organization_id.in_(ids)
        )
    ):
        clusters[org_id].append(cluster_id)
    staff: dict[uuid.UUID, list[StaffBrief]] | None = None
    if data.with_staff and access.principal.role in PERSONAL_DATA_ROLES:
        staff = {o.id: [] for o in orgs}
        rows = await session.scalars(
            select(StaffMember)
            .where(StaffMember.organization_id.in_(ids), StaffMember.is_active)
            .order_by(StaffMember.full_name)
        )
        for member in rows:
            staff[member.organization_id].append(
                StaffBrief.model_validate(member, from_attributes=True)
            )
    return [
        OrganizationFacts(
            id=o.id,
            name=o.name,
            kind=o.kind,
            territory_id=o.territory_id,
            territory_ids=chains.get(o.territory_id, [o.territory_id]),
            cluster_ids=clusters[o.id],
            context=o.context,
            staff=staff[o.id] if staff is not None else None,
        )
        for o in orgs
    ]
