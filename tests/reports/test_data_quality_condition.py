"""The `data_quality` condition over crafted facts: one recommendation per school whose values
break a rule or are flagged, to its leader, naming each value; `importance` and `checks` narrow
what counts; a school with nothing wrong gets none."""

import pytest

from services.reports.data_quality.checks import Flag, Violation
from services.reports.recommendations.engine import evaluate
from services.reports.recommendations.rules import validate
from shared.errors import Invalid
from tests.reports.engine_facts import S1, S2, S3, facts, rules

INDICATOR = "Обучающихся всего"


def _violation(org, importance="high", left=120.0, right=100.0) -> Violation:
    return Violation(
        organization_id=org,
        organization="—",
        code=f"rule_{importance}",
        expression="students_passed <= students_total",
        message="Сдавших больше, чем обучающихся",
        importance=importance,
        left_value=left,
        right_value=right,
        names={"students_passed": "Сдали ГИА", "students_total": "Обучающихся всего"},
    )


def _flag(org, kind="min_max", value=5000.0, **more) -> Flag:
    fields = {"bound": None, "median": None, "n": None, "score": None} | more
    return Flag(
        organization_id=org,
        organization="—",
        indicator_code="students_total",
        indicator=INDICATOR,
        unit="count",
        kind=kind,
        value=value,
        **fields,
    )


def _found(rule_params=None, **kw):
    [rule] = rules("leader_data_quality")
    rule.params = rule_params or {}
    return {c.addressee_id: c for c in evaluate([rule], facts(**kw))}


def test_each_school_with_broken_rules_or_flagged_values_is_told_which_values_to_check():
    found = _found(
        violations=[_violation(S2), _violation(S3, "low", 30.0, 20.0)],
        flags=[
            _flag(S1, bound=3000.0),
            _flag(S1, "history_z", median=505.0, n=3, score=606.4),
            _flag(S3, value=5.0, bound=10.0),
        ],
    )
    assert set(found) == {S1, S2, S3}
    s1 = found[S1]
    assert (s1.addressee_type, s1.organization_id, s1.subject) == (
        "organization_leader",
        S1,
        "data_quality",
    )
    # The value flagged twice is named once (the bound crossed); both flags are evidence.
    assert s1.text == (
        "В данных организации «Школа 1» за 2022/2023 есть значения, которые нужно проверить: "
        "1 возможный выброс. Проверьте: «Обучающихся "
        "всего» = 5\u00a0000 (выше верхней границы 3\u00a0000). Исправьте ошибочные значения; "
        "верные оставьте: выброс не отбрасывается, а только отмечается."
    )
    assert [f["check"] for f in s1.evidence["outliers"]] == ["min_max", "history_z"]
    assert "Сдавших больше, чем обучающихся («Сдали ГИА» = 120; «Обучающихся всего» = 100)" in (
        found[S2].text
    )
    assert found[S3].actions == [
        {
            "kind": "other",
            "text": "Проверить и исправить значения за 2022/2023: Сдавших больше, чем "
            "обучающихся («Сдали ГИА» = 30; «Обучающихся всего» = 20); «Обучающихся "
            "всего» = 5 (ниже нижней границы 10)",
        }
    ]


def test_a_statistical_flag_names_the_median_it_was_compared_with():
    flag = _flag(S1, "territory_z", value=8.0, median=80.0, n=10, score=-48.6)
    [only] = _found(flags=[flag]).values()
    assert (
        "«Обучающихся всего» = 8 (отличается от значений организаций территории: "
        "медиана 80 по 10 значениям)" in only.text
    )


def test_importance_and_checks_narrow_what_counts():
    crafted = {
        "violations": [_violation(S2), _violation(S3, "low")],
        "flags": [_flag(S1, bound=3000.0)],
    }
    assert set(_found({"importance": "high"}, **crafted)) == {S1, S2}
    assert set(_found({"checks": "violations"}, **crafted)) == {S2, S3}
    assert set(_found({"checks": "outliers"}, **crafted)) == {S1}
    assert _found() == {}  # nothing broken, nothing flagged: no recommendation


@pytest.mark.parametrize(
    ("params", "at"),
    [
        ({"importance": "urgent"}, "params.importance"),
        ({"checks": "both"}, "params.checks"),
        ({"days": 7}, "params.days"),
    ],
)
def test_a_rule_with_unknown_choices_is_refused_naming_the_parameter(params, at):
    with pytest.raises(Invalid) as refused:
        validate("data_quality", params, "organization_leader", "{values}", [])
    assert refused.value.errors[0]["loc"] == ["body", at]


def test_only_a_schools_leader_may_be_told():
    with pytest.raises(Invalid):
        validate("data_quality", {}, "authority", "{values}", [])


def test_what_was_found_is_counted_in_words_without_zeros():
    from services.reports.recommendations.quality_conditions import found_words

    assert found_words(0, 1) == "1 возможный выброс"
    assert found_words(1, 0) == "1 нарушенное правило проверки"
    assert found_words(2, 5) == "2 нарушенных правила проверки и 5 возможных выбросов"
    assert found_words(21, 22) == "21 нарушенное правило проверки и 22 возможных выброса"
