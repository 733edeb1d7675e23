"""An attacker inside one school (its leader) reads an open anonymous parents' campaign before
and after one parent submits: the difference would be that parent's answers, timed to the
minute. While the campaign is open (and SETTLE after its close) every figure that varies with
the answers is withheld (`campaign_open`), at the surveys service and in the reports' survey
values alike; only how many answered (and of how many expected) changes. After the close the
figures are out, and the campaign can no longer be extended."""

from datetime import UTC, datetime, timedelta

from shared.value_labels import CAMPAIGN_OPEN_TEXT
from tests.disclosure_world import close
from tests.reports.helpers import PERIOD, read_values
from tests.surveys.forms import answer_as_parents, launch
from tests.surveys.test_results import nok

INDICATORS = [
    {
        "code": "recommend_share",
        "name": "Родители рекомендуют школу",
        "unit": "percent",
        "level": "organization",
        "method": "survey_positive_share",
        "params": {"instrument_code": "nok_parents_2018", "question_codes": ["nok_14"]},
    },
    {
        "code": "every_mean",
        "name": "Средний балл ответов родителей",
        "unit": "score",
        "level": "organization",
        "method": "survey_mean",
        "params": {"instrument_code": "nok_parents_2018", "question_codes": []},
    },
]
# What does not vary with the answers: the leader needs it to chase parents.
COUNTS = {"n", "response_rate", "respondents"}


async def readings(surveys_client, reports_client, world, campaign) -> tuple[dict, dict]:
    """What S1's leader reads of the campaign: its aggregates item of S1 and the reports'
    survey values of S1 (code -> value item)."""
    answer = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/aggregates",
        params={"level": "organization"},
        headers=world.headers("leader"),
    )
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["items"]
    values = await read_values(
        reports_client, world, "leader", scope_type="organization", scope_id=str(world.s1.id)
    )
    assert values.status_code == 200, values.text
    codes = {d["code"] for d in INDICATORS}
    found = {i["indicator_code"]: i for i in values.json()["items"] if i["indicator_code"] in codes}
    assert found.keys() == codes, values.text
    return item, found


def without_counts(reading: dict) -> dict:
    """A reading with the counts of respondents (and rates) left out, at any depth."""
    if isinstance(reading, dict):
        return {k: without_counts(v) for k, v in reading.items() if k not in COUNTS}
    if isinstance(reading, list):
        return [without_counts(v) for v in reading]
    return reading


async def test_a_leader_learns_nothing_of_one_parent_while_the_campaign_is_open(
    apps, api_client, surveys_client, reports_client, world
):
    for definition in INDICATORS:
        added = await api_client.post(
            "/v1/indicators", json=definition, headers=world.headers("analyst")
        )
        assert added.status_code == 201, added.text
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    await answer_as_parents(apps, campaign["id"], [(world.s1.id, nok())] * 5)
    item, values = await readings(surveys_client, reports_client, world, campaign)
    assert item["suppressed"] and item["reason"] == "campaign_open", item
    assert item["questions"] == [] and item["n"] == 5
    for value in values.values():
        assert (value["status"], value["value"]) == ("insufficient_data", None), value
        assert value["coverage"]["withheld"] == ["campaign_open"], value
        assert value["coverage"]["respondents"] == 5, value
        # Pages and documents say why beside «недостаточно данных».
        assert value["reason_text"] == CAMPAIGN_OPEN_TEXT, value
    card = await reports_client.get(
        f"/v1/reports/organizations/{world.s1.id}",
        params={"period": PERIOD},
        headers=world.headers("leader"),
    )
    assert card.status_code == 200, card.text
    assert f'недостаточно данных: <span class="reason">{CAMPAIGN_OPEN_TEXT}</span>' in card.text

    # One parent answers, every answer unlike the others'.
    await answer_as_parents(
        apps, campaign["id"], [(world.s1.id, nok(nok_14=False, nok_05=False, nok_12=False))]
    )
    after, values_after = await readings(surveys_client, reports_client, world, campaign)
    assert after["n"] == 6
    assert without_counts(after) == without_counts(item)
    assert without_counts(values_after) == without_counts(values)
    assert all(v["coverage"]["respondents"] == 6 for v in values_after.values())

    closed = await close(surveys_client, world, campaign)
    shown, values_shown = await readings(surveys_client, reports_client, world, campaign)
    assert not shown["suppressed"] and shown["reason"] is None, shown
    assert {q["code"] for q in shown["questions"]} >= {"nok_14"}
    recommend = values_shown["recommend_share"]
    assert (recommend["value"], recommend["n"]) == (round(500 / 6, 2), 6), recommend
    assert recommend["reason_text"] is None

    # Its figures are out: re-opening it would let the next reading differ by late parents.
    extended = await surveys_client.patch(
        f"/v1/campaigns/{closed['id']}",
        json={"closes_at": (datetime.now(UTC) + timedelta(days=3)).isoformat()},
        headers=world.headers("methodologist"),
    )
    assert extended.status_code == 409, extended.text
