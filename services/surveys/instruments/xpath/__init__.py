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

Reading (`parsing.py`): `parse`, `ExpressionError`, `FUNCTIONS`, `references`, `named`, `uses`.
Evaluating (`evaluation.py`): `Context`, `evaluate`, `holds`, `answer_text`, `to_number`,
`to_bool`, `to_text`.
"""

from services.surveys.instruments.xpath.evaluation import (
    Context,
    Scalar,
    answer_text,
    evaluate,
    holds,
    to_bool,
    to_number,
    to_text,
)
from services.surveys.instruments.xpath.parsing import (
    FUNCTIONS,
    ExpressionError,
    Node,
    named,
    parse,
    references,
    uses,
)

__all__ = [
    "FUNCTIONS",
    "Context",
    "ExpressionError",
    "Node",
    "Scalar",
    "answer_text",
    "evaluate",
    "holds",
    "named",
    "parse",
    "references",
    "to_bool",
    "to_number",
    "to_text",
    "uses",
]
