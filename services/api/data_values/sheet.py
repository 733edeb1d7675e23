"""Data values as a file gives them: which column is which (English field names or their Russian
synonyms, in any case and spacing), and each row's typed cells read into a row to check.

A period typed as a number (2031) is that year; a date cell is the period its format shows
(month and year: that month; a year: that year; a whole date is refused, never guessed); a
value may be a percent (64,5 % as text, or 0.645 in a percent format: 64.5); an .xlsx text cell
that spells a number or a yes/no («64,5», «да») is read as it, and said. A number that is
an Excel date (44713: a date cell saved as "General") is that date, refused as a period like any
whole date; a UUID in the organization-name column is the organization's id. What was read
otherwise than written is kept in `notes`, for the summary's warnings."""

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from services.api.organizations.matching import ORGANIZATION_HEADERS
from shared import reinterpreted
from shared.periods import MAX_YEAR, MIN_YEAR
from shared.spreadsheets import column_field
from shared.tabular import Cell, CellType, excel_date, is_id

_DAY_NOT_PERIOD = "укажите учебный год, год, квартал или месяц"

_SYNONYMS = {
    "indicator_code": (
        "indicator code",
        "indicator",
        "code",
        "код показателя",
        "показатель",
        "код",
    ),
    **ORGANIZATION_HEADERS,
    "period": ("period", "период", "учебный год", "год"),
    "value": ("value", "значение"),
}
COLUMNS = {title: name for name, titles in _SYNONYMS.items() for title in titles}


def columns(headers: list[str]) -> list[str | None]:
    """The field of each column (`shared.bulk.Importer.columns`), by a title or a title with a
    unit or qualifier ("Значение, %", "Значение показателя": `column_field`); a name column is
    used only when the file has no organization_id column."""
    fields = [column_field(header, COLUMNS) for header in headers]
    if "organization_id" in fields:
        fields = [None if f == "organization" else f for f in fields]
    return fields


@dataclass
class SheetItem:
    """A file's row: the fields a posted row carries (`fields`), an organization's name when
    no id is given, whether the value is a percent, and what was reinterpreted."""

    fields: dict[str, Any]
    organization: str | None = None
    percent: bool = False
    notes: list[tuple[str, str]] = field(default_factory=list)
    problems: list[tuple[str, str]] = field(default_factory=list)


def _period(cell: Cell, item: SheetItem) -> str | None:
    raw = cell.raw
    if cell.type == CellType.number and (day := excel_date(cell.value)) is not None:
        # a date that lost its format (also in a CSV Excel wrote): a day, as it shows no other
        problem = f"{reinterpreted.excel_serial(cell.value, day)}; {_DAY_NOT_PERIOD}"
        item.problems.append(("period", problem))
        return None
    if cell.type == CellType.number and not isinstance(raw, str):
        number = cell.value
        if float(number).is_integer() and MIN_YEAR <= number <= MAX_YEAR:
            item.notes.append(("period", reinterpreted.year_number(int(number))))
            return str(int(number))
        return cell.text
    if cell.type == CellType.date and isinstance(raw, dt.date):
        granularity = cell.granularity
        if granularity == "month":
            code = f"{raw.year}-{raw.month:02d}"
        elif granularity == "year":
            code = str(raw.year)
        else:
            problem = f"дата {raw.strftime('%d.%m.%Y')} вместо периода: {_DAY_NOT_PERIOD}"
            item.problems.append(("period", problem))
            return None
        item.notes.append(("period", f"{cell.note} (период {code})"))
        return code
    return cell.text.strip()


def _value(cell: Cell, item: SheetItem) -> Any:
    if cell.type in (CellType.bool, CellType.number):
        item.percent = cell.percent
        if note := cell.note or cell.text_note:
            item.notes.append(("value", note))
        return cell.value
    return cell.text.strip()


def from_cells(cells: dict[str, Cell]) -> SheetItem:
    """A file's row ({field: non-empty cell}) as a SheetItem."""
    item = SheetItem({})
    for name in ("indicator_code", "organization_id"):
        if name in cells:
            item.fields[name] = cells[name].text.strip()
    if "organization" in cells and "organization_id" not in cells:
        name = cells["organization"].text.strip()
        if is_id(name):
            item.fields["organization_id"] = name
            item.notes.append(("organization_id", reinterpreted.id_in_name_column(name)))
        else:
            item.organization = name
    if "period" in cells:
        item.fields["period"] = _period(cells["period"], item)
    if "value" in cells:
        item.fields["value"] = _value(cells["value"], item)
    return item
