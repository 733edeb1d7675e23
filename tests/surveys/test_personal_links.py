"""Personal diagnostic links: only their own teacher, signed in, may open, fill or read them;
nobody else is shown a personal link, in any answer or log."""

import json
import logging
import re
from datetime import timedelta

import httpx
import pytest
from sqlalchemy import func, select, update

from services.api.app import create_app as create_api
from services.surveys.app import create_app as create_surveys
from services.surveys.campaigns.models import Campaign, Invitation
from services.surveys.clients.api import ApiClient
from services.surveys.responses.models import Response
from shared.client import ServiceClient
from shared.db import utcnow
from shared.headers import CLIENT_ADDRESS_HEADER
from shared.identity import TokenChecker
from tests.factories import PASSWORD, build_world, committed_world, expired_token
from tests.surveys.forms import (
    DIAGNOSTIC,
    SCREENSHOT,
    Dom,
    add_colleague,
    csrf_of,
    diagnostic_answers,
    diagnostic_of_t1,
    in_a_browser,
    launch,
    phone,
    responses,
    served,
    sign_in,
)

EMAILS = {
    "teacher": "teacher@soko.example",
    "teacher2": "t2@soko.example",
    "leader": "leader@soko.example",
    "analyst": "analyst@soko.example",
    "methodologist": "method@soko.example",
    "admin": "admin@soko.example",
}
ANSWERS = diagnostic_answers({"design": 5, "tools": 3, "processing": 2, "security": 4})


@pytest.fixture
async def world(db, settings):
    """The small world, with a second teacher of S1 who has an account: a colleague."""
    world = await build_world(db, settings)
    await add_colleague(db, settings, world, EMAILS["teacher2"])
    return world


@pytest.fixture
async def diagnostic(surveys_client, world, db) -> tuple[dict, dict[str, str]]:
    """An identified diagnostic in S1, and its personal links by staff member ("t1", "t2")."""
    campaign = await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], anonymous=False
    )
    rows = await db.execute(
        select(Invitation.staff_id, Invitation.code).where(Invitation.campaign_id == campaign["id"])
    )
    by_staff = dict(rows.all())
    return campaign, {"t1": f"/s/{by_staff[world.t1.id]}", "t2": f"/s/{by_staff[world.t2.id]}"}


async def stored(db) -> int:
    return await db.scalar(select(func.count()).select_from(Response)) or 0


def shows_the_form(page: httpx.Response) -> bool:
    return any(item.code in page.text for item in DIAGNOSTIC.scored_items())


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


@pytest.mark.parametrize("who", ["teacher2", "leader", "analyst", "methodologist", "admin"])
async def test_anyone_elses_session_gets_a_403_page_and_nothing_is_stored(
    form, diagnostic, db, who
):
    """A colleague, the leader, an analyst, a methodologist, an administrator: signed in on
    the teacher's link, they see neither the form nor the title, and store nothing."""
    campaign, links = diagnostic
    refused = await sign_in(form, links["t1"], EMAILS[who])
    assert refused.status_code == 403 and "Это чужая персональная ссылка" in refused.text
    assert "soko_form_session=" in refused.headers["set-cookie"]  # signed in, but not here
    for url in (links["t1"], f"{links['t1']}/thanks", f"{links['t1']}?saved=1"):
        page = await form.get(url)
        assert page.status_code == 403 and "Это чужая персональная ссылка" in page.text
        assert not shows_the_form(page) and campaign["title"] not in page.text
    token = csrf_of(page)  # their own page's token: the refusal is not about CSRF
    for action in ("submit", "draft"):
        posted = await form.post(links["t1"], data=ANSWERS | {"_action": action, "_csrf": token})
        assert posted.status_code == 403 and "профиль" not in posted.text
    assert await stored(db) == 0


async def test_the_teachers_session_opens_only_their_own_link(form, diagnostic, db):
    _, links = diagnostic
    await sign_in(form, links["t1"], EMAILS["teacher"])
    colleague = await form.get(links["t2"])
    assert colleague.status_code == 403 and not shows_the_form(colleague)
    token = csrf_of(colleague)
    posted = await form.post(links["t2"], data=ANSWERS | {"_csrf": token})
    assert posted.status_code == 403
    assert await stored(db) == 0


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


async def test_an_ended_session_loses_no_answers(form, diagnostic, world, db, settings):
    """The token expired while the teacher was answering: the post shows the sign-in page with
    the answers carried; after signing in they are back in the form, stored only on submit."""
    _, links = diagnostic
    form.cookies.set("soko_form_session", expired_token(settings, world), path="/s/")
    posted = await form.post(links["t1"], data=ANSWERS | {"_action": "submit"})
    assert posted.status_code == 401 and "не потеряны" in posted.text
    hidden = [c for c in Dom(posted.text).controls if c.get("type") == "hidden"]
    carried = {str(c["name"]): str(c["value"]) for c in hidden}
    assert all(carried[f"a:{code}"] == value for code, value in ANSWERS.items())
    assert await stored(db) == 0
    fields = carried | {"username": EMAILS["teacher"], "password": PASSWORD}
    restored = await form.post(f"{links['t1']}/sign-in", data=fields)
    assert restored.status_code == 200 and "ответы на месте" in restored.text
    dom = Dom(restored.text)
    assert all(dom.checked(code) == [value] for code, value in ANSWERS.items())
    assert await stored(db) == 0
    done = await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(restored)})
    assert done.status_code == 303 and done.headers["location"] == f"{links['t1']}/thanks"
    assert "Ваш профиль компетенций" in (await form.get(done.headers["location"])).text


async def test_nobody_is_shown_a_personal_link_but_its_teacher(surveys_client, diagnostic, world):
    """Campaign creation, reads, lists, rates, reminders, aggregates, personal results: no
    personal link's code in any answer to the leader, analysts, methodologists, admins."""
    campaign, links = diagnostic
    codes = [url.removeprefix("/s/") for url in links.values()]
    assert not any(code in json.dumps(campaign) for code in codes)  # the creation's answer
    base = f"/v1/campaigns/{campaign['id']}"
    paths = [
        base,
        "/v1/campaigns?limit=500",
        f"/v1/campaigns?territory_id={world.m1.id}",
        f"{base}/rates",
        f"{base}/pending",
        f"{base}/aggregates?level=organization",
        f"{base}/deficits",
        "/v1/me/invitations",
    ]
    for who in ("leader", "analyst", "methodologist", "admin", "viewer", "teacher2"):
        for path in paths:
            answer = await surveys_client.get(path, headers=world.headers(who))
            assert not any(code in answer.text for code in codes) or (
                who == "teacher2" and path == "/v1/me/invitations"
            ), (who, path)
    pending = await surveys_client.get(f"{base}/pending", headers=world.headers("leader"))
    assert {tuple(sorted(p)) for p in pending.json()} == {
        ("full_name", "organization_id", "staff_id", "status")
    }
    assert {p["full_name"] for p in pending.json()} == {"Иванова Мария", "Смирнова Ольга"}
    # The teachers' own list: each sees exactly their own link.
    for who, mine in (("teacher", "t1"), ("teacher2", "t2")):
        own = await surveys_client.get("/v1/me/invitations", headers=world.headers(who))
        [item] = [i for i in own.json()["items"] if i["campaign_id"] == campaign["id"]]
        assert item["url"].endswith(links[mine]) and item["campaign_id"] == campaign["id"]
        other = links["t2" if mine == "t1" else "t1"].removeprefix("/s/")
        assert other not in own.text


async def test_access_log_names_the_route_not_the_link(form, diagnostic, caplog):
    caplog.set_level(logging.INFO, logger="soko.access")
    _, links = diagnostic
    code = links["t1"].removeprefix("/s/")
    await sign_in(form, links["t1"], EMAILS["teacher"])
    page = await form.get(links["t1"])
    await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(page)})
    await form.get(f"{links['t1']}/thanks")
    lines = [r for r in caplog.records if r.name == "soko.access"]
    assert {(r.method, r.path) for r in lines} >= {
        ("GET", "/s/{code}"),
        ("POST", "/s/{code}"),
        ("POST", "/s/{code}/sign-in"),
        ("GET", "/s/{code}/thanks"),
    }
    for record in caplog.records:
        assert code not in record.getMessage() and code not in json.dumps(vars(record), default=str)


async def test_my_invitations_lists_open_campaigns_with_the_answer_state(
    surveys_client, diagnostic, world, db
):
    campaign, _ = diagnostic
    mine = await surveys_client.get("/v1/me/invitations", headers=world.headers("teacher"))
    assert mine.status_code == 200
    [item] = [i for i in mine.json()["items"] if i["campaign_id"] == campaign["id"]]
    assert mine.json()["total"] == len(mine.json()["items"]) == 2  # and the world's diagnostic
    assert (item["title"], item["status"]) == (campaign["title"], "not_started")
    assert item["opens_at"] and item["closes_at"]
    draft = await surveys_client.post(
        f"/v1/campaigns/{campaign['id']}/responses",
        json={"staff_id": str(world.t1.id), "answers": {}, "draft": True},
        headers=world.headers("teacher"),
    )
    assert draft.status_code == 201, draft.text
    states = await surveys_client.get("/v1/me/invitations", headers=world.headers("teacher"))
    [item] = [i for i in states.json()["items"] if i["campaign_id"] == campaign["id"]]
    assert item["status"] == "draft"
    # Closed campaigns are not listed; people without a staff record have none.
    await db.execute(
        update(Campaign)
        .where(Campaign.id == campaign["id"])
        .values(closes_at=utcnow() - timedelta(minutes=1))
    )
    closed = await surveys_client.get("/v1/me/invitations", headers=world.headers("teacher"))
    fixtures = {world.campaigns["diagnostic_s1"].id}  # the world's own diagnostic, still open
    assert {i["campaign_id"] for i in closed.json()["items"]} <= {str(c) for c in fixtures}
    for who in ("leader", "analyst", "viewer", "service"):
        none = await surveys_client.get("/v1/me/invitations", headers=world.headers(who))
        assert none.status_code == 200 and none.json() == {"items": [], "total": 0}


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


@pytest.mark.parametrize(
    "change", [{"is_active": False}, {"password": "a-new-password-1"}, {"role": "viewer"}]
)
async def test_a_form_session_ends_when_the_teachers_account_changes(
    form, diagnostic, world, db, apps, api_client, change
):
    """Deactivated, given a new password or another role: the session in the form's cookie
    stands no longer, as no token of that account does elsewhere; nothing is stored."""
    _, links = diagnostic
    await sign_in(form, links["t1"], EMAILS["teacher"])
    page = await form.get(links["t1"])
    assert shows_the_form(page)
    kept = apps.surveys.state.token_checker
    apps.surveys.state.token_checker = TokenChecker(apps.surveys.state.peers["api"], ttl=0)
    try:
        changed = await api_client.patch(
            f"/v1/users/{world.users['teacher'].id}", json=change, headers=world.headers("admin")
        )
        assert changed.status_code == 200, changed.text
        again = await form.get(links["t1"])
        assert again.status_code == 200 and "Вход для заполнения анкеты" in again.text
        assert not shows_the_form(again)
        posted = await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(page)})
        assert posted.status_code == 401 and "профиль" not in posted.text
    finally:
        apps.surveys.state.token_checker = kept
    assert await stored(db) == 0


async def test_the_same_page_sent_again_shows_the_profile_and_stores_nothing(form, diagnostic, db):
    _, links = diagnostic
    await sign_in(form, links["t1"], EMAILS["teacher"])
    page = await form.get(links["t1"])
    [token] = Dom(page.text).named("_submission")
    fields = ANSWERS | {"_csrf": csrf_of(page), "_submission": str(token["value"])}
    done = await form.post(links["t1"], data=fields)
    assert done.status_code == 303 and done.headers["location"] == f"{links['t1']}/thanks"
    assert "Ваш профиль компетенций" in (await form.get(done.headers["location"])).text
    again = await form.post(links["t1"], data=fields)
    assert again.status_code == 303 and again.headers["location"] == f"{links['t1']}/thanks"
    assert "Ваш профиль компетенций" in (await form.get(again.headers["location"])).text
    # Another page of the same link (a new token) is refused as before.
    another = fields | {"_submission": "another-page-of-the-same-link-0123456789"}
    refused = await form.post(links["t1"], data=another)
    assert refused.status_code == 409 and "Ответ уже отправлен" in refused.text
    assert await stored(db) == 1


async def pages_token(api_client, who: str) -> str:
    """The token the api's sign-in page keeps in `soko_session` for `who`."""
    answer = await api_client.post(
        "/v1/auth/token", data={"username": EMAILS[who], "password": PASSWORD}
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


async def test_signed_in_on_the_pages_the_teacher_needs_no_second_sign_in(
    form, diagnostic, api_client, db, settings
):
    """A teacher who came from their home (the api pages' `soko_session`, which a browser
    sends to every port) gets their form at once, with a way back to the home, and sends it;
    signing out of the form ends the pages' session too (its token revoked)."""
    _, links = diagnostic
    token = await pages_token(api_client, "teacher")
    form.cookies.set("soko_session", token)
    page = await form.get(links["t1"])
    assert page.status_code == 200 and shows_the_form(page)
    assert "Вход для заполнения анкеты" not in page.text
    home = f"{settings.peer_url('api').rstrip('/')}/home"
    assert f'href="{home}">Мой кабинет</a>' in page.text
    sent = await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(page)})
    assert sent.status_code == 303
    assert await stored(db) == 1
    profile = await form.get(sent.headers["location"])
    out = await form.post(f"{links['t1']}/sign-out", data={"_csrf": csrf_of(profile)})
    assert out.status_code == 303
    dropped = out.headers.get_list("set-cookie")
    assert any(c.startswith("soko_session=") and "max-age=0" in c.lower() for c in dropped)
    after = await api_client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 401


@pytest.mark.parametrize("who", ["teacher2", "leader", "analyst"])
async def test_someone_else_signed_in_on_the_pages_gets_a_403_page_on_a_teachers_link(
    form, diagnostic, api_client, db, who
):
    """A colleague of the same school, its leader, the territory's analyst: their pages'
    session opens neither the form nor the title, and stores nothing."""
    campaign, links = diagnostic
    form.cookies.set("soko_session", await pages_token(api_client, who))
    page = await form.get(links["t1"])
    assert page.status_code == 403 and not shows_the_form(page)
    assert campaign["title"] not in page.text
    posted = await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(page)})
    assert posted.status_code == 403
    assert await stored(db) == 0


async def test_opened_again_later_the_thanks_is_the_teachers_results_page(
    form, diagnostic, db, settings
):
    _, links = diagnostic
    await sign_in(form, links["t1"], EMAILS["teacher"])
    page = await form.get(links["t1"])
    done = await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(page)})
    thanks = (await form.get(done.headers["location"])).text
    assert "Спасибо! Ваши ответы приняты" in thanks and "Ответы отправлены" not in thanks
    # Weeks later (the response sent on an earlier day), the same link is their results.
    sent = settings.today() - timedelta(days=20)
    await db.execute(update(Response).values(submitted_on=sent))
    await db.commit()
    later = (await form.get(done.headers["location"])).text
    assert "<h1>Ваши ответы</h1>" in later and "Спасибо!" not in later
    assert f"Ответы отправлены {sent:%d.%m.%Y}." in later
    assert "Ваш профиль компетенций" in later
