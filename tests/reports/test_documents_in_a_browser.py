"""The documents as a person reads them in a browser (the fresh user's findings on issue 16):
the school card shows every indicator with its full name on screen and links its .xlsx."""

from urllib.parse import quote

from tests.reports.documents_world import PERIOD, XLSX, parse
from tests.reports.helpers import post_values
from tests.surveys.forms import BANK

LONG = "ОО, реализующая адаптированные образовательные программы, имеет условия для их реализации"


async def test_the_card_on_screen_shows_every_indicator_in_full(api_client, reports_client, world):
    # 16 indicators with 90-character names: the printed A4 page keeps 14, the screen all 16.
    names = [f"{LONG} ({i:02d})" for i in range(1, 17)]
    for i, name in enumerate(names, 1):
        answer = await api_client.post(
            "/v1/indicators",
            json={
                "code": f"long_{i:02d}",
                "name": name,
                "unit": "percent",
                "level": "organization",
                "method": "data_value",
                "params": {"value_type": "percent"},
            },
            headers=world.headers("analyst"),
        )
        assert answer.status_code == 201, answer.text
    await post_values(
        api_client, world, [(f"long_{i:02d}", world.s1.id, PERIOD, 50 + i) for i in range(1, 17)]
    )
    answer = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD},
        headers=world.headers("leader"),
    )
    assert answer.status_code == 200, answer.text
    shown = [row[0] for row in parse(answer.text).tables["indicators"][1:]]
    assert sorted(shown) == names  # all 16, none cut with «…»
    assert "…" not in answer.text
    # The printed page's note on the rest links the same card as .xlsx, and the link works.
    link = f'<a href="?period={PERIOD}&amp;format=xlsx">версии .xlsx</a>'
    assert link in answer.text
    workbook = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}?period={PERIOD}&format=xlsx",
        headers=world.headers("leader"),
    )
    assert workbook.status_code == 200 and workbook.headers["content-type"] == XLSX


async def test_the_card_names_the_questionnaire_without_answers_by_its_title(reports_client, world):
    # S2 has no parents' answers: the card says which questionnaire, as its readers know it.
    answer = await reports_client.get(
        f"/v1/reports/organizations/{world.s2.id}",
        params={"period": PERIOD},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    title = BANK["nok_parents_2018"].title
    assert f"Не рассчитана: Анкетирование «{title}»: нет ответов" in answer.text
    assert "nok_parents_2018" not in answer.text


BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}


async def test_a_browser_gets_a_russian_page_on_401_and_404_an_api_client_json(
    reports_client, world, settings
):
    card = f"/v1/reports/organizations/{world.s1.id}"
    # Signed out (a bookmarked card): «Войдите», the api's sign-in page with the way back.
    answer = await reports_client.get(card, params={"period": PERIOD}, headers=BROWSER)
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("text/html")
    api = str(settings.api_url).rstrip("/")
    back = f"{str(settings.reports_url).rstrip('/')}{card}?period={quote(PERIOD, safe='')}"
    assert "<h1>Войдите</h1>" in answer.text
    assert f'href="{api}/?next={quote(back, safe="")}"' in answer.text
    # Another school's card for a leader: «Не найдено», the api's home.
    other = f"/v1/reports/organizations/{world.s3.id}"
    answer = await reports_client.get(other, headers=BROWSER | world.headers("leader"))
    assert answer.status_code == 404 and "<h1>Не найдено</h1>" in answer.text
    assert f'<a href="{api}/">На главную</a>' in answer.text
    # An API client keeps problem+json: Accept application/json, */* or none.
    for accept in ("application/json", "*/*", None):
        headers = {"Accept": accept} if accept else {}
        answer = await reports_client.get(card, headers=headers)
        assert answer.status_code == 401
        assert answer.headers["content-type"] == "application/problem+json", accept
        answer = await reports_client.get(other, headers=headers | world.headers("leader"))
        assert answer.json()["type"] == "urn:soko:problem:not-found", accept


async def test_the_bare_address_of_reports_and_surveys_leads_to_the_api_home(
    reports_client, surveys_client, settings
):
    for client in (reports_client, surveys_client):
        answer = await client.get("/", headers=BROWSER)
        assert answer.status_code == 303
        assert answer.headers["location"] == str(settings.api_url).rstrip("/") + "/"
