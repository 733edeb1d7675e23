"""«Вернуть в работу» (finding #8: a misclick on «Отметить выполненным» could not be undone in
a browser): the leader of a responsible school on the home, the roadmap's analyst on the
evidence page; the API's rights (PATCH /v1/activities/{id}); a CSRF-protected form."""

import uuid

from sqlalchemy import select

from services.api.roadmaps.models import Activity, ActivityStatusChange
from tests.api import test_pages
from tests.surveys.forms import csrf_of

browser = test_pages.browser
roadmap_world = test_pages.roadmap_world
signed_in = test_pages.signed_in


async def test_the_leader_undoes_a_misclick(browser, roadmap_world, db, settings):
    world = roadmap_world
    client, home = await signed_in(browser, "leader@soko.example")
    done = await client.post(f"/activities/{world.a1.id}/done", data={"_csrf": csrf_of(home)})
    after = await client.get(done.headers["location"])
    assert f'action="/activities/{world.a1.id}/reopen"' in after.text
    undone = await client.post(f"/activities/{world.a1.id}/reopen", data={"_csrf": csrf_of(after)})
    assert undone.status_code == 303 and undone.headers["location"].startswith("/home?reopened=1")
    await db.refresh(world.a1)
    assert (world.a1.status, world.a1.completed_on) == ("in_progress", None)
    changes = await db.scalars(
        select(ActivityStatusChange.to_status)
        .where(ActivityStatusChange.activity_id == world.a1.id)
        .order_by(ActivityStatusChange.id)
    )
    assert list(changes) == ["done", "in_progress"]
    home = await client.get(undone.headers["location"])
    assert "Мероприятие возвращено в работу" in home.text
    assert f'action="/activities/{world.a1.id}/done"' in home.text
    # Not done any more: reopening again is refused, nothing changes.
    again = await client.post(f"/activities/{world.a1.id}/reopen", data={"_csrf": csrf_of(home)})
    assert again.status_code == 409 and "Действие недоступно" in again.text


async def test_the_analyst_reopens_on_the_evidence_page(browser, roadmap_world, db):
    s2_done = await db.scalar(select(Activity).where(Activity.title == "Семинар школы 2"))
    client, _ = await signed_in(browser, "analyst@soko.example")
    evidence = await client.get(f"/activities/{s2_done.id}/evidence")
    assert f'action="/activities/{s2_done.id}/reopen"' in evidence.text
    answer = await client.post(
        f"/activities/{s2_done.id}/reopen", data={"_csrf": csrf_of(evidence), "back": "evidence"}
    )
    assert answer.headers["location"] == f"/activities/{s2_done.id}/evidence?reopened=1"
    page = await client.get(answer.headers["location"])
    assert "Мероприятие возвращено в работу" in page.text
    await db.refresh(s2_done)
    assert s2_done.status == "in_progress"


async def test_reopening_needs_the_token_and_the_right(browser, roadmap_world, db):
    s2_done = await db.scalar(select(Activity).where(Activity.title == "Семинар школы 2"))
    # S1's leader: the same roadmap, another school's activity.
    client, home = await signed_in(browser, "leader@soko.example")
    assert f"/activities/{s2_done.id}/reopen" not in home.text
    refused = await client.post(f"/activities/{s2_done.id}/reopen", data={"_csrf": csrf_of(home)})
    assert refused.status_code == 403 and "Недостаточно прав" in refused.text
    viewer, viewer_home = await signed_in(browser, "viewer@soko.example")
    evidence = await viewer.get(f"/activities/{s2_done.id}/evidence")
    assert "/reopen" not in evidence.text
    by_viewer = await viewer.post(
        f"/activities/{s2_done.id}/reopen", data={"_csrf": csrf_of(viewer_home)}
    )
    assert by_viewer.status_code == 403
    other, other_home = await signed_in(browser, "leader3@soko.example")  # M2
    hidden = await other.post(
        f"/activities/{s2_done.id}/reopen", data={"_csrf": csrf_of(other_home)}
    )
    assert hidden.status_code == 404
    analyst, _ = await signed_in(browser, "analyst@soko.example")
    stale = await analyst.post(f"/activities/{s2_done.id}/reopen", data={"_csrf": "x"})
    assert stale.status_code == 403 and "Страница устарела" in stale.text
    await db.refresh(s2_done)
    assert s2_done.status == "done"


async def test_the_roadmap_s_activities_page_offers_the_buttons_by_right(
    browser, roadmap_world, db
):
    world = roadmap_world
    s2_done = await db.scalar(select(Activity).where(Activity.title == "Семинар школы 2"))
    listing = f"/roadmaps/{world.r1.id}/activities"
    analyst, home = await signed_in(browser, "analyst@soko.example")
    assert f'href="{listing}"' in home.text
    page = await analyst.get(listing)
    assert page.status_code == 200 and "Семинар школы 2" in page.text
    # Another district's roadmap, or none: the page says a roadmap, not an activity.
    for other in (world.r2.id, uuid.uuid4()):
        missing = await analyst.get(f"/roadmaps/{other}/activities")
        assert missing.status_code == 404
        assert "Такой дорожной карты нет или она вам недоступна." in missing.text
    assert f'action="/activities/{s2_done.id}/reopen"' in page.text
    assert f'action="/activities/{world.a1.id}/done"' in page.text
    back = f"roadmap:{world.r1.id}"
    answer = await analyst.post(
        f"/activities/{s2_done.id}/reopen", data={"_csrf": csrf_of(page), "back": back}
    )
    where = f"{listing}?reopened=1&changed={s2_done.id}#activity-{s2_done.id}"
    assert answer.headers["location"] == where
    after = await analyst.get(answer.headers["location"])
    # Said in the card the address scrolls to, not at the top of a long list.
    card = after.text[after.text.index(f'id="activity-{s2_done.id}"') :]
    assert "Мероприятие возвращено в работу" in card[: card.index("</li>")]
    assert after.text.count("Мероприятие возвращено в работу") == 1
    assert f'action="/activities/{s2_done.id}/done"' in after.text
    await db.refresh(s2_done)
    assert s2_done.status == "in_progress"
    # S1's leader reads the roadmap: buttons on S1's activity only.
    leader, _ = await signed_in(browser, "leader@soko.example")
    theirs = await leader.get(listing)
    assert f'action="/activities/{world.a1.id}/done"' in theirs.text
    assert f"/activities/{s2_done.id}/done" not in theirs.text
    viewer, _ = await signed_in(browser, "viewer@soko.example")
    read_only = await viewer.get(listing)
    assert read_only.status_code == 200
    assert 'method="post" action="/activities' not in read_only.text
    other, _ = await signed_in(browser, "leader3@soko.example")  # M2
    assert (await other.get(listing)).status_code == 404
