"""Roadmaps of programmes that run several years: a span of school or calendar years as the
roadmap's period (`2021/2022-2023/2024`, `2021-2023`), read by deadlines and the list."""

from datetime import date
from pathlib import Path

import pytest

from services.api.roadmaps.deadlines import parse_deadline
from shared.periods import parse_programme_period
from tests.api.helpers import post_roadmap

CASES = Path(__file__).parent / "cases"


async def create(api_client, world, period, activities=()):
    sections = [
        {"title": "Этапы", "activities": [{"title": t, "deadline_text": d} for t, d in activities]}
    ]
    answer = await post_roadmap(api_client, world, period=period, sections=sections)
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_a_programme_of_three_years_keeps_its_span_and_dates_what_names_a_year(
    api_client, world
):
    roadmap = await create(
        api_client,
        world,
        "2021-2023",
        [
            ("Подготовительный этап", "январь 2021 года - декабрь 2021 года"),
            ("Мониторинг", "ежегодно"),
            ("Совещание", "Сентябрь"),  # which of the three Septembers: not guessed
        ],
    )
    assert (roadmap["period"], roadmap["period_start"], roadmap["period_end"]) == (
        "2021-2023",
        "2021-01-01",
        "2023-12-31",
    )
    activities = {a["title"]: a for s in roadmap["sections"] for a in s["activities"]}
    stage = activities["Подготовительный этап"]
    assert (stage["due_start"], stage["due_end"]) == ("2021-01-01", "2021-12-31")
    yearly = activities["Мониторинг"]
    assert (yearly["recurrence"], yearly["due_end"]) == ("yearly", "2023-12-31")
    assert activities["Совещание"]["deadline_kind"] == "unparsed"
    assert activities["Совещание"]["due_end"] is None


async def test_the_list_by_a_school_year_takes_in_the_programmes_that_run_through_it(
    api_client, world
):
    programme = await create(api_client, world, "2021/2022-2023/2024")
    this_year = await create(api_client, world, "2022/2023")
    await create(api_client, world, "2024/2025")
    h = world.headers("analyst")

    async def listed(period: str) -> set[str]:
        answer = await api_client.get("/v1/roadmaps", params={"period": period}, headers=h)
        assert answer.status_code == 200, answer.text
        return {r["id"] for r in answer.json()["items"]}

    assert await listed("2022/2023") == {programme["id"], this_year["id"]}
    assert await listed("2021/2022-2023/2024") == {programme["id"]}
    assert programme["id"] not in await listed("2024/2025")


@pytest.mark.parametrize(
    ("period", "says"),
    [
        ("2023-2021", "от 2 до 10 лет"),
        ("2021/2022-2023/2025", "два соседних года"),
        ("2021-2040", "от 2 до 10 лет"),
    ],
)
async def test_a_malformed_span_is_422_naming_the_period(api_client, world, period, says):
    answer = await post_roadmap(api_client, world, period=period)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"].startswith("application/problem+json")
    (error,) = [e for e in answer.json()["errors"] if e["loc"][-1] == "period"]
    assert says in error["msg"]
    listed = await api_client.get(
        "/v1/roadmaps", params={"period": period}, headers=world.headers("analyst")
    )
    assert listed.status_code == 422 and says in listed.text


async def test_a_new_span_rereads_the_deadlines(api_client, world):
    roadmap = await create(api_client, world, "2021/2022", [("Совещание", "Сентябрь")])
    (activity,) = roadmap["sections"][0]["activities"]
    assert activity["due_end"] == "2021-09-30"
    answer = await api_client.patch(
        f"/v1/roadmaps/{roadmap['id']}",
        json={"period": "2021/2022-2022/2023"},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["period_end"] == "2023-08-31"
    items = await api_client.get(
        f"/v1/roadmaps/{roadmap['id']}/activities", headers=world.headers("analyst")
    )
    (activity,) = items.json()["items"]
    assert activity["deadline_kind"] == "unparsed" and activity["due_end"] is None


async def test_an_import_names_a_given_period_the_heading_contradicts_and_deadlines_outside_it(
    api_client, world
):
    """rm1 (a plan «на 2021-2022 учебный год», its deadlines in 2021–2022) loaded with the
    period 2030/2031: kept as chosen, but the report says the heading names 2021/2022 and
    lists the dated deadlines that fall outside 2030/2031; loaded as its heading says, none."""
    content = (CASES / "rm1_xlsx_merged_dates.xlsx").read_bytes()
    fields = {"level": "municipality", "owner_type": "territory", "owner_id": str(world.m1.id)}

    async def load(**form) -> dict:
        answer = await api_client.post(
            "/v1/roadmaps/import",
            data=fields | form,
            files={"file": ("rm1.xlsx", content)},
            headers=world.headers("analyst"),
        )
        assert answer.status_code == 201, answer.text
        return answer.json()

    forced = await load(period="2030/2031")
    assert forced["roadmap"]["period"] == "2030/2031"
    report = forced["report"]
    (said,) = [w for w in report["warnings"] if "указанный при загрузке" in w]
    assert "«2030/2031»" in said and "(2021/2022)" in said
    outside = report["deadlines_outside_period"]
    assert outside and all(item["period"] == "2030/2031" for item in outside)
    assert any("2022" in item["text"] for item in outside)
    own = (await load())["report"]
    assert not [w for w in own["warnings"] if "указанный при загрузке" in w]
    assert own["deadlines_outside_period"] == []


def test_a_school_years_programme_reads_half_years_as_a_school_year_does():
    """«II полугодие 2022 года» in a programme of school years is January–August 2022, as in
    the school year 2021/2022; in a programme of calendar years, July–December."""
    school_years = parse_deadline(
        "II полугодие 2022 года", parse_programme_period("2021/2022-2023/2024")
    )
    one_year = parse_deadline("II полугодие 2022 года", parse_programme_period("2021/2022"))
    calendar = parse_deadline("II полугодие 2022 года", parse_programme_period("2021-2023"))
    assert (school_years.due_start, school_years.due_end) == (date(2022, 1, 1), date(2022, 8, 31))
    assert (one_year.due_start, one_year.due_end) == (school_years.due_start, school_years.due_end)
    assert (calendar.due_start, calendar.due_end) == (date(2022, 7, 1), date(2022, 12, 31))


async def test_an_import_names_deadlines_that_run_past_or_begin_before_its_period(
    api_client, world
):
    """A window partly outside the roadmap's period is listed apart from those wholly
    outside: rm4's «III квартал 2022» (to 30.09.2022) in 2021/2022, which ends on
    31.08.2022; and in a plan of our own, «до 15.10.2022» and «август – сентябрь 2021»
    (the year begins 01.09.2021), while «май 2022» inside it and «март 2021» wholly
    before it are not."""
    from tests.api.test_roadmap_import_tables import HEADER, xlsx

    fields = {"level": "municipality", "owner_type": "territory", "owner_id": str(world.m1.id)}

    async def report(name: str, content: bytes) -> dict:
        answer = await api_client.post(
            "/v1/roadmaps/import?dry_run=true",
            data=fields | {"period": "2021/2022"},
            files={"file": (name, content)},
            headers=world.headers("analyst"),
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["report"]

    rm4 = await report("rm4.docx", (CASES / "rm4_docx_two_tables_page_break.docx").read_bytes())
    assert rm4["deadlines_outside_period"] == []
    [quarter] = rm4["deadlines_partly_outside_period"]
    assert quarter["number"] == "1.3" and quarter["text"] == "III квартал 2022"
    assert (quarter["period"], quarter["due_start"], quarter["due_end"]) == (
        "2021/2022",
        "2022-07-01",
        "2022-09-30",
    )
    ours = await report(
        "plan.xlsx",
        xlsx(
            [
                ["План мероприятий на 2021/2022 учебный год"],
                HEADER,
                ["1", "Семинар", "до 15.10.2022", "ИМЦ"],
                ["2", "Совещание", "август – сентябрь 2021", "ИМЦ"],
                ["3", "Конференция", "май 2022", "ИМЦ"],
                ["4", "Мониторинг", "март 2021", "ИМЦ"],
            ]
        ),
    )
    partly = {item["number"]: item["due_end"] for item in ours["deadlines_partly_outside_period"]}
    assert partly == {"1": "2022-10-15", "2": "2021-09-30"}
    assert [item["number"] for item in ours["deadlines_outside_period"]] == ["4"]
