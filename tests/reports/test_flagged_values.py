"""Indicator values and flagged data values (outliers, values a broken rule reads): with
SOKO_FLAGGED_VALUES=mark (the default) they count and every item says so; with skip they are
left out of the territory's value (its organizations' own values stay, marked), kept apart
from the marked view's kept values; a corrected value counts again."""

import pytest

from shared.settings import get_settings
from tests.reports.checks_world import break_and_flag, checks_world
from tests.reports.helpers import PERIOD, post_values, read_values

FIELDS = ("value", "flagged", "flagged_organizations", "flagged_left_out")
LARGE = {
    "code": "large_schools",
    "name": "Доля школ, где не менее 100 обучающихся",
    "unit": "percent",
    "level": "territory",
    "method": "organization_share",
    "params": {"indicator_code": "students_total", "condition": {"op": ">=", "value": 100}},
}


async def _items(client, world, code):
    answer = await read_values(client, world, indicator_code=[code])
    assert answer.status_code == 200, answer.text
    return {
        (i["scope_type"], i["scope_id"]): i
        for i in answer.json()["items"]
        if i["indicator_code"] == code
    }


def _of(items, kind, scope) -> tuple:
    return tuple(items[(kind, str(scope.id))][f] for f in FIELDS)


@pytest.fixture
def skip(monkeypatch):
    def switch(how: str = "skip") -> None:
        monkeypatch.setattr(get_settings(), "flagged_values", how)

    return switch


async def test_flagged_values_count_and_are_marked_by_default(
    api_client, reports_client, db, settings
):
    assert get_settings().flagged_values == "mark"
    world = await checks_world(db, settings)
    await break_and_flag(api_client, world)

    items = await _items(reports_client, world, "students_total")
    # S1's 5000 and «Школа 10»'s 5 are outliers; S2's 100 is read by the rule its 120
    # passed break (both sides' values are to check).
    assert _of(items, "organization", world.s1) == (5000, True, 1, 0)
    assert _of(items, "organization", world.s2) == (100, True, 1, 0)
    assert _of(items, "organization", world.s10) == (5, True, 1, 0)
    assert _of(items, "territory", world.m1) == (5105, True, 3, 0)
    passed = await _items(reports_client, world, "students_passed")
    assert _of(passed, "organization", world.s2) == (120, True, 1, 0)
    # No posted value behind it: nothing said.
    assert _of(passed, "organization", world.s1) == (None, None, None, None)
    # «Школа 10»'s teachers: the other rule, broken; nothing else is flagged.
    teachers = await _items(reports_client, world, "teachers_total")
    assert _of(teachers, "organization", world.s10) == (20, True, 1, 0)
    await post_values(api_client, world, [("teachers_total", world.s2.id, PERIOD, 40)])
    teachers = await _items(reports_client, world, "teachers_total")
    assert _of(teachers, "organization", world.s2) == (40, False, 0, 0)
    assert _of(teachers, "territory", world.m1) == (60, True, 1, 0)


async def test_skip_leaves_flagged_values_out_of_the_territory_until_corrected(
    api_client, reports_client, db, settings, skip
):
    world = await checks_world(db, settings)
    await break_and_flag(api_client, world)
    marked = await _items(reports_client, world, "students_total")
    assert _of(marked, "territory", world.m1) == (5105, True, 3, 0)

    skip()
    # Every school's value is flagged: the territory has none, and says how many were left out.
    items = await _items(reports_client, world, "students_total")
    m1 = items[("territory", str(world.m1.id))]
    assert _of(items, "territory", world.m1) == (None, None, None, 3)
    assert (m1["status"], m1["coverage"]["organizations_reporting"]) == ("no_data", 0)
    # The schools' own values are shown, marked.
    assert _of(items, "organization", world.s1) == (5000, True, 1, 0)

    # S1 corrects its value, S2 its passed: they count again; «Школа 10»'s is still left out.
    await post_values(
        api_client,
        world,
        [
            ("students_total", world.s1.id, PERIOD, 505),
            ("students_passed", world.s2.id, PERIOD, 90),
        ],
    )
    items = await _items(reports_client, world, "students_total")
    assert _of(items, "organization", world.s1) == (505, False, 0, 0)
    m1 = items[("territory", str(world.m1.id))]
    assert _of(items, "territory", world.m1) == (605, False, 0, 1)
    assert m1["coverage"]["organizations_reporting"] == 2

    # A share of organizations leaves the flagged value out too: 2 of 2 schools, not 2 of 3.
    share = await api_client.post("/v1/indicators", json=LARGE, headers=world.headers("admin"))
    assert share.status_code == 201, share.text
    shares = await _items(reports_client, world, "large_schools")
    assert shares[("territory", str(world.m1.id))]["value"] == 100

    # Back to mark: the marked view, not the skipping one's kept values.
    skip("mark")
    items = await _items(reports_client, world, "students_total")
    assert _of(items, "territory", world.m1) == (610, True, 1, 0)
    shares = await _items(reports_client, world, "large_schools")
    assert shares[("territory", str(world.m1.id))]["value"] == 66.67
