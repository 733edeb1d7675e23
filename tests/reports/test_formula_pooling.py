"""A group's value of a formula over counts the schools post pools the schools that posted
every count it reads; and a value exactly on its target meets it, whatever floating point's
error (57 / 100 × 100 = 56.99999999999999). Both found by a fresh analyst recomputing the
figures by hand."""

from tests.reports.helpers import PERIOD, post_values, read_values

TEACHERS = {
    "code": "teachers_total",
    "name": "Педагогов всего",
    "unit": "count",
    "level": "organization",
    "method": "data_value",
    "params": {"value_type": "number"},
}
TRAINED = TEACHERS | {"code": "teachers_trained", "name": "Педагогов, прошедших КПК"}
SHARE = {
    "code": "teachers_trained_share",
    "name": "Доля педагогов, прошедших КПК",
    "unit": "percent",
    "level": "organization",
    "method": "formula",
    "params": {
        "numerator": "teachers_trained.value",
        "denominator": "teachers_total.value",
        "scale": 100,
    },
    "target": {"op": ">=", "value": 57},
}
FIELDS = ("value", "numerator", "denominator", "n", "status")


async def _define(client, world) -> None:
    for definition in (TEACHERS, TRAINED, SHARE):
        answer = await client.post(
            "/v1/indicators", json=definition, headers=world.headers("admin")
        )
        assert answer.status_code == 201, answer.text


async def _share(client, world, **params) -> dict:
    answer = await read_values(client, world, indicator_code=["teachers_trained_share"], **params)
    assert answer.status_code == 200, answer.text
    return {(i["scope_type"], i["scope_id"]): i for i in answer.json()["items"]}


async def test_a_district_s_share_pools_the_schools_that_posted_both_counts(
    api_client, reports_client, world
):
    await _define(api_client, world)
    # S1: 57 trained of 100 teachers; S2: 300 teachers, its trained not posted yet.
    rows = [
        ("teachers_total", world.s1.id, PERIOD, 100),
        ("teachers_trained", world.s1.id, PERIOD, 57),
        ("teachers_total", world.s2.id, PERIOD, 300),
    ]
    await post_values(api_client, world, rows)
    items = await _share(reports_client, world)
    district = items[("territory", str(world.m1.id))]
    # 57 of S1's 100 (57 %, on the target), not 57 of 400 (14,25 %).
    assert tuple(district[f] for f in FIELDS) == (57.0, 57.0, 100.0, 1, "achieved")
    assert district["coverage"] == {
        "organizations": 2,
        "organizations_reporting": 1,
        "organizations_share": 50.0,
    }
    school = items[("organization", str(world.s1.id))]
    assert (school["value"], school["status"]) == (57.0, "achieved")  # 56.99999999999999 ≥ 57
    assert items[("organization", str(world.s2.id))]["value"] is None

    # S2 posts its trained: both pooled, (57 + 150) / (100 + 300).
    await post_values(api_client, world, [("teachers_trained", world.s2.id, PERIOD, 150)])
    district = (await _share(reports_client, world))[("territory", str(world.m1.id))]
    assert tuple(district[f] for f in FIELDS) == (51.75, 207.0, 400.0, 2, "not_achieved")
    assert district["coverage"]["organizations_reporting"] == 2


async def test_a_validation_rule_on_its_bound_holds(api_client, world):
    """A third of 3 teachers trained meets «at least a third»: 1 / 3 × 3 is
    0.99999999999999999999 in the rules' numeric, within the tolerance of 1."""
    await _define(api_client, world)
    rule = {
        "code": "trained_at_least_a_third",
        "left": "teachers_trained / teachers_total * 3",
        "operator": ">=",
        "right": "1",
        "importance": "medium",
        "message": "Обучено меньше трети педагогов",
        "action": "warn",
    }
    made = await api_client.post("/v1/validation-rules", json=rule, headers=world.headers("admin"))
    assert made.status_code == 201, made.text
    rows = [
        ("teachers_total", world.s1.id, PERIOD, 3),
        ("teachers_trained", world.s1.id, PERIOD, 1),
        ("teachers_total", world.s2.id, PERIOD, 4),
        ("teachers_trained", world.s2.id, PERIOD, 1),
    ]
    summary = await post_values(api_client, world, rows)
    broken = {v["organization_id"] for v in summary["violations"]}
    assert broken == {str(world.s2.id)}, summary["violations"]


async def test_a_share_of_zero_teachers_says_why_it_has_no_value(api_client, reports_client, world):
    """A school with no teachers of the kind posts 0 and 0: the data are there, and «нет
    данных» sent the analyst looking for them. The item says its denominator is 0."""
    await _define(api_client, world)
    rows = [
        ("teachers_total", world.s1.id, PERIOD, 0),
        ("teachers_trained", world.s1.id, PERIOD, 0),
    ]
    await post_values(api_client, world, rows)
    school = (await _share(reports_client, world))[("organization", str(world.s1.id))]
    fields = ("value", "numerator", "denominator", "status", "reason")
    assert tuple(school[f] for f in fields) == (None, 0.0, 0.0, "no_data", "zero_denominator")
    assert school["reason_text"] == "знаменатель равен нулю (числитель 0): значение не определено"
    # S2 posted nothing: no data, no reason.
    other = (await _share(reports_client, world))[("organization", str(world.s2.id))]
    assert (other["value"], other["reason"]) == (None, None)


async def test_a_school_closed_before_the_period_is_not_among_its_schools(
    api_client, reports_client, world
):
    """A school merged into another in June is none of the next school year's: its values of
    that year (posted before it closed) do not count, nor does it in the district's count of
    schools — as the data collections' status already said."""
    await _define(api_client, world)
    rows = [
        ("teachers_total", world.s1.id, PERIOD, 100),
        ("teachers_trained", world.s1.id, PERIOD, 60),
        ("teachers_total", world.s2.id, PERIOD, 100),
        ("teachers_trained", world.s2.id, PERIOD, 10),
        ("teachers_total", world.s2.id, "2020/2021", 100),
    ]
    await post_values(api_client, world, rows)
    closed = await api_client.patch(
        f"/v1/organizations/{world.s2.id}",
        json={"closed_on": "2021-06-30"},
        headers=world.headers("admin"),
    )
    assert closed.status_code == 200, closed.text
    answer = await read_values(
        reports_client, world, indicator_code=["teachers_trained_share", "teachers_total"]
    )
    items = {(i["indicator_code"], i["scope_id"]): i for i in answer.json()["items"]}
    district = items[("teachers_trained_share", str(world.m1.id))]
    assert (district["value"], district["n"]) == (60.0, 1)
    assert district["coverage"]["organizations"] == 1  # S1 only: S2 closed before 2021/2022
    total = items[("teachers_total", str(world.m1.id))]
    assert (total["value"], total["coverage"]["organizations"]) == (100.0, 1)
    # 2020/2021, when S2 was open, still counts it: its previous value is S2's 100.
    assert total["previous_value"] == 100.0


async def test_a_district_s_sum_keeps_every_school_s_count(api_client, reports_client, world):
    """Pooling is for ratios: a sum of counts (no denominator) adds up each count over the
    schools that posted it, as before — a district's total does not drop a school that
    posted one of the two."""
    await _define(api_client, world)
    both = SHARE | {
        "code": "teachers_both",
        "name": "Педагогов и обученных вместе",
        "unit": "count",
        "params": {"numerator": "teachers_total.value + teachers_trained.value"},
        "target": None,
    }
    made = await api_client.post("/v1/indicators", json=both, headers=world.headers("admin"))
    assert made.status_code == 201, made.text
    rows = [
        ("teachers_total", world.s1.id, PERIOD, 100),
        ("teachers_trained", world.s1.id, PERIOD, 57),
        ("teachers_total", world.s2.id, PERIOD, 300),
    ]
    await post_values(api_client, world, rows)
    answer = await read_values(reports_client, world, indicator_code=["teachers_both"])
    items = {(i["scope_type"], i["scope_id"]): i for i in answer.json()["items"]}
    assert items[("territory", str(world.m1.id))]["value"] == 457.0
