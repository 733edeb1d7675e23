"""Checks of an XLSForm's logic that pyxform leaves to ODK Validate: forms that would import
but leave questions nobody can answer. Each failure is an XLSFormError naming the sheet, row
and column: a `choice_filter` reading a column the choices sheet lacks, `relevant` and
`calculation` references that form a cycle (a question shown only when an answer given after
it, a calculation of itself), and a `default_language` with no label column."""

from __future__ import annotations

import re

from services.surveys.instruments import xpath
from services.surveys.instruments.xlsform_common import CHOICES, SETTINGS, SURVEY
from services.surveys.instruments.xlsform_sheets import Sheet
from services.surveys.instruments.xlsform_survey import SourceRow

# The cells whose references make a question's value or presence depend on other questions.
_DEPENDING = ("relevant", "calculation")
_REFERENCE = re.compile(r"\$\{([^}\s]+)\}")
# A dependency: the question depended on, and the row and column of the expression naming it.
_Edge = tuple[str, SourceRow, str]


def check_logic(sheets: dict[str, Sheet | None]) -> None:
    """XLSFormError at the first broken place the checks above find; nothing when none."""
    survey = sheets[SURVEY]
    if survey is None:
        return
    _check_default_language(survey, sheets[SETTINGS])
    _check_choice_filters(survey, sheets[CHOICES])
    _check_cycles(survey)


def _check_default_language(survey: Sheet, settings: Sheet | None) -> None:
    rows = settings.filled() if settings else []
    if not rows or not rows[0].text("default_language"):
        return
    row = rows[0]
    language = row.text("default_language")
    labels = [h for h in survey.headers if h and h.split("::", 1)[0] == "label"]
    if "label" in labels or not labels:
        return  # unsuffixed labels are in the default language, whatever it is called
    wanted = _language_key(language)
    if any(_language_key(h.split("::", 1)[1]) == wanted for h in labels if "::" in h):
        return
    written = ", ".join(f"'{h}'" for h in labels)
    raise row.error(
        "default_language",
        f"default_language '{language}' has no label column on the survey sheet "
        f"(its labels are {written}): name one of their languages",
    )


def _language_key(text: str) -> str:
    return " ".join(text.split()).lower()


def _check_choice_filters(survey: Sheet, choices: Sheet | None) -> None:
    columns = {h.split("::", 1)[0] for h in (choices.headers if choices else []) if h}
    for row in survey.filled():
        expression = row.text("choice_filter")
        if not expression:
            continue
        try:
            tree = xpath.parse(expression)
        except xpath.ExpressionError:
            continue  # the definition's check names what does not parse
        for name in sorted(xpath.named(tree, "name")):
            if name not in columns:
                known = ", ".join(f"'{c}'" for c in sorted(columns)) or "none"
                raise row.error(
                    "choice_filter",
                    f"choice_filter reads the column '{name}', which the choices sheet lacks "
                    f"(its columns: {known})",
                )


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
        f"relevant and calculation references form a cycle ({path}): each waits for the "
        "other, so these questions could never be answered",
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
