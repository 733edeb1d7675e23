"""The homes lead operators to keying in paper questionnaires (the surveys form's
/s/{code}/paper): the school's leader to their school's, the analyst to each school's of the
district, a viewer and another district's leader to none. In Debian's Chromium on a phone, a
leader signs in at the api's pages, opens the keying-in page from the home and enters two
questionnaires, each confirmed with its number and today's count."""

import html
import re
from pathlib import Path

import httpx
from sqlalchemy import func, select

from services.api.organizations.models import Organization
from services.surveys.responses.models import Response
from tests.api import test_pages
from tests.api.browser import PHONE, signed_in_in_chromium
from tests.surveys import forms

browser = test_pages.browser  # the pages' "browser" fixture: a client with its own cookie jar
signed_in = test_pages.signed_in
FAILURE = Path("/tmp/soko-pages-paper-failure.png")  # noqa: S108 - a fixed place to look at
KEY_IN = "Ввести бумажные анкеты"


async def test_the_homes_link_to_keying_in_the_schools_questionnaires(
    apps, browser, surveys_client, world, settings
):
    campaign = await forms.launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id]
    )
    urls = {x["organization_id"]: f"{x['url']}/paper" for x in campaign["links"]}
    leader_browser, leader = await signed_in(browser, "leader@soko.example")
    assert f'href="{urls[str(world.s1.id)]}"' in leader.text and KEY_IN in leader.text
    assert urls[str(world.s2.id)] not in leader.text  # S2's, of the same district
    analyst_browser, analyst = await signed_in(browser, "analyst@soko.example")
    for url in urls.values():
        assert f'href="{url}"' in analyst.text
    assert "Школа 2: ввести бумажные анкеты" in analyst.text
    # The sheets to print (each school's link and QR code), for both; they open with the
    # session and hold only the schools the person may manage.
    sheets = f"{settings.surveys_url}".rstrip("/") + f"/v1/campaigns/{campaign['id']}/sheets"
    assert f'href="{sheets}"' in leader.text and f'href="{sheets}"' in analyst.text
    for who, client in (("leader", leader_browser), ("analyst", analyst_browser)):
        jar = {"soko_session": client.cookies["soko_session"]}  # a browser sends it to :8001
        transport = httpx.ASGITransport(app=apps.surveys)
        async with httpx.AsyncClient(transport=transport, base_url="http://s", cookies=jar) as s:
            printed = await s.get(f"/v1/campaigns/{campaign['id']}/sheets")
        assert printed.status_code == 200 and "<svg" in printed.text
        assert ("Школа 2" in printed.text) == (who == "analyst")  # S2's: not the leader's
        assert ("Школа 2" in printed.text) == (who == "analyst")
    for who in ("leader3@soko.example", "viewer@soko.example"):
        _, other = await signed_in(browser, who)
        assert not any(url in other.text for url in urls.values()), who


@forms.in_a_browser
async def test_a_leader_keys_in_two_questionnaires_from_the_home(
    apps, isolation, settings, surveys_client, playwright
):
    expect, world = playwright.expect, await forms.committed_world(isolation, settings)
    schools = [world.s1.id]
    campaign = await forms.launch(surveys_client, world, "nok_parents_2018", "parents", schools)
    async with signed_in_in_chromium(
        settings, playwright, "leader@soko.example", "Мероприятия — Школа 1", FAILURE
    ) as (urls, page, problems):
        paper = f"{urls['surveys_url']}{forms.link_of(campaign)}/paper"
        link = page.locator(f'a[href="{paper}"]')  # the world has other campaigns of S1
        await expect(link).to_have_text(KEY_IN)
        await link.click()
        await expect(page.locator("#organization")).to_have_text("Школа 1")
        await expect(page.locator("#keyed-today")).to_contain_text("анкет этой организации: 0")
        for n in (1, 2):
            for q in range(1, 15):  # every question that applies, "Да"
                question = page.locator(f"#q-nok_{q:02d}")
                if await question.is_visible():
                    await question.locator("label.choice").filter(has_text="Да").click()
            await page.get_by_role("button", name="Сохранить анкету").click()
            status = page.get_by_role("status")
            await expect(status).to_contain_text(f"Анкета № {n} введена")
            await expect(status).to_be_focused()
            await expect(page.locator("#keyed-today")).to_contain_text(
                f"анкет этой организации: {n}"
            )
            # An empty form for the next paper sheet.
            await expect(page.locator("#q-nok_01 input:checked")).to_have_count(0)
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert problems == []
    async with isolation() as session:
        rows = await session.execute(
            select(Response.channel, func.count()).group_by(Response.channel)
        )
    assert dict(rows.all()) == {"paper": 2}


async def test_the_paper_links_are_in_the_natural_order_of_the_schools(
    browser, surveys_client, world, db
):
    """The analyst's links to key in each school's questionnaires were in no order: they are
    in the order of the rates' table above them, «СОШ № 2» before «СОШ № 10», quotes ignored."""
    names = ["СОШ № 10", "СОШ № 2", "«СОШ» № 7", '"СОШ" № 3', "СОШ № 21", "СОШ № 1", "Лицей"]
    schools = [Organization(name=n, kind="school", territory_id=world.m1.id) for n in names]
    db.add_all(schools)
    await db.flush()
    campaign = await forms.launch(
        surveys_client, world, "nok_parents_2018", "parents", [s.id for s in schools]
    )
    assert len(campaign["links"]) == len(names)
    _, analyst = await signed_in(browser, "analyst@soko.example")
    keyed = [
        m.group(1) for m in re.finditer(r"<li><a [^>]*>([^<]*): ввести бумажные", analyst.text)
    ]
    shown = [html.unescape(n) for n in keyed]
    assert shown == ["Лицей", "СОШ № 1", "СОШ № 2", '"СОШ" № 3', "«СОШ» № 7", "СОШ № 10",
                     "СОШ № 21"]  # fmt: skip
