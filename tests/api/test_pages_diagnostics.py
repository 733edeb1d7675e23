"""The methodologist's diagnostics, page by page: the teachers' identified campaigns only (the
surveys service picks and counts them), newest first, 10 a page with «← Предыдущие» /
«Следующие →» links keeping the home's other parameters (`period=`); a page past the end says
so; the PD order is the newest diagnostic's school year whichever page is shown. The other
roles' homes do not take `diag_from`."""

import re
from datetime import timedelta
from html import unescape
from urllib.parse import parse_qsl, urlsplit

from tests.api import test_pages
from tests.surveys.forms import DIAGNOSTIC, NOW, launch

browser = test_pages.browser
signed_in = test_pages.signed_in


def _text(html: str) -> str:
    """The words of a page or a fragment of one."""
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " "))


def _section(html: str, title: str = "diagnostics-title") -> str:
    """A card's HTML (from its heading to the section's end)."""
    start = html.index(f'id="{title}"')
    return html[start : html.index("</section>", start)]


def _titles(html: str, title: str = "diagnostics-title") -> list[str]:
    return re.findall(r"<h3>([^<]+)</h3>", _section(html, title))


def _link(html: str, label: str) -> tuple[str, dict[str, str], str]:
    """The diagnostics' link `label`: its path, its query parameters, its anchor."""
    found = re.findall(rf'<a href="([^"]+)"[^>]*>{re.escape(label)}</a>', _section(html))
    assert len(found) == 1, (label, found)
    parts = urlsplit(unescape(found[0]))
    return parts.path, dict(parse_qsl(parts.query)), parts.fragment


async def _twelve(surveys_client, world) -> None:
    """Eleven diagnostics of 2020/2021 in S1 opened three days ago, older than the world's
    diagnostic of 2021/2022 (opened a day ago): twelve diagnostics reach the methodologist,
    with the world's parents' survey of S1, which is none."""
    for n in range(1, 12):
        await launch(
            surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], False,
            title=f"Диагностика {n}", period="2020/2021",
            opens_at=(NOW - timedelta(days=3) + timedelta(minutes=n)).isoformat(),
        )  # fmt: skip


async def test_the_methodologist_pages_the_diagnostics_keeping_the_period(
    browser, surveys_client, world
):
    await _twelve(surveys_client, world)
    client, home = await signed_in(browser, "method@soko.example")
    assert _titles(home.text) == ["diagnostic_s1"] + [f"Диагностика {n}" for n in range(11, 2, -1)]
    assert "Показаны 1–10 из 12." in _text(_section(home.text))
    assert "← Предыдущие" not in _section(home.text)
    assert _link(home.text, "Следующие →") == ("/home", {"diag_from": "10"}, "diagnostics-title")

    asked = {"period": "2021/2022", "rec_status": "new"}
    first = await client.get("/home", params=asked)
    path, query, anchor = _link(first.text, "Следующие →")
    assert (path, query, anchor) == ("/home", asked | {"diag_from": "10"}, "diagnostics-title")
    second = await client.get(path, params=query)
    assert second.status_code == 200
    assert _titles(second.text) == ["Диагностика 2", "Диагностика 1"]
    assert "Показаны 11–12 из 12." in _text(_section(second.text))
    assert "Следующие →" not in _section(second.text)
    assert _link(second.text, "← Предыдущие") == ("/home", asked, "diagnostics-title")
    assert "План-заказ КПК на 2021/2022" in _text(second.text)


async def test_a_second_page_of_diagnostics_shows_the_same_pd_order(browser, surveys_client, world):
    await _twelve(surveys_client, world)
    client, home = await signed_in(browser, "method@soko.example")
    second = await client.get("/home", params={"diag_from": "10"})
    # Page 2 holds 2020/2021's diagnostics only: the order is still the newest one's year.
    assert {"Диагностика 2", "Диагностика 1"} == set(_titles(second.text))
    assert "План-заказ КПК на 2021/2022" in _text(_section(home.text, "order-title"))
    assert "План-заказ КПК на 2021/2022" in _text(_section(second.text, "order-title"))
    # An offset inside page 2 is page 2; anything else the first page.
    assert _titles((await client.get("/home?diag_from=13")).text) == _titles(second.text)
    assert _titles((await client.get("/home?diag_from=x")).text) == _titles(home.text)


async def test_a_diagnostics_page_past_the_end_says_so(browser, surveys_client, world):
    await _twelve(surveys_client, world)
    client, _ = await signed_in(browser, "method@soko.example")
    page = await client.get("/home", params={"diag_from": "999990", "period": "2020/2021"})
    assert page.status_code == 200
    text = _text(_section(page.text))
    assert "Страница за концом списка: всего 12 диагностик, они на предыдущих страницах." in text
    assert "Диагностик пока нет" not in text
    start = ("/home", {"period": "2020/2021"}, "diagnostics-title")
    assert _link(page.text, "← К первой странице") == start
    assert "План-заказ КПК на 2020/2021" in _text(page.text)


async def test_the_leader_s_and_the_analyst_s_homes_do_not_take_diag_from(
    browser, surveys_client, world
):
    await _twelve(surveys_client, world)
    for email in ("leader@soko.example", "analyst@soko.example"):
        client, home = await signed_in(browser, email)
        assert 'id="diagnostics-title"' not in home.text
        titles = _titles(home.text, "campaigns-title")
        assert len(titles) == 10 and "parents_s1" in titles
        paged = await client.get("/home", params={"diag_from": "10"})
        assert _titles(paged.text, "campaigns-title") == titles
        assert "Страницы диагностик" not in paged.text
