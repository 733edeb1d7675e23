"""A school not open in a period (closed before it began, opened after it ended) is left out
of its territory's outlier comparison for that period — its value neither moves the median nor
is scored against it — and a value posted for it is kept, with a warning naming its dates."""

from datetime import timedelta

import pytest
from sqlalchemy import text

from services.api.organizations.models import Organization
from services.api.outliers.checks import open_in
from shared.periods import parse_period
from tests.api.test_outliers import flagged, outliers, post, row
from tests.factories import TRAINED, add_data_indicator, build_world


@pytest.fixture
async def world(db, settings):
    """The standard world, the percent indicator `teachers_trained` and eight more schools in
    M1 (ten with S1 and S2), as tests/api/test_outliers.py has it."""
    world = await build_world(db, settings)
    await add_data_indicator(db, "teachers_trained", TRAINED, "percent")
    world.more = [
        Organization(name=f"Школа 1{n}", kind="school", territory_id=world.m1.id) for n in range(8)
    ]
    db.add_all(world.more)
    await db.flush()
    return world


NEAR = [78, 79, 80, 81, 82, 80, 79, 81]

DATES = [
    ({"closed_on": "2021-06-30"}, "закрыта 30.06.2021, до начала периода «2021/2022» (01.09.2021)"),
    (
        {"opened_on": "2022-09-01"},
        "открыта 01.09.2022, после окончания периода «2021/2022» (31.08.2022)",
    ),
]


@pytest.mark.parametrize(("dates", "said"), DATES, ids=["closed_before", "opened_after"])
async def test_a_school_not_open_in_the_period_is_not_compared_and_is_warned_of(
    api_client, world, dates, said
):
    changed = await api_client.patch(
        f"/v1/organizations/{world.s2.id}", json=dates, headers=world.headers("admin")
    )
    assert changed.status_code == 200, changed.text
    values = [row(s, v) for s, v in zip(world.more, NEAR, strict=True)]
    summary = await post(api_client, world, [*values, row(world.s1, 8), row(world.s2, 5)])
    assert summary["imported"] == 10 and summary["rejected"] == []  # kept all the same
    told: dict[int, list[dict]] = {}
    for warning in summary["warnings"]:
        told.setdefault(warning["index"], []).append(warning)
    [closed] = told[9]  # the dates only: no outlier warning, S2 is not compared
    assert closed["loc"] == ["period"]
    assert closed["msg"].startswith(f"«Школа 2» {said}: значение принято"), closed["msg"]
    [far] = told[8]  # S1's 8 against the nine open schools
    assert "медиане 80 по 9 значениям" in far["msg"], far["msg"]

    # S2's 5 is no territory outlier: not compared (among them it would be, and S1's n 10).
    assert flagged(await outliers(api_client, world)) == {"Школа 1": [("territory_z", 8.0, None)]}


async def test_a_school_open_in_the_period_is_not_warned_of(api_client, world):
    changed = await api_client.patch(
        f"/v1/organizations/{world.s2.id}",
        json={"opened_on": "2021-09-01", "closed_on": "2021-09-01"},
        headers=world.headers("admin"),
    )
    assert changed.status_code == 200, changed.text
    summary = await post(api_client, world, [row(world.s2, 50)])
    assert summary["warnings"] == []


@pytest.mark.parametrize("code", ["2021/2022", "2022", "2022Q1", "2022Q4", "2022-02", "2022-12"])
async def test_the_sql_open_dates_agree_with_the_periods(db, code):
    """checks.open_in reads a period's first and last days as shared.periods does."""
    period = parse_period(code)
    query = text(
        f"SELECT {open_in('o', 'CAST(:p AS text)')} FROM "  # noqa: S608 (constant SQL)
        "(SELECT CAST(:opened AS date) AS opened_on, CAST(:closed AS date) AS closed_on) o"
    )
    day = timedelta(days=1)
    cases = [
        ((None, period.start - day), False),
        ((None, period.start), True),
        ((period.end, None), True),
        ((period.end + day, None), False),
        ((period.start - day, period.end + day), True),
    ]
    for (opened, closed), expected in cases:
        found = await db.scalar(query, {"p": code, "opened": opened, "closed": closed})
        assert found is expected, (code, opened, closed)


async def test_closing_a_school_takes_it_out_of_its_territory_s_comparison_at_once(
    api_client, world
):
    """Its flag among the schools of its territory goes with the closing, no value posted."""
    values = [row(s, v) for s, v in zip(world.more, NEAR, strict=True)]
    await post(api_client, world, [*values, row(world.s2, 5)])
    assert flagged(await outliers(api_client, world)) == {"Школа 2": [("territory_z", 5.0, None)]}
    changed = await api_client.patch(
        f"/v1/organizations/{world.s2.id}",
        json={"closed_on": "2021-06-30"},
        headers=world.headers("admin"),
    )
    assert changed.status_code == 200, changed.text
    assert flagged(await outliers(api_client, world)) == {}
    reopened = await api_client.patch(
        f"/v1/organizations/{world.s2.id}", json={"closed_on": None}, headers=world.headers("admin")
    )
    assert reopened.status_code == 200, reopened.text
    assert flagged(await outliers(api_client, world)) == {"Школа 2": [("territory_z", 5.0, None)]}
