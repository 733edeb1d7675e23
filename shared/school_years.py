"""The year of an assessment paper as people write it: a school year 2024/2025 (also written
«2024-2025», «2024/25», «2024–2025 учебный год», «2024-25 уч. год») or a calendar year 2025.

The one reading of every `year` a user or a school's system types, in any service: results'
rows, participants, task specifications, the aggregates over them and the analyses' queries.
A written school year is read as a values upload reads a period (`shared.periods.read_period`);
its code (2024/2025) is what is stored and compared, never the writing."""

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import Depends, Query

from shared.errors import Invalid
from shared.periods import WRITTEN_PERIOD_MAX, Period, parse_period, read_period

YEAR_KINDS = ("academic_year", "year")
YEAR_EXPECTED = (
    "Ожидается учебный год (2025/2026; можно 2025-2026, 2025/26 или «2025-2026 учебный год») "
    "или календарный год (2026)"
)
# A result row's year that is none at all (a month, a word): its cell is said beside it.
ROW_YEAR_EXPECTED = "ожидается учебный год (2021/2022) или календарный год (2022)"
YEAR_DESCRIPTION = (
    "A school year 2025/2026 (also written 2025-2026, 2025/26, «2025-2026 учебный год») or a "
    "calendar year 2026"
)


def year_code(code: str) -> str | None:
    """`code` when it is a year as stored, a school year (2021/2022) or a calendar year (2022);
    None otherwise (a written school year «2021-2022» too: `read_year` reads it)."""
    try:
        period = parse_period(code)
    except ValueError:
        return None
    return period.code if period.kind in YEAR_KINDS else None


def read_year(written: str) -> tuple[Period, str | None]:
    """The year `written` (spaces around it dropped) and, when it was written another common
    way than its code, a note saying how it was read (Russian, for `warnings`). ValueError,
    in Russian, naming what is wrong: «Год «2025-2024»: учебный год — два соседних года по
    порядку, ожидается 2024/2025» (years swapped or apart), «Год «1900»: год 1900 вне
    1950–2090», «Год «20245» не распознан. Ожидается…», «2024-09» — не год (a month, a
    quarter)."""
    try:
        period, note = read_period(written.strip())
    except ValueError as exc:
        reason = str(exc)
        if "не распознан" in reason:  # nothing of a year: say what a year may be
            raise ValueError(f"Год «{written}» не распознан. {YEAR_EXPECTED}") from exc
        # two years swapped or apart, a year out of range: said as read_period says it
        raise ValueError(reason.replace("Период «", "Год «", 1)) from exc
    if period.kind not in YEAR_KINDS:
        raise ValueError(f"«{written}» — не год. {YEAR_EXPECTED}")
    return period, note


def paper_year(written: str, *, field: str = "year", where: str = "body") -> tuple[str, str | None]:
    """`read_year` as a request's field: the year's code (2024/2025, 2026) and the note, or
    Invalid (422) naming `field` in `where` (body, form or query) with its Russian reason."""
    try:
        period, note = read_year(written)
    except ValueError as exc:
        raise Invalid.at(field, str(exc), where=where) from exc
    return period.code, note


def row_year_problem(written: str) -> str | None:
    """None when a result row's `year` is a year (`read_year`); else why not, as a row's
    reason (its cell is said beside it): «учебный год — два соседних года по порядку,
    ожидается 2024/2025», «год 1900 вне 1950–2090», or ROW_YEAR_EXPECTED for no year at
    all (a month, a word)."""
    try:
        read_year(written)
    except ValueError as exc:
        prefix = f"Год «{written.strip()}»: "
        reason = str(exc)
        return reason.removeprefix(prefix) if reason.startswith(prefix) else ROW_YEAR_EXPECTED
    return None


def year_query(
    name: str = "year", *, required: bool = True, description: str = YEAR_DESCRIPTION
) -> Callable[..., Any]:
    """A dependency reading the query parameter `name` as a paper's year (`read_year`; at most
    WRITTEN_PERIOD_MAX characters): its Period, None when absent and not `required`. A year
    written wrongly is a 422 naming `["query", name]` in Russian."""

    def read(code: str) -> Period:
        try:
            return read_year(code)[0]
        except ValueError as exc:
            raise Invalid.at(name, str(exc), where="query") from exc

    if required:

        def required_year(
            code: Annotated[
                str, Query(alias=name, max_length=WRITTEN_PERIOD_MAX, description=description)
            ],
        ) -> Period:
            return read(code)

        return required_year

    def optional_year(
        code: Annotated[
            str | None,
            Query(alias=name, max_length=WRITTEN_PERIOD_MAX, description=description),
        ] = None,
    ) -> Period | None:
        return None if code is None else read(code)

    return optional_year


# `?year=2024-2025` as the Period 2024/2025 (422 naming `["query", "year"]` when none).
YearQuery = Annotated[Period, Depends(year_query())]
# The same, optional: None when absent.
OptionalYearQuery = Annotated[Period | None, Depends(year_query(required=False))]
