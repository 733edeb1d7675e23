"""Reports built on a diagnostic that still takes answers, as an attacker reads them: read,
let one more teacher answer (`/pending` says who), read again, subtract. The indicator values
and the PD order withhold the period's figures from everyone who may not read personal results
until the diagnostic has closed; its methodologist sees them all along.

The world: M1 = S1 (the minimum of teachers answered, one more has not yet) and S4 (7), every
other teacher with the "tools" deficit (test_disclosure.share), the late one too.
"""

from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from shared import disclosure
from tests.disclosure_world import (
    MINIMUM,
    add_school,
    add_teachers,
    answer,
    close,
    diagnose,
    disclosure_world,
)
from tests.reports.test_disclosure import PERIOD, add_indicator, share, values

ATTACKERS = ("viewer", "analyst", "service+viewer", "service+analyst")


@pytest.fixture
async def world(db, settings):
    world = await disclosure_world(db, settings)
    world.s4 = await add_school(db, world)
    return world


async def open_diagnostic(db, settings, surveys_client, world) -> tuple[dict, str]:
    """The diagnostic of S1 and S4, open; the name of S1's teacher who has not answered."""
    takers = await add_teachers(db, settings, world, world.s1, MINIMUM, "a")
    takers += await add_teachers(db, settings, world, world.s4, 7, "c")
    [late] = await add_teachers(db, settings, world, world.s1, 1, "z")
    campaign = await diagnose(surveys_client, world, [world.s1, world.s4], takers, closed=False)
    return campaign, late


async def test_indicator_values_of_an_open_diagnostic_are_withheld_until_it_closes(
    db, settings, api_client, surveys_client, reports_client, world
):
    await add_indicator(api_client, world)
    campaign, late = await open_diagnostic(db, settings, surveys_client, world)
    s1, s4, m1 = (str(x.id) for x in (world.s1, world.s4, world.m1))
    for n in (MINIMUM, MINIMUM + 1):  # before and after the late teacher answers
        for who in ATTACKERS:
            items, _ = await values(reports_client, world, who)
            for scope, size in ((s1, n), (s4, 7), (m1, n + 7)):
                item = items[scope]
                assert (item["status"], item["value"]) == ("insufficient_data", None), who
                assert item["n"] == size, (who, scope)  # how many: still shown
                assert item["coverage"]["withheld"] == ["campaign_open"], (who, scope)
        # Another teacher of S1 reading their school's values.
        [own] = (await values(reports_client, world, "teacher2", world.s1))[0].values()
        assert (own["status"], own["value"], own["n"]) == ("insufficient_data", None, n)
        mine, _ = await values(reports_client, world, "methodologist")
        # The late teacher answers as the first did: with the deficit.
        assert (mine[s1]["value"], mine[s1]["n"]) == (
            share(0, MINIMUM) if n == MINIMUM else 66.67,
            n,
        )
        if n == MINIMUM:
            await answer(surveys_client, world, campaign, late)
    await close(surveys_client, world, campaign)
    for who in ATTACKERS:
        items, _ = await values(reports_client, world, who)
        for scope, value, size in (
            (s1, 66.67, MINIMUM + 1),
            (s4, share(MINIMUM, 7), 7),
            (m1, 53.85, MINIMUM + 8),
        ):
            assert (items[scope]["value"], items[scope]["n"]) == (value, size), (who, scope)
            assert items[scope]["coverage"]["withheld"] == [], (who, scope)


async def test_the_pd_order_of_an_open_diagnostic_is_withheld_until_rebuilt_after_the_close(
    db, settings, surveys_client, reports_client, world
):
    campaign, late = await open_diagnostic(db, settings, surveys_client, world)
    params = {"territory_id": str(world.m1.id), "period": PERIOD}

    async def order(who):
        read = await reports_client.get("/v1/pd-order", params=params, headers=world.headers(who))
        assert read.status_code == 200, read.text
        return read.json()

    def withheld(seen, reason):
        return (
            seen["suppressed"] is True
            and seen["reason"] == reason
            and (seen["teachers"], seen["seats"]) == (None, None)
            and seen["programmes"] == seen["organizations"] == seen["uncovered"] == []
        )

    for n in (MINIMUM, MINIMUM + 1):
        full = await order("methodologist")  # builds the routes
        assert full["teachers"] == n + 7 and not full["suppressed"]
        for who in (*ATTACKERS, "service"):
            assert withheld(await order(who), "campaign_open"), who
        if n == MINIMUM:
            await answer(surveys_client, world, campaign, late)

    closed = await close(surveys_client, world, campaign)
    # The routes were built while the diagnostic was open (the test's clock stamps them with
    # its start: put them where they were, before the close).
    before = datetime.fromisoformat(closed["closes_at"]) - timedelta(minutes=5)
    await db.execute(text("UPDATE reports.individual_route SET built_at = :at"), {"at": before})
    for who in ATTACKERS:
        assert withheld(await order(who), "built_while_open"), who
    full = await order("methodologist")  # rebuilt from the closed diagnostic
    for who in ATTACKERS:
        seen = await order(who)
        assert not seen["suppressed"] and seen["reason"] is None, who
        assert (seen["teachers"], seen["seats"]) == (MINIMUM + 8, full["seats"]), who


async def test_figures_published_after_the_close_are_not_served_from_earlier_kept_values(
    db, settings, api_client, surveys_client, reports_client, world, monkeypatch
):
    """Publication comes with time, not with a write: the values stored while the figures
    were withheld are not served once they are out."""
    await add_indicator(api_client, world)
    campaign, _ = await open_diagnostic(db, settings, surveys_client, world)
    await close(surveys_client, world, campaign, ago=timedelta(seconds=30))
    s1 = str(world.s1.id)
    items, first = await values(reports_client, world, "viewer")
    assert items[s1]["coverage"]["withheld"] == ["campaign_open"]
    assert (await values(reports_client, world, "viewer"))[1] == first  # stored, served again
    # The settling time over (shortened here rather than waited for), nothing written since.
    monkeypatch.setattr(disclosure, "SETTLE", timedelta(seconds=10))
    items, second = await values(reports_client, world, "viewer")
    assert second != first
    assert (items[s1]["value"], items[s1]["n"]) == (share(0, MINIMUM), MINIMUM)
