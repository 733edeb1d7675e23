"""Task completion: for each task, the share of its maximum score that a group's participants
reached, pooled (Σ scores / (maximum × participants) × 100), per organization, cluster or
territory, in one SQL aggregation over the participants.

A group's participants are counted by the specification version they were checked against
(the tasks of two versions may differ), so a group has one item per version. Only the
organizations the caller may read are counted.
"""

import uuid
from dataclasses import dataclass
from typing import Any, Literal, TypeVar

from sqlalchemy import Integer, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.assessment_tasks.models import (
    AssessmentParticipant,
    AssessmentSpecification,
    AssessmentTask,
)
from services.api.assessment_tasks.schemas import CompletionRead, GroupedRead, TaskCompletion
from services.api.assessment_tasks.service import catalogue_entry
from services.api.assessment_tasks.side_by_side import add_side_by_side
from services.api.assessments.models import AssessmentProcedure, AssessmentSubject
from services.api.organizations.models import ClusterMember, Organization
from services.api.territories.scope import DbScopeResolver
from shared.identity import Principal
from shared.pagination import Pagination
from shared.school_years import paper_year
from shared.scope import readable_organizations

CompletionGroup = Literal["organization", "cluster", "territory"]
GroupedT = TypeVar("GroupedT", bound=GroupedRead)


@dataclass
class CompletionFilter:
    procedure: str
    year: str
    subject: str
    grade: int
    group_by: CompletionGroup = "organization"
    territory_id: uuid.UUID | None = None


@dataclass
class Paper:
    """The catalogue's procedure and subject, the year's code and the grade of a filter."""

    procedure: AssessmentProcedure
    subject: AssessmentSubject
    year: str
    grade: int

    def ids(self) -> dict[str, Any]:
        """The paper as stored: procedure_id, year, subject, grade."""
        return {
            "procedure_id": self.procedure.id,
            "year": self.year,
            "subject": self.subject.subject,
            "grade": self.grade,
        }

    def fields(self) -> dict[str, Any]:
        """What an aggregate's item says of its paper: procedure (code), year, subject, grade."""
        return {
            "procedure": self.procedure.code,
            "year": self.year,
            "subject": self.subject.subject,
            "grade": self.grade,
        }


async def resolved(session: AsyncSession, filters: CompletionFilter) -> Paper:
    """The paper of `filters`; Invalid (422 naming the query field) for a procedure, subject
    or year the catalogue does not have."""
    procedure, subject = await catalogue_entry(
        session, filters.procedure, filters.subject, filters.grade, where="query"
    )
    year, _ = paper_year(filters.year, where="query")  # «2024-2025» is 2024/2025
    return Paper(procedure, subject, year, filters.grade)


def group_column(group_by: CompletionGroup) -> Any:
    """The column a query `narrowed` by the same `group_by` groups participants by."""
    return {
        "organization": AssessmentParticipant.organization_id,
        "cluster": ClusterMember.cluster_id,
        "territory": Organization.territory_id,
    }[group_by]


def per_version(group_by: CompletionGroup, *columns: Any) -> tuple[Select, Any]:
    """A select of participants joined to their specification: the group's column as
    `group_id`, `specification_id`, `version`, then `columns`; and the group's column, to
    group and order by. `narrowed` by the same `group_by` adds the rest."""
    p, s = AssessmentParticipant, AssessmentSpecification
    group = group_column(group_by)
    query = select(group.label("group_id"), s.id.label("specification_id"), s.version, *columns)
    return query.select_from(p).join(s, s.id == p.specification_id), group


async def narrowed(
    query: Select,
    scopes: DbScopeResolver,
    principal: Principal,
    paper: Paper,
    filters: CompletionFilter,
) -> Select:
    """`query` over participants joined to their organization (and, by cluster, to the
    clusters' members: a school in two clusters counts in each), kept to the paper of
    `filters`, to the organizations the caller may read and to `filters.territory_id` and the
    territories under it."""
    p = AssessmentParticipant
    query = query.join(Organization, Organization.id == p.organization_id)
    if filters.group_by == "cluster":
        query = query.join(ClusterMember, ClusterMember.organization_id == p.organization_id)
    query = query.where(p.procedure_id == paper.procedure.id, p.year == paper.year)
    query = query.where(p.subject == paper.subject.subject, p.grade == paper.grade)
    readable = await readable_organizations(principal, scopes)
    if readable is not None:
        query = query.where(p.organization_id.in_(readable))
    if filters.territory_id is not None:
        subtree = await scopes.subtree(filters.territory_id)
        query = query.where(Organization.territory_id.in_(subtree))
    return query


def group_item(
    items: dict[tuple[Any, Any], Any],
    row: Any,
    paper: Paper,
    filters: CompletionFilter,
    make: type[GroupedT],
    **fields: Any,
) -> GroupedT:
    """The item of `row`'s group and specification version (`row.group_id`,
    `row.specification_id`, `row.version`) in `items`, made with `fields` on first sight."""
    key = (row.group_id, row.specification_id)
    if key not in items:
        items[key] = make(
            **paper.fields(),
            group_by=filters.group_by,
            group_id=row.group_id,
            specification_version=row.version,
            **fields,
        )
    return items[key]


async def task_completion(
    session: AsyncSession,
    scopes: DbScopeResolver,
    principal: Principal,
    page: Pagination,
    filters: CompletionFilter,
) -> tuple[list[CompletionRead], int]:
    """Per group and specification version: participants and each task's completion (%,
    rounded to 0.1), tasks in printed order, beside the group's territory's and region's
    (side_by_side.py). Invalid (422 naming the query field) for a
    procedure, subject or year the catalogue does not have."""
    paper = await resolved(session, filters)
    p, s, t = AssessmentParticipant, AssessmentSpecification, AssessmentTask
    score = func.sum(p.task_scores.op("->>")(t.number).cast(Integer))
    query, group = per_version(
        filters.group_by,
        t.number,
        t.level,
        t.max_score,
        func.count(p.id).label("participants"),
        score.label("score"),
    )
    query = (
        query.join(t, t.specification_id == s.id)
        .group_by(group, s.id, s.version, t.number, t.position, t.level, t.max_score)
        .order_by(group, s.version, t.position)
    )
    query = await narrowed(query, scopes, principal, paper, filters)
    items: dict[tuple[uuid.UUID, uuid.UUID], CompletionRead] = {}
    for row in await session.execute(query):
        item = group_item(
            items, row, paper, filters, CompletionRead, participants=row.participants, tasks=[]
        )
        completion = 100 * row.score / (row.max_score * row.participants)
        item.tasks.append(
            TaskCompletion(
                number=row.number,
                level=row.level,
                max_score=row.max_score,
                completion=round(completion, 1),
            )
        )
    await add_side_by_side(session, items, paper.ids())
    found = list(items.values())
    return found[page.offset : page.offset + page.limit], len(found)
