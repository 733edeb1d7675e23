"""How the pages and the documents word a value's change: percentage points for a percent, and
words, not «0» or «+1», for a yes/no of one organization."""

from pathlib import Path

import pytest

from services.reports.recommendations.candidates import number as recommendation_number
from shared.templating import environment
from shared.value_labels import change_text, target_text, value_text


@pytest.mark.parametrize(
    ("change", "unit", "scope", "said"),
    [
        (0.0, "boolean", "organization", "без изменений"),
        (1.0, "boolean", "organization", "стало «да»"),
        (-1.0, "boolean", "organization", "стало «нет»"),
        # A group's yes/no is the share of its organizations: a percent.
        (20.0, "boolean", "cluster", "+20,0\u00a0п.п."),
        (-2.5, "percent", "organization", "\u22122,5\u00a0п.п."),
        (3.0, "count", "territory", "+3"),
        (None, "boolean", "organization", "—"),
    ],
)
def test_a_change_is_worded_as_people_read_it(change, unit, scope, said):
    assert change_text(change, unit, scope) == said


NB = "\u00a0"


@pytest.mark.parametrize(
    ("shown", "expected"),
    [
        (lambda: value_text(2161, "number", "cluster"), f"2{NB}161"),
        (lambda: value_text(1234.5, "percent", "territory"), f"1{NB}234,5{NB}%"),
        (lambda: target_text({"op": ">=", "value": 2000}, "number", "territory"), f"≥{NB}2{NB}000"),
        (lambda: change_text(-12345.25, "number", "territory"), f"−12{NB}345,25"),
        (lambda: value_text(999.5, "number", "territory"), "999,5"),
        (lambda: recommendation_number(11197.0), f"11{NB}197"),
        (lambda: recommendation_number(-1234.5, "percent"), f"−1{NB}234,5{NB}%"),
        (
            lambda: environment(Path(".")).from_string("из {{ n | ru_number }}").render(n=11197),
            f"из 11{NB}197",
        ),
    ],
)
def test_numbers_of_a_thousand_and_more_are_grouped_in_threes(shown, expected):
    """«Ответили 222 из 11 197», «2 161» in the values table: Russian readers group digits."""
    assert shown() == expected
