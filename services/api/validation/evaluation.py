"""Validation rules evaluated in SQL, for many organizations and periods in one statement.

The values of each (organization, period) are pivoted into one row with a column per indicator
the rules read (`c0`, `c1`, …); each rule's sides are SQL compiled from its expressions over
those columns (`expressions.to_sql`), evaluated for every row at once with a lateral list of
the rules, and kept where the rule applies to the organization (a global rule everywhere, a
territory's own rule in that territory and below) and does not hold (`expressions.VIOLATED`:
a side that cannot be computed, a missing value or a division by zero, violates nothing).
"""

import uuid
from dataclasses import dataclass

from sqlalchemy import ARRAY, Float, String, Text, Uuid, bindparam, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.indicators.models import Indicator
from services.api.validation import expressions
from services.api.validation.models import ValidationRule


@dataclass(frozen=True)
class Compiled:
    """The active rules that can be evaluated, with the indicators they read."""

    rules: list[ValidationRule]
    indicator_ids: list[uuid.UUID]  # column cN of the pivot is indicator_ids[N]
    sides: list[tuple[str, str]]  # each rule's left and right side as SQL
    reads: list[frozenset[uuid.UUID]]  # the indicators each rule reads


async def compile_rules(session: AsyncSession, rules: list[ValidationRule]) -> Compiled:
    """The rules' sides as SQL; a rule reading an indicator that no longer takes values (gone,
    or computed now) is left out (it was checked when stored)."""
    codes = {code for rule in rules for code in rule.indicator_codes}
    query = select(Indicator.code, Indicator.id).where(
        Indicator.code.in_(codes), Indicator.method == "data_value"
    )
    found: dict[str, uuid.UUID] = {code: id_ for code, id_ in await session.execute(query)}
    compiled = Compiled([], [], [], [])
    ids = compiled.indicator_ids

    def column(code: str) -> str:
        if found[code] not in ids:
            ids.append(found[code])
        return f"v.c{ids.index(found[code])}"

    for rule in rules:
        if not set(rule.indicator_codes) <= found.keys():
            continue
        left = expressions.to_sql(expressions.parse(rule.left), column)
        right = expressions.to_sql(expressions.parse(rule.right), column)
        compiled.rules.append(rule)
        compiled.sides.append((left, right))
        compiled.reads.append(frozenset(found[c] for c in rule.indicator_codes))
    return compiled


async def active_rules(session: AsyncSession, action: str | None = None) -> Compiled:
    """The active rules (of one `action` when given), compiled."""
    query = select(ValidationRule).where(ValidationRule.active).order_by(ValidationRule.code)
    if action is not None:
        query = query.where(ValidationRule.action == action)
    return await compile_rules(session, list(await session.scalars(query)))


# The pairs of organization and period evaluated, and the values they have: `pairs` and
# `vals` (src 0: incoming, 1: stored) are the caller's CTEs; the evaluation then pivots,
# applies and compares (in numeric), and gives each side as a double precision (NULL past
# what one holds).
_EVALUATE = """
    chain AS (
        SELECT o.id AS organization_id, o.territory_id
        FROM api.organization o WHERE o.id IN (SELECT organization_id FROM pairs)
        UNION
        SELECT c.organization_id, t.parent_id
        FROM chain c JOIN api.territory t ON t.id = c.territory_id
        WHERE t.parent_id IS NOT NULL
    ), pivot AS (
        SELECT organization_id, period, {columns}
        FROM vals GROUP BY organization_id, period
    ), sides AS (
        SELECT v.organization_id, v.period, s.n, s.l, s.r, (:operators)[s.n + 1] AS op
        FROM pivot v CROSS JOIN LATERAL (VALUES {sides}) AS s(n, l, r)
    ), found AS (
        SELECT s.n, s.organization_id, s.period,
               CASE WHEN abs(s.l) < 1e300 THEN s.l::float8 END AS l,
               CASE WHEN abs(s.r) < 1e300 THEN s.r::float8 END AS r
        FROM sides s
        WHERE {violated}
          AND ((:owners)[s.n + 1] IS NULL OR EXISTS (
              SELECT 1 FROM chain c
              WHERE c.organization_id = s.organization_id
                AND c.territory_id = (:owners)[s.n + 1]))
    )"""


def _evaluation(compiled: Compiled) -> str:
    # An incoming value (src 0) wins over the stored one (src 1) of the same indicator.
    columns = ", ".join(
        f"coalesce(max(value) FILTER (WHERE indicator_id = (:ids)[{n + 1}] AND src = 0), "
        f"max(value) FILTER (WHERE indicator_id = (:ids)[{n + 1}] AND src = 1))::numeric AS c{n}"
        for n in range(len(compiled.indicator_ids))
    )
    sides = ", ".join(f"({n}, {left}, {right})" for n, (left, right) in enumerate(compiled.sides))
    return _EVALUATE.format(columns=columns, sides=sides, violated=expressions.VIOLATED)


def _params(compiled: Compiled) -> dict:
    return {
        "ids": compiled.indicator_ids,
        "operators": [r.operator for r in compiled.rules],
        "owners": [r.owner_territory_id for r in compiled.rules],
    }


_BINDS = (
    bindparam("ids", type_=ARRAY(Uuid)),
    bindparam("operators", type_=ARRAY(Text)),
    bindparam("owners", type_=ARRAY(Uuid)),
)


async def screen(
    session: AsyncSession,
    compiled: Compiled,
    incoming: tuple[list[uuid.UUID], list[uuid.UUID], list[str], list[float]],
) -> list[tuple[int, uuid.UUID, str, float, float]]:
    """The violations (rule number, organization, period, left, right) of the values as they
    would be once `incoming` (indicator ids, organization ids, periods, values) is stored over
    what is stored, in the pairs `incoming` touches."""
    if not compiled.rules:
        return []
    head = """
        WITH RECURSIVE incoming AS (
            SELECT * FROM unnest(:in_indicators, :in_organizations, :in_periods, :in_values)
                AS t(indicator_id, organization_id, period, value)
            WHERE indicator_id = ANY(:ids)
        ), pairs AS (
            SELECT DISTINCT organization_id, period FROM incoming
        ), vals AS (
            SELECT indicator_id, organization_id, period, value, 0 AS src FROM incoming
            UNION ALL
            SELECT d.indicator_id, d.organization_id, d.period, d.value, 1
            FROM api.data_value d JOIN pairs USING (organization_id, period)
            WHERE d.indicator_id = ANY(:ids)
        ),"""
    tail = " SELECT n, organization_id, period, l, r FROM found"
    statement = text(" ".join((head, _evaluation(compiled), tail))).bindparams(
        *_BINDS,
        bindparam("in_indicators", type_=ARRAY(Uuid)),
        bindparam("in_organizations", type_=ARRAY(Uuid)),
        bindparam("in_periods", type_=ARRAY(String)),
        bindparam("in_values", type_=ARRAY(Float)),
    )
    indicators, organizations, periods, values = incoming
    rows = await session.execute(
        statement,
        _params(compiled)
        | {
            "in_indicators": indicators,
            "in_organizations": organizations,
            "in_periods": periods,
            "in_values": values,
        },
    )
    return [tuple(row) for row in rows]


# Two imports writing the same organization and period at once each recompute its violations
# from what they see; the second waits here for the first to commit (transaction-level locks,
# taken in one order), so that it recomputes from both.
_LOCK_PAIRS = text(
    """
    SELECT count(pg_advisory_xact_lock(1717, k)) FROM (
        SELECT DISTINCT hashtext(organization_id::text || '/' || period) AS k
        FROM unnest(:pair_organizations, :pair_periods) AS t(organization_id, period)
        ORDER BY k) keys"""
)


async def refresh(
    session: AsyncSession, compiled: Compiled, pairs: tuple[list[uuid.UUID], list[str]] | None
) -> list[tuple[int, uuid.UUID, str, float, float]]:
    """Recompute the stored violations from the stored values: of the pairs (organization ids,
    periods) given, or (None) of every pair holding a value the rules read; the violations
    of these pairs by rules not in `compiled` are removed. Returns the current violations."""
    if pairs is None:
        source = """pairs AS (
            SELECT DISTINCT organization_id, period FROM api.data_value
            WHERE indicator_id = ANY(:ids))"""
    else:
        source = """pairs AS (
            SELECT DISTINCT * FROM unnest(:pair_organizations, :pair_periods)
                AS t(organization_id, period))"""
    vals = """vals AS (
            SELECT d.indicator_id, d.organization_id, d.period, d.value, 1 AS src
            FROM api.data_value d JOIN pairs USING (organization_id, period)
            WHERE d.indicator_id = ANY(:ids))"""
    rule_ids = [r.id for r in compiled.rules]
    stale = (
        "v.rule_id = ANY(:rule_ids)"
        if pairs is None
        else "(v.organization_id, v.period) IN (SELECT organization_id, period FROM pairs)"
    )
    pair_binds, pair_params = (), {}
    if pairs is not None:
        pair_binds = (
            bindparam("pair_organizations", type_=ARRAY(Uuid)),
            bindparam("pair_periods", type_=ARRAY(String)),
        )
        pair_params = {"pair_organizations": pairs[0], "pair_periods": pairs[1]}
    if pairs is not None:
        await session.execute(_LOCK_PAIRS.bindparams(*pair_binds), pair_params)
    if not compiled.rules:
        if pairs is not None:
            parts = ("WITH", source, "DELETE FROM api.validation_violation v WHERE", stale)
            await session.execute(text(" ".join(parts)).bindparams(*pair_binds), pair_params)
        return []
    tail = """, current AS (
            SELECT (:rule_ids)[n + 1] AS rule_id, organization_id, period, l, r, n FROM found
        ), cleared AS (
            DELETE FROM api.validation_violation v WHERE {stale}
              AND (v.rule_id, v.organization_id, v.period) NOT IN (
                  SELECT rule_id, organization_id, period FROM current)
        ), kept AS (
            INSERT INTO api.validation_violation AS v
                (rule_id, organization_id, period, left_value, right_value)
            SELECT rule_id, organization_id, period, l, r FROM current
            ORDER BY rule_id, organization_id, period  -- key order: no deadlock
            ON CONFLICT (rule_id, organization_id, period) DO UPDATE
                SET left_value = EXCLUDED.left_value, right_value = EXCLUDED.right_value
                -- a violation found again as it was is not rewritten
                WHERE (v.left_value, v.right_value)
                    IS DISTINCT FROM (EXCLUDED.left_value, EXCLUDED.right_value)
        )
        SELECT n, organization_id, period, l, r FROM current""".replace("{stale}", stale)
    head = " ".join(("WITH RECURSIVE", source, ",", vals, ","))
    statement = text(" ".join((head, _evaluation(compiled), tail)))
    statement = statement.bindparams(*_BINDS, bindparam("rule_ids", type_=ARRAY(Uuid)), *pair_binds)
    params = _params(compiled) | {"rule_ids": rule_ids} | pair_params
    return [tuple(row) for row in await session.execute(statement, params)]


_STORED = text(
    """
    SELECT array_position(:rule_ids, v.rule_id) - 1 AS n, v.organization_id, v.period,
           v.left_value, v.right_value
    FROM unnest(:pair_organizations, :pair_periods) AS t(organization_id, period)
    JOIN api.validation_violation v USING (organization_id, period)
    WHERE v.rule_id = ANY(:rule_ids)
    """
).bindparams(
    bindparam("rule_ids", type_=ARRAY(Uuid)),
    bindparam("pair_organizations", type_=ARRAY(Uuid)),
    bindparam("pair_periods", type_=ARRAY(String)),
)


async def stored(
    session: AsyncSession, compiled: Compiled, pairs: tuple[list[uuid.UUID], list[str]]
) -> list[tuple[int, uuid.UUID, str, float, float]]:
    """The stored violations of the pairs (organization ids, periods, each pair once) by the
    rules of `compiled`, as `refresh` returns them: what it would find when no value of
    these pairs changed since it last ran."""
    if not compiled.rules:
        return []
    params = {
        "rule_ids": [r.id for r in compiled.rules],
        "pair_organizations": pairs[0],
        "pair_periods": pairs[1],
    }
    return [tuple(row) for row in await session.execute(_STORED, params)]
