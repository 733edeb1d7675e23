"""The surveys service's change feed: the bank, campaigns and tallies; counts only, no person."""

import json

import pytest
from sqlalchemy import select

from services.surveys.changes.entities import FEED
from services.surveys.responses.models import CompetenceScore, Response
from tests.changes import of, read_all
from tests.factories import build_world
from tests.surveys.forms import DIAGNOSTIC, add_colleague, diagnostic_answers, launch, nok_answers
from tests.surveys.test_results import take

SURVEYS_ENTITIES = {
    "instrument",
    "instrument_version",
    "campaign",
    "campaign_organization",
    "answer_tally",
    "competence_tally",
}


@pytest.fixture
async def world(db, settings):
    world = await build_world(db, settings)
    await add_colleague(db, settings, world)
    return world


async def test_the_feed_is_for_entities_of_the_contract_only(apps, settings, world):
    assert {e.name for e in FEED.entities} == SURVEYS_ENTITIES
    items, _ = await read_all(apps.surveys, settings)
    assert (
        {"instrument", "instrument_version", "campaign", "campaign_organization"}
        <= {i["entity"] for i in items}
        <= SURVEYS_ENTITIES
    )


async def test_a_campaign_comes_with_its_instrument_and_organizations(
    apps, settings, surveys_client, world
):
    _, cursor = await read_all(apps.surveys, settings)
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    items, _ = await read_all(apps.surveys, settings, cursor)
    [created] = of(items, "campaign", id=campaign["id"])
    version = campaign["instrument_version_id"]
    [instrument_version] = of(
        (await read_all(apps.surveys, settings))[0], "instrument_version", id=version
    )
    assert created["state"] == {
        "id": campaign["id"],
        "title": campaign["title"],
        "instrument_version_id": version,
        "instrument_id": instrument_version["state"]["instrument_id"],
        "instrument_code": "nok_parents_2018",
        "version": instrument_version["state"]["version"],
        "audience": "parents",
        "period": "2021/2022",
        "anonymous": True,
        "opens_at": created["state"]["opens_at"],
        "closes_at": created["state"]["closes_at"],
    }
    assert created["state"]["opens_at"].endswith("Z")
    assert instrument_version["state"]["definition"]["sections"]
    [member] = of(items, "campaign_organization", campaign_id=campaign["id"])
    assert member["state"] == {
        "campaign_id": campaign["id"],
        "organization_id": str(world.s1.id),
        "expected": 500,  # the school's students, from the api service
        # its groups as drawn at the launch: M1 and the region above it, cluster C1
        "territory_ids": [str(world.m1.id), str(world.region.id)],
        "cluster_ids": [str(world.c1.id)],
    }
    assert campaign["links"][0]["url"].rsplit("/", 1)[-1] not in json.dumps(items)


async def test_submissions_reach_the_feed_as_tallies_at_their_latest_counts(
    apps, settings, surveys_client, world
):
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    _, cursor = await read_all(apps.surveys, settings)
    for yes in (True, False, True):
        answer = await surveys_client.post(
            f"/v1/campaigns/{campaign['id']}/responses",
            json={"organization_id": str(world.s1.id), "answers": nok_answers(nok_12=yes)},
            headers=world.headers("analyst"),  # keyed in from paper
        )
        assert answer.status_code == 201, answer.text
    items, _ = await read_all(apps.surveys, settings, cursor)
    assert {i["entity"] for i in items} == {"answer_tally"}
    keys = [json.dumps(i["key"], sort_keys=True) for i in items]
    assert len(keys) == len(set(keys)), "a tally appears twice in one reading"
    scope = {"campaign_id": campaign["id"], "organization_id": str(world.s1.id)}
    [respondents] = of(items, "answer_tally", **scope, question="", value="*")
    assert respondents["state"]["n"] == 3
    [question] = of(items, "answer_tally", **scope, question="nok_12", value="*")
    assert (question["state"]["n"], question["state"]["positive"]) == (3, 2)


async def test_a_diagnostic_leaves_counts_in_the_feed_and_no_person(
    apps, settings, db, surveys_client, world
):
    campaign = await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], False, "methodologist"
    )
    for who, staff, correct in (("teacher", world.t1, 5), ("teacher2", world.t2, 1)):
        answer = await take(
            surveys_client, world, campaign, who, staff, diagnostic_answers({"design": correct})
        )
        assert answer.status_code == 201, answer.text

    items, _ = await read_all(apps.surveys, settings)
    assert {i["entity"] for i in items} <= SURVEYS_ENTITIES
    everything = json.dumps(items, ensure_ascii=False)
    responses = (await db.scalars(select(Response))).all()
    people = [world.t1.id, world.t2.id, world.t1.full_name, world.t2.full_name]
    for trace in (*people, *(r.id for r in responses), *(r.invitation_id for r in responses)):
        assert str(trace) not in everything
    invitations = await surveys_client.get("/v1/me/invitations", headers=world.headers("teacher"))
    for invitation in invitations.json()["items"]:
        assert invitation["url"].rsplit("/", 1)[-1] not in everything
    fields = {f for i in items for f in i["state"]} | {f for i in items for f in i["key"]}
    assert not fields & {"staff_id", "response_id", "invitation_id", "full_name", "score"}

    # Per competence: the two teachers' results summed, never one teacher's.
    scores = (
        await db.scalars(
            select(CompetenceScore).where(CompetenceScore.campaign_id == campaign["id"])
        )
    ).all()
    tallies = of(items, "competence_tally", campaign_id=campaign["id"])
    assert {t["key"]["competence"] for t in tallies} == {s.competence for s in scores}
    for tally in tallies:
        mine = [s for s in scores if s.competence == tally["key"]["competence"]]
        assert len(mine) == 2
        assert tally["state"] == tally["key"] | {
            "respondents": 2,
            "with_deficit": sum(s.deficit for s in mine),
            "score_sum": sum(s.score for s in mine),
            "max_score_sum": sum(s.max_score for s in mine),
        }
