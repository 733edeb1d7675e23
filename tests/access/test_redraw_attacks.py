"""Attacks on the disclosure rule by redrawing groups between readings (shared/disclosure.py,
"Nor is the rule over the groups as they stand enough"): an attacker inside one territory reads
a closed diagnostic's figures, the groups are redrawn (by them or by someone above them), and
they read again. Whatever the redrawing, no difference of two readings may give away a withheld
school's teachers.

The world (tests/factories.py): M1 = {S1, S2}, C1 = {S1, S2}, M2 = {S3}. S1 has one diagnosed
teacher (withheld: below the minimum), S2 six (withheld too: M1 − S2 would be S1)."""

import pytest

from services.api.auth.service import user_principal
from shared.identity import issue_user_token
from tests.disclosure_world import (
    add_teachers,
    aggregates,
    by_scope,
    diagnose,
    disclosure_world,
    move_school,
    withheld,
)
from tests.factories import add_user
from tests.reports.test_disclosure import CODE, add_indicator

# The attacker reads again SOKO_SCOPE_CACHE_SECONDS after a redrawing (tests/conftest.py).
pytestmark = pytest.mark.usefixtures("no_scope_cache")


@pytest.fixture
async def world(db, settings):
    return await disclosure_world(db, settings)


async def add_principal(db, settings, world, name, role, scope_type, scope_id) -> None:
    world.users[name] = add_user(db, f"{name}@soko.example", role, scope_type, scope_id)
    await db.flush()
    world.tokens[name] = issue_user_token(settings, user_principal(world.users[name]))


async def one_and_six(db, settings, surveys_client, world) -> dict:
    """S1: one diagnosed teacher, S2: six; the diagnostic closed and published."""
    takers = await add_teachers(db, settings, world, world.s1, 1, "a")
    takers += await add_teachers(db, settings, world, world.s2, 6, "b")
    return await diagnose(surveys_client, world, [world.s1, world.s2], takers)


async def test_a_cluster_viewer_learns_nothing_when_a_school_leaves_their_cluster(
    db, settings, api_client, surveys_client, world
):
    """The attacker is a viewer scoped to C1: they read C1 (7 teachers, shown), then the
    district's analyst takes S1 out of C1. Were S2 (6) shown then, C1 read before minus S2
    would be S1's one teacher."""
    await add_principal(db, settings, world, "cluster_viewer", "viewer", "cluster", world.c1.id)
    campaign = await one_and_six(db, settings, surveys_client, world)
    [cluster] = await aggregates(surveys_client, world, campaign, "cluster_viewer", level="cluster")
    assert cluster["n"] == 7 and not withheld(cluster)
    schools = by_scope(await aggregates(surveys_client, world, campaign, "cluster_viewer"))
    assert withheld(schools[str(world.s1.id)]) and withheld(schools[str(world.s2.id)])

    redrawn = await api_client.patch(
        f"/v1/clusters/{world.c1.id}",
        json={"member_ids": [str(world.s2.id)]},
        headers=world.headers("analyst"),
    )
    assert redrawn.status_code == 200, redrawn.text

    schools = by_scope(await aggregates(surveys_client, world, campaign, "cluster_viewer"))
    assert withheld(schools[str(world.s2.id)]), schools[str(world.s2.id)]
    for item in await aggregates(
        surveys_client, world, campaign, "cluster_viewer", level="cluster"
    ):
        assert item["n"] != 6 or withheld(item), item


async def test_a_district_analyst_learns_nothing_when_a_school_is_moved_out_of_the_district(
    db, settings, api_client, surveys_client, world
):
    """The attacker is M1's analyst: they read M1 (7, shown), then the region's analyst moves
    S1 to M2. Were S2 (or M1, now S2 alone) shown then, M1 read before minus it would be S1."""
    await add_principal(
        db, settings, world, "regional", "territory_analyst", "territory", world.region.id
    )
    campaign = await one_and_six(db, settings, surveys_client, world)
    [district] = await aggregates(surveys_client, world, campaign, "analyst", level="territory")
    assert district["n"] == 7 and not withheld(district)

    await move_school(api_client, world, world.s1.id, world.m2.id, "regional")

    for who in ("analyst", "viewer"):
        schools = by_scope(await aggregates(surveys_client, world, campaign, who))
        assert str(world.s1.id) not in schools  # out of their scope now
        assert withheld(schools[str(world.s2.id)]), (who, schools[str(world.s2.id)])
        for level in ("territory", "cluster"):
            for item in await aggregates(surveys_client, world, campaign, who, level=level):
                assert item["n"] != 6 or withheld(item), (who, level, item)
        [s2] = await aggregates(surveys_client, world, campaign, who, organization_id=world.s2.id)
        assert withheld(s2), who


async def test_a_regional_analyst_learns_nothing_by_moving_a_school_between_districts(
    db, settings, api_client, surveys_client, world
):
    """The attacker is the region's analyst: they move S1 (1) from M1 to M2; every school reads
    the same as before, and M2 (now S1 alone) and M1 (now S2 alone) are withheld."""
    await add_principal(
        db, settings, world, "regional", "territory_analyst", "territory", world.region.id
    )
    takers = await add_teachers(db, settings, world, world.s1, 1, "a")
    takers += await add_teachers(db, settings, world, world.s2, 6, "b")
    campaign = await diagnose(surveys_client, world, [world.s1, world.s2], takers)
    levels = ("organization", "cluster", "territory")
    before = {
        level: by_scope(await aggregates(surveys_client, world, campaign, "regional", level=level))
        for level in levels
    }
    assert withheld(before["organization"][str(world.s1.id)])
    assert withheld(before["organization"][str(world.s2.id)])

    await move_school(api_client, world, world.s1.id, world.m2.id, "regional")
    after = {
        level: by_scope(await aggregates(surveys_client, world, campaign, "regional", level=level))
        for level in levels
    }
    assert after["organization"] == before["organization"]
    m2 = after["territory"][str(world.m2.id)]
    assert m2["n"] == 1 and withheld(m2), m2
    m1 = after["territory"][str(world.m1.id)]
    assert m1["n"] == 6 and withheld(m1), m1
    assert not withheld(after["territory"][str(world.region.id)])


async def test_the_reports_values_give_nothing_away_when_a_school_is_moved_out_of_the_district(
    db, settings, api_client, surveys_client, reports_client, world
):
    """The same attack on the reports' indicator values (the share of teachers with the
    "tools" deficit, on M1's roadmap): M1 read before (7 teachers), S2 read after S1's move."""
    await add_principal(
        db, settings, world, "regional", "territory_analyst", "territory", world.region.id
    )
    await add_indicator(api_client, world)
    await one_and_six(db, settings, surveys_client, world)

    async def values(who) -> dict[str, dict]:
        answer = await reports_client.get(
            "/v1/indicator-values",
            params={
                "period": "2021/2022",
                "scope_type": "territory",
                "scope_id": str(world.m1.id),
                "indicator_code": CODE,
                "limit": 500,
            },
            headers=world.headers(who),
        )
        assert answer.status_code == 200, answer.text
        return {i["scope_id"]: i for i in answer.json()["items"]}

    before = await values("analyst")
    assert before[str(world.m1.id)]["value"] is not None
    assert before[str(world.s2.id)]["value"] is None

    await move_school(api_client, world, world.s1.id, world.m2.id, "regional")

    for who in ("analyst", "viewer"):
        after = await values(who)
        for scope_id, item in after.items():
            if scope_id != str(world.s1.id):
                assert item["value"] is None, (who, item)
