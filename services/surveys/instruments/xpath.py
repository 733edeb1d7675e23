"""The ODK XPath subset of XLSForm expressions: one parser, one evaluator.

`relevant`, `required`, `constraint`, `choice_filter` and `calculation` cells are parsed into a
small JSON-able tree (lists), which the server's answer check evaluates here and the web form
evaluates in the browser (`form/static/xpath.js`, the same tree and the same rules). Tokens come
from pyxform's own expression lexer (the one ODK's reference implementation uses to find
`${name}` references); on top of it a precedence-climbing parser builds the tree.

Tree nodes: `["num", 2.0]`, `["str", "x"]`, `["ref", "name"]` (`${name}`, an answer),
`["self"]` (`.`, the answer being checked), `["name", "level"]` (a bare name: a column of the
choice being filtered), `["call", "selected", [args]]`, `["neg", node]` and
`[op, left, right]` for `or and = != < <= > >= + - * div mod`.

Values follow ODK: an answer is its text (a select_multiple's codes separated by spaces, "" when
unanswered), comparisons with a number compare numbers, `=` between texts compares texts.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Mapping
from datetime import date
from functools import lru_cache
from typing import Any

from pyxform.parsing.expression import parse_expression

Node = list[Any]
Scalar = str | float | bool

# Binary operators by precedence, lowest first (XPath 1.0).
_LEVELS: tuple[frozenset[str], ...] = (
    frozenset({"or"}),
    frozenset({"and"}),
    frozenset({"=", "!="}),
    frozenset({"<", "<=", ">", ">="}),
    frozenset({"+", "-"}),
    frozenset({"*", "div", "mod"}),
)
# name -> (least, most) arguments (None: any number).
FUNCTIONS: dict[str, tuple[int, int | None]] = {
    "selected": (2, 2),
    "count-selected": (1, 1),
    "not": (1, 1),
    "if": (3, 3),
    "coalesce": (2, 2),
    "string-length": (1, 1),
    "regex": (2, 2),
    "today": (0, 0),
    "true": (0, 0),
    "false": (0, 0),
    "number": (1, 1),
    "string": (1, 1),
    "int": (1, 1),
    "concat": (1, None),
    "contains": (2, 2),
}


class ExpressionError(ValueError):
    """An expression outside the supported subset; the message says what and where."""


@lru_cache(maxsize=1024)
def _parse_cached(text: str) -> Node:
    return _Parser(text).parse()


def parse(text: str) -> Node:
    """The tree of an expression; ExpressionError saying what cannot be read."""
    return copy.deepcopy(_parse_cached(text))


def _tokens(text: str) -> list[tuple[str, str]]:
    tokens: list[tuple[str, str]] = []
    for token in parse_expression(text):
        kind, value = token.type, str(token.value)
        if kind == "WHITESPACE":
            continue
        value = value.strip()
        previous = tokens[-1] if tokens else None
        # pyxform's lexer splits `<=` and `>=`; it reads `${a}-1` as `${a}` then `-1`.
        if kind == "OPS_COMP" and value == "=" and previous and previous[1] in {"<", ">", "!"}:
            tokens[-1] = ("OPS_COMP", previous[1] + "=")
            continue
        if kind == "NUMBER" and value.startswith("-") and _ends_operand(previous):
            tokens.append(("OPS_MATH", "-"))
            value = value[1:]
        if kind == "NAME" and value in {"and", "or", "div", "mod"} and _ends_operand(previous):
            kind = "OPS_BOOL" if value in {"and", "or"} else "OPS_MATH"
        tokens.append((kind, value))
    return tokens


def _ends_operand(token: tuple[str, str] | None) -> bool:
    if token is None:
        return False
    kind, _ = token
    return kind in {"NUMBER", "PYXFORM_REF", "SYSTEM_LITERAL", "CLOSE_PAREN", "SELF_REF", "NAME"}


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.at = 0

    def fail(self, message: str) -> ExpressionError:
        return ExpressionError(f"выражение «{self.text}»: {message}")

    def peek(self) -> tuple[str, str] | None:
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self) -> tuple[str, str]:
        token = self.peek()
        if token is None:
            raise self.fail("оборвано на середине: после него ожидается продолжение")
        self.at += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise self.fail("пустое")
        node = self.binary(0)
        if self.peek() is not None:
            raise self.fail(f"лишнее «{self.peek()[1]}»")  # type: ignore[index]
        return node

    def binary(self, level: int) -> Node:
        if level == len(_LEVELS):
            return self.unary()
        left = self.binary(level + 1)
        while (token := self.peek()) is not None and token[1] in _LEVELS[level]:
            if token[0] not in {"OPS_MATH", "OPS_COMP", "OPS_BOOL"}:
                break
            self.at += 1
            left = [token[1], left, self.binary(level + 1)]
        return left

    def unary(self) -> Node:
        token = self.peek()
        if token is not None and token == ("OPS_MATH", "-"):
            self.at += 1
            return ["neg", self.unary()]
        return self.primary()

    def primary(self) -> Node:
        kind, value = self.take()
        if kind == "NUMBER":
            return ["num", float(value)]
        if kind == "SYSTEM_LITERAL":
            return ["str", value[1:-1]]
        if kind == "PYXFORM_REF":
            name = value[2:-1]
            if name.startswith("last-saved#"):
                raise self.fail("ссылки last-saved не поддерживаются")
            return ["ref", name]
        if kind == "SELF_REF":
            return ["self"]
        if kind == "PARENT_REF":
            # `../name`, as pyxform writes the `or_other` question's condition.
            if self.take()[1] != "/" or (name := self.take())[0] != "NAME":
                raise self.fail("пути не поддерживаются; пишите ${имя_вопроса}")
            return ["ref", name[1]]
        if kind == "NAME":
            return ["name", value]
        if kind == "OPEN_PAREN":
            node = self.binary(0)
            if self.take()[0] != "CLOSE_PAREN":
                raise self.fail("не хватает «)»")
            return node
        if kind == "FUNC_CALL":
            return self.call(value[:-1])
        raise self.fail(f"неожиданное «{value}»")

    def call(self, name: str) -> Node:
        if name not in FUNCTIONS:
            raise self.fail(
                f"функция {name}() не поддерживается (поддерживаются: "
                + ", ".join(f"{f}()" for f in FUNCTIONS)
                + ")"
            )
        args: list[Node] = []
        if self.peek() is not None and self.peek()[0] == "CLOSE_PAREN":  # type: ignore[index]
            self.at += 1
        else:
            while True:
                args.append(self.binary(0))
                kind, value = self.take()
                if kind == "CLOSE_PAREN":
                    break
                if kind != "COMMA":
                    raise self.fail(f"неожиданное «{value}» в аргументах {name}()")
        least, most = FUNCTIONS[name]
        if len(args) < least or (most is not None and len(args) > most):
            count = (
                f"должно быть аргументов: {least}" if least == most else "другое число аргументов"
            )
            raise self.fail(f"у {name}() {count}")
        return ["call", name, args]


def references(node: Node) -> set[str]:
    """The `${name}` references of a tree."""
    return named(node, "ref")


def named(node: Node, kind: str) -> set[str]:
    """The names the tree's nodes of this kind hold: `ref` (`${name}`), `name` (a bare name,
    in a choice filter a column of the choices)."""
    if node[0] == kind:
        return {node[1]}
    found: set[str] = set()
    for part in node[1:]:
        if isinstance(part, list):
            children = part if part and isinstance(part[0], list) else [part]
            for child in children:
                if isinstance(child, list) and child and isinstance(child[0], str):
                    found |= named(child, kind)
    return found


def uses(node: Node, kind: str) -> bool:
    """Whether the tree holds a node of this kind (`self`, `name`, ...)."""
    if node[0] == kind:
        return True
    return any(
        uses(child, kind)
        for part in node[1:]
        if isinstance(part, list)
        for child in (part if part and isinstance(part[0], list) else [part])
    )


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
    try:
        return (
            float(value.strip()) if re.fullmatch(r"\s*-?(\d+\.?\d*|\.\d+)\s*", value) else math.nan
        )
    except ValueError:
        return math.nan


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


def _regex(args: list[Node], context: Context) -> bool:
    try:
        pattern = re.compile(to_text(evaluate(args[1], context)))
    except re.error:
        return False
    return pattern.search(to_text(evaluate(args[0], context))) is not None


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
