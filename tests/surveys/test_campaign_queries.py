"""What the reports service reads from the surveys service: filtered campaign lists, and
aggregates carrying the counts behind each share so that several questions can be pooled."""

from tests.disclosure_world import close
from tests.surveys.forms import answer_as_parents
from tests.surveys.test_results import launch, nok


async def test_campaigns_filter_by_instrument_and_period(surveys_client, world):
    async def codes(**params):
        answer = await surveys_client.get(
            "/v1/campaigns", params=params, headers=world.headers("admin")
        )
        assert answer.status_code == 200, answer.text
        return sorted(c["title"] for c in answer.json()["items"])

    everything = ["diagnostic_s1", "diagnostic_s3", "parents_s1", "parents_s3"]
    assert await codes() == everything
    assert await codes(instrument_code="nok_parents_2018") == ["parents_s1", "parents_s3"]
    assert await codes(period=["2020/2021", "2021/2022"]) == everything
    assert await codes(period="2020/2021") == []
    both = {"instrument_code": ["nok_parents_2018", "teacher_digital_assessment_deficits"]}
    assert await codes(**both, period="2021/2022") == everything


async def test_campaigns_filter_by_audience_and_anonymity(surveys_client, world):
    """The teachers' diagnostics (`audience=teachers&anonymous=false`) counted and paged in
    SQL; a value a filter does not take is a 422 naming the parameter."""

    async def listed(**params):
        answer = await surveys_client.get(
            "/v1/campaigns", params=params, headers=world.headers("admin")
        )
        assert answer.status_code == 200, answer.text
        page = answer.json()
        return sorted(c["title"] for c in page["items"]), page["total"]

    diagnostics = (["diagnostic_s1", "diagnostic_s3"], 2)
    assert await listed(audience="teachers", anonymous="false") == diagnostics
    assert await listed(audience="teachers") == diagnostics
    assert await listed(anonymous="true") == (["parents_s1", "parents_s3"], 2)
    assert await listed(audience="leaders") == ([], 0)
    # The total is of all the filtered campaigns, not of the page.
    assert (await listed(anonymous="false", limit=1))[1] == 2
    for name, value in (("audience", "teacher"), ("anonymous", "maybe")):
        refused = await surveys_client.get(
            "/v1/campaigns", params={name: value}, headers=world.headers("admin")
        )
        assert refused.status_code == 422, refused.text
        assert refused.headers["content-type"].startswith("application/problem+json")
        assert refused.json()["errors"][0]["loc"] == ["query", name]
        assert f"параметр {name}" in refused.json()["detail"]


async def test_aggregates_carry_positive_and_rated_counts_unless_withheld(
    apps, surveys_client, world
):
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id], True
    )
    answers = [(world.s1.id, v) for v in (True, True, True, False, True, False)]
    answers += [(world.s2.id, v) for v in (True, False)]
    await answer_as_parents(apps, campaign["id"], [(org, nok(nok_14=v)) for org, v in answers])
    await close(surveys_client, world, campaign)
    answer = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/aggregates?level=territory",
        headers=world.headers("analyst"),
    )
    [m1] = answer.json()["items"]
    q14 = next(q for q in m1["questions"] if q["code"] == "nok_14")
    assert (q14["positive"], q14["rated"], q14["positive_share"]) == (5, 8, 62.5)
    answer = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/aggregates?level=organization",
        headers=world.headers("analyst"),
    )
    # S2's 2 parents are below the disclosure minimum; S1's 6 are withheld with them, or the
    # district's figure minus S1's would give S2's.
    for item in answer.json()["items"]:
        assert all(q["positive"] is None and q["rated"] is None for q in item["questions"])
