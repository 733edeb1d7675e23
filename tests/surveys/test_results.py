"""Diagnostics through personal links, scoring, aggregates with suppression, personal results."""

from datetime import UTC, datetime

import pytest

from tests.disclosure_world import close
from tests.factories import build_world
from tests.surveys import forms
from tests.surveys.forms import DIAGNOSTIC, add_colleague, diagnostic_answers

NOW = datetime.now(UTC)


@pytest.fixture
async def world(db, settings):
    world = await build_world(db, settings)
    # A second teacher in S1, with an account: two people take the diagnostic there.
    await add_colleague(db, settings, world)
    return world


async def launch(client, world, code, audience, orgs, anonymous):
    """Diagnostics and surveys of these tests are launched by the district's methodologist."""
    return await forms.launch(client, world, code, audience, orgs, anonymous, who="methodologist")


async def take(client, world, campaign, who, staff, answers, draft=False):
    return await client.post(
        f"/v1/campaigns/{campaign['id']}/responses",
        json={"staff_id": str(staff.id), "answers": answers, "draft": draft},
        headers=world.headers(who),
    )


async def test_personal_link_resumes_a_draft_and_accepts_one_submission(surveys_client, world):
    campaign = await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], False
    )
    assert campaign["invitations"] == 2
    partial = dict(list(diagnostic_answers({"design": 5}).items())[:3])
    draft = await take(surveys_client, world, campaign, "teacher", world.t1, partial, draft=True)
    assert draft.status_code == 201 and draft.json()["status"] == "draft"
    pending = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/pending", headers=world.headers("leader")
    )
    assert {(p["full_name"], p["status"]) for p in pending.json()["items"]} == {
        ("Иванова Мария", "draft"),
        ("Смирнова Ольга", "not_started"),
    }
    incomplete = await take(surveys_client, world, campaign, "teacher", world.t1, partial)
    assert incomplete.status_code == 422  # a submission must answer every required item
    done = await take(
        surveys_client, world, campaign, "teacher", world.t1, diagnostic_answers({"design": 5})
    )
    assert done.status_code == 201 and done.json()["id"] == draft.json()["id"]
    again = await take(surveys_client, world, campaign, "teacher", world.t1, diagnostic_answers({}))
    assert again.status_code == 409
    someone_else = await take(
        surveys_client, world, campaign, "teacher2", world.t1, diagnostic_answers({})
    )
    assert someone_else.status_code == 403


async def test_a_teacher_signed_in_needs_not_repeat_their_own_staff_id(surveys_client, world):
    """A client of the teacher's own token that leaves `staff_id` out answers as that teacher
    (it was a 403 «заполняет сам сотрудник, войдя в систему», though they had signed in); an
    account of no staff member, or another teacher's id, is still refused."""
    campaign = await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], False
    )
    url = f"/v1/campaigns/{campaign['id']}/responses"
    body = {"answers": diagnostic_answers({"design": 5})}
    done = await surveys_client.post(url, json=body, headers=world.headers("teacher"))
    assert done.status_code == 201, done.text
    assert done.json()["status"] == "submitted"
    pending = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/pending", headers=world.headers("leader")
    )
    assert pending.json()["total"] == 1
    assert [p["full_name"] for p in pending.json()["items"]] == ["Смирнова Ольга"]
    for who in ("leader", "methodologist"):
        refused = await surveys_client.post(url, json=body, headers=world.headers(who))
        assert refused.status_code == 403, who
    other = await surveys_client.post(
        url, json=body | {"staff_id": str(world.t1.id)}, headers=world.headers("teacher2")
    )
    assert other.status_code == 403


async def test_scores_and_deficits_match_a_hand_computed_profile(surveys_client, world):
    campaign = await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], False
    )
    # Five items of 1 point per competence; a deficit below 60 %, i.e. fewer than 3 points.
    await take(
        surveys_client,
        world,
        campaign,
        "teacher",
        world.t1,
        diagnostic_answers(
            {"design": 5, "tools": 3, "processing": 2, "interpretation": 0, "security": 4}
        ),
    )
    await take(
        surveys_client,
        world,
        campaign,
        "teacher2",
        world.t2,
        diagnostic_answers(
            {"design": 2, "tools": 4, "processing": 5, "interpretation": 1, "security": 5}
        ),
    )
    own = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/deficits", headers=world.headers("teacher")
    )
    [me] = own.json()["items"]  # a teacher sees their own profile only
    assert {c["code"]: c["score"] for c in me["competences"]} == {
        "design": 5,
        "tools": 3,
        "processing": 2,
        "interpretation": 0,
        "security": 4,
    }
    assert sorted(me["deficits"]) == ["interpretation", "processing"]
    assert next(c for c in me["competences"] if c["code"] == "tools")["share"] == 60.0

    school = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/aggregates?level=organization",
        headers=world.headers("leader"),  # two teachers' results: for readers of personal data
    )
    [scope] = school.json()["items"]
    competences = {c["code"]: c for c in scope["competences"]}
    assert competences["interpretation"]["deficit_share"] == 100.0  # both below 3
    assert competences["design"]["deficit_share"] == 50.0  # the second teacher: 2 of 5
    assert competences["processing"]["mean_score_share"] == 70.0  # (2 + 5) / 10
    assert scope["n"] == 2 and scope["expected"] == 2 and scope["response_rate"] == 100.0


async def test_personal_results_are_for_the_teacher_leader_and_methodologists_only(
    surveys_client, world, api_client
):
    campaign = await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], False
    )
    await take(
        surveys_client, world, campaign, "teacher", world.t1, diagnostic_answers({"design": 5})
    )
    url = f"/v1/campaigns/{campaign['id']}/deficits"
    for who in ("leader", "methodologist", "admin"):
        answer = await surveys_client.get(url, headers=world.headers(who))
        assert [p["full_name"] for p in answer.json()["items"]] == ["Иванова Мария"], who
    for who in ("analyst", "viewer", "service"):
        assert (await surveys_client.get(url, headers=world.headers(who))).status_code == 403, who
    events = await api_client.get(
        "/v1/audit-events", params={"action": "read_personal"}, headers=world.headers("admin")
    )
    readers = {e["actor_role"] for e in events.json()["items"]}
    # Refused reads record nothing.
    assert readers == {"organization_leader", "methodologist", "admin"}
    assert all(e["service"] == "surveys" for e in events.json()["items"])


def nok(**answers):
    base = {f"nok_{i:02d}": True for i in range(1, 15)} | {"nok_06": False}
    base.pop("nok_07")
    return base | answers


async def test_aggregates_pool_schools_and_withhold_small_groups(surveys_client, world):
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id], True
    )
    url = f"/v1/campaigns/{campaign['id']}/responses"
    for org, overall in [(world.s1.id, v) for v in (True, True, True, False, True, False)] + [
        (world.s2.id, v) for v in (True, False, False)
    ]:
        answer = await surveys_client.post(
            url, json={"organization_id": str(org), "answers": nok(nok_14=overall)}
        )
        assert answer.status_code == 201, answer.text
    # An anonymous campaign's figures are out once it has closed (shared/disclosure.py).
    await close(surveys_client, world, campaign)

    by_school = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/aggregates?level=organization",
        headers=world.headers("analyst"),
    )
    items = {i["scope_id"]: i for i in by_school.json()["items"]}
    s2 = items[str(world.s2.id)]
    assert s2["n"] == 3 and s2["suppressed"] is True  # fewer than 5 parents: values withheld
    assert all(q["counts"] is None and q["positive_share"] is None for q in s2["questions"])
    s1 = items[str(world.s1.id)]  # withheld too: the district's figure minus S1's is S2's
    assert s1["n"] == 6 and s1["suppressed"] is True
    assert all(q["counts"] is None and q["positive_share"] is None for q in s1["questions"])

    district = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/aggregates?level=territory",
        headers=world.headers("analyst"),
    )
    [m1] = district.json()["items"]  # the analyst's municipality; not the region above it
    assert m1["scope_id"] == str(world.m1.id) and m1["n"] == 9
    q14 = next(q for q in m1["questions"] if q["code"] == "nok_14")
    assert q14["counts"] == {"1": 5, "0": 4}
    assert q14["positive_share"] == 55.6  # pooled: 5 of 9, not the mean of 66.7 and 33.3
    clusters = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/aggregates?level=cluster", headers=world.headers("analyst")
    )
    assert [(c["scope_id"], c["n"]) for c in clusters.json()["items"]] == [(str(world.c1.id), 9)]
    rates = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/rates", headers=world.headers("leader")
    )
    assert [
        (r["organization_id"], r["responses"], r["expected"], r["rate"])
        for r in rates.json()["items"]
    ] == [(str(world.s1.id), 6, 500, 1.2)]
