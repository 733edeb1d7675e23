"""`organization_flagged_share`: the share (percent 0–100) of a group's schools that the
complex analysis (services/reports/analysis, issue 15) flags in the period's assessment year —
"share of schools with objectivity risk", "share of ШНОР", "share of ШНСУ", "share of
resilient schools" (a group's figure: none for one organization).

Denominator: the group's organizations of kind `school` with an assessment result in the year
(the period: 2021/2022 or 2022; a quarter or a month has no value). Numerator: those of them
the analysis flags, `flag` being
- `objectivity_risk`: a paper of the year with risk `high` (`risk: "low"`: low or high),
  analysis/objectivity.py;
- `low_results`: a ШНОР school ending in the year, analysis/low_results.py;
- `unfavourable_context`: context index group `unfavourable` (ШНСУ), analysis/context.py;
- `resilient`: a resilient school of the year, analysis/resilient.py.

The analysis ranks schools within a territory, so a group is flagged as its territory sees it:
a territory by its own organizations (what `/v1/analysis/…?territory_id=` shows for it), a
cluster by the smallest territory of the computation holding all its members (the cluster
itself when none does). Thresholds: the computation's (`Context.thresholds`, the app's),
else the settings' (`SOKO_ANALYSIS_…`).
One analysis per territory and period; the counting in one query per definition.
"""

import uuid
from typing import Any

from sqlalchemy import ARRAY, Text, Uuid, bindparam, text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.context import context_index
from services.reports.analysis.low_results import low_results
from services.reports.analysis.objectivity import RISK_AT_LEAST, objectivity
from services.reports.analysis.resilient import resilient
from services.reports.analysis.thresholds import Thresholds
from services.reports.indicator_values.methods.base import (
    CLUSTER,
    MAPPED,
    MAPPING,
    TERRITORY,
    Context,
    Known,
    Scope,
    group_shares,
)
from shared.periods import Period, period_or_invalid

# The thresholds of the app serving the request (services/reports/app.py sets it).
LEVELS = frozenset({TERRITORY, CLUSTER})
FACTS = (
    "fact_organization",
    "fact_assessment_procedure",
    "fact_assessment_subject",
    "fact_assessment_result",
    "fact_assessment_specification",
    "fact_assessment_task",
)

_COUNTS = text(
    f"""
    WITH schools AS (
        SELECT DISTINCT r.organization_id, r.year
        FROM reports.fact_assessment_result r
        JOIN reports.fact_organization o ON o.id = r.organization_id AND o.kind = 'school'
        WHERE r.year = ANY(:periods) AND r.organization_id = ANY(CAST(:organization_ids AS uuid[]))
    ), flagged AS (
        SELECT * FROM unnest(CAST(:f_types AS text[]), CAST(:f_ids AS uuid[]),
                             CAST(:f_periods AS text[]), CAST(:f_orgs AS uuid[]))
            AS f(scope_type, scope_id, period, organization_id)
    )
    SELECT m.scope_type, m.scope_id, s.year AS period, count(*)::int AS schools,
           count(f.organization_id)::int AS flagged
    FROM {MAPPED}
    JOIN schools s ON s.organization_id = m.organization_id
    LEFT JOIN flagged f
      ON f.scope_type = m.scope_type AND f.scope_id = m.scope_id AND f.period = s.year
     AND f.organization_id = s.organization_id
    WHERE m.scope_type <> 'organization'
    GROUP BY m.scope_type, m.scope_id, s.year
    """  # noqa: S608 (constant fragments, values bound)
).bindparams(
    *MAPPING,
    bindparam("periods", type_=ARRAY(Text)),
    bindparam("f_types", type_=ARRAY(Text)),
    bindparam("f_ids", type_=ARRAY(Uuid)),
    bindparam("f_periods", type_=ARRAY(Text)),
    bindparam("f_orgs", type_=ARRAY(Uuid)),
)


def assessment_year(code: str) -> Period | None:
    """The period as an assessment year (2021/2022 or 2022), None for a quarter or a month."""
    period = period_or_invalid(code)
    return period if period.kind in ("academic_year", "year") else None


async def flagged(
    session: AsyncSession,
    organizations: list[uuid.UUID],
    year: Period,
    params: dict[str, Any],
    t: Thresholds,
) -> set[uuid.UUID]:
    """The organizations among `organizations` the analysis flags (`params`: flag, risk) in
    `year`, the analysis run over exactly these organizations."""
    flag = params["flag"]
    if flag == "objectivity_risk":
        risks = RISK_AT_LEAST[params.get("risk") or "high"]
        items = await objectivity(session, organizations, year, t)
        return {i["organization_id"] for i in items if i["risk"] in risks}
    if flag == "low_results":
        return {i["organization_id"] for i in await low_results(session, organizations, year, t)}
    if flag == "unfavourable_context":
        answer = await context_index(session, organizations, t)
        return {i["organization_id"] for i in answer["items"] if i["group"] == "unfavourable"}
    items = await resilient(session, organizations, year, t)
    return {i["organization_id"] for i in items if i["resilient"]}


def reference(scope: Scope, territories: list[Scope]) -> frozenset[uuid.UUID]:
    """The organizations the analysis of `scope` ranks it among (see the module's docstring)."""
    if scope.scope_type == TERRITORY:
        return scope.organization_ids
    holding = [t for t in territories if scope.organization_ids <= t.organization_ids]
    if not holding:
        return scope.organization_ids
    return min(holding, key=lambda t: (len(t.organization_ids), str(t.scope_id))).organization_ids


async def compute(ctx: Context, definitions: list[dict[str, Any]], known: Known) -> Known:
    """Values of every definition for every group and period (None for organizations)."""
    t = ctx.thresholds or Thresholds()
    territories = [s for s in ctx.scopes if s.scope_type == TERRITORY]
    groups = [s for s in ctx.scopes if s.scope_type in LEVELS]
    years = {p: year for p in ctx.periods if (year := assessment_year(p)) is not None}
    found: Known = {}
    for definition in definitions:
        analysed: dict[tuple[frozenset[uuid.UUID], str], set[uuid.UUID]] = {}
        rows: list[tuple[str, uuid.UUID, str, uuid.UUID]] = []
        for scope in groups:
            population = reference(scope, territories)
            for period, year in years.items():
                if (population, period) not in analysed:
                    analysed[(population, period)] = await flagged(
                        ctx.session, sorted(population), year, definition["params"], t
                    )
                marked = analysed[(population, period)] & scope.organization_ids
                rows += [(scope.scope_type, scope.scope_id, period, o) for o in sorted(marked)]
        rows_counted = await ctx.session.execute(
            _COUNTS,
            {
                **ctx.mapping(),
                "periods": list(years),
                "f_types": [r[0] for r in rows],
                "f_ids": [r[1] for r in rows],
                "f_periods": [r[2] for r in rows],
                "f_orgs": [r[3] for r in rows],
            },
        )
        counted = {
            (r.scope_type, r.scope_id, r.period): (r.flagged, r.schools) for r in rows_counted
        }
        found |= group_shares(ctx, definition["code"], counted)
    return found
