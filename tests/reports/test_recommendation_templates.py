"""A rule's template stored before templates were checked (bare `{name}`s only) never fails a
generation: its bare names are filled, the rest kept as written."""

from services.reports.recommendations.engine import evaluate
from tests.reports.engine_facts import TERRITORY, facts, rules

RULE = "authority_indicator_not_achieved"


def test_a_stored_template_str_format_refuses_still_gives_its_recommendation():
    (rule,) = rules(RULE)
    rule.template = "«{where}»: {value:zz} {indicator!x} { {indicator} — проверьте"
    rule.actions = [{"kind": "other", "text": "Визит {where!x} в «{where}»"}]
    known = facts()
    known.definitions = {"x": {"name": "Икс", "unit": "percent"}}
    known.values = {
        ("x", "territory", TERRITORY): {
            "indicator_code": "x",
            "scope_type": "territory",
            "scope_id": TERRITORY,
            "value": 40.0,
            "status": "not_achieved",
            "target": {"op": ">=", "value": 70.0},
        }
    }
    (found,) = evaluate([rule], known)
    assert found.text == "«Район 1»: {value:zz} {indicator!x} { Икс — проверьте"
    assert found.actions[0]["text"] == "Визит {where!x} в «Район 1»"
