"""`soko demo` fills an empty database with a district people can sign in to, and only once."""

from collections import Counter

from services.demo import load
from services.demo.loader import DEMO_PASSWORD
from services.demo.roadmap import PLAN_INDICATORS, PLAN_TITLE
from services.demo.years import demo_years
from shared.migrations import upgrade
from shared.periods import academic_year_of, parse_period
from shared.settings import Settings
from tests.conftest import run_sync
from tests.demo.helpers import demo_api


async def test_demo_district_loads_once_and_its_accounts_work(scratch_database):
    url = scratch_database()
    run_sync(upgrade, url)
    settings = Settings(database_url=url)
    today = settings.today()
    # The demo's data: the two latest completed school years (`previous`, `current` here).
    previous, current = demo_years(today)
    assert parse_period(current).end < today and current != academic_year_of(today).code

    said = await load(url, only_if_empty=True, settings=settings)
    assert "analyst@demo.soko.ru" in said and DEMO_PASSWORD in said
    # A second `soko up --demo` loads nothing and still says how to sign in.
    again = await load(url, only_if_empty=True, settings=settings)
    assert "skipped" in again
    assert "analyst@demo.soko.ru" in again and "teacher@demo.soko.ru" in again
    assert DEMO_PASSWORD in again and "pedagog-" not in again

    # The region's analyst reads the district's schools (the region is above the district).
    assert "region@demo.soko.ru" in said
    async with demo_api(settings, "region@demo.soko.ru") as client:
        me = (await client.get("/v1/me")).json()
        assert (me["role"], me["scope_type"]) == ("territory_analyst", "territory")
        assert (await client.get("/v1/organizations")).json()["total"] == 28

    async with demo_api(settings, "analyst@demo.soko.ru") as client:
        organizations = (await client.get("/v1/organizations")).json()
        clusters = (await client.get("/v1/clusters")).json()
        assert organizations["total"] == 28
        assert sum(o["kind"] == "school" for o in organizations["items"]) == 25
        assert clusters["total"] == 3
        first = next(o for o in organizations["items"] if o["name"] == "МБОУ «Гимназия № 1»")
        staff = await client.get(f"/v1/organizations/{first['id']}/staff")
        assert staff.json()["total"] >= 14
        roadmaps = (await client.get("/v1/roadmaps?limit=100")).json()
        assert roadmaps["total"] == 15  # the 14 of the seeds and the district's plan of the year
        # The seeds as the demo district's own, moved to today: 2021/2022 is the current
        # school year, 2019/2020 three years before it, the 2021 roadmap (004) this year's;
        # the programmes of several years as spans: 2019-2021 (003), 2021-2022 годы (002's
        # preschool roadmap).
        this_year = academic_year_of(today)
        before = academic_year_of(today.replace(year=today.year - 2))
        year = this_year.start.year
        periods = Counter(r["period"] for r in roadmaps["items"])
        assert periods == {
            this_year.code: 10,  # 9 of 002 and the plan
            before.code: 2,  # 000 and 001
            str(year): 1,  # 004
            f"{year - 2}-{year}": 1,  # 003: three calendar years
            f"{year}-{year + 1}": 1,  # 002's preschool roadmap: two calendar years
        }
        titles = " ".join(r["title"] for r in roadmaps["items"])
        assert "Дятьков" not in titles and "Кайтаг" not in titles
        assert titles.count("в Демонстрационном муниципальном районе") >= 9
        due = [
            a["due_end"]
            for r in roadmaps["items"]
            for a in (await client.get(f"/v1/roadmaps/{r['id']}/activities?limit=500")).json()[
                "items"
            ]
            if a["due_end"]
        ]
        assert sum(d < today.isoformat() for d in due) > 40
        assert sum(d >= today.isoformat() for d in due) > 40
        # The plan's 9 activities (services/demo/roadmap.py PLAN): done 2 (one 2 days early,
        # one 5 days late: 1 on time), in progress 2, cancelled 1, planned 4; due 20 and 10
        # days ago and still open: 2 overdue.
        (plan,) = [r for r in roadmaps["items"] if r["title"] == PLAN_TITLE]
        overall = (await client.get(f"/v1/roadmaps/{plan['id']}/progress")).json()["overall"]
        assert {
            k: overall[k] for k in ("total", "planned", "in_progress", "done", "cancelled")
        } == {
            "total": 9,
            "planned": 4,
            "in_progress": 2,
            "done": 2,
            "cancelled": 1,
        }
        assert (overall["done_on_time"], overall["overdue"]) == (1, 2)
        # The plan is measured by a few of the demo's indicators.
        linked = await client.get("/v1/indicators", params={"roadmap_id": plan["id"], "limit": 100})
        assert sorted(i["code"] for i in linked.json()["items"]) == sorted(PLAN_INDICATORS)
        # The gymnasium is named responsible in activities 1, 3, 7 and 8.
        mine = await client.get(
            "/v1/activities",
            params={"responsible_organization_id": first["id"], "limit": 100},
        )
        assert [a["number"] for a in mine.json()["items"] if a["roadmap_id"] == plan["id"]] == [
            "1",
            "3",
            "7",
            "8",
        ]
        # ВПР (grades 4–8) and ОГЭ (9) in two subjects, two years, for each of 25 schools.
        assert "600 ВПР/ОГЭ results" in said
        weak = await client.get(
            "/v1/assessment-results/aggregates",
            params={"procedure": "vpr", "year": current, "group_by": "organization"},
        )
        assert weak.status_code == 200, weak.text

        # ВПР participants by task: 25 schools × 12 in each paper, each year; the district's
        # task completion answers for both years.
        assert "1200 ВПР participants' results by task" in said
        district = (await client.get("/v1/me")).json()["scope_id"]
        for year in (previous, current):
            for subject, grade in (("Русский язык", 4), ("Математика", 5)):
                query = {"procedure": "vpr", "year": year, "subject": subject, "grade": grade}
                completion = await client.get(
                    "/v1/assessment-results/task-completion",
                    params={**query, "group_by": "territory", "territory_id": district},
                )
                assert completion.status_code == 200, completion.text
                (item,) = completion.json()["items"]
                assert (item["group_id"], item["participants"]) == (district, 300)
                assert all(0 < t["completion"] < 100 for t in item["tasks"])
                by_school = await client.get(
                    "/v1/assessment-results/score-distribution", params=query
                )
                assert by_school.json()["total"] == 25
