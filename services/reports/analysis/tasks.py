"""Task-completion profiles: how a school's participants did on each task of a paper, beside
the territory, from the summary rows' task sums (`fact_assessment_result.task_scores`, the sum
of each task's scores over the school's participants; never the participants' own rows).

Completion of a task, percent 0–100 = Σ scores / (task maximum × participants) × 100 (issue
15, "per task completion"); the territory's is pooled over the given organizations' rows of
the same specification version (numerator and denominator summed, DOMAIN.md), whatever their
size, while a school's own profile is given only for a paper written by at least
`Thresholds.min_participants` of its pupils.
"""

import uuid
from typing import Any

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.thresholds import Thresholds
from shared.periods import Period

# One row per result with task sums × task of its specification: `score` the school's sum,
# `possible` the task maximum × participants. Binds :organization_ids (uuid[]) and :year.
TASK_SCORES = """
    task_scores AS (
        SELECT r.id AS result_id, r.organization_id, r.procedure_code, r.subject, r.grade,
               r.year, r.participants, r.specification_id, t.number, t.position, t.level,
               t.skill, t.max_score,
               coalesce((r.task_scores ->> t.number)::float, 0) AS score,
               (t.max_score * r.participants)::float AS possible
        FROM reports.fact_assessment_result r
        JOIN reports.fact_assessment_task t ON t.specification_id = r.specification_id
        WHERE r.organization_id = ANY(CAST(:organization_ids AS uuid[]))
          AND r.year = :year AND r.task_scores IS NOT NULL AND r.participants > 0
          AND t.max_score > 0
    ),
    territory_tasks AS (
        SELECT specification_id, number, sum(score) / sum(possible) * 100 AS completion
        FROM task_scores GROUP BY specification_id, number
    )
"""

# The profiles of one page of the papers (of :organization_id alone when not NULL), in order,
# each row with `total`, how many papers there are in all.
_PROFILES = text(
    f"""
    WITH {TASK_SCORES},
    papers AS (
        SELECT DISTINCT result_id, organization_id, procedure_code, subject, grade
        FROM task_scores
        WHERE participants >= :minimum
          AND (CAST(:organization_id AS uuid) IS NULL
               OR organization_id = CAST(:organization_id AS uuid))
    ),
    page AS (
        SELECT result_id, count(*) OVER () AS total FROM papers
        ORDER BY organization_id, procedure_code, subject, grade
        LIMIT :limit OFFSET :offset
    )
    SELECT s.organization_id, s.procedure_code, s.subject, s.grade, s.year, s.participants,
           s.specification_id, s.number, s.level, s.skill, s.max_score,
           s.score / s.possible * 100 AS completion, tt.completion AS territory_completion,
           page.total
    FROM task_scores s
    JOIN page USING (result_id)
    JOIN territory_tasks tt USING (specification_id, number)
    ORDER BY s.organization_id, s.procedure_code, s.subject, s.grade, s.position, s.number
    """  # noqa: S608 (constant fragments, values bound)
)

_PAPER = ("organization_id", "procedure_code", "subject", "grade", "year")


def paper(row: Any) -> dict[str, Any]:
    """The paper a result row is of, as the analysis' items name it: `{organization_id,
    procedure, subject, grade, year, participants}`."""
    return {
        "organization_id": row["organization_id"],
        "procedure": row["procedure_code"],
        "subject": row["subject"],
        "grade": row["grade"],
        "year": row["year"],
        "participants": row["participants"],
    }


async def task_profiles(
    session: AsyncSession, organizations: list[uuid.UUID], year: Period, t: Thresholds
) -> list[dict[str, Any]]:
    """Per organization × paper of `year` that has task sums and at least `t.min_participants`
    participants: `{organization_id, procedure, subject, grade, year, participants,
    specification_id, tasks: [{number, level, skill, max_score, completion,
    territory_completion}]}`, tasks in printed order, completions in percent 0–100 (rounded to
    0.1) and the territory's pooled over every organization of `organizations`."""
    items, _ = await task_profiles_page(session, organizations, year, t)
    return items


async def task_profiles_page(
    session: AsyncSession,
    organizations: list[uuid.UUID],
    year: Period,
    t: Thresholds,
    *,
    organization_id: uuid.UUID | None = None,
    offset: int = 0,
    limit: int | None = None,
) -> tuple[list[dict[str, Any]], int]:
    """One page of `task_profiles` (papers ordered by organization, procedure, subject and
    grade; of `organization_id` alone when given, the territory's completion staying pooled
    over every organization of `organizations`), and how many papers there are in all. The
    paging is done in SQL: a region's page costs its rows, not the region's."""
    params = {
        "organization_ids": organizations,
        "year": year.code,
        "minimum": t.min_participants,
        "organization_id": organization_id,
        "offset": offset,
        "limit": limit,
    }
    items: list[dict[str, Any]] = []
    total = 0
    for row in (await session.execute(_PROFILES, params)).mappings():
        total = row["total"]
        key = tuple(row[k] for k in _PAPER)
        if not items or items[-1]["key"] != key:
            items.append(
                {"key": key}
                | paper(row)
                | {"specification_id": row["specification_id"], "tasks": []}
            )
        items[-1]["tasks"].append(
            {
                "number": row["number"],
                "level": row["level"],
                "skill": row["skill"],
                "max_score": row["max_score"],
                "completion": round(row["completion"], 1),
                "territory_completion": round(row["territory_completion"], 1),
            }
        )
    for item in items:
        del item["key"]
    if not items and offset:
        # Past the last page: the count of the papers alone.
        _, total = await task_profiles_page(
            session, organizations, year, t, organization_id=organization_id, limit=1
        )
    return items, total
