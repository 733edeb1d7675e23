"""The expressions of validation rules: parsed, checked and compiled to SQL.

An expression is arithmetic over indicator codes' values of one organization and period:
names (indicator codes), numbers, `+ - * /`, unary minus and parentheses, e.g.
`teachers_with_category / teachers_total * 100`.

It is parsed with Python's own parser (`ast.parse(mode="eval")`) and accepted only when every
node of the tree is one of a strict whitelist (`_ALLOWED`): a real, maintained parser with
exact precedence and error positions, no new dependency, and nothing evaluated in Python (no
`eval`): the checked tree is compiled to a SQL expression over the columns of a pivot of the
organization/period's values, in which the names become column references chosen by the
compiler and the numbers literals written from floats, so no text of the rule reaches SQL.

In SQL a division by zero gives NULL (`NULLIF`) and so does a missing value: a side that is
NULL violates nothing (the rule is silent until both sides can be computed). The sides are
computed in numeric, so no expression of stored values (each within ±10^15) can overflow.
"""

import ast
import math
from collections.abc import Callable
from dataclasses import dataclass

from shared.comparison import close_sql

MAX_LENGTH = 500
MAX_NODES = 100
OPERATORS = ("==", "!=", "<", "<=", ">", ">=")

_BINARY = {ast.Add: "+", ast.Sub: "-", ast.Mult: "*", ast.Div: "/"}
_UNARY = {ast.USub: "-", ast.UAdd: "+"}
_ALLOWED = (
    ast.Expression,
    ast.BinOp,
    ast.UnaryOp,
    ast.Name,
    ast.Load,
    ast.Constant,
    *_BINARY,
    *_UNARY,
)


class ExpressionError(ValueError):
    """Why an expression is refused (Russian, for the 422 naming its field)."""


@dataclass(frozen=True)
class Expression:
    text: str
    tree: ast.expr
    codes: frozenset[str]  # the indicator codes it reads


def parse(text: str) -> Expression:
    """The checked expression, or ExpressionError saying what is wrong in it."""
    if not text.strip():
        raise ExpressionError("выражение пусто")
    if len(text) > MAX_LENGTH:
        raise ExpressionError(f"выражение длиннее {MAX_LENGTH} символов")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        where = f" (позиция {exc.offset})" if exc.offset else ""
        raise ExpressionError(f"выражение не разобрано{where}: {text.strip()}") from exc
    nodes = list(ast.walk(tree))
    if len(nodes) > MAX_NODES:
        raise ExpressionError("выражение слишком сложное")
    codes = set()
    for node in nodes:
        if not isinstance(node, _ALLOWED):
            raise ExpressionError(
                "в выражении допустимы только коды показателей, числа, + - * / и скобки"
            )
        if isinstance(node, ast.Constant) and (
            isinstance(node.value, bool) or not isinstance(node.value, int | float)
        ):
            raise ExpressionError(f"«{node.value!r}» — не число")
        if isinstance(node, ast.Constant) and not _finite(node.value):
            raise ExpressionError("число в выражении больше, чем можно сравнить")
        if isinstance(node, ast.Name):
            codes.add(node.id)
    source = text.strip()
    for node in nodes:
        if (
            isinstance(node, ast.BinOp)
            and isinstance(node.op, ast.Div)
            and _constant(node.right) == 0
        ):
            raise ExpressionError(
                "деление на ноль: делитель "
                f"«{ast.get_source_segment(source, node.right) or ast.unparse(node.right)}» "
                "всегда равен нулю — такое правило не проверит ни одного значения"
            )
    return Expression(source, tree.body, frozenset(codes))


def _constant(node: ast.expr) -> float | None:
    """The value of a part of a checked tree that reads no indicator (numbers and operators
    alone), None when it reads one or cannot be computed (a division by zero inside it is
    found on its own node). Only literals of the text are computed here, never a value."""
    if isinstance(node, ast.Constant):
        return float(node.value)
    if isinstance(node, ast.UnaryOp):
        operand = _constant(node.operand)
        return None if operand is None else (-operand if isinstance(node.op, ast.USub) else operand)
    if isinstance(node, ast.BinOp):
        left, right = _constant(node.left), _constant(node.right)
        if left is None or right is None:
            return None
        if isinstance(node.op, ast.Div):
            return None if right == 0 else left / right
        return {ast.Add: left + right, ast.Sub: left - right, ast.Mult: left * right}[type(node.op)]
    return None


def _finite(number: int | float) -> bool:
    """A literal the SQL can be written with (a float): a whole number of 400 digits is none
    (`float()` overflows), nor is an infinity."""
    try:
        return math.isfinite(float(number))
    except OverflowError:
        return False


def to_sql(expression: Expression, column: Callable[[str], str]) -> str:
    """The expression as SQL (numeric: no product or quotient of values can overflow it, as a
    double precision could); `column(code)` gives the SQL reference of a code's value as
    numeric (the caller's constant text). Division by zero is NULL."""

    def emit(node: ast.expr) -> str:
        if isinstance(node, ast.Name):
            return column(node.id)
        if isinstance(node, ast.Constant):
            return f"({float(node.value)!r})::numeric"
        if isinstance(node, ast.UnaryOp):
            return f"({_UNARY[type(node.op)]}{emit(node.operand)})"
        assert isinstance(node, ast.BinOp)  # parse() let nothing else through
        left, right = emit(node.left), emit(node.right)
        if isinstance(node.op, ast.Div):
            return f"({left} / NULLIF({right}, 0))"
        return f"({left} {_BINARY[type(node.op)]} {right})"

    return emit(expression.tree)


# SQL true when the rule does not hold for sides `l` and `r` and operator `op` (columns of the
# evaluation): NULL, never true, when a side is NULL; sides within TOLERANCE are equal, as
# `shared.comparison.COMPARE` says (57 / 100 * 100 >= 57 holds).
_CLOSE = close_sql("l", "r")
VIOLATED = f"""NOT CASE op
    WHEN '==' THEN {_CLOSE} WHEN '!=' THEN NOT ({_CLOSE})
    WHEN '<' THEN l < r AND NOT ({_CLOSE}) WHEN '<=' THEN l <= r OR {_CLOSE}
    WHEN '>' THEN l > r AND NOT ({_CLOSE}) WHEN '>=' THEN l >= r OR {_CLOSE}
END"""
