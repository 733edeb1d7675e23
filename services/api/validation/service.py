"""Validation rules: the catalogue (owned like the other catalogues, `shared.owners`), the check
of an import against them, and the current violations.

A rule compares two expressions over indicator values of one organization and period
(`expressions.py`); it is evaluated in SQL (`evaluation.py`). On a data values import:

- `screen_import` (before the rows are stored): the active `reject` rules are evaluated over the
  values as they would be (stored ones with the incoming ones over them) in the organizations
  and periods the import touches. Where a rule would be broken, the incoming rows of that
  organization and period whose indicator the rule reads are rejected (listed in `rejected`
  with the rule's message and code); the import's other rows are stored. A violation made by
  stored values alone (stored before the rule existed) rejects nothing: it is listed as current.
- `refresh_import` (once stored): the current violations of the touched organizations and
  periods are recomputed from the stored values (a fixed value clears its violation) and
  returned for the summary's `violations`.

A rule's violations are recomputed over all stored values when it is created or changed, and
removed when it is switched off or deleted.
"""

import uuid
from collections.abc import Sequence
from typing import Any, Protocol

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.access import Access, visible_territories
from services.api.indicators.models import Indicator
from services.api.organizations.models import Organization
from services.api.validation import evaluation, expressions
from services.api.validation.models import ValidationRule, ValidationViolation
from services.api.validation.schemas import (
    OrganizationViolations,
    ValidationRuleCreate,
    ValidationRuleUpdate,
    ViolationRead,
)
from shared.bulk import Rejected, RowError, Violation
from shared.errors import Conflict, Invalid, NotFound
from shared.identity import Role, ScopeType, require_roles
from shared.owners import Owners, Texts
from shared.pagination import Pagination
from shared.scope import readable_organizations
from shared.templating import natural_key

TEXTS = Texts(
    not_found="Правило проверки не найдено",
    global_only="Общие правила проверки меняет только администратор",
    above="Правило проверки принадлежит вышестоящей территории",
)
EDITORS = (Role.territory_analyst,)


async def _check_expressions(
    session: AsyncSession, left: str, right: str, owner: uuid.UUID | None, access: Access
) -> list[str]:
    """The codes both sides read, each an indicator whose values organizations enter and that
    the rule's owner sees (global, or of the owner's territory or above); 422 naming `left`
    or `right` otherwise."""
    chain: frozenset[uuid.UUID] = frozenset()
    if owner is not None:
        chain = (await access.scopes.resolve(ScopeType.territory, owner)).territory_ids
    parsed = {}
    for field, text in (("left", left), ("right", right)):
        try:
            parsed[field] = expressions.parse(text)
        except expressions.ExpressionError as exc:
            raise Invalid.at(field, str(exc)) from exc
    codes = parsed["left"].codes | parsed["right"].codes
    if not codes:
        raise Invalid.at("left", "правило должно читать хотя бы один показатель")
    indicators = await session.scalars(select(Indicator).where(Indicator.code.in_(codes)))
    found = {
        i.code
        for i in indicators
        if i.method == "data_value" and (i.owner_territory_id in chain or not i.owner_territory_id)
    }
    for field in ("left", "right"):
        if missing := sorted(parsed[field].codes - found):
            names = ", ".join(f"«{c}»" for c in missing)
            raise Invalid.at(
                field, f"неизвестные показатели (или не вносимые организациями): {names}"
            )
    return sorted(codes)


async def create_rule(access: Access, data: ValidationRuleCreate) -> ValidationRule:
    """A new rule; its owner as for other catalogues (`Owners.owner_for_new`). 403 for roles
    other than analysts and administrators, 404 for an owner outside the caller's scope, 409
    for a taken code, 422 naming `left` or `right` for an expression that cannot be read or
    reads unknown indicators. Its violations over the stored values are computed at once."""
    session = access.session
    require_roles(access.principal, *EDITORS)
    owners = Owners(access.principal, access.scopes)
    owner = await owners.owner_for_new(data.owner_territory_id, "owner_territory_id")
    codes = await _check_expressions(session, data.left, data.right, owner, access)
    fields = data.model_dump(exclude={"owner_territory_id"})
    rule = ValidationRule(**fields, owner_territory_id=owner, indicator_codes=codes)
    session.add(rule)
    try:
        async with session.begin_nested():
            await session.flush()
    except IntegrityError as exc:
        raise Conflict(f"Правило с кодом {data.code} уже есть", field="code") from exc
    await _recompute_rule(session, rule)
    return rule


async def get_rule(access: Access, rule_id: uuid.UUID) -> ValidationRule:
    """The rule, if the caller sees it (global, of their territory or above, or of one inside
    their scope); 404 otherwise."""
    owners = Owners(access.principal, access.scopes)
    return await owners.seen(await access.session.get(ValidationRule, rule_id), TEXTS)


async def list_rules(access: Access, page: Pagination) -> tuple[list[ValidationRule], int]:
    """The rules the caller sees, by code."""
    owners = Owners(access.principal, access.scopes)
    rules = list(await access.session.scalars(select(ValidationRule).order_by(ValidationRule.code)))
    seen = await owners.visible(r.owner_territory_id for r in rules)
    rules = [r for r in rules if r.owner_territory_id in seen]
    return rules[page.offset : page.offset + page.limit], len(rules)


async def update_rule(
    access: Access, rule_id: uuid.UUID, data: ValidationRuleUpdate
) -> ValidationRule:
    """Change a rule: a global one an administrator, a territory's one the analysts of that
    territory and above (403 for others who see it, 404 for those who do not); 422 as for a
    new rule. Its violations are recomputed (removed when it is switched off)."""
    require_roles(access.principal, *EDITORS)
    rule = await get_rule(access, rule_id)
    await Owners(access.principal, access.scopes).authorize(rule.owner_territory_id, TEXTS)
    # Locked and read afresh: a `left` and a `right` sent at once are checked together, and
    # the indicators the rule reads come from both.
    await access.session.refresh(rule, with_for_update=True)
    changes = data.model_dump(exclude_unset=True)
    if "left" in changes or "right" in changes:
        left, right = changes.get("left", rule.left), changes.get("right", rule.right)
        owner = rule.owner_territory_id
        rule.indicator_codes = await _check_expressions(access.session, left, right, owner, access)
    for key, value in changes.items():
        setattr(rule, key, value)
    await access.session.flush()
    await _recompute_rule(access.session, rule)
    return rule


async def delete_rule(access: Access, rule_id: uuid.UUID) -> None:
    """Delete a rule (who may: as for a change) and its violations."""
    require_roles(access.principal, *EDITORS)
    rule = await get_rule(access, rule_id)
    await Owners(access.principal, access.scopes).authorize(rule.owner_territory_id, TEXTS)
    await access.session.delete(rule)
    await access.session.flush()


async def _recompute_rule(session: AsyncSession, rule: ValidationRule) -> None:
    await session.execute(delete(ValidationViolation).where(ValidationViolation.rule_id == rule.id))
    if rule.active:
        compiled = await evaluation.compile_rules(session, [rule])
        await evaluation.refresh(session, compiled, None)


class Row(Protocol):
    """A valid row of a data values import."""

    index: int
    indicator_id: uuid.UUID
    organization_id: uuid.UUID
    period: str
    value: float


_RULES = "validation_rules"


async def _active(session: AsyncSession, action: str | None = None) -> evaluation.Compiled:
    """The active rules (of one `action`), compiled once per request (in the session's
    `info`, forgotten when an import starts)."""
    key = (_RULES, action)
    if key not in session.info:
        session.info[key] = await evaluation.active_rules(session, action)
    return session.info[key]


async def screen_import(
    session: AsyncSession, valid: list[Any], rejected: list[Rejected]
) -> list[Any]:
    """The valid rows (`Row`s) that no active `reject` rule refuses; the refused ones are added
    to `rejected` (see the module)."""
    for action in (None, "reject"):
        session.info.pop((_RULES, action), None)
    compiled = await _active(session, "reject")
    read = frozenset(compiled.indicator_ids)
    # Only a row of an indicator a reject rule reads can be refused, in its pair only.
    concerned = [r for r in valid if r.indicator_id in read]
    if not concerned:
        return valid
    columns = (
        [r.indicator_id for r in concerned],
        [r.organization_id for r in concerned],
        [r.period for r in concerned],
        [r.value for r in concerned],
    )
    broken: dict[tuple[uuid.UUID, str], list[tuple[int, float | None, float | None]]] = {}
    for n, organization_id, period, left, right in await evaluation.screen(
        session, compiled, columns
    ):
        broken.setdefault((organization_id, period), []).append((n, left, right))
    if not broken:
        return valid
    kept = []
    for row in valid:
        errors = [
            RowError(loc=["value"], msg=_refusal(compiled.rules[n], left, right))
            for n, left, right in broken.get((row.organization_id, row.period), ())
            if row.indicator_id in compiled.reads[n]
        ]
        if errors:
            rejected.append(Rejected(index=row.index, errors=errors))
        else:
            kept.append(row)
    return kept


def _refusal(rule: ValidationRule, left: float | None, right: float | None) -> str:
    left_text, right_text = (f"{v:g}" if v is not None else "—" for v in (left, right))
    said = f"{rule.left} {rule.operator} {rule.right}: {left_text} и {right_text}"
    return f"{rule.message} (правило проверки «{rule.code}»: {said})"


async def refresh_import(
    session: AsyncSession, stored: Sequence[Any], *, written: bool = True
) -> list[Violation]:
    """Recompute the current violations of the organizations and periods of the stored rows
    (`Row`s) of indicators some active rule reads, from the stored values; those violations,
    for the import's summary (a pair whose rows no rule reads keeps its violations unlisted).
    With `written` False (the import changed no value, so no violation can change) the stored
    violations of those pairs are read instead."""
    compiled = await _active(session)
    read = frozenset(compiled.indicator_ids)
    # A pair's violations change only with a value some active rule reads.
    pairs = {(r.organization_id, r.period) for r in stored if r.indicator_id in read}
    if not pairs:
        return []
    columns = ([o for o, _ in pairs], [p for _, p in pairs])
    if written:
        found = await evaluation.refresh(session, compiled, columns)
    else:
        found = await evaluation.stored(session, compiled, columns)
    return sorted(
        (
            Violation(
                rule_code=compiled.rules[n].code,
                organization_id=organization_id,
                period=period,
                message=compiled.rules[n].message,
                importance=compiled.rules[n].importance,
                left_value=left,
                right_value=right,
            )
            for n, organization_id, period, left, right in found
        ),
        key=lambda v: (str(v.organization_id), v.period, v.rule_code),
    )


async def list_results(
    access: Access,
    page: Pagination,
    *,
    territory_id: uuid.UUID | None,
    organization_id: uuid.UUID | None,
    period: str | None,
) -> tuple[list[OrganizationViolations], int]:
    """The current violations of the organizations the caller reads, grouped per organization
    (by name in natural order: «№ 3» before «№ 10»), optionally of one territory (and below)
    or organization, and one period. 404 for a territory the caller does not see or an
    organization they do not read."""
    session, principal, scopes = access.session, access.principal, access.scopes
    readable = await readable_organizations(principal, scopes)
    query = (
        select(ValidationViolation, ValidationRule, Organization.name)
        .join(ValidationRule, ValidationRule.id == ValidationViolation.rule_id)
        .join(Organization, Organization.id == ValidationViolation.organization_id)
        .order_by(ValidationViolation.period, ValidationRule.code)  # within an organization
    )
    if territory_id is not None:
        visible = await visible_territories(principal, scopes)
        if visible is not None and territory_id not in visible:
            raise NotFound.at("territory_id", "Территория не найдена", where="query")
        query = query.where(Organization.territory_id.in_(await scopes.subtree(territory_id)))
    if organization_id is not None:
        if readable is not None and organization_id not in readable:
            raise NotFound.at("organization_id", "Организация не найдена", where="query")
        query = query.where(ValidationViolation.organization_id == organization_id)
    if readable is not None:
        query = query.where(ValidationViolation.organization_id.in_(readable))
    if period is not None:
        query = query.where(ValidationViolation.period == period)
    groups: dict[uuid.UUID, OrganizationViolations] = {}
    for violation, rule, name in await session.execute(query):
        group = groups.setdefault(
            violation.organization_id,
            OrganizationViolations(
                organization_id=violation.organization_id, organization_name=name, violations=[]
            ),
        )
        group.violations.append(
            ViolationRead(
                rule_id=rule.id,
                rule_code=rule.code,
                message=rule.message,
                importance=rule.importance,
                action=rule.action,
                period=violation.period,
                left_value=violation.left_value,
                right_value=violation.right_value,
                detected_at=violation.detected_at,
            )
        )
    # Schools as people look for them (№ 3 before № 10), as the pages list them.
    items = sorted(
        groups.values(), key=lambda g: (natural_key(g.organization_name), g.organization_id)
    )
    return items[page.offset : page.offset + page.limit], len(items)
