"""Who may change a campaign (its window and title are everyone's it covers), and the audit
log's record of each launch and change."""

from datetime import timedelta

from services.surveys.campaigns.models import Campaign
from tests.factories import add_colleagues
from tests.surveys.forms import NOW, launch, post_campaign

CLOSE = {"closes_at": (NOW + timedelta(minutes=5)).isoformat()}


async def audit_events(api_client, world, campaign_id: str) -> list[dict]:
    answer = await api_client.get(
        "/v1/audit-events",
        params={"entity_type": "campaign", "entity_id": campaign_id},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def test_a_leader_cannot_change_a_campaign_of_other_schools_too(
    surveys_client, world, db, settings
):
    await add_colleagues(db, settings, world)
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id]
    )
    url = f"/v1/campaigns/{campaign['id']}"
    for who, body in [
        ("leader", {"title": "Переименовано директором"}),
        ("leader", CLOSE),
        ("leader2", {"closes_at": (NOW + timedelta(days=300)).isoformat()}),
    ]:
        answer = await surveys_client.patch(url, json=body, headers=world.headers(who))
        assert answer.status_code == 403, (who, answer.text)
        assert "охватывает и другие организации" in answer.json()["detail"]
    kept = (await surveys_client.get(url, headers=world.headers("analyst"))).json()
    assert kept["title"] == campaign["title"] and kept["closes_at"] == campaign["closes_at"]
    assert kept["status"] == "open"
    # Nor may a leader launch one for another school beside theirs.
    answer = await post_campaign(
        surveys_client,
        world,
        "nok_parents_2018",
        "parents",
        [world.s1.id, world.s2.id],
        who="leader",
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == [
        "body",
        "organization_ids",
    ]
    # Another territory's leader does not see it at all.
    answer = await surveys_client.patch(url, json=CLOSE, headers=world.headers("leader3"))
    assert answer.status_code == 404
    # The territory's analysts and methodologists, and administrators, hold every school.
    for who in ("analyst", "methodologist", "admin"):
        title = f"Анкета ({who})"
        answer = await surveys_client.patch(url, json={"title": title}, headers=world.headers(who))
        assert answer.status_code == 200, (who, answer.text)
        assert answer.json()["title"] == title


async def test_a_territory_analyst_cannot_change_a_campaign_reaching_another_territory(
    surveys_client, world
):
    campaign = await launch(
        surveys_client,
        world,
        "nok_parents_2018",
        "parents",
        [world.s1.id, world.s3.id],
        who="admin",
    )
    url = f"/v1/campaigns/{campaign['id']}"
    for who in ("analyst", "methodologist", "leader", "leader3"):
        answer = await surveys_client.patch(url, json=CLOSE, headers=world.headers(who))
        assert answer.status_code == 403, (who, answer.text)
    answer = await surveys_client.patch(url, json=CLOSE, headers=world.headers("admin"))
    assert answer.status_code == 200


async def test_a_leader_keeps_their_own_school_campaign(surveys_client, world, db):
    for author in ("leader", "analyst"):
        campaign = await launch(
            surveys_client, world, "nok_parents_2018", "parents", [world.s1.id], who=author
        )
        url = f"/v1/campaigns/{campaign['id']}"
        answer = await surveys_client.patch(url, json=CLOSE, headers=world.headers("leader"))
        assert answer.status_code == 200, (author, answer.text)
        answer = await surveys_client.patch(
            url, json={"title": "Наша анкета"}, headers=world.headers("leader")
        )
        assert answer.json()["title"] == "Наша анкета"
        assert (await db.get(Campaign, campaign["id"])) is not None


async def test_launches_and_changes_are_in_the_audit_log_with_before_and_after(
    surveys_client, api_client, world
):
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id]
    )
    [created] = await audit_events(api_client, world, campaign["id"])
    assert created["action"] == "create" and created["service"] == "surveys"
    assert created["actor_role"] == "territory_analyst"
    assert created["changes"]["title"] == campaign["title"]
    assert sorted(created["changes"]["organization_ids"]) == sorted(
        [str(world.s1.id), str(world.s2.id)]
    )
    url = f"/v1/campaigns/{campaign['id']}"
    changed = await surveys_client.patch(
        url, json={"title": "Новое", **CLOSE}, headers=world.headers("methodologist")
    )
    assert changed.status_code == 200
    # A refused change and one that changes nothing record nothing.
    await surveys_client.patch(url, json={"title": "Нет"}, headers=world.headers("leader"))
    await surveys_client.patch(url, json={"title": "Новое"}, headers=world.headers("admin"))
    events = await audit_events(api_client, world, campaign["id"])
    [update] = [e for e in events if e["action"] == "update"]
    assert update["actor_role"] == "methodologist"
    assert update["changes"]["title"] == {"before": campaign["title"], "after": "Новое"}
    before, after = (update["changes"]["closes_at"][k] for k in ("before", "after"))
    assert before.startswith(campaign["closes_at"][:16])
    assert after.startswith(changed.json()["closes_at"][:16]) and before != after
