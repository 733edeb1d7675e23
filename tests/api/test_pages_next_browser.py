"""Signing in from a «Войдите» page of the reports or surveys service, in Debian's Chromium
with the three services behind real servers: the sign-in's 303 to the page asked for is on
another origin, which the api's CSP `form-action` must name (Chromium checks it on the
redirect after the post, and otherwise leaves the person on the sign-in page, silently)."""

from contextlib import AsyncExitStack
from pathlib import Path

import pytest

from tests.api.browser import serve_services
from tests.factories import PASSWORD
from tests.surveys import forms

FAILURE = Path("/tmp/soko-pages-next-failure.png")  # noqa: S108 - a fixed place to look at


async def sign_in_from(page, expect, asked: str, sign_in_link: str) -> None:
    """Open `asked` without a session, follow its «Войти»/«Войдите» link, sign in as the
    leader: the browser is back at `asked`."""
    await page.goto(asked)
    await page.get_by_role("link", name=sign_in_link, exact=True).click()
    await page.get_by_label("Электронная почта").fill("leader@soko.example")
    await page.get_by_label("Пароль").fill(PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await expect(page).to_have_url(asked)


@forms.in_a_browser
@pytest.mark.parametrize("where", ["reports", "paper"])
async def test_signing_in_from_another_services_page_lands_back_on_it(
    apps, isolation, settings, surveys_client, playwright, where
):
    expect, world = playwright.expect, await forms.committed_world(isolation, settings)
    campaign = await forms.launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id]
    )
    async with AsyncExitStack() as stack:
        urls = await serve_services(stack, settings)
        page, problems = await stack.enter_async_context(forms.phone(playwright))
        async with forms.screenshot_on_failure(page, FAILURE):
            if where == "reports":
                asked = f"{urls['reports_url']}/v1/reports/organizations/{world.s1.id}?format=html"
                await sign_in_from(page, expect, asked, "Войти")
                await expect(page.locator("h1")).not_to_have_text("Войдите")
            else:
                asked = f"{urls['surveys_url']}{forms.link_of(campaign)}/paper"
                await sign_in_from(page, expect, asked, "Войдите")
                await expect(page.locator("#organization")).to_have_text("Школа 1")
            assert problems == []  # no CSP violation on the way
