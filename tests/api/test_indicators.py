"""Indicator definitions: each method's parameters, references, cycles and units are checked."""

import re
import uuid
from dataclasses import dataclass

import httpx
import pytest

from tests.factories import World, add_roadmap
from tests.owners import add_analysts


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
    error = answer.json()["errors"][0]
    assert error["loc"] == loc
    assert re.search("[а-яё]", error["msg"], re.IGNORECASE), error["msg"]  # said in Russian


@pytest.mark.parametrize(
    "formula", ["sum(e_planning.value)", "(e_planning.value", "e_planning.value ** 2"]
)
async def test_a_refused_formula_is_said_without_python_words(api_client, world, formula):
    """Not «недопустимо в формуле: Call» nor «'(' was never closed»: Python's node names and
    parser messages are English; the formula itself may be quoted."""
    answer = await post(api_client, world, definition("a", "formula", {"numerator": formula}))
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    said = error["msg"].replace(formula, "")
    for reference in ("code.numerator", "code.denominator", "code.value"):
        said = said.replace(reference, "")
    assert not re.search("[a-z]", said, re.IGNORECASE), error["msg"]


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


# --- who owns what: the global catalogue, a territory's own indicators, each one's targets ------


@dataclass
class Calls:
    """Requests to /v1/indicators as one principal or another of the world."""

    client: httpx.AsyncClient
    world: World
    indicator_id: str = ""

    async def post(self, body: dict, who: str) -> httpx.Response:
        return await self.client.post("/v1/indicators", json=body, headers=self.world.headers(who))

    async def patch(self, indicator_id: str, body: dict, who: str) -> httpx.Response:
        url = f"/v1/indicators/{indicator_id}"
        return await self.client.patch(url, json=body, headers=self.world.headers(who))

    async def read(self, indicator_id: str, who: str = "admin") -> httpx.Response:
        url = f"/v1/indicators/{indicator_id}"
        return await self.client.get(url, headers=self.world.headers(who))

    async def codes(self, who: str, **params) -> set[str]:
        answer = await self.client.get(
            "/v1/indicators", params=params, headers=self.world.headers(who)
        )
        return {i["code"] for i in answer.json()["items"]}


@pytest.fixture
async def owners(api_client, db, settings, world) -> Calls:
    """The world with the analysts of M2 and of the region, and a global indicator `global_x`
    whose targets M1's analyst set for M1, its school S1 and its cluster C1, linked to M1's
    roadmap R1 by M1's analyst."""
    await add_analysts(db, settings, world)
    calls = Calls(api_client, world)
    body = definition("global_x", "data_value", {"value_type": "percent"})
    created = await calls.post(body, "admin")
    assert created.status_code == 201, created.text
    calls.indicator_id = created.json()["id"]
    mine = {
        "targets": [
            target(world.m1.id, "territory", 70),
            target(world.s1.id, "organization", 80),
            target(world.c1.id, "cluster", 75),
        ],
        "roadmap_ids": [str(world.r1.id)],
    }
    answer = await calls.patch(calls.indicator_id, mine, "analyst")
    assert answer.status_code == 200, answer.text
    return calls


def target(scope_id, scope_type: str, value: float, period: str | None = "2021/2022") -> dict:
    return {"op": ">=", "value": value, "period": period, "scope_type": scope_type,
            "scope_id": str(scope_id)}  # fmt: skip


def keys(indicator: dict) -> set:
    return {(t["scope_type"], t["scope_id"], t["value"]) for t in indicator["targets"]}


M1_TARGETS = {"territory": ("m1", 70.0), "organization": ("s1", 80.0), "cluster": ("c1", 75.0)}


@pytest.mark.parametrize("scope_type", ["territory", "organization", "cluster"])
async def test_another_territorys_analyst_cannot_change_a_target_of_m1(owners, scope_type):
    """M2's analyst PATCHes M1's target (of M1, of its school, of its cluster): 404 naming the
    target's scope, and every stored target is as it was."""
    c, world = owners, owners.world
    name, value = M1_TARGETS[scope_type]
    before = (await c.read(c.indicator_id)).json()
    changed = target(getattr(world, name).id, scope_type, value - 50)
    answer = await c.patch(c.indicator_id, {"targets": [changed]}, "analyst2")
    assert answer.status_code == 404, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "targets", 0, "scope_id"]
    assert (await c.read(c.indicator_id)).json()["targets"] == before["targets"]


@pytest.mark.parametrize("name", ["m1", "s1", "c1", "s2"])
async def test_another_territorys_analyst_cannot_add_a_target_inside_m1(owners, name):
    c, world = owners, owners.world
    scope_type = {"m1": "territory", "c1": "cluster"}.get(name, "organization")
    before = (await c.read(c.indicator_id)).json()
    new = target(getattr(world, name).id, scope_type, 10, period="2022/2023")
    answer = await c.patch(c.indicator_id, {"targets": [new]}, "analyst2")
    assert answer.status_code == 404, answer.text
    assert (await c.read(c.indicator_id)).json()["targets"] == before["targets"]


async def test_a_whole_targets_list_replaces_only_the_callers_own_part(owners):
    """M2's analyst sends the list as they see it (none of M1's) plus their own: M1's targets
    stay; then an empty list removes M2's own only."""
    c, world = owners, owners.world
    as_seen = (await c.read(c.indicator_id, "analyst2")).json()
    assert as_seen["targets"] == []  # M1's targets are not shown in M2
    own = target(world.s3.id, "organization", 60)
    answer = await c.patch(c.indicator_id, {"targets": [own]}, "analyst2")
    assert answer.status_code == 200, answer.text
    assert keys(answer.json()) == {("organization", str(world.s3.id), 60.0)}
    everything = keys((await c.read(c.indicator_id)).json())
    assert ("organization", str(world.s3.id), 60.0) in everything
    assert ("organization", str(world.s1.id), 80.0) in everything
    assert ("territory", str(world.m1.id), 70.0) in everything

    answer = await c.patch(c.indicator_id, {"targets": []}, "analyst2")
    assert answer.status_code == 200
    everything = keys((await c.read(c.indicator_id)).json())
    assert len(everything) == 3 and ("organization", str(world.s3.id), 60.0) not in everything


async def test_an_analyst_changes_and_removes_their_own_targets(owners):
    c, world = owners, owners.world
    kept = target(world.s1.id, "organization", 85)
    answer = await c.patch(c.indicator_id, {"targets": [kept]}, "analyst")
    assert answer.status_code == 200, answer.text
    assert keys(answer.json()) == {("organization", str(world.s1.id), 85.0)}
    # The region's analyst holds M1 too: their list replaces M1's part as well.
    region = target(world.region.id, "territory", 65)
    answer = await c.patch(c.indicator_id, {"targets": [region]}, "region_analyst")
    assert answer.status_code == 200, answer.text
    assert keys((await c.read(c.indicator_id)).json()) == {
        ("territory", str(world.region.id), 65.0)
    }


async def test_a_target_above_the_caller_is_shown_kept_when_sent_back_refused_when_changed(owners):
    c, world = owners, owners.world
    region = target(world.region.id, "territory", 65)
    everything = (await c.read(c.indicator_id, "region_analyst")).json()["targets"]
    answer = await c.patch(c.indicator_id, {"targets": [*everything, region]}, "region_analyst")
    assert answer.status_code == 200, answer.text
    as_seen = (await c.read(c.indicator_id, "analyst")).json()
    assert ("territory", str(world.region.id), 65.0) in keys(as_seen)
    # Read, modify own, write back: the region's target is passed through unchanged.
    mine = [t for t in as_seen["targets"] if t["scope_id"] != str(world.s1.id)]
    answer = await c.patch(c.indicator_id, {"targets": mine}, "analyst")
    assert answer.status_code == 200, answer.text
    assert ("organization", str(world.s1.id), 80.0) not in keys(answer.json())
    changed = [t | {"value": 10} if t["scope_type"] == "territory" else t for t in mine]
    changed = [t for t in changed if t["scope_id"] == str(world.region.id)]
    answer = await c.patch(c.indicator_id, {"targets": changed}, "analyst")
    assert answer.status_code == 403, answer.text
    stored = keys((await c.read(c.indicator_id)).json())
    assert ("territory", str(world.region.id), 65.0) in stored
    assert ("territory", str(world.m1.id), 70.0) in stored  # nothing half-written


async def test_the_global_definition_and_its_unscoped_targets_are_the_administrators(owners):
    c = owners
    for body in (
        {"min_n": 3},
        {"name": "Переименован"},
        {"target": {"op": ">=", "value": 1}},
        {"targets": [{"op": ">=", "value": 50, "period": "2021/2022"}]},
        {"params": {"value_type": "number"}, "unit": "number"},
    ):
        for who in ("analyst", "analyst2", "region_analyst"):
            answer = await c.patch(c.indicator_id, body, who)
            assert answer.status_code == 403, (body, who, answer.text)
    stored = (await c.read(c.indicator_id)).json()
    assert stored["min_n"] == 1 and stored["name"] == "Показатель global_x"
    assert stored["target"] is None
    answer = await c.patch(c.indicator_id, {"min_n": 3, "name": "Новое"}, "admin")
    assert answer.status_code == 200 and answer.json()["min_n"] == 3


async def test_a_definition_sent_back_unchanged_is_no_change(owners):
    """A client that reads the indicator and sends it back with its own target added."""
    c, world = owners, owners.world
    seen = (await c.read(c.indicator_id, "analyst2")).json()
    body = {k: seen[k] for k in ("name", "unit", "level", "method", "params", "min_n")}
    body["targets"] = [target(world.s3.id, "organization", 55)]
    answer = await c.patch(c.indicator_id, body, "analyst2")
    assert answer.status_code == 200, answer.text


async def test_another_territorys_analyst_cannot_touch_m1s_roadmap_links(owners):
    c, world = owners, owners.world
    linking = {"roadmap_ids": [str(world.r1.id)]}
    other = definition("m2_own", "data_value", {"value_type": "percent"})
    created = await c.post(other, "analyst2")
    assert created.status_code == 201, created.text
    answer = await c.patch(created.json()["id"], linking, "analyst2")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["loc"] == ["body", "roadmap_ids", 0]
    # A global indicator linked to R1 by M1: M2 replaces its own links only.
    answer = await c.patch(c.indicator_id, {"roadmap_ids": [str(world.r2.id)]}, "analyst2")
    assert answer.status_code == 200, answer.text
    assert answer.json()["roadmap_ids"] == [str(world.r2.id)]  # R1 is not shown in M2
    stored = (await c.read(c.indicator_id)).json()["roadmap_ids"]
    assert sorted(stored) == sorted([str(world.r1.id), str(world.r2.id)])
    answer = await c.patch(c.indicator_id, {"roadmap_ids": []}, "analyst2")
    assert answer.status_code == 200
    assert (await c.read(c.indicator_id)).json()["roadmap_ids"] == [str(world.r1.id)]
    # Creating with a link to M1's roadmap stores nothing.
    sneaky = definition("m2_sneaky", "data_value", {"value_type": "percent"}, **linking)
    answer = await c.post(sneaky, "analyst2")
    assert answer.status_code == 404
    assert await c.codes("admin", code="m2_sneaky") == set()


async def test_a_roadmap_above_is_seen_but_not_linked_by_a_lower_analyst(owners, db):
    c, world = owners, owners.world
    regional, _, _ = await add_roadmap(db, world.region, "Региональная карта", [])
    answer = await c.patch(c.indicator_id, {"roadmap_ids": [str(regional.id)]}, "analyst")
    assert answer.status_code == 403, answer.text
    answer = await c.patch(c.indicator_id, {"roadmap_ids": [str(regional.id)]}, "region_analyst")
    assert answer.status_code == 200, answer.text
    # M1's analyst sees the link, and sending it back keeps it.
    seen = (await c.read(c.indicator_id, "analyst")).json()["roadmap_ids"]
    assert str(regional.id) in seen
    answer = await c.patch(c.indicator_id, {"roadmap_ids": seen}, "analyst")
    assert answer.status_code == 200, answer.text


async def test_a_territorys_own_indicator_is_its_analysts_and_hidden_elsewhere(owners):
    c, world = owners, owners.world
    body = definition("m1_own", "data_value", {"value_type": "percent"}, min_n=2)
    created = await c.post(body, "analyst")
    assert created.status_code == 201, created.text
    own = created.json()
    assert own["owner_territory_id"] == str(world.m1.id)
    for who in ("analyst", "viewer", "leader", "teacher", "region_analyst", "admin"):
        assert (await c.read(own["id"], who)).status_code == 200, who
    assert (await c.read(own["id"], "analyst2")).status_code == 404
    assert "m1_own" not in await c.codes("analyst2")
    assert "m1_own" in await c.codes("viewer")
    answer = await c.patch(own["id"], {"min_n": 5}, "analyst2")
    assert answer.status_code == 404
    answer = await c.patch(own["id"], {"min_n": 5}, "analyst")
    assert answer.status_code == 200 and answer.json()["min_n"] == 5
    # Unscoped targets of its own indicator are the territory's.
    answer = await c.patch(own["id"], {"target": {"op": ">=", "value": 90}}, "analyst")
    assert answer.status_code == 200 and answer.json()["target"] == {"op": ">=", "value": 90.0}
    answer = await c.patch(own["id"], {"min_n": 4}, "region_analyst")
    assert answer.status_code == 200
    # The region's own indicator: seen in M1, changed only in the region.
    regional = definition("region_own", "data_value", {"value_type": "percent"})
    created = await c.post(regional, "region_analyst")
    assert created.status_code == 201
    assert created.json()["owner_territory_id"] == str(world.region.id)
    answer = await c.patch(created.json()["id"], {"min_n": 2}, "analyst")
    assert answer.status_code == 403
    answer = await c.patch(
        created.json()["id"],
        {"targets": [target(world.s1.id, "organization", 50)]},
        "analyst",
    )
    assert answer.status_code == 200, answer.text


async def test_an_owned_indicator_is_defined_only_inside_the_callers_scope(owners):
    c, world = owners, owners.world
    elsewhere = definition("x_m1", "data_value", {"value_type": "percent"})
    elsewhere["owner_territory_id"] = str(world.m1.id)
    answer = await c.post(elsewhere, "analyst2")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["loc"] == ["body", "owner_territory_id"]
    global_one = definition("x_global", "data_value", {"value_type": "percent"})
    answer = await c.post(global_one, "admin")
    assert answer.status_code == 201 and answer.json()["owner_territory_id"] is None
    # An owned indicator's targets stay inside its territory.
    m1_own = definition(
        "x_m1_own",
        "data_value",
        {"value_type": "percent"},
        targets=[target(world.s3.id, "organization", 50)],
    )
    m1_own["owner_territory_id"] = str(world.m1.id)
    answer = await c.post(m1_own, "region_analyst")
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "targets", 0, "scope_id"]


async def test_a_definition_refers_only_to_indicators_its_owner_sees(owners):
    c = owners
    created = await c.post(
        definition("m1_flag", "data_value", {"value_type": "percent"}), "analyst"
    )
    assert created.status_code == 201
    formula = definition("m2_formula", "formula", {"numerator": "m1_flag.value"})
    answer = await c.post(formula, "analyst2")
    assert answer.status_code == 422 and "m1_flag" in answer.json()["detail"]
    # The global catalogue may not refer to a territory's own indicator either.
    answer = await c.post(
        definition("global_formula", "formula", {"numerator": "m1_flag.value"}), "admin"
    )
    assert answer.status_code == 422
    answer = await c.post(
        definition("m1_formula", "formula", {"numerator": "m1_flag.value"}), "analyst"
    )
    assert answer.status_code == 201, answer.text


async def test_a_target_for_a_scope_that_does_not_exist_is_404_even_for_an_administrator(owners):
    c, world = owners, owners.world
    ghost = target(uuid.uuid4(), "organization", 50)
    answer = await c.patch(c.indicator_id, {"targets": [ghost]}, "admin")
    assert answer.status_code == 404
    assert answer.json()["errors"][0]["loc"] == ["body", "targets", 0, "scope_id"]
    twice = [target(world.s1.id, "organization", 50), target(world.s1.id, "organization", 60)]
    answer = await c.patch(c.indicator_id, {"targets": twice}, "analyst")
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "targets", 1]
