"""Computed figures compared within floating point's error (shared/comparison.py)."""

from shared.comparison import COMPARE


def test_a_value_on_its_target_meets_it_whatever_the_rounding():
    assert 57 / 100 * 100 < 57  # binary floating point: 56.99999999999999
    assert COMPARE[">="](57 / 100 * 100, 57) and COMPARE["<="](57 / 100 * 100, 57)
    assert not COMPARE["<"](57 / 100 * 100, 57) and not COMPARE[">"](57 / 100 * 100, 57)
    # A score of 0.3 against a bound of 0.1 + 0.2 (0.30000000000000004) is not below it.
    assert 0.3 < 0.1 + 0.2 and not COMPARE["<"](0.3, 0.1 + 0.2)


def test_values_apart_by_more_than_the_error_compare_as_they_are():
    assert COMPARE["<"](56.99, 57) and not COMPARE[">="](56.99, 57)
    assert COMPARE[">"](1e15, 1e15 - 1e7) and COMPARE["!="](0.0, 1e-8)
    assert COMPARE["=="](0.1 + 0.2, 0.3)
