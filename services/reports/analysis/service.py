"""Objectivity signs, task completion, low-results schools, the social context index and
resilient schools of a territory: the answers of their endpoints, computed over the reports
service's facts for the organizations of the territory the caller may see (`Asked`, resolved
by the router: 404 outside the scope)."""

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.context import context_index
from services.reports.analysis.labels import SIGN_NAMES
from services.reports.analysis.low_results import low_results, years_ending
from services.reports.analysis.objectivity import RISK_AT_LEAST, objectivity
from services.reports.analysis.objectivity import THRESHOLDS as OBJECTIVITY_THRESHOLDS
from services.reports.analysis.resilient import resilient_with_context
from services.reports.analysis.tasks import task_profiles_page
from services.reports.analysis.thresholds import Thresholds
from services.reports.analysis.years import missing_years_note, result_years, task_sums_note
from shared.errors import NotFound
from shared.pagination import Pagination
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


async def _years_notes(asked: Asked, needed: list[Period]) -> list[str]:
    """A note naming the years the territory's schools have results of, when one of `needed`
    has none (analysis/years.py): an empty answer is then told apart from «no sign»."""
    note = missing_years_note(needed, await result_years(asked.session, asked.organizations))
    return [note] if note else []


def _few(t: Thresholds) -> str:
    return (
        f"Работы, которые в школе писали меньше {t.min_participants} участников, "
        "не анализируются: по ним признаков нет"
    )


async def objectivity_of(
    asked: Asked, year: Period, page: Pagination, risk: str | None = None
) -> dict[str, Any]:
    """Objectivity signs of the territory's organizations in `year` (analysis/objectivity.py):
    one page of the items (with `risk` 'low': those with a sign, 'high': high risk only), their
    total, and notes on what is and is not analysed."""
    items = await objectivity(asked.session, asked.organizations, year, asked.t)
    if risk is not None:
        items = [i for i in items if i["risk"] in RISK_AT_LEAST[risk]]
    notes = [
        *await _years_notes(asked, [year]),
        _few(asked.t),
        f"Признак «{SIGN_NAMES['not_confirmed_by_gia']}»: ВПР {year.code} сравнивается с ОГЭ "
        "(ЕГЭ) того же "
        "потока в последующие годы (ВПР в g классе — с ОГЭ через 9 − g лет); пока экзамен "
        "потока не сдан, признака нет",
        "Пороги — настройки Soko (SOKO_ANALYSIS_…), а не федеральные значения",
    ]
    found = {
        "items": items[page.offset : page.offset + page.limit],
        "total": len(items),
        "notes": notes,
    }
    return _answer(asked, year, found, OBJECTIVITY_THRESHOLDS)


async def task_completion_of(
    asked: Asked, year: Period, page: Pagination, organization_id: uuid.UUID | None = None
) -> dict[str, Any]:
    """One page of the task-completion profiles of the territory's organizations in `year`
    (analysis/tasks.py; of `organization_id` alone when given, the territory's completion
    staying the whole territory's) and their total. NotFound (404) for an organization outside
    the territory."""
    if organization_id is not None and organization_id not in asked.organizations:
        raise NotFound("Организация не найдена в этой территории")
    items, total = await task_profiles_page(
        asked.session,
        asked.organizations,
        year,
        asked.t,
        organization_id=organization_id,
        offset=page.offset,
        limit=page.limit,
    )
    notes = await _years_notes(asked, [year])
    if not notes and not total:
        schools = [organization_id] if organization_id else asked.organizations
        note = await task_sums_note(asked.session, schools, year)
        notes = [note] if note else []
    notes += [
        _few(asked.t),
        "Выполнение задания — сумма баллов участников / (максимальный балл × участники) × 100; "
        "по территории — суммарно по всем её школам, написавшим ту же версию спецификации",
    ]
    found = {"items": items, "total": total, "notes": notes}
    return _answer(asked, year, found, ("min_participants",))


async def low_results_of(asked: Asked, year: Period) -> dict[str, Any]:
    """ШНОР of the territory in `year` (analysis/low_results.py), with a note of the rule."""
    t = asked.t
    items = await low_results(asked.session, asked.organizations, year, t)
    notes = [
        *await _years_notes(asked, years_ending(year, t.low_results_years)),
        f"ШНОР — школа в низшей группе территории не менее чем по {t.low_results_papers} "
        f"работам в каждом из {t.low_results_years} лет подряд; учтены работы, которые "
        f"писали не менее {t.min_participants} участников",
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
    notes = [*await _years_notes(asked, [year]), *context["notes"]]
    if not items:
        notes.append(f"Нет школ и с индексом, и с результатами за {year.code}")
    elif all(item["residual"] is None for item in items):
        notes.append("Остатки не рассчитаны: для линии регрессии нужны хотя бы две школы")
    return _answer(asked, year, {"items": items, "notes": notes}, RESILIENT_THRESHOLDS)
