"""Changing recommendation rules as a caller: who may (ownership.py), the change (rules.py),
the rule as the caller then reads it, and the audit event in the api service's log."""

import uuid

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.clients.api import ApiClient
from services.reports.recommendations import ownership, rules
from services.reports.recommendations.models import RecommendationRule
from services.reports.recommendations.schemas import RuleCreate, RuleRead, RuleUpdate
from shared.errors import Invalid
from shared.identity import Role, require_roles
from shared.owners import Owners
from shared.scope import ScopeResolver

RULE_EDITORS = (Role.admin, Role.territory_analyst)
# Fields of a rule that a PATCH may change but never clear.
NOT_CLEARABLE = ("params", "template", "actions", "title", "addressee_type", "active")


async def here(owners: Owners) -> frozenset[uuid.UUID] | None:
    """The caller's own territory chain, for `active_here` (None for those without a scope)."""
    return None if owners.principal.scope_id is None else await owners.above()


async def read(session: AsyncSession, owners: Owners, rule: RecommendationRule) -> RuleRead:
    """The rule as the caller reads it, `active_here` for their own territory."""
    return (await ownership.describe(session, owners, [rule], await here(owners)))[0]


async def create(
    session: AsyncSession, owners: Owners, api: ApiClient, data: RuleCreate
) -> RuleRead:
    """A new rule: an analyst's is their territory's own (`owner_territory_id` inside their
    scope, NotFound otherwise), a global one an administrator's (Forbidden for other roles);
    Conflict for a taken code, Invalid for a template using numbers its condition lacks."""
    require_roles(owners.principal, *RULE_EDITORS)
    owner = await owners.owner_for_new(data.owner_territory_id, "owner_territory_id")
    created = await rules.create_rule(session, data.model_dump() | {"owner_territory_id": owner})
    rule = await read(session, owners, created)
    await api.audit("create", "recommendation_rule", str(rule.id), data.model_dump(mode="json"))
    return rule


async def update(
    session: AsyncSession,
    owners: Owners,
    api: ApiClient,
    rule: RecommendationRule,
    data: RuleUpdate,
) -> RuleRead:
    """Change a rule the caller sees: a global rule only an administrator, a territory's rule
    the analysts of that territory and above (Forbidden for others); Invalid for a null."""
    require_roles(owners.principal, *RULE_EDITORS)
    await owners.authorize(rule.owner_territory_id, ownership.TEXTS)
    changes = data.model_dump(exclude_unset=True)
    for name in NOT_CLEARABLE:
        if name in changes and changes[name] is None:
            raise Invalid(
                "Поле не может быть пустым", errors=[{"loc": ["body", name], "msg": "пусто"}]
            )
    updated = await rules.update_rule(session, rule.id, changes)
    answer = await read(session, owners, updated)
    audited = data.model_dump(mode="json", exclude_unset=True)
    await api.audit("update", "recommendation_rule", str(rule.id), audited)
    return answer


async def set_active_in(
    session: AsyncSession,
    owners: Owners,
    resolver: ScopeResolver,
    api: ApiClient,
    rule: RecommendationRule,
    territory_id: uuid.UUID,
    active: bool,
) -> RuleRead:
    """Switch a rule off (or back on) for a territory inside the caller's scope (analysts and
    administrators: Forbidden for others; NotFound outside the scope; Invalid where the rule
    does not apply); the rule as it stands on that territory."""
    require_roles(owners.principal, *RULE_EDITORS)
    chain = await ownership.set_active_in(session, owners, resolver, rule, territory_id, active)
    changes = {"territory_id": str(territory_id), "active": active}
    await api.audit("update", "recommendation_rule", str(rule.id), changes)
    return (await ownership.describe(session, owners, [rule], chain))[0]


async def delete(
    session: AsyncSession, owners: Owners, api: ApiClient, rule: RecommendationRule
) -> None:
    """Remove a rule (who may: as for `update`); the recommendations it issued stay."""
    require_roles(owners.principal, *RULE_EDITORS)
    await owners.authorize(rule.owner_territory_id, ownership.TEXTS)
    await rules.delete_rule(session, rule.id)
    await api.audit("delete", "recommendation_rule", str(rule.id), {})
