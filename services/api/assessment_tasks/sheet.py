"""The per-participant spreadsheet (one row per participant, a column per task), as ФИС ОКО
forms lay it out: columns matched by their titles (`shared.spreadsheets.header_key`), task
columns by their printed number ("1", "3.1", "1К1", or "Задание 3.1")."""

from collections.abc import Callable
from typing import Any

from services.api.assessment_tasks.service import task_number
from shared.tabular import Cell, CellType

_SYNONYMS = {
    "code": ("code", "код", "код участника", "код ученика"),
    "class_label": ("class", "class label", "класс", "литера"),
    "variant": ("variant", "вариант"),
    "journal_mark": ("journal mark", "отметка по журналу", "отметка за период"),
}
COLUMNS = {title: field for field, titles in _SYNONYMS.items() for title in titles}
TASK = "task:"  # the field of a task's column: "task:3.1"
REQUIRED = {"код участника": ("code",)}


def column(title: str, numbers: set[str]) -> str | None:
    """The field a column holds (`title` as `header_key` gives it): a participant's field, a
    task of the specification (`numbers`), or None (left out, warned of)."""
    if title in COLUMNS:
        return COLUMNS[title]
    number = task_number(title.removeprefix("задание").strip())
    return f"{TASK}{number}" if number in numbers else None


def _value(cell: Cell) -> Any:
    if cell.type == CellType.number:
        value = cell.value
        return int(value) if isinstance(value, float) and value.is_integer() else value
    return cell.text.strip()


def participant(cells: dict[str, Cell], note: Callable[[str, str], None]) -> dict[str, Any]:
    """A file's row ({field: non-empty typed cell}) as a posted participant; a code written as
    a number (10017) is its digits. What a cell reinterpreted is told to `note(field, msg)`."""
    for key, cell in cells.items():
        if cell.note:
            note(key, cell.note)
    item: dict[str, Any] = {k: _value(c) for k, c in cells.items() if not k.startswith(TASK)}
    if "code" in item:
        item["code"] = str(item["code"])
    item["task_scores"] = {
        key.removeprefix(TASK): _value(cell) for key, cell in cells.items() if key.startswith(TASK)
    }
    return item
