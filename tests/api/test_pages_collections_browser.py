"""A collection's step refused for what was typed, in Debian's Chromium on a phone: an analyst
returns a school's data with a comment of spaces only (the browser's `required` lets it
through), reads the problem beside the field with the form still there, then returns them
with a real comment. A failure leaves a screenshot at FAILURE."""

from pathlib import Path

from sqlalchemy import select

from services.api.app import create_app as create_api
from services.api.collections.models import CollectionApproval
from tests.api.browser import PHONE, sign_in
from tests.surveys.forms import committed_world, in_a_browser, phone, screenshot_on_failure, served

FAILURE = Path("/tmp/soko-pages-collections-failure.png")  # noqa: S108 - a fixed place to look at


@in_a_browser
async def test_a_return_with_spaces_only_is_said_beside_the_field_then_a_comment_works(
    apps, isolation, settings, playwright
):
    world = await committed_world(isolation, settings)
    collection = world.collections["m1"]  # S1's 2021/2022 submitted: waiting for M1
    field_id = f"return-{collection.id}-{world.s1.id}"
    expect = playwright.expect
    async with served(create_api(settings)) as base, phone(playwright) as (page, problems):
        await page.set_viewport_size(PHONE)
        async with screenshot_on_failure(page, FAILURE):
            await sign_in(page, expect, base, "analyst@soko.example", "Дорожные карты — Район 1")
            card = page.locator(f"#collection-{collection.id}")
            await card.get_by_text("Вернуть на доработку").click()
            comment = card.get_by_label("Что исправить")
            await comment.fill("   ")
            back = card.get_by_role("button", name="Вернуть: ")
            await back.click()

            problem = page.locator(f"#{field_id}-problem")
            await expect(problem).to_have_text("Ошибка: Укажите, что исправить.")
            comment = page.locator(f"#{field_id}")  # the form is there, unfolded, beside it
            await expect(comment).to_be_visible()
            await expect(comment).to_have_attribute("aria-describedby", f"{field_id}-problem")
            box, field = await problem.bounding_box(), await comment.bounding_box()
            assert box is not None and field is not None
            assert 0 <= field["y"] - (box["y"] + box["height"]) < 40  # right above the field
            assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

            await comment.fill("Нет данных о КПК")
            await back.click()
            await expect(page.get_by_role("status")).to_have_text("Данные возвращены на доработку.")
            await expect(page.locator(f"#{field_id}-problem")).to_have_count(0)
            assert problems == []
    async with isolation() as session:
        approval = await session.scalar(
            select(CollectionApproval).where(
                CollectionApproval.collection_id == collection.id,
                CollectionApproval.organization_id == world.s1.id,
                CollectionApproval.period == "2021/2022",
            )
        )
    assert approval is not None
    assert (approval.status, approval.comment) == ("returned", "Нет данных о КПК")
