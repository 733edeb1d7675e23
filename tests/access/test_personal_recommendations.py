"""Recommendations that carry teachers' personal results (README "Personal data").

A teacher's own (`teacher_own_deficits`: their name, deficits and scores) is read by the
teacher, the school's leader and the territory's methodologists, and every read by anyone but
the teacher is one `read_personal` event of the request in the audit log. Those told from a
group's diagnostic results («у 7 из 7 педагогов (100 %) выявлен дефицит»: to a leader, to the
PD centre) are each teacher's result when all or none of the group have it: only readers of
personal results get them; viewers, analysts and another school's leader, inside the same
territory, see neither the item nor its numbers.
"""

import pytest

from services.reports.recommendations.models import Recommendation
from tests.factories import World, add_colleagues

SEVEN_OF_SEVEN = "у 7 из 7 педагогов (100 %) выявлен профессиональный дефицит"


@pytest.fixture
async def recommended(db, settings, world) -> World:
    """T1 and T2 of S1 with recommendations of their own; S1's leader told that 7 of 7 have a
    deficit; M1's PD centre told the same about S1."""
    await add_colleagues(db, settings, world)
    group = {"competence": "design", "teachers": 7, "with_deficit": 7, "share": 100.0}
    world.personal = {}
    for staff in (world.t1, world.t2):
        world.personal[staff.full_name] = Recommendation(
            rule_code="teacher_own_deficits",
            period="2021/2022",
            addressee_type="teacher",
            addressee_id=staff.id,
            organization_id=world.s1.id,
            territory_id=world.m1.id,
            territory_ids=[world.m1.id, world.region.id],
            subject="deficits",
            text=f"{staff.full_name}, у вас выявлены профессиональные дефициты: «Проектирование»",
            evidence={"deficits": [{"code": "design", "score": 2.0, "share": 33.3}]},
        )
    world.group_recs = [
        Recommendation(
            rule_code="leader_competence_deficit",
            period="2021/2022",
            addressee_type="organization_leader",
            addressee_id=world.s1.id,
            organization_id=world.s1.id,
            territory_id=world.m1.id,
            territory_ids=[world.m1.id, world.region.id],
            subject="competence:design",
            text=f"В организации «Школа 1» {SEVEN_OF_SEVEN}: «Проектирование».",
            evidence=group | {"min_share": 30},
        ),
        Recommendation(
            rule_code="pd_centre_competence_deficit",
            period="2021/2022",
            addressee_type="pd_centre",
            addressee_id=world.m1.id,
            organization_id=None,
            territory_id=world.m1.id,
            territory_ids=[world.m1.id, world.region.id],
            subject="competence:design",
            text="На территории «Район 1» дефицит «Проектирование» выявлен у 7 из 7 педагогов "
            "(100 %) в организациях, где он массовый: «Школа 1» (7 из 7).",
            evidence=group | {"schools": [str(world.s1.id)]},
        ),
    ]
    db.add_all([*world.personal.values(), *world.group_recs])
    await db.flush()
    return world


async def personal_reads(api_client, world) -> list[dict]:
    answer = await api_client.get(
        "/v1/audit-events",
        params={"action": "read_personal", "entity_type": "recommendation"},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


@pytest.mark.parametrize("who", ["leader", "methodologist"])
async def test_a_read_of_teachers_recommendations_is_one_audit_event_naming_whose(
    reports_client, api_client, recommended, who
):
    world = recommended
    listed = await reports_client.get("/v1/recommendations", headers=world.headers(who))
    assert listed.status_code == 200
    assert {i["addressee_id"] for i in listed.json()["items"] if i["addressee_type"] == "teacher"}
    [event] = await personal_reads(api_client, world)
    assert event["service"] == "reports" and event["actor_role"] in (
        "organization_leader",
        "methodologist",
    )
    assert event["changes"]["staff_ids"] == sorted([str(world.t1.id), str(world.t2.id)])
    assert event["changes"]["organization_ids"] == [str(world.s1.id)]
    one = world.personal[world.t1.full_name]
    answer = await reports_client.get(f"/v1/recommendations/{one.id}", headers=world.headers(who))
    assert answer.status_code == 200
    events = await personal_reads(api_client, world)
    assert len(events) == 2
    assert [e["changes"]["staff_ids"] for e in events if e["entity_id"] == str(one.id)] == [
        [str(world.t1.id)]
    ]


async def test_a_teacher_reading_their_own_and_lists_without_personal_items_record_nothing(
    reports_client, api_client, recommended
):
    world = recommended
    own = await reports_client.get("/v1/recommendations", headers=world.headers("teacher"))
    assert [i["addressee_id"] for i in own.json()["items"]] == [str(world.t1.id)]
    for who in ("viewer", "analyst", "admin", "leader2"):
        answer = await reports_client.get("/v1/recommendations", headers=world.headers(who))
        assert answer.status_code == 200
        assert all(i["addressee_type"] != "teacher" for i in answer.json()["items"]), who
    assert await personal_reads(api_client, world) == []


@pytest.mark.parametrize(
    "who", ["viewer", "analyst", "leader2", "service+viewer", "service+analyst", "target"]
)
async def test_a_group_s_diagnostic_counts_are_not_shown_to_who_may_not_read_results(
    reports_client, recommended, who
):
    world = recommended
    for query in ("", "?addressee_type=organization_leader", "?addressee_type=pd_centre"):
        answer = await reports_client.get(f"/v1/recommendations{query}", headers=world.headers(who))
        assert answer.status_code == 200, answer.text
        assert "7 из 7" not in answer.text and '"with_deficit"' not in answer.text, who
    for rec in world.group_recs:
        answer = await reports_client.get(
            f"/v1/recommendations/{rec.id}", headers=world.headers(who)
        )
        assert answer.status_code == 404, (who, answer.text)


@pytest.mark.parametrize(
    ("who", "expected"),
    [("leader", {"leader_competence_deficit"}), ("methodologist", None), ("admin", None)],
)
async def test_readers_of_personal_results_get_the_group_s_counts(
    reports_client, recommended, who, expected
):
    world = recommended
    answer = await reports_client.get("/v1/recommendations", headers=world.headers(who))
    codes = {i["rule_code"] for i in answer.json()["items"] if "7 из 7" in i["text"]}
    assert codes == (expected or {"leader_competence_deficit", "pd_centre_competence_deficit"}), who


@pytest.mark.parametrize("who", ["leader", "methodologist", "teacher2", "analyst", "admin"])
async def test_a_teachers_own_recommendation_is_moved_by_that_teacher_alone(
    reports_client, recommended, who
):
    """A leader pressing «Отклонить» on a teacher's personal recommendation changed it under
    the teacher; the teacher saw «отклонена» with no sign of who did it."""
    world = recommended
    rec = world.personal["Иванова Мария"]  # T1's, the account "teacher"
    path = f"/v1/recommendations/{rec.id}"
    refused = await reports_client.patch(
        path, json={"status": "rejected"}, headers=world.headers(who)
    )
    assert refused.status_code in (403, 404), refused.text  # 404: not even read (admin, analyst)
    if refused.status_code == 403:
        assert refused.json()["detail"] == (
            "Личную рекомендацию педагога принимает или отклоняет только сам педагог"
        )
    own = await reports_client.patch(
        path, json={"status": "accepted"}, headers=world.headers("teacher")
    )
    assert own.status_code == 200 and own.json()["status"] == "accepted", own.text


@pytest.mark.parametrize("who", ["leader", "methodologist"])
async def test_no_decision_accepts_a_teachers_own_recommendation_for_them(
    reports_client, recommended, who
):
    """A decision accepts a new recommendation: on a teacher's own it would move it for them."""
    world = recommended
    rec = world.personal["Иванова Мария"]
    decided = await reports_client.post(
        f"/v1/recommendations/{rec.id}/decisions",
        json={"text": "Решение", "decided_on": "2026-12-01", "responsible": "Директор"},
        headers=world.headers(who),
    )
    assert decided.status_code == 403, decided.text
    shown = await reports_client.get(
        f"/v1/recommendations/{rec.id}", headers=world.headers("teacher")
    )
    assert shown.json()["status"] == "new"
