"""Write an instrument definition as an XLSForm workbook (.xlsx): every text a string cell,
never a formula (shared.spreadsheets.write_row), read back unchanged by the reader."""

from __future__ import annotations

import io

from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from services.surveys.instruments.definition import InstrumentDefinition, Question, Section
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
    DEFAULT_LANGUAGE,
    NO,
    NO_POSITIVE,
    SETTINGS,
    SETTINGS_COLUMNS,
    SURVEY,
    SURVEY_COLUMNS,
    TRANSLATED_SURVEY_COLUMNS,
    YES,
    format_number,
)
from shared.spreadsheets import write_row

Cell = str | int | float | None


def to_xlsform(defn: InstrumentDefinition, version: str = "1") -> bytes:
    """The instrument as an XLSForm workbook that `from_xlsform` reads back unchanged: texts
    per language in `label::<language>` columns, every expression as written."""
    languages = _languages(defn)
    properties = list(
        dict.fromkeys(k for q in defn.questions() for o in q.options for k in o.properties or {})
    )
    book = Workbook()
    survey = book.active
    assert survey is not None
    survey.title = SURVEY
    survey_columns = [*SURVEY_COLUMNS, *_language_columns(TRANSLATED_SURVEY_COLUMNS, languages)]
    write_row(survey, survey_columns)
    choices = book.create_sheet(CHOICES)
    choice_columns = [
        *CHOICES_COLUMNS,
        *properties,
        *_language_columns({"label": "text"}, languages),
    ]
    write_row(choices, choice_columns)
    _write_built_in_lists(choices, defn)
    for section in defn.sections:
        write_row(survey, _row(survey_columns, _section_cells(section)))
        for question in section.questions:
            write_row(survey, _row(survey_columns, _survey_cells(defn, question)))
            for option in question.options:
                cells: dict[str, Cell] = {
                    "list_name": list_name(question),
                    "name": option.code,
                    "label": option.text,
                    "correct": YES if option.correct else None,
                    "points": _number(option.points) if option.points else None,
                    **(option.properties or {}),
                }
                _translated(cells, {"label": "text"}, option.translations)
                write_row(choices, _row(choice_columns, cells))
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


def _languages(defn: InstrumentDefinition) -> list[str]:
    found: dict[str, None] = {}
    for section in defn.sections:
        found.update(dict.fromkeys(section.translations or {}))
        for question in section.questions:
            found.update(dict.fromkeys(question.translations or {}))
            for option in question.options:
                found.update(dict.fromkeys(option.translations or {}))
    found.pop(DEFAULT_LANGUAGE, None)  # its texts go to the unsuffixed columns
    return list(found)


def _language_columns(columns: dict[str, str], languages: list[str]) -> list[str]:
    return [f"{column}::{language}" for column in columns for language in languages]


def _translated(
    cells: dict[str, Cell],
    columns: dict[str, str],
    translations: dict[str, dict[str, str]] | None,
) -> None:
    """Texts per language in their columns; the unsuffixed ones keep only pyxform's default."""
    if not translations:
        return
    for column, field in columns.items():
        cells[column] = translations.get(DEFAULT_LANGUAGE, {}).get(field)
        for language, texts in translations.items():
            if language != DEFAULT_LANGUAGE:
                cells[f"{column}::{language}"] = texts.get(field)


def _row(columns: list[str], cells: dict[str, Cell]) -> list[Cell]:
    return [cells.get(column) for column in columns]


def _section_cells(section: Section) -> dict[str, Cell]:
    cells: dict[str, Cell] = {
        "type": "begin group",
        "name": section.code,
        "label": section.title,
        "appearance": section.appearance,
    }
    _translated(cells, {"label": "title"}, section.translations)
    return cells


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


def _survey_cells(defn: InstrumentDefinition, question: Question) -> dict[str, Cell]:
    cells: dict[str, Cell] = {
        "type": question_type(question.type).xlsform_type(list_name(question)),
        "name": question.code,
        "label": question.text,
        "hint": question.hint,
        "required": question.required_expression or (YES if question.required else NO),
        "relevant": question.relevant_expression or format_relevant(defn, question),
        "constraint": question.constraint or _constraint(question),
        "competence": question.competence,
        "points": _number(question.points) if question.points is not None else None,
        "positive": _positive(question),
        "allow_unsure": YES if question.allow_unsure else None,
        "constraint_message": question.constraint_message,
        "required_message": question.required_message,
        "choice_filter": question.choice_filter,
        "calculation": question.calculation,
        "appearance": question.appearance,
    }
    if question_type(question.type).answered is False:
        cells["required"] = None
    _translated(cells, TRANSLATED_SURVEY_COLUMNS, question.translations)
    return cells


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
        "default_language": defn.default_language or defn.language,
        "kind": defn.kind,
        "audience": " ".join(defn.audience),
        "description": defn.description,
        "source": defn.source,
    }
    write_row(sheet, SETTINGS_COLUMNS)
    write_row(sheet, [values[column] for column in SETTINGS_COLUMNS])
