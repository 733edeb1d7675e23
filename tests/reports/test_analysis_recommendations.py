"""Recommendations and the indicator method over the complex analysis, end to end:
participants' results posted to the real api, followed into the reports' facts, analysed with
the app's thresholds (the defaults but `min_participants` = 4: each paper has four pupils).
"""

import pytest

from tests.api.test_assessment_tasks import SPEC
from tests.api.test_participant_results import A, B, C, D
from tests.reports import helpers

# The objectivity tests' thresholds (min_participants = 4, autouse), S2's four pupils and the
# posting of a school's participants (ВПР 2023/2024, Математика 5).
from tests.reports.test_analysis_objectivity import (  # noqa: F401
    S2_PUPILS,
    post_participants,
    thresholds,
)

YEAR = "2023/2024"
ANALYSIS_RULES = {
    "authority_objectivity_risk",
    "leader_objectivity_risk",
    "leader_low_results_school",
    "authority_low_results_school",
    "authority_resilient_school",
    "leader_task_deficit",
}


async def issued(reports_client, world):
    answer = await helpers.generate(reports_client, world, period=YEAR)
    assert answer.status_code == 200, answer.text
    listed = await reports_client.get(
        "/v1/recommendations",
        params={"limit": 200, "period": YEAR},
        headers=world.headers("analyst"),
    )
    assert listed.status_code == 200, listed.text
    return {
        (i["rule_code"], i["addressee_id"]): i
        for i in listed.json()["items"]
        if i["rule_code"] in ANALYSIS_RULES
    }


# SPEC (ВПР 2023/2024, Математика 5): tasks 1 (max 1, basic), 2 (2, basic), 3.1 (1, advanced),
# 3.2 (2, high). S1 writes A, B, C, D of test_participant_results: marks "5", "3", "2", "4"
# against journal marks 5, 4, 2, 3 — B lowered, D raised: 2 of 4 = 50 % ≥ 40 %, journal
# mismatch; its basic tasks (1, 2) are done (3 + 5) / (4 + 8) = 66.7 %, the advanced 3.1
# 3 / 4 = 75 % ≥ 66.7 %: an inverted profile. Two signs: risk high.
# S2 (S2_PUPILS): every journal mark confirmed; basic (3 + 7) / 12 = 83.3 % above the
# advanced 25 % and the high 12.5 %: no sign.
@pytest.fixture
async def posted(api_client, world):
    answer = await api_client.post(
        "/v1/assessment-tasks", json=SPEC, headers=world.headers("admin")
    )
    assert answer.status_code == 201, answer.text
    await post_participants(api_client, world, world.s1, [A, B, C, D])
    await post_participants(api_client, world, world.s2, S2_PUPILS)
    return world


async def test_generate_gives_objectivity_risk_and_task_deficits_from_the_analysis(
    reports_client, posted
):
    world = posted
    found = await issued(reports_client, world)
    s1, s2, m1 = str(world.s1.id), str(world.s2.id), str(world.m1.id)
    assert set(found) == {
        ("authority_objectivity_risk", m1),
        ("leader_objectivity_risk", s1),
        ("leader_task_deficit", s2),
    }
    authority = found[("authority_objectivity_risk", m1)]
    assert authority["subject"] == f"objectivity:{s1}" and authority["organization_id"] is None
    assert (
        "(риск: высокий): ВПР, Математика, 5 класс — нетипичный профиль выполнения заданий, "
        "расхождение с отметками в журнале." in authority["text"]
    )
    assert authority["actions"][0]["kind"] == "monitoring_visit"
    assert [s["code"] for s in authority["evidence"]["papers"][0]["signs"]] == [
        "inverted_profile",
        "journal_mismatch",
    ]
    # Task completion (sum / (max × 4 pupils)): S2 3.1: 1/4 = 25 %, 3.2: 1/8 = 12.5 %; the
    # territory (S1 and S2 pooled) 3.1: 4/8 = 50 %, 3.2: 4/16 = 25 %. Both under 50 % and
    # at least 10 points below the territory. S2's 1 (75 % against 75 %) and 2 (87.5 %) are
    # not; S1's 3.2 (37.5 %) is under 50 % but above the territory's 25 %.
    deficit = found[("leader_task_deficit", s2)]
    assert deficit["text"].startswith("Учителям математики организации «Школа 2»")
    assert (
        "задание 3.1 — 25\u00a0% (по территории 50\u00a0%); "
        "задание 3.2 — 12,5\u00a0% (по территории 25\u00a0%)." in deficit["text"]
    )
    # The catalogue's programmes of the subject-teaching competence, shortest first.
    codes = [a["programme_code"] for a in deficit["actions"] if a.get("programme_code")]
    assert codes == [
        "pd_assessment_results_in_teaching",
        "pd_fgos_subject",
        "pd_functional_literacy",
    ]
    # The same facts again: the same recommendations, nothing new.
    summary = await helpers.generate(reports_client, world, period=YEAR)
    assert summary.json()["created"] == 0


def flagged_share(code, direction="lower", **params):
    return {
        "code": code,
        "name": f"Доля школ: {code}",
        "unit": "percent",
        "direction": direction,
        "level": "territory",
        "method": "organization_flagged_share",
        "params": params,
    }


async def test_the_share_of_schools_with_objectivity_risk(api_client, reports_client, posted):
    world = posted
    for definition in (
        flagged_share("risky_schools", flag="objectivity_risk"),
        flagged_share("resilient_schools", "higher", flag="resilient"),
    ):
        answer = await api_client.post(
            "/v1/indicators", json=definition, headers=world.headers("admin")
        )
        assert answer.status_code == 201, answer.text
    answer = await helpers.read_values(reports_client, world, "admin", period=YEAR, limit=500)
    assert answer.status_code == 200, answer.text
    items = {
        (i["indicator_code"], i["scope_type"], i["scope_id"]): i for i in answer.json()["items"]
    }
    # M1's schools with a result in 2023/2024: S1 and S2; S1 has high risk: 1 of 2 = 50 %.
    risky = items[("risky_schools", "territory", str(world.m1.id))]
    assert (risky["value"], risky["numerator"], risky["denominator"]) == (50.0, 1, 2)
    # No school has context data, so none is resilient: 0 of 2.
    resilient = items[("resilient_schools", "territory", str(world.m1.id))]
    assert (resilient["value"], resilient["denominator"]) == (0.0, 2)
    # A share of schools is a group's figure: none for one school.
    assert ("risky_schools", "organization", str(world.s1.id)) not in items
