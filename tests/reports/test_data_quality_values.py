"""Indicator values with approval: the working view counts every posted value and says which
rest on approved data; the published view (`approved_only=true`) counts only approved ones,
never served from the working view's kept values, and follows an approval taken back."""

from tests.factories import add_data_indicator
from tests.reports.helpers import PERIOD, post_values, read_values
from tests.reports.quality_world import approve, one_of_two_approved, quality_world


def _by(body, code):
    return {
        (i["scope_type"], i["scope_id"]): i for i in body["items"] if i["indicator_code"] == code
    }


async def test_the_published_view_counts_approved_values_only_and_the_working_view_marks_them(
    api_client, reports_client, db, settings
):
    world = await quality_world(db, settings)
    await one_of_two_approved(
        api_client,
        world,
        ("e_planning", world.s1.id, PERIOD, True),
        ("e_planning", world.s2.id, PERIOD, False),
    )

    working = await read_values(reports_client, world, indicator_code=["trained"])
    assert working.status_code == 200, working.text
    items = _by(working.json(), "trained")
    s1, s2 = items[("organization", str(world.s1.id))], items[("organization", str(world.s2.id))]
    assert (s1["value"], s1["approved"], s1["approved_organizations"]) == (90, True, 1)
    assert (s2["value"], s2["approved"], s2["approved_organizations"]) == (50, False, 0)
    m1 = items[("territory", str(world.m1.id))]
    assert (m1["value"], m1["approved"], m1["approved_organizations"]) == (70, False, 1)
    assert m1["coverage"]["organizations_reporting"] == 2
    s10 = items[("organization", str(world.s10.id))]
    assert (s10["status"], s10["approved"]) == ("no_data", None)

    published = await read_values(
        reports_client, world, indicator_code=["trained"], approved_only="true"
    )
    assert published.status_code == 200, published.text
    items = _by(published.json(), "trained")
    s1, s2 = items[("organization", str(world.s1.id))], items[("organization", str(world.s2.id))]
    assert (s1["value"], s1["approved"]) == (90, True)
    assert (s2["value"], s2["status"], s2["approved"]) == (None, "no_data", None)
    m1 = items[("territory", str(world.m1.id))]
    assert (m1["value"], m1["approved"], m1["approved_organizations"]) == (90, True, 1)
    assert m1["coverage"]["organizations_reporting"] == 1
    # A boolean of the same collection: the territory's share of «yes» counts S1 alone.
    both = await read_values(
        reports_client, world, indicator_code=["e_planning"], approved_only="true"
    )
    m1 = _by(both.json(), "e_planning")[("territory", str(world.m1.id))]
    assert (m1["value"], m1["n"]) == (100, 1)
    # S1's e_planning approved by a second collection too (the world's): still one value.
    second = await api_client.post(
        f"/v1/collections/{world.collections['m1'].id}/approvals/approve",
        json={"organization_id": str(world.s1.id), "period": PERIOD},
        headers=world.headers("analyst"),
    )
    assert second.status_code == 200, second.text
    both = await read_values(reports_client, world, indicator_code=["e_planning"])
    items = _by(both.json(), "e_planning")
    s1, m1 = items[("organization", str(world.s1.id))], items[("territory", str(world.m1.id))]
    assert (s1["value"], s1["approved"], s1["approved_organizations"]) == (1, True, 1)
    assert (m1["value"], m1["n"], m1["approved_organizations"]) == (50, 2, 1)

    # The working view is still served as it was (kept apart, not replaced by the published).
    again = _by(
        (await read_values(reports_client, world, indicator_code=["trained"])).json(), "trained"
    )
    assert again[("territory", str(world.m1.id))]["value"] == 70


async def test_a_value_no_collection_asks_for_is_not_published(
    api_client, reports_client, db, settings
):
    world = await quality_world(db, settings)
    await add_data_indicator(db, "stand_items", "Информация на стенде", "number")
    await post_values(api_client, world, [("stand_items", world.s1.id, PERIOD, 7)])
    working = _by(
        (await read_values(reports_client, world, indicator_code=["stand_items"])).json(),
        "stand_items",
    )
    item = working[("organization", str(world.s1.id))]
    assert (item["value"], item["approved"]) == (7, False)
    published = await read_values(
        reports_client, world, indicator_code=["stand_items"], approved_only="true"
    )
    item = _by(published.json(), "stand_items")[("organization", str(world.s1.id))]
    assert (item["value"], item["status"]) == (None, "no_data")


async def test_an_approval_taken_back_leaves_the_published_view(
    api_client, reports_client, db, settings
):
    world = await quality_world(db, settings)
    await post_values(api_client, world, [("trained", world.s1.id, PERIOD, 90)])
    await approve(api_client, world, world.s1)
    first = await read_values(
        reports_client, world, indicator_code=["trained"], approved_only="true"
    )
    assert _by(first.json(), "trained")[("organization", str(world.s1.id))]["value"] == 90

    await approve(api_client, world, world.s1, "unapprove")
    later = await read_values(
        reports_client, world, indicator_code=["trained"], approved_only="true"
    )
    item = _by(later.json(), "trained")[("organization", str(world.s1.id))]
    assert (item["value"], item["status"]) == (None, "no_data")
    working = await read_values(reports_client, world, indicator_code=["trained"])
    item = _by(working.json(), "trained")[("organization", str(world.s1.id))]
    assert (item["value"], item["approved"]) == (90, False)
