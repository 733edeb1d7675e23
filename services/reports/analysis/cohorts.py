"""`not_confirmed_by_gia`: a cohort's high ВПР results that its later ОГЭ (ЕГЭ) in the same
school and subject does not confirm.

The cohort of ВПР grade g in year y writes ОГЭ (grade 9) in year y + (9 − g), or ЕГЭ (grade
11) in year y + (11 − g) after a ВПР in grade 10 or 11. The year asked is the ВПР year: the
sign sits on the ВПР row of that year and is found once the cohort's exam is in the facts
(so it shows for past years, never for the current one). Quality is the share (percent) of
marks 4 and 5; for an exam without marks (ЕГЭ) the mean completion
(analysis/completion.py). A school's rank is the percent rank of its quality
among the territory's schools that wrote the same paper with at least
`Thresholds.min_participants` participants: 0 the lowest, 100 the highest (PostgreSQL
`percent_rank`: the share of the other schools with a lower value).
"""

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.completion import RESULTS
from services.reports.analysis.thresholds import Thresholds
from shared.periods import Period, academic_year, calendar_year

_MARKS = "coalesce(r.mark_2, 0) + coalesce(r.mark_3, 0) + coalesce(r.mark_4, 0) "
_MARKS += "+ coalesce(r.mark_5, 0)"

_RANKS = text(
    f"""
    WITH {RESULTS}, quality AS (
        SELECT r.id, r.organization_id, r.procedure_code, r.subject, r.grade, r.year,
               CASE WHEN {_MARKS} > 0
                    THEN (coalesce(r.mark_4, 0) + coalesce(r.mark_5, 0))::float
                         / ({_MARKS}) * 100
                    ELSE r.completion
               END AS quality
        FROM results r
        WHERE r.participants >= :minimum
          AND ((r.procedure_code = 'vpr' AND r.year = :year)
               OR (r.procedure_code = 'oge' AND r.grade = 9
                   AND r.year = ANY(CAST(:exam_years AS text[])))
               OR (r.procedure_code = 'ege' AND r.grade = 11
                   AND r.year = ANY(CAST(:exam_years AS text[]))))
    )
    SELECT id, organization_id, procedure_code, subject, grade, year, quality,
           percent_rank() OVER (PARTITION BY procedure_code, year, lower(subject), grade
                                ORDER BY quality) * 100 AS rank
    FROM quality WHERE quality IS NOT NULL
    """  # noqa: S608 (constant fragments, values bound)
)


def later(year: Period, years: int) -> Period | None:
    """The academic (calendar) year `years` after `year`; None past the periods' range."""
    try:
        if year.kind == "academic_year":
            return academic_year(year.start.year + years)
        return calendar_year(year.start.year + years)
    except ValueError:
        return None


def exam_of(grade: int, year: Period) -> tuple[str, int, str] | None:
    """The exam (procedure, grade, year code) the ВПР cohort of `grade` in `year` writes."""
    exam, exam_grade = ("oge", 9) if grade <= 9 else ("ege", 11)
    exam_year = later(year, exam_grade - grade)
    return (exam, exam_grade, exam_year.code) if exam_year else None


def _same_subject(vpr: str, exam: str) -> bool:
    """ЕГЭ splits some subjects ("Математика профильная"): its name starts with the ВПР's."""
    vpr, exam = vpr.lower(), exam.lower()
    return exam == vpr or exam.startswith(vpr + " ")


async def not_confirmed_by_gia(
    session: AsyncSession, organizations: list[uuid.UUID], year: Period, t: Thresholds
) -> dict[uuid.UUID, dict[str, Any]]:
    """The sign's evidence by ВПР result id (the rows of `year` that show it): `{vpr_quality,
    vpr_rank, exam, exam_year, exam_subject, exam_quality, exam_rank}` (percent 0–100).
    Sign when the ВПР rank ≥ `t.gia_vpr_rank` and the exam's rank ≤ `t.gia_exam_rank`."""
    exams = {grade: exam_of(grade, year) for grade in range(1, 12)}
    params = {
        "organization_ids": organizations,
        "year": year.code,
        "minimum": t.min_participants,
        "exam_years": sorted({e[2] for e in exams.values() if e}),
    }
    params["years"] = [year.code, *params["exam_years"]]
    rows = (await session.execute(_RANKS, params)).mappings().all()
    written: dict[tuple, list] = {}
    for row in rows:
        if row["procedure_code"] != "vpr":
            key = (row["organization_id"], row["procedure_code"], row["grade"], row["year"])
            written.setdefault(key, []).append(row)
    found: dict[uuid.UUID, dict[str, Any]] = {}
    for vpr in rows:
        exam = exams.get(vpr["grade"]) if vpr["procedure_code"] == "vpr" else None
        if exam is None or vpr["rank"] < t.gia_vpr_rank:
            continue
        for other in written.get((vpr["organization_id"], *exam), []):
            if _same_subject(vpr["subject"], other["subject"]) and other["rank"] <= t.gia_exam_rank:
                found[vpr["id"]] = {
                    "vpr_quality": round(vpr["quality"], 1),
                    "vpr_rank": round(vpr["rank"], 1),
                    "exam": exam[0],
                    "exam_year": exam[2],
                    "exam_subject": other["subject"],
                    "exam_quality": round(other["quality"], 1),
                    "exam_rank": round(other["rank"], 1),
                }
                break
    return found
