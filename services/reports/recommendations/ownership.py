"""Whose rules apply where: global rules, territories' own rules, and per-territory switch-offs.

A global rule (no owner territory) is an administrator's: only they edit, deactivate or delete
it. A territory analyst adds rules owned by their territory, which apply to that territory and
below, and may switch a rule they do not own (a global one, or one of a territory above) off for
their territory: it then gives no recommendations about that territory or anything under it,
and stays on everywhere else. `active: false` on the rule itself switches it off everywhere.

Generation for a territory G evaluates the active rules that apply to something in G (global
ones, those of G and the territories above it, those of territories under G) and keeps each
recommendation only where its rule applies: the rule's owner is in the chain of the territory
the recommendation concerns, and the rule is not switched off anywhere on that chain.
"""

import uuid
from collections.abc import Iterable

from sqlalchemy import ColumnElement, delete, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.recommendations.engine import Candidate
from services.reports.recommendations.models import RecommendationRule, RuleSwitchOff
from services.reports.recommendations.schemas import RuleRead
from shared.errors import Invalid, NotFound
from shared.identity import ScopeType
from shared.owners import Owners, Texts, applies_to
from shared.pagination import Pagination, paginate
from shared.scope import ScopeInfo, ScopeResolver

TEXTS = Texts(
    not_found="Правило не найдено",
    global_only="Общие правила меняет только администратор; отключить правило для своей "
    "территории можно через /territories/{territory_id}",
    above="Правило принадлежит вышестоящей территории; отключить его для своей территории "
    "можно через /territories/{territory_id}",
)


async def visible_rule(
    session: AsyncSession, owners: Owners, rule_id: uuid.UUID
) -> RecommendationRule:
    """The rule, if the caller sees it (404 otherwise)."""
    return await owners.seen(await session.get(RecommendationRule, rule_id), TEXTS)


async def switch_offs(
    session: AsyncSession, rule_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Rule id -> the territories it is switched off in."""
    found: dict[uuid.UUID, set[uuid.UUID]] = {}
    rows = await session.execute(
        select(RuleSwitchOff.rule_id, RuleSwitchOff.territory_id).where(
            RuleSwitchOff.rule_id.in_(list(rule_ids))
        )
    )
    for rule_id, territory_id in rows:
        found.setdefault(rule_id, set()).add(territory_id)
    return found


def active_in(
    rule: RecommendationRule, offs: set[uuid.UUID], chain: Iterable[uuid.UUID] | None
) -> bool:
    """Does the rule give recommendations about a territory with this chain (None: anywhere)?"""
    if chain is None:
        return rule.active
    chain = set(chain)
    return rule.active and applies_to(rule.owner_territory_id, chain) and not offs & chain


async def describe(
    session: AsyncSession,
    owners: Owners,
    rules: list[RecommendationRule],
    chain: frozenset[uuid.UUID] | None,
) -> list[RuleRead]:
    """The rules as the caller reads them: owner, whether active for the territory of `chain`
    (None: the rule's own switch), and the territories the caller sees it switched off in."""
    offs = await switch_offs(session, [r.id for r in rules])
    items = []
    for rule in rules:
        off = offs.get(rule.id, set())
        items.append(
            RuleRead.model_validate(rule).model_copy(
                update={
                    "active_here": active_in(rule, off, chain),
                    "switched_off_in": sorted(await owners.visible(off), key=str),
                }
            )
        )
    return items


def _owned_by_none_or(territory_ids: Iterable[uuid.UUID | None]) -> ColumnElement[bool]:
    """Global rules and those owned by one of these territories (SQL: `applies_to`)."""
    owned = [t for t in territory_ids if t is not None]
    return or_(
        RecommendationRule.owner_territory_id.is_(None),
        RecommendationRule.owner_territory_id.in_(owned),
    )


async def listing(
    session: AsyncSession,
    owners: Owners,
    resolver: ScopeResolver,
    territory_id: uuid.UUID | None,
    page: Pagination,
) -> tuple[list[RuleRead], int]:
    """One page (by code) of: for a territory (which the caller must see, else 404), the rules
    that apply there; else every rule the caller sees (global, of their territory and above,
    of territories under it), `active_here` for the caller's own territory. And how many there
    are. Which owners the caller sees is asked of the resolver once per distinct owner; the
    rules are then filtered, counted and paged in SQL."""
    query = select(RecommendationRule).order_by(RecommendationRule.code)
    if territory_id is not None:
        if not await owners.sees(territory_id):
            raise NotFound("Территория не найдена")
        chain = (await resolver.resolve(ScopeType.territory, territory_id)).territory_ids
        rules, total = await paginate(session, query.where(_owned_by_none_or(chain)), page)
        return await describe(session, owners, rules, chain), total
    if not owners.principal.unrestricted:
        stored = await session.scalars(select(RecommendationRule.owner_territory_id).distinct())
        query = query.where(_owned_by_none_or(await owners.visible(stored)))
    rules, total = await paginate(session, query, page)
    here = None if owners.principal.scope_id is None else await owners.above()
    return await describe(session, owners, rules, here), total


async def set_active_in(
    session: AsyncSession,
    owners: Owners,
    resolver: ScopeResolver,
    rule: RecommendationRule,
    territory_id: uuid.UUID,
    active: bool,
) -> frozenset[uuid.UUID]:
    """Switch the rule off (or back on) for a territory inside the caller's scope (404 outside
    it) where the rule applies (422 otherwise); returns the territory's chain."""
    if not await owners.holds(territory_id):
        raise NotFound("Территория не найдена")
    chain = (await resolver.resolve(ScopeType.territory, territory_id)).territory_ids
    if not applies_to(rule.owner_territory_id, chain):
        msg = "Правило не действует на этой территории"
        raise Invalid.at("territory_id", msg, where="path")
    if active:
        await session.execute(
            delete(RuleSwitchOff).where(
                RuleSwitchOff.rule_id == rule.id, RuleSwitchOff.territory_id == territory_id
            )
        )
    else:
        row = {"rule_id": rule.id, "territory_id": territory_id, "created_by": owners.principal.id}
        await session.execute(insert(RuleSwitchOff).values(row).on_conflict_do_nothing())
    await session.flush()
    return chain


async def for_generation(
    session: AsyncSession, resolver: ScopeResolver, scope: ScopeInfo
) -> tuple[list[RecommendationRule], dict[uuid.UUID, set[uuid.UUID]]]:
    """The active rules that apply to something in the territory of `scope`, and where each
    is switched off."""
    active = await session.scalars(
        select(RecommendationRule)
        .where(RecommendationRule.active)
        .order_by(RecommendationRule.code)
    )
    chosen = []
    below: dict[uuid.UUID, bool] = {}
    for rule in active:
        owner = rule.owner_territory_id
        if owner is not None and owner not in scope.territory_ids and owner not in below:
            try:
                info = await resolver.resolve(ScopeType.territory, owner)
            except NotFound:
                below[owner] = False
            else:
                below[owner] = scope.scope_id in info.territory_ids
        if owner is None or owner in scope.territory_ids or below[owner]:
            chosen.append(rule)
    return chosen, await switch_offs(session, [r.id for r in chosen])


def kept(
    candidates: list[Candidate],
    rules: list[RecommendationRule],
    offs: dict[uuid.UUID, set[uuid.UUID]],
    scope: ScopeInfo,
) -> list[Candidate]:
    """The recommendations whose rule applies to what they concern (see the module)."""
    by_id = {r.id: r for r in rules}
    found = []
    for candidate in candidates:
        chain = set(candidate.territory_ids) | scope.territory_ids
        rule = by_id[candidate.rule_id]
        if active_in(rule, offs.get(rule.id, set()), chain):
            found.append(candidate)
    return found
