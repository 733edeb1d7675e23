"""GET /v1/indicator-values end to end: the reports app asks the real api and surveys apps."""

import random

import httpx
import pytest

from tests.factories import build_world
from tests.reports.outage import reports_without_surveys
from tests.surveys.test_results import launch, nok

PERIOD = "2021/2022"


def respondents(apps) -> httpx.AsyncClient:
    """Parents answering from an address of their own: the anonymous rate limit is per address
    and per process, so other tests' answers must not count against these."""
    address = f"10.{random.randint(0, 255)}.{random.randint(0, 255)}.{random.randint(1, 254)}"
    transport = httpx.ASGITransport(app=apps.surveys, client=(address, 40000))
    return httpx.AsyncClient(transport=transport, base_url="http://surveys")


@pytest.fixture
async def world(db, settings):
    return await build_world(db, settings)


INDICATORS = [
    {
        "code": "trained",
        "name": "Доля педагогов, прошедших КПК",
        "unit": "percent",
        "level": "organization",
        "method": "data_value",
        "params": {"value_type": "percent"},
        "target": {"op": ">=", "value": 70},
    },
    {
        "code": "share_trained",
        "name": "Доля ОО, где не менее 70 % педагогов прошли КПК",
        "unit": "percent",
        "level": "territory",
        "method": "organization_share",
        "params": {"indicator_code": "trained", "condition": {"op": ">=", "value": 70}},
        "target": {"op": ">=", "value": 90},
    },
    {
        "code": "vpr_share_2",
        "name": "Доля двоек по ВПР",
        "unit": "percent",
        "level": "organization",
        "method": "assessment_metric",
        "params": {"procedure": "vpr", "metric": "share_2"},
        "target": {"op": "<=", "value": 15},
    },
    {
        "code": "parents_satisfied",
        "name": "Доля родителей, готовых рекомендовать ОО",
        "unit": "percent",
        "level": "organization",
        "method": "survey_positive_share",
        "params": {
            "instrument_code": "nok_parents_2018",
            "question_codes": ["nok_14"],
            "audience": "parents",
        },
        "target": {"op": ">=", "value": 80},
        "min_n": 5,
    },
]


async def arrange(api_client, surveys_client, world, apps):
    """Indicators, data values, a ВПР result for S2 (S1's is the world's), parents' answers."""
    analyst = world.headers("analyst")
    for definition in INDICATORS:
        answer = await api_client.post("/v1/indicators", json=definition, headers=analyst)
        assert answer.status_code == 201, answer.text
    values = [
        (world.s1.id, PERIOD, 80.0),
        (world.s2.id, PERIOD, 50.0),
        (world.s1.id, "2020/2021", 60.0),
    ]
    answer = await api_client.post(
        "/v1/data-values",
        json={
            "values": [
                {"indicator_code": "trained", "organization_id": str(o), "period": p, "value": v}
                for o, p, v in values
            ]
        },
        headers=analyst,
    )
    assert answer.json()["imported"] == 3, answer.text
    result = {
        "organization_id": str(world.s2.id),
        "procedure": "vpr",
        "year": PERIOD,
        "subject": "Математика",
        "grade": 5,
        "participants": 10,
        "marks": {"2": 4, "3": 4, "4": 1, "5": 1},
    }
    answer = await api_client.post(
        "/v1/assessment-results", json={"results": [result]}, headers=analyst
    )
    assert answer.json()["imported"] == 1, answer.text
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id], True
    )
    answers = [(world.s1.id, v) for v in (True, True, True, False, True, False)]
    answers += [(world.s2.id, v) for v in (True, False, False)]
    async with respondents(apps) as parents:
        for org, overall in answers:
            answer = await parents.post(
                f"/v1/campaigns/{campaign['id']}/responses",
                json={"organization_id": str(org), "answers": nok(nok_14=overall)},
            )
            assert answer.status_code == 201, answer.text


def by_key(body: dict) -> dict:
    return {(i["indicator_code"], i["scope_id"]): i for i in body["items"]}


async def get_values(client, world, who="analyst"):
    answer = await client.get(
        "/v1/indicator-values",
        params={
            "period": PERIOD,
            "scope_type": "territory",
            "scope_id": str(world.m1.id),
            "limit": 500,
        },
        headers=world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_values_of_a_municipality_are_pooled_and_judged_against_targets(
    apps, api_client, surveys_client, reports_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    body = await get_values(reports_client, world)
    assert body["missing_inputs"] == []
    items = by_key(body)
    m1, c1, s1, s2 = (str(x.id) for x in (world.m1, world.c1, world.s1, world.s2))
    assert str(world.s3.id) not in {i["scope_id"] for i in body["items"]}  # outside M1

    trained = items[("trained", m1)]
    assert (trained["value"], trained["n"], trained["status"]) == (65.0, 2, "not_achieved")
    assert (trained["previous_value"], trained["change"]) == (60.0, 5.0)
    assert trained["coverage"]["organizations_share"] == 100.0
    assert items[("trained", s1)]["status"] == "achieved"
    assert items[("trained", s1)]["previous_value"] == 60.0

    share = items[("share_trained", m1)]  # S1 (80) meets ≥ 70, S2 (50) does not
    assert (share["value"], share["numerator"], share["denominator"]) == (50.0, 1, 2)
    assert ("share_trained", s1) not in items

    vpr = items[("vpr_share_2", m1)]  # (2 in S1 + 4 in S2) / (20 + 10)
    assert (vpr["value"], vpr["n"], vpr["status"]) == (20.0, 30, "not_achieved")
    assert items[("vpr_share_2", s1)]["value"] == 10.0
    assert items[("vpr_share_2", s1)]["status"] == "achieved"

    parents = items[("parents_satisfied", m1)]  # pooled: 5 of 9, not the mean of 66.7 and 33.3
    assert (parents["value"], parents["n"], parents["status"]) == (55.56, 9, "not_achieved")
    assert items[("parents_satisfied", c1)]["value"] == 55.56
    small = items[("parents_satisfied", s2)]  # 3 parents: withheld, below min_n
    assert (small["status"], small["value"], small["n"]) == ("insufficient_data", None, 3)
    # S1's 6 parents are withheld too: the district's 5 of 9 minus S1's 4 of 6 would give S2's.
    beside = items[("parents_satisfied", s1)]
    assert (beside["status"], beside["value"], beside["n"]) == ("insufficient_data", None, 6)


async def test_only_the_requested_level_and_indicator(
    apps, api_client, surveys_client, reports_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    answer = await reports_client.get(
        "/v1/indicator-values",
        params={
            "period": PERIOD,
            "scope_type": "territory",
            "scope_id": str(world.m1.id),
            "indicator_code": "trained",
            "level": "organization",
        },
        headers=world.headers("viewer"),
    )
    assert answer.status_code == 200, answer.text
    got = {(i["indicator_code"], i["scope_type"], i["value"]) for i in answer.json()["items"]}
    assert got == {("trained", "organization", 80.0), ("trained", "organization", 50.0)}


async def test_outside_the_callers_scope_is_404(reports_client, world):
    answer = await reports_client.get(
        "/v1/indicator-values",
        params={"period": PERIOD, "scope_type": "territory", "scope_id": str(world.m2.id)},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 404


class Counting(httpx.AsyncBaseTransport):
    """Counts the calls made through a transport."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.calls = inner, []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url.path}")
        return await self.inner.handle_async_request(request)


async def test_a_surveys_outage_marks_survey_values_and_computes_the_rest(
    apps, settings, api_client, surveys_client, world
):
    await arrange(api_client, surveys_client, world, apps)
    api = Counting(httpx.ASGITransport(app=apps.api))
    async with reports_without_surveys(apps, settings, api) as client:
        body = await get_values(client, world)
    assert [m["peer"] for m in body["missing_inputs"]] == ["surveys"]
    items = by_key(body)
    parents = items[("parents_satisfied", str(world.m1.id))]
    assert (parents["status"], parents["value"], parents["missing"]) == (
        "no_data",
        None,
        ["surveys"],
    )
    trained = items[("trained", str(world.m1.id))]
    assert (trained["value"], trained["missing"]) == (65.0, [])
    assert items[("vpr_share_2", str(world.m1.id))]["value"] == 20.0
    # Bounded: the caller's token check, scope, data version, definitions, one lookup, one
    # data-values query, ВПР for two periods.
    assert sorted(api.calls) == sorted(
        [
            "POST /v1/auth/introspect",
            "GET /v1/scopes/resolve",
            "GET /v1/data-version",
            "GET /v1/indicators",
            "POST /v1/organizations/lookup",
            "POST /v1/data-values/query",
            "GET /v1/assessment-results/aggregates",
            "GET /v1/assessment-results/aggregates",
        ]
    )
