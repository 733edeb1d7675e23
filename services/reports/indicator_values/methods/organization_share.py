"""`organization_share`: the share of a group's organizations whose own value of another
indicator meets a condition (a group's figure: none for one organization).

The source's values per organization are already computed (after its `min_n`), whatever its
method; they go to SQL as arrays and are counted per scope through the mapping, every scope
and both periods in one query per definition. "==" compares as `math.isclose` does (relative
and absolute tolerance 1e-9).

The organizations' values carry their marks into the share: how many of the organizations
counted have their source value approved and flagged (`approved_organizations`,
`flagged_organizations` over coverage's `organizations_reporting`), and, with
SOKO_FLAGGED_VALUES=skip, how many flagged ones were left out (`flagged_left_out`); none when
the source rests on no posted data value.
"""

from typing import Any

from sqlalchemy import ARRAY, Boolean, Float, Text, Uuid, bindparam, text

from services.reports.indicator_values.methods.base import (
    CLUSTER,
    MAPPED,
    MAPPING,
    ORGANIZATION,
    TERRITORY,
    Context,
    Known,
    Value,
    group_shares,
)
from services.reports.indicator_values.methods.marks import approval_of, flagged_of

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


_MARKS = ("posted", "approved", "flagged", "kept")


def _query(op: str):
    return text(
        f"""
        SELECT m.scope_type, m.scope_id, s.period,
               count(*) FILTER (WHERE s.kept)::int AS with_value,
               count(*) FILTER (WHERE s.kept AND {_CONDITIONS[op]})::int AS meets,
               count(*) FILTER (WHERE s.kept AND s.approved)::int AS approved,
               count(*) FILTER (WHERE s.kept AND s.flagged)::int AS flagged,
               count(*) FILTER (WHERE NOT s.kept)::int AS left_out,
               bool_or(s.posted) AS posted
        FROM {MAPPED}
        JOIN unnest(CAST(:source_orgs AS uuid[]), CAST(:source_periods AS text[]),
                    CAST(:source_values AS float8[]), CAST(:source_posted AS boolean[]),
                    CAST(:source_approved AS boolean[]), CAST(:source_flagged AS boolean[]),
                    CAST(:source_kept AS boolean[]))
             AS s(organization_id, period, value, posted, approved, flagged, kept)
          ON s.organization_id = m.organization_id
        WHERE m.scope_type <> 'organization'
        GROUP BY m.scope_type, m.scope_id, s.period
        """  # noqa: S608 (constant fragments, values bound)
    ).bindparams(
        *MAPPING,
        bindparam("source_orgs", type_=ARRAY(Uuid)),
        bindparam("source_periods", type_=ARRAY(Text)),
        bindparam("source_values", type_=ARRAY(Float)),
        *(bindparam(f"source_{b}", type_=ARRAY(Boolean)) for b in _MARKS),
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
            (scope_id, period, float(value.value), *_marks(ctx, value))
            for (code, scope_type, scope_id, period), value in known.items()
            if code == source
            and scope_type == ORGANIZATION
            and value is not None
            and value.value is not None
        ]
        rows = await ctx.session.execute(
            _query(condition["op"]),
            {
                **ctx.mapping(),
                "source_orgs": [v[0] for v in values],
                "source_periods": [v[1] for v in values],
                "source_values": [v[2] for v in values],
                **{f"source_{b}": [v[3 + i] for v in values] for i, b in enumerate(_MARKS)},
                "target": float(condition["value"]),
            },
        )
        rows = {(r.scope_type, r.scope_id, r.period): r for r in rows}
        counted = {key: (r.meets, r.with_value) for key, r in rows.items()}
        shares = group_shares(ctx, definition["code"], counted)
        for (_, scope_type, scope_id, period), share in shares.items():
            row = rows.get((scope_type, scope_id, period))
            if share is not None and row is not None and row.posted:
                share.approved_organizations, share.flagged_organizations = (
                    row.approved,
                    row.flagged,
                )
                share.flagged_left_out = row.left_out
        found |= shares
    return found


def _marks(ctx: Context, value: Value) -> tuple[bool, bool, bool, bool]:
    """An organization's source value as the share counts it: whether it rests on posted data
    values, is approved, is flagged, and is kept (SOKO_FLAGGED_VALUES=skip: a flagged value is
    left out of the share too)."""
    approved, flagged = approval_of(value)["approved"], flagged_of(value)["flagged"]
    posted = value.flagged_left_out is not None
    return posted, bool(approved), bool(flagged), not (ctx.skip_flagged and flagged)
