"""One tabular reader: an uploaded .csv or .xlsx opened into sheets of rows of typed cells, and a
text file into lines, for every reader of tables (data-value and assessment uploads through
`shared.spreadsheets`, roadmap documents, XLSForm).

- Text is decoded one way (`decode`): UTF-16 with a BOM, UTF-8 with or without a BOM, else
  Windows-1251 or KOI8-R, told apart by how Russian each reading looks: its letters' shares,
  common pairs of letters and capitals inside words (`encodings.single_byte_encoding`, text in
  capitals only or small letters only too); anything else is refused (`UndecodableText`),
  never read with replacements; `decoded` also names the encoding, so that an import can say
  which single-byte one it assumed.
- A CSV's separator is `,`, `;` or a tab, whichever its first lines hold most of (`;` on a tie
  with `,`, as Russian Excel writes it).
- Every row is taken through the upload limits' counters (`shared.uploads`: `csv_rows`,
  `sheet_rows`, `text_lines`), exactly as each reader took them before.
- A cell keeps what the file holds (`Cell.raw`: a CSV's text, an .xlsx value as openpyxl gives
  it) and says what it is (`Cell.type`: number, text, date, bool, empty) and its typed `value`;
  `Cell.shown` is the cell as its writer sees it (an .xlsx number with its format applied:
  1.5 in a percent format is "150 %"), what a refusal quotes. An .xlsx formula that keeps no
  result (a file written by a program that computes no formulas) is `Cell.unsaved_formula`
  ("=2+3"), never taken for an empty cell.

- Excel's `sep=;` hint line names the separator and is not a row (`Table.first_line` says
  which line of the file the first row is); UTF-16 without a BOM is recognised by its zero bytes.
- Spellings people and Excel use are read as what they mean: thousands separated by a space,
  NBSP or narrow NBSP (`1 234,5`), a `%` suffix (`Cell.percent`), booleans да/нет, ИСТИНА/ЛОЖЬ,
  true/false. An .xlsx cell keeps its number format (`Cell.number_format`): a percent format
  makes its fraction the percent it shows (0.645 → 64.5), a date format the granularity it
  shows (`Cell.granularity`: day, month or year). `Cell.note` says in Russian what was
  reinterpreted, for the import summaries.
- `merged_ranges` gives a worksheet's merged cells (read-only sheets do not keep them).

Cells and their values live in `shared.tabular.cells`, opening and decoding files in
`shared.tabular.files`; import the names from `shared.tabular`.
"""

from shared.tabular.cells import (
    EXCEL_SERIALS,
    Cell,
    CellType,
    excel_date,
    format_tokens,
    granularity_of,
    is_id,
    normalize_name,
)
from shared.tabular.encodings import single_byte_encoding
from shared.tabular.files import (
    DELIMITERS,
    SINGLE_BYTE_ENCODINGS,
    TABLE_EXTENSIONS,
    Table,
    UndecodableText,
    UnsupportedTable,
    decode,
    decoded,
    delimiter,
    open_csv,
    open_table,
    open_workbook,
    read_lines,
)

__all__ = [
    "DELIMITERS",
    "EXCEL_SERIALS",
    "SINGLE_BYTE_ENCODINGS",
    "TABLE_EXTENSIONS",
    "Cell",
    "CellType",
    "Table",
    "UndecodableText",
    "UnsupportedTable",
    "decode",
    "decoded",
    "delimiter",
    "excel_date",
    "format_tokens",
    "granularity_of",
    "is_id",
    "normalize_name",
    "open_csv",
    "open_table",
    "open_workbook",
    "read_lines",
    "single_byte_encoding",
]
