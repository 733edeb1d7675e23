"""`data_value`: the organizations' own values, as posted (booleans as 1/0).

A group's value: of a boolean, the share of its organizations with "yes" (pooled: numerator
and denominator are those organizations); of a count, the sum of its organizations' counts
(pupils, teachers); of a percent or a number, their mean (only the organizations' own figures
are known, not what they are made of). Every code of the batch, every scope and both periods
in one query.
"""

from typing import Any

from sqlalchemy import ARRAY, Text, bindparam, text

from services.reports.indicator_values.methods.base import (
    MAPPED,
    MAPPING,
    ORGANIZATION,
    Context,
    Known,
    Value,
    organization_coverage,
    pct,
)

FACTS = ("fact_data_value",)

_VALUES = text(
    f"""
    SELECT v.indicator_code AS code, m.scope_type, m.scope_id, v.period,
           count(*)::int AS n, sum(v.value) AS total, min(v.value) AS one,
           count(*) FILTER (WHERE v.value >= 0.5)::int AS yes
    FROM {MAPPED}
    JOIN reports.fact_data_value v ON v.organization_id = m.organization_id
    WHERE v.indicator_code = ANY(:codes) AND v.period = ANY(:periods)
      AND v.value IS NOT NULL
    GROUP BY v.indicator_code, m.scope_type, m.scope_id, v.period
    """  # noqa: S608 (a constant fragment, values bound)
).bindparams(
    *MAPPING, bindparam("codes", type_=ARRAY(Text)), bindparam("periods", type_=ARRAY(Text))
)


async def compute(ctx: Context, definitions: list[dict[str, Any]], known: Known) -> Known:
    """Values of every definition for every scope and period (see the module's docstring)."""
    params = {"codes": [d["code"] for d in definitions], "periods": ctx.periods, **ctx.mapping()}
    rows = {
        (r.code, r.scope_type, r.scope_id, r.period): r
        for r in await ctx.session.execute(_VALUES, params)
    }
    found: Known = {}
    for definition in definitions:
        code = definition["code"]
        boolean = (definition.get("params") or {}).get("value_type") == "boolean"
        for scope in ctx.scopes:
            for period in ctx.periods:
                row = rows.get((code, scope.scope_type, scope.scope_id, period))
                found[(code, scope.scope_type, scope.scope_id, period)] = _value(
                    definition, scope, row, boolean
                )
    return found


def _value(definition: dict[str, Any], scope, row: Any, boolean: bool) -> Value:
    coverage = organization_coverage(scope, row.n if row else 0)
    if row is None:
        return Value(n=0, coverage=coverage)
    if scope.scope_type == ORGANIZATION:
        return Value(value=row.one, n=1, coverage=coverage)
    if boolean:
        return Value(pct(row.yes, row.n), row.yes, row.n, row.n, coverage)
    if definition.get("unit") == "count":
        return Value(value=row.total, numerator=row.total, n=row.n, coverage=coverage)
    return Value(value=row.total / row.n, n=row.n, coverage=coverage)
