"""Header recognition and column mapping: which column of an activity table holds what.

Also the label vocabulary of roadmap passports, and the text primitives both share.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

__all__ = [
    "ACTIVITY_NUMBER",
    "DEADLINE_HINT",
    "DETAIL_FIELDS",
    "ROMAN",
    "TEXT_FIELDS",
    "Layout",
    "has_text",
    "header_layout",
    "is_column_numbers",
    "label_remainder",
    "one_line",
    "passport_key",
    "shape",
    "starts_lower",
]

TEXT_FIELDS = ("title", "deadline", "responsible", "result", "evidence")
DETAIL_FIELDS = ("deadline", "responsible", "result", "evidence")

_ALNUM = re.compile(r"[0-9A-Za-zА-Яа-яЁё]")
# OCR puts Latin look-alikes into Cyrillic words; the table is applied after lower().
_LOOKALIKES = str.maketrans("aceopxykmthbun", "асеорхукмтнвип")
_NOT_HEADER_CHAR = re.compile(r"[^а-я/ ]+")
_NUMBER_HEADER = re.compile(r"^(?:№|n[oо0º°₂2]?|#)?\s*(?:[пn]\s*/\s*[пn]?)?\.?$")
_HEADER_FIELDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("evidence", re.compile(r"подтвержда|форма\s+(?:представлени|отчет)|отчетн\w*\s+документ")),
    # the end of a deadline given in two columns (Срок начала / Срок окончания, с / по)
    (
        "deadline_end",
        re.compile(r"^(?:срок\w*\s+|дата\s+)?(?:окончани|завершени)|^(?:срок\s+)?по$"),
    ),
    ("deadline", re.compile(r"^(?:срок|дата|период\s+(?:исполн|выполн|реализ)|с$|начал)")),
    ("responsible", re.compile(r"^(?:ответствен|исполнител)")),
    ("result", re.compile(r"^(?:(?:ожидаем|планируем|прогнозируем)\w*\s+)?результат")),
    ("stage", re.compile(r"^этап")),
    # title columns, the most specific first: a table may have both "Этап" and "Задачи"
    ("title", re.compile(r"^(?:наименование|мероприяти)")),
    ("title", re.compile(r"^содержание\s+(?:деятельност|работ)")),
    ("title", re.compile(r"^задач")),
    ("title", re.compile(r"^направлени")),
)
_PASSPORT_LABELS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("effectiveness", re.compile(r"^(?:оценка|анализ)\s+эффективност")),
    ("goal", re.compile(r"^цел[ьи](?:\s|$)")),
    ("tasks", re.compile(r"^задачи(?:\s|$)")),
    ("expected_result", re.compile(r"^ожидаем\w*\s+результат")),
    ("indicators", re.compile(r"^(?:целев\w*\s+)?показател")),
    ("monitoring", re.compile(r"^(?:мониторинг|процесс\s+сбора|источник|методы\s+сбора)")),
    ("analysis", re.compile(r"^анализ")),
    ("recommendations", re.compile(r"^(?:разработка|подготовка)\b.*рекомендац|^разработка\s*/")),
    ("decisions", re.compile(r"^(?:принятие|меры)|^управленческ\w*\s+решени")),
)
_LABEL_PREFIX = re.compile(
    r"^\s*(?:цел[ьи](?:\s+и\s+задачи)?|задачи|ожидаемый\s+результат)\s*[:.]?\s*", re.IGNORECASE
)
ACTIVITY_NUMBER = re.compile(r"^[0-9]{1,3}(?:\s?\.\s?[0-9]{1,3})*\.?$")
_NUMBER_AND_TITLE = re.compile(r"^([0-9]{1,3}(?:\.[0-9]{1,3})*\.?)\s+(\S.*)$", re.DOTALL)
ROMAN = re.compile(r"^[IVXІХ]{1,5}\.?$")
DEADLINE_HINT = re.compile(
    r"(?:19|20)\d{2}|\d{1,2}\.\d{2}|январ|феврал|март|апрел|ма[йя]|июн|июл|август|сентябр|"
    r"октябр|ноябр|декабр|течени|ежегодн|ежемесячн|ежекварт|еженедел|постоянн|регулярн|"
    r"квартал|полугод|четверт|недел|месяц|год|срок|график|план|необходимост|период",
    re.IGNORECASE,
)


def has_text(text: str) -> bool:
    return bool(_ALNUM.search(text))


def starts_lower(text: str) -> bool:
    return text[:1].islower()


def one_line(text: str) -> str:
    return " ".join(text.split())


def _norm_header(text: str) -> str:
    """Lower-case Cyrillic letters only: what survives line breaks, hyphens and OCR noise."""
    text = re.sub(r"-\s*\n\s*", "", text).lower().translate(_LOOKALIKES).replace("ё", "е")
    return one_line(_NOT_HEADER_CHAR.sub(" ", text))


def _is_number_header(cell: str) -> bool:
    text = cell.strip().lower()
    return bool(text) and bool(re.search(r"[№nп#]", text)) and bool(_NUMBER_HEADER.match(text))


def passport_key(label: str) -> str | None:
    norm = _norm_header(label)
    return next((key for key, pattern in _PASSPORT_LABELS if pattern.search(norm)), None)


def label_remainder(label: str) -> str:
    """The value written in the label's own cell ("Цель: Организация ...")."""
    match = _LABEL_PREFIX.match(label)
    rest = label[match.end() :].strip() if match else ""
    return rest if rest and not starts_lower(rest) and passport_key(rest) is None else ""


def is_column_numbers(cells: Sequence[str]) -> bool:
    filled = [cell for cell in cells if cell]
    if len(filled) < 3 or not all(cell.isascii() and cell.isdigit() for cell in filled):
        return False
    numbers = [int(cell) for cell in filled]
    return numbers == list(range(numbers[0], numbers[0] + len(numbers)))


def _classify_columns(cells: Sequence[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    title_rank = len(_HEADER_FIELDS)
    for index, cell in enumerate(cells):
        if not cell:
            continue
        if _is_number_header(cell):
            columns.setdefault("number", index)
            continue
        norm = _norm_header(cell)
        if len(norm) > 90:
            continue
        for rank, (name, pattern) in enumerate(_HEADER_FIELDS):
            if not pattern.search(norm):
                continue
            if name != "title":
                columns.setdefault(name, index)
            elif rank < title_rank:
                columns["title"], title_rank = index, rank
            break
    if "title" not in columns and "stage" in columns:
        columns["title"] = columns.pop("stage")
    return columns


@dataclass
class Layout:
    """An activity table's columns, found from its header row."""

    headers: list[str]
    columns: dict[str, int]
    signature: tuple[str, ...]

    @property
    def width(self) -> int:
        return len(self.headers)

    def value(self, cells: Sequence[str], name: str) -> str:
        index = self.columns.get(name)
        return cells[index] if index is not None and index < len(cells) else ""

    def has_details(self) -> bool:
        return any(name in self.columns for name in DETAIL_FIELDS)

    def extend(self, cells: Sequence[str]) -> None:
        """Take in a header row that wrapped onto a second line ("Ответственный / исполнитель")."""
        for index, cell in enumerate(cells[: self.width]):
            if cell:
                self.headers[index] = f"{self.headers[index]} {cell}".strip()
        for name, index in _classify_columns(self.headers).items():
            self.columns.setdefault(name, index)

    def unmapped(self) -> list[str]:
        used = set(self.columns.values())
        return [one_line(h) for i, h in enumerate(self.headers) if h and i not in used]


def header_layout(cells: Sequence[str]) -> Layout | None:
    if any(ACTIVITY_NUMBER.match(cell) for cell in cells):
        return None
    columns = _classify_columns(cells)
    filled = sum(1 for cell in cells if cell)
    if "title" not in columns or len(columns) < 2 or 2 * len(columns) < filled:
        return None
    used = max(i for i, cell in enumerate(cells) if cell) + 1
    signature = tuple(_norm_header(cell) for cell in cells[:used])
    return Layout(headers=list(cells), columns=columns, signature=signature)


def shape(cells: Sequence[str], layout: Layout) -> list[str]:
    """Put a row's cells under the right columns when the export dropped or merged cells."""
    width = layout.width
    shaped = (list(cells) + [""] * width)[: max(width, len(cells))]
    used = max((i + 1 for i, cell in enumerate(shaped) if cell), default=0)
    number, title = layout.columns.get("number"), layout.columns.get("title")
    split = _NUMBER_AND_TITLE.match(shaped[number]) if number is not None else None
    if split and number is not None and title == number + 1 and used < width:
        # "5.5. Назначение ..." with every following cell shifted one column to the left
        shaped[number : number + 1] = [split.group(1), split.group(2)]
        used += 1
    if number is not None and used < width and _misplaced_title(shaped[number]):
        shaped.insert(number, "")  # the number cell was dropped: the title sits under "№"
        used += 1
    deadline, responsible = layout.columns.get("deadline"), layout.columns.get("responsible")
    numbered = number is not None and ACTIVITY_NUMBER.match(shaped[number])
    if (
        numbered
        and deadline is not None
        and responsible is not None
        and deadline < used <= responsible
        and shaped[deadline]
        and not DEADLINE_HINT.search(shaped[deadline])
    ):
        # an activity whose empty deadline cell the export dropped: its responsible landed
        # under "Сроки" (rows that merely continue one above keep their cells where they are)
        shaped[deadline:deadline] = [""] * min(responsible - deadline, width - used)
    return (shaped + [""] * width)[:width]


def _misplaced_title(text: str) -> bool:
    return len(text) > 20 and not (ROMAN.match(text) or _NUMBER_AND_TITLE.match(text))
