"""Score distributions (participants per primary score) per organization, cluster or
territory, and marks per class per organization: SQL aggregations over the participants the
caller may read, with the filters and access rules of task completion (`completion`).
"""

import uuid
from dataclasses import replace

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.assessment_tasks.completion import (
    CompletionFilter,
    group_item,
    narrowed,
    per_version,
    resolved,
)
from services.api.assessment_tasks.models import (
    AssessmentParticipant,
    AssessmentSpecification,
    AssessmentTask,
)
from services.api.assessment_tasks.schemas import (
    ClassMarks,
    DistributionRead,
    MarksByClassRead,
    MarkStep,
    ScoreCount,
)
from services.api.territories.scope import DbScopeResolver
from shared.identity import Principal
from shared.pagination import Pagination

MARKS = ("2", "3", "4", "5")


async def score_distribution(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    page: Pagination,
    filters: CompletionFilter,
) -> tuple[list[DistributionRead], int]:
    """Per group and specification version: participants per primary score (only the scores
    someone got, rising), the version's maximum and mark scale. Invalid (422 naming the query
    field) for a procedure, subject or year the catalogue does not have."""
    paper = await resolved(session, filters)
    p, s = AssessmentParticipant, AssessmentSpecification
    count = func.count(p.id).label("participants")
    query, group = per_version(filters.group_by, s.mark_scale, p.total_score, count)
    query = query.group_by(group, s.id, s.version, s.mark_scale, p.total_score).order_by(
        group, s.version, p.total_score
    )
    query = await narrowed(query, scopes, principal, paper, filters)
    rows = (await session.execute(query)).all()
    maxima = await _maxima(session, {row.specification_id for row in rows})
    items: dict[tuple[uuid.UUID, uuid.UUID], DistributionRead] = {}
    for row in rows:
        item = group_item(
            items,
            row,
            paper,
            filters,
            DistributionRead,
            max_score=maxima[row.specification_id],
            mark_scale=[MarkStep(**step) for step in row.mark_scale],
            participants=0,
            scores=[],
        )
        item.participants += row.participants
        item.scores.append(ScoreCount(score=row.total_score, participants=row.participants))
    found = list(items.values())
    return found[page.offset : page.offset + page.limit], len(found)


async def _maxima(session: AsyncSession, ids: set[uuid.UUID]) -> dict[uuid.UUID, int]:
    """Each specification's maximum primary score (the sum of its tasks' maxima)."""
    t = AssessmentTask
    query = (
        select(t.specification_id, func.sum(t.max_score))
        .where(t.specification_id.in_(ids))
        .group_by(t.specification_id)
    )
    return {spec_id: int(total) for spec_id, total in await session.execute(query)}


async def marks_by_class(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    page: Pagination,
    filters: CompletionFilter,
) -> tuple[list[MarksByClassRead], int]:
    """Per organization, its classes (a class not given last): participants, how many got
    each mark (2–5; zeros where the specification has no scale) and how the marks compare with
    the journal's (lowered: below it, raised: above it; participants without either mark in
    none). Invalid (422 naming the query field) as for `score_distribution`."""
    paper = await resolved(session, filters)
    p = AssessmentParticipant
    counted = [func.count(p.id).filter(p.mark == int(mark)).label(f"m{mark}") for mark in MARKS]
    query = (
        select(
            p.organization_id,
            p.class_label,
            func.count(p.id).label("participants"),
            *counted,
            func.count(p.id).filter(p.mark < p.journal_mark).label("lowered"),
            func.count(p.id).filter(p.mark == p.journal_mark).label("confirmed"),
            func.count(p.id).filter(p.mark > p.journal_mark).label("raised"),
        )
        .group_by(p.organization_id, p.class_label)
        .order_by(p.organization_id, p.class_label.nulls_last())
    )
    query = await narrowed(
        query, scopes, principal, paper, replace(filters, group_by="organization")
    )
    items: dict[uuid.UUID, MarksByClassRead] = {}
    for row in await session.execute(query):
        item = items.get(row.organization_id)
        if item is None:
            item = items[row.organization_id] = MarksByClassRead(
                **paper.fields(),
                organization_id=row.organization_id,
                participants=0,
                classes=[],
            )
        item.participants += row.participants
        item.classes.append(
            ClassMarks(
                class_label=row.class_label,
                participants=row.participants,
                marks={mark: getattr(row, f"m{mark}") for mark in MARKS},
                lowered=row.lowered,
                confirmed=row.confirmed,
                raised=row.raised,
            )
        )
    found = list(items.values())
    return found[page.offset : page.offset + page.limit], len(found)
