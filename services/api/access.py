"""The access rule every api endpoint applies to the thing it reads or changes."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from services.api.territories.scope import DbScopeResolver
from shared.identity import Principal, Role, ScopeType, require_roles
from shared.scope import ScopeInfo, ensure_in_scope

# Who posts an organization's figures (data values, assessment results, participants' results):
# the territory's analysts, the school's leader and the school's information system (API key).
FIGURE_WRITERS = (Role.territory_analyst, Role.organization_leader, Role.organization_system)


@dataclass(frozen=True)
class Access:
    """One request's access: who is asking (`principal`: role, scope, user or API key), what
    they may see (`scopes`, the resolver of where territories, clusters and organizations sit,
    asked by `authorize` and `ensure_in_scope`) and the request's `session` (committed by the
    request, never by a service). Handlers receive it as `AccessDep` (`auth/deps.py`) and pass
    it first to the service functions that check access."""

    session: AsyncSession
    principal: Principal
    scopes: DbScopeResolver


async def authorize(
    principal: Principal,
    scopes: DbScopeResolver,
    scope_type: ScopeType,
    scope_id: uuid.UUID,
    roles: Iterable[Role],
) -> ScopeInfo:
    """The role allowed (else 403, whatever the target: a role that may never do this learns
    nothing of the target), then the target inside the caller's scope (else 404)."""
    require_roles(principal, *roles)
    return await ensure_in_scope(principal, scopes, scope_type, scope_id)


async def visible_territories(
    principal: Principal, scopes: DbScopeResolver
) -> frozenset[uuid.UUID] | None:
    """Territories a caller may see: their own subtree and the territories above them."""
    if principal.unrestricted:
        return None
    if principal.scope_type is None or principal.scope_id is None:
        return frozenset()
    info = await scopes.resolve(principal.scope_type, principal.scope_id)
    if principal.scope_type == ScopeType.territory:
        return info.territory_ids | await scopes.subtree(principal.scope_id)
    return info.territory_ids


# Who may write the hierarchy and who may read personal data, by role (admins always may).
MANAGERS = (Role.territory_analyst,)
ORGANIZATION_MANAGERS = (Role.territory_analyst, Role.organization_leader)
PERSONAL_READERS = (Role.territory_analyst, Role.methodologist, Role.organization_leader)
