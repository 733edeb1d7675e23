"""What the homes' collection cards say of the data's quality where data are submitted and
approved: for a school's leader, each current violation of a validation rule and each value
flagged as a possible outlier in the collection's period, in words (what to fix before
submitting); for an analyst, the same of each school waiting for approval, counted. Read through
`validation.service.list_results` and `outliers.service.list_outliers` with the visitor's
`Access`: exactly what `GET /v1/validation-results` and `GET /v1/outliers` would answer them.
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import select

from services.api.access import Access
from services.api.indicators.models import Indicator
from services.api.organizations.models import Organization
from services.api.outliers.schemas import OutlierFlagRead
from services.api.outliers.service import list_outliers
from services.api.validation.models import ValidationRule
from services.api.validation.schemas import ViolationRead
from services.api.validation.service import list_results
from shared.pagination import Pagination
from shared.periods import parse_period
from shared.reinterpreted import decimal_text
from shared.rule_words import sides_words

# Violations read at the most per call (a school has a handful; a district's page counts).
READ = Pagination(limit=10_000, offset=0)


@dataclass(frozen=True)
class Check:
    """One thing a leader is to check (`text`, in words) and the indicators it concerns."""

    codes: frozenset[str]
    text: str


@dataclass(frozen=True)
class Checks:
    """How many current violations an organization has in a period, and how many of its values
    are flagged as possible outliers (a value two checks flag counts once); `texts`: each of
    them in words, violations first (what an analyst reads before approving or returning)."""

    violations: int = 0
    outliers: int = 0
    texts: tuple[str, ...] = ()

    @property
    def any(self) -> bool:
        return bool(self.violations or self.outliers)


def _number(value: float | None) -> str:
    return "—" if value is None else decimal_text(round(value, 2))


def violation_text(
    violation: ViolationRead, rule: ValidationRule | None, names: dict[str, str]
) -> str:
    """«Педагогов с категорией больше, чем всего: «Педагогов с категорией» = 60; «Педагогов
    всего» = 45» — the rule's message and its two sides' values, named (`shared.rule_words`;
    `rule` None, a rule no longer there: the bare values)."""
    if rule is None:
        left, right = _number(violation.left_value), _number(violation.right_value)
        return f"{violation.message}: {left} и {right}"
    sides = sides_words(rule.left, rule.right, violation.left_value, violation.right_value, names)
    return f"{violation.message}: {sides}"


def _check_text(flag: OutlierFlagRead) -> str:
    if flag.check == "min_max":
        return f"за допустимой границей {_number(flag.bound)}"
    compared = "значений других организаций" if flag.check == "territory_z" else "прежних периодов"
    return f"сильно отличается от {compared} (медиана {_number(flag.median)})"


def outlier_text(flags: list[OutlierFlagRead], name: str) -> str:
    """One flagged value (the flags of one indicator): «Доля педагогов с категорией»: 133,3 —
    за допустимой границей 100; сильно отличается от значений других организаций (медиана
    84,5)» — each check that flags it: the bound crossed, or the median compared with."""
    checks = "; ".join(_check_text(f) for f in flags)
    return f"«{name}»: {_number(flags[0].value)} — {checks}"


def _by_value(flags: list[OutlierFlagRead]) -> dict[str, list[OutlierFlagRead]]:
    """The flags of one organization and period by indicator: one value each."""
    found: dict[str, list[OutlierFlagRead]] = {}
    for flag in flags:
        found.setdefault(flag.indicator_code, []).append(flag)
    return found


async def _rules(access: Access, ids: set[uuid.UUID]) -> dict[uuid.UUID, ValidationRule]:
    if not ids:
        return {}
    query = select(ValidationRule).where(ValidationRule.id.in_(ids))
    return {rule.id: rule for rule in await access.session.scalars(query)}


async def _names(access: Access, codes: set[str]) -> dict[str, str]:
    """The indicators' names by code (one query; none asked, none read)."""
    if not codes:
        return {}
    query = select(Indicator.code, Indicator.name).where(Indicator.code.in_(codes))
    return {code: name for code, name in await access.session.execute(query)}


async def school_checks(
    access: Access, organization_id: uuid.UUID, asked: dict[str, set[str]]
) -> dict[str, list[Check]]:
    """Per period of `asked` (each with the indicator codes of the collections asking for it),
    what the organization's leader is to check among those indicators: its violations of
    rules reading one of them and its flagged values of them, in words (rules first, by rule
    code; then flags by indicator), values named, each with the codes it concerns. One query
    for the violations, one for their rules, one per period for the flags, one for the
    indicators' names."""
    found: dict[str, list[Check]] = {p: [] for p in asked}
    groups, _ = await list_results(
        access, READ, territory_id=None, organization_id=organization_id, period=None
    )
    listed = [v for g in groups for v in g.violations if v.period in found]
    rules = await _rules(access, {v.rule_id for v in listed})
    shown = [
        v
        for v in listed
        if v.rule_id in rules and asked[v.period] & set(rules[v.rule_id].indicator_codes)
    ]
    territory = await access.session.scalar(
        select(Organization.territory_id).where(Organization.id == organization_id)
    )
    flagged: dict[str, list[OutlierFlagRead]] = {}
    for period in asked if territory is not None else ():
        outliers = await list_outliers(access, territory, parse_period(period))
        flagged[period] = [
            f for item in outliers.items if item.organization_id == organization_id
            for f in item.flags if f.indicator_code in asked[period]
        ]  # fmt: skip
    codes = {code for v in shown for code in rules[v.rule_id].indicator_codes}
    names = await _names(access, codes | {f.indicator_code for fs in flagged.values() for f in fs})
    for violation in shown:
        rule = rules[violation.rule_id]
        text = violation_text(violation, rule, names)
        found[violation.period].append(Check(frozenset(rule.indicator_codes), text))
    for period, flags in flagged.items():
        found[period] += [
            Check(frozenset({code}), outlier_text(same, names.get(code, code)))
            for code, same in _by_value(flags).items()
        ]
    return found


async def territory_checks(
    access: Access, territory_id: uuid.UUID, period: str, codes: frozenset[str]
) -> dict[uuid.UUID, Checks]:
    """Per organization of the territory (and below) the caller reads, its current violations
    of rules reading one of the indicators `codes` (a collection's) and its values of them
    flagged as possible outliers (by one check or more) in the period: counted, and each in
    words as the leader reads it (`violation_text`, `outlier_text`); organizations with
    neither are left out. One query for the violations, one for their rules, one for the
    flags, one for the indicators' names."""
    groups, _ = await list_results(
        access, READ, territory_id=territory_id, organization_id=None, period=period
    )
    rules = await _rules(access, {v.rule_id for g in groups for v in g.violations})
    concerned = {i for i, rule in rules.items() if codes & set(rule.indicator_codes)}
    broken = {
        g.organization_id: [v for v in g.violations if v.rule_id in concerned] for g in groups
    }
    outliers = await list_outliers(access, territory_id, parse_period(period))
    flagged = {
        i.organization_id: _by_value([f for f in i.flags if f.indicator_code in codes])
        for i in outliers.items
    }
    named = {code for i in concerned for code in rules[i].indicator_codes}
    names = await _names(access, named | {code for f in flagged.values() for code in f})
    found = {}
    for organization in set(broken) | set(flagged):
        violations = broken.get(organization, [])
        values = flagged.get(organization, {})
        if not violations and not values:
            continue
        texts = [violation_text(v, rules[v.rule_id], names) for v in violations]
        texts += [outlier_text(same, names.get(code, code)) for code, same in values.items()]
        found[organization] = Checks(len(violations), len(values), tuple(texts))
    return found
