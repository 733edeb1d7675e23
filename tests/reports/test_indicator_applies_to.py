"""`applies_to` on an indicator definition, end to end: the api keeps the kinds of organization
it names, the change feed carries them to the reports' facts, and the values leave the
organizations of other kinds out (no item, no share of any group's figure). The items carry the
indicator's name and unit, and `status` says `no_target` for a value without a target.

Район 1 (M1) of the test world: Школа 1 and Школа 2 (both in Кластер 1), and here a
kindergarten «Детский сад 1» outside the cluster.
"""

from services.api.organizations.models import Organization
from tests.reports.helpers import post_values, read_values

PERIOD = "2021/2022"
VPR = {
    "code": "vpr_4_5",
    "name": "Доля отметок «4» и «5» по ВПР",
    "unit": "percent",
    "level": "organization",
    "method": "data_value",
    "params": {"value_type": "percent"},
    "applies_to": ["school"],
}


async def test_the_api_keeps_the_kinds_in_their_order_and_checks_them(api_client, world):
    analyst = world.headers("analyst")
    answer = await api_client.post(
        "/v1/indicators",
        json=VPR | {"applies_to": ["college", "school", "college"]},
        headers=analyst,
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["applies_to"] == ["school", "college"]  # each once, in kind order

    default = await api_client.post(
        "/v1/indicators", json=VPR | {"code": "any_kind"} | {"applies_to": None}, headers=analyst
    )
    assert default.status_code == 422  # null is not a list of kinds
    unnamed = {k: v for k, v in VPR.items() if k != "applies_to"}
    default = await api_client.post(
        "/v1/indicators", json=unnamed | {"code": "any_kind"}, headers=analyst
    )
    assert default.status_code == 201, default.text
    assert default.json()["applies_to"] == ["school", "kindergarten", "additional", "college"]

    for wrong in (["nursery"], []):
        answer = await api_client.post(
            "/v1/indicators", json=VPR | {"code": "wrong", "applies_to": wrong}, headers=analyst
        )
        assert answer.status_code == 422, answer.text
        assert any("applies_to" in e["loc"] for e in answer.json()["errors"]), answer.text


async def test_values_leave_other_kinds_out_and_carry_name_unit_and_no_target(
    api_client, reports_client, db, world
):
    kindergarten = Organization(name="Детский сад 1", kind="kindergarten", territory_id=world.m1.id)
    db.add(kindergarten)
    await db.flush()
    created = await api_client.post("/v1/indicators", json=VPR, headers=world.headers("analyst"))
    assert created.status_code == 201, created.text
    posted = await post_values(
        api_client,
        world,
        [
            ("vpr_4_5", world.s1.id, PERIOD, 70),
            ("vpr_4_5", kindergarten.id, PERIOD, 10),  # ВПР is not a kindergarten's: refused
        ],
    )
    assert [r["index"] for r in posted["rejected"]] == [1]
    answer = await read_values(reports_client, world, indicator_code="vpr_4_5")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    items = {i["scope_id"]: i for i in body["items"]}
    m1, c1, s1, s2 = (str(x.id) for x in (world.m1, world.c1, world.s1, world.s2))
    # M1, Кластер 1, Школа 1, Школа 2: no item for the kindergarten, and the total says so.
    assert set(items) == {m1, c1, s1, s2} and body["total"] == 4
    # M1's mean is of its schools' values only: Школа 1's 70 (Школа 2 has none), not
    # (70 + 10) / 2 = 40 with the kindergarten; n = 1 organization.
    assert (items[m1]["value"], items[m1]["n"]) == (70.0, 1)
    assert items[m1]["coverage"]["organizations"] == 2  # Школа 1 and Школа 2
    assert {i["indicator_name"] for i in body["items"]} == {VPR["name"]}
    assert {i["unit"] for i in body["items"]} == {"percent"}
    # No target: a value is `no_target` (it was null), no value stays `no_data`.
    assert (items[s1]["status"], items[s2]["status"]) == ("no_target", "no_data")

    # For kindergartens too: the feed carries the change, the kindergarten's value is taken
    # and is in M1's mean: (70 + 10) / 2 = 40.
    changed = await api_client.patch(
        f"/v1/indicators/{created.json()['id']}",
        json={"applies_to": ["school", "kindergarten"]},
        headers=world.headers("analyst"),
    )
    assert changed.status_code == 200, changed.text
    await post_values(api_client, world, [("vpr_4_5", kindergarten.id, PERIOD, 10)])
    again = (await read_values(reports_client, world, indicator_code="vpr_4_5")).json()
    items = {i["scope_id"]: i for i in again["items"]}
    assert str(kindergarten.id) in items and again["total"] == 5
    assert items[m1]["value"] == 40.0
