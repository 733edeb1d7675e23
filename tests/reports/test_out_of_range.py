"""A percent outside 0–100 is computed from counts that contradict each other (60 teachers
trained of 50, or one mistyped count: 2 800 %), and a tester saw it shown «✓ достигнуто» with
no warning anywhere. It is now marked, meets no target and says why; and a mean on a half is
rounded up, as a reader rounds it (58.425 → 58.43, not the float's 58.42)."""

from tests.reports.helpers import PERIOD, generate, post_values, read_values
from tests.reports.test_formula_pooling import SHARE, _define

TEXT = (
    "значение 120 % вне диапазона от 0 до 100 %: данные, из которых оно посчитано, "
    "противоречат друг другу — проверьте их"
)


async def test_a_share_over_100_is_marked_and_meets_no_target(api_client, reports_client, world):
    await _define(api_client, world)
    rows = [
        ("teachers_total", world.s1.id, PERIOD, 50),
        ("teachers_trained", world.s1.id, PERIOD, 60),  # more trained than there are teachers
        ("teachers_total", world.s2.id, PERIOD, 40),
        ("teachers_trained", world.s2.id, PERIOD, 30),
    ]
    await post_values(api_client, world, rows)
    answer = await read_values(reports_client, world, indicator_code=[SHARE["code"]])
    assert answer.status_code == 200, answer.text
    items = {(i["scope_type"], i["scope_id"]): i for i in answer.json()["items"]}
    school = items[("organization", str(world.s1.id))]
    assert (school["value"], school["status"], school["flagged"]) == (
        120.0,
        "insufficient_data",
        True,
    )
    assert (school["reason"], school["reason_text"]) == ("out_of_range", TEXT)
    other = items[("organization", str(world.s2.id))]  # 75 %: judged as before
    assert (other["value"], other["status"], other.get("reason")) == (75.0, "achieved", None)
    # The district pools both: 90 of 90 teachers, 100 %, on the bound: within range.
    district = items[("territory", str(world.m1.id))]
    assert (district["value"], district["status"], district.get("reason")) == (
        100.0,
        "achieved",
        None,
    )


async def test_a_mean_on_a_half_rounds_up(api_client, reports_client, world):
    definition = {
        "code": "additional_education",
        "name": "Охват дополнительным образованием",
        "unit": "number",
        "level": "organization",
        "method": "data_value",
        "params": {"value_type": "number"},
    }
    made = await api_client.post("/v1/indicators", json=definition, headers=world.headers("admin"))
    assert made.status_code == 201, made.text
    rows = [
        ("additional_education", world.s1.id, PERIOD, 58.42),
        ("additional_education", world.s2.id, PERIOD, 58.43),
    ]
    await post_values(api_client, world, rows)
    answer = await read_values(
        reports_client, world, indicator_code=["additional_education"], scope_type="territory"
    )
    [district] = [i for i in answer.json()["items"] if i["scope_type"] == "territory"]
    assert district["value"] == 58.43  # (58.42 + 58.43) / 2 = 58.425


async def test_a_value_out_of_range_leaves_an_open_recommendation_open(
    api_client, reports_client, world
):
    """A school told its share is below the target posts a mistyped count: 300 % is no sign
    the cause is gone, so the recommendation stays open (it said «причина устранена»)."""
    await _define(api_client, world)
    rows = [
        ("teachers_total", world.s1.id, PERIOD, 100),
        ("teachers_trained", world.s1.id, PERIOD, 30),  # 30 %, below «не менее 57»
    ]
    await post_values(api_client, world, rows)
    assert (await generate(reports_client, world)).status_code == 200

    async def open_ones() -> list[str]:
        answer = await reports_client.get(
            "/v1/recommendations",
            params={"limit": 200, "organization_id": str(world.s1.id)},
            headers=world.headers("analyst"),
        )
        assert answer.status_code == 200, answer.text
        return [i["id"] for i in answer.json()["items"] if i["indicator_code"] == SHARE["code"]]

    before = await open_ones()
    assert len(before) == 1
    await post_values(api_client, world, [("teachers_total", world.s1.id, PERIOD, 10)])
    answer = await generate(reports_client, world)
    assert answer.status_code == 200, answer.text
    assert await open_ones() == before
