"""GET /v1/indicator-values end to end: the reports app asks the real api and surveys apps."""

import httpx

from tests.disclosure_world import close
from tests.facts import followers, sync_facts
from tests.reports.helpers import TRAINED_INDICATOR, post_values, read_values
from tests.reports.outage import reports_without_surveys
from tests.surveys.forms import answer_as_parents
from tests.surveys.test_results import launch, nok

PERIOD = "2021/2022"


INDICATORS = [
    TRAINED_INDICATOR,
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


async def post_s2_result(api_client, world) -> None:
    """S2's ВПР result in mathematics, grade 5 (10 participants, marks 4/4/1/1)."""
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
        "/v1/assessment-results", json={"results": [result]}, headers=world.headers("analyst")
    )
    assert answer.json()["imported"] == 1, answer.text


async def post_trained(api_client, world, value: float) -> None:
    """S2's "trained" value of the period changed to `value` (it had one)."""
    summary = await post_values(api_client, world, [("trained", world.s2.id, PERIOD, value)])
    assert summary["updated"] == 1, summary


async def arrange(api_client, surveys_client, world, apps):
    """Indicators, data values, a ВПР result for S2 (S1's is the world's), parents' answers
    (their campaign closed)."""
    analyst = world.headers("analyst")
    for definition in INDICATORS:
        answer = await api_client.post("/v1/indicators", json=definition, headers=analyst)
        assert answer.status_code == 201, answer.text
    values = [
        (world.s1.id, PERIOD, 80.0),
        (world.s2.id, PERIOD, 50.0),
        (world.s1.id, "2020/2021", 60.0),
    ]
    summary = await post_values(api_client, world, [("trained", o, p, v) for o, p, v in values])
    assert summary["imported"] == 3, summary
    await post_s2_result(api_client, world)
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id], True
    )
    answers = [(world.s1.id, v) for v in (True, True, True, False, True, False)]
    answers += [(world.s2.id, v) for v in (True, False, False)]
    await answer_as_parents(apps, campaign["id"], [(org, nok(nok_14=v)) for org, v in answers])
    await close(surveys_client, world, campaign)  # its figures are out at the close


def by_key(body: dict) -> dict:
    return {(i["indicator_code"], i["scope_id"]): i for i in body["items"]}


async def get_values(client, world, who="analyst"):
    answer = await read_values(client, world, who, limit=500)
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
    answer = await read_values(
        reports_client, world, "viewer", indicator_code="trained", level="organization"
    )
    assert answer.status_code == 200, answer.text
    got = {(i["indicator_code"], i["scope_type"], i["value"]) for i in answer.json()["items"]}
    assert got == {("trained", "organization", 80.0), ("trained", "organization", 50.0)}


async def test_outside_the_callers_scope_is_404(reports_client, world):
    answer = await read_values(reports_client, world, scope=world.m2.id)
    assert answer.status_code == 404


async def test_a_school_s_people_read_no_other_school_of_their_cluster(
    apps, api_client, surveys_client, reports_client, world
):
    """S1 and S2 are both in Кластер 1. S1's leader and teacher read S1's values; asking for
    the cluster they are in gives neither S2's values nor the cluster's figure made of them
    (404, as the pages answer them), so S2's 50 % is never theirs to see."""
    await arrange(api_client, surveys_client, world, apps)
    for who in ("leader", "teacher"):
        own = await read_values(
            reports_client, world, who, scope=world.s1.id, scope_type="organization"
        )
        assert own.status_code == 200, (who, own.text)
        assert {i["scope_id"] for i in own.json()["items"]} == {str(world.s1.id)}
        for level in (None, "organization"):
            params = {"scope_type": "cluster", "level": level} if level else {}
            asked = await read_values(
                reports_client,
                world,
                who,
                scope=world.c1.id,
                **({"scope_type": "cluster"} | params),
            )
            assert asked.status_code == 404, (who, level, asked.text[:300])
            assert str(world.s2.id) not in asked.text
    # The analyst still reads the cluster and both its schools.
    analyst = await read_values(
        reports_client, world, scope=world.c1.id, scope_type="cluster", level="organization"
    )
    assert {i["scope_id"] for i in analyst.json()["items"]} >= {str(world.s1.id), str(world.s2.id)}


class Counting(httpx.AsyncBaseTransport):
    """Counts the calls made through a transport."""

    def __init__(self, inner: httpx.AsyncBaseTransport) -> None:
        self.inner, self.calls = inner, []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.calls.append(f"{request.method} {request.url.path}")
        return await self.inner.handle_async_request(request)


async def test_a_surveys_outage_changes_nothing_values_come_from_the_facts(
    apps, settings, isolation, api_client, surveys_client, world
):
    """The values are computed over the facts the reports service keeps: with the surveys
    service down they are answered as before; what never arrived in the facts is `no_data`.
    (Before the facts, a peer down made its values `no_data` with `missing`.)"""
    await arrange(api_client, surveys_client, world, apps)
    api = Counting(httpx.ASGITransport(app=apps.api))
    async with reports_without_surveys(apps, settings, api) as client:
        await followers(apps, isolation)["api"].catch_up()  # the surveys feed not read yet
        api_only = by_key(await get_values(client, world))
        await sync_facts(apps, isolation)
        api.calls.clear()
        body = await get_values(client, world)
    m1 = str(world.m1.id)
    assert api_only[("trained", m1)]["value"] == 65.0
    never_arrived = api_only[("parents_satisfied", m1)]
    assert (never_arrived["status"], never_arrived["value"]) == ("no_data", None)
    assert body["missing_inputs"] == []
    items = by_key(body)
    parents = items[("parents_satisfied", m1)]
    assert (parents["status"], parents["value"], parents["missing"]) == (
        "not_achieved",
        55.56,
        [],
    )
    trained = items[("trained", m1)]
    assert (trained["value"], trained["missing"]) == (65.0, [])
    assert items[("vpr_share_2", m1)]["value"] == 20.0
    # No peer is asked for the values: at most the caller's token check and the scope.
    assert set(api.calls) <= {"POST /v1/auth/introspect", "GET /v1/scopes/resolve"}


async def test_a_schools_changed_value_is_visible_in_its_cluster_and_territories(
    apps, api_client, surveys_client, reports_client, world
):
    """One school's new value reaches at once every unit it belongs to: its cluster, its
    municipality and the region (computed over the facts, two stages: per organization, then
    per unit)."""
    await arrange(api_client, surveys_client, world, apps)

    async def region_values() -> dict:
        codes = ["trained", "share_trained"]
        answer = await read_values(
            reports_client, world, "admin", world.region.id, indicator_code=codes, limit=500
        )
        assert answer.status_code == 200, answer.text
        return by_key(answer.json())

    before = await region_values()
    await post_trained(api_client, world, 90.0)
    after = await region_values()
    s2, c1, m1, region = (str(x.id) for x in (world.s2, world.c1, world.m1, world.region))
    # S1 80 and S2 50, then 90: the mean of the two, wherever both count.
    for scope in (c1, m1, region):
        assert before[("trained", scope)]["value"] == 65.0, scope
        assert after[("trained", scope)]["value"] == 85.0, scope
        assert after[("trained", scope)]["change"] == 25.0, scope  # last year: S1's 60
        assert before[("share_trained", scope)]["value"] == 50.0, scope
        assert after[("share_trained", scope)]["value"] == 100.0, scope
    assert (before[("trained", s2)]["value"], after[("trained", s2)]["value"]) == (50.0, 90.0)
    assert after[("trained", str(world.m2.id))]["value"] is None  # S3 posted nothing
