"""The indicator definitions a caller sees, as the reports service's facts hold them (global
ones, and those of territories in their scope, below it or above it), with their targets."""

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.identity import Principal, ScopeType
from shared.scope import ScopeResolver

_SUBTREE = text(
    """
    WITH RECURSIVE down(id) AS (
        SELECT CAST(:root AS uuid)
        UNION SELECT t.id FROM reports.fact_territory t JOIN down d ON t.parent_id = d.id
    )
    SELECT id FROM down
    """
)
_DEFINITIONS = text(
    "SELECT id, code, owner_territory_id, name, unit, direction, level, method, params, "
    "target, min_n, applies_to "
    "FROM reports.fact_indicator"
)
_TARGETS = text(
    "SELECT indicator_id, period, scope_type, scope_id, op, value "
    "FROM reports.fact_indicator_target ORDER BY id"
)


async def _owners(
    session: AsyncSession, principal: Principal, resolver: ScopeResolver
) -> frozenset[uuid.UUID] | None:
    """Territories whose own indicators the caller sees (theirs, below and above); None: all."""
    if principal.unrestricted:
        return None
    if principal.scope_type is None or principal.scope_id is None:
        return frozenset()
    info = await resolver.resolve(principal.scope_type, principal.scope_id)
    owners = set(info.territory_ids)
    if principal.scope_type == ScopeType.territory:
        owners |= set((await session.scalars(_SUBTREE, {"root": principal.scope_id})).all())
    return frozenset(owners)


async def definitions_for(
    session: AsyncSession, principal: Principal, resolver: ScopeResolver
) -> dict[str, dict[str, Any]]:
    """The indicator definitions the caller sees (global ones, and those of territories in
    their scope or above it), by code: `code`, `name`, `method`, `params`, `unit`,
    `direction`, `min_n`, `applies_to` (None: every kind), `target` and `targets` (period,
    scope_type, scope_id, op, value)."""
    owners = await _owners(session, principal, resolver)
    definitions: dict[uuid.UUID, dict[str, Any]] = {}
    for row in (await session.execute(_DEFINITIONS)).mappings():
        owner = row["owner_territory_id"]
        if owners is None or owner is None or owner in owners:
            definitions[row["id"]] = {**row, "params": row["params"] or {}, "targets": []}
    for row in (await session.execute(_TARGETS)).mappings():
        if (definition := definitions.get(row["indicator_id"])) is not None:
            definition["targets"].append(dict(row))
    return {d["code"]: d for d in definitions.values()}
