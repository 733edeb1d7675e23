"""`organization_share`: the share of a group's organizations whose own value of another
indicator meets a condition (a group's figure: none for one organization).

The source's values per organization are already computed (after its `min_n`), whatever its
method; they go to SQL as arrays and are counted per scope through the mapping, every scope
and both periods in one query per definition. "==" compares as `math.isclose` does (relative
and absolute tolerance 1e-9).
"""

from typing import Any

from sqlalchemy import ARRAY, Float, Text, Uuid, bindparam, text

from services.reports.indicator_values.methods.base import (
    CLUSTER,
    MAPPED,
    MAPPING,
    ORGANIZATION,
    TERRITORY,
    Context,
    Known,
    group_shares,
)

# Organizations have no share of organizations: no value at that level.
LEVELS = frozenset({TERRITORY, CLUSTER})
FACTS = ()  # reads the source indicator's values, whatever facts they come from

_CONDITIONS = {
    ">=": "s.value >= :target",
    ">": "s.value > :target",
    "<=": "s.value <= :target",
    "<": "s.value < :target",
    "==": "abs(s.value - :target) <= greatest(1e-9 * greatest(abs(s.value), abs(:target)), 1e-9)",
}


def _query(op: str):
    return text(
        f"""
        SELECT m.scope_type, m.scope_id, s.period, count(*)::int AS with_value,
               count(*) FILTER (WHERE {_CONDITIONS[op]})::int AS meets
        FROM {MAPPED}
        JOIN unnest(CAST(:source_orgs AS uuid[]), CAST(:source_periods AS text[]),
                    CAST(:source_values AS float8[])) AS s(organization_id, period, value)
          ON s.organization_id = m.organization_id
        WHERE m.scope_type <> 'organization'
        GROUP BY m.scope_type, m.scope_id, s.period
        """  # noqa: S608 (constant fragments, values bound)
    ).bindparams(
        *MAPPING,
        bindparam("source_orgs", type_=ARRAY(Uuid)),
        bindparam("source_periods", type_=ARRAY(Text)),
        bindparam("source_values", type_=ARRAY(Float)),
        bindparam("target", type_=Float),
    )


async def compute(ctx: Context, definitions: list[dict[str, Any]], known: Known) -> Known:
    """Values of every definition for every group and period (None for organizations)."""
    found: Known = {}
    for definition in definitions:
        params = definition["params"]
        source = params["indicator_code"]
        condition = params["condition"]
        values = [
            (scope_id, period, value.value)
            for (code, scope_type, scope_id, period), value in known.items()
            if code == source
            and scope_type == ORGANIZATION
            and value is not None
            and value.value is not None
            # SOKO_FLAGGED_VALUES=skip: a flagged value is left out of the share too.
            and not (ctx.skip_flagged and value.flagged_organizations)
        ]
        rows = await ctx.session.execute(
            _query(condition["op"]),
            {
                **ctx.mapping(),
                "source_orgs": [v[0] for v in values],
                "source_periods": [v[1] for v in values],
                "source_values": [float(v[2]) for v in values],
                "target": float(condition["value"]),
            },
        )
        counted = {(r.scope_type, r.scope_id, r.period): (r.meets, r.with_value) for r in rows}
        found |= group_shares(ctx, definition["code"], counted)
    return found
