"""Low-results schools, the social context index and resilient schools of a territory: the
answers of their endpoints, computed over the reports service's facts for the organizations
of the territory the caller may see (`Asked`, resolved by the router: 404 outside the scope)."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.context import context_index
from services.reports.analysis.low_results import low_results
from services.reports.analysis.resilient import resilient_with_context
from services.reports.analysis.thresholds import Thresholds
from shared.periods import Period

LOW_RESULTS_THRESHOLDS = (
    "min_participants",
    "low_results_mark_2_share",
    "low_results_bottom_share",
    "low_results_papers",
    "low_results_years",
)
CONTEXT_THRESHOLDS = ("context_quartile",)
RESILIENT_THRESHOLDS = ("min_participants", "context_quartile", "resilient_result_share")


@dataclass(frozen=True)
class Asked:
    """What an analysis request asks about: the territory, its organizations the caller may
    see (sorted), the request's session and the app's thresholds."""

    session: AsyncSession
    territory_id: uuid.UUID
    organizations: list[uuid.UUID]
    t: Thresholds


def _answer(
    asked: Asked, year: Period | None, found: dict[str, Any], used: tuple[str, ...]
) -> dict[str, Any]:
    """`{territory_id, year, items, notes, …found, thresholds: {the ones `used`}}`."""
    return {
        "territory_id": asked.territory_id,
        "year": year.code if year else None,
        **found,
        "thresholds": {name: getattr(asked.t, name) for name in used},
    }


async def low_results_of(asked: Asked, year: Period) -> dict[str, Any]:
    """ШНОР of the territory in `year` (analysis/low_results.py), with a note of the rule."""
    t = asked.t
    items = await low_results(asked.session, asked.organizations, year, t)
    notes = [
        f"ШНОР — школа в низшей группе территории не менее чем по {t.low_results_papers} "
        f"работам в каждом из {t.low_results_years} лет подряд; учтены работы, которые "
        f"писали не менее {t.min_participants} участников"
    ]
    return _answer(asked, year, {"items": items, "notes": notes}, LOW_RESULTS_THRESHOLDS)


async def context_of(asked: Asked) -> dict[str, Any]:
    """The social context index of the territory's schools (analysis/context.py): items,
    components and notes; `year` None."""
    found = await context_index(asked.session, asked.organizations, asked.t)
    return _answer(asked, None, found, CONTEXT_THRESHOLDS)


async def resilient_of(asked: Asked, year: Period) -> dict[str, Any]:
    """Resilient schools of the territory in `year` (analysis/resilient.py); the notes say what
    of the context index is missing, and when no school has both an index and a result."""
    items, context = await resilient_with_context(asked.session, asked.organizations, year, asked.t)
    notes = list(context["notes"])
    if not items:
        notes.append(f"Нет школ и с индексом, и с результатами за {year.code}")
    elif all(item["residual"] is None for item in items):
        notes.append("Остатки не рассчитаны: для линии регрессии нужны хотя бы две школы")
    return _answer(asked, year, {"items": items, "notes": notes}, RESILIENT_THRESHOLDS)
