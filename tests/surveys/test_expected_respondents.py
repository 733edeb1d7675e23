"""How many are expected to answer, by audience (shared/expected_respondents.py), read alike by
the campaign's rates, its aggregates and the reports' survey coverage.

S1 has 500 pupils, teacher T1 and, added here, a leader, a deputy, a psychologist and a
leader who left (inactive); S2 has no pupils recorded and no staff. A leaders' survey of S1
once expected its 500 pupils (a rate of 0.2 % for its one leader who answered)."""

import pytest

from services.api.staff.models import StaffMember
from tests.factories import build_world
from tests.reports.helpers import read_values
from tests.surveys.forms import answer_as_parents, launch
from tests.surveys.test_results import nok

LEADERS_MEAN = {
    "code": "leaders_self_mean",
    "name": "Самооценка руководителей",
    "unit": "score",
    "level": "organization",
    "method": "survey_mean",
    "params": {"instrument_code": "leader_self_assessment", "question_codes": []},
}

LEADER_ANSWERS = {f"ls{s}_{q}": 4 for s in range(1, 8) for q in range(1, 5)}


@pytest.fixture
async def world(db, settings):
    world = await build_world(db, settings)
    db.add_all(
        StaffMember(organization_id=world.s1.id, full_name=name, position=position, **extra)
        for name, position, extra in (
            ("Сидоров Пётр", "leader", {}),
            ("Кузнецова Анна", "deputy", {}),
            ("Орлова Нина", "psychologist", {}),
            ("Ушедший Руководитель", "leader", {"is_active": False}),
        )
    )
    await db.flush()
    return world


async def rates_of(client, world, campaign) -> dict[str, tuple]:
    answer = await client.get(
        f"/v1/campaigns/{campaign['id']}/rates", headers=world.headers("analyst")
    )
    assert answer.status_code == 200, answer.text
    return {
        r["organization_id"]: (r["responses"], r["expected"], r["rate"], r["expected_unknown"])
        for r in answer.json()["items"]
    }


async def aggregates_of(client, world, campaign, level) -> dict[str, tuple]:
    answer = await client.get(
        f"/v1/campaigns/{campaign['id']}/aggregates",
        params={"level": level},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    return {
        i["scope_id"]: (i["n"], i["expected"], i["response_rate"], i["expected_unknown"])
        for i in answer.json()["items"]
    }


async def test_a_leaders_survey_expects_the_schools_leaders(
    apps, api_client, surveys_client, reports_client, world
):
    added = await api_client.post(
        "/v1/indicators", json=LEADERS_MEAN, headers=world.headers("analyst")
    )
    assert added.status_code == 201, added.text
    campaign = await launch(
        surveys_client,
        world,
        "leader_self_assessment",
        "leaders",
        [world.s1.id, world.s2.id],
    )
    # S1's leader answers (the tester keyed it in with the leader's token: counted alike).
    answered = await surveys_client.post(
        f"/v1/campaigns/{campaign['id']}/responses",
        json={"organization_id": str(world.s1.id), "answers": LEADER_ANSWERS},
        headers=world.headers("leader"),
    )
    assert answered.status_code == 201, answered.text

    s1, s2 = str(world.s1.id), str(world.s2.id)
    unknown = "в организации не внесены руководящие работники (руководитель, заместитель)"
    # The leader and the deputy (not the one who left, nor the teacher or psychologist).
    assert await rates_of(surveys_client, world, campaign) == {
        s1: (1, 2, 50.0, None),
        s2: (0, None, None, unknown),
    }
    assert await aggregates_of(surveys_client, world, campaign, "organization") == {
        s1: (1, 2, 50.0, None),
        s2: (0, None, None, unknown),
    }
    # A district with one school unknown: its rate would overstate, so it is unknown too.
    assert (await aggregates_of(surveys_client, world, campaign, "territory"))[str(world.m1.id)][
        1:
    ] == (None, None, unknown)

    values = await read_values(
        reports_client, world, "leader", scope_type="organization", scope_id=s1
    )
    assert values.status_code == 200, values.text
    [value] = [v for v in values.json()["items"] if v["indicator_code"] == "leaders_self_mean"]
    coverage = value["coverage"]
    assert (coverage["respondents"], coverage["expected"], coverage["response_rate"]) == (
        1,
        2,
        50.0,
    ), coverage
    assert coverage["expected_unknown"] is None
    # The district pools this campaign (S2's number unknown) and a second one of S1 alone: one
    # unknown makes the whole unknown, as in the aggregates (a sum of the known ones once gave
    # 1 of 2, 50 %, though S2's leaders were asked too).
    await launch(surveys_client, world, "leader_self_assessment", "leaders", [world.s1.id])
    values = await read_values(reports_client, world, "analyst")
    [value] = [
        v
        for v in values.json()["items"]
        if v["indicator_code"] == "leaders_self_mean" and v["scope_id"] == str(world.m1.id)
    ]
    coverage = value["coverage"]
    assert (coverage["expected"], coverage["response_rate"]) == (None, None), coverage
    assert coverage["expected_unknown"] == unknown


async def test_parents_expect_the_pupils_and_say_when_they_are_not_recorded(
    apps, surveys_client, world
):
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id]
    )
    await answer_as_parents(apps, campaign["id"], [(world.s1.id, nok())] * 5)
    unknown = "в контекстных данных организации не указано число обучающихся"
    expected = {str(world.s1.id): (5, 500, 1.0, None), str(world.s2.id): (0, None, None, unknown)}
    assert await rates_of(surveys_client, world, campaign) == expected
    assert await aggregates_of(surveys_client, world, campaign, "organization") == expected


@pytest.mark.parametrize(
    ("code", "anonymous"),
    [
        ("teachers_digital_tools_satisfaction", True),  # a questionnaire: anonymous
        ("teacher_professional_deficits", False),  # a diagnostic: personal links
    ],
)
async def test_teachers_expect_the_teaching_staff(surveys_client, world, code, anonymous):
    campaign = await launch(
        surveys_client, world, code, "teachers", [world.s1.id, world.s2.id], anonymous
    )
    # T1 and the psychologist: the same people an identified campaign invites.
    assert campaign["invitations"] == (0 if anonymous else 2)
    unknown = "в организации не внесены педагогические работники (учитель, методист, психолог)"
    assert await rates_of(surveys_client, world, campaign) == {
        str(world.s1.id): (0, 2, 0.0, None),
        str(world.s2.id): (0, None, None, unknown),
    }
