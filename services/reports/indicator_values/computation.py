"""Indicator values computed over the reports service's facts, for every unit of a scope at once.

    scopes = await scopes_of(session, scope)         # units.py: the scope's units
    definitions = await definitions_for(session, principal, resolver)  # definitions.py
    known = await compute(ctx, definitions, codes)   # every method, both periods, in SQL
    items = answer_items(definitions, known, codes, scopes, period, previous)

Each method module (methods/) computes its definitions for every scope in a few queries;
definitions are computed after those they refer to (organization shares and formulas). Python
only applies formulas, `min_n`, targets and the previous period, and shapes the answer.
"""

import uuid
from dataclasses import dataclass, replace
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.thresholds import Thresholds
from services.reports.facts.tables import FEEDS
from services.reports.indicator_values import unknown_codes
from services.reports.indicator_values.definitions import definitions_for
from services.reports.indicator_values.methods import MODULES
from services.reports.indicator_values.methods.base import (
    ORGANIZATION,
    Context,
    Known,
    Scope,
    TargetIndex,
    Value,
    after_min_n,
    applicable,
    organization_coverage,
    restricted_kinds,
    rounded,
    status_of,
)
from services.reports.indicator_values.methods.marks import approval_of, flagged_of
from services.reports.indicator_values.units import (
    SCOPE_ORDER,
    KnownUnits,
    absent_organizations,
    organization_kinds,
    scopes_of,
)
from shared.comparison import COMPARE
from shared.disclosure import reads_personal_results
from shared.identity import Principal, ScopeType
from shared.indicator_methods import closure, references
from shared.reinterpreted import decimal_text
from shared.scope import ScopeInfo, ScopeResolver, readable_organizations
from shared.templating import grouped


def _depths(definitions: dict[str, dict[str, Any]], codes: set[str]) -> dict[str, int]:
    """How far each definition is from facts: 0 reads facts only, others come after what they
    refer to (a cycle, which the api refuses, is cut where it closes)."""
    depths: dict[str, int] = {}

    def depth(code: str, path: frozenset[str]) -> int:
        if code in depths:
            return depths[code]
        definition = definitions[code]
        refs = references(definition["method"], definition["params"]) & codes
        below = [depth(r, path | {code}) for r in refs if r not in path]
        depths[code] = 1 + max(below) if refs else 0
        return depths[code]

    for code in sorted(codes):
        depth(code, frozenset())
    return depths


async def compute(ctx: Context, definitions: dict[str, dict[str, Any]], codes: set[str]) -> Known:
    """Values of the codes and of everything they are computed from, for every scope of `ctx`
    and both periods, after each indicator's `min_n` (None: the method does not apply). An
    indicator that applies to some kinds of organization only (`applies_to`) is computed over
    those organizations: others, and groups without any of them, get no value at all. An
    organization not open in a period (`Context.absent`) counts in none of that period's
    values (`present`), and its own value of it is «нет данных» (n 0, no organizations)."""
    needed = closure(definitions, codes)
    depths = _depths(definitions, needed)
    ctx.definitions = definitions
    if ctx.absent is None:
        ctx.absent = await absent_organizations(ctx.session, ctx.organization_ids, ctx.periods)
    if ctx.kinds is None and any(restricted_kinds(definitions[c]) for c in needed):
        ctx.kinds = await organization_kinds(ctx.session, ctx.organization_ids)
    known: Known = {}
    for level in sorted(set(depths.values())):
        by_module: dict[Any, list[dict[str, Any]]] = {}
        for code in sorted(c for c, d in depths.items() if d == level):
            definition = definitions[code]
            batch_key = (MODULES[definition["method"]], restricted_kinds(definition))
            by_module.setdefault(batch_key, []).append(definition)
        for (module, kinds), batch in by_module.items():
            min_n = {d["code"]: d.get("min_n") or 1 for d in batch}
            scopes = ctx.scopes if kinds is None else _applicable(ctx, kinds)
            for periods, absent in _by_absence(ctx):
                seen = replace(ctx, scopes=present(scopes, absent), periods=periods)
                for key, value in (await module.compute(seen, batch, known)).items():
                    if value is not None and key[1] == ORGANIZATION and key[2] in absent:
                        value = Value(n=0, coverage=organization_coverage(_NONE, 0))
                    known[key] = after_min_n(value, min_n[key[0]])
    return known


_NONE = Scope(ORGANIZATION, uuid.UUID(int=0), frozenset())


def _by_absence(ctx: Context) -> list[tuple[list[str], frozenset[uuid.UUID]]]:
    """The periods of `ctx` grouped by the organizations absent in them (`Context.absent`):
    one group when every period has the same (mostly none), so that a method reads its facts
    for both periods at once; else one per period."""
    groups: dict[frozenset[uuid.UUID], list[str]] = {}
    for period in ctx.periods:
        groups.setdefault(ctx.absent_in(period), []).append(period)
    return [(periods, absent) for absent, periods in groups.items()]


def present(scopes: list[Scope], absent: frozenset[uuid.UUID]) -> list[Scope]:
    """The scopes as the periods `absent` is of see them: an organization not open in them
    (closed before they began, opened after they ended: `Context.absent`) is in no group's
    organizations, and its own scope has none (no value: `compute` says «нет данных»). Every
    method reads the facts through the scopes' organizations (the mapping, the campaigns'
    organizations: survey_campaigns.py), so none counts its results, answers or values, nor
    does a group's `coverage.organizations` count it."""
    if not absent:
        return scopes
    return [
        s
        if s.organization_ids.isdisjoint(absent)
        else replace(s, organization_ids=s.organization_ids - absent)
        for s in scopes
    ]


def _applicable(ctx: Context, kinds: frozenset[str] | None) -> list[Scope]:
    return applicable(ctx.scopes, ctx.kinds or {}, kinds)


def answer_items(
    definitions: dict[str, dict[str, Any]],
    known: Known,
    codes: list[str],
    scopes: list[Scope],
    period: str,
    previous: str,
) -> list[dict[str, Any]]:
    """One item per code (in the given order) × scope where the method applies: value,
    numerator, denominator (rounded to 2, 4, 4 decimals), n, target, status, the previous
    period's value and the change, coverage, missing."""
    items = []
    for code in codes:
        targets = TargetIndex(definitions[code])
        for scope in scopes:
            current = known.get((code, scope.scope_type, scope.scope_id, period))
            if current is None:
                continue
            before = known.get((code, scope.scope_type, scope.scope_id, previous))
            previous_value = before.value if before is not None else None
            target = targets.select(scope, period)
            change = (
                current.value - previous_value
                if current.value is not None and previous_value is not None
                else None
            )
            items.append(
                {
                    "indicator_code": code,
                    "scope_type": scope.scope_type,
                    "scope_id": scope.scope_id,
                    "period": period,
                    "value": rounded(current.value),
                    "numerator": rounded(current.numerator, 4),
                    "denominator": rounded(current.denominator, 4),
                    "n": current.n,
                    "target": target,
                    "status": status_of(current, target),
                    "previous_value": rounded(previous_value),
                    "change": rounded(change),
                    "coverage": current.coverage,
                    "missing": current.missing,
                    **approval_of(current),
                    **flagged_of(current),
                    **out_of_range(definitions[code], current.value),
                }
            )
    return items


def out_of_range(definition: dict[str, Any], value: float | None) -> dict[str, Any]:
    """What an item whose percent lies outside 0–100 says instead of judging its target (its
    keys override the item's): it is computed from counts that contradict each other (60
    teachers trained of 50: 120 %, or one mistyped count: 2 800 %), so it is marked
    (`flagged`), judged against no target (`insufficient_data`) and says why
    (`reason: out_of_range`). Empty for any other value (within `shared.comparison`'s
    tolerance of the bounds)."""
    if definition.get("unit") != "percent" or value is None:
        return {}
    if COMPARE[">="](value, 0.0) and COMPARE["<="](value, 100.0):
        return {}
    shown = grouped(decimal_text(rounded(value, 1) or 0.0))  # «4 600», «120,5»
    return {
        "status": "insufficient_data",
        "flagged": True,
        "reason": unknown_codes.OUT_OF_RANGE,
        "reason_text": (
            f"значение {shown} % вне диапазона от 0 до 100 %: данные, из которых оно "
            "посчитано, противоречат друг другу — проверьте их"
        ),
    }


@dataclass
class Prepared:
    """What a scope's computation needs: the definitions the caller sees (by code), the scopes
    (the scope asked about and every unit inside it) and the method context."""

    definitions: dict[str, dict[str, Any]]
    scopes: list[Scope]
    ctx: Context
    period: str
    previous: str

    @property
    def codes(self) -> list[str]:
        """Every indicator the caller sees, in answer order."""
        return sorted(self.definitions)


async def prepare(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    scope: ScopeInfo,
    period: str,
    previous: str,
    *,
    minimum: int,
    public: bool = False,
    units: KnownUnits | None = None,
    api_cursor: str | None = None,
    thresholds: Thresholds | None = None,
    approved_only: bool = False,
) -> Prepared:
    """The definitions, scopes and context of a computation for the scope and period (and the
    previous period). `public`: survey values as a reader without access to personal results
    sees them, whoever asks. `minimum`: the disclosure minimum. `units`, `api_cursor`: the
    app's known units and the api feed's cursor they are looked up at. `thresholds`: the
    complex analysis' (None: the settings'). `approved_only`: the published view (only
    approved data values count, methods/data_value.py)."""
    definitions = await definitions_for(session, principal, resolver)
    if units is None:
        scopes = await scopes_of(session, scope)
    else:
        scopes = await units.of(session, scope, api_cursor)
    readable = await readable_organizations(principal, resolver)
    ctx = Context(
        session,
        scopes,
        [period, previous],
        principal=principal,
        readable=readable,
        minimum=minimum,
        personal=reads_personal_results(principal) and not public,
        campaign_organizations=(
            scope.organization_ids if scope.scope_type == ScopeType.territory else readable
        ),
        thresholds=thresholds,
        approved_only=approved_only,
    )
    if any(restricted_kinds(d) for d in definitions.values()):
        ctx.kinds = await organization_kinds(session, ctx.organization_ids)
    return Prepared(definitions, scopes, ctx, period, previous)


async def items_of(prepared: Prepared, codes: list[str]) -> list[dict[str, Any]]:
    """The answer items of these codes (known to `prepared`), computed now, in answer order;
    one without a value because a code it names does not exist says why (unknown_codes)."""
    wanted = sorted(set(codes) & set(prepared.definitions))
    known = await compute(prepared.ctx, prepared.definitions, set(wanted))
    items = answer_items(
        prepared.definitions, known, wanted, prepared.scopes, prepared.period, prepared.previous
    )
    return await unknown_codes.explain(prepared.ctx.session, prepared.definitions, items)


def counts(prepared: Prepared, codes: list[str], level: str | None) -> dict[str, int]:
    """How many items each code has at a level (None: all) without computing a value: one per
    scope its method applies to (see methods' `LEVELS`) and its `applies_to` leaves in."""
    per_level: dict[frozenset[str] | None, dict[str, int]] = {}
    found = {}
    for code in codes:
        definition = prepared.definitions[code]
        kinds = restricted_kinds(definition)
        if kinds not in per_level:
            per_level[kinds] = {}
            for scope in _applicable(prepared.ctx, kinds):
                per_level[kinds][scope.scope_type] = per_level[kinds].get(scope.scope_type, 0) + 1
        levels = levels_of(definition["method"])
        found[code] = sum(
            n for t, n in per_level[kinds].items() if t in levels and level in (None, t)
        )
    return found


def levels_of(method: str) -> frozenset[str]:
    """The scope types a method gives values for."""
    return getattr(MODULES[method], "LEVELS", frozenset(SCOPE_ORDER))


def sources_of(definitions: dict[str, dict[str, Any]], code: str) -> frozenset[str]:
    """The feeds (`api`, `surveys`) whose facts a code's value is computed from (definitions,
    the hierarchy and targets always come from the api)."""
    sources = {"api"}
    for needed in closure(definitions, {code}):
        sources |= {_FEED_OF[t] for t in MODULES[definitions[needed]["method"]].FACTS}
    return frozenset(sources)


# Which feed each fact table comes from.
_FEED_OF = {t.name: source for source, tables in FEEDS.items() for t in tables.values()}


async def scope_items(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    scope: ScopeInfo,
    period: str,
    previous: str,
    codes: list[str] | None,
    *,
    minimum: int,
    public: bool = False,
) -> tuple[list[dict[str, Any]], list[str]]:
    """Items of the indicators (None: all the caller sees; unknown codes are left out) for the
    scope and everything inside it, computed now, and the codes of every indicator the caller
    sees. `public`, `minimum`: as in `prepare`."""
    prepared = await prepare(
        session, principal, resolver, scope, period, previous, minimum=minimum, public=public
    )
    return await items_of(prepared, codes or prepared.codes), prepared.codes
