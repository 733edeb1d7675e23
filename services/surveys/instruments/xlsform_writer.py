"""Write an instrument definition as an XLSForm workbook (.xlsx): every text a string cell,
never a formula (shared.spreadsheets.write_row), read back unchanged by the reader."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from services.surveys.instruments.definition import InstrumentDefinition, Question
from services.surveys.instruments.question_types import (
    built_in_lists,
    question_type,
    question_types,
)
from services.surveys.instruments.xlsform_common import (
    CHOICES,
    CHOICES_COLUMNS,
    COMPETENCES,
    COMPETENCES_COLUMNS,
    NO,
    NO_POSITIVE,
    SETTINGS,
    SETTINGS_COLUMNS,
    SURVEY,
    SURVEY_COLUMNS,
    YES,
    format_number,
)
from shared.spreadsheets import write_row

Cell = str | int | float | None


def to_xlsform(defn: InstrumentDefinition, version: str = "1") -> bytes:
    """The instrument as an XLSForm workbook that `from_xlsform` reads back unchanged."""
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = SURVEY
    write_row(survey, SURVEY_COLUMNS)
    choices = book.create_sheet(CHOICES)
    write_row(choices, CHOICES_COLUMNS)
    _write_built_in_lists(choices, defn)
    for section in defn.sections:
        write_row(survey, ["begin group", section.code, section.title])
        for question in section.questions:
            write_row(survey, _survey_row(defn, question))
            for option in question.options:
                write_row(
                    choices,
                    [
                        list_name(question),
                        option.code,
                        option.text,
                        YES if option.correct else None,
                        _number(option.points) if option.points else None,
                    ],
                )
        write_row(survey, ["end group"])
    _write_settings(book.create_sheet(SETTINGS), defn, version)
    if defn.competences:
        sheet = book.create_sheet(COMPETENCES)
        write_row(sheet, COMPETENCES_COLUMNS)
        for competence in defn.competences:
            write_row(
                sheet,
                [competence.code, competence.title, competence.threshold, competence.description],
            )
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def list_name(question: Question) -> str:
    """The choice list of a question with options: its own code (never a built-in list name)."""
    # A leading underscore cannot start a question code, so renamed lists never collide.
    return question.code if question.code not in built_in_lists() else f"_{question.code}"


def format_relevant(defn: InstrumentDefinition, question: Question) -> str | None:
    """The question's relevance condition as an XLSForm `relevant` expression."""
    rel = question.relevant
    if rel is None:
        return None
    kind = question_type(defn.question(rel.question).type)
    return " or ".join(kind.relevant_term(rel.question, value) for value in rel.values())


def _survey_row(defn: InstrumentDefinition, question: Question) -> list[Cell]:
    cells: dict[str, Cell] = {
        "type": question_type(question.type).xlsform_type(list_name(question)),
        "name": question.code,
        "label": question.text,
        "hint": question.hint,
        "required": YES if question.required else NO,
        "relevant": format_relevant(defn, question),
        "constraint": _constraint(question),
        "competence": question.competence,
        "points": _number(question.points) if question.points is not None else None,
        "positive": _positive(question),
    }
    return [cells[column] for column in SURVEY_COLUMNS]


def _constraint(question: Question) -> str | None:
    terms = []
    if question.min is not None:
        terms.append(f". >= {format_number(question.min)}")
    if question.max is not None:
        terms.append(f". <= {format_number(question.max)}")
    return " and ".join(terms) or None


def _positive(question: Question) -> str | None:
    positive = question.positive
    kind = question_type(question.type)
    if positive is None or (kind.default_positive and positive == list(kind.default_positive)):
        return None
    if not positive:
        return NO_POSITIVE
    return " ".join(kind.format_positive(value) for value in positive)


def _number(value: float) -> int | float:
    return int(value) if float(value).is_integer() else value


def _write_built_in_lists(sheet: Worksheet, defn: InstrumentDefinition) -> None:
    used = {q.type for q in defn.questions()}
    for kind in question_types():
        if kind.name in used and kind.built_in_list is not None:
            for name, label in kind.built_in_choices(defn.kind):
                write_row(sheet, [kind.built_in_list, name, label])


def _write_settings(sheet: Worksheet, defn: InstrumentDefinition, version: str) -> None:
    values: dict[str, Cell] = {
        "form_title": defn.title,
        "form_id": defn.code,
        "version": version,
        "default_language": defn.language,
        "kind": defn.kind,
        "audience": " ".join(defn.audience),
        "description": defn.description,
        "source": defn.source,
    }
    write_row(sheet, SETTINGS_COLUMNS)
    write_row(sheet, [values[column] for column in SETTINGS_COLUMNS])
