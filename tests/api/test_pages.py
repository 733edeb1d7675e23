"""The api's pages in a browser's place (cookies kept by the client): sign-in, each role's
home, marking an activity done, sign-out; the session cookie and CSRF protection."""

from collections.abc import AsyncIterator, Callable
from datetime import timedelta
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import select

from services.api.roadmaps.models import Activity, ActivityStatusChange
from tests.factories import PASSWORD
from tests.surveys.forms import Dom, csrf_of

Browser = Callable[..., httpx.AsyncClient]


@pytest.fixture
async def browser(apps, isolation) -> AsyncIterator[Browser]:
    """A new "browser" on the api app (its own cookie jar) per call; https with `secure`."""
    opened: list[httpx.AsyncClient] = []

    def open_browser(secure: bool = False) -> httpx.AsyncClient:
        base = "https://api" if secure else "http://api"
        client = httpx.AsyncClient(transport=httpx.ASGITransport(app=apps.api), base_url=base)
        opened.append(client)
        return client

    yield open_browser
    for client in opened:
        await client.aclose()


@pytest.fixture
async def roadmap_world(world, db, settings):
    """M1's roadmap R1 with, beside A1 (S1 responsible), an activity of S2 done, and one
    of S2 cancelled; A1's deadline has passed ten days ago, so it is overdue."""
    today = settings.today()
    world.a1.deadline_text = "до 1 сентября"
    world.a1.due_end = today - timedelta(days=10)
    base = {"roadmap_id": world.r1.id, "section_id": world.a1.section_id}
    db.add_all(
        [
            Activity(**base, position=1, number="2", title="Семинар школы 2", status="done",
                     completed_on=today, responsible_organization_ids=[world.s2.id]),
            Activity(**base, position=2, number="3", title="Отменённое мероприятие",
                     status="cancelled", responsible_organization_ids=[world.s2.id]),
        ]
    )  # fmt: skip
    await db.flush()
    return world


async def sign_in(
    client: httpx.AsyncClient, email: str, password: str = PASSWORD, *, csrf: bool = True
) -> httpx.Response:
    """Open `/`, then post the sign-in form as the page has it (without its token if not
    `csrf`); the answer to the post."""
    page = await client.get("/")
    assert page.status_code == 200, page.text
    fields = {"username": email, "password": password}
    if csrf:
        fields["_csrf"] = csrf_of(page)
    return await client.post("/sign-in", data=fields)


async def signed_in(browser: Browser, email: str) -> tuple[httpx.AsyncClient, httpx.Response]:
    """A browser signed in as `email`, and its home page."""
    client = browser()
    answer = await sign_in(client, email)
    assert answer.status_code == 303 and answer.headers["location"] == "/home", answer.text
    home = await client.get("/home")
    assert home.status_code == 200, home.text
    return client, home


def cookie_of(answer: httpx.Response, name: str) -> str:
    """The Set-Cookie header that sets `name`, lower-cased."""
    found = [c for c in answer.headers.get_list("set-cookie") if c.startswith(f"{name}=")]
    assert len(found) == 1, answer.headers.get_list("set-cookie")
    return found[0].lower()


async def test_the_entry_is_the_sign_in_page(browser):
    page = await browser().get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert page.headers["cache-control"] == "no-store"
    dom = Dom(page.text)
    assert "Вход в Soko" in page.text
    assert dom.label("sign-in-email") == "Электронная почта"
    assert dom.label("sign-in-password") == "Пароль"
    # Only the pre-session CSRF value, for the sign-in form; no session yet.
    assert "httponly" in cookie_of(page, "soko_sign_in")
    assert "soko_session" not in page.headers.get("set-cookie", "")


@pytest.mark.parametrize("secure", [False, True])
async def test_signing_in_sets_the_session_cookie(browser, world, settings, secure):
    answer = await sign_in(browser(secure), "leader@soko.example")
    assert answer.status_code == 303 and answer.headers["location"] == "/home"
    cookie = cookie_of(answer, "soko_session")
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/" in cookie
    # For as long as the token: SOKO_ACCESS_TOKEN_MINUTES (30) × 60 = 1800 s.
    assert f"max-age={settings.access_token_minutes * 60}" in cookie
    assert ("; secure" in cookie) is secure


async def test_the_json_api_does_not_take_the_cookie(browser, world):
    client, _ = await signed_in(browser, "leader@soko.example")
    assert (await client.get("/v1/me")).status_code == 401


async def test_a_sign_in_without_the_form_token_is_refused(browser, world):
    client = browser()
    answer = await sign_in(client, "leader@soko.example", csrf=False)
    assert answer.status_code == 403
    assert "Страница устарела" in answer.text
    assert "soko_session" not in answer.headers.get("set-cookie", "")
    assert (await client.get("/home")).headers["location"] == "/"


async def test_a_sign_in_or_out_sending_a_field_twice_is_refused_naming_it(browser, world):
    """Which address (or password) was meant is unknown: the sign-in page again, 422, naming
    the field, no session; a sign-out with its token twice keeps the session (422)."""
    client = browser()
    page = await client.get("/")
    pairs = [("_csrf", csrf_of(page)), ("username", "leader@soko.example")]
    pairs += [("username", "other@soko.example"), ("password", PASSWORD)]
    answer = await client.post(
        "/sign-in",
        content=urlencode(pairs),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert answer.status_code == 422 and "Поле «username» отправлено несколько раз" in answer.text
    assert "soko_session" not in answer.headers.get("set-cookie", "")
    client, home = await signed_in(browser, "leader@soko.example")
    twice = await client.post("/sign-out", data={"_csrf": [csrf_of(home), csrf_of(home)]})
    assert twice.status_code == 422 and "Поле «_csrf» отправлено несколько раз" in twice.text
    assert (await client.get("/home")).status_code == 200


async def test_a_wrong_password_shows_the_page_again(browser, world):
    answer = await sign_in(browser(), "leader@soko.example", "not-the-password")
    assert answer.status_code == 401
    assert (
        Dom(answer.text)
        .text("sign-in-problem")
        .startswith("Неверный адрес электронной почты или пароль")
    )
    assert 'value="leader@soko.example"' in answer.text  # the address stays filled in


async def test_sign_in_is_throttled_as_the_api_is(browser, world, settings):
    client = browser()
    # SOKO_LOGIN_MAX_FAILURES = 5 failures within the window are answered; the 6th attempt
    # is refused before its password is checked, the right password too.
    for _ in range(settings.login_max_failures):
        assert (await sign_in(client, "leader@soko.example", "wrong")).status_code == 401
    answer = await sign_in(client, "leader@soko.example")
    assert answer.status_code == 429
    assert int(answer.headers["retry-after"]) > 0
    assert "Слишком много неудачных попыток входа" in answer.text
    # The API counts the same failures: its sign-in is refused too.
    form = {"username": "leader@soko.example", "password": PASSWORD}
    assert (await client.post("/v1/auth/token", data=form)).status_code == 429


async def test_the_layout_names_the_person_role_and_scope(browser, world):
    _, home = await signed_in(browser, "leader@soko.example")
    header = home.text.split("</header>")[0]
    assert world.users["leader"].full_name in header
    assert "руководитель организации · Школа 1" in header
    assert 'action="/sign-out"' in header


async def test_the_analyst_sees_the_territory_s_roadmaps(browser, roadmap_world, settings):
    world = roadmap_world
    _, home = await signed_in(browser, "analyst@soko.example")
    text = home.text
    assert "Дорожная карта МСОКО" in text
    assert "Дорожная карта района 2" not in text  # M2's
    # R1: three activities, one cancelled (not counted), one of the two others done: 1 of 2.
    assert "Выполнено <strong>1 из 2</strong> мероприятий (50&nbsp;%)" in text
    assert "Просрочено: 1" in text and "1. Анкетирование родителей" in text
    reports = str(settings.reports_url).rstrip("/")
    assert f"{reports}/v1/reports/roadmaps/{world.r1.id}?format=html" in text
    # School cards: the schools of M1 only.
    assert f"/v1/reports/organizations/{world.s1.id}" in text
    assert f"/v1/reports/organizations/{world.s2.id}" in text
    assert f"/v1/reports/organizations/{world.s3.id}" not in text
    assert 'action="/activities/' not in text  # nothing to mark here
    assert f'href="/activities/{world.a1.id}/evidence"' in text  # the overdue one's evidence


async def test_the_admin_sees_every_roadmap(browser, world):
    _, home = await signed_in(browser, "admin@soko.example")
    assert "Дорожная карта МСОКО" in home.text and "Дорожная карта района 2" in home.text


async def test_the_viewer_reads_the_roadmaps_only(browser, roadmap_world):
    _, home = await signed_in(browser, "viewer@soko.example")
    assert "Только просмотр" in home.text
    assert "Дорожная карта МСОКО" in home.text and "Дорожная карта района 2" not in home.text
    assert "Выполнено <strong>1 из 2</strong>" in home.text
    assert home.text.count("<form") == 1  # sign-out, nothing else
    assert "/v1/reports/" not in home.text


async def test_the_leader_sees_the_school_s_activities_only(browser, roadmap_world):
    world = roadmap_world
    _, home = await signed_in(browser, "leader@soko.example")
    assert f'action="/activities/{world.a1.id}/done"' in home.text
    assert "просрочено" in home.text  # A1's deadline passed ten days ago
    assert "Семинар школы 2" not in home.text  # S2's, in the same roadmap
    assert "Дорожная карта района 2" not in home.text  # A2, S3's
    assert f"/v1/reports/organizations/{world.s1.id}?format=html" in home.text


async def test_the_leader_marks_an_activity_done(browser, roadmap_world, db, settings):
    world = roadmap_world
    client, home = await signed_in(browser, "leader@soko.example")
    answer = await client.post(f"/activities/{world.a1.id}/done", data={"_csrf": csrf_of(home)})
    assert answer.status_code == 303
    assert answer.headers["location"] == "/home?done=1#activities-title"
    await db.refresh(world.a1)
    assert (world.a1.status, world.a1.completed_on) == ("done", settings.today())
    change = await db.scalar(
        select(ActivityStatusChange).where(ActivityStatusChange.activity_id == world.a1.id)
    )
    assert change is not None and change.changed_by == str(world.users["leader"].id)
    again = await client.get(answer.headers["location"])
    assert "Мероприятие отмечено выполненным" in again.text
    assert f'action="/activities/{world.a1.id}/done"' not in again.text


async def test_marking_done_needs_the_form_token_and_the_right(browser, roadmap_world, db):
    world = roadmap_world
    client, home = await signed_in(browser, "leader@soko.example")
    without = await client.post(f"/activities/{world.a1.id}/done", data={})
    assert without.status_code == 403 and "Страница устарела" in without.text
    s2_activity = await db.scalar(select(Activity).where(Activity.title == "Семинар школы 2"))
    not_ours = await client.post(
        f"/activities/{s2_activity.id}/done", data={"_csrf": csrf_of(home)}
    )
    assert not_ours.status_code == 403 and "Недостаточно прав" in not_ours.text
    await db.refresh(world.a1)
    assert world.a1.status == "planned"


async def test_the_teacher_sees_their_profile(browser, world):
    _, home = await signed_in(browser, "teacher@soko.example")
    dom = Dom(home.text)
    assert "Иванова Мария" in dom.text("main") and "Школа 1" in dom.text("main")
    assert "Мои диагностики" in home.text  # their links: tests/api/test_pages_roles.py


async def test_signing_out_ends_the_session(browser, api_client, world):
    client, home = await signed_in(browser, "leader@soko.example")
    token = client.cookies["soko_session"]
    refused = await client.post("/sign-out", data={})
    assert refused.status_code == 403 and client.cookies.get("soko_session") == token
    out = await client.post("/sign-out", data={"_csrf": csrf_of(home)})
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert "max-age=0" in cookie_of(out, "soko_session")
    assert client.cookies.get("soko_session") is None
    assert (await client.get("/home")).headers["location"] == "/"
    # Revoked as by POST /v1/auth/revoke: a copy of the cookie is worth nothing.
    me = await api_client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 401
    copy = browser()
    copy.cookies.set("soko_session", token)
    assert (await copy.get("/")).status_code == 200  # the sign-in page, not the home


async def test_the_sign_in_and_out_addresses_typed_in_lead_to_the_entry(browser, world):
    """/sign-in and /sign-out typed into the address bar: the entry page, not a JSON 405; a
    GET signs nobody out."""
    typed = await browser().get("/sign-in?next=/values")
    assert typed.status_code == 303 and typed.headers["location"] == "/?next=%2Fvalues"
    assert (await browser().get("/sign-in?next=https://evil.example/")).headers["location"] == "/"
    client, _ = await signed_in(browser, "viewer@soko.example")
    out = await client.get("/sign-out")
    assert out.status_code == 303 and out.headers["location"] == "/"
    assert (await client.get("/home")).status_code == 200  # still signed in


async def test_signed_in_the_entry_leads_home(browser, world):
    client, _ = await signed_in(browser, "viewer@soko.example")
    answer = await client.get("/")
    assert answer.status_code == 303 and answer.headers["location"] == "/home"


async def test_the_reports_open_in_the_browser_with_the_session(browser, apps, world):
    # The browser sends the api's session cookie to the reports service on the same host: a
    # school card opens with it, with the leader's rights (S3 is not theirs), and a cookie
    # alone never writes there.
    client, _ = await signed_in(browser, "leader@soko.example")
    cookie = {"Cookie": f"soko_session={client.cookies['soko_session']}"}
    transport = httpx.ASGITransport(app=apps.reports)
    async with httpx.AsyncClient(transport=transport, base_url="http://reports") as reports:
        card = await reports.get(f"/v1/reports/organizations/{world.s1.id}", headers=cookie)
        assert card.status_code == 200, card.text
        assert "Школа 1" in card.text and card.headers["content-type"].startswith("text/html")
        other = await reports.get(f"/v1/reports/organizations/{world.s3.id}", headers=cookie)
        assert other.status_code == 404
        nothing = await reports.get(f"/v1/reports/organizations/{world.s1.id}")
        assert nothing.status_code == 401
        write = await reports.post(
            "/v1/recommendations/generate",
            json={"territory_id": str(world.m1.id), "period": "2021/2022"},
            headers=cookie,
        )
        assert write.status_code == 401
        # Only the documents take it: the JSON answers want the bearer token.
        values = await reports.get(
            "/v1/indicator-values",
            params={
                "period": "2021/2022",
                "scope_type": "organization",
                "scope_id": str(world.s1.id),
            },
            headers=cookie,
        )
        assert values.status_code == 401


async def test_the_analyst_s_school_cards_are_in_natural_order(browser, world, db):
    """№ 3 before № 10 (the database's order by name puts «Школа 10» first)."""
    from services.api.organizations.models import Organization

    for name in ("Школа 10", "Школа 9"):
        db.add(Organization(name=name, kind="school", territory_id=world.m1.id))
    await db.commit()
    _, home = await signed_in(browser, "analyst@soko.example")
    cards = home.text[home.text.index('id="cards-title"') :]
    shown = [cards.index(f">Школа {n}<") for n in (1, 2, 9, 10)]
    assert shown == sorted(shown)
