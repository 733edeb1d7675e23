"""Signing in on a personal link and out again: the sign-in page, the session cookie, CSRF, sign-out
(revoking the token), wrong passwords and throttling, the api asked for the browser's address,
and on a phone."""

import re

import httpx

from services.api.app import create_app as create_api
from services.surveys.app import create_app as create_surveys
from services.surveys.clients.api import ApiClient
from shared.client import ServiceClient
from shared.headers import CLIENT_ADDRESS_HEADER
from tests.factories import PASSWORD, committed_world
from tests.surveys.forms import (
    DIAGNOSTIC,
    SCREENSHOT,
    Dom,
    csrf_of,
    diagnostic_of_t1,
    in_a_browser,
    phone,
    post_pairs,
    responses,
    served,
    sign_in,
)
from tests.surveys.personal_links.helpers import ANSWERS, EMAILS, shows_the_form, stored


async def test_without_a_session_a_personal_link_shows_the_sign_in_page(form, diagnostic, db):
    _, links = diagnostic
    for url in (links["t1"], f"{links['t1']}/thanks"):
        page = await form.get(url)
        assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
        dom = Dom(page.text)
        assert dom.label("sign-in-email") == "Электронная почта"
        assert dom.label("sign-in-password") == "Пароль"
        assert dom.attrs["sign-in-password"]["type"] == "password"
        assert '<html lang="ru">' in page.text and 'name="viewport"' in page.text
        assert all(not re.match(r"(https?:)?//", link) for link in dom.links)  # nothing external
        assert not shows_the_form(page)
    # Answers posted without signing in: nothing stored, the sign-in page keeps them for later.
    posted = await form.post(links["t1"], data=ANSWERS | {"_action": "submit"})
    assert posted.status_code == 401 and "Вход для заполнения анкеты" in posted.text
    assert "competence" not in posted.text and "profile-title" not in posted.text
    draft = await form.post(links["t1"], data=ANSWERS | {"_action": "draft"})
    assert draft.status_code == 401
    assert await stored(db) == 0


async def test_the_teacher_signs_in_and_gets_their_own_form(form, diagnostic, world, db):
    _, links = diagnostic
    signed_in = await sign_in(form, links["t1"], EMAILS["teacher"])
    assert signed_in.status_code == 303 and signed_in.headers["location"] == links["t1"]
    cookie = signed_in.headers["set-cookie"]
    assert "soko_form_session=" in cookie
    attributes = {a.strip().lower() for a in cookie.split(";")}
    assert {"httponly", "samesite=strict", "path=/s/"} <= attributes
    assert "secure" not in attributes  # plain http: a Secure cookie would never come back
    page = await form.get(links["t1"])
    assert page.status_code == 200 and shows_the_form(page)
    assert "Вы вошли как <strong>teacher</strong>" in page.text
    done = await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(page)})
    assert done.status_code == 303 and done.headers["location"] == f"{links['t1']}/thanks"
    assert "Ваш профиль компетенций" in (await form.get(done.headers["location"])).text
    [response] = await responses(db)
    assert response.staff_id == world.t1.id and response.status == "submitted"


async def test_over_https_the_session_cookie_is_secure(apps, isolation, diagnostic, address):
    _, links = diagnostic
    transport = httpx.ASGITransport(app=apps.surveys, client=(address, 40000))
    async with httpx.AsyncClient(transport=transport, base_url="https://surveys") as browser:
        page = await browser.get(links["t1"])
        assert "secure" in page.headers["set-cookie"].lower()  # the CSRF cookie
        signed_in = await sign_in(browser, links["t1"], EMAILS["teacher"])
    attributes = {a.strip().lower() for a in signed_in.headers["set-cookie"].split(";")}
    assert {"secure", "httponly", "samesite=strict", "path=/s/"} <= attributes


async def test_a_forged_or_missing_token_stores_nothing(form, diagnostic, db):
    """A page on another site cannot post for the signed-in teacher: no CSRF token, no write."""
    _, links = diagnostic
    await sign_in(form, links["t1"], EMAILS["teacher"])
    for token in (None, "", "0" * 64, "forged"):
        fields = ANSWERS | ({"_csrf": token} if token is not None else {})
        posted = await form.post(links["t1"], data=fields)
        assert posted.status_code == 403 and "страница устарела" in posted.text
        assert Dom(posted.text).checked(DIAGNOSTIC.scored_items()[0].code)  # answers kept
    draft = await form.post(links["t1"], data=ANSWERS | {"_action": "draft", "_csrf": "x"})
    assert draft.status_code == 403
    assert await stored(db) == 0
    # Signing in and out need the token too.
    out = await form.post(f"{links['t1']}/sign-out", data={"_csrf": "forged"})
    assert out.status_code == 403
    still = await form.get(links["t1"])
    assert still.status_code == 200 and shows_the_form(still)
    fields = {"username": EMAILS["teacher"], "password": PASSWORD}
    no_token = await form.post(f"{links['t2']}/sign-in", data=fields)
    assert no_token.status_code == 403 and "soko_form_session" not in no_token.headers.get(
        "set-cookie", ""
    )


async def test_a_field_of_the_form_s_own_sent_twice_is_refused_naming_it(form, diagnostic, db):
    """Submit or save a draft? Which address signs in? A forged or broken post sending one
    of the form's own fields twice is a 422 page naming it: nothing stored, nobody signed in."""
    _, links = diagnostic
    page = await form.get(links["t1"])
    pairs = [("_csrf", csrf_of(page)), ("username", EMAILS["teacher"])]
    pairs += [("username", "other@soko.example"), ("password", PASSWORD)]
    twice = await post_pairs(form, f"{links['t1']}/sign-in", pairs)
    assert twice.status_code == 422 and "Поле «username» отправлено несколько раз" in twice.text
    assert "soko_form_session" not in twice.headers.get("set-cookie", "")
    await sign_in(form, links["t1"], EMAILS["teacher"])
    page = await form.get(links["t1"])
    pairs = [*ANSWERS.items(), ("_csrf", csrf_of(page))]
    both = await post_pairs(
        form, links["t1"], [*pairs, ("_action", "submit"), ("_action", "draft")]
    )
    assert both.status_code == 422 and "Поле «_action» отправлено несколько раз" in both.text
    assert await stored(db) == 0
    done = await post_pairs(form, links["t1"], [*pairs, ("_action", "submit")])
    assert done.status_code == 303 and await stored(db) == 1


async def test_sign_out_ends_the_session(form, diagnostic):
    _, links = diagnostic
    await sign_in(form, links["t1"], EMAILS["teacher"])
    page = await form.get(links["t1"])
    out = await form.post(f"{links['t1']}/sign-out", data={"_csrf": csrf_of(page)})
    assert out.status_code == 303 and out.headers["location"] == links["t1"]
    assert "max-age=0" in out.headers["set-cookie"].lower()
    again = await form.get(links["t1"])
    assert again.status_code == 200 and "Вход для заполнения анкеты" in again.text
    assert not shows_the_form(again)


async def test_a_copy_of_the_session_kept_from_before_the_sign_out_is_refused(
    form, diagnostic, api_client
):
    """Sign-out revokes the session's token: a copy of the cookie (a shared computer, a
    stolen cookie) no longer signs anybody in, on the api service at once."""
    _, links = diagnostic
    await sign_in(form, links["t1"], EMAILS["teacher"])
    token = form.cookies["soko_form_session"]
    assert (await api_client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})).is_success
    page = await form.get(links["t1"])
    out = await form.post(f"{links['t1']}/sign-out", data={"_csrf": csrf_of(page)})
    assert out.status_code == 303
    after = await api_client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 401


async def test_wrong_password_and_throttling_are_pages_and_sign_nobody_in(form, diagnostic):
    _, links = diagnostic
    page = await form.get(links["t1"])
    fields = {"username": EMAILS["teacher"], "password": "wrong-password", "_csrf": csrf_of(page)}
    wrong = await form.post(f"{links['t1']}/sign-in", data=fields)
    assert wrong.status_code == 401 and "Неверный адрес электронной почты или пароль" in wrong.text
    assert Dom(wrong.text).attrs["sign-in-email"]["value"] == EMAILS["teacher"]
    assert "soko_form_session" not in wrong.headers.get("set-cookie", "")
    empty = await form.post(f"{links['t1']}/sign-in", data={"_csrf": csrf_of(page)})
    assert empty.status_code == 422
    for _ in range(5):
        await form.post(f"{links['t1']}/sign-in", data=fields)
    throttled = await form.post(f"{links['t1']}/sign-in", data=fields | {"password": PASSWORD})
    assert throttled.status_code == 429 and int(throttled.headers["retry-after"]) > 0
    assert "Слишком много неудачных попыток входа" in throttled.text
    assert "soko_form_session" not in throttled.headers.get("set-cookie", "")
    assert not shows_the_form(await form.get(links["t1"]))


async def test_sign_in_is_checked_by_the_api_for_the_browsers_address(apps, isolation, world):
    """The surveys service asks the api service over HTTP, with its service token and the
    browser's address in X-Soko-Client-Address (so that the api throttles the person)."""
    seen: list[dict[str, str]] = []

    async def observed(scope, receive, send):
        if scope["type"] == "http":
            seen.append({k.decode(): v.decode() for k, v in scope["headers"]})
        await apps.api(scope, receive, send)

    client = ServiceClient(
        "api",
        "http://api",
        transport=httpx.ASGITransport(app=observed),
        token=lambda: world.tokens["service"],
    )
    try:
        api = ApiClient(client)
        good = await api.sign_in(EMAILS["teacher"], PASSWORD, "203.0.113.9")
        bad = await api.sign_in(EMAILS["teacher"], "nope-nope", "203.0.113.9")
    finally:
        await client.aclose()
    assert good.token and good.expires_in > 0 and bad.token is None
    assert [h[CLIENT_ADDRESS_HEADER.lower()] for h in seen] == ["203.0.113.9"] * 2
    assert all(h["authorization"] == f"Bearer {world.tokens['service']}" for h in seen)
    assert all("x-soko-user" not in h for h in seen)


@in_a_browser
async def test_a_teacher_signs_in_on_a_phone_and_out_again(
    apps, isolation, settings, surveys_client, playwright
):
    world = await committed_world(isolation, settings)
    campaign, code = await diagnostic_of_t1(surveys_client, world, isolation)
    # Real servers, each on its own event loop: the surveys app signs in at the api over HTTP.
    async with served(create_api(settings)) as api_base:
        app = create_surveys(settings.model_copy(update={"api_url": api_base}))
        async with served(app) as base:
            await phone_sign_in(playwright, base, code, campaign["title"])


async def phone_sign_in(playwright, base: str, code: str, title: str) -> None:
    """Sign in on a 360-px phone, fail once, then succeed, then sign out."""
    async with phone(playwright) as (page, problems):
        await page.goto(f"{base}/s/{code}")
        await playwright.expect(page.locator("h1")).to_have_text("Вход для заполнения анкеты")
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360
        for field in ("#sign-in-email", "#sign-in-password", "button[type=submit]"):
            box = await page.locator(field).bounding_box()
            assert box is not None and box["height"] >= 44, field
        await page.get_by_label("Электронная почта").fill(EMAILS["teacher"])
        await page.get_by_label("Пароль").fill("not-the-password")
        await page.get_by_role("button", name="Войти").click()
        await playwright.expect(page.locator("#sign-in-problem")).to_contain_text(
            "Неверный адрес электронной почты или пароль"
        )
        await page.screenshot(path=SCREENSHOT.with_name("soko-sign-in.png"), full_page=True)
        await page.get_by_label("Пароль").fill(PASSWORD)
        await page.get_by_role("button", name="Войти").click()
        await playwright.expect(page.locator("h1")).to_have_text(title)
        await playwright.expect(page.locator(".account")).to_contain_text("Вы вошли как")
        [cookie] = [c for c in await page.context.cookies() if c["name"] == "soko_form_session"]
        assert (cookie["httpOnly"], cookie["sameSite"], cookie["path"]) == (
            True,
            "Strict",
            "/s/",
        )
        assert await page.evaluate("document.cookie") == ""  # no script reads them
        await page.get_by_role("button", name="Выйти").click()
        await playwright.expect(page.locator("h1")).to_have_text("Вход для заполнения анкеты")
        names = {c["name"] for c in await page.context.cookies()}
        assert "soko_form_session" not in names
        assert problems == []
