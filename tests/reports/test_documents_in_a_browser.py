"""The documents as a person reads them in a browser (the fresh user's findings on issue 16):
the school card shows every indicator with its full name on screen and links its .xlsx."""

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
