"""Which years the territory's assessment results are of: an analysis asked for a year its
schools have no results of says so, and names the years they have, instead of answering an
empty list an analyst reads as «no school has a sign».

Results are found under the year they were posted with (README "Complex analysis"): ВПР
posted for 2021/2022 is not found under 2022. A calendar year asked where the results are of
school years names the school years it lies in (and the other way round).
"""

import uuid

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from shared.periods import Period, parse_period

# At most this many years are named, the latest first.
SHOWN = 6

_YEARS = text(
    """SELECT DISTINCT year FROM reports.fact_assessment_result
       WHERE organization_id = ANY(CAST(:organization_ids AS uuid[]))"""
)


async def result_years(session: AsyncSession, organizations: list[uuid.UUID]) -> list[Period]:
    """The years (academic or calendar, as posted) the organizations have results of, the
    latest first; a stored code that is no period is left out."""
    years = []
    for (code,) in await session.execute(_YEARS, {"organization_ids": organizations}):
        try:
            years.append(parse_period(code))
        except ValueError:
            continue
    return sorted(years, key=lambda p: (p.end, p.start), reverse=True)


def _overlapping(year: Period, years: list[Period]) -> list[Period]:
    """The years of the other kind (academic for calendar, calendar for academic) that share
    days with `year`, oldest first."""
    other = [p for p in years if p.kind != year.kind]
    return sorted(
        (p for p in other if p.start <= year.end and year.start <= p.end), key=lambda p: p.start
    )


def _codes(years: list[Period], last: str = ", ") -> str:
    codes = [p.code for p in years]
    return last.join([", ".join(codes[:-1]), codes[-1]]) if len(codes) > 1 else codes[0]


def missing_years_note(needed: list[Period], years: list[Period]) -> str | None:
    """A note (Russian) when any of the `needed` years has no results among `years` (those
    the territory's schools have, `result_years`); None when every needed year has some."""
    have = {p.code for p in years}
    missing = [p for p in needed if p.code not in have]
    if not missing:
        return None
    if not years:
        return "У школ территории нет результатов оценочных процедур: анализировать пока нечего"
    named = ", ".join(f"«{p.code}»" for p in missing)
    what = "год" if len(missing) == 1 else "годы"
    note = f"Результатов оценочных процедур за {what} {named} у школ территории нет"
    hints = [p for m in missing for p in _overlapping(m, years)]
    if hints:
        kind = "учебным годам" if hints[0].kind == "academic_year" else "календарным годам"
        unique = list(dict.fromkeys(hints))
        return f"{note}: результаты записаны по {kind} — запросите {_codes(unique, ' или ')}"
    latest = years[:SHOWN]
    more = f" и ещё {len(years) - SHOWN}" if len(years) > SHOWN else ""
    return f"{note}; они есть за {_codes(latest)}{more}"


_TASK_SUMS = text(
    """SELECT EXISTS (SELECT FROM reports.fact_assessment_result
       WHERE organization_id = ANY(CAST(:organization_ids AS uuid[])) AND year = :year
         AND task_scores IS NOT NULL)"""
)


async def task_sums_note(
    session: AsyncSession, organizations: list[uuid.UUID], year: Period
) -> str | None:
    """A note (Russian) when none of the organizations' results of `year` has task sums (no
    school posted its participants' results by task): task completion has nothing to read."""
    found = await session.scalar(_TASK_SUMS, {"organization_ids": organizations, "year": year.code})
    if found:
        return None
    return (
        f"Выполнение заданий за {year.code} не рассчитано: результаты участников по заданиям "
        "за этот год не загружены"
    )
