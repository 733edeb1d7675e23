"""Spreadsheets: uploaded .csv and .xlsx tables read into rows keyed by their header within
the upload limits, and rows written into the .xlsx files we produce as values, never formulas."""

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING, Cell
from openpyxl.worksheet.worksheet import Worksheet

from shared.errors import Invalid
from shared.tabular import Cell as TypedCell
from shared.tabular import UnsupportedTable, normalize_name, open_table
from shared.uploads import FIELD, Budget, UnreadableUpload, Upload, UploadLimits, parse_upload

MAX_ROWS = 100_000
# Russian spreadsheets write decimals with a comma ("64,5"); CSV exports keep it as text.
_DECIMAL_COMMA_RE = re.compile(r"^-?\d+,\d+$")


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if _DECIMAL_COMMA_RE.match(value):
            return value.replace(",", ".")
    return value


@dataclass(frozen=True)
class Sheet:
    """A table as an upload gives it: the header's texts (stripped) and each row with data,
    by its line in the file, as typed cells (`shared.tabular.Cell`)."""

    header: list[str]
    rows: list[tuple[int, list[TypedCell]]]


def read_sheet(
    filename: str,
    content: bytes,
    *,
    limits: UploadLimits | None = None,
    max_rows: int = MAX_ROWS,
) -> Sheet:
    """The header and the rows with data of a .csv or the first sheet of an .xlsx
    (`shared.tabular`); empty rows, also formatted ones an .xlsx ends with, are left out.

    The file is read within `limits` and at most `max_rows` rows with data; past a limit,
    UploadLimitExceeded (422, naming it); a file that cannot be read: Invalid naming `file`.
    Blocking: call it through `shared.uploads.parse_upload` from a request."""
    budget = Budget(limits or UploadLimits.defaults(), data_rows=max_rows)
    name = filename.lower()
    try:
        with open_table(filename, content, budget) as table:
            return _sheet(table.rows(0), table.first_line, budget)
    except UnsupportedTable:
        raise Invalid.at(FIELD, "Принимаются файлы .csv и .xlsx") from None
    except UnreadableUpload as exc:
        kind = ".xlsx" if name.endswith(".xlsx") else "CSV"
        raise Invalid.at(FIELD, f"Файл {kind} не читается: {exc}") from exc


def _sheet(lines: Iterator[list[TypedCell]], first_line: int, budget: Budget) -> Sheet:
    first = next(lines, None)
    if first is None:
        raise Invalid.at(FIELD, "Файл пуст")
    header = [str(h.raw or "").strip() for h in first]
    rows = []
    for line, cells in enumerate(lines, start=first_line + 1):
        if all(c.raw is None or str(c.raw).strip() == "" for c in cells):
            continue
        budget.data_row()
        rows.append((line, cells))
    return Sheet(header, rows)


def read_table(
    filename: str,
    content: bytes,
    *,
    limits: UploadLimits | None = None,
    max_rows: int = MAX_ROWS,
) -> list[tuple[int, dict[str, Any]]]:
    """(line of the file, {header: value}) for each row with data (`read_sheet`), headers in
    lower case; values as the file holds them, text stripped and a decimal comma made a point
    ("64,5" -> "64.5"). Errors as `read_sheet`."""
    sheet = read_sheet(filename, content, limits=limits, max_rows=max_rows)
    header = [h.lower() for h in sheet.header]
    rows = []
    for line, cells in sheet.rows:
        row = {h: _cell(c.raw) for h, c in zip(header, cells, strict=False) if h}
        rows.append((line, {k: v for k, v in row.items() if v not in (None, "")}))
    return rows


def header_key(title: str) -> str:
    """A column title as importers match it: case, spaces (NBSP too), `_` and ё/е aside
    ("Код  показателя" and "код_показателя" are one key)."""
    return normalize_name(title.replace("_", " "))


async def parse_sheet(upload: Upload, *, max_rows: int) -> Sheet:
    """`read_sheet` of an upload in a worker thread (`shared.uploads.parse_upload`), within
    its limits and `max_rows` rows with data: what a request handler calls."""
    limits = upload.limits
    return await parse_upload(
        limits, read_sheet, upload.filename, upload.content, limits=limits, max_rows=max_rows
    )


# Writing: every text we put in a spreadsheet is a string cell, never a formula.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
"""Leading characters a spreadsheet may take as the start of a formula (OWASP CSV injection)."""
MAX_CELL_CHARS = 32_767  # Excel's limit: a longer text makes it "repair" the file


def set_text(cell: Cell, text: str) -> None:
    """Write `text` as a string cell, whatever it looks like ("=HYPERLINK(…)", "#N/A", "-").

    A text that starts like a formula also gets Excel's quotePrefix style: the cell shows the
    text as it is, and stays text when someone edits it, as if typed with a leading
    apostrophe; the value itself is unchanged, so what we read back is what we wrote.
    Characters XML cannot hold are dropped; a text past Excel's cell limit is cut."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + "…"
    cell.value = text  # openpyxl makes "=…" a formula and "#N/A" an error: undone below
    cell.data_type = TYPE_STRING
    if text.startswith(FORMULA_TRIGGERS):
        cell.quotePrefix = True


def write_row(sheet: Worksheet, values: Sequence[Any]) -> None:
    """Append a row to `sheet`: texts through `set_text`, numbers, dates and booleans as
    they are (None: an empty cell). The one way our .xlsx writers (the reports' documents,
    the XLSForm export) put values in a sheet."""
    row: list[Any] = []
    for value in values:
        if isinstance(value, str):
            cell = Cell(sheet)
            set_text(cell, value)
            value = cell
        row.append(value)
    sheet.append(row)
