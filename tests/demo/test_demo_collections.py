"""The demo's data collection as its people meet it: the analyst's home lists the late ones
(the kindergartens and the centre, which report nothing) and the two schools' submissions
waiting for approval; the gymnasium's leader sees the school's data complete and may submit."""

from datetime import date

import httpx

from services.demo.loader import DEMO_PASSWORD
from services.demo.years import demo_years
from shared.periods import parse_period
from tests.api.test_pages import sign_in
from tests.conftest import running_apps
from tests.surveys.forms import Dom


async def _home(apps, email: str) -> str:
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as browser:
        signed = await sign_in(browser, email, DEMO_PASSWORD)
        assert signed.status_code == 303, signed.text
        home = await browser.get("/home")
        assert home.status_code == 200, home.text
        return home.text


def _card(html: str, today: date) -> str:
    """The card of the demo's collection: the monitoring of the earlier completed year."""
    name = f"Мониторинг ВСОКО за {demo_years(today)[0]} учебный год"
    cards = [c for c in html.split('id="collection-')[1:] if name in c]
    assert len(cards) == 1, html
    card_id = cards[0].split('"', 1)[0]
    return Dom(html).text(f"collection-{card_id}").replace("\xa0", " ")


async def test_the_analyst_sees_the_late_and_the_submitted(loaded_demo):
    async with running_apps(loaded_demo.settings) as apps:
        card = _card(await _home(apps, "analyst@demo.soko.ru"), loaded_demo.settings.today())
    # Due on 10 June of the earlier of the demo's completed school years: long past.
    due = date(parse_period(demo_years(loaded_demo.settings.today())[0]).end.year, 6, 10)
    assert due < loaded_demo.settings.today()
    assert f"срок сдачи {due:%d.%m.%Y}" in card
    assert "Опаздывают: 3 из 28" in card
    late = card[card.index("Опаздывают") : card.index("Ждут утверждения")]
    # Natural order, each with nothing reported.
    assert late.index("Детский сад № 1") < late.index("Детский сад № 2")
    assert late.index("Детский сад № 2") < late.index("Центр детского творчества")
    assert late.count("заполнено 0 %") == 3 and "СОШ" not in late
    waiting, approved = card[card.index("Ждут утверждения") :].split("Утверждено вами")
    assert "Ждут утверждения: 2" in waiting
    assert waiting.index("СОШ № 3") < waiting.index("СОШ № 4") and "Лицей № 2" not in waiting
    assert "утверждено: 1 из 28" in card
    # The lyceum's data, which the analyst approved, with the button to withdraw the approval.
    assert approved.startswith(": 1 МБОУ «Лицей № 2»") and "Отозвать утверждение" in approved


async def test_the_gymnasium_s_leader_may_submit_complete_data(loaded_demo):
    async with running_apps(loaded_demo.settings) as apps:
        card = _card(await _home(apps, "leader@demo.soko.ru"), loaded_demo.settings.today())
    assert "Заполнено: 100 % (4 из 4)" in card and "Статус: не представлено" in card
    assert "Представить на утверждение" in card and "Не внесены" not in card
