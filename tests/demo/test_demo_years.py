"""The demo's years agree: its data are of the previous and the current school year of today,
as its roadmaps are dated (services/demo/years.py); nothing it writes is dated after today but
deadlines; the district's plan of the year reports indicator values of its year."""

import html
import re
from datetime import UTC, date, datetime

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.demo.indicators import definitions
from services.demo.loader import DEMO_PASSWORD
from services.demo.roadmap import PLAN_INDICATORS, PLAN_TITLE, demo_text, seed_periods
from services.demo.years import demo_years, shift
from shared.db import create_engine
from shared.periods import contains, parse_period
from tests.conftest import running_apps
from tests.demo.helpers import read
from tests.facts import sync_facts


def test_the_demo_years_are_the_seeds_years_moved_to_today():
    assert demo_years(date(2026, 12, 2)) == ("2025/2026", "2026/2027")
    assert demo_years(date(2026, 8, 31)) == ("2024/2025", "2025/2026")
    assert demo_years(date(2021, 9, 1)) == ("2020/2021", "2021/2022")  # the seeds' own
    for today in (date(2026, 12, 2), date(2027, 3, 1), date(2030, 9, 1)):
        # The same move as the roadmaps': the seeds' two school years become the demo's.
        moved = demo_text("2020/2021 и 2021/2022 учебные годы", today)
        assert moved == " и ".join(demo_years(today)) + " учебные годы"
        assert shift(today) == int(demo_years(today)[1][:4]) - 2021
        assert seed_periods(today)["004"] == demo_years(today)[1][:4]


async def _rows(url: str, query: str) -> list:
    engine = create_engine(url, pool_size=1)
    try:
        async with engine.connect() as conn:
            return list((await conn.execute(text(query))).all())
    finally:
        await engine.dispose()


async def test_every_period_and_date_the_demo_writes_is_of_its_years_and_not_ahead(loaded_demo):
    settings = loaded_demo.settings
    today, url = settings.today(), settings.database_url
    years = demo_years(today)
    spans = [parse_period(y) for y in years]
    now = datetime.now(UTC)

    def within(day: date) -> bool:
        return any(contains(span, day) for span in spans)

    periods = await _rows(
        url,
        "SELECT DISTINCT period FROM api.data_value "
        "UNION SELECT DISTINCT year FROM api.assessment_result "
        "UNION SELECT DISTINCT year FROM api.assessment_participant",
    )
    assert {p for (p,) in periods} == set(years)
    campaigns = await _rows(url, "SELECT period, opens_at, closes_at FROM surveys.campaign")
    assert {p for p, *_ in campaigns} <= set(years)
    for period, opens, closes in campaigns:
        assert within(opens.date()) and opens < now, (period, opens)
        if closes < now:  # closed: in its school year; else open, closing ahead
            assert contains(parse_period(period), closes.date()), (period, closes)
    decisions = await _rows(url, "SELECT decided_on FROM reports.decision")
    assert len(decisions) == 3
    assert all(contains(spans[0], d) and d < today for (d,) in decisions)
    windows = await _rows(url, "SELECT period, opens_date, due_date FROM api.collection_window")
    assert [w[0] for w in windows] == [years[0]]
    assert all(within(o) and o < d < today for _, o, d in windows)
    said = loaded_demo.said
    assert f"results of {years[0]} and {years[1]}" in said
    assert f"satisfaction questionnaires) of {years[0]}, closed" in said


def _text(page: str) -> str:
    page = re.sub(r"<(style|svg)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


async def test_the_plan_of_the_year_reports_indicator_values_of_its_year(loaded_demo):
    settings = loaded_demo.settings
    current = demo_years(settings.today())[1]
    names = {d["code"]: d["name"] for d in definitions()}
    engine = create_engine(settings.database_url)
    try:
        async with running_apps(settings) as apps:
            await sync_facts(apps, async_sessionmaker(engine, expire_on_commit=False))
            transport = httpx.ASGITransport(app=apps.api)
            async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
                signed = await client.post(
                    "/v1/auth/token",
                    data={"username": "analyst@demo.soko.ru", "password": DEMO_PASSWORD},
                )
            token = signed.json()["access_token"]
            roadmaps = await read(apps.api, "/v1/roadmaps", token, limit=100)
            (plan,) = [r for r in roadmaps["items"] if r["title"] == PLAN_TITLE]
            # The experimental programme (seed 003): three calendar years, the last this one.
            year = int(current[:4])
            (programme,) = [r for r in roadmaps["items"] if r["period"] == f"{year - 2}-{year}"]
            transport = httpx.ASGITransport(app=apps.reports)
            async with httpx.AsyncClient(transport=transport, base_url="http://r") as client:
                bearer = {"Authorization": f"Bearer {token}"}
                report = await client.get(f"/v1/reports/roadmaps/{plan['id']}", headers=bearer)
                spanned = await client.get(
                    f"/v1/reports/roadmaps/{programme['id']}", headers=bearer
                )
    finally:
        await engine.dispose()

    # A programme's report starts from the school year of today, inside its span.
    assert spanned.status_code == 200, spanned.text
    assert f"Период отчёта: {current}" in _text(spanned.text)

    assert plan["period"] == current
    assert report.status_code == 200, report.text
    shown = _text(report.text)
    assert f"Период отчёта: {current}" in shown
    # Each of the plan's indicators, with the district's value of the year (not «—»).
    for code in PLAN_INDICATORS:
        name = re.escape(names[code])
        # The name, how a territory's figure is obtained «(кластеры и территории: …)», its rows.
        row = re.search(
            name + r"(?: \([^)]*\))? территория Демонстрационный муниципальный район (\S+)", shown
        )
        assert row, code
        assert row[1] != "—", code
