"""How a cluster's or territory's figure is said to be obtained (shared.value_labels.group_basis),
as the reports service computes each method (services/reports/indicator_values/methods/)."""

import pytest

from shared.value_labels import counted_basis, group_basis


@pytest.mark.parametrize(
    ("method", "unit", "params", "said"),
    [
        ("data_value", "percent", {"value_type": "percent"}, "среднее по организациям"),
        ("data_value", "number", {"value_type": "number"}, "среднее по организациям"),
        ("data_value", "count", {"value_type": "number"}, "сумма по организациям"),
        ("data_value", "boolean", {"value_type": "boolean"}, "доля организаций со значением «да»"),
        ("organization_share", "percent", {}, "доля организаций"),
        ("organization_flagged_share", "percent", {"flag": "resilient"}, "доля организаций"),
        ("assessment_metric", "percent", {"metric": "share_2"}, "по всем участникам"),
        ("assessment_metric", "score", {"metric": "mean_score"}, "по всем участникам"),
        ("assessment_metric", "count", {"metric": "participants"}, "сумма по организациям"),
        ("survey_positive_share", "percent", {}, "по всем ответившим"),
        ("survey_mean", "score", {}, "по всем ответившим"),
        ("deficit_share", "percent", {}, "по всем педагогам, прошедшим диагностику"),
        ("formula", "percent", {}, "по формуле из значений группы"),
    ],
)
def test_each_method_says_how_a_group_figure_is_obtained(method, unit, params, said):
    assert group_basis(method, unit, params).startswith(said)


def test_a_recommendation_says_what_a_value_rests_on_in_words_or_nothing():
    assert counted_basis(57, "survey_positive_share") == " (по данным 57 ответивших)"
    assert counted_basis(21, "assessment_metric") == " (по данным 21 участника)"
    assert counted_basis(12, "data_value") == " (по данным 12 организаций)"
    assert counted_basis(3, "deficit_share") == " (по данным 3 педагогов)"
    # A school's own figure, nothing counted, a formula's n (it may count anything): nothing.
    assert counted_basis(1, "data_value") == counted_basis(None, "survey_mean") == ""
    assert counted_basis(40, "formula") == ""
