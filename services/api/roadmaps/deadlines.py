"""Parse the hand-written Russian deadline ("Сроки") of a roadmap activity into dates.

A wrong date is worse than no date: whatever is not understood in full comes back `unparsed`
with a reason, and a missing year is taken from the roadmap's period or not at all.
"""

import calendar
import re
from dataclasses import dataclass
from datetime import date
from typing import Literal

from services.api.roadmaps._ru_dates import MONTHS, PIECE_PATTERNS, normalise, ordinal
from shared.periods import MAX_YEAR, MIN_YEAR, SPAN_KINDS, Period, academic_year

DeadlineKind = Literal["window", "recurring", "schedule", "unparsed"]
Recurrence = Literal["yearly", "semiannual", "quarterly", "monthly", "weekly", "during_period"]


@dataclass(frozen=True)
class Deadline:
    """A parsed deadline; `due_end` is inclusive and `text` is the original cell, verbatim."""

    text: str
    kind: DeadlineKind
    due_start: date | None = None
    due_end: date | None = None
    recurrence: Recurrence | None = None
    recurrence_detail: str | None = None
    reason: str | None = None


class _Unparsed(Exception):
    """Raised with the reason why a deadline cannot be read without guessing."""


_LONG_NUMBER_RE = re.compile(r"\d{5,}")
_ON_DEMAND_RE = re.compile(r"по\s+(?:мере\s+)?(?:потребност|необходимост|запрос)[а-я]*")
_UNSUPPORTED_RE = re.compile(
    r"ежедневно(?![а-я])|(?:(?<!\d)(?:[35-9]|\d{2,})|три|пять|шесть)\s+раз[а-я]*\s+в\s"
)
_SCHEDULE_RE = re.compile(
    r"(?<![а-я])(?:по|в\s+соответствии\s+со?|согласно)\s+(?:[а-я]+\s+){0,2}?"
    r"(?:(?:график|план|срок|регламент)(?:а|у|ом|и|ы|ам|ами|ов)?|расписани[еяю])(?![а-я])"
)
_TIMES = r"(?:не\s+(?:реже|менее)\s+)?"
_ONCE = _TIMES + r"(?:(?:1|один|одного)\s+)?раза?\s+в\s+"
# Order matters: "2 раза в год" is semiannual before "раз в год" can read it as yearly, and
# "ежегодно (постоянно)" is an activity that never stops rather than a yearly event. Adverbs
# only: "ежегодный отчёт" names a product, not when it is due.
_RECURRENCES: tuple[tuple[Recurrence, re.Pattern[str]], ...] = (
    ("monthly", re.compile(rf"ежемесячно(?![а-я])|{_ONCE}месяц(?![а-я])")),
    ("weekly", re.compile(rf"еженедельно(?![а-я])|{_ONCE}неделю(?![а-я])")),
    (
        "quarterly",
        re.compile(
            rf"ежеквартально(?![а-я])|{_ONCE}квартал(?![а-я])"
            rf"|{_TIMES}(?:4|четыре)\s+раза\s+в\s+год(?![а-я])"
        ),
    ),
    (
        "semiannual",
        re.compile(
            rf"{_ONCE}(?:полугодие|полгода)(?![а-я])|{_TIMES}(?:2|два)\s+раза\s+в\s+год(?![а-я])"
        ),
    ),
    (
        "during_period",
        re.compile(
            r"постоянно|весь\s+период|в\s+течение\s+(?:всего\s+)?"
            r"(?:учебного\s+|календарного\s+|отчетного\s+)?(?:года|периода)(?![а-я])"
        ),
    ),
    ("yearly", re.compile(rf"ежегодно(?![а-я])|каждый\s+год(?![а-я])|{_ONCE}год(?![а-я])")),
)
_DETAIL_RE = re.compile(
    r"(?:перв|втор|трет|четверт|пят|последн)[а-я]*\s+"
    r"(?:понедельник|вторник|сред|четверг|пятниц|суббот|воскресень)[а-я]*"
    r"(?:\s+(?:каждого\s+)?месяца)?"
)
_CONNECTOR_RE = re.compile(r"-|(?:по|до)(?![а-я])")
_UNTIL_RE = re.compile(r"(?:до|не\s+позднее)(?:\s+(?P<end>конца))?(?![а-я])")
# Stray symbols left by OCR ("август 2021 г. •") separate pieces like a comma would.
_SEPARATOR_RE = re.compile(r"[,;•·*_¢|]|и(?![а-я])")
_FILLER_RE = re.compile(r"[().]|(?:в|во|на|с|со|течение|далее|г|гг)(?![а-я])")
_WORD_RE = re.compile(r"[а-яa-z0-9]+")
_SKIP_RE = re.compile(r"[а-яa-z0-9]+|\S")


@dataclass
class _Piece:
    """One date expression; without `fixed` it lies within one calendar year, maybe unknown."""

    first_month: int = 1
    last_month: int = 12
    first_day: int = 1  # negative: counted back from the month's end ("последняя неделя")
    last_day: int | None = None  # None: the month's last day
    year: int | None = None
    fixed: tuple[date, date] | None = None
    single_day: bool = False
    until: bool = False
    to_end: bool = False

    def key(self) -> tuple[int, int]:
        if self.fixed:
            return self.fixed[0].month, self.fixed[0].day
        return self.first_month, max(self.first_day, 1)

    def known_year(self, at_end: bool = False) -> int | None:
        if self.fixed:
            return self.fixed[1 if at_end else 0].year
        return self.year

    def span(self, year: int) -> tuple[date, date]:
        if self.fixed:
            return self.fixed
        _check_year(year)
        first_day = self.first_day
        if first_day < 0:
            first_day += calendar.monthrange(year, self.first_month)[1] + 1
        last_day = self.last_day or calendar.monthrange(year, self.last_month)[1]
        try:
            return date(year, self.first_month, first_day), date(year, self.last_month, last_day)
        except ValueError:
            raise _Unparsed("invalid date") from None


def _check_year(year: int) -> int:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _Unparsed(f"implausible year {year}")
    return year


def _numbers(m: re.Match[str], low: int, high: int, what: str) -> tuple[int, int]:
    first = ordinal(m["first"])
    last = ordinal(m["last"]) if m["last"] else first
    if first is None or last is None or not low <= first <= last <= high:
        raise _Unparsed(f"invalid {what} number")
    return first, last


def _build(kind: str, m: re.Match[str], academic: bool) -> _Piece:
    """Turn one matched date expression into a piece, checking every number in it."""
    if kind == "numeric_date":
        y = int(m["year"]) + (2000 if len(m["year"]) == 2 else 0)
        try:
            day = date(_check_year(y), int(m["month"]), int(m["day"]))
        except ValueError:
            raise _Unparsed("invalid date") from None
        return _Piece(fixed=(day, day), single_day=True)
    if kind == "year_range":
        first = _check_year(int(m["y1"]))
        tail = m["y2"] or m["y2s"]
        second = _check_year(int(tail) if len(tail) == 4 else first // 100 * 100 + int(tail))
        if m["plural"]:
            if second <= first:
                raise _Unparsed(f"invalid year range {first}-{second}")
            return _Piece(fixed=(date(first, 1, 1), date(second, 12, 31)))
        # A bare "2020-2021" is how roadmaps name an academic year; other spans are ambiguous.
        if second != first + 1:
            raise _Unparsed(f"year range {first}-{second} is not one academic year")
        school_year = academic_year(first)
        return _Piece(fixed=(school_year.start, school_year.end))
    groups = m.groupdict()
    year = _check_year(int(groups["year"])) if groups.get("year") else None
    month_number = MONTHS.get(groups.get("month") or "", 0)
    if kind == "weeks":
        if m["first"].startswith("последн") and not m["last"]:
            return _Piece(month_number, month_number, -7, None, year)
        first, last = _numbers(m, 1, 5, "week")
        return _Piece(
            month_number, month_number, 7 * first - 6, 7 * last if last < 5 else None, year
        )
    if kind == "quarters":
        first, last = _numbers(m, 1, 4, "quarter")
        return _Piece(3 * first - 2, 3 * last, year=year)
    if kind == "halves":
        first, last = _numbers(m, 1, 2, "half-year")
        if not academic:
            return _Piece(6 * first - 5, 6 * last, year=year)
        # School half-years: the first is September–December, the second January–August.
        if first != last:
            raise _Unparsed("a range of school half-years crosses a year boundary")
        return _Piece(9, 12, year=year) if first == 1 else _Piece(1, 8, year=year)
    if kind == "days":
        first, last = int(m["first"]), int(m["last"] or m["first"])
        if not 1 <= first <= last <= 31:
            raise _Unparsed("invalid day number")
        return _Piece(month_number, month_number, first, last, year, single_day=first == last)
    if kind == "month":
        return _Piece(month_number, month_number, year=year)
    assert year is not None
    return _Piece(fixed=(date(year, 1, 1), date(year, 12, 31)))


def _match_piece(text: str, pos: int, academic: bool) -> tuple[_Piece, int] | None:
    for kind, pattern in PIECE_PATTERNS.items():
        if m := pattern.match(text, pos):
            return _build(kind, m, academic), m.end()
    return None


def _scan(text: str, academic: bool, lenient: bool) -> list[list[_Piece]]:
    """Split text into groups of one piece or a two-piece range; lenient skips other words."""
    groups: list[list[_Piece]] = []
    open_group = pending_range = False
    until: re.Match[str] | None = None
    pos = 0
    while pos < len(text):
        if text[pos] == " ":
            pos += 1
            continue
        if found := _match_piece(text, pos, academic):
            piece, pos = found
            if until:
                piece.until, piece.to_end, until = True, bool(until["end"]), None
            if pending_range:
                groups[-1].append(piece)
                open_group = pending_range = False
            else:
                groups.append([piece])
                open_group = True
        elif open_group and (m := _CONNECTOR_RE.match(text, pos)):
            pending_range, open_group, pos = True, False, m.end()
        elif not pending_range and (m := _UNTIL_RE.match(text, pos)):
            until, pos = m, m.end()
        elif m := _SEPARATOR_RE.match(text, pos):
            open_group, pos = False, m.end()
        elif m := _FILLER_RE.match(text, pos):
            pos = m.end()
        elif lenient:
            skipped = _SKIP_RE.match(text, pos)
            pos = skipped.end() if skipped else pos + 1
            open_group = pending_range = False
            until = None
        else:
            # Name the first word rather than a stray symbol before it: "месяца", not "¢".
            word = _WORD_RE.search(text, pos)
            raise _Unparsed(f"unrecognised text {word.group() if word else text[pos]!r}")
    if pending_range and not lenient:
        raise _Unparsed("a range without its end")
    return groups


def _year_by_period(piece: _Piece, period: Period) -> int:
    # In an academic year September–December belong to its first year, January–August to its
    # second; judged by the piece's first month, so "III квартал" is July–September of the second.
    # A programme of several years (a span) cannot say which of its years is meant.
    if period.kind in SPAN_KINDS:
        raise _Unparsed(f"no year, and the period {period.code} spans several")
    if period.kind == "academic_year":
        return period.start.year if piece.first_month >= 9 else period.end.year
    return period.start.year


def _resolve(groups: list[list[_Piece]], period: Period | None) -> list[tuple[date, date]]:
    """Give every piece its year and return the groups' date spans."""
    spans: list[tuple[date, date]] = []
    # A trailing year covers the yearless pieces before it ("Апрель, июнь 2021 г."), but only
    # when they run in calendar order; otherwise which year is meant is a guess.
    carry: tuple[int, tuple[int, int]] | None = None
    for group in reversed(groups):
        first, last = group[0], group[-1]
        from_period = False
        if last.known_year() is not None:
            end_year = last.known_year()
        elif first.known_year(at_end=True) is not None:
            start_year = first.known_year(at_end=True)
            assert start_year is not None
            end_year = start_year if last.key() >= first.key() else start_year + 1
        elif carry is not None:
            if last.key() > carry[1]:
                raise _Unparsed("ambiguous year")
            end_year = carry[0]
        elif period is not None:
            end_year, from_period = _year_by_period(last, period), True
        else:
            raise _Unparsed("no year")
        assert end_year is not None
        if first.known_year() is not None:
            start_year = first.known_year()
        elif from_period:
            assert period is not None
            start_year = _year_by_period(first, period)
        else:
            start_year = end_year if first.key() <= last.key() else end_year - 1
        assert start_year is not None
        start, end = first.span(start_year)[0], last.span(end_year)[1]
        if end < start:
            raise _Unparsed("range ends before it starts")
        spans.append((start, end))
        if not from_period:
            carry = (start.year, (start.month, start.day))
    return spans


def _window(groups: list[list[_Piece]], period: Period | None) -> tuple[date | None, date | None]:
    spans = _resolve(groups, period)
    if not any(piece.until for group in groups for piece in group):
        return min(s for s, _ in spans), max(e for _, e in spans)
    if len(groups) != 1 or len(groups[0]) != 1:
        raise _Unparsed("'до' mixed with other dates")
    piece = groups[0][0]
    # "до ноября" may mean before November or by its end: only a day or "до конца" is exact.
    if not (piece.single_day or piece.to_end):
        raise _Unparsed("'до' with a month or year is ambiguous")
    end = spans[0][1]
    return (period.start if period and period.start <= end else None), end


def _blank(text: str, m: re.Match[str]) -> str:
    return text[: m.start()] + " " + text[m.end() :]


def parse_deadline(text: str, period: Period | None = None) -> Deadline:
    """Parse a deadline cell; `period` (the roadmap's) supplies missing years and windows."""
    try:
        return _parse(text, normalise(text), period)
    except _Unparsed as exc:
        return Deadline(text, "unparsed", reason=str(exc))


def _parse(text: str, norm: str, period: Period | None) -> Deadline:
    if not norm:
        raise _Unparsed("empty text")
    if not _WORD_RE.search(norm):
        raise _Unparsed("no date found")
    if m := _LONG_NUMBER_RE.search(norm):
        raise _Unparsed(f"invalid year {m.group()}")
    if _ON_DEMAND_RE.search(norm):
        raise _Unparsed("on demand: no fixed deadline")
    if _UNSUPPORTED_RE.search(norm):
        raise _Unparsed("unsupported frequency")
    academic = period is not None and period.kind in ("academic_year", "academic_years")
    rest = norm
    schedule = _SCHEDULE_RE.search(rest)
    if schedule:
        rest = _blank(rest, schedule)
    recurrence: Recurrence | None = None
    for name, pattern in _RECURRENCES:
        if m := pattern.search(rest):
            recurrence, rest = name, _blank(rest, m)
            break
    detail = _DETAIL_RE.search(rest) if recurrence else None
    if detail:
        rest = _blank(rest, detail)
    if not (schedule or recurrence):
        groups = _scan(rest, academic, lenient=False)
        if not groups:
            raise _Unparsed("no date found")
        return Deadline(text, "window", *_window(groups, period))
    # Recurring and schedule-bound cells carry remarks ("по предварительной записи"): only
    # their date expressions count, and the roadmap's period stands in when there are none.
    window: tuple[date | None, date | None] = (None, None)
    try:
        groups = _scan(rest, academic, lenient=True)
        if groups:
            window = _window(groups, period)
        elif period:
            window = (period.start, period.end)
    except _Unparsed:
        pass
    kind: DeadlineKind = "schedule" if schedule else "recurring"
    return Deadline(text, kind, *window, recurrence, detail.group() if detail else None)
