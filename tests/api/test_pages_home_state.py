"""Where a person was on their home — the period it shows, the page of each paged list, the
recommendations' filter — comes back after every button of it: a recommendation moved, the PD
order rebuilt, an activity marked done, a collection's data submitted. Each form posts the
home's state in its `back` field; what a browser posts there is cleaned to the parameters
the home takes (home_state.py)."""

import re
from html import unescape

from services.api.pages import home_state
from tests.api import test_pages
from tests.api.test_pages_collections import PERIOD, approval, late_world, step
from tests.api.test_pages_diagnostics import _section, _text, _twelve
from tests.api.test_pages_recommendations import _many
from tests.surveys.forms import Dom, csrf_of

browser = test_pages.browser
roadmap_world = test_pages.roadmap_world
signed_in = test_pages.signed_in
__all__ = ["late_world"]  # a fixture used below


def _back(html: str, action: str) -> str:
    """The `back` field of the form posting to `action` ("" when it has none)."""
    form = html[html.index(f'action="{action}"') :]
    found = re.search(r'name="back" value="([^"]*)"', form[: form.index("</form>")])
    return unescape(found.group(1)) if found else ""


async def _step_from(client, page, world, action: str, **extra: str):
    """A collection's step for S1 posted from `page` as its form is, `back` included."""
    fields = {"_csrf": csrf_of(page), "organization_id": str(world.s1.id), "period": PERIOD}
    return await client.post(action, data=fields | {"back": _back(page.text, action)} | extra)


def test_a_back_keeps_only_what_the_home_takes_as_the_home_reads_it():
    org = "6f1c1a52-8a43-4d4e-9d7e-3b1f0c2a9e11"
    pairs = [
        ("evil", "1"),
        ("rec_from", "50"),
        ("camp_from", "-1"),
        ("diag_from", "10"),
        ("diag_from", "20"),  # the home reads the last
        ("period", "2021/2022"),
        ("period", "abc"),  # ...so a last value it would not take drops the name
        ("rec_status", "accepted"),
        ("rec_org", org),
        ("rec_from", "0"),  # the first page: no parameter
    ]
    assert home_state.kept(pairs) == [
        ("diag_from", "20"),
        ("rec_status", "accepted"),
        ("rec_org", org),
    ]
    assert home_state.from_back("camp_from=10&next=https://evil.example") == "camp_from=10"
    assert home_state.from_back("camp_from=10&x=" + "y" * 1000) == "camp_from=10"
    assert home_state.from_back("x" * 1000 + "&camp_from=10") == ""  # past the length read
    assert home_state.from_back("rec_status=<script>") == ""
    where = home_state.home([("moved", "new")], "period=2021/2022&diag_from=10", "#r")
    assert where == "/home?moved=new&period=2021/2022&diag_from=10#r"
    rebuilt = home_state.home([("rebuilt", "1")], "period=2020/2021", "#o", period="2021/2022")
    assert rebuilt == "/home?rebuilt=1&period=2021/2022#o"


async def test_a_recommendation_moved_from_the_second_page_of_diagnostics_comes_back_there(
    browser, surveys_client, world, db
):
    await _twelve(surveys_client, world)
    made = await _many(db, world)
    client, _ = await signed_in(browser, "method@soko.example")
    state = "period=2020/2021&diag_from=10&rec_status=new"
    page = await client.get(f"/home?{state}")
    assert "Показаны 11–12 из 12." in _text(_section(page.text))
    chosen = next(r for r in made if r.status == "new")
    action = f"/recommendations/{chosen.id}/status"
    assert _back(page.text, action) == state
    moved = await client.post(
        action,
        data={"status": "accepted", "_csrf": csrf_of(page), "back": _back(page.text, action)},
    )
    assert moved.headers["location"] == f"/home?moved=accepted&{state}#recommendations-title"
    after = await client.get(moved.headers["location"])
    assert "Статус рекомендации: принята." in after.text
    assert "Показаны 11–12 из 12." in _text(_section(after.text))
    assert "План-заказ КПК на 2020/2021" in _text(after.text)


async def test_the_pd_order_rebuilt_from_the_second_page_comes_back_there(
    browser, surveys_client, world
):
    await _twelve(surveys_client, world)
    client, _ = await signed_in(browser, "method@soko.example")
    page = await client.get("/home?diag_from=10&period=2020/2021")
    back = _back(page.text, "/pd-order/rebuild")
    assert back == "period=2020/2021&diag_from=10"
    rebuilt = await client.post(
        "/pd-order/rebuild", data={"_csrf": csrf_of(page), "period": "2020/2021", "back": back}
    )
    assert rebuilt.status_code == 303, rebuilt.text
    assert (
        rebuilt.headers["location"] == "/home?rebuilt=1&diag_from=10&period=2020/2021#order-title"
    )
    after = await client.get(rebuilt.headers["location"])
    assert "Показаны 11–12 из 12." in _text(_section(after.text))


async def test_an_activity_marked_done_on_the_campaigns_second_page_comes_back_there(
    browser, roadmap_world
):
    world = roadmap_world
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await client.get("/home?camp_from=10")
    action = f"/activities/{world.a1.id}/done"
    assert _back(page.text, action) == "camp_from=10"
    done = await client.post(
        action, data={"_csrf": csrf_of(page), "back": _back(page.text, action)}
    )
    assert done.headers["location"] == "/home?done=1&camp_from=10#activities-title"


async def test_data_submitted_on_the_campaigns_second_page_comes_back_there(
    browser, late_world, db
):
    world = late_world
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await client.get("/home?camp_from=10")
    action = f"/collections/{world.monitoring.id}/submit"
    assert _back(page.text, action) == "camp_from=10"
    submitted = await _step_from(client, page, world, action)
    assert submitted.status_code == 303, submitted.text
    assert submitted.headers["location"] == "/home?collection=submit&camp_from=10#collections-title"
    assert await approval(db, world) == "submitted"


async def test_a_refused_comment_comes_back_beside_its_field_on_the_same_page(browser, late_world):
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    await step(leader, home, world, "submit")
    analyst, _ = await signed_in(browser, "analyst@soko.example")
    page = await analyst.get("/home?camp_from=10&rec_status=new")
    action = f"/collections/{world.monitoring.id}/return"
    assert _back(page.text, action) == "camp_from=10&rec_status=new"
    refused = await _step_from(analyst, page, world, action, comment=" ")  # spaces only
    assert refused.status_code == 303
    where = refused.headers["location"]
    assert (
        where.startswith("/home?step_action=return&") and "&camp_from=10&rec_status=new#" in where
    )
    again = await analyst.get(where)
    field = f"return-{world.monitoring.id}-{world.s1.id}-field"
    assert "Ошибка: Укажите, что исправить." in Dom(again.text).text(field)
    assert _back(again.text, action) == "camp_from=10&rec_status=new"


def _notice_section(html: str) -> str | None:
    """The id of the heading of the section a page's notice («role=status») is in; None when
    it is before every section (at the top)."""
    at = html.index('class="notice" role="status"')
    headings = list(re.finditer(r'<h2 id="([^"]+)"', html[:at]))
    main = html.index("<main")
    return headings[-1].group(1) if headings and headings[-1].start() > main else None


async def test_the_notice_is_said_in_the_section_the_address_leads_to(
    browser, surveys_client, world, db, roadmap_world
):
    """A long home: the notice of a step stands under the heading its redirect's anchor
    scrolls to, not at the top the person no longer sees."""
    await _twelve(surveys_client, world)
    made = await _many(db, world)
    method, page = await signed_in(browser, "method@soko.example")
    chosen = next(r for r in made if r.status == "new")
    moved = await method.post(
        f"/recommendations/{chosen.id}/status",
        data={"status": "accepted", "_csrf": csrf_of(page), "back": "diag_from=10"},
    )
    where = moved.headers["location"]
    after = await method.get(where)
    assert where.endswith("#recommendations-title")
    assert _notice_section(after.text) == "recommendations-title"
    assert after.text.count('role="status"') == 1
    page = await method.get("/home?period=2021/2022")
    rebuilt = await method.post(
        "/pd-order/rebuild", data={"_csrf": csrf_of(page), "period": "2021/2022"}
    )
    after = await method.get(rebuilt.headers["location"])
    assert _notice_section(after.text) == "order-title"
    leader, page = await signed_in(browser, "leader@soko.example")
    done = await leader.post(
        f"/activities/{roadmap_world.a1.id}/done", data={"_csrf": csrf_of(page)}
    )
    after = await leader.get(done.headers["location"])
    assert done.headers["location"].endswith("#activities-title")
    assert _notice_section(after.text) == "activities-title"


async def test_the_recommendations_filter_keeps_the_home_s_other_state(
    browser, surveys_client, world, db
):
    await _twelve(surveys_client, world)
    await _many(db, world)
    client, _ = await signed_in(browser, "method@soko.example")
    page = await client.get("/home?period=2020/2021&diag_from=10&rec_status=new&rec_from=50")
    form = page.text[page.text.index('aria-label="Отбор рекомендаций"') :]
    form = form[: form.index("</form>")]
    hidden = dict(re.findall(r'type="hidden" name="([^"]+)" value="([^"]*)"', form))
    assert hidden == {"period": "2020/2021", "diag_from": "10"}  # the filter's own: its fields
    reset = re.search(r'<a href="([^"]+)">Сбросить отбор</a>', form).group(1)
    assert unescape(reset) == "/home?period=2020/2021&diag_from=10#recommendations-title"
    filtered = await client.get("/home", params={**hidden, "rec_status": "accepted"})
    assert "Показаны 11–12 из 12." in _text(_section(filtered.text))
    assert "План-заказ КПК на 2020/2021" in _text(filtered.text)
