"""A school not open in a period (closed before it began, opened after it ended) is none of
that period's, whatever an indicator is computed from: its assessment results and its parents'
answers count in no group's value, a group's coverage does not count it (never above 100 %),
and it has no value of its own. Found closing a school in the demo: the district's ВПР share
still held its 807 participants and reported 25 schools of 24 (104,17 %)."""

import pytest

from tests.reports.test_indicator_values import arrange, by_key, get_values
from tests.reports.test_nok import arrange as arrange_nok
from tests.reports.test_nok import get_nok

DATES = [{"closed_on": "2021-06-30"}, {"opened_on": "2022-09-01"}]


@pytest.mark.parametrize("dates", DATES, ids=["closed_before", "opened_after"])
async def test_a_school_not_open_in_the_period_counts_in_no_method(
    apps, api_client, surveys_client, reports_client, world, dates
):
    await arrange(api_client, surveys_client, world, apps)
    changed = await api_client.patch(
        f"/v1/organizations/{world.s2.id}", json=dates, headers=world.headers("admin")
    )
    assert changed.status_code == 200, changed.text
    items = by_key(await get_values(reports_client, world))
    m1, c1, s1, s2 = (str(x.id) for x in (world.m1, world.c1, world.s1, world.s2))
    alone = {"organizations": 1, "organizations_reporting": 1, "organizations_share": 100.0}

    # ВПР: S1's 2 of 20 only, not (2 + 4) of (20 + 10); one school of one reporting.
    for unit in (m1, c1):
        vpr = items[("vpr_share_2", unit)]
        assert (vpr["value"], vpr["numerator"], vpr["denominator"], vpr["n"]) == (10.0, 2, 20, 20)
        assert vpr["coverage"] == alone
    own = items[("vpr_share_2", s2)]
    assert (own["value"], own["status"], own["n"]) == (None, "no_data", 0)
    assert own["coverage"]["organizations"] == 0

    # Parents: S1's 6 answers only (4 of 6), shown now that S2's 3 are no difference away.
    parents = items[("parents_satisfied", m1)]
    assert (parents["value"], parents["n"]) == (66.67, 6)
    assert parents["coverage"]["respondents"] == 6
    assert items[("parents_satisfied", s1)]["value"] == 66.67
    mine = items[("parents_satisfied", s2)]
    assert (mine["value"], mine["status"]) == (None, "no_data")

    # A share of organizations and a data value: S1 alone.
    share = items[("share_trained", m1)]
    assert (share["value"], share["denominator"], share["coverage"]) == (100.0, 1, alone)
    assert items[("trained", m1)]["coverage"] == alone
    for item in items.values():
        share_of = (item.get("coverage") or {}).get("organizations_share")
        assert share_of is None or share_of <= 100, item


async def test_a_school_closed_before_the_period_is_not_in_its_nok(
    db, apps, api_client, reports_client, world
):
    """НОК УООД ranks the territory's schools of the period: S1, closed before it, is none
    of them (its checklist and parents' answers of the year are not ranked)."""
    await arrange_nok(db, api_client, apps, world)
    closed = await api_client.patch(
        f"/v1/organizations/{world.s1.id}",
        json={"closed_on": "2021-06-30"},
        headers=world.headers("admin"),
    )
    assert closed.status_code == 200, closed.text
    body = await get_nok(reports_client, world)
    assert [o["organization_id"] for o in body["organizations"]] == [str(world.s2.id)]
    assert (body["total"], body["organizations_ranked"]) == (None, 0)
