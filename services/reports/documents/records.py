"""Recommendations and decisions a document shows, read from the reports' own tables.

Never those addressed to a teacher, nor those told from teachers' diagnostic results of a group
(`personal.from_diagnostics`: «7 из 7 педагогов»): they are personal and a document goes to many
readers. And only those its reader may read through the API (`readable`, the condition of
`recommendations.service.visibility`): a teacher reading their school's card reads none
addressed to others, as `GET /v1/recommendations` gives them none.
Two queries per document, whatever the number of schools.
"""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.recommendations.models import Decision, Recommendation
from services.reports.recommendations.personal import from_diagnostics

PERSONAL = "teacher"


@dataclass(frozen=True)
class About:
    """What a document is about: its scope, and the indicators and schools that matter."""

    scope_type: str  # territory, cluster or organization
    scope_id: uuid.UUID
    organization_ids: frozenset[uuid.UUID]  # the scope's organizations
    indicator_codes: frozenset[str] = frozenset()
    # The schools the document follows (a roadmap's responsible ones); None: any in the scope.
    related_organization_ids: frozenset[uuid.UUID] | None = None


def _condition(about: About) -> ColumnElement[bool]:
    r = Recommendation
    if about.scope_type == "territory":
        scope = r.territory_id == about.scope_id
    elif about.scope_type == "organization":
        scope = or_(
            r.organization_id == about.scope_id,
            and_(r.addressee_type == "organization_leader", r.addressee_id == about.scope_id),
        )
    else:
        scope = r.organization_id.in_(about.organization_ids) if about.organization_ids else false()
    subject: ColumnElement[bool] | None = None
    if about.related_organization_ids is not None:
        parts = []
        if about.indicator_codes:
            parts.append(r.indicator_code.in_(sorted(about.indicator_codes)))
        if about.related_organization_ids:
            parts.append(r.organization_id.in_(about.related_organization_ids))
        subject = or_(*parts) if parts else false()
    conditions = [r.addressee_type != PERSONAL, ~from_diagnostics(), scope]
    return and_(*conditions, subject) if subject is not None else and_(*conditions)


async def recommendations(
    session: AsyncSession, about: About, period: str, readable: ColumnElement[bool]
) -> list[Recommendation]:
    """The recommendations of the period about the document's subject that the reader may
    read (`readable`), oldest first."""
    query = (
        select(Recommendation)
        .where(_condition(about), readable, Recommendation.period == period)
        .order_by(Recommendation.created_at, Recommendation.id)
    )
    return list(await session.scalars(query))


async def decisions(
    session: AsyncSession, about: About, periods: Iterable[str], readable: ColumnElement[bool]
) -> list[tuple[Decision, Recommendation]]:
    """Decisions taken on such recommendations of the given periods (those the reader may
    read: `readable`), by date."""
    query = (
        select(Decision, Recommendation)
        .join(Recommendation, Recommendation.id == Decision.recommendation_id)
        .where(_condition(about), readable, Recommendation.period.in_(list(periods)))
        .order_by(Decision.decided_on, Decision.created_at, Decision.id)
    )
    return [(d, r) for d, r in (await session.execute(query)).all()]
