"""Tables opened from files: an uploaded .csv or .xlsx as sheets of rows of typed cells
(`Table`, `open_table`), a text file as lines (`read_lines`).

- Text is decoded one way (`decode`): UTF-16 with a BOM (or without one, recognised by its zero
  bytes), UTF-8 with or without a BOM, else Windows-1251 or KOI8-R, whichever reads as Russian
  (`encodings.single_byte_encoding`: in capitals only, small letters only or mixed case);
  anything else is refused (`UndecodableText`), never read with replacements.
- A CSV's separator is the one Excel's `sep=;` hint line names (not a row: `Table.first_line`
  says which line of the file the first row is), else `,`, `;` or a tab, whichever its first
  lines hold most of (`;` on a tie with `,`, as Russian Excel writes it).
- Every row is taken through the upload limits' counters (`shared.uploads`).
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Sequence
from itertools import islice
from typing import Any

from openpyxl.formula.translate import Translator
from openpyxl.utils.cell import coordinate_to_tuple, get_column_letter
from openpyxl.workbook.workbook import Workbook
from openpyxl.xml.constants import SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from shared.tabular.cells import Cell
from shared.tabular.encodings import single_byte_encoding
from shared.uploads import Budget, UnreadableUpload, csv_rows, lines, open_xlsx, sheet_rows
from shared.uploads import text_lines as _text_lines

TABLE_EXTENSIONS = (".csv", ".xlsx")
DELIMITERS = (";", ",", "\t")  # in the order a tie is settled
_SAMPLE_LINES = 50
_MERGE_CELL = f"{{{SHEET_MAIN_NS}}}mergeCell"
_CELL, _FORMULA, _VALUE = (f"{{{SHEET_MAIN_NS}}}{tag}" for tag in ("c", "f", "v"))
# A formula's end followed by its cell's end, with no value or an empty one between: a sheet's
# XML that may hold a formula without its result (Excel's own files, results saved, do not).
_UNSAVED_FORMULA = re.compile(
    rb"(?:</(?:\w+:)?f>|<(?:\w+:)?f\b[^>]*/>)\s*"
    rb"(?:<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>"
)


class UndecodableText(UnreadableUpload):
    """A text file in none of the encodings we read (422 naming `file`)."""

    def __init__(self) -> None:
        super().__init__("текст не в кодировке UTF-8, UTF-16 или Windows-1251 (KOI8-R)")


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


SINGLE_BYTE_ENCODINGS = {"cp1251": "Windows-1251", "koi8_r": "KOI8-R"}  # guessed: their names


def decoded(content: bytes) -> tuple[str, str]:
    """The text of a file and the encoding it was read in ("utf-16", "utf-16-le", "utf-16-be",
    "utf-8-sig", or a guess of SINGLE_BYTE_ENCODINGS): UTF-16 with a BOM (or without one,
    recognised by its zero bytes), UTF-8 with or without a BOM, else Windows-1251 or KOI8-R
    (`single_byte_encoding`). Raises UndecodableText when it is none of them."""
    if content.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):  # before UTF-16's
        raise UnreadableUpload("текст в кодировке UTF-32: сохраните файл в UTF-8")
    try:
        if content.startswith((b"\xff\xfe", b"\xfe\xff")):
            return content.decode("utf-16"), "utf-16"
        if encoding := _utf16_without_bom(content):
            return content.decode(encoding), encoding
        try:
            return content.decode("utf-8-sig"), "utf-8-sig"
        except UnicodeDecodeError:
            encoding = single_byte_encoding(content)
            return content.decode(encoding), encoding
    except UnicodeDecodeError:
        raise UndecodableText() from None


def decode(content: bytes) -> str:
    """The text of a file (`decoded`, without the encoding's name)."""
    return decoded(content)[0]


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
        separator: str | None = None,
        encoding: str | None = None,
    ) -> None:
        self.sheet_names = sheet_names
        self._raw_rows = raw_rows
        self._close = close
        self.first_line = first_line  # the file's line of the first row (2 after `sep=;`)
        self.separator = separator  # a CSV's separator; None for a workbook
        self.encoding = encoding  # a CSV's encoding as `decoded` names it; None for a workbook

    def column_label(self, position: int) -> str:
        """How a person finds the 0-based column `position`: its number in a CSV ("4"), its
        letter in a workbook ("D", as Excel heads it)."""
        return str(position + 1)

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


# Excel's hint line; a file saved again from a spreadsheet pads it with the row's empty cells
# (`sep=;;;;` for a table of four columns, `"sep=,",,,`).
_SEP_HINT = re.compile(r'^"?sep=(.)"?(?:\1)*[ \t]*(?:\r\n|\r|\n|$)', re.IGNORECASE)


def open_csv(content: bytes, budget: Budget) -> Table:
    """A CSV file as a table of one sheet: decoded (`decode`), split at the separator its
    `sep=` first line names (Excel's hint, not a row) or else at its `delimiter`."""
    (text, encoding), first_line = decoded(content), 1
    if hint := _SEP_HINT.match(text):
        mark, text, first_line = hint.group(1), text[hint.end() :], 2
    else:
        mark = delimiter(text, budget)
    return Table(
        [""],
        lambda _: csv_rows(lines(text), mark, budget),
        first_line=first_line,
        separator=mark,
        encoding=encoding,
    )


class _Workbook(Table):
    def __init__(self, workbook: Workbook, budget: Budget) -> None:
        sheets = workbook.worksheets
        super().__init__(
            [sheet.title for sheet in sheets],
            lambda index: _typed_rows(sheets[index], budget),
            workbook.close,
        )
        self._sheets = sheets

    def column_label(self, position: int) -> str:
        return get_column_letter(position + 1)

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
    unsaved = _formulas_without_values(sheet)
    for row in sheet_rows(sheet, budget, values_only=False):
        yield [
            Cell(
                cell.value,
                None if cell.number_format in (None, "General") else cell.number_format,
                formula=unsaved.get(getattr(cell, "coordinate", None)),
                text_cell=isinstance(cell.value, str),
            )
            for cell in row
        ]


def _formulas_without_values(sheet: Any) -> dict[str, str]:
    """The formula cells of a read-only sheet that keep no result ({"D6": "=2+3"}): a file
    written by a program that computes no formulas (openpyxl, some exporters), where the
    values read (`data_only`) leave such a cell empty. A shared formula's followers are given
    as Excel would write them. The sheet is parsed only when its XML looks to hold one."""
    with sheet._get_source() as xml:
        data = xml.read()
    if not _UNSAVED_FORMULA.search(data):
        return {}
    found: dict[str, str] = {}
    shared: dict[str, tuple[str, str]] = {}  # si -> (origin, formula)
    for _, element in iterparse(io.BytesIO(data)):
        if element.tag != _CELL:
            continue
        formula, where = element.find(_FORMULA), element.get("r")
        if formula is not None and where:
            text = f"={formula.text}" if formula.text else None
            if formula.get("t") == "shared" and (si := formula.get("si")) is not None:
                if text:
                    shared[si] = (where, text)
                elif si in shared:
                    text = Translator(shared[si][1], origin=shared[si][0]).translate_formula(where)
            if text and not element.findtext(_VALUE):
                found[where] = text
        element.clear()
    return found


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
