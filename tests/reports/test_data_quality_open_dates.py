"""The reports' data-quality status follows the organizations' opening and closing dates as the
api's does (services/reports/data_quality/status.py, from the facts the feed keeps): a school
closed before the window opens and one opened after its due date are neither expected nor
late in the report's «Качество данных» nor told to report (`low_reporting`); one not open that
reported is listed expecting nothing; the report agrees with `GET /v1/collections/{id}/status`
row for row."""

from tests.reports.documents_world import parse
from tests.reports.helpers import PERIOD, generate, post_values
from tests.reports.quality_world import add_leader10, quality_world
from tests.reports.test_data_quality_report import _group, _report


async def _dates(client, world, organization, **dates) -> None:
    answer = await client.patch(
        f"/v1/organizations/{organization.id}", json=dates, headers=world.headers("analyst")
    )
    assert answer.status_code == 200, answer.text


async def _api_rows(client, world) -> list[tuple]:
    """The api's status of the world's collection for PERIOD: per organization (name,
    expected, present, present by due, late), then the territory's."""
    answer = await client.get(
        f"/v1/collections/{world.collection.id}/status",
        params={"period": PERIOD},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    body = answer.json()
    rows = [
        (o["name"], o["expected"], o["present"], o["present_by_due"], "да" if o["late"] else "нет")
        for o in body["organizations"]
    ]
    t = body["territory"]
    total = (
        t["expected"],
        t["present"],
        t["present_by_due"],
        f"{t['late']} из {t['organizations']}",
    )
    return [*rows, ("Итого: Район 1", *total)]


async def _report_rows(client, world) -> list[tuple]:
    """The same columns of the roadmap report's «Качество данных» for the collection."""
    answer = await _report(client, world, world.r1.id)
    assert answer.status_code == 200, answer.text
    return [(r[0], int(r[1]), int(r[2]), int(r[3]), r[6]) for r in _group(parse(answer.text))]


async def test_schools_not_open_during_the_window_are_neither_expected_nor_late(
    api_client, reports_client, db, settings
):
    world = await quality_world(db, settings)
    await add_leader10(db, settings, world)
    await post_values(
        api_client,
        world,
        [("e_planning", world.s1.id, PERIOD, True), ("trained", world.s1.id, PERIOD, 90)],
    )
    # Before the dates: S2 and «Школа 10», with nothing in, are late (2 of 3); S1's values,
    # posted today, are in but not in time.
    before = await _report_rows(reports_client, world)
    assert before[-1] == ("Итого: Район 1", 6, 2, 0, "2 из 3")
    # S2 closed the day before the window opened (1 September 2021); «Школа 10» opened the day
    # after its due date (1 October 2021).
    await _dates(api_client, world, world.s2, closed_on="2021-08-31")
    await _dates(api_client, world, world.s10, opened_on="2021-10-02")

    rows = await _report_rows(reports_client, world)
    assert rows == [("Школа 1", 2, 2, 0, "нет"), ("Итого: Район 1", 2, 2, 0, "0 из 1")]
    assert rows == await _api_rows(api_client, world)
    answer = await generate(reports_client, world)
    assert answer.status_code == 200, answer.text
    recommendations = await reports_client.get(
        "/v1/recommendations", params={"period": PERIOD}, headers=world.headers("analyst")
    )
    assert [
        i for i in recommendations.json()["items"] if i["rule_code"] == "leader_low_reporting"
    ] == []


async def test_a_school_not_open_that_reported_expects_nothing_in_both_services(
    api_client, reports_client, db, settings
):
    world = await quality_world(db, settings)
    await _dates(api_client, world, world.s10, opened_on="2022-09-01")
    await _dates(api_client, world, world.s2, opened_on="2015-09-01", closed_on="2030-06-30")
    await post_values(api_client, world, [("e_planning", world.s10.id, PERIOD, True)])

    rows = await _report_rows(reports_client, world)
    assert rows == [
        ("Школа 1", 2, 0, 0, "да"),
        ("Школа 2", 2, 0, 0, "да"),  # open throughout: as before
        ("Школа 10", 0, 0, 0, "нет"),
        ("Итого: Район 1", 4, 0, 0, "2 из 3"),
    ]
    assert rows == await _api_rows(api_client, world)
