"""One posted assessment result: its shape and types (from JSON or a spreadsheet row), then the
rules it must keep against the catalogue.

Hand-written rather than a Pydantic model: a request carries up to 10,000 rows, and each bad
row is answered in Russian, field by field.
"""

import datetime as dt
import math
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from services.api.assessments.catalogue import Catalogue
from services.api.organizations.matching import ORGANIZATION_HEADERS, OrganizationName
from shared import reinterpreted
from shared.bulk import RowError
from shared.labels import organization_not_found
from shared.periods import WRITTEN_PERIOD_MAX
from shared.school_years import read_year, row_year_problem
from shared.spreadsheets import column_field
from shared.tabular import Cell, CellType, excel_date, is_id
from shared.validation import INT32_MAX, MEASURE_MAX, MEASURE_MAX_TEXT

FIELDS = (
    "organization_id",
    "procedure",
    "year",
    "subject",
    "grade",
    "participants",
    "marks",
    "score_distribution",
    "mean_score",
    "lowered",
    "confirmed",
    "raised",
)
REQUIRED = FIELDS[:6]
MARKS = ("2", "3", "4", "5")
KEY = ("organization_id", "procedure_id", "year", "subject", "grade")
JOURNAL = ("lowered", "confirmed", "raised")
# Spreadsheet columns that are taken as they are; mark_<n> and score_<n> are gathered.
PLAIN_COLUMNS = frozenset(FIELDS) - {"marks", "score_distribution"}


@dataclass
class ResultRow:
    organization_id: uuid.UUID | OrganizationName  # a name until `resolve_names`
    procedure: str
    year: str
    subject: str
    grade: int
    participants: int
    marks: dict[str, int] | None
    scores: dict[int, int] | None
    mean_score: float | None
    lowered: int | None
    confirmed: int | None
    raised: int | None
    written_procedure: str = ""  # the procedure as the row writes it, for its messages
    notes: list[tuple[str, str]] = field(default_factory=list)  # (field, what was reinterpreted)


def integer(value: Any) -> int | None:
    """An integer from JSON or a spreadsheet cell (12, 12.0, "12"); None when it is not one."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return None
    return None


# A grade level written with its word: «4 класс», «4 кл.», «4-й класс», «4-е классы», «4й».
# An ordinal ending is written in lower case («4-й», «4й», «4-е классы»); «е» only after a
# hyphen: «4е», «4 е», «4Е», «4-Е» are class Е of grade 4, not the grade (a tester's «4 Е
# класс» was stored as the whole grade's result).
_GRADE_WORDED = re.compile(
    r"(\d{1,2})(?:\s*-\s*(?-i:й|ый|ой|е|ые)|(?-i:й|ый|ой))?\s*(?:класс(?:а|ы|ов)?|кл\.?)?",
    re.IGNORECASE,
)
# One class of a grade: «4А», «4 «Б»», «4-в класс».
_CLASS_OF_GRADE = re.compile(
    r"(\d{1,2})\s*[-.]?\s*[«\"'„“]?[а-яё][»\"'“”]?\s*(?:класс|кл\.?)?", re.IGNORECASE
)
GRADE_RANGE = "ожидается класс от 1 до 11"


def grade_level(value: Any) -> tuple[int | None, str | None]:
    """A result's grade level (1..11 unchecked) and, when written with its word («4 класс»,
    «4-й класс», «4 кл.»), a note saying how it was read; (None, why) for a class with its
    letter («4А»: one class, while results are per grade level) and (None, None) for what
    is no grade."""
    plain = integer(value)
    if plain is not None or not isinstance(value, str):
        return plain, None
    written = value.strip()
    if match := _GRADE_WORDED.fullmatch(written):
        return int(match[1]), reinterpreted.grade_worded(written, int(match[1]))
    if match := _CLASS_OF_GRADE.fullmatch(written):
        n = int(match[1])
        return None, (
            f"«{written}» — один класс, а результаты вносятся по параллели: укажите {n} и итоги "
            f"всех {n}-х классов вместе (по классам результаты загружаются списком участников)"
        )
    return None, None


def number(value: Any) -> float | None:
    """A finite number within ±10^15 (so that no sum overflows); spreadsheets may write "15,5"."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    # Compared before float(): an integer of 400 digits has no float.
    if isinstance(value, int | float) and -MEASURE_MAX <= value <= MEASURE_MAX:
        return float(value)
    return None


def _not_a_score(value: Any) -> str:
    """Why a mean score was not taken as a number: past ±10^15 (1e300 is a number, only too
    large to be anyone's score), or no number at all ("NaN", "—")."""
    if isinstance(value, int) and not isinstance(value, bool):
        return f"число по модулю больше {MEASURE_MAX_TEXT}"  # an int of any size is finite
    if isinstance(value, float) and math.isfinite(value):
        return f"число по модулю больше {MEASURE_MAX_TEXT}"
    return "ожидается число, например 15,5"


class _Errors(list[RowError]):
    def add(self, loc: list[str | int], msg: str) -> None:
        self.append(RowError(loc=loc, msg=msg))


def _count(errors: _Errors, loc: list[str | int], value: Any) -> int | None:
    """A count of students: a whole number, not negative."""
    count = integer(value)
    if count is None:
        errors.add(loc, "ожидается целое число")
    elif count < 0:
        errors.add(loc, "число не может быть отрицательным")
    elif count > INT32_MAX:
        errors.add(loc, f"число больше {INT32_MAX}")
    return count


def _text(errors: _Errors, field: str, value: Any, max_length: int) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and field == "year":
        value = str(value)  # a spreadsheet's 2022
    if isinstance(value, float) and value.is_integer() and field == "year":
        value = str(int(value))
    if not isinstance(value, str) or not 1 <= len(value.strip()) <= max_length:
        errors.add([field], f"ожидается строка до {max_length} символов")
        return ""
    return value.strip()


def _marks(errors: _Errors, value: Any) -> dict[str, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.add(["marks"], 'ожидается объект {"2": n, "3": n, "4": n, "5": n}')
        return None
    marks = dict.fromkeys(MARKS, 0)
    for key, count in value.items():
        if key not in MARKS:
            errors.add(["marks", key], "отметки — только 2, 3, 4, 5")
            continue
        marks[key] = _count(errors, ["marks", key], count) or 0
    return marks


def _scores(errors: _Errors, value: Any) -> dict[int, int] | None:
    if value is None:
        return None
    if not isinstance(value, dict):
        errors.add(["score_distribution"], "ожидается объект {первичный балл: участников}")
        return None
    scores: dict[int, int] = {}
    for key, count in value.items():
        score = integer(key)
        if score is None or score < 0:
            errors.add(["score_distribution", key], "балл — целое число не меньше 0")
            continue
        scores[score] = scores.get(score, 0) + (
            _count(errors, ["score_distribution", key], count) or 0
        )
    return scores


def parse_row(item: Any) -> ResultRow | list[RowError]:
    """One row's shape and types, every problem named; the catalogue is checked afterwards."""
    errors = _Errors()
    if not isinstance(item, dict):
        errors.add([], "ожидается объект")
        return errors
    for key in item:
        if key not in FIELDS:
            errors.add([key], "лишнее поле")
    for key in REQUIRED:
        if item.get(key) is None:
            errors.add([key], "обязательное поле")
    if errors:
        return errors
    organization_id = item["organization_id"]
    if not isinstance(organization_id, OrganizationName):
        try:
            organization_id = uuid.UUID(str(organization_id))
        except ValueError:
            organization_id = None
            errors.add(["organization_id"], "ожидается UUID организации")
    procedure = _text(errors, "procedure", item["procedure"], 300)
    year = _text(errors, "year", item["year"], WRITTEN_PERIOD_MAX)
    subject = _text(errors, "subject", item["subject"], 100)
    grade, grade_said = grade_level(item["grade"])
    if grade is None and grade_said is not None:
        errors.add(["grade"], grade_said)
    elif grade is None or not 1 <= grade <= 11:
        errors.add(["grade"], GRADE_RANGE)
    participants = _count(errors, ["participants"], item["participants"])
    journal = {
        key: _count(errors, [key], item[key]) if item.get(key) is not None else None
        for key in JOURNAL
    }
    mean_score = None
    if item.get("mean_score") is not None:
        mean_score = number(item["mean_score"])
        if mean_score is None:
            errors.add(["mean_score"], _not_a_score(item["mean_score"]))
        elif mean_score < 0:
            errors.add(["mean_score"], "ожидается число не меньше 0")
    marks = _marks(errors, item.get("marks"))
    scores = _scores(errors, item.get("score_distribution"))
    if errors:
        return errors
    assert organization_id is not None and grade is not None and participants is not None
    return ResultRow(
        organization_id,
        procedure,
        year,
        subject,
        grade,
        participants,
        marks,
        scores,
        mean_score,
        **journal,
        notes=[("grade", grade_said)] if grade_said else [],
    )


_SYNONYMS = {
    **ORGANIZATION_HEADERS,
    "procedure": ("procedure", "процедура", "оценочная процедура"),
    "year": ("year", "год", "учебный год"),
    "subject": ("subject", "предмет", "учебный предмет"),
    "grade": ("grade", "класс", "параллель"),
    "participants": ("participants", "участников", "количество участников", "число участников"),
    "mean_score": ("mean score", "средний балл"),
    "lowered": ("lowered", "понизили"),
    "confirmed": ("confirmed", "подтвердили"),
    "raised": ("raised", "повысили"),
}
COLUMNS = {title: name for name, titles in _SYNONYMS.items() for title in titles}
_MARK = re.compile(r"^(?:mark|отметка|отметки) ?[«\"]?([2-5])[»\"]?$")
_SCORE = re.compile(r"^(?:score|балл) ?(\d{1,3})$")


def columns(headers: list[str]) -> list[str | None]:
    """The field of each column (`column`); a name column is used only when the file has no
    organization_id column."""
    fields = [column(header) for header in headers]
    if "organization_id" in fields:
        fields = [None if f == "organization" else f for f in fields]
    return fields


def column(header: str) -> str | None:
    """The field of a column (`shared.spreadsheets.header_key` title): a plain field, its
    Russian synonym, mark_<n> (Отметка 5) or score_<n> (Балл 12), or a title with a unit or
    qualifier ("Количество участников, чел.": `column_field`); None for any other."""
    if header in COLUMNS:
        return COLUMNS[header]
    if match := _MARK.match(header):
        return f"mark_{match.group(1)}"
    if match := _SCORE.match(header):
        return f"score_{match.group(1)}"
    return column_field(header, COLUMNS)


def _plain(cell: Cell) -> Any:
    """A typed cell as a posted value: a number or boolean as it is, a date as its year (a
    year column), anything else as its text."""
    if cell.type in (CellType.number, CellType.bool):
        return cell.value
    if cell.type == CellType.date and isinstance(cell.raw, dt.date):
        return str(cell.raw.year) if cell.granularity == "year" else cell.text
    return cell.text.strip()


def from_spreadsheet(cells: dict[str, Cell], note: Callable[[str, str], None]) -> dict[str, Any]:
    """A file's row ({field: typed cell}) as a posted row: mark_<n> columns are the marks,
    score_<n> the scores; an organization's name stands for its id (`OrganizationName`), an
    id-shaped value of the name column is the id; an Excel date number in the year column
    (44713) is the date it stands for, refused as a year. What a cell alone reinterpreted
    ("1 234", an .xlsx text cell read as a number), an id in the name column and an Excel date
    are told to `note(field, message)`."""
    for key, cell in cells.items():
        # A number kept as text in an .xlsx cell («25,4») is said as the data values say it;
        # the year is text by nature (2024/2025), a number there has its own note below.
        if said := cell.note or (cell.text_note if key != "year" else None):
            note(key, said)
    item = {key: _plain(cell) for key, cell in cells.items() if key in PLAIN_COLUMNS}
    year = cells.get("year")
    if year is not None and year.type == CellType.number and (day := excel_date(year.value)):
        item["year"] = day.strftime("%d.%m.%Y")  # a date that lost its format: no year, said so
        note("year", reinterpreted.excel_serial(year.value, day))
    if "organization" in cells and "organization_id" not in cells:
        name = cells["organization"].text.strip()
        if is_id(name):
            item["organization_id"] = name
            note("organization_id", reinterpreted.id_in_name_column(name))
        else:
            item["organization_id"] = OrganizationName(name)
    marks = {key[5:]: _plain(cell) for key, cell in cells.items() if key.startswith("mark_")}
    scores = {key[6:]: _plain(cell) for key, cell in cells.items() if key.startswith("score_")}
    if marks:
        item["marks"] = marks
    if scores:
        item["score_distribution"] = scores
    return item


def check_row(
    row: ResultRow, catalogue: Catalogue, organizations: set[uuid.UUID] | frozenset[uuid.UUID]
) -> dict[str, Any] | list[RowError]:
    """The columns to store (the key in the catalogue's spelling), or every rule the row breaks
    (a rule that needs the catalogue's entry is checked once the entry is found)."""
    errors: list[RowError] = []

    def fail(loc: str, msg: str) -> None:
        errors.append(RowError(loc=[loc], msg=msg))

    if row.organization_id not in organizations:
        fail("organization_id", organization_not_found())
    if (problem := row_year_problem(row.year)) is not None:  # «2025-2024»: which year is meant
        fail("year", problem)
    procedure = catalogue.procedures.get(row.procedure)
    subject = catalogue.subject(procedure, row.subject, row.grade) if procedure else None
    written = row.written_procedure or row.procedure
    if procedure is None:
        fail("procedure", f"нет оценочной процедуры «{written}»")
    elif subject is None:
        message = (
            f"в каталоге процедуры «{written}» нет предмета «{row.subject}» в {row.grade} классе"
        )
        fail("subject", message)
    if row.marks is not None:
        if procedure is not None and not procedure.has_marks:
            fail("marks", "эта процедура не выставляет отметки 2–5")
        elif sum(row.marks.values()) != row.participants:
            fail("marks", f"сумма отметок не равна числу участников ({row.participants})")
    mean_score = row.mean_score
    if row.scores is not None:
        if sum(row.scores.values()) != row.participants:
            fail("score_distribution", f"сумма не равна числу участников ({row.participants})")
        elif subject is not None and max(row.scores, default=0) > subject.max_primary_score:
            fail("score_distribution", f"балл выше максимального ({subject.max_primary_score})")
        total = sum(score * count for score, count in row.scores.items())
        mean_score = total / row.participants if row.participants else None
    elif mean_score is not None and subject is not None and mean_score > subject.max_primary_score:
        fail("mean_score", f"средний балл выше максимального ({subject.max_primary_score})")
    journal = [getattr(row, key) or 0 for key in JOURNAL]
    if sum(journal) > row.participants:
        fail("lowered", "понизили + подтвердили + повысили больше, чем участников")
    if errors:
        return errors
    assert procedure is not None and subject is not None
    marks = row.marks or {}
    return {
        "organization_id": row.organization_id,
        "procedure_id": procedure.id,
        "year": read_year(row.year)[0].code,  # «2024-2025» is 2024/2025
        "subject": subject.subject,
        "grade": row.grade,
        "participants": row.participants,
        **{f"mark_{m}": marks.get(m) if row.marks is not None else None for m in MARKS},
        "score_distribution": (
            {str(s): c for s, c in sorted(row.scores.items()) if c}
            if row.scores is not None
            else None
        ),
        "mean_score": mean_score,
        **{key: getattr(row, key) for key in JOURNAL},
    }
