"""The demo's parents' campaigns as a user meets them: the satisfaction survey of this school
year is open, with parents' answers from most schools through their links and «затрудняюсь
ответить» on its form; the gymnasium's leader keys in paper questionnaires from the home; the
closed campaigns of completed school years are dated in that school year, not on the day of
the load, and before today."""

from datetime import UTC, date, datetime, timedelta
from urllib.parse import urlsplit

import httpx

from services.demo.indicators import _schools
from services.demo.loader import DEMO_PASSWORD
from services.demo.open_survey import NOT_YET, web_respondents
from services.demo.roadmap import GYMNASIUM
from services.demo.surveys import in_school_year
from services.demo.years import demo_years, year_before
from shared.headers import SESSION_COOKIE
from shared.periods import academic_year_of, contains, parse_period
from tests.api.test_pages import sign_in
from tests.conftest import running_apps
from tests.demo.helpers import organizations, read

KEY_IN = "Ввести бумажные анкеты"
UNSURE = "Затрудняюсь ответить"
LIKERT_QUESTIONS = 20  # of parents_satisfaction: 4 + 3 + 3 + 4 + 3 + 3


def test_most_schools_have_answers_so_far_a_few_none_the_gymnasium_some():
    schools = _schools(organizations())
    counts = web_respondents(schools)
    assert counts == web_respondents(_schools(organizations()))  # seeded
    assert sum(n == 0 for n in counts.values()) == NOT_YET == 4
    (gymnasium,) = [s for s in schools if s.name == GYMNASIUM]
    assert counts[gymnasium.id] > 0
    pupils = sum(s.base["students"][1] for s in schools)
    assert 0.01 * pupils < sum(counts.values()) < 0.04 * pupils  # a few days in: modest


def test_a_day_of_a_school_year_falls_in_it():
    assert in_school_year("2021/2022", (4, 4)) == date(2022, 4, 4)
    assert in_school_year("2021/2022", (10, 4)) == date(2021, 10, 4)


async def _token(api, email: str) -> str:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=api), base_url="http://a") as c:
        signed = await c.post("/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD})
    assert signed.status_code == 200, signed.text
    return signed.json()["access_token"]


async def _open_campaign(apps, token: str) -> dict:
    campaigns = await read(apps.surveys, "/v1/campaigns", token)
    (found,) = [
        c for c in campaigns["items"] if c["audience"] == "parents" and c["status"] == "open"
    ]
    return found


async def test_a_parents_campaign_of_this_school_year_is_open_with_answers(loaded_demo):
    settings, said = loaded_demo.settings, loaded_demo.said
    now = datetime.now(UTC)
    async with running_apps(settings) as apps:
        token = await _token(apps.api, "analyst@demo.soko.ru")
        campaign = await _open_campaign(apps, token)
        rates_page = await read(
            apps.surveys, f"/v1/campaigns/{campaign['id']}/rates", token, limit=100
        )
        rates = rates_page["items"]
        names = {
            o["id"]: o["name"]
            for o in (await read(apps.api, "/v1/organizations", token, limit=100))["items"]
        }
        (gymnasium,) = [i for i, name in names.items() if name == GYMNASIUM]
        (link,) = [x["url"] for x in campaign["links"] if x["organization_id"] == gymnasium]
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps.surveys), base_url="http://surveys"
        ) as parent:  # a parent opens the school's link, signed in nowhere
            form = await parent.get(urlsplit(link).path)

    assert campaign["period"] == academic_year_of(settings.today()).code
    assert campaign["title"] == "Удовлетворённость родителей" and campaign["anonymous"]
    assert (campaign["instrument_code"], campaign["version"]) == ("parents_satisfaction", 2)
    opened, closes = (datetime.fromisoformat(campaign[k]) for k in ("opens_at", "closes_at"))
    assert now - timedelta(days=7) < opened < now - timedelta(days=2)
    assert now + timedelta(days=25) < closes < now + timedelta(days=35)
    # The 25 schools: parents of 21 answered through the link (none on paper yet), 4 not yet.
    expected = web_respondents(_schools(organizations()))
    assert len(rates) == 25 and rates_page["total"] == 25
    assert sorted(r["responses"] for r in rates) == sorted(expected.values())
    assert all(r["channels"] == {"web": r["responses"], "paper": 0, "import": 0} for r in rates)
    answered = [r for r in rates if r["responses"]]
    assert len(answered) == 21 and all(0 < r["rate"] < 5 for r in answered)
    by_name = {names[r["organization_id"]]: r["responses"] for r in rates}
    assert by_name[GYMNASIUM] > 0
    assert f"the parents' satisfaction survey of {campaign['period']}, open" in said
    assert f"({sum(expected.values())} answers from 21 schools so far" in said
    assert f"a parent's form: {link}" in said
    # The parent's form offers «затрудняюсь ответить» on each point-scale question.
    assert form.status_code == 200, form.text
    assert form.text.count(UNSURE) >= LIKERT_QUESTIONS


async def test_the_gymnasium_s_leader_keys_in_paper_questionnaires_from_the_home(loaded_demo):
    async with running_apps(loaded_demo.settings) as apps:
        token = await _token(apps.api, "leader@demo.soko.ru")
        campaign = await _open_campaign(apps, token)
        (link,) = campaign["links"]  # the leader reads their own school's only
        transport = httpx.ASGITransport(app=apps.api)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as browser:
            signed = await sign_in(browser, "leader@demo.soko.ru", DEMO_PASSWORD)
            assert signed.status_code == 303, signed.text
            home = await browser.get("/home")
            session = browser.cookies[SESSION_COOKIE]
        paper_url = f"{link['url']}/paper"
        async with httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps.surveys),
            base_url="http://surveys",
            cookies={SESSION_COOKIE: session},  # shared across the ports of one host
        ) as browser:
            paper = await browser.get(urlsplit(paper_url).path)

    assert home.status_code == 200, home.text
    assert f'<a class="button secondary" href="{paper_url}">{KEY_IN}</a>' in home.text
    assert paper.status_code == 200, paper.text
    assert "Гимназия № 1" in paper.text and "Сохранить анкету" in paper.text


async def test_closed_campaigns_are_dated_in_their_school_year(loaded_demo):
    async with running_apps(loaded_demo.settings) as apps:
        token = await _token(apps.api, "analyst@demo.soko.ru")
        campaigns = (await read(apps.surveys, "/v1/campaigns", token))["items"]
        transport = httpx.ASGITransport(app=apps.api)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as browser:
            await sign_in(browser, "analyst@demo.soko.ru", DEMO_PASSWORD)
            home = (await browser.get("/home")).text

    now = datetime.now(UTC)
    today = loaded_demo.settings.today()
    earlier = parse_period(demo_years(today)[0])
    closed = [c for c in campaigns if c["status"] == "closed"]
    # The НОК and satisfaction questionnaires of the parents of the earlier of the demo's
    # completed school years, the diagnostic of the teachers of the year before today's.
    assert sorted((c["audience"], c["period"]) for c in closed) == [
        ("parents", earlier.code),
        ("parents", earlier.code),
        ("teachers", year_before(today)),
    ]
    for campaign in closed:
        year = parse_period(campaign["period"])
        opened, shut = (datetime.fromisoformat(campaign[k]) for k in ("opens_at", "closes_at"))
        assert contains(year, opened.date()) and contains(year, shut.date()), campaign
        assert opened < shut < now
        if campaign["audience"] == "parents":  # closed by the end of May
            assert shut.date() <= date(year.end.year, 5, 31)
    # The analyst's home says so («завершена, до 27.05.2025» for 2024/2025), never the day of
    # the load.
    assert home.count(f"завершена, до 27.05.{earlier.end.year}") == 2
    assert f"завершена, до 29.10.{parse_period(year_before(today)).start.year}" in home
    assert f"завершена, до {today.strftime('%d.%m.%Y')}" not in home
