"""What a person sees when a page's form is refused before any rule looks at it, when the
session ran out before a button was pressed, and when a page's address names a period that is
none: always a Russian page (or the page they were on), never the API's problem+json as raw
text; API clients keep their problem+json."""

import html
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.api import test_pages
from tests.api.test_pages_next import NEXT
from tests.factories import PASSWORD
from tests.surveys.forms import csrf_of

browser = test_pages.browser
roadmap_world = test_pages.roadmap_world
signed_in = test_pages.signed_in
HTML = {"accept": "text/html,application/xhtml+xml,*/*;q=0.8"}  # what a browser sends


def is_problem_json(answer) -> bool:
    return answer.headers["content-type"].startswith("application/problem+json")


async def test_a_nul_in_a_page_form_is_a_russian_page_naming_the_field(browser, world, db):
    client, home = await signed_in(browser, "leader@soko.example")
    evidence = f"/activities/{world.a1.id}/evidence"
    page = await client.get(evidence)
    link = {"url": "https://school1.example/a", "title": "Новость\x00", "_csrf": csrf_of(page)}
    refused = await client.post(evidence, data=link, headers=HTML)
    assert refused.status_code == 422, refused.text
    assert refused.headers["content-type"].startswith("text/html")
    assert "Форма заполнена неверно" in refused.text
    assert "поле title: " in refused.text and "U+0000" in refused.text
    await db.refresh(world.a1)
    assert world.a1.evidence == []  # nothing attached
    done = await client.post(
        f"/activities/{world.a1.id}/done",
        data={"_csrf": csrf_of(home), "back": "x\x00"},
        headers=HTML,
    )
    assert done.status_code == 422 and "поле back: " in done.text
    await db.refresh(world.a1)
    assert world.a1.status != "done"


async def test_a_form_past_its_field_limit_is_a_russian_page(browser, world, db):
    client, home = await signed_in(browser, "leader@soko.example")
    fields = {f"f{i}": "x" for i in range(30)} | {"_csrf": csrf_of(home)}
    refused = await client.post(f"/activities/{world.a1.id}/done", data=fields, headers=HTML)
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("text/html")
    assert "Форма заполнена неверно" in refused.text
    assert "больше полей или файлов, чем она принимает" in refused.text
    await db.refresh(world.a1)
    assert world.a1.status != "done"
    signed_out = browser()  # the sign-in form (no session yet) reads its form itself
    page = await signed_out.get("/")
    many = {f"f{i}": "x" for i in range(30)} | {"_csrf": csrf_of(page)}
    refused = await signed_out.post("/sign-in", data=many, headers=HTML)
    assert refused.status_code == 422 and "Форма заполнена неверно" in refused.text


async def test_an_api_client_posting_there_keeps_its_problem_json(browser, world):
    client, home = await signed_in(browser, "leader@soko.example")
    fields = {f"f{i}": "x" for i in range(30)} | {"_csrf": csrf_of(home)}
    for accept in ("application/json", "*/*"):
        answer = await client.post(
            f"/activities/{world.a1.id}/done", data=fields, headers={"accept": accept}
        )
        assert answer.status_code == 422 and is_problem_json(answer), accept
        assert "больше полей или файлов" in answer.json()["errors"][0]["msg"]
    nul = {"_csrf": csrf_of(home), "back": "x\x00"}
    answer = await client.post(f"/activities/{world.a1.id}/done", data=nul)
    assert answer.status_code == 422 and is_problem_json(answer)
    assert answer.json()["errors"][0]["loc"] == ["body", "back"]


async def sign_in_again(client, location: str) -> str:
    """Follow the sign-in page `location` leads to, sign in as the leader; where it lands."""
    page = await client.get(location)
    fields = {"username": "leader@soko.example", "password": PASSWORD, "_csrf": csrf_of(page)}
    if found := NEXT.search(page.text):
        fields["next"] = html.unescape(found.group(1))
    answer = await client.post("/sign-in", data=fields)
    assert answer.status_code == 303, answer.text
    return answer.headers["location"]


async def test_a_lost_session_leads_back_to_the_page_the_button_was_on(browser, roadmap_world, db):
    world = roadmap_world
    client, _ = await signed_in(browser, "leader@soko.example")
    evidence = f"/activities/{world.a1.id}/evidence"
    roadmap = f"/roadmaps/{world.r1.id}/activities"
    pages = {"evidence": evidence, f"roadmap:{world.r1.id}": f"{roadmap}#activity-{world.a1.id}"}
    for back, expected in pages.items():
        page = await client.get(expected.split("#")[0])
        token = csrf_of(page)
        client.cookies.delete("soko_session")  # the session expired meanwhile
        fields = {"_csrf": token, "back": back}
        answer = await client.post(f"/activities/{world.a1.id}/done", data=fields)
        assert answer.status_code == 303
        assert parse_qs(urlsplit(answer.headers["location"]).query)["next"] == [expected]
        assert await sign_in_again(client, answer.headers["location"]) == expected
    await db.refresh(world.a1)
    assert world.a1.status != "done"  # nothing done: the person presses again


@pytest.mark.parametrize(
    "back", ["//evil.example", "https://evil", "/\\evil", "roadmap://evil.example", "evidence/x"]
)
async def test_a_forged_back_field_never_leads_away(browser, world, back):
    client, home = await signed_in(browser, "leader@soko.example")
    client.cookies.delete("soko_session")
    answer = await client.post(
        f"/activities/{world.a1.id}/done", data={"_csrf": csrf_of(home), "back": back}
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/?lost=1"
    assert await sign_in_again(client, "/") == "/home"


async def test_a_lost_session_on_a_page_of_recommendations_leads_back_to_it(browser, world):
    client, home = await signed_in(browser, "leader@soko.example")
    client.cookies.delete("soko_session")
    org = world.s1.id
    fields = {"_csrf": csrf_of(home), "status": "accepted", "back": f"rec_org={org}&x=//evil"}
    answer = await client.post(f"/recommendations/{world.rec_s1.id}/status", data=fields)
    expected = f"/home?rec_org={org}#recommendations-title"
    assert await sign_in_again(client, answer.headers["location"]) == expected


@pytest.mark.parametrize(
    ("who", "period", "said"),
    [
        ("method@soko.example", "abc", "за учебный год, например 2021/2022, а не «abc»"),
        ("method@soko.example", "2022", "за учебный год, например 2021/2022, а не «2022»"),
        ("leader@soko.example", "2021/2023", "2021/2023"),
        ("leader@soko.example", "abc", "квартал (2022Q3)"),
    ],
)
async def test_a_home_with_a_period_that_is_none_says_so(browser, world, who, period, said):
    """The methodologist's home takes a school year only: a period that does not parse is
    told so too (it was offered a year, a quarter or a month, and 2022 then refused)."""
    client, _ = await signed_in(browser, who)
    answer = await client.get("/home", params={"period": period})
    assert answer.status_code == 422
    assert "Период не распознан" in answer.text and said in answer.text
    if who.startswith("method"):
        assert "квартал" not in answer.text, answer.text
    assert (await client.get("/home", params={"period": ""})).status_code == 200
