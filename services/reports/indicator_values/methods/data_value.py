"""`data_value`: the organizations' own values, as posted (booleans as 1/0).

A group's value: of a boolean, the share of its organizations with "yes" (pooled: numerator
and denominator are those organizations); of a count, the sum of its organizations' counts
(pupils, teachers); of a percent or a number, their mean (only the organizations' own figures
are known, not what they are made of). Every code of the batch, every scope and both periods
in one query.

Approval: a value is *approved* when a data collection asking for its indicator has the
organization's data of that period approved (`fact_collection_approval.status` `approved`:
signed off by its municipality, level 1, or above). A value says how many of the
organizations behind it are approved (`Value.approved_organizations`); in the published view
(`Context.approved_only`) only approved values count, so a value no collection asks for, or
one not yet approved, is left out as if it had not been posted.

Flagged values: a value an outlier check flags now, or one a broken validation rule reads
(services/reports/data_quality/checks.py `FLAGGED_VALUES`). A value says how many of the
organizations behind it had a flagged value counted in it (`Value.flagged_organizations`);
with SOKO_FLAGGED_VALUES=skip (`Context.skip_flagged`) a cluster's or territory's value leaves
them out (`Value.flagged_left_out` counts them) and an organization's own value stays, marked.

An organization closed before a period began (or opened after it ended: `Context.absent`)
has no value of it, and a group does not count it among its organizations (the scopes a
method is handed leave it out: computation.present).
"""

from typing import Any

from sqlalchemy import ARRAY, Boolean, Text, bindparam, text

from services.reports.data_quality.checks import FLAGGED_VALUES
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

FACTS = (
    "fact_data_value",
    "fact_collection",
    "fact_collection_approval",
    "fact_outlier_flag",
    "fact_validation_violation",
    "fact_validation_rule",
)

# `approved`: the (indicator, organization, period) some collection of the indicator approved,
# each once (read once, hash-joined to the values); `flagged`: those flagged now (an outlier
# check, or a broken rule reading it: data_quality/checks.py). `keep`: whether the value counts
# (an organization's own value always does; with `skip_flagged` a group's leaves flagged
# values out).
_VALUES = text(
    f"""
    WITH approved AS (
        SELECT DISTINCT i.indicator_id, a.organization_id, a.period
        FROM reports.fact_collection_approval a
        JOIN reports.fact_collection c ON c.id = a.collection_id
        CROSS JOIN LATERAL unnest(c.indicator_ids) AS i(indicator_id)
        WHERE a.status = 'approved' AND a.period = ANY(:periods)
    ), flagged AS (
        SELECT * FROM {FLAGGED_VALUES} q WHERE q.period = ANY(:periods)
    ), counted AS (
        SELECT v.indicator_code AS code, m.scope_type, m.scope_id, v.period, v.value,
               ok.indicator_id IS NOT NULL AS approved, fl.indicator_id IS NOT NULL AS flagged,
               (fl.indicator_id IS NULL OR NOT :skip_flagged
                OR m.scope_type = 'organization') AS keep
        FROM {MAPPED}
        JOIN reports.fact_data_value v ON v.organization_id = m.organization_id
        LEFT JOIN approved ok
            ON ok.indicator_id = v.indicator_id AND ok.organization_id = v.organization_id
            AND ok.period = v.period
        LEFT JOIN flagged fl
            ON fl.indicator_id = v.indicator_id AND fl.organization_id = v.organization_id
            AND fl.period = v.period
        WHERE v.indicator_code = ANY(:codes) AND v.period = ANY(:periods)
          AND v.value IS NOT NULL AND (ok.indicator_id IS NOT NULL OR NOT :approved_only)
    )
    SELECT code, scope_type, scope_id, period,
           count(*) FILTER (WHERE keep)::int AS n,
           sum(value) FILTER (WHERE keep) AS total,
           min(value) FILTER (WHERE keep) AS one,
           count(*) FILTER (WHERE keep AND value >= 0.5)::int AS yes,
           count(*) FILTER (WHERE keep AND approved)::int AS approved,
           count(*) FILTER (WHERE keep AND flagged)::int AS flagged,
           count(*) FILTER (WHERE NOT keep)::int AS left_out
    FROM counted
    GROUP BY code, scope_type, scope_id, period
    """  # noqa: S608 (constant fragments, values bound)
).bindparams(
    *MAPPING,
    bindparam("codes", type_=ARRAY(Text)),
    bindparam("periods", type_=ARRAY(Text)),
    bindparam("approved_only", type_=Boolean),
    bindparam("skip_flagged", type_=Boolean),
)


async def compute(ctx: Context, definitions: list[dict[str, Any]], known: Known) -> Known:
    """Values of every definition for every scope and period (see the module's docstring)."""
    params = {
        "codes": [d["code"] for d in definitions],
        "periods": ctx.periods,
        "approved_only": ctx.approved_only,
        "skip_flagged": ctx.skip_flagged,
        **ctx.mapping(),
    }
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
    if not row.n:  # every value of the group was flagged and left out
        return Value(n=0, coverage=coverage, flagged_organizations=0, flagged_left_out=row.left_out)
    if scope.scope_type == ORGANIZATION:
        found = Value(value=row.one, n=1, coverage=coverage)
    elif boolean:
        found = Value(pct(row.yes, row.n), row.yes, row.n, row.n, coverage)
    elif definition.get("unit") == "count":
        found = Value(value=row.total, numerator=row.total, n=row.n, coverage=coverage)
    else:
        found = Value(value=row.total / row.n, n=row.n, coverage=coverage)
    found.approved_organizations = row.approved
    found.flagged_organizations, found.flagged_left_out = row.flagged, row.left_out
    return found
