"""The units of a scope as the reports service's facts hold them: the scope itself and every
organization, cluster and territory inside it, each with its organizations (`scopes_of`); the
units of the last few scopes computed, by the api feed's cursor (`KnownUnits`); each
organization's kind (`organization_kinds`).

The unit → organization mapping comes from the facts (`fact_organization.territory_id`, the
territory chain of `fact_territory.parent_id`, `fact_cluster_member`).
"""

import uuid
from collections import OrderedDict

from sqlalchemy import ARRAY, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.indicator_values.methods.base import CLUSTER, ORGANIZATION, TERRITORY, Scope
from shared.identity import ScopeType
from shared.periods import parse_period
from shared.scope import ScopeInfo

SCOPE_ORDER = {TERRITORY: 0, CLUSTER: 1, ORGANIZATION: 2}

_ORGS = bindparam("orgs", type_=ARRAY(Uuid))
# Per organization of the scope: its own unit, its clusters, and its territories from its own
# up to the scope's territory (none when the scope is not a territory or not in its chain).
_MAPPING = text(
    """
    WITH RECURSIVE orgs AS (
        SELECT id, territory_id FROM reports.fact_organization WHERE id = ANY(:orgs)
    ), chain(organization_id, territory_id) AS (
        SELECT id, territory_id FROM orgs WHERE territory_id IS NOT NULL AND :territory
        UNION ALL
        SELECT c.organization_id, t.parent_id
        FROM chain c JOIN reports.fact_territory t ON t.id = c.territory_id
        WHERE c.territory_id <> :scope_id AND t.parent_id IS NOT NULL
    )
    SELECT 'organization' AS scope_type, id AS scope_id, id AS organization_id FROM orgs
    UNION ALL
    SELECT 'cluster', m.cluster_id, m.organization_id
    FROM reports.fact_cluster_member m JOIN orgs o ON o.id = m.organization_id
    WHERE :territory
    UNION ALL
    SELECT 'territory', territory_id, organization_id FROM chain
    WHERE organization_id IN (SELECT organization_id FROM chain WHERE territory_id = :scope_id)
    """
).bindparams(_ORGS)
_KINDS = text("SELECT id, kind FROM reports.fact_organization WHERE id = ANY(:orgs)").bindparams(
    _ORGS
)


async def scopes_of(session: AsyncSession, scope: ScopeInfo) -> list[Scope]:
    """The scope itself and every organization, cluster and territory inside it, each with
    its organizations (a cluster's members inside the scope), ordered territories, clusters,
    organizations, then by id. Organizations the facts do not hold yet are left out."""
    rows = await session.execute(
        _MAPPING,
        {
            "orgs": sorted(scope.organization_ids),
            "territory": scope.scope_type == ScopeType.territory,
            "scope_id": scope.scope_id,
        },
    )
    members: dict[tuple[str, uuid.UUID], set[uuid.UUID]] = {}
    for scope_type, scope_id, org in rows:
        members.setdefault((scope_type, scope_id), set()).add(org)
    if scope.scope_type == ScopeType.cluster:
        orgs = {o for (t, _), m in members.items() if t == ORGANIZATION for o in m}
        members[(CLUSTER, scope.scope_id)] = orgs
    elif scope.scope_type == ScopeType.territory:
        members.setdefault((TERRITORY, scope.scope_id), set())
    units = [Scope(t, i, frozenset(m)) for (t, i), m in members.items()]
    return sorted(units, key=lambda u: (SCOPE_ORDER[u.scope_type], str(u.scope_id)))


_DATES = text(
    "SELECT id, opened_on, closed_on FROM reports.fact_organization "
    "WHERE id = ANY(:orgs) AND (opened_on IS NOT NULL OR closed_on IS NOT NULL)"
).bindparams(_ORGS)


async def absent_organizations(
    session: AsyncSession, organization_ids: list[uuid.UUID], periods: list[str]
) -> dict[str, frozenset[uuid.UUID]]:
    """Per period, the organizations that were not open in it: closed before it began or
    opened after it ended (`fact_organization.closed_on`, `opened_on`; one query). A school
    merged into another in June is none of the next school year's, as the data collections'
    status says (data_quality/status.py)."""
    dated = list(await session.execute(_DATES, {"orgs": organization_ids}))
    found: dict[str, frozenset[uuid.UUID]] = {}
    for code in periods:
        try:
            period = parse_period(code)
        except ValueError:
            continue
        found[code] = frozenset(
            o
            for o, opened, closed in dated
            if (closed is not None and closed < period.start)
            or (opened is not None and opened > period.end)
        )
    return found


async def organization_kinds(
    session: AsyncSession, organization_ids: list[uuid.UUID]
) -> dict[uuid.UUID, str | None]:
    """Each organization's kind as the facts hold it (one query)."""
    rows = await session.execute(_KINDS, {"orgs": organization_ids})
    return {organization_id: kind for organization_id, kind in rows}


class KnownUnits:
    """The units (`scopes_of`) of the last few scopes this process computed, by the api feed's
    cursor they were read at: the same cursor always gives the same units, so a kept page is
    served without reading the region's 8,000-row mapping again, and no two processes can
    disagree through it. One per app (`app.state.known_units`)."""

    def __init__(self, kept: int = 16) -> None:
        self.kept = kept
        self._units: OrderedDict[tuple, list[Scope]] = OrderedDict()

    async def of(self, session: AsyncSession, scope: ScopeInfo, cursor: str | None) -> list[Scope]:
        """The scope's units as the facts hold them at `cursor` (None: read, not kept)."""
        if cursor is None:
            return await scopes_of(session, scope)
        key = (scope.scope_type, scope.scope_id, cursor, scope.organization_ids)
        if (found := self._units.get(key)) is None:
            found = self._units[key] = await scopes_of(session, scope)
            while len(self._units) > self.kept:
                self._units.popitem(last=False)
        self._units.move_to_end(key)
        return found
