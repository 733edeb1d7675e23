"""One tabular reader: an uploaded .csv or .xlsx opened into sheets of rows of typed cells, and a
text file into lines, for every reader of tables (data-value and assessment uploads through
`shared.spreadsheets`, roadmap documents, XLSForm).

- Text is decoded one way (`decode`): UTF-16 with a BOM, UTF-8 with or without a BOM, else
  Windows-1251; anything else is refused (`UndecodableText`), never read with replacements.
- A CSV's separator is `,`, `;` or a tab, whichever its first lines hold most of (`;` on a tie
  with `,`, as Russian Excel writes it).
- Every row is taken through the upload limits' counters (`shared.uploads`: `csv_rows`,
  `sheet_rows`, `text_lines`), exactly as each reader took them before.
- A cell keeps what the file holds (`Cell.raw`: a CSV's text, an .xlsx value as openpyxl gives
  it) and says what it is (`Cell.type`: number, text, date, bool, empty) and its typed `value`.

Where this grows (real-world inputs): the `sep=` hint line and more encodings in `decode` and
`delimiter`; number formats of .xlsx cells beside `raw`; more spellings of numbers and booleans
in `_classify`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from enum import StrEnum
from itertools import islice
from typing import Any

from openpyxl.workbook.workbook import Workbook

from shared.uploads import Budget, UnreadableUpload, csv_rows, lines, open_xlsx, sheet_rows
from shared.uploads import text_lines as _text_lines

TABLE_EXTENSIONS = (".csv", ".xlsx")
DELIMITERS = (";", ",", "\t")  # in the order a tie is settled
_SAMPLE_LINES = 50


class CellType(StrEnum):
    number = "number"
    text = "text"
    date = "date"
    bool = "bool"
    empty = "empty"


_NUMBER = re.compile(r"^[+-]?\d+(?:[.,]\d+)?$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
_BOOLEANS = {"true": True, "false": False, "да": True, "нет": False}


def _date(year: str, month: str, day: str) -> dt.date | None:
    try:
        return dt.date(int(year), int(month), int(day))
    except ValueError:
        return None


def _classify_text(text: str) -> tuple[CellType, Any]:
    text = text.strip()
    if not text:
        return CellType.empty, None
    if _NUMBER.match(text):
        number = text.replace(",", ".")
        return CellType.number, float(number) if "." in number else int(number)
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


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: `raw` as the file holds it (a CSV's text; an .xlsx cell's str, int, float,
    bool, datetime or None), its `type` and its typed `value`: int or float for a number,
    stripped str for text, date (or datetime with a time of day, or time) for a date, bool,
    None when empty. Text that spells a number ("64,5"), a boolean (true/false, да/нет) or a
    date (31.12.2021, 2021-12-31) is of that type, in a CSV and in an .xlsx text cell alike."""

    raw: Any

    @property
    def type(self) -> CellType:
        return _classify(self.raw)[0]

    @property
    def value(self) -> Any:
        return _classify(self.raw)[1]

    @property
    def text(self) -> str:
        """The cell as a person reads it: "" when empty, a date as 31.12.2021, a whole float
        without ".0", anything else as `str` (unstripped)."""
        raw = self.raw
        if raw is None:
            return ""
        if isinstance(raw, dt.datetime | dt.date):
            return raw.strftime("%d.%m.%Y")
        if isinstance(raw, float) and raw.is_integer():
            return str(int(raw))
        return str(raw)


class UndecodableText(UnreadableUpload):
    """A text file in none of the encodings we read (422 naming `file`)."""

    def __init__(self) -> None:
        super().__init__("текст не в кодировке UTF-8, UTF-16 или Windows-1251")


class UnsupportedTable(ValueError):
    """The file's extension is not one of TABLE_EXTENSIONS."""


def decode(content: bytes) -> str:
    """The text of a file: UTF-16 with a BOM, UTF-8 with or without a BOM, else Windows-1251.
    Raises UndecodableText when it is none of them (bytes Windows-1251 does not define)."""
    try:
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            return content.decode("utf-16")
        try:
            return content.decode("utf-8-sig")
        except UnicodeDecodeError:
            return content.decode("cp1251")
    except UnicodeDecodeError:
        raise UndecodableText() from None


def delimiter(text: str, budget: Budget) -> str:
    """The separator of a CSV text: of `;`, `,` and tab, the one its first 50 lines hold most
    of (a tie goes to the earlier in that order). The sampled lines are measured first."""
    sample = [budget.text(line) for line in islice(lines(text), _SAMPLE_LINES) if line.strip()]
    counts = {mark: sum(line.count(mark) for line in sample) for mark in DELIMITERS}
    return max(DELIMITERS, key=lambda mark: counts[mark])  # max keeps the first of equals


def read_lines(content: bytes, budget: Budget) -> list[str]:
    """The lines of a text file, decoded (`decode`) and bounded (`shared.uploads.text_lines`:
    too many lines or one too long is UploadLimitExceeded)."""
    return _text_lines(decode(content), budget)


class Table:
    """An open .csv or .xlsx file: its sheets (a CSV is one sheet named "") and their rows,
    read lazily and counted against the budget as they are taken. Close it (or use `with`)."""

    def __init__(
        self,
        sheet_names: list[str],
        raw_rows: Callable[[int], Iterator[Sequence[Any]]],
        close: Callable[[], None] = lambda: None,
    ) -> None:
        self.sheet_names = sheet_names
        self._raw_rows = raw_rows
        self._close = close

    def find(self, name: str) -> int | None:
        """The index of the first sheet called `name` (case and surrounding spaces aside)."""
        wanted = name.strip().lower()
        return next(
            (i for i, title in enumerate(self.sheet_names) if title.strip().lower() == wanted),
            None,
        )

    def rows(self, sheet: int = 0) -> Iterator[list[Cell]]:
        """The rows of a sheet, every one the file has (empty ones too, as wide as the file
        makes them). Past a limit UploadLimitExceeded; a damaged row UnreadableUpload."""
        for row in self._raw_rows(sheet):
            yield [Cell(value) for value in row]

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


def open_csv(content: bytes, budget: Budget) -> Table:
    """A CSV file as a table of one sheet: decoded (`decode`), split at its `delimiter`."""
    text = decode(content)
    mark = delimiter(text, budget)
    return Table([""], lambda _: csv_rows(lines(text), mark, budget))


def open_workbook(content: bytes, budget: Budget) -> Table:
    """An .xlsx workbook as a table of its worksheets, opened within the budget's limits
    (`shared.uploads.open_xlsx`: UploadLimitExceeded, or UnreadableUpload when damaged)."""
    workbook: Workbook = open_xlsx(content, budget.limits)
    sheets = workbook.worksheets
    return Table(
        [sheet.title for sheet in sheets],
        lambda index: sheet_rows(sheets[index], budget),
        workbook.close,
    )


def open_table(filename: str, content: bytes, budget: Budget) -> Table:
    """A .csv or .xlsx file by its extension (`open_csv`, `open_workbook`); UnsupportedTable
    for any other, UndecodableText, UnreadableUpload or UploadLimitExceeded as they say."""
    name = filename.lower()
    if name.endswith(".csv"):
        return open_csv(content, budget)
    if name.endswith(".xlsx"):
        return open_workbook(content, budget)
    raise UnsupportedTable(f"accepted extensions are {', '.join(TABLE_EXTENSIONS)}")
