"""Nobody is shown a personal link but its teacher, in any answer or log; each teacher lists
their own open invitations."""

import json
import logging
from datetime import timedelta

from sqlalchemy import update

from services.surveys.campaigns.models import Campaign
from shared.db import utcnow
from tests.surveys.forms import csrf_of, sign_in
from tests.surveys.personal_links.helpers import ANSWERS, EMAILS


async def test_nobody_is_shown_a_personal_link_but_its_teacher(surveys_client, diagnostic, world):
    """Campaign creation, reads, lists, rates, reminders, aggregates, personal results: no
    personal link's code in any answer to the leader, analysts, methodologists, admins."""
    campaign, links = diagnostic
    codes = [url.removeprefix("/s/") for url in links.values()]
    assert not any(code in json.dumps(campaign) for code in codes)  # the creation's answer
    base = f"/v1/campaigns/{campaign['id']}"
    paths = [
        base,
        "/v1/campaigns?limit=500",
        f"/v1/campaigns?territory_id={world.m1.id}",
        f"{base}/rates",
        f"{base}/pending",
        f"{base}/aggregates?level=organization",
        f"{base}/deficits",
        "/v1/me/invitations",
    ]
    for who in ("leader", "analyst", "methodologist", "admin", "viewer", "teacher2"):
        for path in paths:
            answer = await surveys_client.get(path, headers=world.headers(who))
            assert not any(code in answer.text for code in codes) or (
                who == "teacher2" and path == "/v1/me/invitations"
            ), (who, path)
    pending = await surveys_client.get(f"{base}/pending", headers=world.headers("leader"))
    assert {tuple(sorted(p)) for p in pending.json()["items"]} == {
        ("full_name", "organization_id", "staff_id", "status")
    }
    assert {p["full_name"] for p in pending.json()["items"]} == {"Иванова Мария", "Смирнова Ольга"}
    # The teachers' own list: each sees exactly their own link.
    for who, mine in (("teacher", "t1"), ("teacher2", "t2")):
        own = await surveys_client.get("/v1/me/invitations", headers=world.headers(who))
        [item] = [i for i in own.json()["items"] if i["campaign_id"] == campaign["id"]]
        assert item["url"].endswith(links[mine]) and item["campaign_id"] == campaign["id"]
        other = links["t2" if mine == "t1" else "t1"].removeprefix("/s/")
        assert other not in own.text


async def test_access_log_names_the_route_not_the_link(form, diagnostic, caplog):
    caplog.set_level(logging.INFO, logger="soko.access")
    _, links = diagnostic
    code = links["t1"].removeprefix("/s/")
    await sign_in(form, links["t1"], EMAILS["teacher"])
    page = await form.get(links["t1"])
    await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(page)})
    await form.get(f"{links['t1']}/thanks")
    lines = [r for r in caplog.records if r.name == "soko.access"]
    assert {(r.method, r.path) for r in lines} >= {
        ("GET", "/s/{code}"),
        ("POST", "/s/{code}"),
        ("POST", "/s/{code}/sign-in"),
        ("GET", "/s/{code}/thanks"),
    }
    for record in caplog.records:
        assert code not in record.getMessage() and code not in json.dumps(vars(record), default=str)


async def test_my_invitations_lists_open_campaigns_with_the_answer_state(
    surveys_client, diagnostic, world, db
):
    campaign, _ = diagnostic
    mine = await surveys_client.get("/v1/me/invitations", headers=world.headers("teacher"))
    assert mine.status_code == 200
    [item] = [i for i in mine.json()["items"] if i["campaign_id"] == campaign["id"]]
    assert mine.json()["total"] == len(mine.json()["items"]) == 2  # and the world's diagnostic
    assert (item["title"], item["status"]) == (campaign["title"], "not_started")
    assert item["opens_at"] and item["closes_at"]
    draft = await surveys_client.post(
        f"/v1/campaigns/{campaign['id']}/responses",
        json={"staff_id": str(world.t1.id), "answers": {}, "draft": True},
        headers=world.headers("teacher"),
    )
    assert draft.status_code == 201, draft.text
    states = await surveys_client.get("/v1/me/invitations", headers=world.headers("teacher"))
    [item] = [i for i in states.json()["items"] if i["campaign_id"] == campaign["id"]]
    assert item["status"] == "draft"
    # Closed campaigns are not listed; people without a staff record have none.
    await db.execute(
        update(Campaign)
        .where(Campaign.id == campaign["id"])
        .values(closes_at=utcnow() - timedelta(minutes=1))
    )
    closed = await surveys_client.get("/v1/me/invitations", headers=world.headers("teacher"))
    fixtures = {world.campaigns["diagnostic_s1"].id}  # the world's own diagnostic, still open
    assert {i["campaign_id"] for i in closed.json()["items"]} <= {str(c) for c in fixtures}
    for who in ("leader", "analyst", "viewer", "service"):
        none = await surveys_client.get("/v1/me/invitations", headers=world.headers(who))
        assert none.status_code == 200 and none.json() == {"items": [], "total": 0}
