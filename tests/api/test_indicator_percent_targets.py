"""A percent indicator's targets lie in 0–100, as its values do: one outside is never met."""

import pytest

from tests.api.test_indicators import definition, post

PERCENT = {"value_type": "percent"}


@pytest.mark.parametrize("value", [150, -5, 100.5])
async def test_a_percent_target_outside_0_to_100_is_refused(api_client, world, value):
    body = definition("p", "data_value", PERCENT, target={"op": ">=", "value": value})
    answer = await post(api_client, world, body)
    assert answer.status_code == 422, answer.text
    error = answer.json()["errors"][0]
    assert error["loc"] == ["body", "target", "value"]
    assert "от 0 до 100" in error["msg"]


async def test_a_scoped_percent_target_outside_0_to_100_is_refused(api_client, world):
    targets = [
        {"op": ">=", "value": 90, "period": "2021/2022"},
        {"op": ">=", "value": 900, "period": "2022/2023"},
    ]
    answer = await post(api_client, world, definition("p", "data_value", PERCENT, targets=targets))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "targets", 1, "value"]


@pytest.mark.parametrize("value", [0, 0.9, 100])
async def test_percent_targets_from_0_to_100_are_kept(api_client, world, value):
    """0.9 may be a real 0.9 % (kept, but the answer's warnings ask: see below)."""
    body = definition("p", "data_value", PERCENT, target={"op": ">=", "value": value})
    answer = await post(api_client, world, body)
    assert answer.status_code == 201, answer.text
    assert answer.json()["target"]["value"] == value


async def test_a_percent_target_of_at_most_1_is_kept_with_a_warning_of_a_fraction(
    api_client, world
):
    """0.9 on a percent indicator (0–100) is most likely 90 % written as a share: the
    create's and the change's `warnings` say so, naming the target; 0 and 90 are not."""
    targets = [
        {"op": ">=", "value": 90, "period": "2021/2022"},
        {"op": ">=", "value": 0.95, "period": "2022/2023"},
    ]
    body = definition("p", "data_value", PERCENT, target={"op": ">=", "value": 0.9})
    answer = await post(api_client, world, {**body, "targets": targets})
    assert answer.status_code == 201, answer.text
    warnings = answer.json()["warnings"]
    assert len(warnings) == 2, warnings
    assert warnings[0].startswith("Цель 0.9 (target) у показателя в процентах")
    assert (
        "похоже на долю, записанную дробью; если имелось в виду 90 %, укажите 90" in (warnings[0])
    )
    assert "Цель 0.95 (targets[1])" in warnings[1] and "укажите 95" in warnings[1]
    url, headers = f"/v1/indicators/{answer.json()['id']}", world.headers("analyst")
    fixed = await api_client.patch(url, json={"target": {"op": ">=", "value": 90}}, headers=headers)
    assert fixed.status_code == 200 and fixed.json()["warnings"] == [], fixed.text
    again = await api_client.patch(url, json={"target": {"op": ">=", "value": 1}}, headers=headers)
    assert len(again.json()["warnings"]) == 1, again.text
    assert "warnings" not in (await api_client.get(url, headers=headers)).json()
    zero = definition("z", "data_value", PERCENT, target={"op": "<=", "value": 0})
    assert (await post(api_client, world, zero)).json()["warnings"] == []
    count = definition(
        "n", "data_value", {"value_type": "number"}, unit="count", target={"op": ">=", "value": 1}
    )
    assert (await post(api_client, world, count)).json()["warnings"] == []


async def test_other_units_keep_targets_above_100(api_client, world):
    body = definition(
        "n", "data_value", {"value_type": "number"}, unit="count", target={"op": ">=", "value": 150}
    )
    assert (await post(api_client, world, body)).status_code == 201


async def test_a_patch_cannot_set_a_percent_target_above_100(api_client, world):
    created = await post(api_client, world, definition("p", "data_value", PERCENT))
    url, headers = f"/v1/indicators/{created.json()['id']}", world.headers("analyst")
    answer = await api_client.patch(
        url, json={"target": {"op": ">=", "value": 150}}, headers=headers
    )
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "target", "value"]
    scoped = {"targets": [{"op": ">=", "value": 101, "period": "2021/2022"}]}
    answer = await api_client.patch(url, json=scoped, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "targets", 0, "value"]
    assert (await api_client.get(url, headers=headers)).json()["targets"] == []


async def test_a_count_with_a_target_of_150_cannot_become_a_percent(api_client, world):
    body = definition(
        "n", "data_value", {"value_type": "number"}, unit="count", target={"op": ">=", "value": 150}
    )
    created = await post(api_client, world, body)
    url, headers = f"/v1/indicators/{created.json()['id']}", world.headers("analyst")
    change = {"unit": "percent", "params": PERCENT}
    answer = await api_client.patch(url, json=change, headers=headers)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "unit"]
    answer = await api_client.patch(
        url, json=change | {"target": {"op": ">=", "value": 90}}, headers=headers
    )
    assert answer.status_code == 200, answer.text
    assert answer.json()["unit"] == "percent"
