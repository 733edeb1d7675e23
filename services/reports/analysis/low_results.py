"""Low-results schools (школы с низкими образовательными результатами, ШНОР).

Method (ours; thresholds in `Thresholds`, README "Complex analysis"):
- A paper is a procedure × subject × grade of one year; only a school's papers written by at
  least `min_participants` count (analysis/completion.py).
- A school is in the lowest group of a paper when
  `mark_2_share`: its share of mark 2 (mark_2 / participants × 100, procedures with marks)
  is above `low_results_mark_2_share`; or
  `bottom_share`: its mean completion (analysis/completion.py) is at or below the
  `low_results_bottom_share` percentile of that paper's completions over the territory's
  schools (continuous percentile, PostgreSQL `percentile_cont`: with n schools sorted, the
  value at position p/100 × (n − 1), interpolated; so the lowest school is always at or below
  it).
- A school is ШНОР in a year Y when it is in the lowest group in at least `low_results_papers`
  papers in each of the `low_results_years` consecutive years ending with Y.
"""

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.completion import PAPERS
from services.reports.analysis.thresholds import Thresholds
from shared.periods import Period

_LOW = text(
    f"""
    WITH {PAPERS}, cut AS (
        SELECT procedure_code, subject, grade, year,
            percentile_cont(:bottom) WITHIN GROUP (ORDER BY completion) AS cut
        FROM papers WHERE completion IS NOT NULL
        GROUP BY procedure_code, subject, grade, year
    ), marked AS (
        SELECT p.*, c.cut,
            CASE WHEN p.has_marks AND p.mark_2 IS NOT NULL AND p.participants > 0
                THEN p.mark_2::float8 / p.participants * 100 END AS mark_2_share
        FROM papers p
        LEFT JOIN cut c USING (procedure_code, subject, grade, year)
    ), low AS (
        SELECT * FROM marked WHERE mark_2_share > :mark_2 OR completion <= cut
    ), low_years AS (
        SELECT organization_id FROM (
            SELECT organization_id, year FROM low
            GROUP BY organization_id, year HAVING count(*) >= :papers
        ) AS y
        GROUP BY organization_id HAVING count(*) = :years_needed
    )
    SELECT low.* FROM low JOIN low_years USING (organization_id)
    ORDER BY organization_id, year, procedure_code, subject, grade
    """  # noqa: S608 - only completion.PAPERS, a constant, is interpolated
)


def years_ending(year: Period, count: int) -> list[Period]:
    """`count` consecutive years ending with `year`, oldest first (fewer when they would
    start before the first year periods know)."""
    years = [year]
    while len(years) < count:
        try:
            years.insert(0, years[0].previous)
        except ValueError:
            break
    return years


async def low_results(
    session: AsyncSession, organizations: list[uuid.UUID], year: Period, t: Thresholds
) -> list[dict[str, Any]]:
    """The ШНОР schools among `organizations` in `year` (see the module's method), each
    `{organization_id, years: ['2020/2021', '2021/2022'], procedures: [{procedure, subject,
    grade, year, criterion 'mark_2_share'|'bottom_share', value, threshold}]}`: every paper
    of those years in which it is in the lowest group, one entry a paper (`mark_2_share` when
    both criteria hold); value and threshold in percent 0–100 (rounded to 2 places)."""
    years = [y.code for y in years_ending(year, t.low_results_years)]
    rows = await session.execute(
        _LOW,
        {
            "organization_ids": organizations,
            "years": years,
            "min_participants": t.min_participants,
            "bottom": t.low_results_bottom_share / 100,
            "mark_2": t.low_results_mark_2_share,
            "papers": t.low_results_papers,
            "years_needed": t.low_results_years,
        },
    )
    items: dict[uuid.UUID, dict[str, Any]] = {}
    for row in rows:
        item = items.setdefault(
            row.organization_id,
            {"organization_id": row.organization_id, "years": years, "procedures": []},
        )
        by_mark_2 = row.mark_2_share is not None and row.mark_2_share > t.low_results_mark_2_share
        value, threshold = (
            (row.mark_2_share, t.low_results_mark_2_share)
            if by_mark_2
            else (row.completion, row.cut)
        )
        item["procedures"].append(
            {
                "procedure": row.procedure_code,
                "subject": row.subject,
                "grade": row.grade,
                "year": row.year,
                "criterion": "mark_2_share" if by_mark_2 else "bottom_share",
                "value": round(value, 2),
                "threshold": round(threshold, 2),
            }
        )
    return list(items.values())
