"""Printable sheets of a campaign's anonymous links: one school's page, every school's pages."""

import re
from datetime import UTC, datetime

from services.api.app import create_app as create_api
from services.surveys.app import create_app as create_surveys
from tests.surveys import forms
from tests.surveys.forms import launch

SVG = re.compile(r"<svg[^>]*viewBox=[^>]*>.*?</svg>", re.S)


async def test_a_school_sheet_carries_title_school_link_and_its_qr_code(
    surveys_client, world, parents, settings
):
    sheet = await surveys_client.get(
        f"/v1/campaigns/{parents['id']}/organizations/{world.s1.id}/sheet",
        headers=world.headers("leader"),
    )
    assert sheet.status_code == 200, sheet.text
    assert sheet.headers["content-type"].startswith("text/html")
    page = sheet.text
    link = next(x["url"] for x in parents["links"] if x["organization_id"] == str(world.s1.id))
    assert parents["title"] in page and "Школа 1" in page and link in page
    assert "Школа 3" not in page  # the other school of the campaign is not on it
    assert len(SVG.findall(page)) == 1  # the QR code, inline: no image file, no CDN
    # «← На главную» (the screen only) leads to the api's home; nothing else leaves the page.
    home = f"{settings.peer_url('api')}/home"
    assert f'<p class="back"><a href="{home}">← На главную</a></p>' in page
    assert "@media print { .operator, .back { display: none; } }" in page
    rest = page.replace(link, "").replace(home, "").split("<body>")[1]
    assert "size: A4" in page and "http" not in rest


async def test_another_schools_leader_gets_404(surveys_client, world, parents):
    # The leader of S3 reads the campaign (S3 is in it) but not S1's link.
    for path in (
        f"/v1/campaigns/{parents['id']}/organizations/{world.s1.id}/sheet",
        f"/v1/campaigns/{parents['id']}/organizations/{world.s2.id}/sheet",  # not in it at all
    ):
        answer = await surveys_client.get(path, headers=world.headers("leader3"))
        assert answer.status_code == 404, answer.text
        # The same words whether S1 is in it or not, and no false «не участвует» for S1.
        assert answer.json()["detail"] == "Организация не найдена"
    own = await surveys_client.get(
        f"/v1/campaigns/{parents['id']}/organizations/{world.s3.id}/sheet",
        headers=world.headers("leader3"),
    )
    assert own.status_code == 200 and "Школа 3" in own.text


async def test_the_campaigns_sheets_give_a_page_per_school_in_natural_order(
    surveys_client, world, db
):
    world.s1.name, world.s2.name = "Школа № 3", "Школа № 10"
    await db.flush()
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s2.id, world.s1.id]
    )
    answer = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/sheets", headers=world.headers("analyst")
    )
    assert answer.status_code == 200, answer.text
    page = answer.text
    # two schools: two pages (sections), two QR codes, № 3 before № 10 (not as text sorts them)
    assert page.count('<section class="sheet"') == 2 and len(SVG.findall(page)) == 2
    assert page.index("Школа № 3") < page.index("Школа № 10")
    assert "page-break-after: always" in page


async def test_an_identified_campaign_has_no_sheet(surveys_client, world):
    diagnostic = world.campaigns["diagnostic_s1"]
    answer = await surveys_client.get(
        f"/v1/campaigns/{diagnostic.id}/sheets", headers=world.headers("analyst")
    )
    assert answer.status_code == 404


async def test_the_sheet_opens_in_a_browser_with_the_sign_in_cookie(surveys_client, world, parents):
    answer = await surveys_client.get(
        f"/v1/campaigns/{parents['id']}/sheets",
        headers={"Cookie": f"soko_session={world.tokens['analyst']}"},
    )
    assert answer.status_code == 200, answer.text
    assert "Школа 1" in answer.text and "Школа 3" not in answer.text  # M1's analyst: S1 only


async def test_a_closed_campaigns_sheet_no_longer_invites_to_answer(surveys_client, world, parents):
    closed = await surveys_client.patch(
        f"/v1/campaigns/{parents['id']}",
        json={"closes_at": datetime.now(UTC).isoformat()},  # close early: now
        headers=world.headers("admin"),
    )
    assert closed.status_code == 200, closed.text
    sheet = await surveys_client.get(
        f"/v1/campaigns/{parents['id']}/organizations/{world.s1.id}/sheet",
        headers=world.headers("leader"),
    )
    assert sheet.status_code == 200
    assert "Приём ответов завершён" in sheet.text
    assert "Наведите камеру" not in sheet.text


@forms.in_a_browser
async def test_a_sheet_opened_on_a_phone_fits_its_width_and_asks_nothing_missing(
    apps, isolation, settings, surveys_client, playwright
):
    """A leader opens the sheet on a phone to send it to the parents' chat: no sideways
    scrolling (the QR code narrows to the screen), no missing favicon or other request."""
    world = await forms.committed_world(isolation, settings)
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    path = f"/v1/campaigns/{campaign['id']}/organizations/{world.s1.id}/sheet"
    # Real servers, each on its own event loop: the sheet asks the api for the school's name.
    async with (
        forms.served(create_api(settings)) as api_base,
        forms.served(create_surveys(settings.model_copy(update={"api_url": api_base}))) as base,
        forms.phone(playwright) as (page, problems),
    ):
        await page.set_extra_http_headers(world.headers("leader"))
        answer = await page.goto(base + path)
        assert answer.status == 200
        await playwright.expect(page.locator(".qr svg")).to_be_visible()
        widths = await page.evaluate(
            "[document.documentElement.scrollWidth, window.innerWidth,"
            " document.querySelector('.qr').getBoundingClientRect().width]"
        )
        assert widths[0] <= widths[1] and 0 < widths[2] <= widths[1], widths
    assert problems == []


async def test_the_sheet_dates_its_window_with_the_zone_as_other_pages_do(surveys_client, world):
    """«Анкета открыта с 29.11.2026 00:00 по 03.01.2027 23:59» said no zone where every other
    page says «16:41 МСК»: the sheet says it too (and the form's page of a closed window)."""
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id],
        opens_at=datetime(2026, 11, 28, 21, tzinfo=UTC).isoformat(),
        closes_at=datetime(2027, 1, 3, 20, 59, tzinfo=UTC).isoformat(),
    )  # fmt: skip
    sheet = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/sheets", headers=world.headers("analyst")
    )
    assert sheet.status_code == 200, sheet.text
    said = " ".join(sheet.text.replace("\xa0", " ").split())
    assert "Анкета открыта с 29.11.2026 00:00 МСК по 03.01.2027 23:59 МСК." in said
