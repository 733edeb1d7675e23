"""Low-results schools, the social context index and resilient schools of a territory: the
caller's scope (404 outside it), then the computation over the reports service's facts."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.context import context_index
from services.reports.analysis.low_results import low_results
from services.reports.analysis.resilient import resilient_with_context
from services.reports.analysis.scope import territory_organizations
from services.reports.analysis.thresholds import Thresholds
from shared.identity import Principal
from shared.periods import Period
from shared.scope import ScopeResolver

LOW_RESULTS_THRESHOLDS = (
    "min_participants",
    "low_results_mark_2_share",
    "low_results_bottom_share",
    "low_results_papers",
    "low_results_years",
)
CONTEXT_THRESHOLDS = ("context_quartile",)
RESILIENT_THRESHOLDS = ("min_participants", "context_quartile", "resilient_result_share")


def _used(t: Thresholds, names: tuple[str, ...]) -> dict[str, float]:
    return {name: getattr(t, name) for name in names}


async def low_results_of(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    territory_id: uuid.UUID,
    year: Period,
    t: Thresholds,
) -> dict[str, Any]:
    """ШНОР of the territory in `year` (analysis/low_results.py): `{territory_id, year, items,
    notes, thresholds}`. 404 for a territory outside the caller's scope."""
    organizations = await territory_organizations(principal, resolver, territory_id)
    items = await low_results(session, organizations, year, t)
    notes = [
        f"ШНОР — школа в низшей группе территории не менее чем по {t.low_results_papers} "
        f"работам в каждом из {t.low_results_years} лет подряд; учтены работы, которые "
        f"писали не менее {t.min_participants} участников"
    ]
    return {
        "territory_id": territory_id,
        "year": year.code,
        "items": items,
        "notes": notes,
        "thresholds": _used(t, LOW_RESULTS_THRESHOLDS),
    }


async def context_of(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    territory_id: uuid.UUID,
    t: Thresholds,
) -> dict[str, Any]:
    """The social context index of the territory's schools (analysis/context.py):
    `{territory_id, year: None, items, components, notes, thresholds}`. 404 for a territory
    outside the caller's scope."""
    organizations = await territory_organizations(principal, resolver, territory_id)
    found = await context_index(session, organizations, t)
    return {
        "territory_id": territory_id,
        "year": None,
        **found,
        "thresholds": _used(t, CONTEXT_THRESHOLDS),
    }


async def resilient_of(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    territory_id: uuid.UUID,
    year: Period,
    t: Thresholds,
) -> dict[str, Any]:
    """Resilient schools of the territory in `year` (analysis/resilient.py): `{territory_id,
    year, items, notes, thresholds}`; the notes say what of the context index is missing and
    when no school has both an index and a result. 404 outside the caller's scope."""
    organizations = await territory_organizations(principal, resolver, territory_id)
    items, context = await resilient_with_context(session, organizations, year, t)
    notes = list(context["notes"])
    if not items:
        notes.append(f"Нет школ и с индексом, и с результатами за {year.code}")
    elif all(item["residual"] is None for item in items):
        notes.append("Остатки не рассчитаны: для линии регрессии нужны хотя бы две школы")
    return {
        "territory_id": territory_id,
        "year": year.code,
        "items": items,
        "notes": notes,
        "thresholds": _used(t, RESILIENT_THRESHOLDS),
    }
