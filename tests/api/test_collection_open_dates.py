"""A collection expects an organization in a window only while it is open during it
(`opened_on` by the due date, `closed_on` on or after the opening date): a school registered
after a past window's due date is neither expected nor late there but is in a later window, one
closed before a window opens is not expected in it, one without dates is as before; a school
not open that reported all the same is listed with nothing expected and may still submit."""

from datetime import date

import pytest

from services.api.organizations.models import Organization
from tests.api.test_collections import post_values, status
from tests.collections_world import add_collection
from tests.factories import TRAINED, add_data_indicator, build_world

PAST, LATER, FUTURE = "2021/2022", "2025/2026", "2030/2031"


@pytest.fixture
async def world(db, settings):
    """M1's collection of `e_planning` and `teachers_trained` with windows in September of
    2021, 2025 and 2030 (due 1 October); S1 without dates, S2 closed on 30 June 2023, «Школа 4»
    opened on 1 September 2024 (registered long after the 2021/2022 window closed)."""
    world = await build_world(db, settings)
    world.trained = await add_data_indicator(db, "teachers_trained", TRAINED, "percent")
    world.s4 = Organization(
        name="Школа 4", kind="school", territory_id=world.m1.id, opened_on=date(2024, 9, 1)
    )
    db.add(world.s4)
    world.s2.closed_on = date(2023, 6, 30)
    await db.flush()
    world.collection = await add_collection(
        db,
        world.m1,
        [world.planning, world.trained],
        {p: (date(int(p[:4]), 9, 1), date(int(p[:4]), 10, 1)) for p in (PAST, LATER, FUTURE)},
        name="Мониторинг",
    )
    return world


def _by_name(body: dict) -> dict[str, dict]:
    return {o["name"]: o for o in body["organizations"]}


def _pooled(body: dict) -> tuple:
    t = body["territory"]
    return (t["organizations"], t["expected"], t["present"], t["late"], t["completeness"])


async def test_a_school_counts_only_in_the_windows_it_was_open_during(api_client, world):
    await post_values(
        api_client,
        world,
        [("e_planning", world.s1, PAST, True), ("teachers_trained", world.s1, PAST, 80)],
    )
    past = await status(api_client, world, period=PAST)
    # «Школа 4» opened in 2024: not expected in 2021/2022, so not late there (it was, before
    # organizations had dates: 3 schools, 6 values expected, 2 late).
    assert list(_by_name(past)) == ["Школа 1", "Школа 2"]
    assert (_by_name(past)["Школа 2"]["expected"], _by_name(past)["Школа 2"]["late"]) == (2, True)
    assert _pooled(past) == (2, 4, 2, 1, 50.0)

    later = await status(api_client, world, period=LATER)
    # S2 closed in 2023: not expected in 2025/2026; «Школа 4» is, and late with nothing in.
    by_name = _by_name(later)
    assert list(by_name) == ["Школа 1", "Школа 4"]
    assert (by_name["Школа 4"]["expected"], by_name["Школа 4"]["late"]) == (2, True)
    assert _pooled(later) == (2, 4, 0, 2, 0.0)

    future = await status(api_client, world, period=FUTURE)  # not yet due: nobody late
    assert list(_by_name(future)) == ["Школа 1", "Школа 4"]
    assert _pooled(future) == (2, 4, 0, 0, 0.0)


@pytest.mark.parametrize(
    ("dates", "expected"),
    [
        ({"opened_on": date(2021, 10, 1)}, True),  # opened on the due date: expected
        ({"opened_on": date(2021, 10, 2)}, False),
        ({"closed_on": date(2021, 9, 1)}, True),  # closed on the opening date: expected
        ({"closed_on": date(2021, 8, 31)}, False),
        ({"opened_on": date(2015, 9, 1), "closed_on": date(2040, 6, 30)}, True),
    ],
)
async def test_both_days_of_the_window_count(api_client, db, world, dates, expected):
    world.s4.opened_on = None
    for name, day in dates.items():
        setattr(world.s4, name, day)
    await db.flush()
    names = list(_by_name(await status(api_client, world, period=PAST)))
    assert ("Школа 4" in names) is expected


async def test_a_school_not_open_that_reported_is_listed_expecting_nothing_and_may_submit(
    api_client, world
):
    await post_values(api_client, world, [("e_planning", world.s4, PAST, True)])
    body = await status(api_client, world, period=PAST)
    s4 = _by_name(body)["Школа 4"]
    assert (s4["expected"], s4["present"], s4["completeness"], s4["late"]) == (0, 0, None, False)
    assert _pooled(body) == (3, 4, 0, 2, 0.0)  # S1 and S2 late; «Школа 4» expected nothing

    base = f"/v1/collections/{world.collection.id}/approvals"
    step = {"organization_id": str(world.s4.id), "period": PAST}
    submitted = await api_client.post(f"{base}/submit", json=step, headers=world.headers("admin"))
    assert submitted.status_code == 200, submitted.text
    answer = submitted.json()
    assert (answer["completeness"], answer["missing_indicator_codes"]) == (None, [])
    approved = await api_client.post(f"{base}/approve", json=step, headers=world.headers("analyst"))
    assert approved.status_code == 200, approved.text
    body = await status(api_client, world, period=PAST)
    assert _by_name(body)["Школа 4"]["approval"]["status"] == "approved"
    assert body["territory"]["approved"] == 1
    # In the window it is open during, its approval answer counts what is expected of it.
    step = {"organization_id": str(world.s4.id), "period": LATER}
    later = await api_client.post(f"{base}/submit", json=step, headers=world.headers("admin"))
    assert later.status_code == 200, later.text
    assert later.json()["missing_indicator_codes"] == ["e_planning", "teachers_trained"]
    assert later.json()["completeness"] == 0.0


async def test_the_leader_of_a_school_closed_before_a_window_sees_nothing_expected(
    api_client, db, world
):
    world.s1.closed_on = date(2024, 6, 30)
    await db.flush()
    body = await status(api_client, world, period=LATER, who="leader")
    assert body["organizations"] == [] and body["territory"]["organizations"] == 0
    body = await status(api_client, world, period=PAST, who="leader")  # open then
    assert [o["expected"] for o in body["organizations"]] == [2]
