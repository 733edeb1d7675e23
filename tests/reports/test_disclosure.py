"""Downstream of teachers' diagnostic results, as an attacker of the same municipality would
try them: indicator values of `deficit_share` (and their kept values per caller view),
the PD order's seats per school, recommendations, and the report documents.

The world: M1 = S1 (k diagnosed teachers: 1, the minimum − 1, or the minimum), S2 (6, in
cluster C1 with S1) and S4 (7, in no cluster); every other teacher has the "tools" deficit
(the indicator's: a share of all or none would be withheld for individual results, see
test_individual_results.py).
Below the minimum, S1 is withheld from those who may not read personal results, and S2 with it
(C1 and M1 minus S2 would otherwise give S1); S4 is shown.
"""

import pytest

from tests.disclosure_world import (
    MINIMUM,
    OUTSIDERS,
    add_school,
    add_teachers,
    diagnose,
    disclosure_world,
)
from tests.reports.documents_world import parse, rows_of
from tests.reports.helpers import generate, territory_report
from tests.reports.outage import reports_without_surveys
from tests.surveys.test_results import DIAGNOSTIC

PERIOD = "2021/2022"
CODE = "deficit_tools"
OTHER = "другие организации"
NAME = "Доля педагогов с дефицитом цифровых инструментов"
DIAGNOSTIC_RULES = {"leader_competence_deficit", "pd_centre_competence_deficit"}


@pytest.fixture
async def world(db, settings):
    world = await disclosure_world(db, settings)
    world.s4 = await add_school(db, world)
    return world


def share(first: int, count: int) -> float:
    """The "tools" share of `count` teachers who took the diagnostic from the `first`-th on
    (the even-numbered have the deficit), in percent as values give it."""
    return round(100 * sum(1 for i in range(first, first + count) if i % 2 == 0) / count, 2)


async def add_indicator(api_client, world) -> None:
    """The `deficit_share` indicator of "tools", on M1's roadmap."""
    answer = await api_client.post(
        "/v1/indicators",
        json={
            "code": CODE,
            "name": NAME,
            "unit": "percent",
            "level": "organization",
            "method": "deficit_share",
            "params": {"instrument_code": DIAGNOSTIC.code, "competences": ["tools"]},
            "target": {"op": "<=", "value": 30},
            "roadmap_ids": [str(world.r1.id)],
        },
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 201, answer.text


async def arrange(db, settings, api_client, surveys_client, world, k: int) -> None:
    """The indicator (on M1's roadmap), the teachers and their diagnostic."""
    await add_indicator(api_client, world)
    takers = await add_teachers(db, settings, world, world.s1, k, "a")
    takers += await add_teachers(db, settings, world, world.s2, 6, "b")
    takers += await add_teachers(db, settings, world, world.s4, 7, "c")
    await diagnose(surveys_client, world, [world.s1, world.s2, world.s4], takers)


async def values(reports_client, world, who, scope=None) -> tuple[dict[str, dict], str]:
    """The indicator's items of M1 (or of `scope`, a school) as `who` reads them."""
    answer = await reports_client.get(
        "/v1/indicator-values",
        params={
            "period": PERIOD,
            "scope_type": "organization" if scope else "territory",
            "scope_id": str((scope or world.m1).id),
            "indicator_code": CODE,
            "limit": 500,
        },
        headers=world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    return {i["scope_id"]: i for i in answer.json()["items"]}, answer.json()["computed_at"]


@pytest.mark.parametrize("k", [1, MINIMUM - 1, MINIMUM])
async def test_deficit_shares_of_small_schools_are_withheld_and_snapshots_kept_apart(
    db, settings, api_client, surveys_client, reports_client, world, k
):
    await arrange(db, settings, api_client, surveys_client, world, k)
    s1, s2, s4, m1 = (str(x.id) for x in (world.s1, world.s2, world.s4, world.m1))
    # The methodologist first: their computation (with S1) is kept for their view only.
    mine, first = await values(reports_client, world, "methodologist")
    assert (mine[s1]["value"], mine[s1]["n"]) == (share(0, k), k)
    small = k < MINIMUM
    served = []  # when the values the outsiders were served were computed
    # Another teacher of S1 reads their own school's values.
    [own] = (await values(reports_client, world, "teacher2", world.s1))[0].values()
    assert (own["value"], own["n"]) == ((None, k) if small else (share(0, k), k))
    for who in set(OUTSIDERS) - {"teacher2"}:
        items, snapshot = await values(reports_client, world, who)
        served.append(snapshot)
        for school, start, n in ((s1, 0, k), (s2, k, 6)):
            expected = ("insufficient_data", None) if small else ("not_achieved", share(start, n))
            assert (items[school]["status"], items[school]["value"]) == expected, (who, school)
            assert items[school]["n"] == n, (who, school)  # how many: always shown
        assert (items[s4]["value"], items[s4]["n"]) == (share(k + 6, 7), 7)
        assert (items[m1]["value"], items[m1]["n"]) == (share(0, k + 13), k + 13)
        # What a difference of the figures shown gives covers nobody or at least the minimum.
        shown = sum(
            i["n"]
            for i in items.values()
            if i["scope_type"] == "organization" and i["value"] is not None
        )
        assert items[m1]["n"] - shown in (0, *range(MINIMUM, 100)), who
    again, second = await values(reports_client, world, "methodologist")
    assert second == first and again[s1]["value"] == share(0, k)
    assert first is not None and first not in served  # never the methodologist's to others


@pytest.mark.parametrize("k", [1, MINIMUM - 1, MINIMUM])
async def test_the_pd_order_folds_small_schools_into_other_organizations(
    db, settings, api_client, surveys_client, reports_client, world, k
):
    await arrange(db, settings, api_client, surveys_client, world, k)
    params = {"territory_id": str(world.m1.id), "period": PERIOD}

    async def order(who):
        answer = await reports_client.get("/v1/pd-order", params=params, headers=world.headers(who))
        assert answer.status_code == 200, answer.text
        return answer.json()

    full = await order("methodologist")  # builds the routes
    lines = {o["name"]: o for o in full["organizations"]}
    assert lines["Школа 1"]["teachers"] == k and full["teachers"] == k + 13
    assert full == await order("admin") | {"notes": full["notes"]}
    for who in ("analyst", "viewer", "service+viewer", "service+analyst", "service"):
        seen = await order(who)
        assert (seen["teachers"], seen["seats"]) == (full["teachers"], full["seats"]), (
            who,
            seen["reason"],
        )
        names = [o["name"] for o in seen["organizations"]]
        ids = {o["organization_id"] for o in seen["organizations"]}
        # Every teacher of this world has the "interpretation" deficit, so every one has a
        # route: a school's teachers with a route would be all its diagnosed teachers (5 of
        # 5), telling each one's result. Every school is folded, whatever its size
        # (the sides rule: test_pd_order_sides.py).
        assert names == [OTHER], who
        assert ids == {None}
        # The totals still add up, in all and per programme.
        assert sum(o["teachers"] for o in seen["organizations"]) == seen["teachers"]
        assert sum(o["seats"] for o in seen["organizations"]) == seen["seats"]
        for programme in seen["programmes"]:
            assert sum(o["seats"] for o in programme["organizations"]) == programme["seats"]
            hidden = {str(world.s1.id), str(world.s2.id)} if k < MINIMUM else set()
            assert not hidden & {o["organization_id"] for o in programme["organizations"]}


async def test_recommendations_show_no_small_group_to_anyone_who_may_read_them(
    db, settings, api_client, surveys_client, reports_client, world
):
    await arrange(db, settings, api_client, surveys_client, world, MINIMUM - 1)
    built = await territory_report(reports_client, "/v1/pd-order", world, "methodologist")
    assert built.status_code == 200  # the teachers' routes, for their own recommendations
    issued = await generate(reports_client, world, "methodologist")
    assert issued.status_code == 200, issued.text
    # Issued by the analyst, the same recommendations: nothing changes.
    again = await generate(reports_client, world, "analyst")
    assert (again.json()["created"], again.json()["updated"]) == (0, 0), again.text

    small = {str(world.s1.id), str(world.s2.id)}
    for who in (*OUTSIDERS, "leader2", "leader", "methodologist"):
        answer = await reports_client.get(
            "/v1/recommendations", params={"limit": 500}, headers=world.headers(who)
        )
        assert answer.status_code == 200, answer.text
        for rec in answer.json()["items"]:
            about_small = rec["organization_id"] in small
            if rec["addressee_type"] == "teacher":  # personal: the teacher's own readers only
                school = {"leader": str(world.s1.id), "leader2": str(world.s2.id)}.get(who)
                assert who == "methodologist" or rec["organization_id"] == school, who
                continue
            assert not (about_small and rec["rule_code"] in DIAGNOSTIC_RULES), (who, rec["text"])
            assert not (about_small and rec["indicator_code"] == CODE), (who, rec["text"])
            if rec["rule_code"] in DIAGNOSTIC_RULES or rec["indicator_code"] == CODE:
                assert "Школа 1" not in rec["text"] and "Школа 2" not in rec["text"], who
            for school in rec["evidence"].get("organizations") or []:
                assert school["organization_id"] not in small, who
    # S4's seven teachers make a group: its leader and the PD centre hear of them, read by
    # the readers of personal results only (tests/access/test_personal_recommendations.py).
    for who, shown in (("methodologist", True), ("analyst", False), ("viewer", False)):
        listed = await reports_client.get(
            "/v1/recommendations",
            params={"limit": 500, "organization_id": str(world.s4.id)},
            headers=world.headers(who),
        )
        codes = {r["rule_code"] for r in listed.json()["items"]}
        assert ("leader_competence_deficit" in codes) is shown, who


async def test_documents_show_small_groups_to_no_one(
    db, settings, api_client, surveys_client, reports_client, world
):
    await arrange(db, settings, api_client, surveys_client, world, MINIMUM - 1)
    name = NAME
    for who in ("viewer", "analyst", "methodologist", "admin"):
        answer = await reports_client.get(
            f"/v1/reports/roadmaps/{world.r1.id}",
            params={"period": PERIOD},
            headers=world.headers(who),
        )
        assert answer.status_code == 200, answer.text
        rows = rows_of(parse(answer.text).tables["indicators"], name)
        for school in ("Школа 1", "Школа 2"):
            assert "недостаточно данных" in rows[school][4], (who, rows[school])
            assert "50" not in rows[school][2], (who, rows[school])  # 2 of 4, 3 of 6
        # 4 of 7, 9 of 17
        assert "57,1" in rows["Школа 4"][2] and "52,9" in rows["Район 1"][2], rows
    for who in ("viewer", "leader", "methodologist", "teacher", "teacher2"):
        card = await reports_client.get(
            f"/v1/reports/organizations/{world.s1.id}",
            params={"period": PERIOD},
            headers=world.headers(who),
        )
        assert card.status_code == 200, card.text
        [row] = [r for r in parse(card.text).tables["indicators"][1:] if r[0] == name]
        assert "50" not in " ".join(row) and "недостаточно данных" in " ".join(row), who


async def test_without_the_surveys_service_the_pd_order_is_withheld(
    apps, db, settings, api_client, surveys_client, reports_client, world
):
    await arrange(db, settings, api_client, surveys_client, world, 1)
    params = {"territory_id": str(world.m1.id), "period": PERIOD}
    built = await reports_client.get(
        "/v1/pd-order", params=params, headers=world.headers("methodologist")
    )
    assert built.status_code == 200
    async with reports_without_surveys(apps, settings) as client:
        answer = await client.get("/v1/pd-order", params=params, headers=world.headers("viewer"))
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [m["peer"] for m in body["missing_inputs"]] == ["surveys"]
    # Whether the period's diagnostics are closed is unknown: nothing is shown.
    assert (body["suppressed"], body["reason"]) == (True, "surveys_unavailable")
    assert (body["teachers"], body["seats"], body["organizations"]) == (None, None, [])
    assert built.json()["teachers"] == 14
