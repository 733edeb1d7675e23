"""A decision's effect and a rule's `{previous}` / `{change}` compare periods only when the two
values are comparable, as «falling two periods running» does: each made of at least half of
the group's schools. A district's 50 % of one school of three, then 70 % of all three, is no
effect of the decision nor a change of 20 points: both say why instead."""

import pytest
from sqlalchemy import text

from tests.reports.helpers import PERIOD, TRAINED_INDICATOR, generate, post_values

LATER, EARLIER = "2022/2023", "2020/2021"
DECISION = {
    "text": "Организовать курсы повышения квалификации для всех школ",
    "decided_on": "2022-09-15",
    "responsible": "Методический кабинет",
}
# The district's text with the previous year beside: a custom rule's template.
CHANGE_RULE = {
    "code": "authority_trained_change",
    "title": "Доля обученных педагогов ниже цели",
    "condition": "indicator_not_achieved",
    "params": {"indicator_codes": ["trained"]},
    "addressee_type": "authority",
    "template": "{where}: {value}; в прошлом периоде {previous}, изменение {change}.",
}


@pytest.fixture
async def schools(api_client, world):
    """The "trained" indicator, and a third school in M1 (S1, S2 and it): ids."""
    made = await api_client.post(
        "/v1/indicators", json=TRAINED_INDICATOR, headers=world.headers("admin")
    )
    assert made.status_code == 201, made.text
    third = await api_client.post(
        "/v1/organizations",
        json={"name": "Школа 4", "kind": "school", "territory_id": str(world.m1.id)},
        headers=world.headers("admin"),
    )
    assert third.status_code == 201, third.text
    return (world.s1.id, world.s2.id, third.json()["id"])


def _rows(schools, period: str, values) -> list:
    return [("trained", s, period, v) for s, v in zip(schools, values, strict=False)]


async def _decide_on_the_district(reports_client, world) -> dict:
    """Recommendations of PERIOD issued; the analyst's decision on the district's «trained»
    not achieved: the decision."""
    assert (await generate(reports_client, world)).status_code == 200
    listed = await reports_client.get(
        "/v1/recommendations",
        params={"territory_id": str(world.m1.id), "period": PERIOD, "limit": 200},
        headers=world.headers("analyst"),
    )
    [rec] = [
        r
        for r in listed.json()["items"]
        if r["rule_code"] == "authority_indicator_not_achieved"
        and r["subject"] == "indicator:trained"
    ]
    posted = await reports_client.post(
        f"/v1/recommendations/{rec['id']}/decisions",
        json=DECISION,
        headers=world.headers("analyst"),
    )
    assert posted.status_code == 201, posted.text
    return posted.json()


async def _effect(reports_client, world) -> dict:
    answer = await reports_client.get(
        "/v1/decisions",
        params={"territory_id": str(world.m1.id), "period": PERIOD, "compare_period": LATER},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    [found] = [d for d in answer.json()["items"] if d["text"] == DECISION["text"]]
    return found["effect"]


async def test_an_effect_of_all_schools_both_years_is_judged(
    api_client, reports_client, world, schools
):
    await post_values(api_client, world, _rows(schools, PERIOD, (50, 60, 55)))
    await _decide_on_the_district(reports_client, world)
    await post_values(api_client, world, _rows(schools, LATER, (65, 70, 75)))
    effect = await _effect(reports_client, world)
    assert (effect["before"], effect["after"], effect["change"]) == (55.0, 70.0, 15.0)
    assert effect["improved"] is True and effect["comparable"] is True
    assert effect["reason"] is None and effect["reason_text"] is None
    every = {"organizations_reporting": 3, "organizations": 3}
    assert effect["coverage_before"] == every and effect["coverage_after"] == every


async def test_a_baseline_of_one_school_in_three_is_no_ground_for_an_effect(
    api_client, reports_client, world, schools
):
    # Decided on the district's 50 % when only S1 had reported the year.
    await post_values(api_client, world, _rows(schools, PERIOD, (50,)))
    decision = await _decide_on_the_district(reports_client, world)
    assert decision["value_before"] == 50.0
    # The others report that year later (the year's value is 55 % of all three now, but the
    # decision was taken on S1's 50 %), and all three the next year: 70 %.
    await post_values(api_client, world, _rows(schools, PERIOD, (None, 60, 55))[1:])
    await post_values(api_client, world, _rows(schools, LATER, (65, 70, 75)))
    effect = await _effect(reports_client, world)
    assert (effect["before"], effect["after"]) == (50.0, 70.0)
    assert effect["change"] is None and effect["improved"] is None
    assert effect["comparable"] is False and effect["reason"] == "not_comparable"
    assert effect["reason_text"].startswith(
        f"значения несопоставимы: за {PERIOD} — по 1 из 3 организаций, за {LATER} — по 3 из 3"
    )


async def test_a_later_value_of_one_school_in_three_is_no_effect(
    api_client, reports_client, world, schools
):
    await post_values(api_client, world, _rows(schools, PERIOD, (50, 60, 55)))
    await _decide_on_the_district(reports_client, world)
    await post_values(api_client, world, _rows(schools, LATER, (90,)))  # S1 alone so far
    effect = await _effect(reports_client, world)
    assert effect["after"] == 90.0 and effect["change"] is None and effect["improved"] is None
    assert effect["reason"] == "not_comparable"
    assert f"за {LATER} — по 1 из 3" in effect["reason_text"]


async def _district_text(api_client, reports_client, world) -> dict:
    made = await reports_client.post(
        "/v1/recommendation-rules", json=CHANGE_RULE, headers=world.headers("analyst")
    )
    assert made.status_code == 201, made.text
    assert (await generate(reports_client, world)).status_code == 200
    listed = await reports_client.get(
        "/v1/recommendations",
        params={"territory_id": str(world.m1.id), "period": PERIOD, "limit": 200},
        headers=world.headers("analyst"),
    )
    [rec] = [r for r in listed.json()["items"] if r["rule_code"] == CHANGE_RULE["code"]]
    return rec


async def test_previous_and_change_of_comparable_years(api_client, reports_client, world, schools):
    await post_values(api_client, world, _rows(schools, EARLIER, (60, 70, 65)))
    await post_values(api_client, world, _rows(schools, PERIOD, (50, 60, 55)))
    rec = await _district_text(api_client, reports_client, world)
    assert "в прошлом периоде 65\u00a0%, изменение \u221210\u00a0%." in rec["text"]
    assert rec["evidence"]["previous_comparable"] is True


async def test_previous_and_change_of_a_year_most_schools_did_not_report(
    api_client, reports_client, world, schools
):
    await post_values(api_client, world, _rows(schools, EARLIER, (80,)))  # S1 alone
    await post_values(api_client, world, _rows(schools, PERIOD, (50, 60, 55)))
    rec = await _district_text(api_client, reports_client, world)
    why = f"значения несопоставимы: за {EARLIER} — по 1 из 3 организаций, за {PERIOD} — по 3 из 3"
    assert f"в прошлом периоде нет сопоставимого значения ({why}" in rec["text"]
    assert f"изменение не оценивается ({why}" in rec["text"]
    assert "80" not in rec["text"] and "25" not in rec["text"]
    assert rec["evidence"]["previous_comparable"] is False
    assert rec["evidence"]["previous_not_comparable"].startswith(why)


async def test_a_decision_taken_before_coverage_was_kept_reads_the_period_as_now(
    api_client, reports_client, world, schools, db
):
    """A decision of before revision 0038 has no `coverage_before`: the period's values as
    they stand now say it (all three schools here), and the later year of S1 alone is still
    not compared."""
    await post_values(api_client, world, _rows(schools, PERIOD, (50, 60, 55)))
    decision = await _decide_on_the_district(reports_client, world)
    await db.execute(
        text("UPDATE reports.decision SET coverage_before = NULL WHERE id = :id"),
        {"id": decision["id"]},
    )
    await post_values(api_client, world, _rows(schools, LATER, (90,)))
    effect = await _effect(reports_client, world)
    assert effect["coverage_before"] == {"organizations_reporting": 3, "organizations": 3}
    assert effect["reason"] == "not_comparable" and effect["change"] is None
    await post_values(api_client, world, _rows(schools, LATER, (90, 70, 80)))
    effect = await _effect(reports_client, world)
    assert (effect["change"], effect["improved"], effect["reason"]) == (25.0, True, None)
