"""Indicator definitions: each method's parameters, references, cycles and units are checked."""

import pytest

from tests.factories import build_world


@pytest.fixture
async def world(db, settings):
    return await build_world(db, settings)


def definition(
    code: str,
    method: str,
    params: dict,
    unit: str = "percent",
    level: str = "organization",
    **extra,
):
    return {
        "code": code,
        "name": f"Показатель {code}",
        "unit": unit,
        "level": level,
        "method": method,
        "params": params,
        **extra,
    }


async def post(api_client, world, body):
    return await api_client.post("/v1/indicators", json=body, headers=world.headers("analyst"))


async def test_cluster_share_of_schools_with_electronic_planning(api_client, world, db):
    """Seed 001: "90 % ОО кластера ведут электронное планирование оценочных процедур"."""
    answer = await post(
        api_client,
        world,
        definition(
            "e_planning_share",
            "organization_share",
            {"indicator_code": "e_planning", "condition": {"op": "==", "value": True}},
            level="cluster",
            target={"op": ">=", "value": 90},
            min_n=3,
            targets=[{"op": ">=", "value": 70, "period": "2019/2020"}],
            collection_method="Мониторинг сайтов ОО",
            roadmap_ids=[str(world.r1.id)],
        ),
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["target"] == {"op": ">=", "value": 90.0}
    assert body["targets"] == [
        {"op": ">=", "value": 70.0, "period": "2019/2020", "scope_type": None, "scope_id": None}
    ]
    assert body["roadmap_ids"] == [str(world.r1.id)]
    listed = await api_client.get(
        f"/v1/indicators?roadmap_id={world.r1.id}", headers=world.headers("viewer")
    )
    assert [i["code"] for i in listed.json()["items"]] == ["e_planning_share"]


@pytest.mark.parametrize(
    ("body", "loc"),
    [
        (
            definition("a", "data_value", {"value_type": "kilograms"}),
            ["body", "params", "value_type"],
        ),
        (
            definition("a", "data_value", {"value_type": "percent", "extra": 1}),
            ["body", "params", "extra"],
        ),
        (
            definition("a", "survey_positive_share", {"question_codes": []}),
            ["body", "params", "instrument_code"],
        ),
        (
            definition("a", "deficit_share", {"instrument_code": "Bad Code"}),
            ["body", "params", "instrument_code"],
        ),
        (
            definition("a", "assessment_metric", {"procedure": "vpr", "metric": "share_7"}),
            ["body", "params", "metric"],
        ),
        (
            definition(
                "a", "assessment_metric", {"procedure": "vpr", "metric": "share_2", "grade": 13}
            ),
            ["body", "params", "grade"],
        ),
        (
            definition("a", "formula", {"numerator": "__import__('os')"}),
            ["body", "params", "numerator"],
        ),
        (
            definition("a", "formula", {"numerator": "e_planning.value", "denominator": "x + 1"}),
            ["body", "params", "denominator"],
        ),
    ],
)
async def test_malformed_params_are_422_naming_the_parameter(api_client, world, body, loc):
    answer = await post(api_client, world, body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == loc


async def test_reference_to_an_unknown_indicator_is_refused(api_client, world):
    answer = await post(
        api_client,
        world,
        definition(
            "share_x",
            "organization_share",
            {"indicator_code": "no_such", "condition": {"op": "==", "value": True}},
            level="territory",
        ),
    )
    assert answer.status_code == 422 and "no_such" in answer.json()["detail"]


async def test_formulas_that_refer_to_each_other_in_a_circle_are_refused(api_client, world):
    first = definition("f1", "formula", {"numerator": "e_planning.numerator", "scale": 100})
    assert (await post(api_client, world, first)).status_code == 201
    second = definition(
        "f2", "formula", {"numerator": "f1.numerator", "denominator": "f1.denominator"}
    )
    assert (await post(api_client, world, second)).status_code == 201
    # f1 now made to depend on f2: f1 → f2 → f1.
    answer = await api_client.patch(
        f"/v1/indicators/{(await indicator_id(api_client, world, 'f1'))}",
        json={"params": {"numerator": "f2.numerator"}},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 422
    assert "f1 → f2 → f1" in answer.json()["detail"]


async def indicator_id(api_client, world, code: str) -> str:
    listed = await api_client.get(f"/v1/indicators?code={code}", headers=world.headers("admin"))
    return listed.json()["items"][0]["id"]


async def test_a_formula_mixing_units_is_refused(api_client, world):
    count = definition("pupils", "data_value", {"value_type": "number"}, unit="count")
    assert (await post(api_client, world, count)).status_code == 201
    mixed = definition(
        "mixed", "formula", {"numerator": "pupils.value + e_planning.value"}, unit="number"
    )
    answer = await post(api_client, world, mixed)
    assert answer.status_code == 422 and "смешивает единицы" in answer.json()["detail"]


@pytest.mark.parametrize(
    ("method", "params", "unit"),
    [
        ("survey_positive_share", {"instrument_code": "nok_parents_2018"}, "count"),
        ("data_value", {"value_type": "boolean"}, "percent"),
        (
            "organization_share",
            {"indicator_code": "e_planning", "condition": {"op": "==", "value": True}},
            "score",
        ),
    ],
)
async def test_a_unit_the_method_cannot_give_is_refused(api_client, world, method, params, unit):
    answer = await post(api_client, world, definition("u", method, params, unit=unit))
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "unit"]


async def test_share_of_organizations_needs_a_condition_of_the_right_kind(api_client, world):
    answer = await post(
        api_client,
        world,
        definition(
            "s",
            "organization_share",
            {"indicator_code": "e_planning", "condition": {"op": ">=", "value": 50}},
            level="territory",
        ),
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "params", "condition", "value"]


async def test_duplicate_code_is_409_and_viewers_cannot_define(api_client, world):
    body = definition("e_planning", "data_value", {"value_type": "boolean"}, unit="boolean")
    assert (await post(api_client, world, body)).status_code == 409
    other = definition("x", "data_value", {"value_type": "boolean"}, unit="boolean")
    answer = await api_client.post("/v1/indicators", json=other, headers=world.headers("viewer"))
    assert answer.status_code == 403


async def test_target_with_a_malformed_period_is_refused(api_client, world):
    body = definition(
        "t",
        "data_value",
        {"value_type": "percent"},
        targets=[{"op": ">=", "value": 70, "period": "2021-2022"}],
    )
    answer = await post(api_client, world, body)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "targets", 0, "period"]
