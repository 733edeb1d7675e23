"""The documents as a person reads them in a browser (the fresh user's findings on issue 16):
the school card shows every indicator with its full name on screen and links its .xlsx; in
print, a flagged value's mark keeps to the value's line and the note explains only the marks
of the rows printed."""

import re
from urllib.parse import quote

import pytest

from tests.api.validation import set_bound
from tests.reports.documents_world import (
    PERIOD,
    XLSX,
    parse,
    post_indicator,
    roadmap_with_indicators,
)
from tests.reports.helpers import post_values
from tests.surveys.forms import BANK, CHROMIUM, phone

# The printed page's width inside its margins (A4, 10 mm each side), in CSS pixels.
A4_WIDTH = round(190 / 25.4 * 96)
LONG = "ОО, реализующая адаптированные образовательные программы, имеет условия для их реализации"


async def test_the_card_on_screen_shows_every_indicator_in_full(api_client, reports_client, world):
    # 16 indicators with 90-character names: the printed A4 page keeps 14, the screen all 16.
    names = [f"{LONG} ({i:02d})" for i in range(1, 17)]
    for i, name in enumerate(names, 1):
        await post_indicator(api_client, world, f"long_{i:02d}", name, "percent")
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
    # No campaign of it reached S2 in the period: none was run, not «нет ответов».
    assert f"Не рассчитана: Анкетирование «{title}» в этом периоде не проводилось" in answer.text
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
    # The product is named as on the api's sign-in page it links to («Вход в Soko»).
    assert "войдите в Soko под своей учётной записью" in answer.text
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


async def test_a_document_asked_with_a_wrong_period_is_a_russian_page_in_a_browser(
    reports_client, world, settings
):
    """A period typed into the address bar that is no period (2021/2023), or a format there is
    none of: a page in Russian saying why, linking the api's home; an API client keeps
    problem+json naming the parameter."""
    card = f"/v1/reports/organizations/{world.s1.id}"
    leader = world.headers("leader")
    api = str(settings.api_url).rstrip("/")
    for params, said in (
        ({"period": "2021/2023"}, "ожидается 2021/2022"),
        ({"format": "pdf"}, "format"),
    ):
        answer = await reports_client.get(card, params=params, headers=BROWSER | leader)
        assert answer.status_code == 422, params
        assert answer.headers["content-type"].startswith("text/html"), params
        assert "<h1>Адрес страницы неверен</h1>" in answer.text and said in answer.text
        assert f'<a href="{api}/">На главную</a>' in answer.text
        json = await reports_client.get(card, params=params, headers=leader)
        assert json.headers["content-type"] == "application/problem+json"
        assert json.json()["errors"][0]["loc"] == ["query", next(iter(params))]


async def test_the_bare_address_of_reports_and_surveys_leads_to_the_api_home(
    reports_client, surveys_client, settings
):
    for client in (reports_client, surveys_client):
        answer = await client.get("/", headers=BROWSER)
        assert answer.status_code == 303
        assert answer.headers["location"] == str(settings.api_url).rstrip("/") + "/"


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not at {CHROMIUM}")
async def test_a_charts_long_labels_stay_inside_it(
    api_client, reports_client, db, world, playwright
):
    # A yes/no indicator is charted by territory and cluster: the demo's long territory name.
    long_name = "Демонстрационный муниципальный район Брянской области"
    world.m1.name = long_name
    await db.flush()
    roadmap = await roadmap_with_indicators(api_client, world)
    fields = {"roadmap_ids": [roadmap["id"]]}
    await post_indicator(api_client, world, "plan", "В ОО есть план ВСОКО", "boolean", **fields)
    await post_values(
        api_client,
        world,
        [("plan", world.s1.id, PERIOD, True), ("plan", world.s2.id, PERIOD, False)],
    )
    report = await reports_client.get(
        f"/v1/reports/roadmaps/{roadmap['id']}",
        params={"period": PERIOD},
        headers=world.headers("analyst"),
    )
    assert report.status_code == 200, report.text
    async with phone(playwright) as (page, problems):
        await page.set_content(report.text)
        # Each label's box in the chart's own coordinates: it starts at or right of 0.
        boxes = await page.evaluate(
            "[...document.querySelectorAll('svg.bars text.label')].map(t => {"
            "const b = t.getBBox(), shown = [...t.childNodes].filter(n => n.nodeName != 'title');"
            "const svg = t.ownerSVGElement; return [svg.getAttribute('aria-label'),"
            " shown.map(n => n.textContent).join(' '), b.x, b.y + b.height,"
            " svg.viewBox.baseVal.height];})"
        )
    assert problems == []
    assert boxes, "no bar chart"
    for _, text, left, bottom, height in boxes:
        assert left >= 0 and bottom <= height, (text, left, bottom, height)
    # The territory's whole name is on the yes/no chart: in two lines, nothing cut.
    plan = [text for chart, text, *_ in boxes if chart.startswith("В ОО есть план ВСОКО")]
    assert plan == [long_name, "Кластер 1"]


def _period_links(body: str) -> str:
    """The text of the document's «other periods» links, tags dropped."""
    nav = re.search(r'<nav class="periods"[^>]*>(.*?)</nav>', body, re.S)
    assert nav is not None
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", nav[1])).strip()


async def test_documents_link_only_periods_with_data_spaced_apart(
    api_client, reports_client, world
):
    # documents_world's values: 2019/2020, 2020/2021 and 2021/2022, none later or earlier.
    roadmap = await roadmap_with_indicators(api_client, world)
    leader = world.headers("leader")
    card = f"/v1/reports/organizations/{world.s1.id}"
    links = {}
    for period in ("2019/2020", "2020/2021", "2021/2022", "2024/2025"):
        answer = await reports_client.get(card, params={"period": period}, headers=leader)
        assert answer.status_code == 200, answer.text
        links[period] = _period_links(answer.text)
    assert links == {
        "2019/2020": "2020/2021 →",  # no 2018/2019: nothing there
        "2020/2021": "← 2019/2020 · 2021/2022 →",  # two links, apart
        "2021/2022": "← 2020/2021",  # no empty 2022/2023
        "2024/2025": "← 2021/2022",  # over the three empty years
    }
    # The published view's links keep it.
    answer = await reports_client.get(
        card, params={"period": "2020/2021", "approved_only": "true"}, headers=leader
    )
    assert '<a href="?period=2021/2022&amp;approved_only=true">2021/2022 →</a>' in answer.text
    answer = await reports_client.get(
        f"/v1/reports/roadmaps/{roadmap['id']}",
        params={"period": "2023/2024"},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    assert _period_links(answer.text) == "← 2021/2022"
    assert '<a href="?period=2021/2022">← 2021/2022</a>' in answer.text


async def _flagged_card(api_client, reports_client, world, flagged: range) -> str:
    """The card of S1 with 16 indicators of 90-character names (values 51–66 %), those of
    `flagged` (1–16) flagged by an outlier bound (at most 40 %): the page's HTML."""
    for i in range(1, 17):
        await post_indicator(api_client, world, f"long_{i:02d}", f"{LONG} ({i:02d})", "percent")
    await post_values(
        api_client, world, [(f"long_{i:02d}", world.s1.id, PERIOD, 50 + i) for i in range(1, 17)]
    )
    for i in flagged:
        await set_bound(api_client, world, f"long_{i:02d}", 0, 40)
    answer = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD},
        headers=world.headers("leader"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.text.count("⚠\u00a0требует проверки") == len(flagged)
    return answer.text


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not at {CHROMIUM}")
async def test_a_card_of_flagged_values_still_prints_on_one_a4_page(
    api_client, reports_client, world, playwright
):
    # Every printed row flagged: the mark goes on the value's line, the rows keep their height.
    await roadmap_with_indicators(api_client, world)
    card = await _flagged_card(api_client, reports_client, world, range(1, 17, 2))
    async with phone(playwright) as (page, problems):
        await page.set_content(card)
        pdf = await page.pdf(prefer_css_page_size=True)
        await page.set_viewport_size({"width": A4_WIDTH, "height": 1000})
        await page.emulate_media(media="print")
        heights = await page.evaluate(
            "[...document.querySelectorAll('table.indicators tbody tr:not(.print-cut)')]"
            ".map(r => r.getBoundingClientRect().height)"
        )
        legend = await page.locator(".flag-note:visible").all_inner_texts()
    assert problems == []
    pages = len(re.findall(rb"/Type\s*/Page\b", pdf))
    assert pages == 1, f"the card prints on {pages} pages"
    # Flagged (odd) rows are as tall as the others, the printed rows' marks explained.
    assert len(heights) == 14 and len(set(heights)) == 1, heights
    assert legend == [
        "⚠ требует проверки — в значение вошли данные, которые нарушают правило проверки "
        "или похожи на выброс."
    ]


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not at {CHROMIUM}")
async def test_the_printed_card_explains_no_mark_only_its_cut_rows_carry(
    api_client, reports_client, world, playwright
):
    # Only the 15th and 16th indicators flagged: past the 14 printed rows.
    card = await _flagged_card(api_client, reports_client, world, range(15, 17))
    async with phone(playwright) as (page, problems):
        await page.set_content(card)
        on_screen = await page.locator(".flag-note").filter(has_text="требует").count()
        shown = page.locator(".flag-note:visible")
        assert await shown.count() == on_screen == 1
        await page.emulate_media(media="print")
        printed = await page.locator(".flag-note:visible").count()
        marks = await page.locator(".flag:visible").count()
    assert problems == []
    assert (printed, marks) == (0, 0)


async def test_a_long_reason_wraps_in_its_cell_and_the_report_keeps_to_the_page(
    api_client, reports_client, world, playwright
):
    """A value's reason is a sentence («нет данных: инструмент «…» не найден», «скрыто: по
    этой доле можно узнать…»): it wraps in the status cell; the roadmap report's table stays
    within the window and the A4 page (the cell kept it on one line: 1331 px in 1280)."""
    roadmap = await roadmap_with_indicators(api_client, world)
    code = "parents_satisfaction_of_the_school_year_survey_typed_wrong_" + "x" * 20
    await post_indicator(
        api_client,
        world,
        "sat_typo",
        "Удовлетворённость родителей",
        "percent",
        method="survey_positive_share",
        params={"instrument_code": code},
        roadmap_ids=[roadmap["id"]],
    )
    report = await reports_client.get(
        f"/v1/reports/roadmaps/{roadmap['id']}",
        params={"period": PERIOD},
        headers=world.headers("analyst"),
    )
    assert report.status_code == 200, report.text
    assert code in report.text
    async with phone(playwright) as (page, problems):
        for width, media in ((1280, "screen"), (A4_WIDTH, "print")):
            await page.set_viewport_size({"width": width, "height": 800})
            await page.emulate_media(media=media)
            await page.set_content(report.text)
            wide = await page.evaluate("document.documentElement.scrollWidth")
            assert wide <= width, (media, wide)
    assert problems == []


# Each table of a page on screen: its box's right edge and each column title's.
COLUMNS = """
[...document.querySelectorAll('table')].map(t => ({
  table: t.className, right: t.getBoundingClientRect().right,
  columns: [...t.querySelectorAll('thead th')].map(c => [
    c.textContent.trim(), c.getBoundingClientRect().right,
  ]),
}))
"""


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not at {CHROMIUM}")
async def test_a_phone_sees_every_column_of_the_cards_tables(
    api_client, reports_client, world, playwright
):
    """On a phone (390 px) the card's tables of figures (a roadmap's execution: six columns)
    show every column on the first screen: «Выполнено, %», the last, was cut at the edge."""
    await roadmap_with_indicators(api_client, world)
    card = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD},
        headers=world.headers("leader"),
    )
    assert card.status_code == 200, card.text
    async with phone(playwright) as (page, problems):
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.set_content(card.text)
        tables = await page.evaluate(COLUMNS)
    assert problems == []
    assert "execution" in [t["table"] for t in tables], tables
    for table in tables:
        for title, right in table["columns"]:
            assert right <= table["right"] + 0.5, (table["table"], title, right, table["right"])


# As the demo's: a name with long words, a status in words, a change in points.
ADVISERS = (
    "Доля заместителей директоров по учебно-воспитательной работе, повысивших управленческие "
    "компетенции по вопросам организации профориентационной работы"
)


@pytest.mark.skipif(not CHROMIUM.exists(), reason=f"Debian's Chromium is not at {CHROMIUM}")
async def test_a_phone_sees_the_status_and_change_of_the_cards_indicators(
    api_client, reports_client, world, playwright
):
    """On a phone (390 px) the card's «Показатели» show every column on the first screen: a
    status kept on one line («✗ не достигнуто») and a name's long word pushed «Статус» and
    «Изменение» past the table's edge (401–484 px in a 382 px box)."""
    roadmap = await roadmap_with_indicators(api_client, world)
    await post_indicator(
        api_client,
        world,
        "advisers",
        ADVISERS,
        "percent",
        target={"op": ">=", "value": 10},
        roadmap_ids=[roadmap["id"]],
    )
    await post_values(
        api_client,
        world,
        [("advisers", world.s1.id, "2020/2021", 6.5), ("advisers", world.s1.id, PERIOD, 5.5)],
    )
    card = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD},
        headers=world.headers("leader"),
    )
    assert card.status_code == 200, card.text
    assert "не достигнуто" in card.text
    async with phone(playwright) as (page, problems):
        await page.set_viewport_size({"width": 390, "height": 844})
        await page.set_content(card.text)
        tables = await page.evaluate(COLUMNS)
        wide = await page.evaluate("document.documentElement.scrollWidth")
    assert problems == []
    assert wide <= 390
    (figures,) = [t for t in tables if t["table"] == "indicators"]
    assert [title for title, _ in figures["columns"]][-2:] == ["Статус", "Изменение"], figures
    for title, right in figures["columns"]:
        assert right <= figures["right"] + 0.5, (title, right, figures["right"])
