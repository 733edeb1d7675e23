"""An activity's evidence on the api's pages (/activities/{id}/evidence): the leader of the
responsible school attaches a link and a file from the home, the analyst sees them; the rights
are the API's (another school's leader of the same district, a viewer: refused, nothing
changes); the session's CSRF token and the upload limit are kept. In Debian's Chromium on a
phone: the leader attaches a link and a file and sees them listed; the analyst sees them."""

from pathlib import Path

import httpx
from sqlalchemy import select

from services.api.app import create_app as create_api
from services.api.roadmaps.models import Activity, ActivityFile
from tests.api import test_pages
from tests.api.browser import PHONE, sign_in, signed_in_in_chromium
from tests.factories import add_colleagues
from tests.surveys.forms import (
    Dom,
    committed_world,
    csrf_of,
    in_a_browser,
)

browser = test_pages.browser  # the pages' "browser" fixture: a client with its own cookie jar
signed_in = test_pages.signed_in
FAILURE = Path("/tmp/soko-pages-evidence-failure.png")  # noqa: S108 - a fixed place to look at
LINK = {"url": "https://school1.example/news/seminar", "title": "Новость о семинаре"}


def evidence(activity) -> str:
    return f"/activities/{activity.id}/evidence"


async def stored(db, activity) -> tuple[list, list[str]]:
    """The activity's evidence links and the names of its files, as stored."""
    await db.refresh(activity)
    names = await db.scalars(
        select(ActivityFile.file_name).where(ActivityFile.activity_id == activity.id)
    )
    return activity.evidence, list(names)


async def test_the_leader_attaches_a_link_and_a_file_the_analyst_sees_them(browser, world, db):
    client, home = await signed_in(browser, "leader@soko.example")
    assert f'href="{evidence(world.a1)}"' in home.text
    page = await client.get(evidence(world.a1))
    assert page.status_code == 200 and "протокол.pdf" in page.text  # the world's file of A1
    assert 'enctype="multipart/form-data"' in page.text
    posted = await client.post(
        evidence(world.a1),
        data=LINK | {"_csrf": csrf_of(page)},
        files={"file": ("приказ.pdf", b"%PDF-1.4 order", "application/pdf")},
    )
    assert posted.status_code == 303, posted.text
    assert posted.headers["location"] == f"{evidence(world.a1)}?added=both#attached"
    after = await client.get(posted.headers["location"])
    assert "Ссылка и файл приложены." in after.text
    assert f'href="{LINK["url"]}"' in after.text and "приказ.pdf" in after.text
    assert "(14\xa0байт, " in after.text  # its size as people read it, not «0.0 КБ»
    assert await stored(db, world.a1) == ([LINK], ["протокол.pdf", "приказ.pdf"])
    file_id = await db.scalar(select(ActivityFile.id).where(ActivityFile.file_name == "приказ.pdf"))
    analyst, _ = await signed_in(browser, "analyst@soko.example")
    seen = await analyst.get(evidence(world.a1))
    assert LINK["title"] in seen.text and "приказ.pdf" in seen.text
    download = await analyst.get(f"{evidence(world.a1)}/files/{file_id}")
    assert download.status_code == 200 and download.content == b"%PDF-1.4 order"
    assert download.headers["content-disposition"].startswith("attachment;")


async def test_another_school_s_leader_and_a_viewer_change_nothing(browser, world, db, settings):
    await add_colleagues(db, settings, world)
    for who in ("leader2@soko.example", "viewer@soko.example"):  # S2's leader: same district
        client, home = await signed_in(browser, who)
        page = await client.get(evidence(world.a1))
        assert page.status_code == 200 and "Приложить" not in page.text, who  # they read R1
        refused = await client.post(
            evidence(world.a1),
            data=LINK | {"_csrf": csrf_of(home)},
            files={"file": ("x.txt", b"x", "text/plain")},
        )
        assert refused.status_code == 403 and "Недостаточно прав" in refused.text, who
    other, home = await signed_in(browser, "leader3@soko.example")  # another district's
    assert (await other.get(evidence(world.a1))).status_code == 404
    refused = await other.post(evidence(world.a1), data=LINK | {"_csrf": csrf_of(home)})
    assert refused.status_code == 404
    assert await stored(db, world.a1) == ([], ["протокол.pdf"])  # as the world has it


async def test_a_post_without_the_csrf_token_or_with_a_wrong_link_attaches_nothing(
    browser, apps, world, db, settings
):
    client, home = await signed_in(browser, "leader@soko.example")
    stale = await client.post(evidence(world.a1), data=LINK)
    assert stale.status_code == 403 and "Страница устарела" in stale.text
    wrong = await client.post(
        evidence(world.a1),
        data={"url": "javascript:alert(1)", "title": "x", "_csrf": csrf_of(home)},
        files={"file": ("a.txt", b"fine", "text/plain")},
    )
    # Post/Redirect/Get: back to the page, which says what is wrong and keeps what was typed
    # (so Back and reload never ask to resubmit the form).
    assert wrong.status_code == 303
    assert wrong.headers["location"].startswith(f"{evidence(world.a1)}?problem=bad_url&")
    again = await client.get(wrong.headers["location"])
    assert again.status_code == 200 and "http:// или https://" in again.text
    assert Dom(again.text).named("url")[0]["value"] == "javascript:alert(1)"
    empty = await client.post(evidence(world.a1), data={"_csrf": csrf_of(home)})
    assert empty.status_code == 303
    shown = await client.get(empty.headers["location"])
    assert "Ничего не приложено" in shown.text and "Укажите ссылку или выберите файл" in shown.text
    plain = await client.get(evidence(world.a1))
    assert "Ничего не приложено" not in plain.text  # a plain visit: nothing wrong
    assert await stored(db, world.a1) == ([], ["протокол.pdf"])  # as the world has it


async def test_a_link_sent_twice_is_a_page_naming_the_field_and_nothing_is_attached(
    browser, world, db
):
    """A forged or broken post with two addresses (or titles): which one was meant is
    unknown, so nothing is attached and the 422 page names the field; without a session,
    the sign-in page leads back to the evidence page."""
    client, home = await signed_in(browser, "leader@soko.example")
    for field in ("url", "title"):
        twice = LINK | {field: [LINK[field], LINK[field] + "2"], "_csrf": csrf_of(home)}
        refused = await client.post(
            evidence(world.a1),
            data=twice,
            files={"file": ("приказ.pdf", b"%PDF-1.4 order", "application/pdf")},
        )
        assert refused.status_code == 422, refused.text
        assert "Форма заполнена неверно" in refused.text
        assert f"Поле «{field}» отправлено несколько раз" in refused.text
    two_files = await client.post(
        evidence(world.a1),
        data={"_csrf": csrf_of(home)},
        files=[("file", ("a.pdf", b"%PDF a", "application/pdf")), ("file", ("b.pdf", b"%PDF b"))],
    )
    assert two_files.status_code == 422 and "Поле «file» отправлено несколько раз" in two_files.text
    assert await stored(db, world.a1) == ([], ["протокол.pdf"])  # as the world has it
    signed_out = await browser().post(evidence(world.a1), data=LINK | {"_csrf": "x"})
    assert signed_out.status_code == 303
    where = signed_out.headers["location"]  # the step was not taken: the sign-in page says so
    assert where == f"/?next=%2Factivities%2F{world.a1.id}%2Fevidence&lost=1"


async def test_a_file_past_the_upload_limit_is_refused(world, isolation, settings, apps):
    small = create_api(settings.model_copy(update={"upload_max_bytes": 1000}))
    small.dependency_overrides = apps.api.dependency_overrides  # the test's transaction
    transport = httpx.ASGITransport(app=small)
    async with (
        small.router.lifespan_context(small),
        httpx.AsyncClient(transport=transport, base_url="http://api") as client,
    ):
        await test_pages.sign_in(client, "leader@soko.example")
        home = await client.get("/home")
        big = await client.post(
            evidence(world.a1),
            data={"_csrf": csrf_of(home)},
            files={"file": ("big.bin", b"x" * 1500, "application/octet-stream")},
        )
    # The form again, saying why (tests/api/test_pages_upload_refusals.py), nothing attached.
    assert big.status_code == 303 and "problem=too_large" in big.headers["location"]
    async with isolation() as session:
        names = await session.scalars(
            select(ActivityFile.file_name).where(ActivityFile.activity_id == world.a1.id)
        )
        assert list(names) == ["протокол.pdf"]  # the world's own


@in_a_browser
async def test_a_leader_attaches_a_link_and_a_file_on_a_phone(
    apps, isolation, settings, playwright, tmp_path
):
    world = await committed_world(isolation, settings)
    proof = tmp_path / "справка.txt"
    proof.write_text("Протокол педсовета", encoding="utf-8")
    expect = playwright.expect
    async with signed_in_in_chromium(
        settings, playwright, "leader@soko.example", "Мероприятия — Школа 1", FAILURE
    ) as (urls, page, problems):
        base = urls["api_url"]
        await page.get_by_role("link", name=f"Материалы о выполнении: {world.a1.title}").click()
        await expect(page.locator("h1")).to_have_text("Материалы о выполнении")
        await page.get_by_label("Адрес ссылки").fill(LINK["url"])
        await page.get_by_label("Название или описание ссылки").fill(LINK["title"])
        await page.get_by_label("Файл").set_input_files(str(proof))
        await page.get_by_role("button", name="Приложить").click()
        await expect(page.get_by_role("status")).to_have_text("Ссылка и файл приложены.")
        await expect(page.get_by_role("link", name=LINK["title"])).to_have_attribute(
            "href", LINK["url"]
        )
        await expect(page.get_by_role("link", name="справка.txt")).to_be_visible()
        assert await page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        await page.get_by_role("button", name="Выйти").click()
        await sign_in(page, expect, base, "analyst@soko.example", "Дорожные карты — Район 1")
        await page.goto(f"{base}{evidence(world.a1)}")
        await expect(page.get_by_role("link", name=LINK["title"])).to_be_visible()
        await expect(page.get_by_role("link", name="справка.txt")).to_be_visible()
        assert problems == []
    async with isolation() as session:
        activity = await session.get(Activity, world.a1.id)
        assert activity is not None and activity.evidence == [LINK]
