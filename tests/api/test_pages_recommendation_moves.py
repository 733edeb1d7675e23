"""A recommendation's move from a stale page: the home's form sends the status it showed
(`from_status`), and the reports service moves the recommendation only if that is still its
status (a compare-and-set under the row's lock), so one tab never silently undoes what
another did, and of two moves from one shown status only one applies."""

import asyncio
import html
import re

import pytest
from sqlalchemy import select

from services.reports.recommendations.models import Recommendation
from tests.api import test_pages
from tests.factories import committed_world
from tests.surveys.forms import Dom

browser = test_pages.browser
signed_in = test_pages.signed_in
INPUT = re.compile(r'<input type="hidden" name="([^"]+)" value="([^"]*)">')


def move_form(home: str, rec_id, label: str) -> dict[str, str]:
    """The fields of the recommendation's form whose button says `label`, as the page has them."""
    action = f'action="/recommendations/{rec_id}/status"'
    for form in re.findall(rf"<form [^>]*{re.escape(action)}>(.*?)</form>", home, re.S):
        if f">{label}</button>" in form:
            return {name: html.unescape(value) for name, value in INPUT.findall(form)}
    raise AssertionError(f"no «{label}» form of {rec_id} on the page")


async def status_of(db, rec_id) -> tuple[str, int]:
    """The recommendation's status as stored, and how many moves its history holds."""
    query = select(Recommendation).where(Recommendation.id == rec_id)
    rec = await db.scalar(query.execution_options(populate_existing=True))
    return rec.status, len(rec.history)


async def test_a_stale_tab_does_not_undo_the_other_tabs_move(browser, world, db):
    rec = world.rec_s1
    rec.status = "accepted"
    await db.flush()
    client, tab_a = await signed_in(browser, "leader@soko.example")
    tab_b = await client.get("/home")  # the same home in a second tab
    shown = move_form(tab_b.text, rec.id, "Взять в работу")
    assert shown["from_status"] == "accepted" and shown["status"] == "in_progress"
    done = await client.post(
        f"/recommendations/{rec.id}/status", data=move_form(tab_a.text, rec.id, "Выполнена")
    )
    assert done.status_code == 303, done.text
    assert await status_of(db, rec.id) == ("done", 1)
    # Tab B still shows «принята»: its «Взять в работу» would reopen the done one.
    stale = await client.post(f"/recommendations/{rec.id}/status", data=shown)
    assert stale.status_code == 409
    text = Dom(stale.text).text("main")
    assert "Действие недоступно" in text
    assert "Статус рекомендации уже изменён (сейчас: выполнена)" in text
    assert "обновите страницу" in text
    assert await status_of(db, rec.id) == ("done", 1)
    # Refreshed, the page offers what the current status allows, and that works.
    fresh = await client.get("/home")
    again = move_form(fresh.text, rec.id, "Вернуть в работу")
    assert again["from_status"] == "done"
    reopened = await client.post(f"/recommendations/{rec.id}/status", data=again)
    assert reopened.status_code == 303, reopened.text
    assert await status_of(db, rec.id) == ("in_progress", 2)


async def test_the_json_api_takes_from_status_and_names_the_current_one(reports_client, world, db):
    rec, headers = world.rec_s1, world.headers("leader")
    path = f"/v1/recommendations/{rec.id}"
    moved = await reports_client.patch(path, json={"status": "accepted"}, headers=headers)
    assert moved.status_code == 200, moved.text
    late = await reports_client.patch(
        path, json={"status": "rejected", "from_status": "new"}, headers=headers
    )
    assert late.status_code == 409
    assert late.json()["current_status"] == "accepted"
    assert late.json()["errors"][0]["loc"] == ["body", "from_status"]
    assert await status_of(db, rec.id) == ("accepted", 1)
    # Already where it is asked to go: nothing to do, nothing refused.
    same = await reports_client.patch(
        path, json={"status": "accepted", "from_status": "new"}, headers=headers
    )
    assert same.status_code == 200 and same.json()["status"] == "accepted"
    assert await status_of(db, rec.id) == ("accepted", 1)


@pytest.mark.committed
async def test_two_moves_at_once_from_one_shown_status_apply_once(
    isolation, settings, reports_client
):
    world = await committed_world(isolation, settings)
    rec, headers = world.rec_s1, world.headers("leader")
    path = f"/v1/recommendations/{rec.id}"
    for _ in range(3):  # new → accepted and back to «new» each round, two moves racing
        async with isolation() as db:
            start = await status_of(db, rec.id)
        answers = await asyncio.gather(
            *(
                reports_client.patch(
                    path, json={"status": to, "from_status": start[0]}, headers=headers
                )
                for to in ("accepted", "rejected")
            )
        )
        codes = sorted(a.status_code for a in answers)
        assert codes == [200, 409], [a.text for a in answers]
        applied = next(a.json()["status"] for a in answers if a.status_code == 200)
        async with isolation() as db:
            assert await status_of(db, rec.id) == (applied, start[1] + 1)
        back = "new" if applied == "rejected" else None
        if back is None:  # accepted: reject it, then back to new
            await reports_client.patch(path, json={"status": "rejected"}, headers=headers)
        await reports_client.patch(path, json={"status": "new"}, headers=headers)


async def test_a_leader_sees_a_teachers_own_recommendation_without_moves(browser, world, db):
    """The leader reads their teachers' personal recommendations on the home, and the page
    says who moves them instead of offering «Отклонить» the reports service refuses."""
    rec = Recommendation(
        rule_code="teacher_own_deficits",
        period=world.rec_s1.period,
        addressee_type="teacher",
        addressee_id=world.t1.id,
        organization_id=world.s1.id,
        territory_id=world.m1.id,
        territory_ids=[world.m1.id, world.region.id],
        subject="deficits",
        text="Иванова Мария, у вас выявлены профессиональные дефициты: «Проектирование»",
        evidence={"deficits": [{"code": "design", "score": 2.0, "share": 33.3}]},
    )
    db.add(rec)
    await db.flush()
    _, home = await signed_in(browser, "leader@soko.example")
    assert "Иванова Мария, у вас выявлены" in home.text
    assert f'action="/recommendations/{rec.id}/status"' not in home.text
    assert "Статус личной рекомендации меняет сам педагог." in Dom(home.text).text("main")
    assert f'action="/recommendations/{world.rec_s1.id}/status"' in home.text  # the school's
    _, own = await signed_in(browser, "teacher@soko.example")
    assert move_form(own.text, rec.id, "Принять")["status"] == "accepted"
