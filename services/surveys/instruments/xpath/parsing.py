"""Reading an XLSForm expression into its tree (`parse`), and what a tree names (`references`,
`named`, `uses`). The tree's nodes are listed in the package's docstring (xpath/__init__.py).

Tokens come from pyxform's own expression lexer (the one ODK's reference implementation uses to
find `${name}` references); on top of it a precedence-climbing parser builds the tree.
"""

from __future__ import annotations

import copy
from functools import lru_cache
from typing import Any

from pyxform.parsing.expression import parse_expression

Node = list[Any]

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
