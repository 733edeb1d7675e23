"""The value of an expression's tree over a form's answers (`evaluate`, `holds` for a
condition), as ODK computes it and as the browser's `form/static/xpath.js` must agree.

Values follow ODK: an answer is its text (a select_multiple's codes separated by spaces, "" when
unanswered), comparisons with a number compare numbers, `=` between texts compares texts.

Every step is bounded in time whatever an anonymous respondent types: numbers are read by a
pattern that cannot backtrack, and a form's `regex()` runs under the `regex` library's timeout
(`REGEX_SECONDS`): a pattern such as `(a|aa)+$` against 30 typed letters, which Python's `re`
takes minutes over on the request's thread, gives up and does not match.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

import regex

from services.surveys.instruments.xpath.parsing import Node

# How long one `regex()` may run over one answer (seconds; the library checks it as it goes,
# so a run ends within some hundredths more). Past it the answer does not match.
REGEX_SECONDS = 0.01
# A number as XPath reads it, after the spaces around it: each digit has one place to go.
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")

Scalar = str | float | bool


def answer_text(value: Any) -> str:
    """An answer as ODK sees it: a list's codes joined by spaces, yes/no for a bool, a whole
    number without `.0`; "" when unanswered."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return " ".join(answer_text(v) for v in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


class Context:
    """What an expression sees: the answers by code (as `answer_text`), `.` and a choice."""

    def __init__(
        self,
        answers: Mapping[str, str],
        current: str = "",
        choice: Mapping[str, str] | None = None,
        today: date | None = None,
    ) -> None:
        self.answers = answers
        self.current = current
        self.choice = choice or {}
        self.today = today or date.today()


def to_number(value: Scalar) -> float:
    """XPath number(): booleans 1/0, numeric text its number, anything else NaN."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, float):
        return value
    text = value.strip()
    return float(text) if _NUMBER.fullmatch(text) else math.nan


def to_bool(value: Scalar) -> bool:
    """XPath boolean(): a number not 0 nor NaN, a non-empty text."""
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        return value != 0 and not math.isnan(value)
    return value != ""


def to_text(value: Scalar) -> str:
    """XPath string(): true/false, a whole number without `.0`, NaN as NaN."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        if math.isnan(value):
            return "NaN"
        if math.isinf(value):
            return "Infinity" if value > 0 else "-Infinity"
        return str(int(value)) if value.is_integer() else repr(value)
    return value


def _compare(op: str, left: Scalar, right: Scalar) -> bool:
    if op in {"=", "!="}:
        if isinstance(left, bool) or isinstance(right, bool):
            equal = to_bool(left) == to_bool(right)
        elif isinstance(left, float) or isinstance(right, float):
            equal = to_number(left) == to_number(right)
        else:
            equal = left == right
        return equal if op == "=" else not equal
    a, b = to_number(left), to_number(right)
    return {"<": a < b, "<=": a <= b, ">": a > b, ">=": a >= b}[op]


def _arithmetic(op: str, left: Scalar, right: Scalar) -> float:
    """As JavaScript computes it (the browser's evaluator must agree): x div 0 is ±Infinity."""
    a, b = to_number(left), to_number(right)
    if op == "+":
        return a + b
    if op == "-":
        return a - b
    if op == "*":
        return a * b if not (math.isinf(a) or math.isinf(b)) or (a and b) else math.nan
    if op == "div":
        if b == 0:
            return (
                math.nan
                if a == 0 or math.isnan(a)
                else math.copysign(math.inf, a) * (-1 if math.copysign(1, b) < 0 else 1)
            )
        return a / b
    if b == 0 or math.isnan(b) or not math.isfinite(a):
        return math.nan
    return math.fmod(a, b)


def evaluate(node: Node, context: Context) -> Scalar:
    """The value of a tree: a text, a number (float) or a boolean."""
    kind = node[0]
    if kind in {"num", "str"}:
        return node[1]
    if kind == "ref":
        return context.answers.get(node[1], "")
    if kind == "self":
        return context.current
    if kind == "name":
        return context.choice.get(node[1], "")
    if kind == "neg":
        return -to_number(evaluate(node[1], context))
    if kind == "call":
        return _FUNCTIONS[node[1]](node[2], context)
    if kind == "or":
        return to_bool(evaluate(node[1], context)) or to_bool(evaluate(node[2], context))
    if kind == "and":
        return to_bool(evaluate(node[1], context)) and to_bool(evaluate(node[2], context))
    left, right = evaluate(node[1], context), evaluate(node[2], context)
    if kind in {"=", "!=", "<", "<=", ">", ">="}:
        return _compare(kind, left, right)
    return _arithmetic(kind, left, right)


def holds(node: Node, context: Context) -> bool:
    """The tree's value as a condition (XPath boolean())."""
    return to_bool(evaluate(node, context))


@functools.lru_cache(maxsize=256)
def _pattern(source: str) -> Any:
    """A form's pattern compiled once (None when it does not compile)."""
    try:
        return regex.compile(source)
    except (regex.error, ValueError, OverflowError):
        return None


def _regex(args: list[Node], context: Context) -> bool:
    """ODK's regex(text, pattern): whether the pattern is found in the text; False when the
    pattern does not compile or the search takes longer than `REGEX_SECONDS`."""
    pattern = _pattern(to_text(evaluate(args[1], context)))
    if pattern is None:
        return False
    try:
        return (
            pattern.search(to_text(evaluate(args[0], context)), timeout=REGEX_SECONDS) is not None
        )
    except TimeoutError:
        return False


def _if(args: list[Node], context: Context) -> Scalar:
    return evaluate(args[1] if holds(args[0], context) else args[2], context)


def _coalesce(args: list[Node], context: Context) -> Scalar:
    first = evaluate(args[0], context)
    return first if to_text(first) != "" else evaluate(args[1], context)


def _text_of(args: list[Node], context: Context, index: int = 0) -> str:
    return to_text(evaluate(args[index], context))


_FUNCTIONS: dict[str, Callable[[list[Node], Context], Scalar]] = {
    "selected": lambda a, c: _text_of(a, c, 1).strip() in _text_of(a, c).split(),
    "count-selected": lambda a, c: float(len(_text_of(a, c).split())),
    "not": lambda a, c: not holds(a[0], c),
    "if": _if,
    "coalesce": _coalesce,
    "string-length": lambda a, c: float(len(_text_of(a, c))),
    "regex": _regex,
    "today": lambda a, c: c.today.isoformat(),
    "true": lambda a, c: True,
    "false": lambda a, c: False,
    "number": lambda a, c: to_number(evaluate(a[0], c)),
    "string": lambda a, c: _text_of(a, c),
    "int": lambda a, c: (
        float(math.trunc(n)) if math.isfinite(n := to_number(evaluate(a[0], c))) else n
    ),
    "concat": lambda a, c: "".join(_text_of(a, c, i) for i in range(len(a))),
    "contains": lambda a, c: _text_of(a, c, 1) in _text_of(a, c),
}
