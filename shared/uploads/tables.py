"""Rows of a worksheet, a CSV text or a plain text, taken one at a time and counted."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Iterator
from typing import Any

from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from shared.templating import ru_plural
from shared.uploads.limits import Budget, UnreadableUpload

# A line with its end, as io.StringIO(text, newline="") gives it (without its copy of the text).
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")
# Line breaks str.splitlines() honours, "\r\n" counted once below.
_LINE_BREAKS = ("\n", "\r", "\x0b", "\x0c", "\x1c", "\x1d", "\x1e", "\x85", "\u2028", "\u2029")


def sheet_rows(
    sheet: ReadOnlyWorksheet, budget: Budget, *, values_only: bool = True
) -> Iterator[tuple[Any, ...]]:
    """The values (or, not `values_only`, the read-only cells, with their number formats) of
    each row of a read-only sheet, counted as openpyxl makes them: it pads a row to the
    sheet's declared width and yields an empty row for each one a file skips."""
    for row in sheet.iter_rows(values_only=values_only):
        budget.row(len(row))
        for cell in row:
            value = cell if values_only else getattr(cell, "value", None)
            if isinstance(value, str):
                budget.text(value)
        yield row


def lines(text: str) -> Iterator[str]:
    """The lines of a text one at a time, each with its line end (\\n, \\r\\n or \\r)."""
    return (match.group() for match in _LINE.finditer(text))


def csv_rows(lines: Iterable[str], delimiter: str, budget: Budget) -> Iterator[list[str]]:
    """The rows of a CSV text given line by line; each line is measured before it is split.
    A quote opened and never closed (`"СОШ 3;2025/2026;5` and the lines after it read as one
    value to the end of the file: rows lost without a word) is UnreadableUpload naming it."""
    consumed: list[str] = []  # the lines of the row being read

    def measured() -> Iterator[str]:
        for line in lines:
            budget.text(line)
            budget.cells_ahead(line.count(delimiter) + 1)
            consumed.append(line)
            yield line

    try:
        for row in csv.reader(measured(), delimiter=delimiter):
            if len(consumed) > 1 and sum(line.count('"') for line in consumed) % 2:
                raise UnreadableUpload(_unclosed(consumed))
            if len(consumed) == 1 and _open_at_end(consumed[0], delimiter):
                raise UnreadableUpload(_unclosed(consumed))  # the file's last line
            consumed.clear()
            budget.row(len(row))
            yield row
    except csv.Error as exc:
        raise UnreadableUpload(f"строка CSV не читается: {_csv_says(str(exc))}") from exc


def _open_at_end(line: str, delimiter: str) -> bool:
    """A line whose quoted value is still open where the file ends (`"СОШ 3;2025/2026;5` as
    the last line: its cells run together into one, and the row would be refused for
    missing ones). A quote inside a value (`Школа "Ромашка`) opens nothing."""
    if line.count('"') % 2 == 0:
        return False
    try:
        next(csv.reader([line], delimiter=delimiter, strict=True), None)
    except csv.Error as exc:
        return "unexpected end of data" in str(exc)
    return False


def _unclosed(consumed: list[str]) -> str:
    """A row of many lines whose quotes do not pair: the value opened by its lone quote ran on
    to the end of the file."""
    start = consumed[0]
    shown = start if len(start) <= 60 else f"{start[:60]}…"
    return (
        f"незакрытая кавычка в строке «{shown}»: всё до конца файла ({len(consumed)} "
        f"{ru_plural(len(consumed), 'строка', 'строки', 'строк')}) "
        "прочитано как одно значение — закройте кавычку или уберите её"
    )


def _csv_says(said: str) -> str:
    """The csv module's English reason in Russian (its text stays in the log's trace)."""
    if "NUL" in said:
        return "в ней нулевой байт — это не текстовый файл?"
    if "field larger than field limit" in said:
        return "значение длиннее допустимого"
    return "кавычки или переводы строк внутри значения записаны с ошибкой"


def text_lines(text: str, budget: Budget) -> list[str]:
    """The lines of a text, refused before they are split when there are too many or one is
    too long (one line of megabytes, or megabytes of line breaks)."""
    breaks = sum(text.count(mark) for mark in _LINE_BREAKS) - text.count("\r\n")
    if breaks >= budget.limits.max_rows:
        raise budget.limits.exceeded("rows")
    lines = text.splitlines()
    for line in lines:
        budget.text(line)
    return lines
