"""A diagnostic's questions tell teachers' results as its competences do: a test item's counts per
option say how many answered it rightly (anyone reads which option is right in the
instrument), and an item all five answered alike tells each teacher the others' answers. So
for those who may not read personal results (a teacher, a viewer, the municipal analyst)
every question of a diagnostic is withheld in every group shown (`individual_results`, its
`n` only), also where the competence itself may be shown (two teachers on each side); the
school's leader and the territory's methodologists keep the counts.

The world is tests/reports/test_individual_results.py's: S4 with five teachers diagnosed.
"""

from tests.disclosure_world import add_teachers, close
from tests.reports.helpers import generate
from tests.reports.test_individual_results import PERIOD, TEACHERS, arrange, launched, world
from tests.surveys.test_instrument_bank import base

world = world  # the fixture, with S4 and its leader


async def questions(surveys_client, world, who, **params) -> list[dict]:
    """The diagnostic's questions in the first group of its aggregates as `who` reads them."""
    answer = await surveys_client.get(
        f"/v1/campaigns/{world.campaign['id']}/aggregates",
        params={"level": "organization", "organization_id": str(world.s4.id)} | params,
        headers=world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["items"]
    assert not item["suppressed"], item  # five teachers: the group itself is shown
    assert item["questions"], item
    return item["questions"]


def withheld(question: dict) -> bool:
    return (
        question["suppressed"]
        and question["reason"] == "individual_results"
        and question["counts"] == {}
        and question["mean"] is question["positive_share"] is None
        and question["n"] == TEACHERS
    )


async def test_a_diagnostics_questions_are_withheld_from_readers_without_personal_results(
    db, settings, api_client, surveys_client, reports_client, world
):
    # Two of five with the "tools" deficit: the competence's share is shown to everyone.
    teachers = await arrange(db, settings, api_client, surveys_client, world, 2)
    for who in (teachers[0], teachers[-1], "viewer", "analyst"):
        seen = await questions(surveys_client, world, who)
        assert all(withheld(q) for q in seen), (who, seen)
    # The district's figure is the school's: withheld there too.
    answer = await surveys_client.get(
        f"/v1/campaigns/{world.campaign['id']}/aggregates",
        params={"level": "territory"},
        headers=world.headers("analyst"),
    )
    [m1] = [i for i in answer.json()["items"] if i["scope_id"] == str(world.m1.id)]
    assert m1["questions"] and all(withheld(q) for q in m1["questions"]), m1
    assert any(c["with_deficit"] == 2 for c in m1["competences"]), m1
    # The leader and the methodologist read every answer's count; `public` is as a viewer's.
    for who in ("leader4", "methodologist"):
        seen = await questions(surveys_client, world, who)
        assert not any(q["suppressed"] for q in seen), (who, seen)
        assert all(sum(q["counts"].values()) == TEACHERS for q in seen), (who, seen)
        public = await questions(surveys_client, world, who, public="true")
        assert all(withheld(q) for q in public), (who, public)


async def test_a_share_over_a_diagnostics_questions_is_withheld_from_those_readers(
    db, settings, api_client, surveys_client, reports_client, world
):
    """An indicator pooling a diagnostic's yes/no statement ("Используете ли Вы тесты?"): 4 of
    5 say yes; the fifth teacher, reading 80 %, would know every colleague's answer."""
    definition = base() | {"code": "tests_use_diagnostic"}
    created = await surveys_client.post(
        "/v1/instruments", json=definition, headers=world.headers("methodologist")
    )
    assert created.status_code == 201, created.text
    teachers = await add_teachers(db, settings, world, world.s4, TEACHERS, "q")
    campaign = await launched(surveys_client, world, created.json()["id"], [world.s4])
    for i, who in enumerate(teachers):
        uses = i < TEACHERS - 1
        answers = {"uses_tests": uses, "item_one": "a", "tool": "forms"}
        taken = await surveys_client.post(
            f"/v1/campaigns/{campaign['id']}/responses",
            json={
                "staff_id": str(world.staff[who].id),
                "answers": answers | ({"tests_count": 3} if uses else {}),
            },
            headers=world.headers(who),
        )
        assert taken.status_code == 201, taken.text
    await close(surveys_client, world, campaign)
    indicator = await api_client.post(
        "/v1/indicators",
        json={
            "code": "uses_tests_share",
            "name": "Доля педагогов, использующих тесты",
            "unit": "percent",
            "level": "organization",
            "method": "survey_positive_share",
            "params": {"instrument_code": definition["code"], "question_codes": ["uses_tests"]},
        },
        headers=world.headers("analyst"),
    )
    assert indicator.status_code == 201, indicator.text

    async def value(who: str) -> dict:
        answer = await reports_client.get(
            "/v1/indicator-values",
            params={
                "period": PERIOD,
                "scope_type": "organization",
                "scope_id": str(world.s4.id),
                "indicator_code": "uses_tests_share",
            },
            headers=world.headers(who),
        )
        assert answer.status_code == 200, answer.text
        [item] = [i for i in answer.json()["items"] if i["scope_id"] == str(world.s4.id)]
        return item

    for who in (teachers[-1], "viewer", "analyst"):
        item = await value(who)
        assert item["status"] == "insufficient_data" and item["value"] is None, (who, item)
        assert item["coverage"]["withheld"] == ["individual_results"], (who, item)
    for who in ("leader4", "methodologist"):
        item = await value(who)
        assert (item["value"], item["numerator"], item["denominator"]) == (80.0, 4, 5), item


async def test_a_generation_s_counts_tell_an_analyst_nothing_of_teachers_results(
    db, settings, api_client, surveys_client, reports_client, world
):
    """The analyst's own rule over deficits («у всех педагогов»: min_share 100), generated at one
    threshold after another, told by the answer's counts which schools' teachers all have a
    deficit (a fresh tester's finding). The counts are now of what the caller may read."""
    await arrange(db, settings, api_client, surveys_client, world, TEACHERS)  # all five
    rule = await reports_client.post(
        "/v1/recommendation-rules",
        json={
            "code": "all_have_it",
            "title": "Дефицит у всех педагогов",
            "condition": "competence_deficit_shared",
            "addressee_type": "organization_leader",
            "params": {"min_share": 100, "min_teachers": 1},
            "template": "У всех педагогов «{where}» дефицит «{competence}»",
        },
        headers=world.headers("analyst"),
    )
    assert rule.status_code == 201, rule.text
    url = f"/v1/recommendation-rules/{rule.json()['id']}"

    async def counts(who: str) -> tuple:
        body = (await generate(reports_client, world, who)).json()
        return body["total"], body["by_addressee"].get("organization_leader", 0)

    seen = set()
    for teachers in (TEACHERS, TEACHERS + 1):  # the school has five: shown at 5, not at 6
        patched = await reports_client.patch(
            url,
            json={"params": {"min_share": 100, "min_teachers": teachers}},
            headers=world.headers("analyst"),
        )
        assert patched.status_code == 200, patched.text
        seen.add(await counts("analyst"))
    assert len(seen) == 1, seen  # the analyst's counts do not move with the threshold
    # The methodologist (a reader of personal results) is counted what is there.
    assert (await counts("methodologist"))[0] > 0
