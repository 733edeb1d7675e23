"""What the evidence page says when it attaches nothing: the real fault of a link (a long
address starting with https:// is too long, not «not http»), and in its heading what was not
attached. On a phone, a link's title with a long unbroken run breaks instead of widening
the page (and so do the homes' lists of people's text)."""

import re
from pathlib import Path

from services.api.pages.activities import MAX_URL
from tests.api import test_pages
from tests.api.browser import PHONE, signed_in_in_chromium
from tests.api.test_pages_evidence import evidence, stored
from tests.surveys.forms import (
    Dom,
    committed_world,
    csrf_of,
    in_a_browser,
)

browser = test_pages.browser
signed_in = test_pages.signed_in
FAILURE = Path("/tmp/soko-pages-evidence-long-failure.png")  # noqa: S108 - a fixed place to look at
LONG_URL = "https://example.org/" + "a" * 3000


async def _refused(client, activity, data, files=None) -> Dom:
    """Post the evidence form; the page it is sent back to, as a Dom."""
    home = await client.get("/home")
    posted = await client.post(
        evidence(activity), data=data | {"_csrf": csrf_of(home)}, files=files
    )
    assert posted.status_code == 303, posted.text
    again = await client.get(posted.headers["location"])
    assert again.status_code == 200
    return Dom(again.text)


async def test_a_long_address_is_said_to_be_too_long(browser, world, db):
    client, _ = await signed_in(browser, "leader@soko.example")
    dom = await _refused(client, world.a1, {"url": LONG_URL, "title": "Отчёт"})
    said = dom.text("attach-problems")
    assert f"Адрес ссылки слишком длинный: не больше {MAX_URL} знаков." in said
    assert "http://" not in said
    assert said.startswith("Ссылка не приложена")
    assert await stored(db, world.a1) == ([], ["протокол.pdf"])


async def test_a_too_long_address_is_not_offered_again_cut(browser, world, db):
    """The form showed the refused address's first 2000 characters: sent again as it stood,
    a valid but broken (cut) link was attached. The field comes back empty, the title kept."""
    client, _ = await signed_in(browser, "leader@soko.example")
    home = await client.get("/home")
    posted = await client.post(
        evidence(world.a1), data={"url": LONG_URL, "title": "Отчёт", "_csrf": csrf_of(home)}
    )
    again = await client.get(posted.headers["location"])
    url = re.search(r'<input[^>]*name="url"[^>]*value="([^"]*)"', again.text)
    title = re.search(r'<input[^>]*name="title"[^>]*value="([^"]*)"', again.text)
    assert url is not None and url.group(1) == "", url
    assert title is not None and title.group(1) == "Отчёт", title
    assert await stored(db, world.a1) == ([], ["протокол.pdf"])


async def test_the_heading_says_what_was_not_attached(browser, world, db):
    client, _ = await signed_in(browser, "leader@soko.example")
    dom = await _refused(
        client, world.a1, {"url": "ftp://x", "title": ""},
        files={"file": ("a.txt", b"fine", "text/plain")},
    )  # fmt: skip
    assert dom.text("attach-problems").startswith("Ссылка и файл не приложены")
    dom = await _refused(client, world.a1, {}, files={"file": ("a.txt", b"", "text/plain")})
    assert dom.text("attach-problems") == "Файл не приложен Файл пуст."
    dom = await _refused(client, world.a1, {})
    assert dom.text("attach-problems").startswith("Ничего не приложено")
    assert await stored(db, world.a1) == ([], ["протокол.pdf"])


async def test_a_file_with_a_title_and_no_address_is_attached_and_the_title_kept(
    browser, world, db
):
    """A leader chose a file and typed «Протокол педсовета №3» in the title field: nothing
    was attached («Укажите адрес ссылки»), and the chosen file had to be picked again. The
    file is attached; the title, a link's, is said unsaved and left in the form."""
    client, _ = await signed_in(browser, "leader@soko.example")
    home = await client.get("/home")
    posted = await client.post(
        evidence(world.a1),
        data={"url": "", "title": "Протокол педсовета №3", "_csrf": csrf_of(home)},
        files={"file": ("protocol.pdf", b"%PDF-1.4 fine", "application/pdf")},
    )
    assert posted.status_code == 303, posted.text
    page = await client.get(posted.headers["location"])
    assert "Файл приложен. Название в форме осталось несохранённым" in page.text
    title = re.search(r'<input[^>]*name="title"[^>]*value="([^"]*)"', page.text)
    assert title is not None and title.group(1) == "Протокол педсовета №3", title
    assert "Укажите адрес ссылки" not in page.text
    assert await stored(db, world.a1) == ([], ["протокол.pdf", "protocol.pdf"])


@in_a_browser
async def test_a_long_unbroken_link_title_stays_within_a_phone(
    apps, isolation, settings, playwright
):
    world = await committed_world(isolation, settings)
    title = "Протокол_" + "педсовета_" * 25  # 259 characters, none a space
    expect = playwright.expect
    async with signed_in_in_chromium(
        settings, playwright, "leader@soko.example", "Мероприятия — Школа 1", FAILURE
    ) as (urls, page, problems):
        base = urls["api_url"]
        await page.goto(f"{base}{evidence(world.a1)}")
        await page.get_by_label("Адрес ссылки").fill("https://school1.example/" + "x" * 200)
        await page.get_by_label("Название или описание ссылки").fill(title)
        await page.get_by_role("button", name="Приложить").click()
        await expect(page.get_by_role("status")).to_have_text("Ссылка добавлена.")
        await expect(page.get_by_role("link", name=title)).to_be_visible()
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        assert problems == []
