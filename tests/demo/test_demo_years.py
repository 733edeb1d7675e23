"""The demo's years agree (services/demo/years.py): its data are of the two latest completed
school years, what runs now (the open campaigns, the plan of the year, the roadmaps' deadlines)
of today's; nothing it writes is dated after today but deadlines and open campaigns' closing;
the district's plan of the year reports the indicator values of the latest year with data."""

import html
import re
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import httpx
from sqlalchemy import text
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.demo.indicators import definitions
from services.demo.loader import DEMO_PASSWORD
from services.demo.roadmap import PLAN_INDICATORS, PLAN_TITLE, demo_text, seed_periods
from services.demo.years import (
    closing,
    current_year,
    demo_years,
    opening,
    shift,
    year_before,
)
from shared.db import create_engine
from shared.periods import academic_year, contains, parse_period
from tests.conftest import running_apps
from tests.demo.helpers import read
from tests.facts import sync_facts


def test_the_demo_data_are_of_the_two_completed_school_years_and_now_of_today():
    # Completed once 1 June of the school year's spring has passed.
    assert demo_years(date(2026, 12, 2)) == ("2024/2025", "2025/2026")
    assert demo_years(date(2026, 5, 31)) == ("2023/2024", "2024/2025")
    assert demo_years(date(2026, 6, 1)) == ("2024/2025", "2025/2026")
    assert demo_years(date(2026, 8, 31)) == ("2024/2025", "2025/2026")
    assert demo_years(date(2026, 9, 1)) == ("2024/2025", "2025/2026")
    assert current_year(date(2026, 12, 2)) == "2026/2027"
    assert current_year(date(2026, 8, 31)) == "2025/2026"
    assert year_before(date(2026, 12, 2)) == "2025/2026"
    for today in (date(2026, 12, 2), date(2027, 3, 1), date(2030, 9, 1), date(2026, 7, 1)):
        assert year_before(today) in demo_years(today)  # the closed diagnostic's: completed
        # Both years' springs are over (1 June of the later's second calendar year).
        assert date(parse_period(demo_years(today)[1]).end.year, 6, 1) <= today
        # The roadmaps move the seeds' latest school year (2021/2022) to today's.
        moved = demo_text("2020/2021 и 2021/2022 учебные годы", today)
        assert moved == f"{year_before(today)} и {current_year(today)} учебные годы"
        assert shift(today) == int(current_year(today)[:4]) - 2021
        assert seed_periods(today)["004"] == current_year(today)[:4]


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
    running = current_year(today)  # the open campaigns'
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
    assert {p for p, *_ in campaigns} <= {*years, running}
    for period, opens, closes in campaigns:
        assert contains(parse_period(period), opens.date()) and opens < now, (period, opens)
        if closes < now:  # closed: of a completed year, closed in it
            assert period in years and contains(parse_period(period), closes.date())
        else:  # open: of today's school year
            assert period == running, (period, closes)
    # Decided in the autumn after the earlier year (its values collected by then), before today.
    decisions = await _rows(url, "SELECT decided_on FROM reports.decision")
    assert len(decisions) == 3
    assert all(contains(spans[1], d) and spans[0].end < d < today for (d,) in decisions)
    windows = await _rows(url, "SELECT period, opens_date, due_date FROM api.collection_window")
    assert [w[0] for w in windows] == [years[0]]
    decided = min(d for (d,) in decisions)  # the collection's values are in before
    assert all(within(o) and o < due < decided for _, o, due in windows)
    said = loaded_demo.said
    assert f"results of {years[0]} and {years[1]}" in said
    assert f"satisfaction questionnaires) of {years[0]}, closed" in said
    assert f"satisfaction survey of {running}, open" in said


def test_a_demo_window_is_of_whole_days_of_the_time_zone():
    assert opening(date(2026, 11, 27), "Europe/Moscow") == datetime(2026, 11, 26, 21, tzinfo=UTC)
    assert closing(date(2027, 1, 1), "Europe/Moscow") == datetime(2027, 1, 1, 20, 59, tzinfo=UTC)
    assert closing(date(2027, 1, 1), "Asia/Vladivostok").astimezone(UTC).hour == 13


async def test_every_demo_campaign_opens_at_00_00_and_closes_at_23_59_whenever_loaded(
    loaded_demo,
):
    """Not at the minute the demo was loaded: its windows are whole days of SOKO_TIMEZONE."""
    settings = loaded_demo.settings
    zone, today = ZoneInfo(settings.timezone), settings.today()
    campaigns = await _rows(
        settings.database_url, "SELECT title, opens_at, closes_at FROM surveys.campaign"
    )
    assert len(campaigns) == 6  # 2 closed parents', the open one, 3 diagnostics
    for title, opens, closes in campaigns:
        assert opens.astimezone(zone).time() == time(0, 0), (title, opens)
        assert closes.astimezone(zone).time() == time(23, 59), (title, closes)
    # The open ones close on days counted from today: the parents' in 30, the diagnostics' in 21.
    running = sorted(c.astimezone(zone).date() for _, _, c in campaigns if c.date() >= today)
    assert running == [today + timedelta(days=21)] * 2 + [today + timedelta(days=30)]


def _text(page: str) -> str:
    page = re.sub(r"<(style|svg)\b.*?</\1>", " ", page, flags=re.S)
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", page)))


async def test_the_plan_of_the_year_reports_indicator_values_of_the_latest_year(loaded_demo):
    settings = loaded_demo.settings
    current, latest = current_year(settings.today()), demo_years(settings.today())[1]
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

    # A programme of calendar years reports from the latest school year that ends within it
    # and has begun (its indicators have no demo values, so there it stays): the latest data
    # year, ending 31 August of the programme's last year.
    assert spanned.status_code == 200, spanned.text
    assert f"Период отчёта: {academic_year(year - 1).code}" in _text(spanned.text)

    # The plan is of today's school year; its indicators have no values yet in it, so its
    # report shows the latest school year with data.
    assert plan["period"] == current
    assert report.status_code == 200, report.text
    shown = _text(report.text)
    assert f"Период отчёта: {latest}" in shown
    # Each of the plan's indicators, with the district's value of the year (not «—»).
    for code in PLAN_INDICATORS:
        name = re.escape(names[code])
        # The name, how a territory's figure is obtained «(кластеры и территории: …)», its rows.
        row = re.search(
            name + r"(?: \([^)]*\))? территория Демонстрационный муниципальный район (\S+)", shown
        )
        assert row, code
        assert row[1] != "—", code
