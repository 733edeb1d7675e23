"""Results posted with a calendar year (2031) where the other results of their procedure use
school years (2030/2031): stored as posted, but an analysis by school year would not see them
(it matches the year as the results were posted), so the summary warns."""

import uuid
from collections import Counter
from collections.abc import Iterable
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from services.api.assessments.models import AssessmentProcedure, AssessmentResult
from shared.templating import ru_plural


def _school_years_meant(year: int, used: set[str]) -> list[str]:
    """The school years in `used` that the calendar `year` may stand for: 2031 is 2030/2031
    for a spring procedure, 2031/2032 for an autumn one."""
    return sorted(s for s in used if s in _neighbours(year))


def _neighbours(year: int) -> tuple[str, str]:
    """The school years the calendar `year` lies in."""
    return f"{year - 1}/{year}", f"{year}/{year + 1}"


async def calendar_year_warnings(
    session: AsyncSession,
    valid: Iterable[dict[str, Any]],
    procedures: Iterable[AssessmentProcedure],
    readable: set[uuid.UUID] | None,
) -> list[str]:
    """A warning (Russian) per procedure and calendar year of the `valid` rows (`year` "2031")
    whose procedure's other results, stored among the `readable` organizations (None: all) or
    in this batch, use a school year that calendar year lies in (2030/2031, 2031/2032), naming
    it. A procedure posted by calendar years, or by school years far from it, is not warned
    of. One query."""
    rows = list(valid)
    calendar = Counter((r["procedure_id"], r["year"]) for r in rows if "/" not in r["year"])
    if not calendar:
        return []
    ids = {pid for pid, _ in calendar}
    used: dict[uuid.UUID, set[str]] = {pid: set() for pid in ids}
    for r in rows:
        if r["procedure_id"] in ids and "/" in r["year"]:
            used[r["procedure_id"]].add(r["year"])
    query = (
        select(AssessmentResult.procedure_id, AssessmentResult.year)
        .where(
            AssessmentResult.procedure_id.in_(ids),
            AssessmentResult.year.in_({s for _, y in calendar for s in _neighbours(int(y))}),
        )
        .distinct()
    )
    if readable is not None:
        query = query.where(AssessmentResult.organization_id.in_(readable))
    for pid, year in await session.execute(query):
        used[pid].add(year)
    names = {p.id: p.name for p in procedures}
    messages = []
    for (pid, year), count in sorted(
        calendar.items(), key=lambda item: (names[item[0][0]], item[0][1])
    ):
        meant = _school_years_meant(int(year), used[pid])
        if not meant:
            continue  # no school year of that time in use: nothing to compare with
        results = f"{count} {ru_plural(count, 'результат', 'результата', 'результатов')}"
        messages.append(
            f"Год «{year}» — календарный, а остальные результаты «{names[pid]}» записаны по "
            f"учебному году ({', '.join(meant)}): анализ за учебный год не увидит {results} "
            f"за {year} — если имелся в виду учебный год, укажите его"
        )
    return messages
