"""Clusters: named groups of organizations with a coordinating one, across municipalities too."""

import uuid

from sqlalchemy import delete, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import MANAGERS, Access, authorize
from services.api.audit import service as audit
from services.api.organizations.models import Cluster, ClusterMember, Organization
from services.api.organizations.schemas import ClusterCreate, ClusterRead, ClusterUpdate
from services.api.sibling_names import refuse_taken_name
from shared.db import apply_changes
from shared.errors import Invalid
from shared.identity import ScopeType
from shared.labels import organizations_not_found
from shared.pagination import Pagination, paginate
from shared.scope import ensure_in_scope, readable_organizations


async def _check_members(access: Access, ids: set[uuid.UUID]) -> None:
    query = select(Organization.id).where(Organization.id.in_(ids))
    found = set(await access.session.scalars(query))
    readable = await readable_organizations(access.principal, access.scopes)
    bad = sorted(map(str, ids - found if readable is None else ids - (found & readable)))
    if bad:
        raise Invalid.at("member_ids", organizations_not_found(bad))


async def _set_members(session: AsyncSession, cluster_id: uuid.UUID, ids: set[uuid.UUID]) -> None:
    """Replace the members; recorded in the audit log here (Core SQL bypasses the flush hook)."""
    before = set(await _members(session, cluster_id))
    if before == ids:
        return
    await audit.record(
        session,
        "update",
        "cluster",
        cluster_id,
        {"member_ids": {"before": sorted(map(str, before)), "after": sorted(map(str, ids))}},
    )
    await session.execute(
        delete(ClusterMember).where(
            ClusterMember.cluster_id == cluster_id, ClusterMember.organization_id.not_in(ids)
        )
    )
    if ids:
        rows = [{"cluster_id": cluster_id, "organization_id": i} for i in ids]
        await session.execute(insert(ClusterMember).values(rows).on_conflict_do_nothing())


async def _members(session: AsyncSession, cluster_id: uuid.UUID) -> list[uuid.UUID]:
    query = select(ClusterMember.organization_id).where(ClusterMember.cluster_id == cluster_id)
    return sorted(await session.scalars(query), key=str)


async def read_clusters(session: AsyncSession, clusters: list[Cluster]) -> list[ClusterRead]:
    """Clusters with their members, in one query for the whole list."""
    members: dict[uuid.UUID, list[uuid.UUID]] = {c.id: [] for c in clusters}
    rows = await session.execute(
        select(ClusterMember.cluster_id, ClusterMember.organization_id)
        .where(ClusterMember.cluster_id.in_(members))
        .order_by(ClusterMember.organization_id)
    )
    for cluster_id, organization_id in rows:
        members[cluster_id].append(organization_id)
    return [ClusterRead(**c.model_dump(), member_ids=members[c.id]) for c in clusters]


async def _refuse_taken_name(
    session: AsyncSession, name: str | None, territory_id: uuid.UUID, own_id: uuid.UUID | None
) -> None:
    """409 naming `name` when another cluster of the territory has it
    (services/api/sibling_names.py)."""
    await refuse_taken_name(
        session,
        Cluster,
        name,
        among=Cluster.territory_id == territory_id,
        own_id=own_id,
        lock=("cluster", territory_id),
        message="В этой территории уже есть кластер с таким названием",
    )


async def create_cluster(access: Access, data: ClusterCreate) -> Cluster:
    """A cluster; its coordinator is always one of its members. 409 naming `name` when the
    territory already has a cluster of that name."""
    await authorize(
        access.principal, access.scopes, ScopeType.territory, data.territory_id, MANAGERS
    )
    members = set(data.member_ids) | ({data.coordinator_id} if data.coordinator_id else set())
    await _check_members(access, members)
    await _refuse_taken_name(access.session, data.name, data.territory_id, None)
    cluster = Cluster(**data.model_dump(exclude={"member_ids"}))
    access.session.add(cluster)
    await access.session.flush()
    await _set_members(access.session, cluster.id, members)
    return cluster


async def get_cluster(access: Access, cluster_id: uuid.UUID) -> Cluster:
    """The cluster if the caller sees it (NotFound otherwise)."""
    await ensure_in_scope(access.principal, access.scopes, ScopeType.cluster, cluster_id)
    cluster = await access.session.get(Cluster, cluster_id)
    assert cluster is not None
    return cluster


async def update_cluster(access: Access, cluster_id: uuid.UUID, data: ClusterUpdate) -> Cluster:
    """Its name, description, coordinator or members; 409 naming `name` when the territory
    has another cluster of that name. The cluster's row is locked before anything is read:
    a new coordinator joins the members a concurrent change stored, not the ones both read."""
    await authorize(access.principal, access.scopes, ScopeType.cluster, cluster_id, MANAGERS)
    cluster = await get_cluster(access, cluster_id)
    session = access.session
    await session.refresh(cluster, with_for_update=True)
    changes = data.model_dump(exclude_unset=True, exclude={"member_ids"})
    if "name" in changes or "territory_id" in changes:
        territory_id = changes.get("territory_id", cluster.territory_id)
        name = changes.get("name", cluster.name)
        await _refuse_taken_name(session, name, territory_id, cluster.id)
    if data.member_ids is not None or changes.get("coordinator_id"):
        members = set(data.member_ids if data.member_ids is not None else [])
        if data.member_ids is None:
            members = set(await _members(session, cluster_id))
        coordinator = changes.get("coordinator_id", cluster.coordinator_id)
        members |= {coordinator} if coordinator else set()
        await _check_members(access, members)
        await _set_members(session, cluster_id, members)
    return await apply_changes(session, cluster, changes)


async def list_clusters(
    access: Access,
    page: Pagination,
    *,
    territory_id: uuid.UUID | None = None,
    organization_id: uuid.UUID | None = None,
) -> tuple[list[Cluster], int]:
    """Clusters in the caller's territory, or with one of the caller's organizations."""
    principal, scopes = access.principal, access.scopes
    query = select(Cluster).order_by(Cluster.name, Cluster.id)
    if not principal.unrestricted:
        readable = await readable_organizations(principal, scopes) or frozenset()
        with_member = select(ClusterMember.cluster_id).where(
            ClusterMember.organization_id.in_(readable)
        )
        conditions = [Cluster.id.in_(with_member)]
        if principal.scope_type == ScopeType.territory and principal.scope_id:
            conditions.append(Cluster.territory_id.in_(await scopes.subtree(principal.scope_id)))
        if principal.scope_type == ScopeType.cluster:
            conditions = [Cluster.id == principal.scope_id]
        query = query.where(or_(*conditions))
    if territory_id is not None:
        query = query.where(Cluster.territory_id.in_(await scopes.subtree(territory_id)))
    if organization_id is not None:
        query = query.where(
            Cluster.id.in_(
                select(ClusterMember.cluster_id).where(
                    ClusterMember.organization_id == organization_id
                )
            )
        )
    return await paginate(access.session, query, page)
