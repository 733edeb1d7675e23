"""Reporting periods: academic year `2021/2022`, year `2022`, quarter `2022Q3`, month `2022-09`;
and a programme's span of consecutive school years `2021/2022-2023/2024` or calendar years
`2021-2023`, which a roadmap may have (`parse_programme_period`) but no value is reported for."""

import calendar
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from typing import Annotated, Any, Literal

from fastapi import Depends, Query
from pydantic import GetCoreSchemaHandler, GetPydanticSchema, StringConstraints
from pydantic_core import PydanticCustomError, core_schema

from shared import reinterpreted
from shared.errors import Invalid

PeriodKind = Literal["academic_year", "year", "quarter", "month", "academic_years", "years"]
SPAN_KINDS = ("academic_years", "years")  # a programme's span: no `previous`, no `next`
MAX_SPAN = 10  # years a programme may span

# Years a reported period lies in (`parse_period`): outside them typos (20221, 0202, 1900/1901
# for 2000/2001), not periods anyone reports on.
MIN_YEAR = 1950
MAX_YEAR = 2090
# Years any period may lie in: a reported period's neighbours (`previous`, `next`, as reports
# and pages step several back or ahead) stay well inside them, so stepping never fails.
_FIRST_YEAR, _LAST_YEAR = 1900, 2100

_ACADEMIC_RE = re.compile(r"(\d{4})/(\d{4})", re.ASCII)  # ASCII digits: ٢٠٢٦ is no key
_YEAR_RE = re.compile(r"\d{4}", re.ASCII)
_QUARTER_RE = re.compile(r"(\d{4})Q(\d)", re.ASCII)
_MONTH_RE = re.compile(r"(\d{4})-(\d{2})", re.ASCII)
_ACADEMIC_SPAN_RE = re.compile(r"(\d{4})/(\d{4})-(\d{4})/(\d{4})", re.ASCII)
_YEAR_SPAN_RE = re.compile(r"(\d{4})-(\d{4})", re.ASCII)

# Roadmap titles: "в 2019 - 2020 уч. году", "на 2021-2022 учебный год", "2019–2020", "на 2021 год".
_TITLE_RANGE_RE = re.compile(
    r"(?<!\d)(\d{4})\s*([-/])\s*(\d{4}|\d{2})(?!\d)\s*(?P<suffix>уч|гг|годы|годов)?"
)
_TITLE_YEAR_RE = re.compile(r"(?<![\d/-])(\d{4})(?![\d/])")
_DASHES_RE = re.compile(r"[\u2010-\u2015\u2212]")


@dataclass(frozen=True)
class Period:
    """A reporting period; `end` is inclusive."""

    code: str
    kind: PeriodKind
    start: date
    end: date

    @property
    def previous(self) -> "Period":
        """The period of the same kind one step before (2021/2022 -> 2020/2021, 2022Q1 ->
        2021Q4, 2022-01 -> 2021-12). ValueError for a programme's span (SPAN_KINDS), and
        past 1900 only: a reported period (MIN_YEAR on) has fifty years of neighbours."""
        if self.kind in SPAN_KINDS:
            raise ValueError(f"Период «{self.code}» — срок программы: предыдущего нет")
        year = self.start.year
        if self.kind == "academic_year":
            return academic_year(year - 1)
        if self.kind == "year":
            return calendar_year(year - 1)
        if self.kind == "quarter":
            number = (self.start.month - 1) // 3 + 1
            return quarter(year, number - 1) if number > 1 else quarter(year - 1, 4)
        return month(year, self.start.month - 1) if self.start.month > 1 else month(year - 1, 12)

    @property
    def next(self) -> "Period":
        """The period of the same kind one step after (2021/2022 -> 2022/2023, 2021Q4 ->
        2022Q1, 2021-12 -> 2022-01). ValueError for a programme's span (SPAN_KINDS), and past
        2100 only: a reported period (to MAX_YEAR) has ten years of neighbours."""
        if self.kind in SPAN_KINDS:
            raise ValueError(f"Период «{self.code}» — срок программы: следующего нет")
        year = self.end.year
        if self.kind == "academic_year":
            return academic_year(self.start.year + 1)
        if self.kind == "year":
            return calendar_year(year + 1)
        if self.kind == "quarter":
            number = (self.start.month - 1) // 3 + 1
            return quarter(year, number + 1) if number < 4 else quarter(year + 1, 1)
        return month(year, self.start.month + 1) if self.start.month < 12 else month(year + 1, 1)


def _check_year(year: int, code: str, low: int = _FIRST_YEAR, high: int = _LAST_YEAR) -> None:
    if not low <= year <= high:
        raise ValueError(f"Период «{code}»: год {year} вне {low}–{high}")


def _reported(period: Period) -> Period:
    """`period` as `parse_period` takes it: its years within MIN_YEAR–MAX_YEAR."""
    _check_year(period.start.year, period.code, MIN_YEAR, MAX_YEAR)
    _check_year(period.end.year, period.code, MIN_YEAR, MAX_YEAR)
    return period


def academic_year(first_year: int) -> Period:
    """The academic year starting on 1 September of `first_year`."""
    code = f"{first_year}/{first_year + 1}"
    _check_year(first_year, code)
    _check_year(first_year + 1, code)
    return Period(code, "academic_year", date(first_year, 9, 1), date(first_year + 1, 8, 31))


def calendar_year(year: int) -> Period:
    """The calendar year `year`."""
    _check_year(year, str(year))
    return Period(str(year), "year", date(year, 1, 1), date(year, 12, 31))


def quarter(year: int, number: int) -> Period:
    """Calendar quarter `number` (1..4) of `year`."""
    code = f"{year}Q{number}"
    _check_year(year, code)
    if not 1 <= number <= 4:
        raise ValueError(f"Период «{code}»: квартал — от 1 до 4, указан {number}")
    first_month = 3 * number - 2
    last_month = first_month + 2
    last_day = calendar.monthrange(year, last_month)[1]
    return Period(code, "quarter", date(year, first_month, 1), date(year, last_month, last_day))


def month(year: int, number: int) -> Period:
    """Calendar month `number` (1..12) of `year`."""
    code = f"{year}-{number:02d}"
    _check_year(year, code)
    if not 1 <= number <= 12:
        raise ValueError(f"Период «{code}»: месяц — от 01 до 12, указан {number:02d}")
    last_day = calendar.monthrange(year, number)[1]
    return Period(code, "month", date(year, number, 1), date(year, number, last_day))


def parse_period(code: str) -> Period:
    """Parse a period code such as `2021/2022`, `2022`, `2022Q3` or `2022-09`, its years within
    MIN_YEAR–MAX_YEAR (ValueError, Russian, naming what is wrong)."""
    if not isinstance(code, str):
        raise ValueError("Период должен быть строкой")
    if not code:
        raise ValueError(
            "Период не указан: ожидается, например, 2021/2022, 2022, 2022Q3 или 2022-09"
        )
    if m := _ACADEMIC_RE.fullmatch(code):
        first, second = int(m[1]), int(m[2])
        if second != first + 1:
            meant = f"{second}/{second + 1}" if second == first - 1 else f"{first}/{first + 1}"
            raise ValueError(
                f"Период «{code}»: учебный год — два соседних года по порядку, ожидается {meant}"
            )
        for year in (first, second):  # one range said for every form (not 1900–2100)
            _check_year(year, code, MIN_YEAR, MAX_YEAR)
        return _reported(academic_year(first))
    if _YEAR_RE.fullmatch(code):
        _check_year(int(code), code, MIN_YEAR, MAX_YEAR)
        return _reported(calendar_year(int(code)))
    if m := _QUARTER_RE.fullmatch(code):
        _check_year(int(m[1]), code, MIN_YEAR, MAX_YEAR)
        return _reported(quarter(int(m[1]), int(m[2])))
    if m := _MONTH_RE.fullmatch(code):
        _check_year(int(m[1]), code, MIN_YEAR, MAX_YEAR)
        return _reported(month(int(m[1]), int(m[2])))
    ascii_digits = _ascii_digits(code)
    hint = f" (цифры набраны не латинскими знаками: имелось в виду «{ascii_digits}»?)"
    raise ValueError(
        f"Период «{code}» не распознан: ожидается учебный год (2021/2022), "
        "год (2022), квартал (2022Q3) или месяц (2022-09)" + (hint if ascii_digits != code else "")
    )


# A school year as people write it (`read_period`): «2024-2025», «2024–2025», «2024 / 2025»,
# «2024/25», «2024-25», maybe followed by «уч. год», «учебный год», «уч.г.».
_SPELLED_ACADEMIC_RE = re.compile(
    r"([0-9]{4})\s*([/-])\s*([0-9]{4}|[0-9]{2})(?:\s*уч(?:ебный|\.)?\s*г(?:од|\.)?)?",
    re.IGNORECASE,
)


WRITTEN_PERIOD_MAX = 40
"""Characters of a period as a file's cell or a posted row writes it, before `read_period`
reads it («2024-2025 учебный год» is 21): the code it is read as is stored, never this."""


def read_period(code: str) -> tuple[Period, str | None]:
    """A period as a file's cell or a posted row writes it: a code `parse_period` takes, with
    no note; or a school year written another common way («2024-2025», «2024–2025», «2024 /
    2025», «2024/25», «2024-25»), read as its code (2024/2025) with a note saying so (Russian,
    for the summary's warnings). A month code stays a month (2024-09, 2011-12); two years not
    one after the other («2024-2026», «2025/24») and anything else are a ValueError naming what
    is wrong."""
    try:
        return parse_period(code), None
    except ValueError as refused:
        if not isinstance(code, str):
            raise
        written = _DASHES_RE.sub("-", code.strip())
        if not (m := _SPELLED_ACADEMIC_RE.fullmatch(written)):
            raise
        first, dash, second_text = int(m[1]), m[2] == "-", m[3]
        if len(second_text) == 2:
            before = (first - 1) % 100 == int(second_text)  # «2025-24»: years swapped
            if (first + 1) % 100 != int(second_text) and dash and not before:
                raise  # «2024-13», «2024 - 09»: a month (or none), not a school year
            if (first + 1) % 100 == int(second_text):
                second = first + 1
            else:  # «2025/24» is 2024 (also «2000/99»), else the century of the first
                second = first - 1 if before else first // 100 * 100 + int(second_text)
        else:
            second = int(second_text)
        if second != first + 1:
            if second == first:
                raise
            meant = f"{second}/{second + 1}" if second == first - 1 else f"{first}/{first + 1}"
            raise ValueError(
                f"Период «{code}»: учебный год — два соседних года по порядку, ожидается {meant}"
            ) from refused
        try:
            period = parse_period(f"{first}/{second}")
        except ValueError as exc:  # out of the years taken: said of the code as written
            raise ValueError(str(exc).replace(f"«{first}/{second}»", f"«{code}»")) from refused
        return period, reinterpreted.academic_year_spelled(code, period.code)


def _ascii_digits(text: str) -> str:
    """`text` with every decimal digit of another script (٢, ２, २) as its ASCII digit."""
    return "".join(
        str(unicodedata.decimal(ch)) if ch.isdecimal() and not ch.isascii() else ch for ch in text
    )


def parse_programme_period(code: str) -> Period:
    """A roadmap's period: a reporting period (`parse_period`), or a programme's span of 2 to
    MAX_SPAN consecutive school years `2021/2022-2023/2024` (1 September 2021 – 31 August 2024,
    kind `academic_years`) or calendar years `2021-2023` (kind `years`). ValueError (Russian)
    for anything else: the message names what is wrong."""
    if isinstance(code, str) and (m := _ACADEMIC_SPAN_RE.fullmatch(code)):
        first, last = parse_period(f"{m[1]}/{m[2]}"), parse_period(f"{m[3]}/{m[4]}")
        kind: PeriodKind = "academic_years"
    elif isinstance(code, str) and (m := _YEAR_SPAN_RE.fullmatch(code)):
        first, last = calendar_year(int(m[1])), calendar_year(int(m[2]))
        kind = "years"
    else:
        return parse_period(code)
    years = last.start.year - first.start.year + 1
    if not 2 <= years <= MAX_SPAN:
        raise ValueError(
            f"Период «{code}»: срок программы — от 2 до {MAX_SPAN} лет, первый год раньше "
            f"последнего (например, 2021/2022-2023/2024 или 2021-2023)"
        )
    return Period(code, kind, first.start, last.end)


def reporting_period_of(period: Period, today: date) -> Period:
    """The reporting period a report of something of `period` starts from: `period` itself;
    for a span of school years, the one of its last day or of `today`, whichever is earlier
    (its first, when the programme is all ahead); for a span of calendar years, the latest
    school year that ends within it and has begun by `today` (2024-2026 on 2 December 2026:
    2025/2026), or, the programme all ahead, the school year starting in its first year."""
    if period.kind == "academic_years":
        return academic_year_of(max(period.start, min(period.end, today)))
    if period.kind == "years":
        for first_year in range(period.end.year - 1, period.start.year - 2, -1):
            candidate = academic_year(first_year)
            if candidate.start <= today:
                return candidate
        return academic_year(period.start.year)
    return period


def period_or_invalid(code: str, field: str = "period", where: str = "query") -> Period:
    """The period a request names, or a 422 naming its field (`where`: query or body)."""
    try:
        return parse_period(code)
    except ValueError as exc:
        raise Invalid.at(field, str(exc), where=where) from exc


def contains(p: Period, d: date) -> bool:
    """Whether day `d` falls within `p` (both ends inclusive)."""
    return p.start <= d <= p.end


def academic_year_of(d: date) -> Period:
    """The academic year (1 September – 31 August) that day `d` belongs to."""
    return academic_year(d.year if d.month >= 9 else d.year - 1)


def period_of_roadmap(text: str) -> Period | None:
    """Best-effort period of a roadmap from its title: "на 2021-2022 учебный год" and
    "2021/22" a school year; "на 2021-2022 годы" ("гг.", "годов") and "2021-2024" (more than
    two years, no "уч.") a programme's span of calendar years `2021-2022`; "2021-2024 уч. годы"
    one of school years `2021/2022-2023/2024` (`parse_programme_period`)."""
    lowered = _DASHES_RE.sub("-", text.lower())
    if m := _TITLE_RANGE_RE.search(lowered):
        first, second_text = int(m[1]), m[3]
        second = (
            int(second_text) if len(second_text) == 4 else first // 100 * 100 + int(second_text)
        )
        calendar_years = m["suffix"] in ("гг", "годы", "годов")
        if second == first + 1 and not calendar_years:
            code = f"{first}/{second}"
        elif m["suffix"] == "уч":
            code = f"{first}/{first + 1}-{second - 1}/{second}"
        else:
            code = f"{first}-{second}"
        try:
            return parse_programme_period(code)
        except ValueError:
            return None
    if m := _TITLE_YEAR_RE.search(lowered):
        try:
            return calendar_year(int(m[1]))
        except ValueError:
            return None
    return None


# Requests: a period arrives as its code and goes on as a Period, parsed once at the edge.
PERIOD_MAX_LENGTH = 20
PERIOD_DESCRIPTION = "2021/2022, 2022, 2022Q3 or 2022-09"


def period_query(
    name: str = "period",
    *,
    description: str = PERIOD_DESCRIPTION,
    required: bool = True,
    programmes: bool = False,
) -> Callable[..., Any]:
    """A dependency reading the query parameter `name` (a code, at most 20 characters) as a
    Period (with `programmes`, a programme's span too: `parse_programme_period`); None when it
    is absent and not `required`. A malformed code is a 422 naming `["query", name]`, the
    message saying what is wrong; a missing required one FastAPI's 422."""
    parse = parse_programme_period if programmes else parse_period
    if required:

        def required_period(
            code: Annotated[
                str, Query(alias=name, max_length=PERIOD_MAX_LENGTH, description=description)
            ],
        ) -> Period:
            return _parsed(code, name, parse)

        return required_period

    def optional_period(
        code: Annotated[
            str | None, Query(alias=name, max_length=PERIOD_MAX_LENGTH, description=description)
        ] = None,
    ) -> Period | None:
        return None if code is None else _parsed(code, name, parse)

    return optional_period


def _parsed(code: str, name: str, parse: Callable[[str], Period] = parse_period) -> Period:
    try:
        return parse(code.strip())  # spaces around a typed code are no part of it
    except ValueError as exc:
        raise Invalid.at(name, str(exc), where="query") from exc


def _period_of_code(code: str) -> Period:
    try:
        return parse_period(code)
    except ValueError as exc:
        # The message is the template of a pydantic error: no braces in it.
        message = str(exc).replace("{", "(").replace("}", ")")
        raise PydanticCustomError("period", message) from exc


def _body_schema(_source: Any, _handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
    from_code = core_schema.no_info_after_validator_function(
        _period_of_code, core_schema.str_schema(max_length=PERIOD_MAX_LENGTH, strip_whitespace=True)
    )
    return core_schema.json_or_python_schema(
        json_schema=from_code,
        python_schema=core_schema.no_info_wrap_validator_function(
            lambda value, read: value if isinstance(value, Period) else read(value), from_code
        ),
        serialization=core_schema.plain_serializer_function_ser_schema(lambda p: p.code),
    )


# `?period=2021/2022` as a Period (422 naming `["query", "period"]` when malformed).
PeriodQuery = Annotated[Period, Depends(period_query())]
# The same, optional: None when absent.
OptionalPeriodQuery = Annotated[Period | None, Depends(period_query(required=False))]
# A roadmap's period, optional: a reporting period or a programme's span (`2021-2023`).
PROGRAMME_PERIOD_DESCRIPTION = (
    f"{PERIOD_DESCRIPTION}, or a programme's span: 2021/2022-2023/2024, 2021-2023"
)
OptionalProgrammePeriodQuery = Annotated[
    Period | None,
    Depends(
        period_query(required=False, programmes=True, description=PROGRAMME_PERIOD_DESCRIPTION)
    ),
]
# A body field holding a period code (a string of at most 20 characters, as documented): read
# into a Period (the spaces around it dropped), a 422 naming the field when malformed; written
# back as the code.
PeriodBody = Annotated[Period, GetPydanticSchema(_body_schema)]
# A body field holding a period code kept as text (parsed by its service): the spaces around it
# dropped, as a file's cell's are (`parse_period` itself takes the code only).
PeriodText = Annotated[str, StringConstraints(strip_whitespace=True)]
