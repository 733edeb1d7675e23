"""Score distributions and marks by class over participants' results: the numbers a school
or a territory would count by hand, over the caller's schools only."""

import pytest

from tests.api.test_participant_results import (
    A,
    B,
    C,
    D,
    participant,
    post,
    spec,  # noqa: F401 - the fixture
)
from tests.factories import add_colleagues

# SPEC: total 6; "3" from 2, "4" from 4, "5" from 5. A: 6 ("5"), B: 3 ("3"), C: 1 ("2"),
# D: 4 ("4"); E: 4 ("4"), no class, no journal mark.
E = participant("1005", None, 1, None, 1, 1, 1, 1)
SCALE = [
    {"mark": 2, "min_score": 0},
    {"mark": 3, "min_score": 2},
    {"mark": 4, "min_score": 4},
    {"mark": 5, "min_score": 5},
]
QUERY = {"procedure": "vpr", "year": "2023/2024", "subject": "Математика", "grade": 5}


async def aggregate(client, world, path, who="analyst", **params):
    answer = await client.get(
        f"/v1/assessment-results/{path}", params={**QUERY, **params}, headers=world.headers(who)
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def distribution(client, world, who="analyst", **params):
    found = await aggregate(client, world, "score-distribution", who, **params)
    assert found["total"] == len(found["items"])
    return {
        item["group_id"]: (
            item["participants"],
            {s["score"]: s["participants"] for s in item["scores"]},
        )
        for item in found["items"]
    }


@pytest.mark.usefixtures("spec")
async def test_score_distribution_per_organization_cluster_and_territory(api_client, world):
    await post(api_client, world, [A, B, E])  # S1
    await post(api_client, world, [C, D], who="analyst", org=world.s2.id)  # S2, M1, cluster C1
    found = await aggregate(api_client, world, "score-distribution")
    first = next(item for item in found["items"] if item["group_id"] == str(world.s1.id))
    assert (first["max_score"], first["mark_scale"]) == (6, SCALE)
    assert await distribution(api_client, world) == {
        str(world.s1.id): (3, {3: 1, 4: 1, 6: 1}),
        str(world.s2.id): (2, {1: 1, 4: 1}),
    }
    # M1 and its cluster pool both schools: two participants at 4, the minimum of "4"
    pooled = (5, {1: 1, 3: 1, 4: 2, 6: 1})
    assert await distribution(api_client, world, group_by="territory") == {str(world.m1.id): pooled}
    assert await distribution(api_client, world, group_by="cluster") == {str(world.c1.id): pooled}


def klass(label, participants, marks, lowered, confirmed, raised):
    """A class as marks-by-class lists it; `marks` names the marks someone got."""
    return {
        "class_label": label,
        "participants": participants,
        "marks": {"2": 0, "3": 0, "4": 0, "5": 0, **marks},
        "lowered": lowered,
        "confirmed": confirmed,
        "raised": raised,
    }


@pytest.mark.usefixtures("spec")
async def test_marks_by_class_with_the_journal_comparison(api_client, world):
    await post(api_client, world, [A, B, E])
    await post(api_client, world, [C, D], who="analyst", org=world.s2.id)
    found = {
        item["organization_id"]: (item["participants"], item["classes"])
        for item in (await aggregate(api_client, world, "marks-by-class"))["items"]
    }
    # S1: 5А is A ("5", journal 5: confirmed) and B ("3", journal 4: lowered); E has no class
    # (listed last) and no journal mark (compared with nothing).
    assert found[str(world.s1.id)] == (
        3,
        [klass("5А", 2, {"3": 1, "5": 1}, 1, 1, 0), klass(None, 1, {"4": 1}, 0, 0, 0)],
    )
    # S2: 5Б is C ("2", journal 2: confirmed) and D ("4", journal 3: raised)
    assert found[str(world.s2.id)] == (2, [klass("5Б", 2, {"2": 1, "4": 1}, 0, 1, 1)])


@pytest.mark.usefixtures("spec")
async def test_the_aggregates_count_only_the_callers_schools(api_client, world, db, settings):
    await add_colleagues(db, settings, world)
    await post(api_client, world, [A, B, E])
    await post(api_client, world, [C, D], who="analyst", org=world.s2.id)
    own = await distribution(api_client, world, who="leader2", group_by="territory")
    assert own == {str(world.m1.id): (2, {1: 1, 4: 1})}  # S2's leader: S2's participants only
    marks = await aggregate(api_client, world, "marks-by-class", who="leader2")
    assert [item["organization_id"] for item in marks["items"]] == [str(world.s2.id)]
    assert await distribution(api_client, world, who="leader3") == {}
    assert (await aggregate(api_client, world, "marks-by-class", who="leader3"))["items"] == []


@pytest.mark.usefixtures("spec")
async def test_an_unknown_year_is_a_422_naming_it(api_client, world):
    for path in ("score-distribution", "marks-by-class"):
        answer = await api_client.get(
            f"/v1/assessment-results/{path}",
            params={**QUERY, "year": "прошлый"},
            headers=world.headers("analyst"),
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["loc"] == ["query", "year"]
