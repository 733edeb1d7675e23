"""An operator keys in parents' paper questionnaires through the form (/s/{code}/paper),
signed in on the api's pages (the browser sends the `soko_session` cookie to the surveys
service too): stored as "paper", never limited as the public is, never twice for one page,
with nothing about the parent or the operator. Whoever does not manage the school's campaigns
(another school's leader of the same district, a teacher, a viewer), or is not signed in, or
posts without the page's CSRF token, stores nothing, and never as "web"."""

from datetime import date
from urllib.parse import quote, urlsplit

import httpx
import pytest

from services.surveys.app import create_app as create_surveys
from shared.headers import SESSION_COOKIE
from tests.factories import add_colleagues, expired_token
from tests.surveys.forms import (
    EMPTY,
    Dom,
    diagnostic_of_t1,
    launch,
    launch_optional,
    link_of,
    nok_answers,
    nok_fields,
    post_pairs,
    responses,
)
from tests.surveys.limits import fresh_window

ENTERED = "Анкета № {} введена"


@pytest.fixture
async def campaign(surveys_client, world, db, settings) -> dict:
    """A parents' NOK campaign in S1 and S2 (both of district M1), S2 with its own leader."""
    await add_colleagues(db, settings, world)
    return await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id]
    )


def paper_link(campaign: dict, organization_id) -> str:
    """The keying-in page of the organization's anonymous link."""
    [link] = [
        link_of({"links": [x]})
        for x in campaign["links"]
        if x["organization_id"] == str(organization_id)
    ]
    return f"{link}/paper"


def as_operator(client: httpx.AsyncClient, world, who: str) -> httpx.AsyncClient:
    """The browser signed in on the api's pages as `who` (its session cookie)."""
    client.cookies.set(SESSION_COOKIE, world.tokens[who])
    return client


async def key_in(client: httpx.AsyncClient, url: str, **overrides: str) -> httpx.Response:
    """Open the keying-in page, then post one questionnaire with its tokens, as a browser."""
    page = await client.get(url)
    assert page.status_code == 200, page.text
    dom = Dom(page.text)
    tokens = {name: str(dom.named(name)[0]["value"]) for name in ("_csrf", "_submission")}
    return await client.post(url, data=nok_fields() | tokens | overrides)


async def test_a_leader_keys_in_questionnaires_past_the_public_limit(
    apps, campaign, world, browser, new_address, db, surveys_client
):
    small = create_surveys(
        apps.surveys.state.settings.model_copy(update={"anonymous_rate_per_minute": 3}),
        peer_transports={"api": httpx.ASGITransport(app=apps.api)},
    )
    small.dependency_overrides = apps.surveys.dependency_overrides  # the test's transaction
    url = paper_link(campaign, world.s1.id)
    link = url.removesuffix("/paper")  # S1's anonymous link
    async with small.router.lifespan_context(small), browser(new_address(), small) as client:
        await fresh_window(small.state.anonymous_limit, room=30)
        for _ in range(3):  # the public's limit of this address, used up through the link
            assert (await client.post(link, data=nok_fields())).status_code == 303
        assert (await client.post(link, data=nok_fields())).status_code == 429
        as_operator(client, world, "leader")
        for n in range(1, 6):
            sent = await key_in(client, url)
            assert sent.status_code == 303, sent.text
            assert sent.headers["location"] == f"{url}?entered={n}#entered"
        page = await client.get(sent.headers["location"])
    assert page.status_code == 200 and page.headers["cache-control"] == "no-store"
    dom = Dom(page.text)
    assert dom.text("entered").startswith(ENTERED.format(5))
    assert 'id="entered" role="status"' in page.text
    assert "Сегодня введено бумажных анкет этой организации: 5" in dom.text("keyed-today")
    assert dom.text("organization") == "Школа 1"
    # An empty form again, posted to the keying-in page with a new one-time token.
    assert dom.checked("nok_01") == [] and f'action="{url}"' in page.text
    stored = await responses(db)
    assert sorted(r.channel for r in stored) == ["paper"] * 5 + ["web"] * 3
    for row in stored:  # nothing of the parent nor of the operator; the day only
        assert (row.staff_id, row.invitation_id) == (None, None)
        assert isinstance(row.submitted_on, date)
    rates = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/rates", headers=world.headers("analyst")
    )
    s1 = next(r for r in rates.json()["items"] if r["organization_id"] == str(world.s1.id))
    assert s1["responses"] == 8 and s1["channels"] == {"web": 3, "paper": 5, "import": 0}


async def test_the_analyst_keys_in_for_the_district_s_schools(campaign, world, form, db):
    as_operator(form, world, "analyst")
    sent = await key_in(form, paper_link(campaign, world.s2.id))
    assert sent.status_code == 303
    [row] = await responses(db)
    assert (row.organization_id, row.channel) == (world.s2.id, "paper")


@pytest.mark.parametrize("who", ["leader2", "teacher", "viewer", "leader3"])
async def test_whoever_does_not_manage_the_school_stores_nothing(campaign, world, form, db, who):
    # leader2 leads S2, of the same district as S1; leader3 another district's school.
    url = paper_link(campaign, world.s1.id)
    as_operator(form, world, who)
    page = await form.get(url)
    assert page.status_code == 403 and "Нет прав на ввод анкет" in page.text
    assert 'name="_submission"' not in page.text
    posted = await form.post(url, data=nok_fields() | {"_csrf": "x", "_submission": "y" * 32})
    assert posted.status_code == 403 and "Ничего не сохранено" in posted.text
    assert await responses(db) == []


async def test_without_a_session_the_page_says_to_sign_in_and_stores_nothing(
    campaign, world, form, db, settings
):
    url = paper_link(campaign, world.s1.id)
    for cookie in (None, expired_token(settings, world)):
        if cookie:
            form.cookies.set(SESSION_COOKIE, cookie)
        page = await form.get(url)
        assert page.status_code == 401 and "Войдите, чтобы вводить анкеты" in page.text
        # «Войдите» leads back here once signed in (the school's sheet links this page).
        back = quote(f"{settings.peer_url('surveys')}{urlsplit(url).path}", safe="")
        assert f'href="{settings.peer_url("api")}/?next={back}"' in page.text
        posted = await form.post(url, data=nok_fields())
        assert posted.status_code == 401 and "Ничего не сохранено" in posted.text
    # A bearer token is not a session of the pages either.
    bearer = await form.post(url, data=nok_fields(), headers=world.headers("leader"))
    assert bearer.status_code == 401
    assert await responses(db) == []


async def test_a_post_without_the_page_s_csrf_token_stores_nothing(
    campaign, world, form, db, browser, new_address
):
    url = paper_link(campaign, world.s1.id)
    as_operator(form, world, "leader")
    refused = await key_in(form, url, _csrf="")
    assert refused.status_code == 403 and "страница устарела" in refused.text
    assert Dom(refused.text).checked("nok_01") == ["yes"]  # the answers stay on the page
    # Another site's page cannot read the token; one of another browser's pages is no good.
    token = str(Dom((await form.get(url)).text).named("_csrf")[0]["value"])
    async with browser(new_address()) as elsewhere:
        as_operator(elsewhere, world, "leader")
        forged = await elsewhere.post(url, data=nok_fields() | {"_csrf": token})
    assert forged.status_code == 403
    assert await responses(db) == []


async def test_the_same_page_sent_twice_stores_one(campaign, world, form, db):
    url = paper_link(campaign, world.s1.id)
    as_operator(form, world, "leader")
    page = await form.get(url)
    dom = Dom(page.text)
    tokens = {name: str(dom.named(name)[0]["value"]) for name in ("_csrf", "_submission")}
    first = await form.post(url, data=nok_fields() | tokens)
    second = await form.post(url, data=nok_fields() | tokens)
    assert first.headers["location"] == f"{url}?entered=1#entered"
    assert second.status_code == 303 and second.headers["location"] == f"{url}?repeated=1"
    again = await form.get(second.headers["location"])
    assert "Эта анкета уже введена" in again.text
    assert "Сегодня введено бумажных анкет этой организации: <strong>1</strong>" in again.text
    assert [r.channel for r in await responses(db)] == ["paper"]


async def test_a_page_sending_its_submission_token_twice_stores_nothing(campaign, world, form, db):
    """Which questionnaire was this (a token already used, or a new one)? A forged or broken
    post with two submission tokens is a 422 page naming the field, nothing stored."""
    url = paper_link(campaign, world.s1.id)
    as_operator(form, world, "leader")
    page = await form.get(url)
    dom = Dom(page.text)
    pairs = [(k, v) for k, v in nok_fields().items()]
    pairs += [("_csrf", str(dom.named("_csrf")[0]["value"]))]
    pairs += [("_submission", str(dom.named("_submission")[0]["value"])), ("_submission", "y" * 32)]
    refused = await post_pairs(form, url, pairs)
    assert refused.status_code == 422, refused.text
    assert "Поле «_submission» отправлено несколько раз" in refused.text
    assert await responses(db) == []


async def test_wrong_answers_come_back_with_the_errors(campaign, world, form, db):
    url = paper_link(campaign, world.s1.id)
    as_operator(form, world, "leader")
    failed = await key_in(form, url, nok_12="")
    assert failed.status_code == 422 and "Анкета не сохранена" in failed.text  # a clerk keys in
    assert "Ответы не отправлены" not in failed.text
    assert f'action="{url}"' in failed.text and await responses(db) == []
    assert (await key_in(form, url)).status_code == 303


async def test_a_personal_link_has_no_keying_in_page(surveys_client, world, form, isolation):
    _, code = await diagnostic_of_t1(surveys_client, world, isolation)
    as_operator(form, world, "leader")
    assert (await form.get(f"/s/{code}/paper")).status_code == 404
    assert (await form.get("/s/not-a-code/paper")).status_code == 404


async def test_the_school_s_sheet_names_its_keying_in_page_on_the_screen_only(
    campaign, world, surveys_client
):
    url = paper_link(campaign, world.s1.id)
    sheet = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/organizations/{world.s1.id}/sheet",
        headers=world.headers("leader"),
    )
    assert sheet.status_code == 200
    assert f'{url}">ввода бумажных анкет</a>' in sheet.text
    assert "@media print { .operator, .back { display: none; } }" in sheet.text


async def test_a_school_the_campaign_does_not_ask_is_named_before_the_public_limit(
    apps, campaign, world, browser, new_address
):
    """With the address's public limit used up, a post for a school outside the campaign is
    422 naming `organization_id` (it can never succeed), not 429 «повторите позже»."""
    small = create_surveys(
        apps.surveys.state.settings.model_copy(update={"anonymous_rate_per_minute": 1}),
        peer_transports={"api": httpx.ASGITransport(app=apps.api)},
    )
    small.dependency_overrides = apps.surveys.dependency_overrides  # the test's transaction
    path = f"/v1/campaigns/{campaign['id']}/responses"
    body = {"organization_id": str(world.s1.id), "answers": nok_answers()}
    async with small.router.lifespan_context(small), browser(new_address(), small) as client:
        await fresh_window(small.state.anonymous_limit, room=30)
        assert (await client.post(path, json=body)).status_code == 201
        assert (await client.post(path, json=body)).status_code == 429
        outside = await client.post(path, json=body | {"organization_id": str(world.s3.id)})
    assert outside.status_code == 422, outside.text
    assert outside.json()["errors"][0]["loc"] == ["body", "organization_id"]


async def test_an_empty_questionnaire_keyed_in_is_refused(surveys_client, world, form, db):
    campaign = await launch_optional(surveys_client, world, [world.s1.id])
    url = paper_link(campaign, world.s1.id)
    as_operator(form, world, "leader")
    page = await form.get(url)
    assert page.status_code == 200, page.text
    dom = Dom(page.text)
    tokens = {name: str(dom.named(name)[0]["value"]) for name in ("_csrf", "_submission")}
    failed = await form.post(url, data=tokens)
    assert failed.status_code == 422 and EMPTY in failed.text
    assert await responses(db) == []
