"""Where territories, clusters and organizations sit, read from the api schema."""

import uuid
from collections.abc import Iterable

from sqlalchemy import ARRAY, Uuid, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.organizations.models import Cluster, ClusterMember, Organization
from shared.errors import NotFound
from shared.identity import ScopeType
from shared.scope import ScopeInfo

_ANCESTORS = text(
    """
    WITH RECURSIVE up AS (
        SELECT id, parent_id FROM api.territory WHERE id = :territory_id
        UNION ALL
        SELECT t.id, t.parent_id FROM api.territory t JOIN up ON t.id = up.parent_id
    )
    SELECT id FROM up
    """
)
_SUBTREE = text(
    """
    WITH RECURSIVE down AS (
        SELECT id FROM api.territory WHERE id = :territory_id
        UNION ALL
        SELECT t.id FROM api.territory t JOIN down ON t.parent_id = down.id
    )
    SELECT id FROM down
    """
)

# Each organization with its territory and every territory above it.
_ORGANIZATION_TERRITORIES = text(
    """
    WITH RECURSIVE up AS (
        SELECT o.id AS organization_id, t.id, t.parent_id
        FROM api.organization o JOIN api.territory t ON t.id = o.territory_id
        WHERE o.id = ANY(:ids)
        UNION ALL
        SELECT up.organization_id, t.id, t.parent_id
        FROM api.territory t JOIN up ON t.id = up.parent_id
    )
    SELECT organization_id, id FROM up
    """
).bindparams(bindparam("ids", type_=ARRAY(Uuid)))


async def organization_territories(
    session: AsyncSession, ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, frozenset[uuid.UUID]]:
    """For each existing organization of `ids`: its territory and every ancestor (one query
    for any number; an id that is no organization is absent)."""
    found: dict[uuid.UUID, set[uuid.UUID]] = {}
    for organization_id, territory_id in await session.execute(
        _ORGANIZATION_TERRITORIES, {"ids": list(set(ids))}
    ):
        found.setdefault(organization_id, set()).add(territory_id)
    return {organization: frozenset(territories) for organization, territories in found.items()}


class DbScopeResolver:
    """Resolves scopes with a few indexed queries; remembers answers for one request."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self._memo: dict[tuple[ScopeType, uuid.UUID], ScopeInfo] = {}
        self._subtrees: dict[uuid.UUID, frozenset[uuid.UUID]] = {}

    async def ancestors(self, territory_id: uuid.UUID) -> frozenset[uuid.UUID]:
        rows = await self.session.scalars(_ANCESTORS, {"territory_id": territory_id})
        return frozenset(rows)

    async def subtree(self, territory_id: uuid.UUID) -> frozenset[uuid.UUID]:
        """The territory and every territory under it."""
        if territory_id not in self._subtrees:
            rows = await self.session.scalars(_SUBTREE, {"territory_id": territory_id})
            self._subtrees[territory_id] = frozenset(rows)
        return self._subtrees[territory_id]

    async def resolve(self, scope_type: ScopeType, scope_id: uuid.UUID) -> ScopeInfo:
        scope_type = ScopeType(scope_type)
        key = (scope_type, scope_id)
        if key not in self._memo:
            self._memo[key] = await self._resolve(scope_type, scope_id)
        return self._memo[key]

    async def _resolve(self, scope_type: ScopeType, scope_id: uuid.UUID) -> ScopeInfo:
        s = self.session
        if scope_type == ScopeType.territory:
            ancestors = await self.ancestors(scope_id)
            if not ancestors:
                raise NotFound("Территория не найдена")
            subtree = await self.subtree(scope_id)
            orgs = await s.scalars(
                select(Organization.id).where(Organization.territory_id.in_(subtree))
            )
            return ScopeInfo(scope_type, scope_id, ancestors, frozenset(orgs))
        if scope_type == ScopeType.organization:
            territory_id = await s.scalar(
                select(Organization.territory_id).where(Organization.id == scope_id)
            )
            if territory_id is None:
                raise NotFound("Организация не найдена")
            clusters = await s.scalars(
                select(ClusterMember.cluster_id).where(ClusterMember.organization_id == scope_id)
            )
            return ScopeInfo(
                scope_type,
                scope_id,
                await self.ancestors(territory_id),
                frozenset({scope_id}),
                frozenset(clusters),
            )
        territory_id = await s.scalar(select(Cluster.territory_id).where(Cluster.id == scope_id))
        if territory_id is None:
            raise NotFound("Кластер не найден")
        members = await s.scalars(
            select(ClusterMember.organization_id).where(ClusterMember.cluster_id == scope_id)
        )
        return ScopeInfo(
            scope_type, scope_id, await self.ancestors(territory_id), frozenset(members)
        )
