"""Read an instrument definition from an XLSForm workbook (.xlsx), written by hand or exported.

The supported subset of XLSForm: `begin group`/`end group` (one level: the sections),
`select_one`/`select_multiple` with a list of the choices sheet, the built-in lists `likert5` and
`yes_no`, `decimal`/`integer` (constraint `. >= a and . <= b`) and `text`. A `relevant`
expression is one or several `${q} = 'value'`, `${q} = 3` or `selected(${q}, 'value')` joined by
`or`, all about the same earlier question. Metadata rows (`start`, `end`, ...) are skipped;
questions outside any group form a section of their own. As in XLSForm, an empty `required` cell
means "not required".
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from services.surveys.instruments.definition import OPTION_CODE_PATTERN, InstrumentDefinition
from services.surveys.instruments.question_types import question_type, type_from_xlsform
from services.surveys.instruments.xlsform_common import (
    CHOICE_FIELD_COLUMNS,
    CHOICES,
    COMPETENCE_FIELD_COLUMNS,
    COMPETENCES,
    SETTINGS,
    SETTINGS_FIELD_COLUMNS,
    SURVEY,
    SURVEY_FIELD_COLUMNS,
    XLSFormError,
)
from services.surveys.instruments.xlsform_expressions import (
    parse_constraint,
    parse_positive,
    parse_relevant,
)
from shared.tabular import Table, open_workbook
from shared.uploads import Budget, UnreadableUpload, UploadLimits

_METADATA_TYPES = frozenset(
    {"start", "end", "today", "deviceid", "username", "audit", "phonenumber", "simserial"}
)
_OPTION_CODE = re.compile(OPTION_CODE_PATTERN)
_MESSAGE_COLUMNS = (
    ("relevant", "relevant"),
    ("competence", "competence"),
    ("positive", "positive"),
    ("'min'", "constraint"),
    ("min ", "constraint"),
)
_TRUE = frozenset({"yes", "true", "true()", "1", "да"})
_FALSE = frozenset({"", "no", "false", "false()", "0", "нет"})


@dataclass
class Row:
    """One non-empty row of a sheet, with its 1-based number as the spreadsheet shows it."""

    sheet: str
    number: int
    cells: dict[str, Any]

    def error(self, column: str | None, message: str) -> XLSFormError:
        """An error about this row (and column)."""
        return XLSFormError(message, sheet=self.sheet, row=self.number, column=column)

    def text(self, column: str) -> str:
        """The cell as stripped text; "" when empty or absent."""
        return _text(self.cells.get(column))

    def optional(self, column: str) -> str | None:
        """The cell as stripped text; None when empty."""
        return self.text(column) or None

    def flag(self, column: str) -> bool:
        """The cell as a yes/no flag (yes, true, 1, да / empty, no, false, 0, нет)."""
        value = self.text(column).lower()
        if value in _TRUE:
            return True
        if value in _FALSE:
            return False
        raise self.error(column, f"expected yes or no, got '{self.text(column)}'")

    def numeric(self, column: str) -> float | None:
        """The cell as a number; None when empty."""
        value = self.cells.get(column)
        if isinstance(value, int | float) and not isinstance(value, bool):
            return float(value)
        text = self.text(column)
        if not text:
            return None
        try:
            return float(text.replace(",", "."))
        except ValueError:
            raise self.error(column, f"expected a number, got '{text}'") from None


@dataclass
class _Book:
    """The open workbook and what has been taken from it, against the upload limits."""

    table: Table
    budget: Budget


@dataclass
class _Reading:
    """What has been read so far, and where it came from."""

    lists: dict[str, list[tuple[Row, dict[str, Any]]]] = field(default_factory=dict)
    settings_row: int = 2
    competences: list[Row] = field(default_factory=list)
    # Per section: its row and, per question, the question's row and its choices' rows.
    sections: list[tuple[Row, list[tuple[Row, list[Row]]]]] = field(default_factory=list)


def from_xlsform(data: bytes, limits: UploadLimits | None = None) -> InstrumentDefinition:
    """Read an XLSForm workbook within `limits` (default: the settings' defaults; a sheet of at
    most `max_xlsform_rows` rows). XLSFormError names the sheet, row and column of any problem;
    UploadLimitExceeded (422) names a limit passed. Blocking: parse in a worker thread."""
    budget = Budget(limits or UploadLimits.defaults())
    book = _Book(_open(data, budget), budget)
    reading = _Reading()
    try:
        payload = _read_settings(book, reading)
        reading.lists = _read_choices(book)
        payload["competences"] = _read_competences(book, reading)
        payload["sections"] = _read_survey(book, reading, payload.get("title", ""))
    finally:
        book.table.close()
    try:
        return InstrumentDefinition.model_validate(payload)
    except ValidationError as exc:
        raise _locate(exc, reading) from exc


def _open(data: bytes, budget: Budget) -> Table:
    try:
        return open_workbook(data, budget)
    except UnreadableUpload as exc:
        raise XLSFormError(f"not an .xlsx workbook ({exc})") from exc


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _rows(book: _Book, name: str, required: tuple[str, ...]) -> list[Row] | None:
    """The data rows of a sheet (None when the workbook has no such sheet)."""
    sheet = book.table.find(name)
    if sheet is None:
        return None
    lines = ([cell.raw for cell in row] for row in book.table.rows(sheet))
    header = [_text(cell).lower() for cell in next(lines, [])]
    columns: dict[str, int] = {}
    for index, title in enumerate(header):
        if title and "::" not in title:
            columns.setdefault(title, index)
    for index, title in enumerate(header):
        # `label::Russian (ru)`: a translated column stands in for a missing plain one.
        if "::" in title:
            columns.setdefault(title.split("::", 1)[0].strip(), index)
    for column in required:
        if column not in columns:
            raise XLSFormError(
                f"the column '{column}' is missing", sheet=name, row=1, column=column
            )
    rows = []
    limits = book.budget.limits
    for number, line in enumerate(lines, 2):
        cells = {c: line[i] for c, i in columns.items() if i < len(line)}
        if any(_text(v) for v in cells.values()):
            if len(rows) >= limits.max_xlsform_rows:
                raise limits.exceeded("xlsform_rows")
            rows.append(Row(name, number, cells))
    return rows


def _read_settings(book: _Book, reading: _Reading) -> dict[str, Any]:
    rows = _rows(book, SETTINGS, ("form_title", "form_id"))
    if rows is None:
        raise XLSFormError("the settings sheet is missing", sheet=SETTINGS)
    if not rows:
        raise XLSFormError("the settings row is empty", sheet=SETTINGS, row=2)
    row = rows[0]
    for column in ("form_title", "form_id", "kind", "audience"):
        if not row.text(column):
            raise row.error(column, f"the setting '{column}' is missing")
    reading.settings_row = row.number
    language = re.search(r"\((\w+)\)\s*$", row.text("default_language"))
    return {
        "code": row.text("form_id"),
        "title": row.text("form_title"),
        "kind": row.text("kind"),
        "audience": re.split(r"[\s,;]+", row.text("audience")),
        "description": row.text("description"),
        "source": row.optional("source"),
        "language": language.group(1) if language else row.text("default_language") or "ru",
    }


def _read_choices(book: _Book) -> dict[str, list[tuple[Row, dict[str, Any]]]]:
    lists: dict[str, list[tuple[Row, dict[str, Any]]]] = {}
    for row in _rows(book, CHOICES, ("list_name", "name", "label")) or []:
        name = row.text("name")
        if not row.text("list_name"):
            raise row.error("list_name", "the list name is missing")
        if not _OPTION_CODE.match(name):
            raise row.error(
                "name", f"choice name '{name}' must be 1-40 lowercase latin letters, digits or _"
            )
        if not row.text("label"):
            raise row.error("label", f"choice '{name}' has no label")
        options = lists.setdefault(row.text("list_name"), [])
        if any(option["code"] == name for _, option in options):
            raise row.error("name", f"choice '{name}' is repeated in its list")
        option: dict[str, Any] = {"code": name, "text": row.text("label")}
        option["correct"] = row.flag("correct")
        option["points"] = row.numeric("points") or 0
        options.append((row, option))
    return lists


def _read_competences(book: _Book, reading: _Reading) -> list[dict[str, Any]]:
    competences = []
    for row in _rows(book, COMPETENCES, ("name", "label")) or []:
        competence: dict[str, Any] = {
            "code": row.text("name"),
            "title": row.text("label"),
            "description": row.optional("description"),
        }
        threshold = row.numeric("threshold")
        if threshold is not None:
            competence["threshold"] = threshold
        reading.competences.append(row)
        competences.append(competence)
    return competences


def _read_survey(book: _Book, reading: _Reading, title: str) -> list[dict[str, Any]]:
    rows = _rows(book, SURVEY, ("type", "name", "label"))
    if rows is None:
        raise XLSFormError("the survey sheet is missing", sheet=SURVEY)
    sections: list[dict[str, Any]] = []
    group: Row | None = None  # the open `begin group` row
    loose = False  # whether the last section gathers questions outside any group
    earlier: dict[str, dict[str, Any]] = {}
    for row in rows:
        kind = " ".join(row.text("type").lower().replace("_", " ").split())
        if kind == "begin group":
            if group is not None:
                raise row.error("type", f"group '{group.text('name')}' is open: no nested groups")
            group, loose = row, False
            _add_section(sections, reading, row, row.text("name"), row.text("label"))
        elif kind == "end group":
            if group is None:
                raise row.error("type", "'end group' without 'begin group'")
            group = None
        elif kind not in _METADATA_TYPES:
            if group is None and not loose:
                # Questions outside groups (a flat form) make a section of their own.
                code = f"section_{len(sections) + 1}"
                _add_section(sections, reading, row, code, title)
                loose = True
            question = _read_question(row, reading, earlier)
            sections[-1]["questions"].append(question)
            earlier[question["code"]] = question
    if group is not None:
        raise group.error("type", f"group '{group.text('name')}' has no 'end group'")
    if not sections:
        raise XLSFormError("the survey has no questions", sheet=SURVEY, row=2)
    return sections


def _add_section(
    sections: list[dict[str, Any]], reading: _Reading, row: Row, code: str, title: str
) -> None:
    sections.append({"code": code, "title": title, "questions": []})
    reading.sections.append((row, []))


def _read_question(
    row: Row, reading: _Reading, earlier: dict[str, dict[str, Any]]
) -> dict[str, Any]:
    try:
        kind, list_name = type_from_xlsform(row.text("type"), row.text("competence"))
    except ValueError as exc:
        raise row.error("type", str(exc)) from None
    choices: list[tuple[Row, dict[str, Any]]] = []
    if list_name is not None:
        if list_name not in reading.lists:
            raise row.error("type", f"unknown list '{list_name}': not on the choices sheet")
        choices = reading.lists[list_name]
    reading.sections[-1][1].append((row, [choice_row for choice_row, _ in choices]))
    question: dict[str, Any] = {
        "code": row.text("name"),
        "type": kind,
        "text": row.text("label"),
        "hint": row.optional("hint"),
        "required": row.flag("required"),
        "options": [dict(option) for _, option in choices],
        "competence": row.optional("competence"),
        "points": row.numeric("points"),
    }
    constraint = row.text("constraint")
    try:
        if constraint and not question_type(kind).ranged:
            raise ValueError("constraints are supported on decimal and integer questions only")
        question["min"], question["max"] = (
            parse_constraint(constraint) if constraint else (None, None)
        )
    except ValueError as exc:
        raise row.error("constraint", str(exc)) from None
    try:
        question["relevant"] = parse_relevant(row.text("relevant"), earlier)
    except ValueError as exc:
        raise row.error("relevant", str(exc)) from None
    try:
        question["positive"] = parse_positive(row.text("positive"), kind)
    except ValueError as exc:
        raise row.error("positive", str(exc)) from None
    return question


def _locate(exc: ValidationError, reading: _Reading) -> XLSFormError:
    """The first validation error, placed at the sheet, row and column it comes from."""
    error = exc.errors()[0]
    loc = list(error["loc"])
    message = str(error["msg"]).removeprefix("Value error, ")
    if isinstance(error.get("input"), str | int | float) and error["type"] != "value_error":
        message += f" (got {error['input']!r})"
    if exc.error_count() > 1:
        message += f" (and {exc.error_count() - 1} more problems)"
    place = _place(loc, reading) or _place_by_code(message, reading)
    if place is None:
        return XLSFormError(message)
    sheet, row, column = place
    if sheet == SURVEY and column is None:
        # Rules over a whole question or instrument say which cell they are about in words.
        column = next((col for word, col in _MESSAGE_COLUMNS if word in message), None)
    return XLSFormError(message, sheet=sheet, row=row, column=column)


Place = tuple[str, int | None, str | None]


def _place(loc: list[Any], reading: _Reading) -> Place | None:
    def field_after(index: int, columns: dict[str, str]) -> str | None:
        return columns.get(loc[index]) if len(loc) > index else None

    if loc and loc[0] in SETTINGS_FIELD_COLUMNS:
        return SETTINGS, reading.settings_row, SETTINGS_FIELD_COLUMNS[loc[0]]
    if loc[:1] == ["competences"] and len(loc) > 1:
        return (
            COMPETENCES,
            reading.competences[loc[1]].number,
            field_after(2, COMPETENCE_FIELD_COLUMNS),
        )
    if loc[:1] != ["sections"] or len(loc) < 2:
        return None
    section_row, questions = reading.sections[loc[1]]
    if len(loc) < 4 or loc[2] != "questions":
        return SURVEY, section_row.number, field_after(2, SURVEY_FIELD_COLUMNS)
    question_row, choice_rows = questions[loc[3]]
    if len(loc) > 6 and loc[4] == "options":
        return CHOICES, choice_rows[loc[5]].number, field_after(6, CHOICE_FIELD_COLUMNS)
    return SURVEY, question_row.number, field_after(4, SURVEY_FIELD_COLUMNS)


def _place_by_code(message: str, reading: _Reading) -> Place | None:
    """For whole-instrument rules: the row of the first code the message quotes."""
    rows = {row.text("name"): (COMPETENCES, row) for row in reading.competences}
    for section_row, questions in reading.sections:
        rows.setdefault(section_row.text("name"), (SURVEY, section_row))
        rows.update({row.text("name"): (SURVEY, row) for row, _ in questions})
    for code in re.findall(r"'([^']+)'", message):
        if code in rows:
            sheet, row = rows[code]
            return sheet, row.number, None
    return None
