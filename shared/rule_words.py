"""Validation rules in a reader's words: indicator names for codes, «≤» for `<=`.

A rule compares two expressions over indicator codes (services/api/validation/expressions.py
checks them); a leader or an analyst reads the codes' names instead: `students_passed <=
students_total` is «Сдали ОГЭ» ≤ «Обучающихся всего», and a broken one's sides are told with
their values: «Сдали ОГЭ» = 250; «Обучающихся всего» = 200. The text is the rule as written
(its parentheses kept), each token replaced; a code with no name known stays a code.
"""

import re
from collections.abc import Mapping

from shared.value_labels import MINUS, number

_TOKEN = re.compile(
    r"(?P<number>\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<op><=|>=|!=|==|<|>|\*|/|-)"
)
_OPS = {"<=": "≤", ">=": "≥", "!=": "≠", "==": "=", "*": "×", "-": MINUS}
COMPARISON = re.compile(r"\s*(<=|>=|!=|==|<|>)\s*")


def expression_words(text: str, names: Mapping[str, str]) -> str:
    """`teachers_with_category / teachers_total * 100 >= 0` → «Педагогов с категорией» /
    «Педагогов всего» × 100 ≥ 0 (a whole rule or one side; numbers with a decimal comma)."""

    def word(match: re.Match[str]) -> str:
        if (found := match["number"]) is not None:
            return number(float(found), 6)
        if (code := match["name"]) is not None:
            return f"«{names[code]}»" if code in names else code
        return _OPS.get(match["op"], match["op"])

    return _TOKEN.sub(word, text)


def _constant(side: str) -> bool:
    """A side of numbers alone (no indicator code in it)."""
    return re.search(r"[A-Za-z_]", side) is None


def sides_words(
    left: str,
    right: str,
    left_value: float | None,
    right_value: float | None,
    names: Mapping[str, str],
) -> str:
    """The values of a broken rule's sides, each named: «Сдали ОГЭ» = 250; «Обучающихся
    всего» = 200 (an expression side in words, a side of numbers alone left out: it says its
    value itself; «—» for a value past what a double holds)."""
    told = []
    for side, value in ((left, left_value), (right, right_value)):
        if _constant(side):
            continue
        shown = "—" if value is None else number(value)
        told.append(f"{expression_words(side.strip(), names)} = {shown}")
    return "; ".join(told)


def split_rule(expression: str) -> tuple[str, str, str]:
    """`left operator right` as the reports keep a rule → (left, operator, right); the
    operator "" when the text holds none (a rule kept before its sides were checked)."""
    parts = COMPARISON.split(expression, maxsplit=1)
    if len(parts) != 3:
        return expression, "", ""
    return parts[0], parts[1], parts[2]
