"""The homes' campaigns card, page by page: those taking answers first, then the others newest
first, 10 a page with «← Предыдущие» / «Следующие →» links keeping the home's other query
parameters; a page past the end says so (and so does the recommendations' one)."""

import re
from datetime import timedelta
from html import unescape

from tests.api import test_pages
from tests.surveys.forms import DIAGNOSTIC, NOW, add_colleague, launch

browser = test_pages.browser
signed_in = test_pages.signed_in


def _text(html: str) -> str:
    """The words of a page or a fragment of one."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " "))


def _campaigns(html: str) -> str:
    """The campaigns card's HTML (from its heading to the section's end)."""
    start = html.index('id="campaigns-title"')
    return html[start : html.index("</section>", start)]


def _titles(html: str) -> list[str]:
    return re.findall(r"<h3>([^<]+)</h3>", _campaigns(html))


def _link(html: str, label: str) -> str:
    found = re.findall(rf'<a href="([^"]+)"[^>]*>{re.escape(label)}</a>', _campaigns(html))
    assert len(found) == 1, (label, found)
    return unescape(found[0])


async def _eighteen(surveys_client, world, db, settings) -> None:
    """An open diagnostic in S1 (T1 and a colleague to answer) and an open parents' survey
    opened weeks ago, then 16 test campaigns opened since and closed already."""
    await add_colleague(db, settings, world)

    def weeks(days: int) -> dict[str, str]:
        return {"opens_at": (NOW - timedelta(days=days)).isoformat()}

    await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], False,
        title="Открытая диагностика", **weeks(20),
    )  # fmt: skip
    await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id],
        title="Опрос родителей", **weeks(21),
    )  # fmt: skip
    for n in range(1, 17):
        await launch(
            surveys_client, world, "nok_parents_2018", "parents", [world.s1.id],
            title=f"Тестовая кампания {n}",
            opens_at=(NOW - timedelta(days=3) + timedelta(minutes=n)).isoformat(),
            closes_at=(NOW - timedelta(hours=1)).isoformat(),
        )  # fmt: skip


async def test_the_open_campaigns_come_first_and_the_rest_is_paged(
    browser, surveys_client, world, db, settings
):
    await _eighteen(surveys_client, world, db, settings)
    client, home = await signed_in(browser, "leader@soko.example")
    titles = _titles(home.text)
    # The world's two open campaigns of S1 (opened a day ago), then these two older ones.
    assert sorted(titles[:2]) == ["diagnostic_s1", "parents_s1"]
    assert titles[2:4] == ["Открытая диагностика", "Опрос родителей"]
    # Then the closed ones, newest first.
    assert titles[4:] == [f"Тестовая кампания {n}" for n in range(16, 10, -1)]
    text = _text(home.text)
    assert "Показаны 1–10 из 20." in text
    # Who has not answered the older diagnostic (T1 and the colleague); the world's has T1.
    assert "Не ответили: 2" in text and "Не ответили: 1" in text
    assert "Не ответили: 2" in text and "Ввести бумажные анкеты" in text
    assert "← Предыдущие" not in _campaigns(home.text)
    following = _link(home.text, "Следующие →")
    assert following == "/home?camp_from=10#campaigns-title"

    second = await client.get(following)
    assert second.status_code == 200
    assert _titles(second.text) == [f"Тестовая кампания {n}" for n in range(10, 0, -1)]
    assert "Показаны 11–20 из 20." in _text(second.text)
    assert "Следующие →" not in _campaigns(second.text)
    assert _link(second.text, "← Предыдущие") == "/home#campaigns-title"


async def test_campaign_pages_keep_the_home_s_other_parameters(
    browser, surveys_client, world, db, settings
):
    await _eighteen(surveys_client, world, db, settings)
    client, _ = await signed_in(browser, "analyst@soko.example")
    # The analyst (of M1) reads the world's two open campaigns of S1 and these 18.
    home = await client.get("/home", params={"rec_status": "new", "camp_from": "10"})
    assert _titles(home.text)[0] == "Тестовая кампания 10"
    assert _link(home.text, "← Предыдущие") == "/home?rec_status=new#campaigns-title"
    # An offset not on a page's boundary is its page's; anything else the first page.
    assert _titles((await client.get("/home?camp_from=13")).text)[0] == "Тестовая кампания 10"
    first = _titles((await client.get("/home?camp_from=x")).text)[0]
    assert first in ("parents_s1", "diagnostic_s1")


async def test_a_campaign_page_past_the_end_says_so(browser, surveys_client, world, db, settings):
    await _eighteen(surveys_client, world, db, settings)
    client, _ = await signed_in(browser, "analyst@soko.example")
    page = await client.get("/home", params={"camp_from": "999990", "rec_status": "new"})
    assert page.status_code == 200
    text = _text(_campaigns(page.text))
    assert "Страница за концом списка: всего 20 кампаний" in text
    assert "Кампаний анкетирования пока нет" not in text
    assert _link(page.text, "← К первой странице") == "/home?rec_status=new#campaigns-title"
