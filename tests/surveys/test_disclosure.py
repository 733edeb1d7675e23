"""Teachers' diagnostic results in aggregates: a group of fewer diagnosed teachers than the
disclosure minimum is withheld from everyone who may not read personal results, at every
level, and so is whatever a difference of shown figures would single out."""

import pytest

from tests.disclosure_world import (
    MINIMUM,
    OUTSIDERS,
    READERS,
    add_teachers,
    aggregates,
    by_scope,
    diagnose,
    disclosure_world,
    move_school,
    one_six_nine,
    withheld,
)
from tests.surveys.forms import answer_as_parents
from tests.surveys.test_results import launch, nok


@pytest.fixture
async def world(db, settings):
    return await disclosure_world(db, settings)


@pytest.mark.parametrize("size", [1, MINIMUM - 1, MINIMUM])
async def test_a_school_of_few_diagnosed_teachers_is_withheld_at_every_level(
    db, settings, surveys_client, world, size
):
    takers = await add_teachers(db, settings, world, world.s1, size, "a")
    campaign = await diagnose(surveys_client, world, [world.s1], takers)
    small = size < MINIMUM
    for level, scope in (
        ("organization", world.s1),
        ("cluster", world.c1),
        ("territory", world.m1),
    ):
        for who in OUTSIDERS + READERS:
            items = by_scope(await aggregates(surveys_client, world, campaign, who, level=level))
            # A teacher's or a leader's scope holds no territory nor cluster (their cluster
            # would be their school under the cluster's name); the others' holds M1 and C1.
            assert str(scope.id) in items or (
                level != "organization" and who in ("teacher2", "leader")
            )
            filtered = await aggregates(
                surveys_client, world, campaign, who, level=level, organization_id=world.s1.id
            )
            for item in [*items.values(), *filtered]:
                assert item["n"] == size  # how many: always shown
                assert withheld(item) is (small and who in OUTSIDERS), (who, level, item)
            if who in READERS and str(scope.id) in items:
                weak = next(
                    c for c in items[str(scope.id)]["competences"] if c["code"] == "interpretation"
                )
                assert (weak["n"], weak["with_deficit"]) == (size, size), (who, level)


async def test_a_school_shown_beside_a_withheld_one_is_withheld_too(
    db, settings, surveys_client, world
):
    """M1 = S1 (1 teacher) + S2 (6): the district's figure minus S2's would be S1's teacher."""
    alone = await add_teachers(db, settings, world, world.s1, 1, "a")
    six = await add_teachers(db, settings, world, world.s2, 6, "b")
    campaign = await diagnose(surveys_client, world, [world.s1, world.s2], alone + six)
    for who in ("analyst", "viewer", "service+analyst"):
        schools = by_scope(await aggregates(surveys_client, world, campaign, who))
        assert withheld(schools[str(world.s1.id)]) and withheld(schools[str(world.s2.id)])
        assert schools[str(world.s2.id)]["n"] == 6
        [district] = await aggregates(surveys_client, world, campaign, who, level="territory")
        [cluster] = await aggregates(surveys_client, world, campaign, who, level="cluster")
        assert district["n"] == cluster["n"] == 7
        assert not withheld(district) and not withheld(cluster)
        # Asked about S2 alone, the answer is the same: no request tells more than another.
        [s2] = await aggregates(surveys_client, world, campaign, who, organization_id=world.s2.id)
        assert withheld(s2)
    # The leader of S2 sees only S2 (no district figure to subtract from): shown to them.
    [own] = await aggregates(surveys_client, world, campaign, "leader2")
    assert own["scope_id"] == str(world.s2.id) and not withheld(own)
    schools = by_scope(await aggregates(surveys_client, world, campaign, "methodologist"))
    assert not any(withheld(i) for i in schools.values())


@pytest.mark.parametrize("redraw", ["new cluster", "cluster changed", "new territory"])
async def test_a_group_drawn_after_the_close_gives_away_no_school(
    db, settings, api_client, surveys_client, world, redraw
):
    """The attacker is the district's analyst: they read the closed diagnostic's figures, then
    draw a group of the withheld S1 (1 teacher) and the shown S4 (9): a new cluster, C1 with
    other schools, or a territory inside M1 they move both into. The group's figure minus S4's,
    read before, would be S1's teacher. Withholding is decided over the groups as drawn at the
    launch, and a group drawn since is shown only when all its schools are: S4 stays shown,
    and the same, and the group is withheld."""
    s4, campaign = await one_six_nine(db, settings, surveys_client, world)
    before = by_scope(await aggregates(surveys_client, world, campaign, "analyst"))
    assert withheld(before[str(world.s1.id)], "minimum")
    assert withheld(before[str(world.s2.id)], "difference")  # M1 − S4 would be S1 otherwise
    assert not withheld(before[str(s4.id)]) and before[str(s4.id)]["n"] == 9

    analyst = world.headers("analyst")
    members = [str(world.s1.id), str(s4.id)]
    if redraw == "new cluster":
        drawn = await api_client.post(
            "/v1/clusters",
            json={"name": "Кластер 9", "territory_id": str(world.m1.id), "member_ids": members},
            headers=analyst,
        )
        assert drawn.status_code == 201, drawn.text
    elif redraw == "cluster changed":
        drawn = await api_client.patch(
            f"/v1/clusters/{world.c1.id}", json={"member_ids": members}, headers=analyst
        )
        assert drawn.status_code == 200, drawn.text
    else:
        drawn = await api_client.post(
            "/v1/territories",
            json={"name": "Микрорайон", "kind": "municipality", "parent_id": str(world.m1.id)},
            headers=analyst,
        )
        assert drawn.status_code == 201, drawn.text
        for school in members:
            moved = await api_client.patch(
                f"/v1/organizations/{school}",
                json={"territory_id": drawn.json()["id"]},
                headers=analyst,
            )
            assert moved.status_code == 200, moved.text
    level = "territory" if redraw == "new territory" else "cluster"
    group_id = drawn.json()["id"]

    after = by_scope(await aggregates(surveys_client, world, campaign, "analyst"))
    assert after == before  # no school's figure changes with the groups drawn
    groups = by_scope(await aggregates(surveys_client, world, campaign, "analyst", level=level))
    assert groups[group_id]["n"] == 10
    assert withheld(groups[group_id], "difference"), groups[group_id]
    # M1 holds the same schools as at the launch: shown, as it was.
    district = by_scope(
        await aggregates(surveys_client, world, campaign, "analyst", level="territory")
    )
    assert not withheld(district[str(world.m1.id)]) and district[str(world.m1.id)]["n"] == 16


async def test_a_school_moved_out_of_the_district_gives_away_no_school(
    db, settings, api_client, surveys_client, world, no_scope_cache
):
    """The district's analyst reads the closed diagnostic (S1: 1 teacher, withheld; S2: 6,
    withheld beside it; S4: 9, shown; M1: 16, shown). The region then moves S2 to M2. Decided
    over M1's schools as they are now, M1 would be S1 + S4 and shown: minus S4's figure read
    before, S1's teacher. S2 still takes part in what the analyst sees withheld (never shown
    to them): S4 is the same and M1, redrawn, is withheld."""
    _, campaign = await one_six_nine(db, settings, surveys_client, world)
    before = by_scope(await aggregates(surveys_client, world, campaign, "analyst"))
    assert withheld(before[str(world.s2.id)], "difference")
    [district] = await aggregates(surveys_client, world, campaign, "analyst", level="territory")
    assert not withheld(district) and district["n"] == 16

    await move_school(api_client, world, world.s2.id, world.m2.id)

    after = by_scope(await aggregates(surveys_client, world, campaign, "analyst"))
    assert str(world.s2.id) not in after  # not the analyst's school any more
    assert after == {k: v for k, v in before.items() if k != str(world.s2.id)}
    [district] = await aggregates(surveys_client, world, campaign, "analyst", level="territory")
    assert district["n"] == 10 and withheld(district, "difference"), district


async def test_the_public_view_withholds_for_readers_of_personal_results_too(
    db, settings, surveys_client, world
):
    takers = await add_teachers(db, settings, world, world.s1, MINIMUM - 1, "a")
    campaign = await diagnose(surveys_client, world, [world.s1], takers)
    for who in READERS:
        [item] = await aggregates(surveys_client, world, campaign, who, public="true")
        assert withheld(item), who
        [item] = await aggregates(surveys_client, world, campaign, who)
        assert not withheld(item), who


async def test_another_school_of_the_municipality_sees_nothing_of_s1(
    db, settings, surveys_client, world
):
    takers = await add_teachers(db, settings, world, world.s1, 2, "a")
    campaign = await diagnose(surveys_client, world, [world.s1, world.s2], takers)
    url = f"/v1/campaigns/{campaign['id']}"
    for level in ("organization", "cluster", "territory"):
        items = await aggregates(surveys_client, world, campaign, "leader2", level=level)
        assert all(i["n"] == 0 for i in items), level  # S2's own (nobody diagnosed there)
    refused = await surveys_client.get(
        f"{url}/aggregates",
        params={"organization_id": str(world.s1.id)},
        headers=world.headers("leader2"),
    )
    # Another school than one's own: not found, as a school of no campaign or none at all.
    assert refused.status_code == 404, refused.text
    assert refused.json()["detail"] == "Организация не найдена"
    deficits = await surveys_client.get(
        f"{url}/deficits",
        params={"organization_id": str(world.s1.id)},
        headers=world.headers("leader2"),
    )
    assert deficits.status_code == 404
    own_school = await surveys_client.get(f"{url}/deficits", headers=world.headers("leader2"))
    assert own_school.status_code == 200 and own_school.json()["items"] == []


async def test_anonymous_answers_are_withheld_by_the_same_rule_for_everyone(
    apps, surveys_client, world
):
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id], True
    )
    answers = [
        (org, nok()) for org, count in ((world.s1.id, 1), (world.s2.id, 7)) for _ in range(count)
    ]
    await answer_as_parents(apps, campaign["id"], answers)
    for who in ("admin", "methodologist", "leader", "analyst"):
        schools = await aggregates(surveys_client, world, campaign, who)
        # S1's one parent, and S2's seven with them (the district minus S2 would give S1).
        assert schools and all(withheld(i) for i in schools), who
