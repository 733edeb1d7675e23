"""Objectivity signs and task-completion profiles of a territory (GET /v1/analysis/objectivity,
/v1/analysis/task-completion), from results posted to the real api and followed into the
reports' facts; every expected number computed by hand in the comments.

The territory is M1: schools S1, S2 of the world and S4, S5 added here. Thresholds are the
defaults but `min_participants` = 4 (the participants' papers below have four pupils).
"""

import math

import pytest

from services.api.organizations.models import Organization
from services.reports.analysis.thresholds import Thresholds
from tests.api.test_assessment_tasks import SPEC
from tests.api.test_participant_results import A, B, C, D, participant

YEAR, PREVIOUS, NEXT = "2023/2024", "2022/2023", "2024/2025"


@pytest.fixture
async def schools(db, world):
    """S4 and S5 in M1 beside S1 and S2."""
    world.s4 = Organization(name="Школа 4", kind="school", territory_id=world.m1.id)
    world.s5 = Organization(name="Школа 5", kind="school", territory_id=world.m1.id)
    db.add_all([world.s4, world.s5])
    await db.flush()
    return world


@pytest.fixture(autouse=True)
def thresholds(apps):
    kept = apps.reports.state.analysis_thresholds
    apps.reports.state.analysis_thresholds = Thresholds(min_participants=4)
    yield
    apps.reports.state.analysis_thresholds = kept


async def post_spec(client, world, spec):
    answer = await client.post("/v1/assessment-tasks", json=spec, headers=world.headers("admin"))
    assert answer.status_code == 201, answer.text


async def post_results(client, world, rows):
    answer = await client.post(
        "/v1/assessment-results", json={"results": rows}, headers=world.headers("analyst")
    )
    assert answer.status_code == 200 and not answer.json()["rejected"], answer.text
    return answer.json()


def row(org, subject, grade, year=YEAR, procedure="vpr", participants=10, **fields):
    return {
        "organization_id": str(org.id),
        "procedure": procedure,
        "year": year,
        "subject": subject,
        "grade": grade,
        "participants": participants,
    } | fields


def marks(good, participants=10):
    """Marks with `good` fours and fives (half of them fives, rounded down), the rest threes."""
    return {"2": 0, "3": participants - good, "4": good - good // 2, "5": good // 2}


async def post_participants(client, world, org, people):
    body = {
        "organization_id": str(org.id),
        "procedure": "vpr",
        "year": YEAR,
        "subject": "Математика",
        "grade": 5,
        "participants": people,
    }
    answer = await client.post(
        "/v1/assessment-results/participants", json=body, headers=world.headers("analyst")
    )
    assert answer.status_code == 200 and not answer.json()["rejected"], answer.text


async def analysis(client, world, path, who="analyst", territory=None, year=YEAR, **params):
    query = {"territory_id": str(territory or world.m1.id), "year": year} | params
    return await client.get(f"/v1/analysis/{path}", params=query, headers=world.headers(who))


async def objectivity(client, world):
    answer = await analysis(client, world, "objectivity")
    assert answer.status_code == 200, answer.text
    return {
        (item["organization_id"], item["subject"], item["grade"]): item
        for item in answer.json()["items"]
    }


def signs(item):
    return {sign["code"]: sign["evidence"] for sign in item["signs"]}


# SPEC (ВПР 2023/2024, Математика 5): tasks 1 (max 1, basic), 2 (2, basic), 3.1 (1, advanced),
# 3.2 (2, high). S1 posts A, B, C, D (tests/api/test_participant_results.py), S2 four more.
S2_PUPILS = [
    participant("2001", "5А", 1, 3, 1, 2, 0, 0),  # 3: "3"
    participant("2002", "5А", 1, 4, 1, 2, 0, 1),  # 4: "4"
    participant("2003", "5А", 1, 3, 0, 2, 0, 0),  # 2: "3"
    participant("2004", "5А", 1, 3, 1, 1, 1, 0),  # 3: "3"
]


@pytest.fixture
async def tasks_posted(api_client, world):
    await post_spec(api_client, world, SPEC)
    await post_participants(api_client, world, world.s1, [A, B, C, D])
    await post_participants(api_client, world, world.s2, S2_PUPILS)


# Task sums: S1 (A, B, C, D) 1: 1+1+0+1 = 3, 2: 2+1+0+2 = 5, 3.1: 1+0+1+1 = 3, 3.2: 2+1+0+0 = 3;
# S2 1: 3, 2: 2+2+2+1 = 7, 3.1: 1, 3.2: 1. Completion = sum / (max × 4) × 100.
S1_TASKS = [75.0, 62.5, 75.0, 37.5]  # 3/4, 5/8, 3/4, 3/8
S2_TASKS = [75.0, 87.5, 25.0, 12.5]  # 3/4, 7/8, 1/4, 1/8
TERRITORY = [75.0, 75.0, 50.0, 25.0]  # 6/8, 12/16, 4/8, 4/16 (both schools pooled)


async def test_task_completion_of_each_school_beside_the_territory(
    reports_client, world, tasks_posted
):
    answer = await analysis(reports_client, world, "task-completion")
    assert answer.status_code == 200, answer.text
    items = {i["organization_id"]: i for i in answer.json()["items"]}
    for school, expected in ((world.s1, S1_TASKS), (world.s2, S2_TASKS)):
        item = items[str(school.id)]
        assert (item["procedure"], item["subject"], item["grade"]) == ("vpr", "Математика", 5)
        assert item["participants"] == 4
        assert [t["number"] for t in item["tasks"]] == ["1", "2", "3.1", "3.2"]
        assert [t["completion"] for t in item["tasks"]] == expected
        assert [t["territory_completion"] for t in item["tasks"]] == TERRITORY
    assert answer.json()["thresholds"] == {"min_participants": 4}
    one = await analysis(reports_client, world, "task-completion", organization_id=world.s2.id)
    assert [i["organization_id"] for i in one.json()["items"]] == [str(world.s2.id)]
    # the territory's completion is still both schools'
    assert [t["territory_completion"] for t in one.json()["items"][0]["tasks"]] == TERRITORY
    outside = await analysis(reports_client, world, "task-completion", organization_id=world.s3.id)
    assert outside.status_code == 404


def pearson(xs, ys):
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    cov = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    return cov / math.sqrt(sum((x - mx) ** 2 for x in xs) * sum((y - my) ** 2 for y in ys))


async def test_an_inverted_profile_and_a_near_miss(reports_client, world, tasks_posted, apps):
    items = await objectivity(reports_client, world)
    s1, s2 = (items[(str(s.id), "Математика", 5)] for s in (world.s1, world.s2))
    # S1: basic (3 + 5) / (4 + 8) = 66.7 %, advanced 3.1 done at 75 % ≥ 66.7: inverted.
    assert signs(s1)["inverted_profile"] == {
        "basic": 66.7,
        "advanced": 75.0,
        "high": 37.5,
        "correlation": round(pearson(S1_TASKS, TERRITORY), 3),  # 0.739
    }
    # S2: basic (3 + 7) / 12 = 83.3 %, advanced 25, high 12.5; r with the territory 0.946 ≥ 0.
    assert "inverted_profile" not in signs(s2)
    # The same profile against a demanding correlation threshold: 0.946 < 0.95 is a sign,
    # 0.946 ≥ 0.94 is not.
    assert round(pearson(S2_TASKS, TERRITORY), 3) == 0.946
    for threshold, shown in ((0.95, True), (0.94, False)):
        apps.reports.state.analysis_thresholds = Thresholds(
            min_participants=4, inverted_profile_correlation=threshold
        )
        s2 = (await objectivity(reports_client, world))[(str(world.s2.id), "Математика", 5)]
        assert ("inverted_profile" in signs(s2)) is shown, threshold


async def test_a_boundary_spike_and_a_near_miss(reports_client, api_client, world, schools):
    # ВПР 2023/2024 Математика 6 under a scale with "3" from 6, "4" from 10, "5" from 15.
    spec = {
        **SPEC,
        "grade": 6,
        "tasks": [{"number": str(n), "max_score": 2, "level": "basic"} for n in range(1, 11)],
        "mark_scale": [{"mark": m, "min_score": s} for m, s in ((2, 0), (3, 6), (4, 10), (5, 15))],
    }
    await post_spec(api_client, world, spec)
    await post_results(
        api_client,
        world,
        [
            # S1: 6 at score 6 ≥ 2 × (1 + 2) / 2 = 3, and ≥ 3 of them: a spike at "3".
            row(world.s1, "Математика", 6, participants=12,
                score_distribution={"5": 1, "6": 6, "7": 2, "12": 3}),
            # S2: 5 at score 6 < 2 × (3 + 3) / 2 = 6: no spike.
            row(world.s2, "Математика", 6, participants=11,
                score_distribution={"5": 3, "6": 5, "7": 3}),
            # S4: 3 at score 10 (the "4"), none beside, but fewer than 4 of them: no spike.
            row(world.s4, "Математика", 6, participants=4, score_distribution={"10": 3, "13": 1}),
        ],
    )  # fmt: skip
    items = await objectivity(reports_client, world)
    s1 = items[(str(world.s1.id), "Математика", 6)]
    assert signs(s1) == {
        "boundary_spike": {
            "score": 6,
            "mark": 3,
            "count_at": 6,
            "count_below": 1,
            "count_above": 2,
        }
    }
    assert s1["risk"] == "low"
    assert items[(str(world.s2.id), "Математика", 6)]["signs"] == []
    assert items[(str(world.s4.id), "Математика", 6)]["signs"] == []


async def test_journal_mismatch_at_and_below_the_threshold(reports_client, api_client, world):
    await post_results(
        api_client,
        world,
        [
            # S1: (2 + 2) / (2 + 6 + 2) = 40 % ≥ 40: a sign.
            row(world.s1, "Русский язык", 6, participants=10, lowered=2, confirmed=6, raised=2),
            # S2: (3 + 4) / (3 + 11 + 4) = 38.9 % < 40.
            row(world.s2, "Русский язык", 6, participants=18, lowered=3, confirmed=11, raised=4),
        ],
    )
    items = await objectivity(reports_client, world)
    s1 = items[(str(world.s1.id), "Русский язык", 6)]
    assert signs(s1) == {
        "journal_mismatch": {"lowered": 2, "confirmed": 6, "raised": 2, "share": 40.0}
    }
    assert items[(str(world.s2.id), "Русский язык", 6)]["risk"] == "none"


async def test_a_sudden_rise_beyond_the_territorys(reports_client, api_client, world, schools):
    # ВПР Математика 4, maximum 20: mean scores (previous → this year)
    # S1 8 → 16 (40 % → 80 %, +40), S2 10 → 10 (+0), S4 9 → 15 (45 % → 75 %, +30).
    # Territory pooled: (16 + 10 + 15) / 60 = 68.3 % against (8 + 10 + 9) / 60 = 45 %: +23.3.
    # S1: 40 > 23.3 + 15 = 38.3, a sign; S4: 30 ≤ 38.3, none (though 30 > 15 alone).
    rows = []
    for school, before, now in ((world.s1, 8, 16), (world.s2, 10, 10), (world.s4, 9, 15)):
        for year, mean in ((PREVIOUS, before), (YEAR, now)):
            rows.append(row(school, "Математика", 4, year, mean_score=mean, marks=marks(5)))
    await post_results(api_client, world, rows)
    items = await objectivity(reports_client, world)
    s1 = items[(str(world.s1.id), "Математика", 4)]
    assert signs(s1) == {
        "sudden_rise": {
            "completion": 80.0,
            "previous_completion": 40.0,
            "rise": 40.0,
            "territory_rise": 23.3,
        }
    }
    assert items[(str(world.s4.id), "Математика", 4)]["signs"] == []


async def test_a_cohort_not_confirmed_by_oge_and_a_confirmed_one(
    reports_client, api_client, world, schools
):
    # ВПР 8 of 2023/2024 writes ОГЭ 9 in 2024/2025. Quality (4 and 5 of 10) and percent rank
    # among the four schools (0, 33.3, 66.7, 100):
    # mathematics ВПР S1 90 % (100), S2 70, S4 50, S5 30; ОГЭ S1 30 % (0), S2 80, S4 60, S5 50.
    # Russian     ВПР S1 90 % (100), S2 70, S4 50, S5 30; ОГЭ S1 90 % (100), others lower.
    quality = {
        "Математика": ((9, 3), (7, 8), (5, 6), (3, 5)),
        "Русский язык": ((9, 9), (7, 8), (5, 6), (3, 5)),
    }
    rows = []
    for subject, pairs in quality.items():
        for school, (vpr, oge) in zip((world.s1, world.s2, world.s4, world.s5), pairs, strict=True):
            rows.append(row(school, subject, 8, marks=marks(vpr)))
            rows.append(row(school, subject, 9, NEXT, procedure="oge", marks=marks(oge)))
    await post_results(api_client, world, rows)
    items = await objectivity(reports_client, world)
    s1 = items[(str(world.s1.id), "Математика", 8)]
    assert signs(s1) == {
        "not_confirmed_by_gia": {
            "vpr_quality": 90.0,
            "vpr_rank": 100.0,
            "exam": "oge",
            "exam_year": NEXT,
            "exam_subject": "Математика",
            "exam_quality": 30.0,
            "exam_rank": 0.0,
        }
    }
    assert items[(str(world.s1.id), "Русский язык", 8)]["signs"] == []  # confirmed
    # S2's ВПР rank 66.7 < 75: no sign whatever its ОГЭ
    assert items[(str(world.s2.id), "Математика", 8)]["signs"] == []


async def test_risk_grows_with_the_number_of_signs(reports_client, world, tasks_posted):
    items = await objectivity(reports_client, world)
    s1 = items[(str(world.s1.id), "Математика", 5)]
    # S1: inverted profile, and journal marks (1 lowered + 1 raised) / 4 = 50 % ≥ 40: two signs
    assert [s["code"] for s in s1["signs"]] == ["inverted_profile", "journal_mismatch"]
    assert s1["risk"] == "high"
    assert items[(str(world.s2.id), "Математика", 5)]["risk"] == "none"  # journal all confirmed
    answer = await analysis(reports_client, world, "objectivity")
    assert answer.json()["thresholds"]["high_risk_signs"] == 2


async def test_a_region_is_read_a_page_at_a_time(reports_client, world, tasks_posted):
    # Two papers with task sums (S1, S2, in the order of their ids): a page of one each.
    first = (await analysis(reports_client, world, "task-completion", limit=1)).json()
    second = (await analysis(reports_client, world, "task-completion", limit=1, offset=1)).json()
    assert (first["total"], second["total"]) == (2, 2)
    ids = [first["items"][0]["organization_id"], second["items"][0]["organization_id"]]
    assert ids == sorted([str(world.s1.id), str(world.s2.id)])
    assert second["items"][0]["tasks"][0]["territory_completion"] == TERRITORY[0]
    past = (await analysis(reports_client, world, "task-completion", offset=5)).json()
    assert (past["items"], past["total"]) == ([], 2)
    # Objectivity: only S1 has signs (high risk), S2 none.
    high = (await analysis(reports_client, world, "objectivity", risk="high")).json()
    assert [(i["organization_id"], i["risk"]) for i in high["items"]] == [
        (str(world.s1.id), "high")
    ]
    assert high["total"] == 1
    every = (await analysis(reports_client, world, "objectivity", limit=1)).json()
    assert (len(every["items"]), every["total"]) == (1, 2)
    bad = await analysis(reports_client, world, "objectivity", risk="some")
    assert bad.status_code == 422 and bad.json()["errors"][0]["loc"] == ["query", "risk"]


async def test_a_territory_outside_the_scope_is_404_and_a_bad_year_422(reports_client, world):
    for path in ("objectivity", "task-completion"):
        outside = await analysis(reports_client, world, path, territory=world.m2.id)
        assert outside.status_code == 404, outside.text
        bad = await analysis(reports_client, world, path, year="2023Q1")
        assert bad.status_code == 422
        assert bad.json()["errors"][0]["loc"] == ["query", "year"]
