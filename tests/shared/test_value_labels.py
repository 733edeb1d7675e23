"""How the pages and the documents word a value's change: percentage points for a percent, and
words, not «0» or «+1», for a yes/no of one organization."""

import pytest

from shared.value_labels import change_text


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
