"""Spreadsheets: uploaded .csv and .xlsx tables read into rows keyed by their header within
the upload limits, and rows written into the .xlsx files we produce as values, never formulas."""

import re
import unicodedata
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, TYPE_STRING, Cell
from openpyxl.worksheet.worksheet import Worksheet

from shared import reinterpreted
from shared.errors import Invalid
from shared.tabular import (
    SINGLE_BYTE_ENCODINGS,
    Table,
    UnsupportedTable,
    normalize_name,
    open_table,
)
from shared.tabular import Cell as TypedCell
from shared.uploads import FIELD, Budget, UnreadableUpload, Upload, UploadLimits, parse_upload

MAX_ROWS = 100_000
HEADER_SEARCH_ROWS = 20  # rows of each sheet looked through for the header
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
    by its line in the file, as typed cells (`shared.tabular.Cell`); `notes` say in Russian
    where the header was found when it is not the first row of the first sheet."""

    header: list[str]
    rows: list[tuple[int, list[TypedCell]]]
    notes: list[str] = field(default_factory=list)
    separator: str | None = None  # a CSV's separator (None: an .xlsx)
    encoding: str | None = None  # a CSV's encoding (`shared.tabular.decoded`; None: an .xlsx)
    column_label: Callable[[int], str] = lambda position: str(position + 1)

    def column(self, position: int) -> str:
        """The 0-based column `position` as a person finds it: its letter in an .xlsx ("D"),
        its number in a CSV ("4"), and its header where it has one ("D «Значение»")."""
        label = self.column_label(position)
        title = self.header[position] if position < len(self.header) else ""
        return f"{label} «{title}»" if title else label


Missing = Callable[[list[str]], list[str]]
"""Given a row's texts as the file has them (an importer keys them with `header_key`), the
names of the required columns it lacks (none: the row is the header)."""


def read_sheet(
    filename: str,
    content: bytes,
    *,
    limits: UploadLimits | None = None,
    max_rows: int = MAX_ROWS,
    missing: Missing | None = None,
) -> Sheet:
    """The header and the rows with data of a .csv or the first sheet of an .xlsx
    (`shared.tabular`); empty rows, also formatted ones an .xlsx ends with, are left out.

    With `missing`, the header is the first row (of the first HEADER_SEARCH_ROWS of each
    sheet, sheet by sheet) that lacks no required column: rows above it (a title) are skipped
    and the sheet it is on is read, both said in `Sheet.notes`; when no row has them all,
    Invalid naming `file`, the columns the closest row lacks and the titles it has
    (`columns_not_found`: "не найдены столбцы: …; прочитаны заголовки: …").

    The file is read within `limits` and at most `max_rows` rows with data; past a limit,
    UploadLimitExceeded (422, naming it); a file that cannot be read: Invalid naming `file`.
    Blocking: call it through `shared.uploads.parse_upload` from a request."""
    budget = Budget(limits or UploadLimits.defaults(), data_rows=max_rows)
    name = filename.lower()
    try:
        with open_table(filename, content, budget) as table:
            if missing is None:
                return _sheet(table, table.rows(0), table.first_line, budget)
            return _find_sheet(table, missing, budget)
    except UnsupportedTable:
        raise Invalid.at(FIELD, "Принимаются файлы .csv и .xlsx") from None
    except UnreadableUpload as exc:
        kind = ".xlsx" if name.endswith(".xlsx") else "CSV"
        raise Invalid.at(FIELD, f"Файл {kind} не читается: {exc}") from exc


def _texts(cells: list[TypedCell]) -> list[str]:
    return [str(c.raw if c.raw is not None else "").strip() for c in cells]


def _find_sheet(table: Table, missing: Missing, budget: Budget) -> Sheet:
    closest: list[str] | None = None
    read: list[str] = []  # the titles of the closest row
    for index, title in enumerate(table.sheet_names):
        lines = table.rows(index)
        for position, cells in enumerate(lines):
            if position >= HEADER_SEARCH_ROWS:
                break
            texts = _texts(cells)
            if not any(texts):
                continue
            lacking = missing(texts)
            if lacking and (closest is None or len(lacking) < len(closest)):
                closest, read = lacking, texts
            if lacking:
                continue
            first_line = table.first_line + position
            sheet = _sheet(table, lines, first_line, budget, header=texts)
            if position:
                sheet.notes.append(reinterpreted.header_below(first_line))
            if index:
                sheet.notes.append(reinterpreted.sheet_taken(title))
            sheet.notes.extend(
                reinterpreted.sheet_left_out(other, title)
                for other in _tables_after(table, index, missing)
            )
            return sheet
    if closest is None:
        raise Invalid.at(FIELD, "Файл пуст")
    raise Invalid.at(FIELD, columns_not_found(closest, read, table.encoding))


def _tables_after(table: Table, taken: int, missing: Missing) -> list[str]:
    """The titles of the sheets after the `taken` one whose first HEADER_SEARCH_ROWS rows
    hold a row with every column too: a table the import does not read, never left out
    unsaid."""
    found = []
    for index in range(taken + 1, len(table.sheet_names)):
        for position, cells in enumerate(table.rows(index)):
            if position >= HEADER_SEARCH_ROWS:
                break
            texts = _texts(cells)
            if any(texts) and not missing(texts):
                found.append(table.sheet_names[index])
                break
    return found


def formula_without_result(formula: str) -> str:
    """Why a cell holding a formula with no saved result (an .xlsx written by a program that
    computes no formulas: `Cell.unsaved_formula`) is refused rather than read as empty; the
    formula cut past FORMULA_CHARS characters ("…")."""
    if len(formula) > FORMULA_CHARS:
        formula = formula[: FORMULA_CHARS - 1] + "…"
    return (
        f"в ячейке формула {formula} без сохранённого результата — откройте файл в Excel "
        "и сохраните его или впишите значение"
    )


# What Excel writes in a cell whose formula failed: in an .xlsx always in English; in a CSV
# saved by a Russian Excel in Russian. No value of ours is spelt so.
EXCEL_ERRORS = {
    "#NULL!": "пустое пересечение",
    "#DIV/0!": "деление на ноль",
    "#VALUE!": "неверный тип данных",
    "#REF!": "неверная ссылка",
    "#NAME?": "неизвестное имя",
    "#NUM!": "неверное число",
    "#N/A": "нет данных",
    "#SPILL!": "не хватает места для результата",
    "#CALC!": "ошибка вычисления",
    "#ПУСТО!": "пустое пересечение",
    "#ДЕЛ/0!": "деление на ноль",
    "#ЗНАЧ!": "неверный тип данных",
    "#ССЫЛКА!": "неверная ссылка",
    "#ИМЯ?": "неизвестное имя",
    "#ЧИСЛО!": "неверное число",
    "#Н/Д": "нет данных",
}


def excel_error(raw: Any) -> str | None:
    """Why a cell holding an Excel formula's error («#DIV/0!», «#Н/Д») is refused: the formula
    failed in the file, and no value is there to read; None for any other cell."""
    if not isinstance(raw, str) or (said := EXCEL_ERRORS.get(raw.strip().upper())) is None:
        return None
    return (
        f"в ячейке ошибка Excel «{raw.strip()}» ({said}) вместо значения — исправьте "
        "формулу в файле или впишите значение"
    )


FORMULA_CHARS = 100
SAID_TITLES, SAID_TITLE_CHARS = 10, 40  # of the titles a "не найдены столбцы" 422 repeats


# What a control or format character of a title is shown as: a binary file read as text
# filled the message with them (and U+0000 cannot be stored or sent in JSON by some clients).
UNSHOWN = "\ufffd"


def _shown(title: str) -> str:
    return "".join(UNSHOWN if unicodedata.category(c) in ("Cc", "Cf") else c for c in title)


def columns_not_found(lacking: list[str], read: list[str], encoding: str | None) -> str:
    """Why a file has no table: the required columns no row has ("не найдены столбцы:
    период, значение"), the titles of the row closest to a header as read (the first
    SAID_TITLES, each cut past SAID_TITLE_CHARS characters) and, for a text file read in a
    guessed single-byte encoding, which one: a wrong guess garbles the titles."""
    titles = [_shown(" ".join(title.split())) for title in read if title.strip()]
    said = [
        f"«{t[: SAID_TITLE_CHARS - 1]}…»" if len(t) > SAID_TITLE_CHARS else f"«{t}»"
        for t in titles[:SAID_TITLES]
    ]
    if len(titles) > SAID_TITLES:
        said.append(f"и ещё {len(titles) - SAID_TITLES}")
    message = f"не найдены столбцы: {', '.join(lacking)}; прочитаны заголовки: {', '.join(said)}"
    shown = "".join(titles)
    if shown and shown.count(UNSHOWN) * 10 >= len(shown):
        return message + (
            "; в заголовках много непечатаемых символов — похоже, это не таблица в тексте "
            "(CSV), а другой файл: сохраните таблицу как CSV или .xlsx"
        )
    if guessed := SINGLE_BYTE_ENCODINGS.get(encoding or ""):
        message += (
            f"; файл прочитан в кодировке {guessed} — если заголовки выглядят иначе, "
            "сохраните файл в UTF-8"
        )
    return message


def _blank(cell: TypedCell) -> bool:
    """Nothing in the cell: no value, nor a formula without its result."""
    return not cell.unsaved_formula and (cell.raw is None or str(cell.raw).strip() == "")


def _sheet(
    table: Table,
    lines: Iterator[list[TypedCell]],
    first_line: int,
    budget: Budget,
    *,
    header: list[str] | None = None,
) -> Sheet:
    if header is None:
        first = next(lines, None)
        if first is None:
            raise Invalid.at(FIELD, "Файл пуст")
        header = _texts(first)
    rows = []
    for line, cells in enumerate(lines, start=first_line + 1):
        if all(_blank(c) for c in cells):
            continue
        budget.data_row()
        rows.append((line, cells))
    return Sheet(
        header,
        rows,
        separator=table.separator,
        encoding=table.encoding,
        column_label=table.column_label,
    )


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


# Words after a column's title saying whose it is ("Значение показателя"), not another column.
_OF_THE_INDICATOR = re.compile(r"^(?:показателя|индикатора|критерия)(?![^\W_])")
_QUALIFIER_WORDS = re.compile(r"[^\W_]+|%")
# Qualifiers that make a column another one: "Показатель (наименование)" is no indicator code.
_OTHER_THAN_ITS_TITLE = {"наименование", "название", "примечание", "комментарий", "пояснение"}


def column_field(key: str, titles: dict[str, str]) -> str | None:
    """The field of a column by its title (`header_key`) among `titles` ({title: field}):
    a title itself, or one followed by a unit or qualifier: after a mark ("значение, %",
    "период (учебный год)", "код показателя (id)") or by whose it is ("значение показателя",
    "значение показателя, %"). A qualifier that names another column ("код (оо)"), another
    word ("код оо", "год рождения") or another thing ("показатель (наименование)",
    "значение (примечание)") makes it no column (None): a file's own columns are never
    guessed. Two columns taken for one field are the importer's repeated columns."""
    if (field := titles.get(key)) is not None:
        return field
    for title in sorted(titles, key=len, reverse=True):
        rest = key[len(title) :].strip()
        if not key.startswith(title) or not rest or key[len(title)].isalnum():
            continue
        if whose := _OF_THE_INDICATOR.match(rest):
            rest = rest[whose.end() :].strip()
            if not rest:
                return titles[title]
        if rest[0].isalnum():
            continue
        words = _QUALIFIER_WORDS.findall(rest)
        named = {titles.get(" ".join(words)), *(titles.get(word) for word in words)}
        if named <= {None, titles[title]} and _OTHER_THAN_ITS_TITLE.isdisjoint(words):
            return titles[title]
    return None


async def parse_sheet(upload: Upload, *, max_rows: int, missing: Missing | None = None) -> Sheet:
    """`read_sheet` of an upload in a worker thread (`shared.uploads.parse_upload`), within
    its limits and `max_rows` rows with data, its header found by `missing`: what a request
    handler calls."""
    limits = upload.limits
    return await parse_upload(
        limits,
        read_sheet,
        upload.filename,
        upload.content,
        limits=limits,
        max_rows=max_rows,
        missing=missing,
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
