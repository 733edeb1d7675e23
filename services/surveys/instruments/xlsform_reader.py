"""Read an instrument definition from an XLSForm workbook (.xlsx), written by hand or exported.

The sheets are read through `shared.tabular` within the upload limits, handed to pyxform (the
ODK project's reference reader, what KoboToolbox and ODK Central use) as rows, and pyxform's
survey JSON becomes our definition (`xlsform_survey`). Whatever pyxform refuses, or reads but
our definition cannot hold, is an XLSFormError naming the sheet, row and column; nothing is
dropped. Our own columns (`competence`, `points`, `positive`; `correct`, `points` of choices;
`kind`, `audience`, `description`, `source` of settings; the `competences` sheet) are read
from the rows beside pyxform; logic pyxform leaves to ODK Validate is checked in
`xlsform_checks` (cycles, unknown filter columns, the default language). A workbook
without `kind` or `audience` (a KoboToolbox form) takes those given with the upload, else a
parents' satisfaction questionnaire.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError
from pyxform.errors import PyXFormError
from pyxform.xls2json import workbook_to_json
from pyxform.xls2json_backends import DefinitionData

from services.surveys.instruments.definition import (
    ADDED,
    DEFINITION_PATTERNS,
    INSTRUMENT_CODE_PATTERN,
    InstrumentDefinition,
)
from services.surveys.instruments.question_types import LIKERT5_LABELS, question_types
from services.surveys.instruments.xlsform_checks import check_logic, check_rows
from services.surveys.instruments.xlsform_common import (
    CHOICE_FIELD_COLUMNS,
    CHOICES,
    COMPETENCE_FIELD_COLUMNS,
    COMPETENCES,
    SETTINGS,
    SETTINGS_FIELD_COLUMNS,
    SURVEY,
    SURVEY_FIELD_COLUMNS,
    Problems,
    XLSFormError,
)
from services.surveys.instruments.xlsform_messages import pyxform_error
from services.surveys.instruments.xlsform_sheets import Sheet, check_columns, read_sheet, require
from services.surveys.instruments.xlsform_survey import Placed, SourceRow, sections_from
from shared.tabular import Table, open_workbook
from shared.uploads import Budget, UnreadableUpload, UploadLimits
from shared.validation_messages import russian_message

DEFAULT_KIND = "satisfaction"
DEFAULT_AUDIENCE = ("parents",)
# Words of the definition's messages (which name the field they are about) → the survey column.
_MESSAGE_COLUMNS = (
    ("relevant", "relevant"),
    ("required", "required"),
    ("choice_filter", "choice_filter"),
    ("calculation", "calculation"),
    ("constraint", "constraint"),
    ("competence", "competence"),
    ("positive", "positive"),
    ("allow_unsure", "allow_unsure"),
    ("min ", "constraint"),
)
Row = SourceRow


@dataclass
class _Reading:
    """Where the definition came from, for placing validation errors."""

    settings_row: int = 2
    competences: list[SourceRow] = field(default_factory=list)
    placed: Placed = field(default_factory=Placed)

    @property
    def sections(self) -> list[tuple[SourceRow, list[tuple[SourceRow, list[SourceRow]]]]]:
        return self.placed.sections


def from_xlsform(
    data: bytes,
    limits: UploadLimits | None = None,
    *,
    kind: str | None = None,
    audience: list[str] | None = None,
    filename: str | None = None,
) -> InstrumentDefinition:
    """Read an XLSForm workbook within `limits` (default: the settings' defaults; a sheet of
    at most `max_xlsform_rows` rows). `kind` and `audience` (the upload's form fields) stand in
    for settings the workbook does not give (else a parents' satisfaction questionnaire);
    `filename` for a missing form_id and form_title (as pyxform takes them).
    XLSFormError names the sheet, row and column of a problem, and in `problems` every problem
    found (at most MAX_PROBLEMS; `count` says how many); UploadLimitExceeded (422) names a limit
    passed. Blocking: parse in a worker thread."""
    budget = Budget(limits or UploadLimits.defaults())
    problems = Problems()
    table = _open(data, budget)
    try:
        sheets = {name: read_sheet(table, budget, name) for name in (SURVEY, CHOICES, SETTINGS)}
        competence_sheet = read_sheet(table, budget, COMPETENCES)
    finally:
        table.close()
    reading = _Reading()
    payload: dict[str, Any] = {}
    with problems.collecting():
        check_columns(sheets)
    with problems.collecting():
        payload = _read_settings(sheets[SETTINGS], reading, kind, audience, filename)
    with problems.collecting():
        payload["competences"] = _read_competences(competence_sheet, reading)
    with problems.collecting():
        check_rows(sheets)
    problems.check()  # what pyxform would stop at the first of, each named
    survey = _pyxform(sheets, payload["code"], payload["kind"])
    with problems.collecting():
        check_logic(sheets)
    problems.check()
    # Kept as written when it names a language ("Russian (ru)"); a bare code is `language`.
    written = survey.get("default_language") or ""
    payload["default_language"] = written if re.search(r"\(\w+\)\s*$", written) else None
    survey_rows: dict[str, SourceRow] = {}
    for row in sheets[SURVEY].filled():
        survey_rows.setdefault(row.text("name"), row)
    choice_rows = {
        (row.text("list_name"), row.text("name")): row
        for row in (sheets[CHOICES].filled() if sheets[CHOICES] else [])
    }
    payload["sections"], reading.placed = sections_from(
        survey, survey_rows, choice_rows, payload["title"], _numeric, problems
    )
    problems.check()
    try:
        return InstrumentDefinition.model_validate(payload, context=ADDED)
    except ValidationError as exc:
        raise _locate(exc, reading) from exc


def _open(data: bytes, budget: Budget) -> Table:
    try:
        return open_workbook(data, budget)
    except UnreadableUpload as exc:
        raise XLSFormError(f"файл не читается как книга Excel .xlsx: {exc}") from exc


def _numeric(row: SourceRow, column: str) -> float | None:
    """The cell as a number; None when empty."""
    text = row.text(column)
    if not text:
        return None
    try:
        return float(text.replace(",", "."))
    except ValueError:
        raise row.error(column, f"ожидается число, а написано «{text}»") from None


def _read_settings(
    sheet: Sheet | None,
    reading: _Reading,
    kind: str | None,
    audience: list[str] | None,
    filename: str | None,
) -> dict[str, Any]:
    """The instrument's settings. As pyxform does, a workbook without a settings sheet (or
    without form_id) takes its form_id from the file's name, and without form_title its title
    from the form_id given, else the file's name as written; kind and audience come from the
    upload, else the defaults."""
    row = sheet.filled()[0] if sheet is not None and sheet.filled() else SourceRow(SETTINGS, 2, {})
    reading.settings_row = row.number
    stem = _file_stem(filename)
    code = row.text("form_id") or (form_code(stem) if stem else "")
    if not code:
        # A name of no letters or digits (`😀.xlsx`, `调查.xlsx`) gives no code: one made up
        # for all of them would make unrelated forms versions of one instrument.
        source = (
            f"в имени файла «{stem}» нет латинских или русских букв и цифр, из которых"
            if stem
            else "у файла нет имени, из которого"
        )
        raise row.error("form_id", f"не заполнена настройка form_id (а {source} её можно взять)")
    if not re.fullmatch(INSTRUMENT_CODE_PATTERN, code):
        raise row.error(
            "form_id",
            f"form_id «{code}» не подходит: нужны 3–61 строчная латинская буква, цифра или _, "
            "первая — буква",
        )
    language = re.search(r"\((\w+)\)\s*$", row.text("default_language"))
    written = re.split(r"[\s,;]+", row.text("audience")) if row.text("audience") else None
    # The upload's kind and audience fill what the sheet lacks; one that says otherwise than
    # the sheet would be dropped unseen: refused, naming both.
    if kind and row.text("kind") and kind != row.text("kind"):
        raise row.error(
            "kind",
            f"в книге kind «{row.text('kind')}», а в поле kind запроса — «{kind}»: "
            "оставьте одно из них",
        )
    if audience and written and sorted(set(audience)) != sorted(set(written)):
        raise row.error(
            "audience",
            f"в книге audience «{row.text('audience')}», а в поле audience запроса — "
            f"«{' '.join(audience)}»: оставьте одно из них",
        )
    return {
        "code": code,
        # pyxform's title is the form id; one made of the file's name reads better as written.
        "title": row.text("form_title") or (stem if not row.text("form_id") else "") or code,
        "kind": row.text("kind") or kind or DEFAULT_KIND,
        "audience": written or audience or list(DEFAULT_AUDIENCE),
        "description": row.text("description"),
        "source": row.optional("source"),
        "language": language.group(1) if language else row.text("default_language") or "ru",
    }


def _file_stem(filename: str | None) -> str:
    """`Анкета родителей (1).xlsx` → `Анкета родителей (1)`; "" without a name."""
    name = (filename or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = re.sub(r"\.xls[xm]?$", "", name, flags=re.IGNORECASE)
    return " ".join(stem.split())


_LATIN = "a b v g d e e zh z i i k l m n o p r s t u f kh ts ch sh shch - y - e iu ia"
_CYRILLIC = {
    letter: latin.strip("-")
    for letter, latin in zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя", _LATIN.split(), strict=True)
}


def form_code(name: str) -> str:
    """An instrument code made of a file's name, as pyxform makes the form id of it:
    `Анкета родителей 2024` → `anketa_roditelei_2024`; prefixed `form_` where it would not
    start with a letter or be too short; "" when the name has no Latin or Russian letter nor
    a digit (`???`, `😀`, `调查`)."""
    latin = "".join(_CYRILLIC.get(ch, ch) for ch in name.lower())
    code = re.sub(r"[^a-z0-9]+", "_", latin).strip("_")[:61].rstrip("_")
    if not code:
        return ""
    if not re.fullmatch(INSTRUMENT_CODE_PATTERN, code):
        code = f"form_{code}"[:61].rstrip("_")
    return code


def _read_competences(sheet: Sheet | None, reading: _Reading) -> list[dict[str, Any]]:
    if sheet is None:
        return []
    require(sheet, "name", "label")
    competences = []
    for row in sheet.filled():
        competence: dict[str, Any] = {
            "code": row.text("name"),
            "title": row.text("label"),
            "description": row.optional("description"),
        }
        threshold = _numeric(row, "threshold")
        if threshold is not None:
            competence["threshold"] = threshold
        reading.competences.append(row)
        competences.append(competence)
    return competences


def _built_in_rows(sheets: dict[str, Sheet | None], kind: str) -> list[dict[str, str]]:
    """Rows of our built-in lists (`likert5`, `yes_no`) that the choices sheet leaves out."""
    given = (
        {row.text("list_name") for row in sheets[CHOICES].filled()} if sheets[CHOICES] else set()
    )
    rows = []
    for question_kind in question_types():
        name = question_kind.built_in_list
        if name is not None and name not in given:
            choices = question_kind.built_in_choices(
                kind if kind in LIKERT5_LABELS else DEFAULT_KIND
            )
            rows += [{"list_name": name, "name": code, "label": text} for code, text in choices]
    return rows


def _pyxform(sheets: dict[str, Sheet | None], form_id: str, kind: str) -> dict[str, Any]:
    """pyxform's survey JSON of the survey, choices and settings rows."""
    survey = sheets[SURVEY]
    if survey is None:
        raise XLSFormError("в книге нет листа survey", sheet=SURVEY)
    require(survey, "type", "name", "label")
    if sheets[CHOICES] is not None:
        require(sheets[CHOICES], "list_name", "name", "label")
    data: dict[str, Any] = {"sheet_names": [s.name for s in sheets.values() if s is not None]}
    for name, sheet in sheets.items():
        if sheet is not None:
            data[name] = [dict(row.cells) for row in sheet.rows]
            data[f"{name}_header"] = [{h: None for h in sheet.headers if h is not None}]
    built_in = _built_in_rows(sheets, kind)
    if built_in:
        data.setdefault(CHOICES, []).extend(built_in)
        header = data.setdefault(f"{CHOICES}_header", [{}])
        header[0].update(dict.fromkeys(("list_name", "name", "label")))
    try:
        return workbook_to_json(DefinitionData(**data), form_name=form_id, warnings=[])
    except PyXFormError as exc:
        raise pyxform_error(str(exc), sheets) from exc


def _locate(exc: ValidationError, reading: _Reading) -> XLSFormError:
    """Every validation error, each placed at the sheet, row and column it comes from; one
    cell's problem once (a text in the form's language is also its translation)."""
    problems, seen = Problems(), set()
    for error in exc.errors():
        found = _located(error, reading)
        place = (found.sheet, found.row, found.column, found.message)
        if place not in seen:
            seen.add(place)
            problems.add(found)
    return XLSFormError.several(problems.found, problems.count)


def _located(error: Any, reading: _Reading) -> XLSFormError:
    """One validation error of pydantic, placed."""
    loc = list(error["loc"])
    message = russian_message(error, DEFINITION_PATTERNS)
    place = _place(loc, reading, error.get("input")) or _place_by_code(message, reading)
    if place is None:
        return XLSFormError(message)
    sheet, row, column = place
    if sheet == SURVEY and column is None:
        # Rules over a whole question or instrument say which cell they are about in words.
        column = next((col for word, col in _MESSAGE_COLUMNS if word in message), None)
    return XLSFormError(message, sheet=sheet, row=row, column=column)


Place = tuple[str, int | None, str | None]


def _source_column(row: SourceRow, column: str | None, value: Any) -> str | None:
    """The column of `row` a text was read from: `column` itself (`label`), unless the row
    has no such cell or holds another text there, and a column of a language does hold it
    (`label::Russian (ru)`, the form's language taken for the text)."""
    if column is None or "::" in column or not isinstance(value, str):
        return column
    if row.cells.get(column) == value:
        return column
    languages = (h for h in row.cells if h.startswith(f"{column}::"))
    return next((h for h in languages if row.cells[h] == value), column)


def _place(loc: list[Any], reading: _Reading, value: Any = None) -> Place | None:
    """The sheet, row and column an error's `loc` points at (`value`: the text refused, which
    tells the column of the language it was read from)."""

    def field_after(index: int, columns: dict[str, str]) -> str | None:
        if len(loc) > index + 2 and loc[index] == "translations":
            # A translated text: its column in the language, `label::English (en)`.
            language, base = loc[index + 1], columns.get(loc[index + 2])
            return base if language == "default" or base is None else f"{base}::{language}"
        return columns.get(loc[index]) if len(loc) > index else None

    def at(row: SourceRow, column: str | None) -> Place:
        return row.sheet, row.number, _source_column(row, column, value)

    if loc and loc[0] in SETTINGS_FIELD_COLUMNS:
        return SETTINGS, reading.settings_row, SETTINGS_FIELD_COLUMNS[loc[0]]
    if loc[:1] == ["competences"] and len(loc) > 1:
        return at(reading.competences[loc[1]], field_after(2, COMPETENCE_FIELD_COLUMNS))
    if loc[:1] != ["sections"] or len(loc) < 2:
        return None
    section_row, questions = reading.sections[loc[1]]
    if loc[2:] == ["title"] and not section_row.text("type").lower().startswith("begin"):
        # A section of no group (placed at its first question): its title is the form's.
        return SETTINGS, reading.settings_row, SETTINGS_FIELD_COLUMNS["title"]
    if len(loc) < 4 or loc[2] != "questions":
        return at(section_row, field_after(2, SURVEY_FIELD_COLUMNS))
    question_row, choice_rows = questions[loc[3]]
    if len(loc) > 6 and loc[4] == "options":
        return at(choice_rows[loc[5]], field_after(6, CHOICE_FIELD_COLUMNS))
    return at(question_row, field_after(4, SURVEY_FIELD_COLUMNS))


def _place_by_code(message: str, reading: _Reading) -> Place | None:
    """For whole-instrument rules: the row of the first code the message quotes."""
    rows = {row.text("name"): (COMPETENCES, row) for row in reading.competences}
    for section_row, questions in reading.sections:
        rows.setdefault(section_row.text("name"), (SURVEY, section_row))
        rows.update({row.text("name"): (SURVEY, row) for row, _ in questions})
    for code in re.findall(r"«([^»]+)»", message):
        if code in rows:
            sheet, row = rows[code]
            return sheet, row.number, None
    return None
