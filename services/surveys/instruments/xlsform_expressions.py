"""The cells of an XLSForm survey row that hold a small language: type, relevant, constraint."""

from __future__ import annotations

import re
from typing import Any

from services.surveys.instruments.question_types import Value, question_type
from services.surveys.instruments.xlsform_common import NO_POSITIVE

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
                f"«{term.strip()}» не в простом виде условия: ${{q}} = 'значение', "
                "${q} = 3 или selected(${q}, 'значение'), соединённые через or"
            )
        names.add(match["name"])
        source = earlier.get(match["name"])
        if source is None:
            raise ValueError(f"«{match['name']}» — не вопрос выше по форме")
        quoted = match["q1"] if match["q1"] is not None else match["q2"]
        number = None if selected else match["num"]
        values.append(_relevant_value(source, quoted, number, selected))
    if len(names) > 1:
        raise ValueError(f"условие называет несколько вопросов: {', '.join(sorted(names))}")
    (name,) = names
    if len(values) == 1:
        return {"question": name, "equals": values[0]}
    return {"question": name, "in": values}


def _relevant_value(
    source: dict[str, Any], quoted: str | None, number: str | None, selected: bool
) -> Value:
    literal = quoted if quoted is not None else number
    assert literal is not None
    kind = question_type(source["type"])
    return kind.relevant_value(source["code"], literal, quoted is not None, selected)


def parse_constraint(expression: str) -> tuple[float | None, float | None]:
    """The bounds of a number question from `. >= a and . <= b` (either part optional)."""
    low: float | None = None
    high: float | None = None
    for term in _AND.split(expression.strip()):
        match = _BOUND.match(term.strip())
        if match is None:
            raise ValueError(
                f"«{term.strip()}» не в простом виде границ: '. >= a', '. <= b', "
                "соединённые через and"
            )
        bound = float(match["num"].replace(",", "."))
        if match["op"] == ">=":
            low = bound
        else:
            high = bound
    return low, high


def parse_positive(cell: str, type_name: str) -> list[Value] | None:
    """The positive answers from a `positive` cell: empty = the default, '-' = none."""
    if not cell:
        return None
    if cell == NO_POSITIVE:
        return []
    return question_type(type_name).parse_positive(cell, re.split(r"[\s,;]+", cell))
