"""Read an uploaded .csv or .xlsx table into rows keyed by its header."""

import csv
import io
import re
from typing import Any

from openpyxl import load_workbook

from shared.errors import Invalid

MAX_ROWS = 100_000
# Russian spreadsheets write decimals with a comma ("64,5"); CSV exports keep it as text.
_DECIMAL_COMMA_RE = re.compile(r"^-?\d+,\d+$")


def _cell(value: Any) -> Any:
    if isinstance(value, str):
        value = value.strip()
        if _DECIMAL_COMMA_RE.match(value):
            return value.replace(",", ".")
    return value


def _invalid(message: str) -> Invalid:
    return Invalid(message, errors=[{"loc": ["body", "file"], "msg": message}])


def _csv_rows(content: bytes) -> list[list[Any]]:
    for encoding in ("utf-8-sig", "cp1251"):
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise _invalid("Файл CSV не в кодировке UTF-8 или Windows-1251")
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") >= first_line.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _xlsx_rows(content: bytes) -> list[list[Any]]:
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise _invalid(f"Файл .xlsx не читается: {type(exc).__name__}") from exc
    sheet = workbook.worksheets[0]
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    workbook.close()
    return rows


def read_table(filename: str, content: bytes) -> list[tuple[int, dict[str, Any]]]:
    """(line of the file, {header: value}) for each non-empty row under the header."""
    name = filename.lower()
    if name.endswith(".csv"):
        raw = _csv_rows(content)
    elif name.endswith(".xlsx"):
        raw = _xlsx_rows(content)
    else:
        raise _invalid("Принимаются файлы .csv и .xlsx")
    if not raw:
        raise _invalid("Файл пуст")
    header = [str(h or "").strip().lower() for h in raw[0]]
    rows = []
    for line, values in enumerate(raw[1:], start=2):
        if all(v is None or str(v).strip() == "" for v in values):
            continue
        row = {h: _cell(v) for h, v in zip(header, values, strict=False) if h}
        rows.append((line, {k: v for k, v in row.items() if v not in (None, "")}))
    if len(rows) > MAX_ROWS:
        raise _invalid(f"В файле больше {MAX_ROWS} строк")
    return rows
