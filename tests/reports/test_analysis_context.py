"""GET /v1/analysis/context and /v1/analysis/resilient end to end: schools and their context
data posted to the real api, results too, read through the reports app's facts."""

import pytest

from services.demo.district import schools as demo_schools
from services.demo.participants import roles
from tests.api.helpers import result
from tests.reports.analysis_helpers import add_school, add_schools, analysis, post_results

# Three schools of M1 whose contexts give simple z-scores (population SD over the three):
#   parents with higher education 60, 40, 20 %  -> z +1.2247, 0, -1.2247 (SD 16.33)
#   single-parent families        10, 20, 30 %  -> z -1.2247, 0, +1.2247
#   families at risk (СОП)         1,  2,  3 %  -> z -1.2247, 0, +1.2247
#   disabled 10, 20, 30 of 500 = 2, 4, 6 %      -> z -1.2247, 0, +1.2247
#   rural no, no, yes = 0, 0, 1 (mean 1/3, SD √(2/9) = 0.4714) -> z -0.7071, -0.7071, +1.4142
# Signed (only parents' education is favourable) and averaged with weight 1 each over the five
# components (non-native speakers: no school has them, left out):
#   A = (4 × 1.2247 + 0.7071) / 5 = 1.121;  B = (0 + 0.7071) / 5 = 0.141;
#   C = (−4 × 1.2247 − 1.4142) / 5 = −1.263.
# Quartiles over (−1.263, 0.141, 1.121): 25th = −1.263 + 0.5 × 1.404 = −0.561 -> C unfavourable;
# 75th = 0.141 + 0.5 × 0.980 = 0.631 -> A favourable; B middle.
CONTEXTS = {
    "A": {"parents_higher_education_share": 60, "single_parent_share": 10},
    "B": {"parents_higher_education_share": 40, "single_parent_share": 20},
    "C": {"parents_higher_education_share": 20, "single_parent_share": 30},
}
for n, (code, context) in enumerate(CONTEXTS.items(), start=1):
    context |= {
        "families_at_risk_share": n,
        "disabled_students": 10 * n,
        "students": 500,
        "rural": code == "C",
    }
USED = ["disabled_students", "families_at_risk", "parents_higher_education", "rural"]
USED += ["single_parent"]


async def test_the_index_of_three_schools_from_their_context(api_client, reports_client, world):
    ids = await add_schools(api_client, world, CONTEXTS)
    answer = await analysis(reports_client, world, "context")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    items = {i["organization_id"]: i for i in body["items"]}
    got = {code: (items[i]["index"], items[i]["group"]) for code, i in ids.items()}
    assert got == {
        "A": (1.121, "favourable"),
        "B": (0.141, "middle"),
        "C": (-1.263, "unfavourable"),
    }
    a = items[ids["A"]]["components"]
    assert a["parents_higher_education"] == {"value": 60.0, "standardised": 1.225}
    assert a["disabled_students"] == {"value": 2.0, "standardised": -1.225}
    assert a["rural"] == {"value": 0.0, "standardised": -0.707}
    assert sorted(a) == USED and items[ids["A"]]["missing"] == []
    assert sorted(c["code"] for c in body["components"]) == USED
    assert any("не родной" in n for n in body["notes"])  # non-native speakers: nobody has them
    # S1 (only its number of students) and S2 (no context) are said to lack every component.
    for school in (world.s1, world.s2):
        item = items[str(school.id)]
        assert (item["index"], item["group"], item["missing"]) == (None, None, USED)
    assert body["thresholds"] == {"context_quartile": 25.0}


async def test_a_school_missing_a_component_has_no_index(api_client, reports_client, world):
    # D lacks the share of families at risk: no index for D; the others are standardised over
    # the schools that have each component: families at risk over A, B, C as above, the rest
    # over four. Parents 60, 40, 20, 40: mean 40, SD √(800/4) = 14.142 -> A z = 1.414.
    contexts = CONTEXTS | {"D": dict(CONTEXTS["B"])}
    del contexts["D"]["families_at_risk_share"]
    ids = await add_schools(api_client, world, contexts)
    body = (await analysis(reports_client, world, "context")).json()
    items = {i["organization_id"]: i for i in body["items"]}
    d = items[ids["D"]]
    assert (d["index"], d["group"], d["missing"]) == (None, None, ["families_at_risk"])
    assert d["components"]["families_at_risk"] == {"value": None, "standardised": None}
    assert items[ids["A"]]["components"]["parents_higher_education"]["standardised"] == 1.414
    assert items[ids["A"]]["components"]["families_at_risk"]["standardised"] == -1.225
    assert items[ids["C"]]["group"] == "unfavourable"
    assert any("недостающих" in n for n in body["notes"])


def paper(world, org: str, subject: str, grade: int, mean: float, year="2021/2022", n=20):
    return result(
        world,
        org=org,
        subject=subject,
        grade=grade,
        year=year,
        participants=n,
        marks={"2": 0, "3": n, "4": 0, "5": 0},
        mean_score=mean,
    )


async def test_a_resilient_school_and_a_near_miss(api_client, reports_client, world):
    ids = await add_schools(api_client, world, CONTEXTS)
    a, b, c = ids["A"], ids["B"], ids["C"]
    await post_results(
        api_client,
        world,
        [
            # 2021/2022. Results (mean completion of the papers, each mean / maximum × 100):
            # A math 5: 12/20 = 60; B: 10/20 = 50; C: math 16/20 = 80 and Russian 5 27/45 = 60
            # -> 70 (its history, 9 participants, is below the minimum of 10 and left out);
            # S1 (world: math 5, 11.5/20 = 57.5) has a result but no index.
            paper(world, a, "Математика", 5, 12),
            paper(world, b, "Математика", 5, 10),
            paper(world, c, "Математика", 5, 16),
            paper(world, c, "Русский язык", 5, 27),
            paper(world, c, "История", 5, 3, n=9),
            # 2020/2021: A 60, B 50, C 11/20 = 55.
            paper(world, a, "Математика", 5, 12, year="2020/2021"),
            paper(world, b, "Математика", 5, 10, year="2020/2021"),
            paper(world, c, "Математика", 5, 11, year="2020/2021"),
        ],
    )
    answer = await analysis(reports_client, world, "resilient", year="2021/2022")
    assert answer.status_code == 200, answer.text
    body = answer.json()
    items = {i["organization_id"]: i for i in body["items"]}
    assert set(items) == {a, b, c}  # S1, S2: no index
    # Top quarter of the results (50, 57.5, 60, 70): 75th percentile = 60 + 0.25 × 10 = 62.5;
    # C (70, unfavourable) is resilient, A (60, favourable) is not.
    # Residuals on the least squares line over (1.121, 60), (0.141, 50), (−1.263, 70):
    # b = Sxy / Sxx = −14.04 / 2.8717 = −4.8891, a = 60 − b × (−0.000333) = 59.9984;
    # A: 60 − (59.9984 − 4.8891 × 1.121) = 5.48, B: −9.31, C: 3.83.
    got = {
        k: (items[i]["result"], items[i]["residual"], items[i]["resilient"]) for k, i in ids.items()
    }
    assert got == {"A": (60.0, 5.48, False), "B": (50.0, -9.31, False), "C": (70.0, 3.83, True)}
    assert (items[c]["index"], items[c]["group"]) == (-1.263, "unfavourable")
    assert body["thresholds"]["resilient_result_share"] == 25.0

    # The year before, C's 55 is under the top quarter (50, 55, 60: 55 + 0.5 × 5 = 57.5).
    before = (await analysis(reports_client, world, "resilient", year="2020/2021")).json()
    assert [i["resilient"] for i in before["items"]] == [False, False, False]
    assert {i["organization_id"]: i["result"] for i in before["items"]}[c] == 55.0


@pytest.mark.parametrize("what", ["context", "resilient"])
async def test_another_territory_is_404_and_a_bad_year_422(reports_client, world, what):
    outside = await analysis(
        reports_client, world, what, territory_id=str(world.m2.id), year="2021/2022"
    )
    assert outside.status_code == 404, outside.text
    if what == "resilient":
        bad = await analysis(reports_client, world, what, year="2021Q1")
        assert bad.status_code == 422, bad.text
        assert bad.json()["errors"][0]["loc"] == ["query", "year"]


async def test_the_demo_districts_resilient_school_is_in_the_bottom_quartile(
    api_client, reports_client, world
):
    # The demo district's schools, with the context the demo posts, in M1: the school the demo
    # makes resilient (the least favourable context of the schools that are not weak) has an
    # index in the territory's bottom quartile.
    organizations = []
    for school in demo_schools():
        context = school.context()
        found = await add_school(api_client, world, school.name, context, school.kind)
        organizations.append(
            {"id": found, "name": school.name, "kind": school.kind, "context": context}
        )
    resilient = roles(organizations)["resilient"]
    body = (await analysis(reports_client, world, "context")).json()
    items = {i["organization_id"]: i for i in body["items"]}
    assert items[resilient.id]["group"] == "unfavourable", items[resilient.id]
    assert body["notes"][-1].startswith("Школ без индекса")  # S1, S2 only
