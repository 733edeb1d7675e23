"""`formula`: arithmetic over other indicators' `code.numerator`, `code.denominator`,
`code.value` of the same scope and period, on values already computed in SQL (the only method
computed in Python: it reads no facts).

`n` is the smallest `n` of the values it uses; no value when a term has none, a division is
by zero or a result leaves the range of float8.

Approval and flags pass through (marks.py `derived`): a formula value is approved when every
value it reads that rests on posted data values is, and flagged when a flagged data value went
into one of them. Its inputs are computed as data values are, so the published view
(`approved_only`) and SOKO_FLAGGED_VALUES=skip reach it the same way: an organization's
formula over an unapproved value has no value in the published view (the input has none), a
group's is computed from the approved values only; with skip a group's inputs leave flagged
values out (`flagged_left_out` sums them) and an organization's stays, marked.
"""

import ast
import functools
import math
import operator
import uuid
from collections.abc import Callable
from typing import Any

from services.reports.indicator_values.methods.base import (
    ORGANIZATION,
    Context,
    Known,
    Scope,
    Value,
    organization_coverage,
)
from services.reports.indicator_values.methods.marks import derived
from shared.indicator_methods import pools_schools, references

FACTS = ()

_BINARY: dict[type, Callable[[float, float], float]] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_UNARY: dict[type, Callable[[float], float]] = {ast.USub: operator.neg, ast.UAdd: operator.pos}


def evaluate(expression: str, term: Callable[[str, str], float | None]) -> float | None:
    """Arithmetic over `code.part` terms, walked node by node (never `eval`); None when a term
    has no value, a division is by zero or a result leaves the range of float8. Raises
    ValueError on anything but numbers, + - * / and terms."""

    def walk(node: ast.AST) -> float | None:
        if isinstance(node, ast.Expression):
            return walk(node.body)
        if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
            if isinstance(node.value, bool):
                raise ValueError("в формуле допустимы только числа")
            return float(node.value)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            if node.attr not in ("numerator", "denominator", "value"):
                raise ValueError(f"недопустимая часть показателя: {node.attr}")
            return term(node.value.id, node.attr)
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = walk(node.left), walk(node.right)
            if left is None or right is None:
                return None
            if isinstance(node.op, ast.Div) and right == 0:
                return None
            result = _BINARY[type(node.op)](left, right)
            return result if math.isfinite(result) else None  # past float8: no value
        if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
            operand = walk(node.operand)
            return None if operand is None else _UNARY[type(node.op)](operand)
        raise ValueError(f"недопустимо в формуле: {type(node).__name__}")

    return walk(_parsed(expression))


@functools.lru_cache(maxsize=1024)
def _parsed(expression: str) -> ast.Expression:
    """An expression parsed once per process (a formula is evaluated for every scope)."""
    return ast.parse(expression, mode="eval")


def combine(
    params: dict[str, Any], value_of: Callable[[str], Value | None], organization: bool = False
) -> Value | None:
    """One formula's value from the values of the indicators it names (`value_of(code)`:
    None when that indicator does not apply to the scope), with their marks (`organization`:
    the scope is an organization, see marks.py `derived`)."""
    used: list[Value] = []

    def term(code: str, part: str) -> float | None:
        found = value_of(code)
        if found is None:
            return None
        used.append(found)
        return getattr(found, part)

    numerator = evaluate(params["numerator"], term)
    denominator = evaluate(params["denominator"], term) if params.get("denominator") else None
    missing = sorted({m for v in used for m in v.missing})
    counts = [v.n for v in used if v.n is not None]
    n = min(counts) if counts else None
    marks = derived(used, organization)
    if numerator is not None and params.get("denominator") and denominator == 0:
        # Both known, the denominator 0 (no teachers counted): no value, but the parts are
        # said, and the answer says why (unknown_codes.explain: `zero_denominator`).
        return Value(None, numerator, 0.0, n if n else None, missing=missing, **marks)
    if numerator is None or (params.get("denominator") and not denominator):
        return Value(n=n if n else None, missing=missing, **marks)
    scale = params.get("scale", 1)
    value = (numerator / denominator if denominator is not None else numerator) * scale
    return Value(value, numerator, denominator, n, missing=missing, **marks)


def kinds(definitions: dict[str, dict[str, Any]]) -> dict[str, tuple[str, str | None]]:
    """Each indicator's method and unit by code: what `pools_schools` reads of the terms
    (`shared.indicator_methods.pools_schools`, the one home of the rule)."""
    return {code: (d.get("method"), d.get("unit")) for code, d in definitions.items()}


def pooled(
    params: dict[str, Any],
    scope: Scope,
    period: str,
    known: Known,
    skip_flagged: bool,
) -> Value:
    """A group's value of a formula over counts, pooled over the organizations that posted
    every count it reads (none flagged, with SOKO_FLAGGED_VALUES=skip): Σ numerators / Σ
    denominators of those organizations, as a survey's share pools respondents. Summing each
    count over whoever posted it put a school that posted its teachers but not yet its
    trained teachers into the denominator only: 1 trained of 10 at one school and 30
    teachers at another gave 2,5 % for 10 %. `coverage` counts the organizations pooled;
    `n` is their number."""
    codes = references("formula", params)
    counted: dict[uuid.UUID, list[Value]] = {}
    left_out = 0  # organizations whose counts are all there but one is flagged (skip)
    for organization in sorted(scope.organization_ids):
        inputs = [known.get((c, ORGANIZATION, organization, period)) for c in sorted(codes)]
        present = [v for v in inputs if v is not None and v.value is not None]
        if len(present) < len(codes):
            continue
        if skip_flagged and any(v.flagged_organizations for v in present):
            left_out += 1
            continue
        counted[organization] = present
    used = [v for inputs in counted.values() for v in inputs]
    totals = {  # each count summed over the organizations pooled (`present` is in code order)
        code: sum(inputs[i].value or 0.0 for inputs in counted.values())
        for i, code in enumerate(sorted(codes))
    }
    marks = derived(used, False)
    if left_out and marks:
        marks["flagged_left_out"] = left_out
    if not counted:
        return Value(coverage=organization_coverage(scope, 0), **marks)
    value = combine(params, lambda code: Value(totals[code], totals[code]))
    assert value is not None  # every term has a value
    value.n = len(counted)
    value.coverage = organization_coverage(scope, len(counted))
    for name, mark in marks.items():
        setattr(value, name, mark)
    return value


async def compute(ctx: Context, definitions: list[dict[str, Any]], known: Known) -> Known:
    """Values of every formula for every scope and period, from `known` (an indicator not
    there is unknown or hidden from the caller: no value); a group's value of a formula over
    counts posted by organizations pooled over those that posted them all (`pooled`)."""
    found: Known = {}
    referenced = kinds(ctx.definitions)
    for definition in definitions:
        pools = pools_schools(definition["params"], referenced)
        for scope in ctx.scopes:
            organization = scope.scope_type == ORGANIZATION
            for period in ctx.periods:
                key = (definition["code"], scope.scope_type, scope.scope_id, period)
                if pools and not organization:
                    found[key] = pooled(
                        definition["params"], scope, period, known, ctx.skip_flagged
                    )
                    continue

                def value_of(code: str, scope=scope, period=period) -> Value | None:
                    key = (code, scope.scope_type, scope.scope_id, period)
                    return known[key] if key in known else Value()

                found[key] = combine(definition["params"], value_of, organization)
    return found
