"""A question answered by fewer than the disclosure minimum within a group that meets it:
its counts and mean would be those few people's answers (an optional question, or one asked
only after a rare answer), so they are withheld, said as such (`suppressed`, `reason`, its
`n`), and so is whatever a difference of shown figures of that question would give away.

The world (tests/disclosure_world.py): M1 = S1 + S2, cluster C1 = S1 + S2; S3 is in M2.
"""

import pytest

from tests.disclosure_world import aggregates, close, disclosure_world
from tests.surveys.forms import answer_as_parents
from tests.surveys.test_results import launch, nok


@pytest.fixture
async def world(db, settings):
    return await disclosure_world(db, settings)


def skipping_nok_02() -> dict:
    """A parent who says "нет" to nok_01, and so is not asked nok_02."""
    answers = nok(nok_01=False)
    answers.pop("nok_02")
    return answers


def questions(item: dict) -> dict[str, dict]:
    return {q["code"]: q for q in item["questions"]}


async def test_a_question_one_parent_answered_is_withheld_in_a_school_shown(
    apps, surveys_client, world
):
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id], True
    )
    # Five parents: one says "да" to nok_01 and so answers nok_02 (with "нет").
    given = [(world.s1.id, nok(nok_02=False))] + [(world.s1.id, skipping_nok_02())] * 4
    await answer_as_parents(apps, campaign["id"], given)
    await close(surveys_client, world, campaign)
    for who in ("analyst", "viewer", "methodologist", "leader", "admin"):
        [school] = await aggregates(surveys_client, world, campaign, who, level="organization")
        assert (school["n"], school["suppressed"]) == (5, False), who
        shown = questions(school)
        assert shown["nok_01"]["counts"] == {"0": 4, "1": 1}
        assert shown["nok_01"]["suppressed"] is False and shown["nok_01"]["reason"] is None
        follow_up = shown["nok_02"]
        assert follow_up == {
            "code": "nok_02",
            "n": 1,
            "suppressed": True,
            "reason": "minimum",
            "counts": {},
            "mean": None,
            "positive_share": None,
            "positive": None,
            "rated": None,
        }, who
    # The public view is the same.
    [public] = await aggregates(surveys_client, world, campaign, "analyst", public="true")
    assert questions(public)["nok_02"]["suppressed"] is True


async def test_a_difference_of_shown_figures_gives_no_withheld_question_away(
    apps, surveys_client, world
):
    """S1: 5 parents, one answers nok_02; S2: 6 parents, all answer it. M1's and C1's nok_02
    minus S2's would be S1's one parent: so S2's (or the groups') nok_02 is withheld too."""
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id], True
    )
    given = [(world.s1.id, nok(nok_02=False))] + [(world.s1.id, skipping_nok_02())] * 4
    given += [(world.s2.id, nok(nok_02=True))] * 6
    await answer_as_parents(apps, campaign["id"], given)
    await close(surveys_client, world, campaign)
    for who in ("analyst", "viewer", "methodologist"):
        shown: dict[str, dict] = {}
        for level in ("organization", "cluster", "territory"):
            for item in await aggregates(surveys_client, world, campaign, who, level=level):
                assert item["suppressed"] is False, (who, item)  # 5, 6 and 11 respondents
                shown[item["scope_id"]] = questions(item)["nok_02"]
        s1, s2 = shown[str(world.s1.id)], shown[str(world.s2.id)]
        assert (s1["suppressed"], s1["reason"], s1["n"]) == (True, "minimum", 1), who
        # S1's nok_02 is never the difference of two figures shown.
        pooled = [shown[str(world.c1.id)], shown[str(world.m1.id)]]
        for group in pooled:
            assert group["suppressed"] or s2["suppressed"], (who, group, s2)
        assert "difference" in {s2["reason"], *(g["reason"] for g in pooled)}, who


async def test_a_school_scoped_reader_gets_no_cluster_figure(apps, surveys_client, world):
    """ROUGH 23: a leader's or a teacher's "cluster" would be their own school's figures under
    the cluster's name; those whose scope holds the cluster get its pooled figures."""
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id], True
    )
    given = [(world.s1.id, nok())] * 5 + [(world.s2.id, nok())] * 6
    await answer_as_parents(apps, campaign["id"], given)
    for who in ("leader", "teacher"):
        assert await aggregates(surveys_client, world, campaign, who, level="cluster") == [], who
        [own] = await aggregates(surveys_client, world, campaign, who, level="organization")
        assert (own["scope_id"], own["n"]) == (str(world.s1.id), 5)
    for who in ("analyst", "methodologist", "viewer"):
        [cluster] = await aggregates(surveys_client, world, campaign, who, level="cluster")
        assert (cluster["scope_id"], cluster["n"]) == (str(world.c1.id), 11), who
