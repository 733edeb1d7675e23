"""Signing in from a «Войдите» page of the reports or surveys service (`/?next=…`): the
person lands back on the page they asked for, and the sign-in never sends anyone to another
site (an open redirect would let a phishing link borrow Soko's address)."""

import html
import re

import httpx
import pytest

from tests.api import test_pages
from tests.factories import PASSWORD
from tests.surveys.forms import csrf_of

browser = test_pages.browser
NEXT = re.compile(r'<input type="hidden" name="next" value="([^"]*)">')


async def sign_in_from(client: httpx.AsyncClient, asked: str) -> httpx.Response:
    """Open `/?next=asked`, post the form as the page has it; the answer to the post."""
    page = await client.get("/", params={"next": asked})
    assert page.status_code == 200, page.text
    fields = {"username": "leader@soko.example", "password": PASSWORD, "_csrf": csrf_of(page)}
    if found := NEXT.search(page.text):
        fields["next"] = html.unescape(found.group(1))
    return await client.post("/sign-in", data=fields)


async def test_signed_in_from_a_report_the_person_is_sent_back_to_it(browser, world, settings):
    report = f"{settings.peer_url('reports')}/v1/reports/organizations/{world.s1.id}?format=html"
    answer = await sign_in_from(browser(), report)
    assert answer.status_code == 303
    assert answer.headers["location"] == report
    assert "soko_session" in answer.headers.get("set-cookie", "")


async def test_a_page_of_our_own_by_its_path(browser, world):
    answer = await sign_in_from(browser(), "/values?period=2021/2022")
    assert answer.headers["location"] == "/values?period=2021/2022"


@pytest.mark.parametrize(
    "elsewhere",
    [
        "https://evil.example/soko",
        "//evil.example/home",
        "/\\evil.example",
        "javascript:alert(1)",
        "http://127.0.0.1:8000.evil.example/",
        "/home\r\nSet-Cookie: x=1",
    ],
)
async def test_another_site_is_never_where_the_sign_in_leads(browser, world, elsewhere):
    client = browser()
    page = await client.get("/", params={"next": elsewhere})
    assert 'name="next"' not in page.text  # not even carried in the form
    fields = {
        "username": "leader@soko.example",
        "password": PASSWORD,
        "_csrf": csrf_of(page),
        "next": elsewhere,  # posted by hand all the same
    }
    answer = await client.post("/sign-in", data=fields)
    assert answer.status_code == 303 and answer.headers["location"] == "/home"


async def test_signed_in_already_the_entry_goes_straight_to_the_asked_page(browser, world):
    client = browser()
    assert (await sign_in_from(client, "/home")).status_code == 303
    again = await client.get("/", params={"next": "/values"})
    assert again.status_code == 303 and again.headers["location"] == "/values"
    away = await client.get("/", params={"next": "https://evil.example/"})
    assert away.headers["location"] == "/home"


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_an_address_the_api_does_not_have_is_a_russian_page_in_a_browser(browser):
    client = browser()
    page = await client.get("/no-such-page", headers=BROWSER)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Не найдено</h1>" in page.text and "На главную" in page.text
    # An API client keeps problem+json, and a JSON endpoint's 401 stays JSON even for a
    # browser (the JSON API never takes the session cookie: «Войдите» would loop).
    assert (await client.get("/no-such-page")).json()["status"] == 404
    unsigned = await client.get("/v1/roadmaps", headers=BROWSER)
    assert unsigned.status_code == 401
    assert unsigned.headers["content-type"].startswith("application/problem+json")


@pytest.mark.parametrize(
    ("asked", "lands"),
    [
        ("/activities/{a1}/evidence", "/activities/{a1}/evidence"),
        ("/activities/{a1}/evidence/files/{a1}", "/activities/{a1}/evidence"),
        ("/roadmaps/{r1}/activities", "/roadmaps/{r1}/activities"),
        ("/values?period=2021/2022", "/values?period=2021/2022"),
        ("/decisions", "/decisions"),
        ("/home?period=2021/2022", "/home?period=2021/2022"),
        ("/data-values/upload/template.xlsx", "/data-values/upload"),
    ],
)
async def test_a_page_opened_before_signing_in_is_where_the_sign_in_leads(
    browser, world, asked, lands
):
    """A link sent by mail (an activity's evidence, a period's values) opened without a
    session: the sign-in page, then that page, not the home."""
    asked, lands = (u.format(a1=world.a1.id, r1=world.r1.id) for u in (asked, lands))
    client = browser()
    first = await client.get(asked, headers=BROWSER)
    assert first.status_code == 303
    entry = first.headers["location"]
    assert entry.startswith("/?next=")
    page = await client.get(entry)
    fields = {"username": "leader@soko.example", "password": PASSWORD, "_csrf": csrf_of(page)}
    found = NEXT.search(page.text)
    assert found, "the sign-in form carries where to go"
    fields["next"] = html.unescape(found.group(1))
    answer = await client.post("/sign-in", data=fields)
    assert answer.status_code == 303 and answer.headers["location"] == lands


async def test_a_mistyped_address_is_a_russian_page_saying_what_is_wrong(browser):
    """A link cut short in a mail («/roadmaps/3f25…/activities») opened in a browser: a page
    in Russian naming what is wrong, linking the home, never problem+json shown as text. An
    API client keeps problem+json."""
    client = browser()
    page = await client.get("/roadmaps/3f2504e0-4f89/activities", headers=BROWSER)
    assert page.status_code == 422 and page.headers["content-type"].startswith("text/html")
    assert "<h1>Адрес страницы неверен</h1>" in page.text and "На главную" in page.text
    assert "ожидается идентификатор UUID" in page.text
    api = await client.get("/roadmaps/3f2504e0-4f89/activities")
    assert api.status_code == 422 and api.json()["errors"][0]["loc"] == ["path", "roadmap_id"]
