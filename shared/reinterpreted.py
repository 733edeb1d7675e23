"""The one home of the import summaries' notes: what a reader of a file took otherwise than it
is written, said in Russian the same way by every import (data values, assessment results,
roadmap documents).

Each function returns the message of one kind of reinterpretation; the readers decide when it
applies (`shared.tabular.Cell.note` for what a cell alone says, the importers for what a
column means).
"""

import datetime as dt
import re


def decimal_text(number: float | int) -> str:
    """A number as a Russian reader writes it: 64,5; 2031 (no ".0")."""
    if isinstance(number, float) and number.is_integer():
        number = int(number)
    return str(number).replace(".", ",")


def percent_format(fraction: float | int, percent: float | int) -> str:
    """A fraction in a percent-formatted cell read as the percent it shows (0.645 -> 64.5)."""
    return f"процентный формат ячейки: {decimal_text(fraction)} → {decimal_text(percent)}"


def number_text(written: str, number: float | int, *, grouped: bool, percent: bool) -> str:
    """A number written as text with thousands separators ("1 234") and/or a percent sign
    ("64,5%") read as the number (1234, 64.5)."""
    what = " и ".join(
        part
        for part, present in (("разделитель разрядов", grouped), ("знак процента", percent))
        if present
    )
    return f"{what}: {written} → {decimal_text(number)}"


def exponent(written: str, number: float | int) -> str:
    """A number in scientific notation ("1,5E+3", as Excel writes a large one) read as the
    number (1500)."""
    return f"экспоненциальная запись: {written} → {decimal_text(number)}"


def value_text(written: str, shown: str, *, cell: bool) -> str:
    """A value given as text (a posted JSON string, an .xlsx text cell: `cell`) read as the
    number or yes/no it spells (`shown`: 64,5; да)."""
    how = "записано в ячейке текстом" if cell else "передано текстом"
    return f"значение {how} «{written[:40]}» — прочитано как {shown}"


def comma_before_three_digits(written: str, number: float | int) -> str:
    """A comma before exactly three digits ("1,234"): read as a decimal comma (1.234), though
    English writes thousands so (1234); the sender should check which was meant."""
    return (
        f"запятая перед тремя цифрами: {written} прочитано как {decimal_text(number)} "
        f"(дробь), а не {written.replace(',', '')}"
    )


def date_format(day: dt.date, granularity: str, shown: str) -> str:
    """A date cell read at the granularity its format shows ("month", "year", or
    "month_only": a month without its year, which is taken from the date the cell holds)."""
    labels = {"month": "месяц год", "year": "год", "month_only": "месяц"}
    said = f"формат даты «{labels[granularity]}»: {day.strftime('%d.%m.%Y')} → {shown}"
    return f"{said} (год взят из даты)" if granularity == "month_only" else said


def excel_serial(number: float | int, day: dt.date) -> str:
    """A number in a date or period column read as the Excel date it stands for (44713 ->
    01.06.2022: the cell lost its date format)."""
    return f"число {decimal_text(number)} — дата Excel: {day.strftime('%d.%m.%Y')}"


def year_number(year: int) -> str:
    """A whole number 1900..2100 in a period column read as that year."""
    return f"число {year} в столбце периода прочитано как год"


def academic_year_spelled(written: str, code: str) -> str:
    """A school year written another common way («2024-2025», «2024/25») read as its code."""
    return f"«{written}» прочитано как учебный год {code}"


def grade_worded(written: str, grade: int) -> str:
    """A grade level written with its word («4 класс», «4-й класс», «4 кл.») read as its number."""
    return f"класс «{written}» прочитан как {grade}"


def boolean_number(number: int, flag: bool) -> str:
    """1 or 0 read as yes or no (a yes/no indicator), said as the pages show it: «да», «нет»."""
    return f"число {number} прочитано как «{'да' if flag else 'нет'}»"


_NARROW_SPACES = "\u00a0\u202f\u2009\u2007"  # NBSP, narrow NBSP, thin and figure spaces
_ODD_SPACES = re.compile(r"[^\S ]|  |^ | $")
_SHOWN_SPACES = re.compile(r"\s{2,}|[^\S ]")


def spaces_shown(text: str) -> str:
    """A text with the spaces one cannot see made visible: every space of a run of two or
    more, and every space that is not a plain one (NBSP, tab), as "·" ("Окружающий\u00a0мир"
    -> "Окружающий·мир"; "Русский  язык" -> "Русский··язык")."""
    return _SHOWN_SPACES.sub(lambda match: "·" * len(match.group()), text)


def _space_differences(text: str) -> list[str]:
    said = []
    if any(char in _NARROW_SPACES for char in text):
        said.append("неразрывный пробел")
    if "  " in text:
        said.append("двойной пробел")
    if re.search(r"^\s|\s$", text):
        said.append("пробел в начале или в конце")
    if re.search(rf"[^\S {_NARROW_SPACES}]", text.strip()):
        said.append("пробелы")
    return said


def name_matched(what: str, written: str, matched: str, *how: str) -> str:
    """A name matched after normalising (spaces, NBSP, case, ё/е) or by another spelling (an
    abbreviation, the full name): `what` is the field's Russian noun ("процедура",
    "предмет"); the name as written on the left, its invisible spaces shown (`spaces_shown`)
    and named ("предмет: «Окружающий·мир» → Окружающий мир (неразрывный пробел)"), with what
    else the match took (`how`: "без населённого пункта")."""
    differences = _space_differences(written) if _ODD_SPACES.search(written) else []
    # (a match that took more than the spelling, `how`, differs in more than ё: not said)
    if not how and ("ё" in written.lower()) != ("ё" in matched.lower()):
        differences.append("ё/е")
    plain = [" ".join(t.split()).replace("ё", "е").replace("Ё", "Е") for t in (written, matched)]
    if plain[0] != plain[1] and plain[0].casefold() == plain[1].casefold():
        differences.append("регистр")
    differences.extend(how)
    said = f" ({', '.join(differences)})" if differences else ""
    return f"{what}: «{spaces_shown(written)}» → {matched}{said}"


def id_in_name_column(value: str) -> str:
    """An organization's column of names (ОО, Школа) holding an id-shaped value (a UUID),
    taken as the organization's id."""
    return f"в столбце названий организаций идентификатор {value}: прочитан как id"


def column_unused(title: str) -> str:
    """A column of the file no field takes."""
    return f"столбец «{title}» не используется: пропущен"


def column_untitled(label: str) -> str:
    """A column without a title that holds values, by its letter in an .xlsx ("K") or its
    number in a CSV ("3"): left out, said so."""
    return f"столбец {label} без заголовка не используется: его значения пропущены"


def header_below(line: int) -> str:
    """A table's header found below the file's first row (a title above it): those rows skipped."""
    return f"заголовок таблицы в строке {line}: строки выше пропущены"


def encoding_guessed(name: str) -> str:
    """A text file in neither UTF-8 nor UTF-16, read in the single-byte encoding it looked
    most like (`name`: "Windows-1251", "KOI8-R"), said when a row of it is refused: a wrong
    guess garbles its Russian text ("ОЕФ")."""
    return f"файл прочитан как {name}; если текст искажён, сохраните файл в UTF-8"


def sheet_taken(title: str) -> str:
    """A table read from a sheet other than the workbook's first."""
    return f"таблица прочитана с листа «{title}»"


def sheet_left_out(title: str, taken: str) -> str:
    """Another sheet holding a table with the columns too: not read (one table a file)."""
    return (
        f"лист «{title}» тоже содержит таблицу с нужными столбцами, но не прочитан: читается "
        f"только первая таблица (лист «{taken}») — загрузите лист «{title}» отдельным файлом "
        "или перенесите его строки на один лист"
    )
