"""GET /v1/analysis/low-results end to end: results posted to the real api, ШНОР read through
the reports app's facts."""

from tests.api.helpers import result
from tests.reports.analysis_helpers import add_schools, analysis, post_results

RUSSIAN, MATH = ("Русский язык", 5), ("Математика", 6)  # maximum 45 and 20 (the catalogue's)
OLD, NEW = "2020/2021", "2021/2022"
KEYS = ((RUSSIAN, OLD), (MATH, OLD), (RUSSIAN, NEW), (MATH, NEW))
# Per school, in the order of KEYS: (number of "2" of 20 participants, mean score).
# Mark 2 share above 30 % or mean completion at or below the paper's 10th percentile puts a
# school in the lowest group of a paper.
RESULTS = {
    code: dict(zip(KEYS, papers, strict=True))
    for code, papers in {
        # X: 40 % "2" in both papers in 2020/2021 and in Russian in 2021/2022; in mathematics
        # 2021/2022 only 20 % "2", but completion 6/20 = 30 % is at or below the 10th
        # percentile of (30, 45, 65, 80): 30 + 0.3 × 15 = 34.5. Two papers two years: ШНОР.
        "X": ((8, 13.5), (8, 6), (8, 13.5), (4, 6)),
        # Y: 35 % "2" in both papers, but in 2021/2022 only (10 % before, completion 60 %): no.
        "Y": ((2, 27), (2, 12), (7, 18), (7, 9)),
        # Z: 35 % "2" in Russian both years, mathematics fine (5 %, 65 %): one paper only, no.
        "Z": ((7, 18), (1, 13), (7, 18), (1, 13)),
        "W": ((0, 36), (0, 16), (0, 36), (0, 16)),
    }.items()
}
# The lowest completion of every other paper-year is X's, the only one at or below its 10th
# percentile: Russian 2020/2021 (30, 40, 60, 80) -> 33; 2021/2022 (30, 40, 40, 80) -> 33;
# mathematics 2020/2021 (30, 60, 65, 80) -> 39.


def rows(world, ids) -> list[dict]:
    found = []
    for code, papers in RESULTS.items():
        for ((subject, grade), year), (twos, mean) in papers.items():
            marks = {"2": twos, "3": 20 - twos, "4": 0, "5": 0}
            found.append(
                result(
                    world,
                    org=ids[code],
                    subject=subject,
                    grade=grade,
                    year=year,
                    participants=20,
                    marks=marks,
                    mean_score=mean,
                )
            )
    return found


async def test_a_school_low_in_two_papers_two_years_running(api_client, reports_client, world):
    ids = await add_schools(api_client, world, {code: {} for code in RESULTS})
    await post_results(api_client, world, rows(world, ids))
    answer = await analysis(reports_client, world, "low-results", year=NEW)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert [i["organization_id"] for i in body["items"]] == [ids["X"]]
    (x,) = body["items"]
    assert x["years"] == [OLD, NEW]
    papers = [
        (p["subject"], p["year"], p["criterion"], p["value"], p["threshold"])
        for p in x["procedures"]
    ]
    assert papers == [
        ("Математика", OLD, "mark_2_share", 40.0, 30.0),
        ("Русский язык", OLD, "mark_2_share", 40.0, 30.0),
        ("Математика", NEW, "bottom_share", 30.0, 34.5),
        ("Русский язык", NEW, "mark_2_share", 40.0, 30.0),
    ]
    assert {p["procedure"] for p in x["procedures"]} == {"vpr"}
    assert body["thresholds"] == {
        "min_participants": 10,
        "low_results_mark_2_share": 30.0,
        "low_results_bottom_share": 10.0,
        "low_results_papers": 2,
        "low_results_years": 2,
    }

    # 2020/2021 asks for 2019/2020 too, when nobody wrote anything: no ШНОР.
    earlier = await analysis(reports_client, world, "low-results", year=OLD)
    assert earlier.json()["items"] == []


async def test_a_paper_of_too_few_participants_does_not_count(api_client, reports_client, world):
    # X's mathematics 2021/2022 written by 9: left out, X is low in one paper that year only.
    ids = await add_schools(api_client, world, {code: {} for code in RESULTS})
    posted = rows(world, ids)
    for row in posted:
        if row["organization_id"] == ids["X"] and (row["subject"], row["year"]) == (
            "Математика",
            NEW,
        ):
            row |= {"participants": 9, "marks": {"2": 4, "3": 5, "4": 0, "5": 0}}
    await post_results(api_client, world, posted)
    body = (await analysis(reports_client, world, "low-results", year=NEW)).json()
    assert body["items"] == []


async def test_another_territory_is_404_and_a_bad_year_422(reports_client, world):
    outside = await analysis(
        reports_client, world, "low-results", territory_id=str(world.m2.id), year=NEW
    )
    assert outside.status_code == 404, outside.text
    for year in ("2021-13", "2022Q1", "soon"):
        bad = await analysis(reports_client, world, "low-results", year=year)
        assert bad.status_code == 422, bad.text
        assert [e["loc"] for e in bad.json()["errors"]] == [["query", "year"]]


def math_specification(tasks: int) -> dict:
    """A specification of mathematics 6 for 2021/2022: `tasks` tasks of 2 points."""
    return {
        "procedure": "vpr",
        "year": NEW,
        "subject": MATH[0],
        "grade": MATH[1],
        "tasks": [
            {"number": str(n), "max_score": 2, "level": "basic"} for n in range(1, tasks + 1)
        ],
        "mark_scale": [{"mark": m, "min_score": s} for m, s in ((2, 0), (3, 5), (4, 9), (5, 13))],
    }


async def post_specification(api_client, world, tasks: int) -> None:
    answer = await api_client.post(
        "/v1/assessment-tasks", json=math_specification(tasks), headers=world.headers("admin")
    )
    assert answer.status_code == 201, answer.text


async def test_the_maximum_is_the_specifications_when_there_is_one(
    api_client, reports_client, world
):
    # A specification of mathematics 6 for 2021/2022 with 8 tasks of 2 points: maximum 16, not
    # the catalogue's 20. X's completion 6/16 = 37.5; the paper's (37.5, 56.25, 81.25, 100):
    # 10th percentile 37.5 + 0.3 × 18.75 = 43.125, given to 2 places (Python's round, half to
    # even): 43.12.
    await post_specification(api_client, world, 8)
    ids = await add_schools(api_client, world, {code: {} for code in RESULTS})
    await post_results(api_client, world, rows(world, ids))
    (x,) = (await analysis(reports_client, world, "low-results", year=NEW)).json()["items"]
    math = [p for p in x["procedures"] if (p["subject"], p["year"]) == (MATH[0], NEW)]
    assert [(p["criterion"], p["value"], p["threshold"]) for p in math] == [
        ("bottom_share", 37.5, 43.12)
    ]


async def test_a_summary_from_participants_keeps_its_own_specifications_maximum(
    api_client, reports_client, world
):
    # X posts its mathematics 2021/2022 as 10 participants (6 points each: tasks 1–3 done)
    # under the specification of 8 tasks (maximum 16); then a second version of 10 tasks
    # (maximum 20) is the latest, which the other schools' posted summaries are measured by.
    # X: 6/16 = 37.5; the paper (37.5, 45, 65, 80): 10th percentile 37.5 + 0.3 × 7.5 = 39.75.
    await post_specification(api_client, world, 8)
    ids = await add_schools(api_client, world, {code: {} for code in RESULTS})
    x_math = (ids["X"], "Математика", NEW)
    posted = [
        r for r in rows(world, ids) if (r["organization_id"], r["subject"], r["year"]) != x_math
    ]
    await post_results(api_client, world, posted)
    scores = {str(n): 2 if n <= 3 else 0 for n in range(1, 9)}
    body = {
        "organization_id": ids["X"],
        "procedure": "vpr",
        "year": NEW,
        "subject": MATH[0],
        "grade": MATH[1],
        "participants": [
            {"code": f"6-{k:03d}", "task_scores": scores, "journal_mark": 3} for k in range(10)
        ],
    }
    answer = await api_client.post(
        "/v1/assessment-results/participants", json=body, headers=world.headers("analyst")
    )
    assert answer.status_code == 200 and answer.json()["imported"] == 10, answer.text
    await post_specification(api_client, world, 10)
    (x,) = (await analysis(reports_client, world, "low-results", year=NEW)).json()["items"]
    math = [p for p in x["procedures"] if (p["subject"], p["year"]) == (MATH[0], NEW)]
    assert [(p["criterion"], p["value"], p["threshold"]) for p in math] == [
        ("bottom_share", 37.5, 39.75)
    ]
