"""Typed cells (`Cell`): what a cell of a .csv or .xlsx holds, what it is (number, text, date,
bool, empty), its typed value as it shows, and the spellings read as what they mean: thousands
separated by a space, NBSP or narrow NBSP (`1 234,5`), a `%` suffix, booleans да/нет,
ИСТИНА/ЛОЖЬ, true/false, dates 31.12.2021 and 2021-12-31, an .xlsx number format's percent and
date granularity. Also the shapes a cell's text is matched by (`is_id`, `normalize_name`) and
Excel serial dates (`excel_date`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from typing import Any

from shared import reinterpreted


class CellType(StrEnum):
    number = "number"
    text = "text"
    date = "date"
    bool = "bool"
    empty = "empty"


# Thousands grouped by a space, NBSP, narrow NBSP or thin space ("1 234"), a decimal comma or
# point, and an optional percent sign ("64,5 %").
_GROUP = "[ \u00a0\u202f\u2009]"
_NUMBER = re.compile(
    rf"^(?P<number>[+-]?(?:\d{{1,3}}(?:{_GROUP}\d{{3}})+|\d+)(?:[.,]\d+)?)"
    rf"(?:{_GROUP}?(?P<percent>%))?$",
    re.ASCII,  # «٥» or «５» is no number of ours: Python's \d and int() would read them as 5
)
# "1,234": a decimal comma, or thousands separated by a comma as English writes them.
_THOUSANDS_OR_DECIMAL = re.compile(r"^[+-]?\d{1,3},\d{3}$", re.ASCII)
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$", re.ASCII)
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$", re.ASCII)
_BOOLEANS = {
    "true": True,
    "false": False,
    "да": True,
    "нет": False,
    "истина": True,
    "ложь": False,
}
# Parts of a number format that are not its tokens: quoted text, escapes, [$-419] and colours.
_FORMAT_NOISE = re.compile(r'"[^"]*"|\\.|\[[^\]]*\]|_.|\*.')
_MONTHS = [
    "январь",
    "февраль",
    "март",
    "апрель",
    "май",
    "июнь",
    "июль",
    "август",
    "сентябрь",
    "октябрь",
    "ноябрь",
    "декабрь",
]


def _date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


# Longer than this, a number's text is read by float(): int() refuses more than 4300 digits
# (and str() of such an int fails again in any message that shows it).
_LONGEST_EXACT = 300


def _number(text: str) -> int | float | None:
    """The number of a cell's text matched by `_NUMBER`; None for one of more digits than
    float8 holds (no number we can read: the cell is text, and each check says which number
    it expects there, never a value the file does not hold)."""
    number = re.sub(_GROUP, "", text).replace(",", ".")
    if len(number) > _LONGEST_EXACT:
        value = float(number)
        return value if math.isfinite(value) else None
    return float(number) if "." in number else int(number)


def _classify_text(text: str) -> tuple[CellType, Any]:
    text = text.strip()
    if not text:
        return CellType.empty, None
    if (match := _NUMBER.match(text)) and (number := _number(match["number"])) is not None:
        return CellType.number, number
    if (flag := _BOOLEANS.get(text.lower())) is not None:
        return CellType.bool, flag
    date = None
    if match := _DOTTED_DATE.match(text):
        day, month, year = match.groups()
        date = _date(year, month, day)
    elif match := _ISO_DATE.match(text):
        date = _date(*match.groups())
    if date is not None:
        return CellType.date, date
    return CellType.text, text


def _classify(raw: Any) -> tuple[CellType, Any]:
    if raw is None:
        return CellType.empty, None
    if isinstance(raw, bool):
        return CellType.bool, raw
    if isinstance(raw, int | float):
        return CellType.number, raw
    if isinstance(raw, dt.datetime):
        return CellType.date, raw.date() if raw.time() == dt.time() else raw
    if isinstance(raw, dt.date | dt.time):
        return CellType.date, raw
    return _classify_text(str(raw))


def format_tokens(number_format: str | None) -> str:
    """The tokens of an Excel number format's first section, lower-cased, without quoted
    text, escapes, locale and colour brackets ("[$-419]MMMM YYYY;@" -> "mmmm yyyy")."""
    if not number_format:
        return ""
    return _FORMAT_NOISE.sub("", number_format.split(";")[0]).lower()


def granularity_of(number_format: str | None) -> str | None:
    """What a date format shows: "day", "month" (a month, with or without its year:
    "[$-419]MMMM;@" shows "Декабрь"), "year", or None when the format shows no date
    ("General", times only: an m next to h or s is minutes)."""
    tokens = format_tokens(number_format)
    if "d" in tokens:
        return "day"
    if tokens == "general" or "h" in tokens or "s" in tokens:
        return "year" if "y" in tokens and "m" not in tokens else None
    if "m" in tokens:
        return "month"
    return "year" if "y" in tokens else None


# A number format's digits: the integer part ("#,##0": grouped) and the decimal places ("0.0").
_DIGITS = re.compile(r"[#0?][#0?,]*(?:\.([#0?]*))?")


def shown_number(number: int | float, number_format: str | None) -> str:
    """A number as Excel shows it with its number format, in the Russian way: a decimal comma,
    thousands grouped by a space, a percent format's fraction as its percent ("0%": 1.5 ->
    "150 %"; "0.0%": 0.645 -> "64,5 %"), the format's decimal places (rounded half away from
    zero, as Excel rounds); "General" and formats with no digits (dates, text, exponents,
    fractions) as the number itself, to 15 significant digits (0.30000000000000004 -> "0,3")."""
    tokens = format_tokens(number_format)
    percent = "%" in tokens
    digits = _DIGITS.search(tokens) if not re.search(r"e[+-]|/", tokens) else None
    exact = Decimal(repr(number)) * (100 if percent else 1)
    if digits is None:
        text = format(float(exact), ".15g").replace("e", "E")
        if "E" not in text and "." in text:
            text = text.rstrip("0").rstrip(".")
        text = text.replace(".", ",")
    else:
        places = len(digits.group(1) or "")
        rounded = exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)
        grouping = "," if "," in digits.group(0).split(".")[0].rstrip(",") else ""
        text = format(rounded, f"{grouping}.{places}f").replace(",", " ").replace(".", ",")
    return f"{text} %" if percent else text


_SPACES = re.compile(r"\s+")
_UUID = re.compile(r"^[0-9a-f]{8}-?(?:[0-9a-f]{4}-?){3}[0-9a-f]{12}$", re.IGNORECASE)


def is_id(text: str) -> bool:
    """Whether a cell's text is shaped as an id (a UUID, with or without hyphens or braces)
    rather than a name: a column of names holding one means the id."""
    return bool(_UUID.match(text.strip().strip("{}")))


def normalize_name(text: str) -> str:
    """A name as it is matched: spaces of any kind (NBSP, doubled) made one, trimmed,
    case folded, ё as е ("Окружающий\u00a0 Мир" -> "окружающий мир")."""
    return _SPACES.sub(" ", text).strip().casefold().replace("ё", "е")


_EXCEL_EPOCH = dt.date(1899, 12, 30)
EXCEL_SERIALS = (10_000, 73_050)  # 18.05.1927 .. 31.12.2099, past every year 1900..2100


def excel_date(number: Any) -> dt.date | None:
    """The date an Excel serial number stands for (44713 -> 2022-06-01), for a number in a
    date or period column whose cell lost its date format ("General"): whole numbers in
    EXCEL_SERIALS only, so that a year (2022) is never one; None otherwise."""
    if isinstance(number, bool) or not isinstance(number, int | float):
        return None
    if not float(number).is_integer() or not EXCEL_SERIALS[0] <= number <= EXCEL_SERIALS[1]:
        return None
    return _EXCEL_EPOCH + dt.timedelta(days=int(number))


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: `raw` as the file holds it (a CSV's text; an .xlsx cell's str, int, float,
    bool, datetime or None), its `type` and its typed `value`: int or float for a number,
    stripped str for text, date (or datetime with a time of day, or time) for a date, bool,
    None when empty. Text that spells a number ("64,5", "1 234", "64,5%"), a boolean
    (true/false, да/нет, ИСТИНА/ЛОЖЬ) or a date (31.12.2021, 2021-12-31) is of that type, in a
    CSV and in an .xlsx text cell alike. `number_format` is an .xlsx cell's format (None for
    "General" and in a CSV). `formula` is an .xlsx formula that keeps no result ("=2+3", in a
    file written by a program that computes no formulas): such a cell's `raw` is None, its
    type empty, yet it is not blank (`unsaved_formula`), and it shows as its formula.
    `text_cell`: an .xlsx cell that keeps text (a CSV has only text, and none is one), where a
    number or a yes/no is a reinterpretation worth saying (`text_note`)."""

    raw: Any
    number_format: str | None = None
    formula: str | None = None
    text_cell: bool = False

    @property
    def unsaved_formula(self) -> str | None:
        """The formula of a cell that holds one without its result ("=2+3"), else None: what
        a reader must refuse rather than read as an empty cell."""
        return self.formula if self.raw is None else None

    @property
    def type(self) -> CellType:
        return _classify(self.raw)[0]

    @property
    def percent(self) -> bool:
        """A percent: text with a `%` sign, or a number in a percent format."""
        if isinstance(self.raw, str):
            match = _NUMBER.match(self.raw.strip())
            return bool(match and match["percent"])
        return self.type == CellType.number and "%" in format_tokens(self.number_format)

    @property
    def value(self) -> Any:
        """The typed value as the cell shows it: a percent-formatted fraction as its percent
        (0.645 -> 64.5, exact to the digits the file holds)."""
        kind, value = _classify(self.raw)
        if kind == CellType.number and not isinstance(self.raw, str) and self.percent:
            shown = Decimal(repr(value)) * 100
            return int(shown) if shown == shown.to_integral_value() else float(shown)
        return value

    @property
    def granularity(self) -> str | None:
        """A date cell's "day", "month" or "year", as its format shows it (a date typed as text
        or without a format: "day"); None for anything but a date."""
        if self.type != CellType.date:
            return None
        return granularity_of(self.number_format) or "day"

    @property
    def note(self) -> str | None:
        """What reading the cell reinterpreted, in Russian for an import summary
        (`shared.reinterpreted`), or None: "процентный формат ячейки: 0,645 → 64,5",
        "разделитель разрядов: 1 234 → 1234", "знак процента: 64,5% → 64,5", a comma before
        three digits ("1,234": 1.234, or 1234 in English?), "формат даты
        «месяц год»: 01.09.2031 → сентябрь 2031"."""
        raw = self.raw
        if isinstance(raw, str):
            match = _NUMBER.match(raw.strip())
            grouped = bool(match and re.search(_GROUP, match["number"]))
            if match and (grouped or match["percent"]):
                return reinterpreted.number_text(
                    raw.strip(), self.value, grouped=grouped, percent=bool(match["percent"])
                )
            if match and _THOUSANDS_OR_DECIMAL.match(match["number"]):
                return reinterpreted.comma_before_three_digits(raw.strip(), self.value)
            return None
        if self.percent:
            return reinterpreted.percent_format(raw, self.value)
        granularity = self.granularity
        if granularity in ("month", "year") and isinstance(raw, dt.date):
            shown = "month_only" if "y" not in format_tokens(self.number_format) else granularity
            return reinterpreted.date_format(raw, shown, self.text)
        return None

    @property
    def text_note(self) -> str | None:
        """What reading an .xlsx text cell as a number reinterpreted, when `note` says nothing
        of it («значение записано в ячейке текстом «64,5» — прочитано как 64,5»), else None
        (also for a CSV's cell, all text). A yes/no written as a word («да», «нет») is how
        the upload page and its template ask for one: no note (every row of a template
        filled as asked was warned of)."""
        if not self.text_cell or self.type != CellType.number or self.note:
            return None
        return reinterpreted.value_text(
            self.raw.strip(), reinterpreted.decimal_text(self.value), cell=True
        )

    @property
    def shown(self) -> str:
        """The cell as the person who wrote it sees it, for messages that quote it: a CSV's
        text as written and an .xlsx text as typed (both stripped), an .xlsx number with its
        number format applied (`shown_number`: "150 %" for 1.5 in a percent format, "40,5"),
        a boolean as Russian Excel shows it (ИСТИНА, ЛОЖЬ), a date as `text` shows it, a
        formula without its result as the formula ("=2+3")."""
        raw = self.raw
        if raw is None and self.formula:
            return self.formula
        if isinstance(raw, bool):
            return "ИСТИНА" if raw else "ЛОЖЬ"
        if isinstance(raw, int | float):
            return shown_number(raw, self.number_format)
        return self.text.strip()

    @property
    def text(self) -> str:
        """The cell as a person reads it: "" when empty, a date as 31.12.2021 (as "март 2022"
        or "2022" when its format shows only the month or the year), a whole float without
        ".0", anything else as `str` (unstripped)."""
        raw = self.raw
        if raw is None:
            return ""
        if isinstance(raw, dt.datetime | dt.date):
            granularity = granularity_of(self.number_format)
            if granularity == "month":
                return f"{_MONTHS[raw.month - 1]} {raw.year}"
            if granularity == "year":
                return str(raw.year)
            return raw.strftime("%d.%m.%Y")
        if isinstance(raw, float) and raw.is_integer():
            return str(int(raw))
        return str(raw)
