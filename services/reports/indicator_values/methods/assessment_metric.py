"""`assessment_metric`: a metric of one assessment procedure's results (ВПР, ОГЭ …), pooled.

Two stages, as the api service's aggregates and the reports service combined them before:
per organization, subject and grade the results are summed (marks, journal comparison,
participants) and the mean score pooled over participants and rounded to 2 decimals; then
per scope (through the mapping) the metric's numerator and denominator are summed. Shares
are in percent. A year is the period. One query per distinct (procedure, subject, grade).
"""

from typing import Any

from sqlalchemy import ARRAY, Text, bindparam, text

from services.reports.indicator_values.methods.base import (
    MAPPED,
    MAPPING,
    Context,
    Known,
    Value,
    organization_coverage,
)

FACTS = ("fact_assessment_result", "fact_assessment_subject")

_MARKED = "(o.mark_2 IS NOT NULL OR o.mark_3 IS NOT NULL OR o.mark_4 IS NOT NULL "
_MARKED += "OR o.mark_5 IS NOT NULL)"
_P = "coalesce(o.participants, 0)"
_M = {m: f"coalesce(o.mark_{m}, 0)" for m in "2345"}


def _marks_share(*marks: str) -> tuple[str, str]:
    part = " + ".join(_M[m] for m in marks)
    return f"sum({part}) FILTER (WHERE {_MARKED})", f"sum({_P}) FILTER (WHERE {_MARKED})"


def _journal(column: str) -> tuple[str, str]:
    known = f"o.{column} IS NOT NULL"
    return f"sum(o.{column}) FILTER (WHERE {known})", f"sum({_P}) FILTER (WHERE {known})"


# metric -> (numerator, denominator) summed over a scope's per-organization rows `o`
SUMS: dict[str, tuple[str, str]] = {
    "participants": ("0", "0"),
    "share_2": _marks_share("2"),
    "share_3": _marks_share("3"),
    "share_4_5": _marks_share("4", "5"),
    "share_5": _marks_share("5"),
    "mean_score": (
        f"sum(o.mean_score * {_P}) FILTER (WHERE o.mean_score IS NOT NULL)",
        f"sum({_P}) FILTER (WHERE o.mean_score IS NOT NULL)",
    ),
    "mean_mark": (
        f"sum(2 * {_M['2']} + 3 * {_M['3']} + 4 * {_M['4']} + 5 * {_M['5']}) "
        f"FILTER (WHERE {_MARKED})",
        f"sum({_M['2']} + {_M['3']} + {_M['4']} + {_M['5']}) FILTER (WHERE {_MARKED})",
    ),
    "share_confirmed": _journal("confirmed"),
    "share_lowered": _journal("lowered"),
    "share_raised": _journal("raised"),
}
PERCENT = {"share_2", "share_3", "share_4_5", "share_5"} | {
    "share_confirmed",
    "share_lowered",
    "share_raised",
}


def _query(metric: str, subject: bool, grade: bool):
    numerator, denominator = SUMS[metric]
    where = "r.procedure_code = :procedure AND r.year = ANY(:periods)"
    where += " AND r.organization_id = ANY(CAST(:organization_ids AS uuid[]))"
    if subject:
        where += " AND r.subject = ANY(CAST(:subjects AS text[]))"
    if grade:
        where += " AND r.grade = :grade"
    scored = "r.mean_score IS NOT NULL"
    return text(
        f"""
        WITH o AS (
            SELECT r.organization_id, r.year, sum(r.participants) AS participants,
                   sum(r.mark_2) AS mark_2, sum(r.mark_3) AS mark_3, sum(r.mark_4) AS mark_4,
                   sum(r.mark_5) AS mark_5,
                   round((sum(r.mean_score * r.participants) FILTER (WHERE {scored})
                          / nullif(sum(r.participants) FILTER (WHERE {scored}), 0))::numeric,
                         2)::float8 AS mean_score,
                   sum(r.lowered) AS lowered, sum(r.confirmed) AS confirmed,
                   sum(r.raised) AS raised
            FROM reports.fact_assessment_result r
            WHERE {where}
            GROUP BY r.organization_id, r.year, r.subject, r.grade
        )
        SELECT m.scope_type, m.scope_id, o.year AS period,
               count(DISTINCT o.organization_id)::int AS reporting,
               sum({_P})::int AS participants,
               ({numerator})::float8 AS numerator, ({denominator})::float8 AS denominator
        FROM {MAPPED}
        JOIN o ON o.organization_id = m.organization_id
        GROUP BY m.scope_type, m.scope_id, o.year
        """  # noqa: S608 (constant fragments, values bound)
    ).bindparams(*MAPPING, bindparam("periods", type_=ARRAY(Text)))


async def _spellings(ctx: Context, subject: str) -> list[str]:
    """The catalogue's spellings of a subject asked for in any case (as the api matches)."""
    rows = await ctx.session.scalars(
        text("SELECT DISTINCT subject FROM reports.fact_assessment_subject")
    )
    wanted = subject.strip().casefold()
    return [name for name in rows if name is not None and name.casefold() == wanted]


async def compute(ctx: Context, definitions: list[dict[str, Any]], known: Known) -> Known:
    """Values of every definition for every scope and period (see the module's docstring)."""
    found: Known = {}
    for definition in definitions:
        params = definition["params"]
        metric = params["metric"]
        subject, grade = params.get("subject"), params.get("grade")
        bound: dict[str, Any] = {
            "procedure": params["procedure"],
            "periods": ctx.periods,
            **ctx.mapping(),
        }
        if subject is not None:
            bound["subjects"] = await _spellings(ctx, subject)
        if grade is not None:
            bound["grade"] = grade
        query = _query(metric, subject is not None, grade is not None)
        rows = {
            (r.scope_type, r.scope_id, r.period): r for r in await ctx.session.execute(query, bound)
        }
        for scope in ctx.scopes:
            for period in ctx.periods:
                row = rows.get((scope.scope_type, scope.scope_id, period))
                key = (definition["code"], scope.scope_type, scope.scope_id, period)
                found[key] = _value(metric, scope, row)
    return found


def _value(metric: str, scope, row: Any) -> Value:
    coverage = organization_coverage(scope, row.reporting if row else 0)
    participants = row.participants if row else 0
    if metric == "participants":
        return Value(float(participants), None, None, participants, coverage)
    if row is None or not row.denominator:
        return Value(n=0, coverage=coverage)
    value = row.numerator / row.denominator
    if metric in PERCENT:
        value *= 100
    return Value(value, row.numerator, row.denominator, int(participants), coverage)
