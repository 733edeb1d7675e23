"""The roles' homes in Debian's Chromium, with the three services behind real servers: a
teacher on a phone (390×844) signs in, opens their diagnostic from the home, submits it, sees
their result and the home saying so; a school leader submits a data collection's return; an
analyst accepts a recommendation and approves the return. A failure leaves a screenshot at
FAILURE."""

from contextlib import AsyncExitStack
from pathlib import Path

from sqlalchemy import select

from services.api.app import create_app as create_api
from services.api.collections.models import CollectionApproval
from services.reports.app import create_app as create_reports
from services.reports.recommendations.models import Recommendation
from services.surveys.app import create_app as create_surveys
from tests.factories import PASSWORD
from tests.surveys.forms import (
    committed_world,
    diagnostic_answers,
    diagnostic_of_t1,
    free_port,
    in_a_browser,
    phone,
    screenshot_on_failure,
    served,
)

FAILURE = Path("/tmp/soko-pages-roles-failure.png")  # noqa: S108 - a fixed place to look at
PHONE = {"width": 390, "height": 844}


async def sign_in(page, expect, base: str, email: str, heading: str) -> None:
    await page.goto(f"{base}/")
    await page.get_by_label("Электронная почта").fill(email)
    await page.get_by_label("Пароль").fill(PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await expect(page.locator("h1")).to_have_text(heading)


async def serve_services(stack: AsyncExitStack, settings) -> dict[str, str]:
    """The three services behind real servers on free loopback ports, each knowing the others'
    addresses (entered on `stack`); their URLs by setting name (`api_url`, ...)."""
    ports = {name: free_port() for name in ("api", "surveys", "reports")}
    urls = {f"{name}_url": f"http://127.0.0.1:{port}" for name, port in ports.items()}
    served_settings = settings.model_copy(update=urls)
    for name, create in (("api", create_api), ("surveys", create_surveys)):
        await stack.enter_async_context(served(create(served_settings), ports[name]))
    await stack.enter_async_context(served(create_reports(served_settings), ports["reports"]))
    return urls


@in_a_browser
async def test_a_teacher_takes_a_diagnostic_and_an_analyst_accepts_a_recommendation(
    apps, isolation, settings, surveys_client, playwright
):
    world = await committed_world(isolation, settings)
    campaign, code = await diagnostic_of_t1(surveys_client, world, isolation)
    ports = {name: free_port() for name in ("api", "surveys", "reports")}
    urls = {f"{name}_url": f"http://127.0.0.1:{port}" for name, port in ports.items()}
    served_settings = settings.model_copy(update=urls)
    expect = playwright.expect
    async with AsyncExitStack() as stack:
        for name, create in (("api", create_api), ("surveys", create_surveys)):
            await stack.enter_async_context(served(create(served_settings), ports[name]))
        await stack.enter_async_context(served(create_reports(served_settings), ports["reports"]))
        base = urls["api_url"]
        page, problems = await stack.enter_async_context(phone(playwright))
        await page.set_viewport_size(PHONE)
        async with screenshot_on_failure(page, FAILURE):
            await sign_in(page, expect, base, "teacher@soko.example", "Личный кабинет")
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
            await expect(page.get_by_role("status")).to_have_text(
                "Данные представлены на утверждение."
            )
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
