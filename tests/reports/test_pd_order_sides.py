"""The PD order's seats per school as an attacker of the municipality reads them: a school's
5 seats of a programme over its 5 diagnosed teachers tells each of them every colleague's
result, as a share of 100 % would (0 of 5 that none needs it, 4 of 5 read by the fifth). So
for analysts and viewers a school is folded into «другие организации» unless every figure of
it shown has at least two teachers on each side (routed to the programme and not; with a
route and without), and the folded line, the territory's total minus the schools shown, too.
Teachers do not read the order at all; the methodologist sees every school exactly.

The world (test_individual_results.py): S4 with five teachers, `k` of them with the "tools"
deficit (so a route to a "tools" programme), S1 with 2 of 5 and S2 with 3 of 5; nothing else
of M1 is diagnosed.
"""

import pytest

from tests.disclosure_world import add_teachers, move_school
from tests.reports.helpers import territory_report
from tests.reports.test_individual_results import PERIOD, TEACHERS, arrange, diagnostic, world

world = world  # the fixture of test_individual_results.py
OTHER = "другие организации"
ATTACKERS = ("analyst", "viewer")


async def order(reports_client, world, who) -> dict:
    answer = await territory_report(reports_client, "/v1/pd-order", world, who)
    assert answer.status_code == 200, answer.text
    return answer.json()


def figures(seen: dict) -> list[tuple[int, dict]]:
    """Each per-school yes/no figure of the order with its territory total: (total, {organization
    id or None: count}) per programme's seats, and the teachers with a route."""
    listed = [
        (p["seats"], {o["organization_id"]: o["seats"] for o in p["organizations"]})
        for p in seen["programmes"]
    ]
    teachers = {o["organization_id"]: o["teachers"] for o in seen["organizations"]}
    return [*listed, (seen["teachers"], teachers)]


def assert_tells_no_one(seen: dict, diagnosed: dict[str, int]) -> None:
    """What an attacker computes from the order and the schools' diagnosed counts (shown in the
    aggregates): every school shown, and the rest (the folded line, or the territory's total
    minus the schools shown), has at least two teachers on each side, or nobody."""
    shown = {o["organization_id"] for o in seen["organizations"]} - {None}
    rest = sum(n for school, n in diagnosed.items() if school not in shown)
    for total, per_school in figures(seen):
        assert None not in per_school or rest, seen
        for school in shown:
            count = per_school.get(school, 0)  # absent: a zero, as visible as a shown one
            assert min(count, diagnosed[school] - count) >= 2, (school, count, seen)
        folded = total - sum(per_school.get(school, 0) for school in shown)
        assert folded == per_school.get(None, 0), seen  # the totals still add up
        if rest:
            assert min(folded, rest - folded) >= 2, (folded, rest, seen)


@pytest.mark.parametrize("k", [TEACHERS, 0, TEACHERS - 1, 1, 2])
async def test_seats_that_tell_individual_results_are_folded(
    db, settings, api_client, surveys_client, reports_client, world, k
):
    takers = await arrange(
        db, settings, api_client, surveys_client, world, k, [(world.s1, 2), (world.s2, 3)]
    )
    s4, s1, s2 = (str(x.id) for x in (world.s4, world.s1, world.s2))
    diagnosed = {s4: TEACHERS, s1: TEACHERS, s2: TEACHERS}

    full = await order(reports_client, world, "methodologist")  # builds the routes
    exact = {o["organization_id"]: o["teachers"] for o in full["organizations"]}
    assert exact == ({s4: k} if k else {}) | {s1: 2, s2: 3}  # the methodologist: exact
    assert full == await order(reports_client, world, "admin") | {"notes": full["notes"]}

    for who in ATTACKERS:
        seen = await order(reports_client, world, who)
        assert not seen["suppressed"], seen
        assert (seen["teachers"], seen["seats"]) == (full["teachers"], full["seats"])
        assert_tells_no_one(seen, diagnosed)
        lines = {o["organization_id"]: o for o in seen["organizations"]}
        if k == 2:  # two on each side in every school: all shown, exactly
            assert {o: line["teachers"] for o, line in lines.items()} == exact, who
        else:
            # S4 is folded, and not alone: the territory's total minus the schools shown
            # would be S4's figure (the difference), so one more school is folded with it.
            assert s4 not in lines and None in lines, (who, seen)
            assert lines[None]["teachers"] == k + exact[min({s1, s2} - lines.keys())]
            assert len({s1, s2} & lines.keys()) == 1, (who, seen)
            for programme in seen["programmes"]:
                assert s4 not in {o["organization_id"] for o in programme["organizations"]}

    # A teacher of S4, who knows their own result, reads no order at all.
    answer = await territory_report(reports_client, "/v1/pd-order", world, takers[0])
    assert answer.status_code == 403, answer.text


async def test_a_school_below_the_minimum_is_folded_with_the_sides_rule_alike(
    db, settings, surveys_client, reports_client, world
):
    """The minimum's fold and the sides rule together: S4 (4 teachers, 2 of them routed: two
    on each side) is below the minimum, S1 (2 of 5) and S2 (3 of 5) are not; S4 alone in
    «другие организации» would be the territory minus S1 and S2, so one of them is folded
    with it."""
    plan = [(world.s4, [True, True, False, False], "a"), (world.s1, [True] * 2 + [False] * 3, "b")]
    plan.append((world.s2, [True] * 3 + [False] * 2, "c"))
    takers = []
    for school, deficits, tag in plan:
        names = await add_teachers(db, settings, world, school, len(deficits), tag)
        takers += list(zip(names, deficits, strict=True))
    await diagnostic(surveys_client, world, [p[0] for p in plan], takers)
    s4, s1, s2 = (str(x.id) for x in (world.s4, world.s1, world.s2))

    full = await order(reports_client, world, "methodologist")
    exact = {o["organization_id"]: o["teachers"] for o in full["organizations"]}
    assert exact == {s4: 2, s1: 2, s2: 3}
    for who in ATTACKERS:
        seen = await order(reports_client, world, who)
        lines = {o["organization_id"]: o for o in seen["organizations"]}
        assert s4 not in lines and len({s1, s2} & lines.keys()) == 1, (who, seen)
        assert lines[None]["teachers"] == 2 + exact[min({s1, s2} - lines.keys())]
        assert_tells_no_one(seen, {s4: 4, s1: TEACHERS, s2: TEACHERS})


async def test_a_territory_drawn_after_the_launch_gives_no_folded_school_away(
    db, settings, api_client, surveys_client, reports_client, world
):
    """The analyst reads M1's order (S4, 5 of 5, folded with one of S1 and S2; the other
    shown), makes a territory inside M1 of S4 and the school shown, and reads its order: its
    total minus that school's seats, read before, would be S4's. The territories are decided
    as drawn at the diagnostic's launch: the new territory's order is not shown, M1's stays."""
    await arrange(
        db, settings, api_client, surveys_client, world, TEACHERS, [(world.s1, 2), (world.s2, 3)]
    )
    await order(reports_client, world, "methodologist")  # builds the routes
    before = await order(reports_client, world, "analyst")
    lines = {o["organization_id"] for o in before["organizations"]}
    [shown] = lines - {None}
    assert str(world.s4.id) not in lines

    analyst = world.headers("analyst")
    made = await api_client.post(
        "/v1/territories",
        json={"name": "Микрорайон", "kind": "municipality", "parent_id": str(world.m1.id)},
        headers=analyst,
    )
    assert made.status_code == 201, made.text
    for school in (str(world.s4.id), shown):
        moved = await api_client.patch(
            f"/v1/organizations/{school}", json={"territory_id": made.json()["id"]}, headers=analyst
        )
        assert moved.status_code == 200, moved.text

    answer = await reports_client.get(
        "/v1/pd-order",
        params={"territory_id": made.json()["id"], "period": PERIOD},
        headers=analyst,
    )
    assert answer.status_code == 200, answer.text
    seen = answer.json()
    assert seen["suppressed"] and seen["reason"] == "difference", seen
    assert seen["teachers"] is None and seen["organizations"] == [] and seen["programmes"] == []
    assert "состав изменился" in seen["notes"][0]
    # M1 holds the same schools as at the launch: its order reads as before.
    assert await order(reports_client, world, "analyst") == before
    # The methodologist reads the new territory's order exactly.
    exact = await reports_client.get(
        "/v1/pd-order",
        params={"territory_id": made.json()["id"], "period": PERIOD, "rebuild": "false"},
        headers=world.headers("methodologist"),
    )
    assert exact.status_code == 200, exact.text
    assert {o["organization_id"] for o in exact.json()["organizations"]} == {
        str(world.s4.id),
        shown,
    }


@pytest.mark.parametrize("diagnostics", ["one", "each its own"])
async def test_a_school_moved_out_of_the_district_gives_no_folded_school_away(
    db, settings, api_client, surveys_client, reports_client, world, no_scope_cache, diagnostics
):
    """The analyst reads M1's order (S4, 5 of 5, folded with one of S1 and S2, the other
    shown); the region then moves the school folded beside S4 to M2. M1's order over the
    schools left would fold S4 with the shown one: its «другие организации» minus that school's
    seats, read before, would be S4's. M1's order is not shown to them any more — also when
    each school took a diagnostic of the period of its own: after the move no diagnostic of
    M1 reaches the school moved, yet the order read before held its seats."""
    plan = [(world.s1, 2), (world.s2, 3)]
    if diagnostics == "one":
        await arrange(db, settings, api_client, surveys_client, world, TEACHERS, plan)
    else:
        await arrange(db, settings, api_client, surveys_client, world, TEACHERS)
        for school, with_deficit in plan:
            names = await add_teachers(db, settings, world, school, TEACHERS, f"t{with_deficit}")
            takers = [(who, i < with_deficit) for i, who in enumerate(names)]
            await diagnostic(surveys_client, world, [school], takers)
    await order(reports_client, world, "methodologist")  # builds the routes
    before = await order(reports_client, world, "analyst")
    assert not before["suppressed"], before
    [shown] = {o["organization_id"] for o in before["organizations"]} - {None}
    [beside] = {str(world.s1.id), str(world.s2.id)} - {shown}
    await move_school(api_client, world, beside, world.m2.id)

    for who in ATTACKERS:
        seen = await order(reports_client, world, who)
        assert seen["suppressed"] and seen["reason"] == "difference", (who, seen)
        assert seen["organizations"] == [] and seen["teachers"] is None
    exact = await order(reports_client, world, "methodologist")
    assert {o["organization_id"] for o in exact["organizations"]} == {str(world.s4.id), shown}
