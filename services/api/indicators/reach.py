"""What a caller sees and holds among the scopes that targets and roadmap links point at.

A caller *holds* what lies inside their scope (`shared.scope.contains`: for a territory analyst
their territory, the territories under it, its clusters and organizations): an analyst changes
targets and roadmap links there only. A caller *sees* what they hold and what lies above them
(their territory's ancestors, their school's clusters): targets and links there apply to them, so
they are shown, but not changed. Everything else is hidden (404, existence not revealed).

The sets are computed once per request (a few indexed queries), so checking hundreds of targets
costs nothing more.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from services.api.access import Access
from services.api.organizations.models import Cluster
from shared.identity import ScopeType

EMPTY: frozenset[uuid.UUID] = frozenset()


@dataclass(frozen=True)
class Reach:
    unrestricted: bool
    territories: frozenset[uuid.UUID] = EMPTY  # held: the caller's territory and those under it
    organizations: frozenset[uuid.UUID] = EMPTY
    clusters: frozenset[uuid.UUID] = EMPTY
    above_territories: frozenset[uuid.UUID] = EMPTY  # seen, not held
    above_clusters: frozenset[uuid.UUID] = EMPTY

    def holds(self, scope_type: str, scope_id: uuid.UUID) -> bool:
        """Inside the caller's scope."""
        if self.unrestricted:
            return True
        match ScopeType(scope_type):
            case ScopeType.territory:
                return scope_id in self.territories
            case ScopeType.cluster:
                return scope_id in self.clusters
            case ScopeType.organization:
                return scope_id in self.organizations
        return False  # pragma: no cover

    def sees(self, scope_type: str, scope_id: uuid.UUID) -> bool:
        """Inside the caller's scope or above it."""
        if self.holds(scope_type, scope_id):
            return True
        if scope_type == ScopeType.territory:
            return scope_id in self.above_territories
        return scope_type == ScopeType.cluster and scope_id in self.above_clusters

    @property
    def owners(self) -> frozenset[uuid.UUID]:
        """Territories whose own indicators the caller sees: held ones and those above."""
        return self.territories | self.above_territories


async def reach_of(access: Access) -> Reach:
    """The caller's reach; administrators and services reach everything."""
    session, scopes, principal = access.session, access.scopes, access.principal
    if principal.unrestricted:
        return Reach(unrestricted=True)
    if principal.scope_type is None or principal.scope_id is None:
        return Reach(unrestricted=False)
    info = await scopes.resolve(principal.scope_type, principal.scope_id)
    match principal.scope_type:
        case ScopeType.territory:
            subtree = await scopes.subtree(principal.scope_id)
            clusters = await session.scalars(
                select(Cluster.id).where(Cluster.territory_id.in_(subtree))
            )
            return Reach(
                unrestricted=False,
                territories=subtree,
                organizations=info.organization_ids,
                clusters=frozenset(clusters),
                above_territories=info.territory_ids - subtree,
            )
        case ScopeType.cluster:
            return Reach(
                unrestricted=False,
                organizations=info.organization_ids,
                clusters=frozenset({principal.scope_id}),
                above_territories=info.territory_ids,
            )
    return Reach(
        unrestricted=False,
        organizations=frozenset({principal.scope_id}),
        above_territories=info.territory_ids,
        above_clusters=info.cluster_ids,
    )
