"""`{lowest}` of a territory's indicator recommendation (authority_indicator_not_achieved): the
territory's organizations whose own values are worst, by the indicator's direction, named with
their values; a yes/no indicator's those with the unwanted answer; organizations of another
territory never."""

import uuid

from services.reports.recommendations.engine import evaluate
from tests.reports.engine_facts import S1, S2, S3, TERRITORY, facts, rules

RULE = "authority_indicator_not_achieved"


def item(code: str, scope_type: str, scope: uuid.UUID, value: float, status: str) -> dict:
    return {
        "indicator_code": code,
        "scope_type": scope_type,
        "scope_id": scope,
        "value": value,
        "status": status,
        "target": {"op": ">=", "value": 70.0},
    }


def text_of(
    definition: dict, values: dict[uuid.UUID, tuple[float, str]], source: str = "x", **more
) -> str:
    """The authority's recommendation text for indicator «x» of the territory (not achieved)
    with these organizations' own values (of indicator `source`)."""
    found = {("x", "territory", TERRITORY): item("x", "territory", TERRITORY, 40.0, "not_achieved")}
    for org, (value, status) in values.items():
        found[(source, "organization", org)] = item(source, "organization", org, value, status)
    known = facts()
    known.values, known.definitions = found, {"x": {"name": "Икс", **definition}}
    known.names |= more.get("names", {})
    known.org_territory |= more.get("org_territory", {})
    (candidate,) = [c for c in evaluate(rules(RULE), known) if c.rule_code == RULE]
    return candidate.text


def test_the_worst_short_of_the_target_are_named_worst_first():
    text = text_of(
        {"unit": "percent", "direction": "higher"},
        {S1: (65.0, "not_achieved"), S2: (12.5, "not_achieved"), S3: (90.0, "achieved")},
    )
    assert text.endswith(
        "организаций с худшими значениями: «Школа 2» (12,5\u00a0%), «Школа 1» (65\u00a0%)."
    ), text


def test_lower_is_better_names_the_highest():
    text = text_of(
        {"unit": "count", "direction": "lower"},
        {S1: (3.0, "not_achieved"), S2: (9.0, "not_achieved"), S3: (5.0, "no_target")},
    )
    assert text.endswith("худшими значениями: «Школа 2» (9), «Школа 3» (5), «Школа 1» (3)."), text


def test_more_than_three_are_counted_and_another_territorys_left_out():
    extra = {uuid.uuid4(): (float(n), "not_achieved") for n in range(4)}
    elsewhere, other_territory = uuid.uuid4(), uuid.uuid4()
    names = {org: f"Школа {10 + n}" for n, org in enumerate(extra)} | {elsewhere: "Чужая"}
    base = facts()
    text = text_of(
        {"unit": "percent", "direction": "higher"},
        {S1: (50.0, "not_achieved"), elsewhere: (0.0, "not_achieved"), **extra},
        names=base.names | names,
        org_territory=base.org_territory
        | dict.fromkeys(extra, TERRITORY)
        | {elsewhere: other_territory},
    )
    assert "«Чужая»" not in text
    assert text.endswith(
        "«Школа 10» (0\u00a0%), «Школа 11» (1\u00a0%), «Школа 12» (2\u00a0%) и ещё 2."
    ), text


def test_a_yes_no_indicator_names_those_without_and_no_values_leaves_the_phrase():
    text = text_of(
        {"unit": "boolean", "direction": "higher"},
        {S1: (1.0, "no_target"), S2: (0.0, "no_target"), S3: (0.0, "no_target")},
    )
    assert text.endswith("организаций, ухудшающих значение показателя: «Школа 2», «Школа 3»."), text
    alone = text_of({"unit": "percent", "direction": "higher"}, {})
    assert alone.endswith("адресную поддержку организаций с худшими значениями."), alone


def test_a_share_of_organizations_names_those_on_the_unwanted_side_of_its_condition():
    # «Доля ОО, использующих ЦТ» = share of organizations whose yes/no «uses_dt» is yes.
    share = {
        "unit": "percent",
        "direction": "higher",
        "method": "organization_share",
        "params": {"indicator_code": "uses_dt", "condition": {"op": "==", "value": True}},
    }
    text = text_of(
        share,
        {S1: (1.0, "no_target"), S2: (0.0, "no_target"), S3: (0.0, "no_target")},
        source="uses_dt",
    )
    assert text.endswith("организаций, ухудшающих значение показателя: «Школа 2», «Школа 3»."), text
    # A share to keep low (of organizations with more than 10 % of «2»s): those above.
    twos = share | {
        "direction": "lower",
        "params": {"indicator_code": "share_2", "condition": {"op": ">", "value": 10}},
    }
    text = text_of(
        twos,
        {S1: (25.0, "no_target"), S2: (4.0, "no_target"), S3: (10.5, "no_target")},
        source="share_2",
    )
    assert text.endswith("организаций, ухудшающих значение показателя: «Школа 1», «Школа 3»."), text


def test_a_name_with_its_own_quotes_nests_them():
    """«МБОУ „Гимназия № 1“», never «МБОУ «Гимназия № 1»»."""
    text = text_of(
        {"unit": "percent", "direction": "higher"},
        {S1: (65.0, "not_achieved")},
        names={S1: "МБОУ «Гимназия № 1»"},
    )
    assert text.endswith("худшими значениями: «МБОУ „Гимназия № 1“» (65\u00a0%)."), text
