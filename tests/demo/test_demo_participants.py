"""The demo's ВПР participants: deterministic, and each featured school shows its pattern
plainly against the rest of the district (computed from the generated bodies, no database)."""

import json
import statistics
from datetime import date

import pytest

from services.api.assessment_tasks.service import DATA
from services.demo.participants import (
    MATH_SCALE,
    MATH_TASKS,
    MATHEMATICS,
    RUSSIAN,
    roles,
    synthetic_participants,
)
from services.demo.years import demo_years
from tests.demo.helpers import organizations

YEARS = demo_years(date.today())


def specs():
    shipped = json.loads((DATA / "vpr.json").read_text(encoding="utf-8"))["specifications"]
    (russian,) = [s for s in shipped if (s["subject"], s["grade"]) == RUSSIAN]
    return {
        RUSSIAN: {
            "tasks": russian["tasks"],
            "scale": [(s["mark"], s["min_score"]) for s in russian["mark_scale"]],
        },
        MATHEMATICS: {"tasks": MATH_TASKS, "scale": MATH_SCALE},
    }


SPECS = specs()
BY_YEAR = {(paper, year): spec for paper, spec in SPECS.items() for year in YEARS}


def mark(body, total):
    scale = SPECS[(body["subject"], body["grade"])]["scale"]
    return max(m for m, low in scale if total >= low)


@pytest.fixture(scope="module")
def demo():
    orgs = organizations()
    bodies = synthetic_participants(orgs, BY_YEAR, YEARS)
    return orgs, {r: s.id for r, s in roles(orgs).items()}, bodies


def of(bodies, org_id, paper=None, year=None):
    return [
        b
        for b in bodies
        if b["organization_id"] == org_id
        and (paper is None or (b["subject"], b["grade"]) == paper)
        and (year is None or b["year"] == year)
    ]


def totals(body):
    return [sum(p["task_scores"].values()) for p in body["participants"]]


def test_the_participants_are_the_same_each_time_and_a_few_hundred(demo):
    orgs, _, bodies = demo
    assert synthetic_participants(orgs, BY_YEAR, YEARS) == bodies
    # 25 schools × 2 years × 2 papers × 12 participants
    assert len(bodies) == 100
    assert sum(len(b["participants"]) for b in bodies) == 2 * 2 * 25 * 12
    assert {b["year"] for b in bodies} == set(YEARS)


def test_each_featured_school_shows_its_pattern(demo):
    _, role, bodies = demo
    assert len(set(role.values())) == 5
    for year in YEARS:
        # Boundary spike: at least a third of the school at exactly a mark's minimum score
        (russian,) = of(bodies, role["boundary_spike"], RUSSIAN, year)
        minima = {low for _, low in SPECS[RUSSIAN]["scale"][1:]}
        at_minimum = sum(t in minima for t in totals(russian))
        assert at_minimum >= 4, totals(russian)

        # Inverted profile: advanced and high tasks done better than the basic ones
        (math,) = of(bodies, role["inverted_profile"], MATHEMATICS, year)
        done = {"basic": [0, 0], "advanced": [0, 0], "high": [0, 0]}
        for task in MATH_TASKS:
            for p in math["participants"]:
                done[task["level"]][0] += p["task_scores"][task["number"]]
                done[task["level"]][1] += task["max_score"]
        basic, advanced, high = (done[k][0] / done[k][1] for k in ("basic", "advanced", "high"))
        assert advanced > basic + 0.2 and high > basic + 0.2, (basic, advanced, high)

        # Journal mismatch: at least 40 % of the journal marks differ from the paper's
        mismatched = [
            p["journal_mark"] != mark(b, sum(p["task_scores"].values()))
            for b in of(bodies, role["journal_mismatch"], year=year)
            for p in b["participants"]
        ]
        assert sum(mismatched) / len(mismatched) >= 0.4

        # Low results, both years: most of the school gets a "2" in both papers
        for body in of(bodies, role["low_results"], year=year):
            twos = sum(mark(body, t) == 2 for t in totals(body))
            assert twos / len(body["participants"]) >= 0.5, (body["subject"], year)


def test_the_resilient_school_does_well_in_the_least_favourable_context(demo):
    orgs, role, bodies = demo
    social = {o["id"]: o["context"]["social_index"] for o in orgs if o["kind"] == "school"}
    schools_ = sorted(social, key=social.get)
    assert schools_.index(role["resilient"]) < len(schools_) // 4  # bottom quartile of context
    means = {
        org: statistics.mean(t for b in of(bodies, org, RUSSIAN) for t in totals(b))
        for org in social
    }
    ranked = sorted(means, key=means.get, reverse=True)
    assert ranked.index(role["resilient"]) < len(ranked) // 4  # top quartile of results
