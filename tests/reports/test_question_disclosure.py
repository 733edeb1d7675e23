"""Survey indicator values over a question answered by fewer than the disclosure minimum in a
group that meets it (DEFECT 16): `insufficient_data`, its `n` those who answered the question,
never that one parent's answer; the other questions keep their values."""

from tests.disclosure_world import close
from tests.reports.helpers import read_values
from tests.surveys.forms import answer_as_parents
from tests.surveys.test_results import launch, nok


def indicator(code: str, method: str, questions: list[str]) -> dict:
    return {
        "code": code,
        "name": f"Ответы родителей: {code}",
        "unit": "percent" if method == "survey_positive_share" else "score",
        "level": "organization",
        "method": method,
        "params": {"instrument_code": "nok_parents_2018", "question_codes": questions},
    }


INDICATORS = [
    indicator("follow_up_mean", "survey_mean", ["nok_02"]),
    indicator("follow_up_share", "survey_positive_share", ["nok_02"]),
    indicator("recommend_share", "survey_positive_share", ["nok_14"]),
    indicator("every_mean", "survey_mean", []),
]


async def test_a_question_one_parent_answered_gives_no_value(
    apps, api_client, surveys_client, reports_client, world
):
    for definition in INDICATORS:
        answer = await api_client.post(
            "/v1/indicators", json=definition, headers=world.headers("analyst")
        )
        assert answer.status_code == 201, answer.text
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id], True
    )
    # Five parents of S1: one says "да" to nok_01 and so answers nok_02 (with "да" too).
    skipping = nok(nok_01=False)
    skipping.pop("nok_02")
    await answer_as_parents(
        apps, campaign["id"], [(world.s1.id, nok())] + [(world.s1.id, skipping)] * 4
    )
    await close(surveys_client, world, campaign)  # its figures are out at the close
    for who in ("analyst", "viewer", "methodologist"):
        answer = await read_values(reports_client, world, who, scope=world.m1.id, limit=500)
        assert answer.status_code == 200, answer.text
        items = {
            (i["indicator_code"], i["scope_type"]): i
            for i in answer.json()["items"]
            if i["scope_id"] in (str(world.s1.id), str(world.m1.id))
        }
        for scope_type in ("organization", "territory"):
            for code in ("follow_up_mean", "follow_up_share"):
                item = items[(code, scope_type)]
                assert (item["status"], item["value"], item["n"]) == (
                    "insufficient_data",
                    None,
                    1,
                ), (who, code, scope_type, item)
                assert item["coverage"]["withheld"] == ["minimum"], (who, code)
            recommend = items[("recommend_share", scope_type)]
            assert (recommend["value"], recommend["n"]) == (100.0, 5), (who, recommend)
            # Every question pooled: nok_02 left out, the others (answered by all) counted.
            every = items[("every_mean", scope_type)]
            assert every["value"] is not None and every["n"] == 5, (who, every)
            assert every["coverage"]["withheld"] == ["minimum"], (who, every)
