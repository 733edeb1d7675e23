"""The cells of an XLSForm survey row that hold a small language: type, relevant, constraint."""

from __future__ import annotations

import re
from typing import Any

from services.surveys.instruments.definition import Value
from services.surveys.instruments.xlsform_common import (
    LIKERT5_LIST,
    NO,
    NO_POSITIVE,
    YES,
    YES_NO_LIST,
)

_QUOTED = r"(?:'(?P<q1>[^']*)'|\"(?P<q2>[^\"]*)\")"
_EQUALS = re.compile(
    r"^\$\{(?P<name>[A-Za-z_][\w.-]*)\}\s*=\s*(?:" + _QUOTED + r"|(?P<num>-?\d+(?:\.\d+)?))$"
)
_SELECTED = re.compile(
    r"^selected\(\s*\$\{(?P<name>[A-Za-z_][\w.-]*)\}\s*,\s*" + _QUOTED + r"\s*\)$"
)
_OR = re.compile(r"\s+or\s+", re.IGNORECASE)
_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_BOUND = re.compile(r"^\.\s*(?P<op>>=|<=)\s*(?P<num>-?\d+(?:[.,]\d+)?)$")


def question_type(type_cell: str, competence: str) -> tuple[str, str | None]:
    """Our question type and the choice list it uses, from an XLSForm `type` cell."""
    tokens = type_cell.split()
    if not tokens:
        raise ValueError("the type is missing")
    base = tokens[0].lower()
    if base in {"select_one", "select_multiple"}:
        if len(tokens) != 2:
            raise ValueError(f"'{type_cell}': expected '{base} <list name>'")
        name = tokens[1]
        if name in {LIKERT5_LIST, YES_NO_LIST}:
            if base == "select_multiple":
                raise ValueError(f"the built-in list '{name}' is for select_one only")
            return ("likert5" if name == LIKERT5_LIST else "yes_no"), None
        if base == "select_multiple":
            return "multiple", name
        return ("test_item" if competence else "single"), name
    if base in {"decimal", "integer"} and len(tokens) == 1:
        return "number", None
    if base == "text" and len(tokens) == 1:
        return "text", None
    raise ValueError(
        f"unknown type '{type_cell}' (supported: select_one, select_multiple, decimal, integer, "
        "text, begin group, end group)"
    )


def parse_relevant(expression: str, earlier: dict[str, dict[str, Any]]) -> dict[str, Any] | None:
    """A relevance condition from a `relevant` cell; `earlier` maps codes to earlier questions."""
    if not expression:
        return None
    names: set[str] = set()
    values: list[Value] = []
    for term in _OR.split(expression.strip()):
        match = _EQUALS.match(term.strip())
        selected = match is None
        match = match or _SELECTED.match(term.strip())
        if match is None:
            raise ValueError(
                f"'{term.strip()}' is outside the supported subset: ${{q}} = 'value', "
                "${q} = 3 or selected(${q}, 'value'), joined by 'or'"
            )
        names.add(match["name"])
        source = earlier.get(match["name"])
        if source is None:
            raise ValueError(f"'{match['name']}' is not an earlier question")
        quoted = match["q1"] if match["q1"] is not None else match["q2"]
        number = None if selected else match["num"]
        values.append(_relevant_value(source, quoted, number, selected))
    if len(names) > 1:
        raise ValueError(f"the condition names several questions: {', '.join(sorted(names))}")
    (name,) = names
    if len(values) == 1:
        return {"question": name, "equals": values[0]}
    return {"question": name, "in": values}


def _relevant_value(
    source: dict[str, Any], quoted: str | None, number: str | None, selected: bool
) -> Value:
    kind = source["type"]
    literal = quoted if quoted is not None else number
    assert literal is not None
    if kind == "multiple" and not selected:
        raise ValueError(f"use selected(${{{source['code']}}}, '...') for a select_multiple")
    if kind == "yes_no" and literal in {YES, NO}:
        return literal == YES
    if kind in {"likert5", "number"} and re.fullmatch(r"-?\d+", literal):
        return int(literal)
    if kind in {"single", "multiple", "test_item"} and quoted is not None:
        return quoted
    raise ValueError(f"{literal} is not a value the condition can compare '{source['code']}' to")


def parse_constraint(expression: str) -> tuple[float | None, float | None]:
    """The bounds of a number question from `. >= a and . <= b` (either part optional)."""
    low: float | None = None
    high: float | None = None
    for term in _AND.split(expression.strip()):
        match = _BOUND.match(term.strip())
        if match is None:
            raise ValueError(
                f"'{term.strip()}' is outside the supported subset: '. >= a', '. <= b', "
                "joined by 'and'"
            )
        bound = float(match["num"].replace(",", "."))
        if match["op"] == ">=":
            low = bound
        else:
            high = bound
    return low, high


def parse_positive(cell: str, question_type: str) -> list[Value] | None:
    """The positive answers from a `positive` cell: empty = the default, '-' = none."""
    if not cell:
        return None
    if cell == NO_POSITIVE:
        return []
    tokens = re.split(r"[\s,;]+", cell)
    if question_type == "yes_no":
        if any(token not in {YES, NO} for token in tokens):
            raise ValueError(f"expected yes and/or no, got '{cell}'")
        return [token == YES for token in tokens]
    if question_type == "likert5":
        if any(not token.isdigit() for token in tokens):
            raise ValueError(f"expected likert points 1-5, got '{cell}'")
        return [int(token) for token in tokens]
    return list(tokens)
