"""Recommendations and decisions a document shows, read from the reports' own tables, and
their rows (`recommendation_rows`, `decision_rows`: each decision's effect).

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
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, and_, false, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.documents import labels
from services.reports.documents.model import DecisionRow, IndicatorInfo, RecommendationRow
from services.reports.recommendations.comparability import not_comparable, not_later
from services.reports.recommendations.models import Decision, Recommendation
from services.reports.recommendations.personal import from_diagnostics
from shared.settings import get_settings

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


def recommendation_rows(
    found: list[Any], names: dict[uuid.UUID, str], indicators: dict[str, IndicatorInfo]
) -> list[RecommendationRow]:
    return [
        RecommendationRow(
            addressee=labels.ADDRESSEE_LABELS.get(r.addressee_type, r.addressee_type),
            # The school it concerns, else the addressee (a territory's authority).
            organization=names.get(r.organization_id or r.addressee_id, "—"),
            indicator=(
                indicators[r.indicator_code].name
                if r.indicator_code in indicators
                else (r.indicator_code or "—")
            ),
            text=r.text,
            status=_status(r),
            period=r.period,
        )
        for r in found
    ]


def _status(rec: Any) -> str:
    """«новая», or «новая; причина устранена 05.10.2021» once a generation found its cause
    gone (`resolved_at`, recommendations/resolution.py; the day in SOKO_TIMEZONE)."""
    label = labels.RECOMMENDATION_STATUS_LABELS.get(rec.status, rec.status)
    if getattr(rec, "resolved_at", None) is None:
        return label
    day = rec.resolved_at.astimezone(ZoneInfo(get_settings().timezone))
    return f"{label}; причина устранена {day:%d.%m.%Y}"


def decision_rows(
    found: list[tuple[Any, Any]],
    values: dict[tuple[str, str, str], float | None],
    names: dict[uuid.UUID, str],
    indicators: dict[str, IndicatorInfo],
    flags: dict[tuple[str, str, str], labels.FlagNote] | None = None,
    period: str | None = None,
    coverages: dict[tuple[str, str, str], dict[str, Any] | None] | None = None,
) -> list[DecisionRow]:
    """Each decision's effect: its value before against the same indicator and scope now
    (`values` of the report's `period`, and `flags`: the mark of flagged data in a value now,
    by the same key). A decision taken on the report period's own value (or a later one's)
    has no «стало» yet: its verdict says so (`comparability.not_later`: a value compared with
    itself is no effect). Nor is one judged whose
    value before (its kept `coverage_before`) and now (`coverages`, by the same key) are not
    comparable (recommendations/comparability.py, as `GET /v1/decisions`' effect): «… (не
    оценивается)», «оценить нельзя: значения несопоставимы: за 2021/2022 — по 1 из 3 …»."""
    rows = []
    for decision, recommendation in found:
        code = decision.indicator_code or recommendation.indicator_code
        info = indicators.get(code or "")
        scope_type = decision.scope_type or (
            "organization" if recommendation.organization_id else "territory"
        )
        scope_id = (
            decision.scope_id or recommendation.organization_id or recommendation.territory_id
        )
        key = (code or "", scope_type, str(scope_id))
        too_early = not_later(decision.period_before, period) if period else None
        after = None if too_early else values.get(key)
        unit = info.unit if info else "number"
        verdict = (
            f"оценить пока нельзя: {too_early}"
            if too_early
            else labels.effect_verdict(
                decision.value_before, after, info.direction if info else "higher"
            )
        )
        effect = labels.effect_text(decision.value_before, after, unit, scope_type)
        why = (
            None
            if too_early or after is None or decision.value_before is None
            else not_comparable(
                (decision.period_before, decision.coverage_before),
                (period or "—", (coverages or {}).get(key)),
                unit,
            )
        )
        if why:
            verdict = f"оценить нельзя: {why}"
            was = labels.value_text(decision.value_before, unit, scope_type)
            effect = f"{was} → {labels.value_text(after, unit, scope_type)} (не оценивается)"
        rows.append(
            DecisionRow(
                text=decision.text,
                decided_on=decision.decided_on,
                responsible=decision.responsible,
                indicator=info.name if info else (code or "—"),
                scope_name=names.get(scope_id, "—"),
                period_before=decision.period_before,
                before=decision.value_before,
                after=after,
                unit=unit,
                scope_type=scope_type,
                effect=effect,
                verdict=verdict,
                recommendation=recommendation.text,
                flag=None if too_early else (flags or {}).get(key),
            )
        )
    return rows
