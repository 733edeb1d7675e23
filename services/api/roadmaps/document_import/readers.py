"""File-format readers: .docx, .xlsx, .csv and .txt roadmaps as one neutral list of blocks."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import PurePath

from docx.table import Table, _Cell

from shared.tabular import Cell, CellType, open_csv, open_workbook, read_lines
from shared.uploads import Budget, UnreadableUpload, UploadLimitExceeded, UploadLimits, open_docx

ACCEPTED_EXTENSIONS: tuple[str, ...] = (".docx", ".xlsx", ".csv", ".txt")


class UnsupportedFormat(ValueError):
    """The file's extension is not one the importer reads."""


class UnreadableDocument(ValueError):
    """The file has an accepted extension but its content cannot be read."""


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of text outside any table."""

    text: str


@dataclass(frozen=True)
class Row:
    """One table row: its cell texts, the index of its table in document order, and what
    reading its cells reinterpreted (`shared.tabular.Cell.note`: a date cell formatted as a
    month read as that month).

    `line` is where a person finds the row: the row number Excel shows (.xlsx), the line of
    the file (.csv, .txt); 0 in a .docx, which numbers nothing."""

    cells: tuple[str, ...]
    table: int
    notes: tuple[str, ...] = ()
    line: int = 0


Block = Paragraph | Row

_TAGS = re.compile(r"</?(?:p|u|b|i|em|strong|span|br)\b[^>]*>", re.IGNORECASE)
_PARAGRAPH_TAGS = re.compile(r"</p>\s*<p>", re.IGNORECASE)
_LATEX = re.compile(r"\\math[a-z]*\{([^{}]*)\}")
_BOLD = re.compile(r"\*\*")
_SPACES = re.compile(r"[ \t\u00a0\u2007\u202f]+")
_CELL_LINE = re.compile(r"^ *\t(.*)$")
_CELL_PER_LINE = re.compile(r"^ *\t[^\t]*$")


def clean_text(text: str) -> str:
    """Strip export markup (HTML paragraphs, **bold**, LaTeX) and blank lines; keep line breaks."""
    text = _PARAGRAPH_TAGS.sub("\n", text)
    text = _TAGS.sub(" ", text)
    text = _LATEX.sub(r"\1", text)
    text = _BOLD.sub("", text).replace("\u00ad", "").replace("\r", "\n")
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def read_blocks(filename: str, content: bytes, limits: UploadLimits | None = None) -> list[Block]:
    """Read a document into paragraphs and table rows, in document order, within `limits`
    (default: the settings' defaults). Past a limit UploadLimitExceeded (422 naming it);
    UnsupportedFormat or UnreadableDocument otherwise. Blocking: parse in a worker thread."""
    extension = PurePath(filename).suffix.lower()
    reader = _READERS.get(extension)
    if reader is None:
        accepted = ", ".join(ACCEPTED_EXTENSIONS)
        raise UnsupportedFormat(f"файл «{filename}» не импортируется: принимаются {accepted}")
    try:
        return reader(content, Budget(limits or UploadLimits.defaults()))
    except (UnreadableDocument, UploadLimitExceeded):
        raise
    except Exception as exc:  # every library reports a corrupt file with its own exception
        why = str(exc) if isinstance(exc, UnreadableUpload) else "повреждён или другого формата"
        what = f"файл «{filename}» не читается как {extension}: {why}"
        raise UnreadableDocument(what) from exc


def _read_txt(content: bytes, budget: Budget) -> list[Block]:
    lines = read_lines(content, budget)
    tab_lines = [line for line in lines if "\t" in line]
    # Word/PDF exports come in two shapes: a row per line with tab-separated cells, or every
    # cell on its own tab-led line with a blank line closing the row.
    if tab_lines and all(_CELL_PER_LINE.match(line) for line in tab_lines):
        return _txt_cell_per_line(lines, budget)
    return _txt_row_per_line(lines, budget)


def _paragraph(blocks: list[Block], table: int, text: str, budget: Budget) -> int:
    """Add a paragraph; a paragraph after table rows ends that table (the next index)."""
    budget.paragraph()
    if blocks and isinstance(blocks[-1], Row):
        table += 1
    blocks.append(Paragraph(text))
    return table


def _txt_row_per_line(lines: list[str], budget: Budget) -> list[Block]:
    blocks: list[Block] = []
    table = 0
    for number, line in enumerate(lines, start=1):
        if "\t" in line:
            budget.cells_ahead(line.count("\t") + 1)
            cells = tuple(clean_text(cell) for cell in line.split("\t"))
            budget.row(len(cells))
            blocks.append(Row(cells, table, line=number))
        elif text := clean_text(line):
            table = _paragraph(blocks, table, text, budget)
    return blocks


def _txt_cell_per_line(lines: list[str], budget: Budget) -> list[Block]:
    blocks: list[Block] = []
    table = 0
    cells: list[list[str]] = []
    first = 0  # the line of the row's first cell

    def close_row() -> None:
        if cells:
            budget.row(len(cells))
            texts = (budget.text(clean_text("\n".join(cell))) for cell in cells)
            blocks.append(Row(tuple(texts), table, line=first))
            cells.clear()

    for number, line in enumerate(lines, start=1):
        if match := _CELL_LINE.match(line):
            budget.cells_ahead(len(cells) + 1)
            first = first if cells else number
            cells.append([match.group(1)])
        elif not line.strip():
            close_row()
        elif cells:
            cells[-1].append(line)  # a line break inside the cell
        elif text := clean_text(line):
            table = _paragraph(blocks, table, text, budget)
    close_row()
    return blocks


def _read_csv(content: bytes, budget: Budget) -> list[Block]:
    with open_csv(content, budget) as table:
        cells = list(table.rows())
        rows = [[_cell_text(cell) for cell in row] for row in cells]
        return _grid_blocks(rows, 0, cells, first_line=table.first_line)


def _read_xlsx(content: bytes, budget: Budget) -> list[Block]:
    blocks: list[Block] = []
    with open_workbook(content, budget) as table:
        for index in range(len(table.sheet_names)):
            cells = list(table.rows(index))
            rows = [[_cell_text(cell) for cell in row] for row in cells]
            _spread_vertical_merges(rows, table.merged_ranges(index))
            blocks += _grid_blocks(rows, index, cells)
    return blocks


def _spread_vertical_merges(rows: list[list[str]], merges: list[tuple[int, int, int, int]]) -> None:
    """A cell merged down over several rows ("в течение года" for several activities) holds
    for each of them, as in the .docx reader; a horizontal merge (a section row) keeps its
    text in its first column."""
    for first_row, column, last_row, _ in merges:
        if first_row >= len(rows) or column >= len(rows[first_row]):
            continue
        text = rows[first_row][column]
        for row in rows[first_row + 1 : last_row + 1]:
            if column < len(row):
                row[column] = text


def _cell_text(cell: Cell) -> str:
    return clean_text(cell.text)


def _grid_blocks(
    rows: list[list[str]], table: int, typed: Sequence[list[Cell]], *, first_line: int = 1
) -> list[Block]:
    """Turn spreadsheet rows (their texts, and their `typed` cells) into blocks: lone-cell rows
    above the first table are paragraphs; a table row keeps its line in the file (the first
    row is `first_line`) and the notes of its date cells (a month format)."""
    blocks: list[Block] = []
    in_table = False
    for position, cells in enumerate(rows):
        filled = [cell for cell in cells if cell]
        if not filled:
            continue
        if not in_table and len(filled) == 1:
            blocks.append(Paragraph(filled[0]))
            continue
        in_table = True
        notes = tuple(c.note for c in typed[position] if c.type == CellType.date and c.note)
        blocks.append(Row(tuple(cells), table, notes, position + first_line))
    return blocks


def _read_docx(content: bytes, budget: Budget) -> list[Block]:
    # paragraphs, tables, rows and cells were counted when the package was opened
    document = open_docx(content, budget.limits)
    blocks: list[Block] = []
    tables = 0
    for item in document.iter_inner_content():
        if isinstance(item, Table):
            blocks += _docx_rows(item, tables, budget)
            tables += 1
        elif text := clean_text(budget.text(item.text)):
            blocks.append(Paragraph(text))
    return blocks


def _docx_rows(table: Table, index: int, budget: Budget) -> list[Block]:
    rows: list[Block] = []
    above: dict[int, str] = {}  # grid column -> text of the cell above
    for tr in table._tbl.tr_lst:
        cells: list[str] = []
        for tc in tr.tc_lst:
            column = len(cells)
            # a vertical merge ("в течение года" for several activities) holds for every row it
            # spans; a horizontal one (a section row) keeps its text in its first grid column
            if tc.vMerge == "continue":
                text = above.get(column, "")
            else:
                text = clean_text(budget.text(_Cell(tc, table).text))
            above[column] = text
            cells += [text] + [""] * (tc.grid_span - 1)
        rows.append(Row(tuple(cells), index))
    return rows


_READERS: dict[str, Callable[[bytes, Budget], list[Block]]] = {
    ".docx": _read_docx,
    ".xlsx": _read_xlsx,
    ".csv": _read_csv,
    ".txt": _read_txt,
}
