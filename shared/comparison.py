"""Comparing computed figures with a target or a bound, within floating point's error.

57 / 100 * 100 is 56.99999999999999 in binary floating point: held against «не менее 57» with
a bare `>=` it missed its target, and the school was told so. Every comparison of a computed
value (an indicator's value against its target, a validation rule's two sides, a share against
a recommendation's threshold) goes through `COMPARE`: two numbers within `TOLERANCE` of each
other, relative to the larger (and at least absolutely), are equal, so `>=` and `<=` hold for
them and `>` and `<` do not. The SQL of the validation rules says the same (`close_sql`).
"""

from collections.abc import Callable

# Relative tolerance of equality (floating point sums and quotients of at most 10^15).
TOLERANCE = 1e-9


def close(a: float, b: float) -> bool:
    """Equal within TOLERANCE relative to the larger of |a|, |b| and 1."""
    return abs(a - b) <= TOLERANCE * max(1.0, abs(a), abs(b))


COMPARE: dict[str, Callable[[float, float], bool]] = {
    ">=": lambda a, b: a >= b or close(a, b),
    ">": lambda a, b: a > b and not close(a, b),
    "<=": lambda a, b: a <= b or close(a, b),
    "<": lambda a, b: a < b and not close(a, b),
    "==": close,
    "!=": lambda a, b: not close(a, b),
}


def close_sql(left: str, right: str) -> str:
    """`close` in SQL over two float8 expressions (constant SQL only)."""
    return f"abs({left} - {right}) <= {TOLERANCE!r} * greatest(1, abs({left}), abs({right}))"
