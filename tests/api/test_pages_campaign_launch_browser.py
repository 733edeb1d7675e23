"""«Запустить анкетирование» in Debian's Chromium, the three services behind real servers: the
analyst opens the form from the home's campaigns (1280 px), sends it closing before it opens
and gets the problem beside the closing day with everything kept, then on a phone (390 px: no
sideways scroll, 44-px controls) checks all the district's schools with «Выбрать все» and
launches; the home names the campaign, and the leader of one of the two schools sees it on
theirs. A failure leaves a screenshot at FAILURE."""

from datetime import timedelta
from pathlib import Path

from tests.api.browser import PHONE, sign_in, signed_in_in_chromium
from tests.surveys.forms import committed_world, in_a_browser

FAILURE = Path("/tmp/soko-pages-campaign-launch-failure.png")  # noqa: S108 - a fixed place
DESKTOP = {"width": 1280, "height": 900}
TITLE = "Удовлетворённость родителей: декабрь"
# The heights of every visible control a finger taps on the form (px).
CONTROL_HEIGHTS = """
[...document.querySelectorAll(`form.launch select, form.launch input.input-text,
  form.launch .check-label, form.launch button:not(.visually-hidden)`)]
  .filter(e => e.offsetParent !== null)
  .map(e => [e.name || e.textContent.trim().slice(0, 30), e.getBoundingClientRect().height])
"""


async def _no_sideways_scroll(page, width: int) -> None:
    scrolled = await page.evaluate("document.documentElement.scrollWidth")
    assert scrolled <= width, scrolled


@in_a_browser
async def test_an_analyst_launches_a_campaign_that_the_school_s_leader_sees(
    apps, isolation, settings, playwright
):
    world = await committed_world(isolation, settings)
    nok_id, _ = world.instruments["nok_parents_2018"]
    today = settings.today()
    expect = playwright.expect
    async with signed_in_in_chromium(
        settings, playwright, "analyst@soko.example", "Дорожные карты — Район 1", FAILURE, DESKTOP
    ) as (urls, page, problems):
        await page.get_by_role("link", name="Запустить анкетирование").click()
        await expect(page.locator("h1")).to_have_text("Запустить анкетирование")
        await _no_sideways_scroll(page, DESKTOP["width"])
        nok = await page.eval_on_selector(
            "#instrument", f"s => [...s.options].find(o => o.value.startsWith('{nok_id}:')).value"
        )
        await page.get_by_label("Анкета").select_option(nok)
        await page.get_by_label("Кто отвечает").select_option(label="Родители")
        await page.get_by_label("Название анкетирования").fill(TITLE)
        await expect(page.get_by_label("Период, за который учитываются ответы")).not_to_have_value(
            ""
        )
        await page.get_by_label("Начало приёма ответов").fill(today.isoformat())
        earlier = (today - timedelta(days=3)).isoformat()
        await page.get_by_label("Последний день приёма ответов").fill(earlier)
        await expect(page.get_by_label("Анонимно")).to_be_checked()
        await page.get_by_label("Школа 1").check()
        await page.get_by_role("button", name="Запустить анкетирование").click()

        # Refused by the surveys service: said beside the closing day, nothing lost.
        await expect(page.locator("#closes_on-error")).to_have_text(
            "Закрытие должно быть позже открытия."
        )
        await expect(page.get_by_role("alert")).to_contain_text("Анкетирование не запущено")
        await expect(page.get_by_label("Название анкетирования")).to_have_value(TITLE)
        await expect(page.get_by_label("Анкета")).to_have_value(nok)
        await expect(page.get_by_label("Кто отвечает")).to_have_value("parents")
        await expect(page.get_by_label("Последний день приёма ответов")).to_have_value(earlier)
        await expect(page.get_by_label("Школа 1")).to_be_checked()
        await expect(page.get_by_label("Школа 2")).not_to_be_checked()

        # On a phone: the page fits the screen, every control is a 44-px target.
        await page.set_viewport_size(PHONE)
        await _no_sideways_scroll(page, PHONE["width"])
        heights = await page.evaluate(CONTROL_HEIGHTS)
        assert heights and all(h >= 44 for _, h in heights), heights
        await page.get_by_role("button", name="Выбрать все").click()
        await expect(page.get_by_label("Школа 2")).to_be_checked()
        await expect(page.get_by_label("Школа 1")).to_be_checked()
        await expect(page.get_by_label("Название анкетирования")).to_have_value(TITLE)
        later = (today + timedelta(days=14)).isoformat()
        await page.get_by_label("Последний день приёма ответов").fill(later)
        await page.get_by_role("button", name="Запустить анкетирование").click()

        notice = page.get_by_role("status")
        await expect(notice).to_contain_text(f"Анкетирование «{TITLE}» запущено")
        last_day = (today + timedelta(days=14)).strftime("%d.%m.%Y")
        await expect(notice).to_contain_text(f"по {last_day}")
        assert page.url.endswith("#campaigns-title"), page.url
        campaign = page.locator(".card.campaign", has_text=TITLE)
        await expect(campaign).to_contain_text(f"до {last_day}")
        await _no_sideways_scroll(page, PHONE["width"])
        await page.get_by_role("button", name="Выйти").click()

        await sign_in(page, expect, urls["api_url"], "leader@soko.example", "Мероприятия — Школа 1")
        await expect(page.locator(".card.campaign", has_text=TITLE)).to_contain_text("родители")
        assert await page.get_by_role("link", name="Запустить анкетирование").count() == 0
        assert problems == []
