"""The sheets of an XLSForm workbook as rows of text, as pyxform reads them, within the
upload limits; and which columns our definition can hold."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from services.surveys.instruments.xlsform_common import (
    CHOICES,
    SETTINGS,
    SURVEY,
    Problems,
    XLSFormError,
)
from services.surveys.instruments.xlsform_survey import SourceRow
from shared.tabular import Table
from shared.uploads import Budget

# What each sheet may hold: columns without `::` and the bases of translated ones. Anything
# else pyxform would read (media, defaults, parameters, triggers, bind::/body::/instance::
# columns, delivery settings) our definition cannot hold, so a cell of it is refused.
_SURVEY_COLUMNS = frozenset(
    {
        "type",
        "name",
        "label",
        "hint",
        "required",
        "required_message",
        "relevant",
        "constraint",
        "constraint_message",
        "choice_filter",
        "calculation",
        "appearance",
        "competence",
        "points",
        "positive",
        "allow_unsure",
    }
)
_TRANSLATED = frozenset({"label", "hint", "required_message", "constraint_message"})
# `version` numbers our own versions; the rest are pyxform's switches for reading the sheets.
_SETTINGS_COLUMNS = frozenset(
    {
        "form_title",
        "form_id",
        "version",
        "default_language",
        "kind",
        "audience",
        "description",
        "source",
        "allow_choice_duplicates",
        "clean_text_values",
    }
)


@dataclass
class Sheet:
    """A sheet's cleaned headers (None for an empty one) and its rows, blank ones included."""

    name: str
    headers: list[str | None]
    rows: list[SourceRow] = field(default_factory=list)

    def filled(self) -> list[SourceRow]:
        return [row for row in self.rows if any(row.cells.values())]


def _text(value: Any) -> str:
    """A cell as pyxform reads it: stripped text, a whole float without `.0`."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return str(value)
    return str(value).replace("\xa0", " ").strip()


def _header(value: Any) -> str | None:
    """`Label ` → `label`; `label::Russian (ru)` keeps the language as written."""
    text = " ".join(_text(value).split())
    if not text:
        return None
    base, sep, language = text.partition("::")
    return base.strip().lower() + (f"::{language.strip()}" if sep else "")


def read_sheet(table: Table, budget: Budget, name: str) -> Sheet | None:
    """The sheet of this name (case and spaces aside), None when the workbook has none."""
    index = table.find(name)
    if index is None:
        return None
    lines = ([cell.raw for cell in row] for row in table.rows(index))
    headers = [_header(cell) for cell in next(lines, [])]
    sheet = Sheet(name, headers)
    seen: set[str] = set()
    for column, header in enumerate(headers):
        if header is not None and header in seen:
            raise XLSFormError(f"столбец {header} повторяется", sheet=name, row=1, column=header)
        if header is not None:
            seen.add(header)
        del column
    limits = budget.limits
    filled = 0
    for number, line in enumerate(lines, 2):
        cells = {
            header: _text(line[i])
            for i, header in enumerate(headers)
            if header is not None and i < len(line) and _text(line[i])
        }
        if cells:
            filled += 1
            if filled > limits.max_xlsform_rows:
                raise limits.exceeded("xlsform_rows")
        sheet.rows.append(SourceRow(name, number, cells))
    while sheet.rows and not sheet.rows[-1].cells:
        sheet.rows.pop()
    return sheet


def check_columns(sheets: dict[str, Sheet | None]) -> None:
    """XLSFormError naming, for each column our definition cannot hold, its first filled cell."""
    problems = Problems()
    for name, allowed in ((SURVEY, _SURVEY_COLUMNS), (SETTINGS, _SETTINGS_COLUMNS)):
        sheet = sheets[name]
        named: set[str] = set()
        for row in sheet.filled() if sheet else []:
            for column in row.cells:
                base, sep, _ = column.partition("::")
                if (base in allowed and (not sep or base in _TRANSLATED)) or column in named:
                    continue
                named.add(column)
                problems.add(
                    row.error(
                        column,
                        f"столбец {column} не поддерживается: Soko не может сохранить его "
                        "значения (удалите столбец или оставьте его пустым)",
                    )
                )
    choices = sheets[CHOICES]
    named = set()
    for row in choices.filled() if choices else []:
        for column in row.cells:
            base, sep, _ = column.partition("::")
            unsupported = (sep and base != "label") or base in {"media", "image", "audio", "video"}
            if unsupported and column not in named:
                named.add(column)
                problems.add(
                    row.error(
                        column,
                        f"столбец {column} не поддерживается: Soko не может сохранить его значения",
                    )
                )
    problems.check()


def require(sheet: Sheet, *columns: str) -> None:
    """XLSFormError at the header row when one of `columns` (or a translation of it) is absent."""
    present = {h.split("::", 1)[0] for h in sheet.headers if h}
    for column in columns:
        if column not in present:
            raise XLSFormError(
                f"нет обязательного столбца {column}", sheet=sheet.name, row=1, column=column
            )
