"""Which formulas' group figures pool the schools (shared/indicator_methods.pools_schools),
and how the pages and reports say it (shared/value_labels.group_basis)."""

from shared.indicator_methods import pools_schools
from shared.value_labels import BY_FORMULA, POOLED_FORMULA, group_basis

KINDS = {
    "teachers": ("data_value", "count"),
    "trained": ("data_value", "count"),
    "coverage": ("data_value", "percent"),
    "vpr_share": ("assessment_metric", "percent"),
}


def test_a_ratio_of_posted_counts_pools_the_schools():
    share = {"numerator": "trained.value", "denominator": "teachers.value", "scale": 100}
    assert pools_schools(share, KINDS)
    assert group_basis("formula", "percent", share, pools_schools(share, KINDS)) == POOLED_FORMULA


def test_sums_percents_and_other_methods_do_not():
    assert not pools_schools({"numerator": "trained.value + teachers.value"}, KINDS)
    over_percent = {"numerator": "coverage.value", "denominator": "teachers.value"}
    assert not pools_schools(over_percent, KINDS)
    assert not pools_schools({"numerator": "vpr_share.value", "denominator": "100"}, KINDS)
    assert not pools_schools({"numerator": "trained.value", "denominator": "unknown.value"}, KINDS)
    assert group_basis("formula", "number", {"numerator": "trained.value + 1"}) == BY_FORMULA
