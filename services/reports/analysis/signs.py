"""The objectivity and task-completion answers of a territory: its organizations as the caller
may see them (404 outside the scope), the computation, and what the answer says of itself
(the thresholds used, notes in Russian)."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from services.reports.analysis.objectivity import THRESHOLDS, objectivity
from services.reports.analysis.scope import territory_organizations
from services.reports.analysis.tasks import task_profiles
from services.reports.analysis.thresholds import Thresholds
from shared.errors import NotFound
from shared.identity import Principal
from shared.periods import Period
from shared.scope import ScopeResolver


def _answer(
    territory_id: uuid.UUID,
    year: Period,
    items: list[dict[str, Any]],
    notes: list[str],
    thresholds: dict[str, float],
) -> dict[str, Any]:
    return {
        "territory_id": territory_id,
        "year": year.code,
        "items": items,
        "notes": notes,
        "thresholds": thresholds,
    }


def _few(t: Thresholds) -> str:
    return (
        f"Работы, которые в школе писали меньше {t.min_participants} участников, "
        "не анализируются: по ним признаков нет"
    )


async def objectivity_answer(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    territory_id: uuid.UUID,
    year: Period,
    t: Thresholds,
) -> dict[str, Any]:
    """`{territory_id, year, items, notes, thresholds}`: analysis/objectivity.py's items for
    the territory's organizations in `year`; NotFound (404) outside the caller's scope."""
    organizations = await territory_organizations(principal, resolver, territory_id)
    items = await objectivity(session, organizations, year, t)
    notes = [
        _few(t),
        f"Признак not_confirmed_by_gia: ВПР {year.code} сравнивается с ОГЭ (ЕГЭ) того же "
        "потока в последующие годы (ВПР в g классе — с ОГЭ через 9 − g лет); пока экзамен "
        "потока не сдан, признака нет",
        "Пороги — настройки Soko (SOKO_ANALYSIS_…), а не федеральные значения",
    ]
    return _answer(territory_id, year, items, notes, {n: getattr(t, n) for n in THRESHOLDS})


async def task_completion_answer(
    session: AsyncSession,
    principal: Principal,
    resolver: ScopeResolver,
    territory_id: uuid.UUID,
    year: Period,
    t: Thresholds,
    organization_id: uuid.UUID | None = None,
) -> dict[str, Any]:
    """`{territory_id, year, items, notes, thresholds}`: analysis/tasks.py's profiles of the
    territory's organizations in `year` (of `organization_id` alone when given; the
    territory's completion stays the whole territory's). NotFound (404) for a territory
    outside the caller's scope or an organization outside the territory."""
    organizations = await territory_organizations(principal, resolver, territory_id)
    if organization_id is not None and organization_id not in organizations:
        raise NotFound("Организация не найдена в этой территории")
    items = await task_profiles(session, organizations, year, t)
    if organization_id is not None:
        items = [item for item in items if item["organization_id"] == organization_id]
    notes = [
        _few(t),
        "Выполнение задания — сумма баллов участников / (максимальный балл × участники) × 100; "
        "по территории — суммарно по всем её школам, написавшим ту же версию спецификации",
    ]
    return _answer(territory_id, year, items, notes, {"min_participants": t.min_participants})
