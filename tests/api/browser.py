"""What the api's browser tests share: a phone's viewport, signing in at the api's pages, the
three services behind real servers, and all of it at once: a page of Debian's Chromium signed
in with the services served."""

from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from pathlib import Path
from typing import Any

from services.api.app import create_app as create_api
from services.reports.app import create_app as create_reports
from services.surveys.app import create_app as create_surveys
from tests.factories import PASSWORD
from tests.surveys.forms import free_port, phone, screenshot_on_failure, served

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


@asynccontextmanager
async def signed_in_in_chromium(
    settings,
    playwright,
    email: str,
    heading: str,
    failure: Path,
    viewport: dict[str, int] = PHONE,
) -> AsyncIterator[tuple[dict[str, str], Any, list[str]]]:
    """The three services served (`serve_services`) and a page of Debian's Chromium (`phone`)
    sized to `viewport` (a phone's, 390×844, unless a test starts on a desktop), signed in at
    the api's pages as `email` (its home's heading `heading`): the services' URLs, the page,
    the problems it meets on the way. A failure in the block, the sign-in's included, leaves
    the page's screenshot at `failure`; the page's problems are the test's to check."""
    async with AsyncExitStack() as stack:
        urls = await serve_services(stack, settings)
        page, problems = await stack.enter_async_context(phone(playwright))
        await page.set_viewport_size(viewport)
        async with screenshot_on_failure(page, failure):
            await sign_in(page, playwright.expect, urls["api_url"], email, heading)
            yield urls, page, problems
