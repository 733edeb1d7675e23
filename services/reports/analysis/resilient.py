"""Resilient schools (резильентные школы): good results in an unfavourable social context.

Method (ours; thresholds in `Thresholds`, README "Complex analysis"):
- result: a school's mean completion (percent 0–100, analysis/completion.py) averaged over its
  papers of the year (each paper written by at least `min_participants`), papers weighted
  alike;
- resilient: its result at or above the (100 − `resilient_result_share`) percentile of the
  results of the territory's schools (continuous, PostgreSQL `percentile_cont`) while its
  context index group is `unfavourable` (ШНСУ, analysis/context.py);
- residual (a value-added view): result − (a + b × index), a and b the ordinary least squares
  line of result on index over the schools with both (PostgreSQL `regr_intercept`,
  `regr_slope`); None when the line is undefined (fewer than two schools, one index).
"""

import uuid
from typing import Any

from sqlalchemy import ARRAY, Float, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.completion import PAPERS
from services.reports.analysis.context import context_index
from services.reports.analysis.thresholds import Thresholds
from shared.periods import Period

_RESULTS = text(
    f"""
    WITH {PAPERS}, school_results AS (
        SELECT organization_id, avg(completion) AS result
        FROM papers WHERE completion IS NOT NULL GROUP BY organization_id
    ), indexed AS (
        SELECT r.organization_id, r.result, c.index
        FROM school_results r
        JOIN unnest(:indexed, :indexes) AS c(organization_id, index) USING (organization_id)
    ), line AS (
        SELECT regr_intercept(result, index) AS a, regr_slope(result, index) AS b FROM indexed
    ), top AS (
        SELECT percentile_cont(:top) WITHIN GROUP (ORDER BY result) AS cut FROM school_results
    )
    SELECT i.organization_id, i.result, i.index, i.result - (line.a + line.b * i.index)
        AS residual, top.cut
    FROM indexed i CROSS JOIN line CROSS JOIN top
    ORDER BY i.organization_id
    """  # noqa: S608 - only completion.PAPERS, a constant, is interpolated
).bindparams(
    bindparam("indexed", type_=ARRAY(Uuid)),
    bindparam("indexes", type_=ARRAY(Float)),
)


async def resilient(
    session: AsyncSession, organizations: list[uuid.UUID], year: Period, t: Thresholds
) -> list[dict[str, Any]]:
    """Every school among `organizations` with both a context index and a result in `year`
    (see the module's method): `{organization_id, index, result, residual, group, resilient}`;
    result and residual in percentage points (rounded to 2 places), index as context_index
    gives it."""
    return (await resilient_with_context(session, organizations, year, t))[0]


async def resilient_with_context(
    session: AsyncSession, organizations: list[uuid.UUID], year: Period, t: Thresholds
) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """`resilient`'s items, and the context index they were computed with (its notes say
    what of the context is missing)."""
    context = await context_index(session, organizations, t)
    indexed = [i for i in context["items"] if i["index"] is not None]
    groups = {i["organization_id"]: i["group"] for i in indexed}
    rows = await session.execute(
        _RESULTS,
        {
            "organization_ids": organizations,
            "years": [year.code],
            "min_participants": t.min_participants,
            "indexed": [i["organization_id"] for i in indexed],
            "indexes": [i["index"] for i in indexed],
            "top": 1 - t.resilient_result_share / 100,
        },
    )
    items = []
    for row in rows:
        group = groups[row.organization_id]
        items.append(
            {
                "organization_id": row.organization_id,
                "index": row.index,
                "result": round(row.result, 2),
                "residual": None if row.residual is None else round(row.residual, 2),
                "group": group,
                "resilient": row.result >= row.cut and group == "unfavourable",
            }
        )
    return items, context
