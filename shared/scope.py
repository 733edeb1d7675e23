"""What a principal may reach: the scope model, the one scope check and the resolvers.

A user's scope is a territory (and everything under it), a cluster, or an organization.
`contains()` is the single rule every service applies, on a `ScopeInfo` that the api service
resolves from its tables (directly there, over HTTP with a short cache elsewhere: the
`HttpScopeResolver` below, kept answers in shared/scope_cache.py).
"""

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

from shared.errors import NotFound
from shared.identity import Principal, ScopeType

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncSession

    from shared.scope_cache import ScopeCache


@dataclass(frozen=True)
class ScopeInfo:
    """Where a territory, cluster or organization sits: what a scope check needs to know."""

    scope_type: ScopeType
    scope_id: uuid.UUID
    territory_ids: frozenset[uuid.UUID]  # its territory and every ancestor
    organization_ids: frozenset[uuid.UUID]  # the organizations it covers
    cluster_ids: frozenset[uuid.UUID] = field(default_factory=frozenset)  # an org's clusters

    def to_json(self) -> dict[str, Any]:
        return {
            "scope_type": self.scope_type.value,
            "scope_id": str(self.scope_id),
            "territory_ids": sorted(map(str, self.territory_ids)),
            "organization_ids": sorted(map(str, self.organization_ids)),
            "cluster_ids": sorted(map(str, self.cluster_ids)),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ScopeInfo":
        def ids(key: str) -> frozenset[uuid.UUID]:
            return frozenset(uuid.UUID(v) for v in data.get(key, ()))

        return cls(
            scope_type=ScopeType(data["scope_type"]),
            scope_id=uuid.UUID(data["scope_id"]),
            territory_ids=ids("territory_ids"),
            organization_ids=ids("organization_ids"),
            cluster_ids=ids("cluster_ids"),
        )


class ScopeResolver(Protocol):
    async def resolve(self, scope_type: ScopeType, scope_id: uuid.UUID) -> ScopeInfo:
        """Where the thing sits; NotFound if it does not exist."""
        ...


def contains(principal: Principal, target: ScopeInfo) -> bool:
    """Is the target (territory, cluster or organization) inside the caller's scope?"""
    if principal.unrestricted:
        return True
    if principal.scope_type is None or principal.scope_id is None:
        return False
    own = principal.scope_id
    match principal.scope_type:
        case ScopeType.territory:
            return own in target.territory_ids
        case ScopeType.cluster:
            same = target.scope_type == ScopeType.cluster and target.scope_id == own
            return same or (
                target.scope_type == ScopeType.organization and own in target.cluster_ids
            )
        case ScopeType.organization:
            if target.scope_type == ScopeType.cluster:  # the clusters one's school belongs to
                return own in target.organization_ids
            return target.scope_type == ScopeType.organization and target.scope_id == own
    return False


# A 404 of a scope says the same whether it does not exist or lies outside the caller's scope
# (a «Не найдено» for one and «Организация не найдена» for the other told an attacker which
# ids exist): the resolvers' words (services/api/territories/scope.py).
NOT_FOUND = {
    ScopeType.organization: "Организация не найдена",
    ScopeType.territory: "Территория не найдена",
    ScopeType.cluster: "Кластер не найден",
}


async def ensure_in_scope(
    principal: Principal, resolver: ScopeResolver, scope_type: ScopeType, scope_id: uuid.UUID
) -> ScopeInfo:
    """The target's ScopeInfo, or 404 when it is outside the caller's scope, said as for one
    that does not exist (`NOT_FOUND`: its existence hidden)."""
    info = await resolver.resolve(scope_type, scope_id)
    if not contains(principal, info):
        raise NotFound(NOT_FOUND[ScopeType(scope_type)])
    return info


async def readable_organizations(
    principal: Principal, resolver: ScopeResolver
) -> frozenset[uuid.UUID] | None:
    """The organizations the caller may read; None means all of them."""
    if principal.unrestricted:
        return None
    if principal.scope_type is None or principal.scope_id is None:
        return frozenset()
    return (await resolver.resolve(principal.scope_type, principal.scope_id)).organization_ids


class HttpScopeResolver:
    """Asks the api service where things sit, and keeps each answer in `cache`: a table of the
    asking service, so that all its processes give the same answer (shared/scope_cache.py).

    The app keeps one (`app.state.scope_resolver`); a request uses it bound to its own database
    session (`using`), through which the kept answers are read."""

    def __init__(
        self,
        fetch: Callable[[str, dict[str, str]], Any],
        cache: "ScopeCache",
        session: "AsyncSession | None" = None,
    ) -> None:
        self._fetch = fetch
        self._cache = cache
        self._session = session

    def using(self, session: "AsyncSession") -> "HttpScopeResolver":
        """The same resolver, reading kept answers through a request's session."""
        return HttpScopeResolver(self._fetch, self._cache, session)

    async def resolve(self, scope_type: ScopeType, scope_id: uuid.UUID) -> ScopeInfo:
        scope_type = ScopeType(scope_type)
        kept = await self._cache.get(scope_type.value, scope_id, self._session)
        if kept is not None:
            return ScopeInfo.from_json(kept)
        params = {"scope_type": scope_type.value, "scope_id": str(scope_id)}
        data = await self._fetch("/v1/scopes/resolve", params)
        if data is None:
            raise NotFound(NOT_FOUND[scope_type])
        info = ScopeInfo.from_json(data)
        await self._cache.put(scope_type.value, scope_id, info.to_json())
        return info
