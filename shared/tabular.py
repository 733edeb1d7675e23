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

- Excel's `sep=;` hint line names the separator and is not a row (`Table.first_line` says
  which line of the file the first row is); UTF-16 without a BOM is recognised by its zero bytes.
- Spellings people and Excel use are read as what they mean: thousands separated by a space,
  NBSP or narrow NBSP (`1 234,5`), a `%` suffix (`Cell.percent`), booleans да/нет, ИСТИНА/ЛОЖЬ,
  true/false. An .xlsx cell keeps its number format (`Cell.number_format`): a percent format
  makes its fraction the percent it shows (0.645 → 64.5), a date format the granularity it
  shows (`Cell.granularity`: day, month or year). `Cell.note` says in Russian what was
  reinterpreted, for the import summaries.
- `merged_ranges` gives a worksheet's merged cells (read-only sheets do not keep them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum
from itertools import islice
from typing import Any

from openpyxl.utils.cell import coordinate_to_tuple
from openpyxl.workbook.workbook import Workbook
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from shared import reinterpreted
from shared.uploads import Budget, UnreadableUpload, csv_rows, lines, open_xlsx, sheet_rows
from shared.uploads import text_lines as _text_lines

TABLE_EXTENSIONS = (".csv", ".xlsx")
DELIMITERS = (";", ",", "\t")  # in the order a tie is settled
_SAMPLE_LINES = 50
_MERGE_CELL = f"{{{SHEET_MAIN_NS}}}mergeCell"


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
    rf"(?:{_GROUP}?(?P<percent>%))?$"
)
# "1,234": a decimal comma, or thousands separated by a comma as English writes them.
_THOUSANDS_OR_DECIMAL = re.compile(r"^[+-]?\d{1,3},\d{3}$")
_DOTTED_DATE = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")
_ISO_DATE = re.compile(r"^(\d{4})-(\d{2})-(\d{2})$")
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


def _number(text: str) -> int | float:
    number = re.sub(_GROUP, "", text).replace(",", ".")
    return float(number) if "." in number else int(number)


def _classify_text(text: str) -> tuple[CellType, Any]:
    text = text.strip()
    if not text:
        return CellType.empty, None
    if match := _NUMBER.match(text):
        return CellType.number, _number(match["number"])
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
    "General" and in a CSV)."""

    raw: Any
    number_format: str | None = None

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


class UndecodableText(UnreadableUpload):
    """A text file in none of the encodings we read (422 naming `file`)."""

    def __init__(self) -> None:
        super().__init__("текст не в кодировке UTF-8, UTF-16 или Windows-1251")


class UnsupportedTable(ValueError):
    """The file's extension is not one of TABLE_EXTENSIONS."""


def _utf16_without_bom(content: bytes) -> str | None:
    """ "utf-16-le" or "utf-16-be" when every other byte of the start is zero, as in Latin and
    digits written in UTF-16 without a byte-order mark (no text of ours has zeros otherwise)."""
    head = content[:4096]
    if len(head) < 4 or len(head) % 2:
        return None
    odd, even = head[1::2], head[0::2]
    if odd.count(0) >= len(odd) * 0.3 and not even.count(0):
        return "utf-16-le"
    if even.count(0) >= len(even) * 0.3 and not odd.count(0):
        return "utf-16-be"
    return None


def decode(content: bytes) -> str:
    """The text of a file: UTF-16 with a BOM (or without one, recognised by its zero bytes),
    UTF-8 with or without a BOM, else Windows-1251. Raises UndecodableText when it is none of
    them (bytes Windows-1251 does not define)."""
    try:
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            return content.decode("utf-16")
        if encoding := _utf16_without_bom(content):
            return content.decode(encoding)
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
        *,
        first_line: int = 1,
    ) -> None:
        self.sheet_names = sheet_names
        self._raw_rows = raw_rows
        self._close = close
        self.first_line = first_line  # the file's line of the first row (2 after `sep=;`)

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
            yield [value if isinstance(value, Cell) else Cell(value) for value in row]

    def merged_ranges(self, sheet: int = 0) -> list[tuple[int, int, int, int]]:
        """The merged cells of a sheet as (first row, first column, last row, last column),
        0-based as `rows` gives them; none in a CSV."""
        return []

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Table:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()


_SEP_HINT = re.compile(r'^"?sep=(.)"?[ \t]*(?:\r\n|\r|\n|$)', re.IGNORECASE)


def open_csv(content: bytes, budget: Budget) -> Table:
    """A CSV file as a table of one sheet: decoded (`decode`), split at the separator its
    `sep=` first line names (Excel's hint, not a row) or else at its `delimiter`."""
    text = decode(content)
    if hint := _SEP_HINT.match(text):
        mark, text = hint.group(1), text[hint.end() :]
        return Table([""], lambda _: csv_rows(lines(text), mark, budget), first_line=2)
    mark = delimiter(text, budget)
    return Table([""], lambda _: csv_rows(lines(text), mark, budget))


class _Workbook(Table):
    def __init__(self, workbook: Workbook, budget: Budget) -> None:
        sheets = workbook.worksheets
        super().__init__(
            [sheet.title for sheet in sheets],
            lambda index: _typed_rows(sheets[index], budget),
            workbook.close,
        )
        self._sheets = sheets

    def merged_ranges(self, sheet: int = 0) -> list[tuple[int, int, int, int]]:
        ranges = []
        source = self._sheets[sheet]
        with source._get_source() as xml:  # read-only sheets drop <mergeCells>: read them
            for _, element in iterparse(xml):
                if element.tag == _MERGE_CELL and (ref := element.get("ref")):
                    low, _, high = ref.partition(":")
                    high = high or low
                    (row, column), (last_row, last_column) = map(coordinate_to_tuple, (low, high))
                    ranges.append((row - 1, column - 1, last_row - 1, last_column - 1))
                element.clear()
        return ranges


def _typed_rows(sheet: Any, budget: Budget) -> Iterator[list[Cell]]:
    for row in sheet_rows(sheet, budget, values_only=False):
        yield [
            Cell(
                cell.value, None if cell.number_format in (None, "General") else cell.number_format
            )
            for cell in row
        ]


def open_workbook(content: bytes, budget: Budget) -> Table:
    """An .xlsx workbook as a table of its worksheets, opened within the budget's limits
    (`shared.uploads.open_xlsx`: UploadLimitExceeded, or UnreadableUpload when damaged)."""
    return _Workbook(open_xlsx(content, budget.limits), budget)


def open_table(filename: str, content: bytes, budget: Budget) -> Table:
    """A .csv or .xlsx file by its extension (`open_csv`, `open_workbook`); UnsupportedTable
    for any other, UndecodableText, UnreadableUpload or UploadLimitExceeded as they say."""
    name = filename.lower()
    if name.endswith(".csv"):
        return open_csv(content, budget)
    if name.endswith(".xlsx"):
        return open_workbook(content, budget)
    raise UnsupportedTable(f"accepted extensions are {', '.join(TABLE_EXTENSIONS)}")
