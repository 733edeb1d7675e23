"""The roles' homes in Debian's Chromium, with the three services behind real servers: a
teacher on a phone (390×844) signs in, opens their diagnostic from the home, submits it, sees
their result and the home saying so; a school leader submits a data collection's return; an
analyst accepts a recommendation and approves the return. A failure leaves a screenshot at
FAILURE."""

from pathlib import Path

from sqlalchemy import select

from services.api.collections.models import CollectionApproval
from services.reports.recommendations.models import Recommendation
from tests.api.browser import PHONE, sign_in, signed_in_in_chromium
from tests.surveys.forms import (
    committed_world,
    diagnostic_answers,
    diagnostic_of_t1,
    in_a_browser,
)

FAILURE = Path("/tmp/soko-pages-roles-failure.png")  # noqa: S108 - a fixed place to look at


@in_a_browser
async def test_a_teacher_takes_a_diagnostic_and_an_analyst_accepts_a_recommendation(
    apps, isolation, settings, surveys_client, playwright
):
    world = await committed_world(isolation, settings)
    campaign, code = await diagnostic_of_t1(surveys_client, world, isolation)
    expect = playwright.expect
    async with signed_in_in_chromium(
        settings, playwright, "teacher@soko.example", "Личный кабинет", FAILURE
    ) as (urls, page, problems):
        base = urls["api_url"]
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        take = page.get_by_role("link", name=f"Пройти: {campaign['title']}")
        assert await take.get_attribute("href") == f"{urls['surveys_url']}/s/{code}"
        box = await take.bounding_box()
        assert box is not None and box["height"] >= 44
        await take.click()
        # Signed in at the home, the teacher gets the form at once (no second sign-in),
        # with the way back to the home.
        await expect(page.locator("h1")).to_have_text(campaign["title"])
        back = page.get_by_role("link", name="Мой кабинет")
        assert await back.get_attribute("href") == f"{base}/home"
        answers = diagnostic_answers({"design": 5, "tools": 3, "processing": 2, "security": 4})
        for item, option in answers.items():
            await page.locator(f'input[name="{item}"][value="{option}"]').check()
        await page.get_by_role("button", name="Отправить ответы").click()
        await expect(page.locator("#profile-title")).to_have_text("Ваш профиль компетенций")

        await page.goto(f"{base}/home")
        mine = page.locator(".invitation", has_text=campaign["title"])
        await expect(mine).to_contain_text("ответы отправлены")
        result = page.get_by_role("link", name=f"Мои результаты: {campaign['title']}")
        await result.click()
        await expect(page.locator("#profile-title")).to_have_text("Ваш профиль компетенций")
        await page.goto(f"{base}/home")
        await page.get_by_role("button", name="Выйти").click()
        await expect(page.locator("h1")).to_have_text("Вход в Soko")

        # The spare collection of M1 asks S1 for 2021/2022 (past due, nothing submitted).
        spare = page.locator(f"#collection-{world.collections['spare_m1'].id}")
        await sign_in(page, expect, base, "leader@soko.example", "Мероприятия — Школа 1")
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        await expect(spare).to_contain_text("срок сдачи 01.10.2021")
        await expect(spare).to_contain_text("Статус: не представлено")
        submit = spare.get_by_role("button", name="Представить на утверждение")
        box = await submit.bounding_box()
        assert box is not None and box["height"] >= 44
        await submit.click()
        await expect(page.get_by_role("status")).to_have_text("Данные представлены на утверждение.")
        await expect(spare).to_contain_text("Статус: представлено на утверждение")
        await page.get_by_role("button", name="Выйти").click()

        await sign_in(page, expect, base, "analyst@soko.example", "Дорожные карты — Район 1")
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        accept = page.get_by_role("button", name=f"Принять: {world.rec_s1.text}")
        await accept.click()
        await expect(page.get_by_role("status")).to_have_text("Статус рекомендации: принята.")
        await expect(page.locator(f"#rec-{world.rec_s1.id} .status")).to_contain_text("принята")
        await expect(spare).to_contain_text("Ждут утверждения: 1")
        await spare.get_by_role("button", name="Утвердить").click()
        await expect(page.get_by_role("status")).to_have_text(
            "Данные утверждены: изменить их теперь нельзя."
        )
        await expect(spare).to_contain_text("утверждено: 1 из")
        await page.get_by_role("button", name="Выйти").click()
        await expect(page.locator("h1")).to_have_text("Вход в Soko")
        assert problems == []
    async with isolation() as session:
        status = await session.scalar(
            select(Recommendation.status).where(Recommendation.id == world.rec_s1.id)
        )
        approved = await session.scalar(
            select(CollectionApproval.status).where(
                CollectionApproval.collection_id == world.collections["spare_m1"].id,
                CollectionApproval.organization_id == world.s1.id,
            )
        )
    assert (status, approved) == ("accepted", "approved")
