"""What every method module shares: the scopes values are computed for, a computed value, the
unit → organization mapping passed to SQL, and the rules around a method (min_n, targets,
status).

A method module says which facts it reads (`FACTS`) and computes, in one or a few SQL queries,
its definitions' values for every scope and both periods at once:

    async def compute(ctx: Context, definitions: list[dict], known: Known) -> Known

`definitions` are the indicator definitions of that method (`code`, `method`, `params`,
`unit`, `min_n`, `target`, `targets`), `known` the values computed so far (formulas and
organization shares read their sources there). The answer maps (code, scope_type, scope_id,
period) to a `Value`, or to None where the method does not apply to that scope (a share of
organizations for one organization). The `min_n` rule is applied by the caller.
"""

import math
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import ARRAY, Text, Uuid, bindparam
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.thresholds import Thresholds
from shared.comparison import COMPARE
from shared.identity import Principal
from shared.indicator_methods import ORGANIZATION_KINDS
from shared.settings import get_settings

ORGANIZATION, CLUSTER, TERRITORY = "organization", "cluster", "territory"
OPS = COMPARE  # a value against its target, within floating point's error


@dataclass(frozen=True)
class Scope:
    """An organization, cluster or territory a value is computed for, with the organizations
    it covers (inside the scope asked about)."""

    scope_type: str
    scope_id: uuid.UUID
    organization_ids: frozenset[uuid.UUID]


@dataclass
class Value:
    """One computed value (before targets): `n` counts organizations, respondents or
    participants; `missing` names peers whose data it lacks (none over facts)."""

    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    n: int | None = None
    coverage: dict[str, Any] | None = None
    missing: list[str] = field(default_factory=list)
    insufficient: bool = False
    # Of the organizations behind a posted data value, how many have it approved by a data
    # collection (methods/data_value.py); None: the value rests on no posted data value.
    approved_organizations: int | None = None
    # Of the organizations behind a posted data value, how many had a flagged value counted in
    # it, and how many flagged values were left out of it (`Context.skip_flagged`); None as
    # `approved_organizations` (methods/data_value.py).
    flagged_organizations: int | None = None
    flagged_left_out: int | None = None
    # A value computed from other indicators' values (a formula) says it outright: whether
    # every posted data value under its inputs is approved, whether a flagged one went in
    # (marks.py `derived`); None: as the counts above say.
    approved: bool | None = None
    flagged: bool | None = None


Key = tuple[str, str, uuid.UUID, str]  # (indicator code, scope type, scope id, period)
Known = dict[Key, Value | None]

# The mapping as three parallel arrays, joined in a query as
# `unnest(:scope_types, :scope_ids, :organization_ids) AS m(scope_type, scope_id, organization_id)`.
MAPPING = (
    bindparam("scope_types", type_=ARRAY(Text)),
    bindparam("scope_ids", type_=ARRAY(Uuid)),
    bindparam("organization_ids", type_=ARRAY(Uuid)),
)
MAPPED = (
    "unnest(CAST(:scope_types AS text[]), CAST(:scope_ids AS uuid[]), "
    "CAST(:organization_ids AS uuid[])) AS m(scope_type, scope_id, organization_id)"
)


@dataclass
class Context:
    """What a computation is for: the scopes (every organization, cluster and territory of the
    scope asked about), the periods (the one asked about and the previous one), and, for the
    survey methods, whose view the values are (see methods/survey_campaigns.py)."""

    session: AsyncSession
    scopes: list[Scope]
    periods: list[str]
    principal: Principal | None = None  # whose view (None: unrestricted)
    readable: frozenset[uuid.UUID] | None = None  # the organizations they read (None: all)
    minimum: int = 5  # the disclosure minimum
    personal: bool = False  # the caller reads teachers' personal results (and not `public`)
    # Campaigns count when they reach one of these organizations (None: any).
    campaign_organizations: frozenset[uuid.UUID] | None = None
    now: datetime | None = None
    # The complex analysis' thresholds (the app's; None: the settings', SOKO_ANALYSIS_…).
    thresholds: Thresholds | None = None
    # Each organization's kind (`school`, …), for indicators that apply to some kinds only
    # (None: not read yet).
    kinds: dict[uuid.UUID, str | None] | None = None
    # The published view: only approved data values count (methods/data_value.py).
    approved_only: bool = False
    # Flagged data values are left out of pooled values (SOKO_FLAGGED_VALUES=skip), else
    # counted and marked (methods/data_value.py).
    skip_flagged: bool = field(default_factory=lambda: get_settings().flagged_values == "skip")
    # Every definition of the computation by code (set by computation.compute): a formula
    # reads how its terms' indicators pool (methods/formula.py).
    definitions: dict[str, dict[str, Any]] = field(default_factory=dict)
    # Per period, the organizations of the scopes that were not open in it: closed before it
    # began or opened after it ended (set by computation.compute, units.absent_organizations).
    # computation.compute hands each method the scopes without them (computation.present), so
    # no method counts their values, results or answers of it, nor a group them among its
    # organizations; the survey campaigns drop them too (survey_campaigns.campaigns_of).
    absent: dict[str, frozenset[uuid.UUID]] | None = None

    def absent_in(self, period: str) -> frozenset[uuid.UUID]:
        """The organizations not open in `period` (none when not read)."""
        return (self.absent or {}).get(period, frozenset())

    def mapping(self) -> dict[str, list[Any]]:
        """The unit → organization mapping as bound arrays (see MAPPED)."""
        rows = [(s.scope_type, s.scope_id, o) for s in self.scopes for o in s.organization_ids]
        return {
            "scope_types": [r[0] for r in rows],
            "scope_ids": [r[1] for r in rows],
            "organization_ids": [r[2] for r in rows],
        }

    @property
    def organization_ids(self) -> list[uuid.UUID]:
        return sorted({o for s in self.scopes for o in s.organization_ids})


def restricted_kinds(definition: dict[str, Any]) -> frozenset[str] | None:
    """The kinds of organization a definition applies to (`applies_to`), or None when it
    applies to every kind (also when the facts hold no list: a definition from before it)."""
    kinds = frozenset(definition.get("applies_to") or ORGANIZATION_KINDS)
    return None if kinds >= frozenset(ORGANIZATION_KINDS) else kinds


def applicable(
    scopes: list[Scope], kinds_of: dict[uuid.UUID, str | None], kinds: frozenset[str] | None
) -> list[Scope]:
    """The scopes as an indicator applying to `kinds` (None: all) sees them: an organization
    of another kind is left out, a cluster or territory keeps only its organizations of those
    kinds and is left out when it has none of them (one with no organizations at all stays,
    as it is for every indicator)."""
    if kinds is None:
        return scopes
    kept = []
    for scope in scopes:
        members = frozenset(o for o in scope.organization_ids if kinds_of.get(o) in kinds)
        if members or (scope.scope_type != ORGANIZATION and not scope.organization_ids):
            kept.append(Scope(scope.scope_type, scope.scope_id, members))
    return kept


def pct(part: float, whole: float) -> float | None:
    return 100 * part / whole if whole else None


def rounded(x: float | None, digits: int = 2) -> float | None:
    """`x` to `digits` decimals, half up on its shortest decimal form (58.425 → 58.43, as a
    reader rounds the mean of 58.42 and 58.43; Python's round gives 58.42: the float is
    58.42499…). NaN and infinities pass as they are."""
    if x is None or not math.isfinite(x):
        return x
    step = Decimal(1).scaleb(-digits)
    return float(Decimal(repr(x)).quantize(step, rounding=ROUND_HALF_UP))


def organization_coverage(scope: Scope, reporting: int) -> dict[str, Any]:
    """How many of the scope's organizations gave what the value is made of (a method sees
    only those open in the period: computation.present)."""
    total = len(scope.organization_ids)
    return {
        "organizations": total,
        "organizations_reporting": reporting,
        "organizations_share": rounded(pct(reporting, total)),
    }


def group_shares(
    ctx: Context, code: str, counted: dict[tuple[str, uuid.UUID, str], tuple[int, int]]
) -> Known:
    """A share-of-organizations method's values of `code` for every scope and period of `ctx`:
    `counted` maps (scope_type, scope_id, period) to (organizations meeting the condition,
    organizations counted); percent 0–100, n the organizations counted; None for an
    organization (a group's figure)."""
    found: Known = {}
    for scope in ctx.scopes:
        for period in ctx.periods:
            key = (code, scope.scope_type, scope.scope_id, period)
            if scope.scope_type == ORGANIZATION:
                found[key] = None
                continue
            meets, whole = counted.get((scope.scope_type, scope.scope_id, period), (0, 0))
            found[key] = Value(
                pct(meets, whole),
                meets if whole else None,
                whole or None,
                whole,
                organization_coverage(scope, whole),
            )
    return found


def too_few(value: Value, min_n: int) -> bool:
    """Some answers, but fewer than the indicator asks for (none at all is no data)."""
    return value.n is not None and 0 < value.n < min_n


def after_min_n(value: Value | None, min_n: int) -> Value | None:
    """`value`, or an `insufficient` one without figures when it is built from fewer than
    `min_n` (organizations, respondents, participants)."""
    if value is None or not too_few(value, min_n):
        return value
    return Value(n=value.n, coverage=value.coverage, missing=value.missing, insufficient=True)


class TargetIndex:
    """One definition's targets by (scope_type, scope_id, period), so that choosing the target of
    a scope costs a few lookups, not a scan of every target (a region has thousands of scopes,
    an indicator may carry a target per municipality). Chooses what `select_target` chooses.

    A count's target that names no kind of scope (the default, or one of a period only) is of
    the indicator's own `level` only: a count adds up, so a district's «не менее 2 тыс.
    обучающихся» is no target for each school's part of it (`no_target` there), nor a school's
    «не менее 5» one for the district's total. Other units (shares, means, scores) compare
    alike at every level. A target naming the kind of scope applies as it says."""

    # The keys to look up, most specific first: rank (scope_type, period, scope_id) as
    # select_target orders it, from (set, set, set) down to (unset, unset, unset).
    _RANKS = sorted(
        ((a, b, c) for a in (True, False) for b in (True, False) for c in (True, False)),
        reverse=True,
    )

    def __init__(self, definition: dict[str, Any]) -> None:
        self.by_key: dict[tuple[str | None, str | None, str | None], dict[str, Any]] = {}
        for target in definition.get("targets") or []:
            scope_id = target.get("scope_id")
            key = (
                target.get("scope_type"),
                None if scope_id is None else str(scope_id),
                target.get("period"),
            )
            self.by_key.setdefault(key, target)  # the first of equal rank wins, as in a scan
        self.default = definition.get("target")
        additive = definition.get("unit") == "count"
        self.level = (definition.get("level") or "organization") if additive else None

    def select(self, scope: Scope, period: str) -> dict[str, Any] | None:
        scope_id = str(scope.scope_id)
        untyped = self.level is None or scope.scope_type == self.level
        for typed, dated, named in self._RANKS:
            if not (typed or untyped):
                continue
            key = (
                scope.scope_type if typed else None,
                scope_id if named else None,
                period if dated else None,
            )
            if key in self.by_key:
                chosen = self.by_key[key]
                return {"op": chosen["op"], "value": chosen["value"]}
        chosen = self.default if untyped else None
        return {"op": chosen["op"], "value": chosen["value"]} if chosen else None


def select_target(definition: dict[str, Any], scope: Scope, period: str) -> dict[str, Any] | None:
    """The most specific target: period and scope > scope > period > the default `target`
    (`{op, value}`, or None); a count's naming no kind of scope only at the indicator's
    `level` (TargetIndex). For many scopes build one TargetIndex instead."""
    return TargetIndex(definition).select(scope, period)


def status_of(value: Value, target: dict[str, Any] | None) -> str:
    """`achieved`, `not_achieved`, `insufficient_data`, `no_data`, or `no_target` (a value,
    no target to hold it against)."""
    if value.insufficient:
        return "insufficient_data"
    if value.value is None:
        return "no_data"
    if target is None:
        return "no_target"
    return "achieved" if OPS[target["op"]](value.value, target["value"]) else "not_achieved"
