"""A definition change the indicator's stored values would break is a 422 naming the field.

As the tester did it: a count with a school's 150 stored made a percent (the reports then
showed 150 %, unflagged), a `max` lowered to 10 under a stored 66. Also: a number with 2.5
made a count, one with 3 made a yes/no. The message says how many values and which; after
the value is fixed the same change is taken. Nothing of a refused change is stored.
"""

import pytest

from tests.api.test_indicators import definition, post

PERIOD = "2021/2022"


async def with_values(api_client, world, unit: str, params: dict, values: list[float]) -> str:
    """An indicator of M1 with `values` stored for S1 in consecutive years: its URL."""
    created = await post(api_client, world, definition("kept", "data_value", params, unit=unit))
    assert created.status_code == 201, created.text
    rows = [
        {"indicator_code": "kept", "organization_id": str(world.s1.id)}
        | {"period": str(2015 + i), "value": value}
        for i, value in enumerate(values)
    ]
    posted = await api_client.post(
        "/v1/data-values", json={"values": rows}, headers=world.headers("analyst")
    )
    assert posted.json()["imported"] == len(values), posted.text
    return f"/v1/indicators/{created.json()['id']}"


@pytest.mark.parametrize(
    ("unit", "params", "values", "change", "loc", "named"),
    [
        (
            "count",
            {"value_type": "number"},
            [150, 20],
            {"unit": "percent", "params": {"value_type": "percent", "min": 0, "max": 100}},
            ["body", "unit"],
            "«Школа 1», 2015: 150",
        ),
        (
            "number",
            {"value_type": "number"},
            [66, 5, 12, 40, 9],
            {"params": {"value_type": "number", "max": 10}},
            ["body", "params", "max"],
            "(3): «Школа 1», 2015: 66; «Школа 1», 2017: 12; «Школа 1», 2018: 40",
        ),
        (
            "number",
            {"value_type": "number"},
            [2.5],
            {"unit": "count"},
            ["body", "unit"],
            "2015: 2,5",
        ),
        (
            "number",
            {"value_type": "number"},
            [3],
            {"unit": "boolean", "params": {"value_type": "boolean"}},
            ["body", "unit"],
            "2015: 3",
        ),
        (
            "number",
            {"value_type": "number", "min": -5},
            [-2],
            {"params": {"value_type": "number", "min": 0}},
            ["body", "params", "min"],
            "2015: -2",
        ),
    ],
)
async def test_a_change_stored_values_would_break_is_422_naming_them(
    api_client, world, unit, params, values, change, loc, named
):
    url = await with_values(api_client, world, unit, params, values)
    headers = world.headers("analyst")
    answer = await api_client.patch(url, json=change, headers=headers)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == loc, error
    assert "уже внесённые значения показателя не подходят" in error["msg"], error
    assert named in error["msg"], error
    after = (await api_client.get(url, headers=headers)).json()
    assert (after["unit"], after["params"]["value_type"]) == (unit, params["value_type"])


async def test_the_change_is_taken_once_the_values_fit(api_client, world):
    url = await with_values(api_client, world, "count", {"value_type": "number"}, [150])
    headers = world.headers("analyst")
    change = {"unit": "percent", "params": {"value_type": "percent"}}
    assert (await api_client.patch(url, json=change, headers=headers)).status_code == 422
    fixed = await api_client.post(
        "/v1/data-values",
        json={
            "values": [
                {"indicator_code": "kept", "organization_id": str(world.s1.id)}
                | {"period": "2015", "value": 15}
            ]
        },
        headers=headers,
    )
    assert fixed.json()["updated"] == 1, fixed.text
    answer = await api_client.patch(url, json=change, headers=headers)
    assert answer.status_code == 200, answer.text
    assert answer.json()["unit"] == "percent"
    # A change of the name alone reads no value.
    renamed = await api_client.patch(url, json={"name": "Другое имя"}, headers=headers)
    assert renamed.status_code == 200, renamed.text


async def test_widening_the_bounds_is_taken(api_client, world):
    params = {"value_type": "number", "min": 0, "max": 100}
    url = await with_values(api_client, world, "number", params, [66, 0])
    wider = {"params": {"value_type": "number", "min": -10, "max": 70}}
    answer = await api_client.patch(url, json=wider, headers=world.headers("analyst"))
    assert answer.status_code == 200, answer.text
    assert (answer.json()["params"]["min"], answer.json()["params"]["max"]) == (-10, 70)


async def test_a_detour_through_another_method_does_not_get_past_the_values(api_client, world):
    """A formula for a moment, then back to a yes/no data value: the values stayed stored all
    along, and 500 is no yes/no (the tester's way round the check)."""
    url = await with_values(api_client, world, "number", {"value_type": "number"}, [500, 1])
    headers = world.headers("analyst")
    formula = {"method": "formula", "params": {"numerator": "e_planning.value", "scale": 1}}
    assert (await api_client.patch(url, json=formula, headers=headers)).status_code == 200
    back = {"method": "data_value", "unit": "boolean", "params": {"value_type": "boolean"}}
    answer = await api_client.patch(url, json=back, headers=headers)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "method"] and "2015: 500" in error["msg"], error
