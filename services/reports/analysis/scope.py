"""What every analysis endpoint reads first: the organizations of the territory asked, as the
caller may see them (the year asked is `shared.school_years.YearQuery`)."""

import uuid

from shared.identity import Principal, ScopeType
from shared.scope import ScopeResolver, ensure_in_scope


async def territory_organizations(
    principal: Principal, resolver: ScopeResolver, territory_id: uuid.UUID
) -> list[uuid.UUID]:
    """The organizations of the territory (and the territories under it), sorted; NotFound
    (404) for a territory outside the caller's scope."""
    scope = await ensure_in_scope(principal, resolver, ScopeType.territory, territory_id)
    return sorted(scope.organization_ids)
