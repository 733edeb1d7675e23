"""The oracle's Calculator (tests/reports/calculator.py), checked against hand-computed numbers."""

import uuid

import pytest

from shared.indicator_methods import closure
from tests.reports.calculator import (
    Calculator,
    Inputs,
    Unit,
    evaluate,
    select_target,
)

A, B, C = (uuid.UUID(int=i) for i in (1, 2, 3))
GROUP_ID = uuid.UUID(int=100)
GROUP = Unit("territory", GROUP_ID, frozenset({A, B, C}))
P, PREV = "2021/2022", "2020/2021"


def org(o: uuid.UUID) -> Unit:
    return Unit("organization", o, frozenset({o}))


def define(code: str, method: str, params: dict, **extra) -> dict:
    return {"code": code, "method": method, "params": params, "min_n": 1, **extra}


def calculator(*definitions: dict, inputs: Inputs | None = None) -> Calculator:
    return Calculator({d["code"]: d for d in definitions}, inputs or Inputs())


PERCENT = define("trained", "data_value", {"value_type": "percent"})
PLANNING = define("planning", "data_value", {"value_type": "boolean"})
VALUES = Inputs(
    data_values={
        ("trained", A, P): 80.0,
        ("trained", B, P): 50.0,
        ("trained", A, PREV): 60.0,
        ("trained", B, PREV): 40.0,
        ("planning", A, P): 1.0,
        ("planning", B, P): 0.0,
        ("planning", C, P): 1.0,
    }
)


def test_data_value_of_a_group_is_the_mean_of_organizations_with_coverage():
    calc = calculator(PERCENT, inputs=VALUES)
    item = calc.item("trained", GROUP, P, PREV)
    assert item["value"] == 65.0 and item["n"] == 2  # (80 + 50) / 2; C did not report
    assert item["coverage"]["organizations_reporting"] == 2
    assert item["coverage"]["organizations_share"] == 66.67
    assert (item["previous_value"], item["change"]) == (50.0, 15.0)
    assert calc.item("trained", org(A), P, PREV)["value"] == 80.0


def test_count_data_value_of_a_group_is_the_sum_of_organizations():
    pupils = define("pupils", "data_value", {"value_type": "number"}, unit="count")
    inputs = Inputs(data_values={("pupils", A, P): 120.0, ("pupils", B, P): 85.0})
    item = calculator(pupils, inputs=inputs).item("pupils", GROUP, P, PREV)
    assert (item["value"], item["n"]) == (205.0, 2)  # 120 + 85 pupils; C did not report


def test_boolean_data_value_of_a_group_is_the_share_of_organizations_with_true():
    item = calculator(PLANNING, inputs=VALUES).item("planning", GROUP, P, PREV)
    assert (item["value"], item["numerator"], item["denominator"]) == (66.67, 2, 3)


def test_organization_share_counts_organizations_meeting_the_condition():
    share = define(
        "share_trained",
        "organization_share",
        {"indicator_code": "trained", "condition": {"op": ">=", "value": 70}},
    )
    calc = calculator(PERCENT, share, inputs=VALUES)
    item = calc.item("share_trained", GROUP, P, PREV)
    # A (80) meets it, B (50) does not, C has no value: 1 of 2.
    assert (item["value"], item["numerator"], item["denominator"], item["n"]) == (50.0, 1, 2, 2)
    assert item["previous_value"] == 0.0
    assert calc.item("share_trained", org(A), P, PREV) is None  # a group's figure only


def survey_entry(n: int, questions: list[tuple[str, int, int, float | None]], **extra) -> dict:
    return {
        "n": n,
        "expected": 10,
        "suppressed": False,
        "audience": "parents",
        "questions": [
            {"code": c, "n": n, "positive": pos, "rated": rated, "mean": mean}
            for c, pos, rated, mean in questions
        ],
        **extra,
    }


def test_survey_positive_share_is_pooled_over_campaigns_and_questions():
    inputs = Inputs(
        surveys={
            ("nok", P, "territory", GROUP_ID): [
                survey_entry(6, [("q1", 4, 6, None), ("q2", 6, 6, None)]),
                survey_entry(5, [("q1", 1, 5, None), ("q2", 5, 5, None)]),
            ]
        }
    )
    all_questions = define("sat", "survey_positive_share", {"instrument_code": "nok"})
    only_q1 = define(
        "sat1", "survey_positive_share", {"instrument_code": "nok", "question_codes": ["q1"]}
    )
    calc = calculator(all_questions, only_q1, inputs=inputs)
    item = calc.item("sat", GROUP, P, PREV)
    # (4 + 6 + 1 + 5) / (6 + 6 + 5 + 5) = 16 / 22; not the mean of the two campaigns' shares.
    assert (item["value"], item["numerator"], item["denominator"], item["n"]) == (72.73, 16, 22, 11)
    assert item["coverage"]["response_rate"] == 55.0
    assert calc.item("sat1", GROUP, P, PREV)["value"] == 45.45  # 5 / 11


def test_survey_mean_is_pooled_over_answers():
    inputs = Inputs(
        surveys={
            ("nok", P, "territory", GROUP_ID): [
                survey_entry(2, [("q1", 0, 0, 4.0)]),
                survey_entry(6, [("q1", 0, 0, 2.0)]),
            ]
        }
    )
    item = calculator(define("m", "survey_mean", {"instrument_code": "nok"}), inputs=inputs).item(
        "m", GROUP, P, PREV
    )
    assert item["value"] == 2.5  # (4×2 + 2×6) / 8


def test_deficit_share_takes_the_largest_listed_competence():
    inputs = Inputs(
        surveys={
            ("diag", P, "territory", GROUP_ID): [
                {
                    "n": 4,
                    "suppressed": False,
                    "competences": [
                        {"code": "design", "n": 4, "with_deficit": 1},
                        {"code": "tools", "n": 4, "with_deficit": 3},
                    ],
                }
            ]
        }
    )
    listed = define("d1", "deficit_share", {"instrument_code": "diag", "competences": ["design"]})
    any_ = define("d2", "deficit_share", {"instrument_code": "diag"})
    calc = calculator(listed, any_, inputs=inputs)
    assert calc.item("d1", GROUP, P, PREV)["value"] == 25.0
    assert calc.item("d2", GROUP, P, PREV)["value"] == 75.0


def test_fewer_answers_than_min_n_is_insufficient_data_not_a_number():
    inputs = Inputs(
        surveys={("nok", P, "territory", GROUP_ID): [survey_entry(3, [("q1", 3, 3, None)])]}
    )
    item = calculator(
        define("sat", "survey_positive_share", {"instrument_code": "nok"}, min_n=5), inputs=inputs
    ).item("sat", GROUP, P, PREV)
    assert (item["status"], item["value"], item["n"]) == ("insufficient_data", None, 3)
    empty = calculator(define("sat", "survey_positive_share", {"instrument_code": "nok"})).item(
        "sat", GROUP, P, PREV
    )
    assert (empty["status"], empty["value"]) == ("no_data", None)


def test_assessment_metrics_are_pooled_over_organizations():
    rows = [
        {
            "organization_id": str(A),
            "participants": 20,
            "marks": {"2": 2, "3": 8, "4": 6, "5": 4},
            "mean_score": 11.5,
            "confirmed": 15,
            "lowered": 3,
            "raised": 2,
        },
        {
            "organization_id": str(B),
            "participants": 10,
            "marks": {"2": 4, "3": 4, "4": 1, "5": 1},
            "mean_score": 8.5,
            "confirmed": None,
            "lowered": None,
            "raised": None,
        },
    ]
    inputs = Inputs(assessments={("vpr", P, None, None): rows})

    def metric(name: str) -> dict:
        return define(name, "assessment_metric", {"procedure": "vpr", "metric": name})

    names = ("share_2", "share_4_5", "mean_score", "mean_mark", "share_confirmed", "participants")
    calc = calculator(*(metric(m) for m in names), inputs=inputs)
    got = {m: calc.item(m, GROUP, P, PREV)["value"] for m in names}
    assert got == {
        "share_2": 20.0,  # (2 + 4) / 30
        "share_4_5": 40.0,  # (6 + 4 + 1 + 1) / 30
        "mean_score": 10.5,  # (11.5×20 + 8.5×10) / 30
        "mean_mark": 3.37,  # (2×6 + 3×12 + 4×7 + 5×5) / 30 = 101 / 30
        "share_confirmed": 75.0,  # 15 / 20: B does not compare journal marks
        "participants": 30.0,
    }
    assert calc.item("share_2", org(B), P, PREV)["value"] == 40.0


def test_target_is_the_most_specific_one():
    definition = {
        "target": {"op": ">=", "value": 50},
        "targets": [
            {"op": ">=", "value": 60, "period": P},
            {"op": ">=", "value": 70, "scope_type": "territory", "scope_id": str(GROUP_ID)},
            {
                "op": ">=",
                "value": 80,
                "period": P,
                "scope_type": "territory",
                "scope_id": str(GROUP_ID),
            },
        ],
    }
    assert select_target(definition, GROUP, P)["value"] == 80
    assert select_target(definition, GROUP, PREV)["value"] == 70
    assert select_target(definition, org(A), P)["value"] == 60
    assert select_target(definition, org(A), PREV)["value"] == 50


def test_a_districts_count_target_is_the_districts_not_each_schools():
    """«Не менее 2 тыс. обучающихся района»: a count adds up, so the district is judged by its
    target, not each school by the whole district's figure; a target naming organizations
    still applies to them; a share's target compares alike at every level."""
    district = dict(
        define("participants", "data_value", {"value_type": "number"}),
        unit="count",
        level="territory",
        target={"op": ">=", "value": 2000},
        targets=[{"period": P, "scope_type": None, "scope_id": None, "op": ">=", "value": 1500}],
    )
    assert select_target(district, GROUP, P) == {"op": ">=", "value": 1500}
    assert select_target(district, GROUP, PREV) == {"op": ">=", "value": 2000}
    assert select_target(district, org(A), P) is None
    assert select_target(district, Unit("cluster", GROUP_ID, frozenset({A})), P) is None
    schools = {
        "period": None,
        "scope_type": "organization",
        "scope_id": None,
        "op": ">=",
        "value": 5,
    }
    assert select_target(dict(district, targets=[schools]), org(A), P)["value"] == 5
    schools_count = dict(district, level="organization", targets=[])
    assert select_target(schools_count, org(A), P) == {"op": ">=", "value": 2000}
    assert select_target(schools_count, GROUP, P) is None
    share = dict(PERCENT, unit="percent", level="territory", target={"op": ">=", "value": 65})
    calc = calculator(share, inputs=VALUES)
    assert calc.item("trained", org(B), P, PREV)["status"] == "not_achieved"
    assert calc.item("trained", GROUP, P, PREV)["status"] == "achieved"


def test_status_compares_the_value_with_the_target():
    achieved = dict(PERCENT, target={"op": ">=", "value": 65})
    calc = calculator(achieved, inputs=VALUES)
    assert calc.item("trained", GROUP, P, PREV)["status"] == "achieved"  # 65 >= 65
    assert calc.item("trained", org(B), P, PREV)["status"] == "not_achieved"
    assert calc.item("trained", org(C), P, PREV)["status"] == "no_data"


def test_formula_combines_other_indicators_of_the_same_scope_and_period():
    formula = define(
        "gap",
        "formula",
        {
            "numerator": "planning.numerator",
            "denominator": "planning.denominator - 1",
            "scale": 100,
        },
    )
    ratio = define("half", "formula", {"numerator": "trained.value / 2"})
    calc = calculator(PLANNING, PERCENT, formula, ratio, inputs=VALUES)
    gap = calc.item("gap", GROUP, P, PREV)
    assert (gap["value"], gap["numerator"], gap["denominator"]) == (100.0, 2, 2)  # 2 / (3 - 1)
    assert calc.item("half", org(A), P, PREV)["value"] == 40.0
    assert calc.item("half", org(C), P, PREV)["status"] == "no_data"  # no value to divide
    assert closure({d["code"]: d for d in (PLANNING, PERCENT, formula)}, {"gap"}) == {
        "gap",
        "planning",
    }


def test_formula_evaluation_allows_arithmetic_only():
    assert evaluate("-(a.value + 2) * 3 / 4", lambda code, part: 2.0) == -3.0
    assert evaluate("a.value / (a.value - 2)", lambda code, part: 2.0) is None
    for bad in ("__import__('os').value", "a.value ** 2", "a.b.value"):
        with pytest.raises(ValueError):
            evaluate(bad, lambda code, part: 1.0)


def test_a_missing_peer_marks_the_values_that_need_it():
    inputs = Inputs(data_values=dict(VALUES.data_values), unavailable={"surveys"})
    sat = define("sat", "survey_positive_share", {"instrument_code": "nok"})
    calc = calculator(sat, PERCENT, inputs=inputs)
    item = calc.item("sat", GROUP, P, PREV)
    assert (item["status"], item["missing"]) == ("no_data", ["surveys"])
    assert calc.item("trained", GROUP, P, PREV)["missing"] == []
