"""Checks of an XLSForm's rows before pyxform reads them (which stops at the first problem),
and of its logic that pyxform leaves to ODK Validate: forms that would import but leave
questions nobody can answer. Each failure is an XLSFormError naming the sheet, row and column,
and every failure is named, not the first: unknown types, expressions that do not parse or
name no question (`check_rows`); a `choice_filter` reading a column the choices sheet lacks or
that can never offer a choice (`xlsform_filters`), `relevant` and `calculation` references
that form a cycle (a question shown only when an answer given after it, a calculation of
itself), a `default_language` with no label column or rows without a label in it, which a
respondent would see empty (`check_logic`)."""

from __future__ import annotations

import re

from services.surveys.instruments import xpath
from services.surveys.instruments.xlsform_common import (
    CHOICES,
    SETTINGS,
    SURVEY,
    TRANSLATED_SURVEY_COLUMNS,
    Problems,
)
from services.surveys.instruments.xlsform_filters import check_choice_filters
from services.surveys.instruments.xlsform_sheets import Sheet
from services.surveys.instruments.xlsform_survey import SourceRow
from services.surveys.instruments.xlsform_types import flag, type_problem

# The cells whose references make a question's value or presence depend on other questions.
_DEPENDING = ("relevant", "calculation")
_REFERENCE = re.compile(r"\$\{([^}\s]+)\}")
# A dependency: the question depended on, and the row and column of the expression naming it.
_Edge = tuple[str, SourceRow, str]


# The cells holding an expression, and those holding one unless they are a yes/no flag.
_EXPRESSIONS = ("relevant", "constraint", "calculation", "choice_filter")
_FLAG_OR_EXPRESSION = ("required",)
# Survey rows that show no label: the ends of groups, calculations and metadata.
_UNLABELLED = re.compile(r"(end[ _](group|repeat)|calculate)\b.*")


def check_rows(sheets: dict[str, Sheet | None]) -> None:
    """XLSFormError naming every survey row whose type we do not read, and every expression
    cell that does not parse or refers (`${name}`) to no row of the survey."""
    survey = sheets[SURVEY]
    if survey is None:
        return
    problems = Problems()
    rows = survey.filled()
    names = {row.text("name") for row in rows if row.text("name")}
    for row in rows:
        if row.text("type") and (problem := type_problem(row.text("type"), row.text("competence"))):
            problems.add(row.error("type", problem))
        for column in (*_EXPRESSIONS, *_FLAG_OR_EXPRESSION):
            text = row.text(column)
            if not text or (column in _FLAG_OR_EXPRESSION and flag(text) is not None):
                continue
            try:
                tree = xpath.parse(text)
            except xpath.ExpressionError as exc:
                problems.add(row.error(column, str(exc)))
                continue
            for name in sorted(xpath.references(tree) - names):
                problems.add(
                    row.error(
                        column, f"ссылка ${{{name}}}: вопроса с именем «{name}» на листе survey нет"
                    )
                )
    problems.check()


def check_logic(sheets: dict[str, Sheet | None]) -> None:
    """XLSFormError naming every broken place the checks above find; nothing when none."""
    survey = sheets[SURVEY]
    if survey is None:
        return
    problems = Problems()
    with problems.collecting():
        _check_default_language(survey, sheets[SETTINGS])
    with problems.collecting():
        _check_default_labels(survey, sheets[CHOICES], sheets[SETTINGS])
    with problems.collecting():
        check_choice_filters(survey, sheets[CHOICES])
    with problems.collecting():
        _check_cycles(survey)
    problems.check()


def _default_language(settings: Sheet | None) -> SourceRow | None:
    """The settings row when it names a default_language."""
    rows = settings.filled() if settings else []
    return rows[0] if rows and rows[0].text("default_language") else None


def _check_default_language(survey: Sheet, settings: Sheet | None) -> None:
    row = _default_language(settings)
    if row is None:
        return
    language = row.text("default_language")
    labels = [h for h in survey.headers if h and _base(h) == "label"]
    if not labels or _default_column(labels, language) is not None:
        return
    written = ", ".join(labels)
    raise row.error(
        "default_language",
        f"для языка по умолчанию «{language}» на листе survey нет столбца label (есть "
        f"{written}): укажите в default_language один из их языков",
    )


def _default_column(columns: list[str], language: str, base: str = "label") -> str | None:
    """The column of a text (`label`, `hint`, ...) in the default language: its own, else
    the unsuffixed one (which pyxform reads as the default language's)."""
    wanted = _language_key(language)
    own = [h for h in columns if "::" in h and _language_key(h.split("::", 1)[1]) == wanted]
    return own[0] if own else (base if base in columns else None)


def _base(header: str) -> str:
    return header.split("::", 1)[0]


def _language_key(text: str) -> str:
    return " ".join(text.split()).lower()


def _check_default_labels(survey: Sheet, choices: Sheet | None, settings: Sheet | None) -> None:
    """Every text of the survey and choices sheets given in some language (label, hint and
    messages; a choice's label) is given in the default language too: pyxform only warns,
    and a respondent would see "-" (ODK) or another language in its place. A sheet without
    the default language's column of a text at all is named once."""
    setting = _default_language(settings)
    if setting is None:
        return
    language = setting.text("default_language")
    problems = Problems()
    texts = [(survey, base) for base in TRANSLATED_SURVEY_COLUMNS] + [(choices, "label")]
    for sheet, base in texts:
        columns = [h for h in (sheet.headers if sheet else []) if h and _base(h) == base]
        if sheet is None or not any("::" in h for h in columns):
            continue  # one language only
        column = _default_column(columns, language, base)
        lacking = [
            row
            for row in sheet.filled()
            if not (sheet is survey and _UNLABELLED.fullmatch(row.text("type").lower()))
            and any(row.text(h) for h in columns)
            and not (column and row.text(column))
            and not row.text(base)
        ]
        if column is None and lacking and (sheet, base) != (survey, "label"):
            # (a survey sheet without labels in it: `_check_default_language` names it)
            problems.add(
                lacking[0].error(
                    f"{base}::{language}",
                    f"на листе {sheet.name} нет {base} на языке по умолчанию «{language}» "
                    f"(строк: {len(lacking)}): респонденты увидят пустой текст или текст на "
                    f"другом языке; добавьте столбец {base}::{language}",
                )
            )
        for row in lacking if column is not None else []:
            given = ", ".join(h for h in columns if row.text(h))
            problems.add(
                row.error(
                    column,
                    f"нет {base} на языке по умолчанию «{language}» (заполнено только "
                    f"{given}): респонденты увидят пустой текст или текст на другом языке",
                )
            )
    problems.check()


def _check_cycles(survey: Sheet) -> None:
    rows = survey.filled()
    names = {row.text("name") for row in rows if row.text("name")}
    edges: dict[str, list[_Edge]] = {}
    groups: list[list[_Edge]] = []  # the dependencies of each open group
    for row in rows:
        kind = " ".join(row.text("type").replace("_", " ").split()).lower()
        own = [
            (ref, row, column)
            for column in _DEPENDING
            for ref in _REFERENCE.findall(row.text(column))
            if ref in names
        ]
        if kind.startswith("end "):
            if groups:
                groups.pop()
            continue
        inherited = [edge for group in groups for edge in group]
        if row.text("name"):
            edges.setdefault(row.text("name"), []).extend(own + inherited)
        if kind in {"begin group", "begin repeat"}:
            groups.append(own)
    cycle = _first_cycle(edges, [row.text("name") for row in rows if row.text("name")])
    if cycle is None:
        return
    start = min(range(len(cycle)), key=lambda i: (cycle[i][1].number, i))
    cycle = [*cycle[start:], *cycle[:start]]
    _, row, column = cycle[0]
    path = " → ".join([f"${{{cycle[-1][0]}}}", *(f"${{{ref}}}" for ref, _, _ in cycle)])
    raise row.error(
        column,
        f"ссылки в relevant и calculation замкнуты в цикл ({path}): каждый вопрос ждёт "
        "другого, поэтому на них никогда не ответить",
    )


def _first_cycle(edges: dict[str, list[_Edge]], order: list[str]) -> list[_Edge] | None:
    """The edges of the first cycle met walking the names in sheet order, or None."""
    done: set[str] = set()
    for start in order:
        if start in done:
            continue
        path: list[_Edge] = []
        on_path = {start: 0}
        stack = [(start, iter(edges.get(start, [])))]
        while stack:
            name, pending = stack[-1]
            edge = next(pending, None)
            if edge is None:
                stack.pop()
                on_path.pop(name, None)
                done.add(name)
                if path:
                    path.pop()
                continue
            target = edge[0]
            if target in on_path:
                return [*path[on_path[target] :], edge]
            if target in done:
                continue
            path.append(edge)
            on_path[target] = len(path)
            stack.append((target, iter(edges.get(target, []))))
    return None
