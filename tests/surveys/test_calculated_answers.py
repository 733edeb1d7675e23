"""XLSForm `calculate` values are worked out by the server (the one XPath evaluator) on
submission and stored with the answers, so that they cannot be forged and are aggregated like
other answers (issue 14)."""

import pytest
from sqlalchemy import select

from services.surveys.responses.models import Answer
from tests.disclosure_world import close
from tests.surveys.forms import launch
from tests.surveys.test_xlsform import build

# fmt: off
FORM = {
    "survey": [
        ["type", "name", "label", "calculation", "relevant", "required"],
        ["integer", "kids", "Сколько детей в семье?", None, None, "yes"],
        ["decimal", "hours", "Сколько часов в неделю занимаются?", None, None, "yes"],
        ["calculate", "per_kid", None, "${hours} div ${kids}"],
        ["calculate", "size", None, "if(${kids} >= 3, 'многодетная', 'обычная')"],
        ["calculate", "large_only", None, "${kids} * 10", "${kids} >= 3"],
        ["calculate", "blank", None, "''"],
    ],
    "settings": [["form_title", "form_id"], ["Семья и кружки", "calc_family"]],
}
# fmt: on


@pytest.fixture
async def url(surveys_client, world) -> str:
    imported = await surveys_client.post(
        "/v1/instruments/xlsform",
        files={"file": ("calc.xlsx", build(FORM))},
        headers=world.headers("analyst"),
    )
    assert imported.status_code == 201, imported.text
    campaign = await launch(surveys_client, world, "calc_family", "parents", [world.s1.id])
    return f"/v1/campaigns/{campaign['id']}/responses"


async def stored(db, response_id: str) -> dict[str, tuple[float | None, str | None]]:
    rows = await db.scalars(select(Answer).where(Answer.response_id == response_id))
    return {a.question: (a.number, a.text) for a in rows}


async def test_calculated_values_are_stored_with_the_answers(surveys_client, world, db, url):
    school = str(world.s1.id)
    answer = await surveys_client.post(
        url, json={"organization_id": school, "answers": {"kids": 4, "hours": 6}}
    )
    assert answer.status_code == 201, answer.text
    assert await stored(db, answer.json()["id"]) == {
        "kids": (4.0, None),
        "hours": (6.0, None),
        "per_kid": (1.5, "1.5"),
        "size": (None, "многодетная"),
        "large_only": (40.0, "40"),
    }
    answer = await surveys_client.post(
        url, json={"organization_id": school, "answers": {"kids": 1, "hours": 2}}
    )
    values = await stored(db, answer.json()["id"])
    # not relevant (kids < 3) and an empty result: nothing stored for them
    assert set(values) == {"kids", "hours", "per_kid", "size"}
    assert values["size"] == (None, "обычная")


async def test_a_calculated_value_sent_by_a_client_is_refused(surveys_client, world, db, url):
    answers = {"kids": 2, "hours": 4, "per_kid": 100}
    answer = await surveys_client.post(
        url, json={"organization_id": str(world.s1.id), "answers": answers}
    )
    assert answer.status_code == 422
    assert [e["loc"][-1] for e in answer.json()["errors"]] == ["per_kid"]
    assert await db.scalar(select(Answer).where(Answer.question == "per_kid")) is None


async def test_calculated_values_are_aggregated_like_answers(surveys_client, world, url):
    for kids, hours in ((1, 2), (2, 2), (2, 6), (4, 4), (1, 1)):
        answer = await surveys_client.post(
            url,
            json={"organization_id": str(world.s1.id), "answers": {"kids": kids, "hours": hours}},
        )
        assert answer.status_code == 201, answer.text
    campaign_id = url.split("/")[3]
    await close(surveys_client, world, {"id": campaign_id})  # its figures are out at the close
    answer = await surveys_client.get(
        f"/v1/campaigns/{campaign_id}/aggregates?level=organization",
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    [school] = answer.json()["items"]
    questions = {q["code"]: q for q in school["questions"]}
    per_kid = questions["per_kid"]
    assert (per_kid["n"], per_kid["mean"]) == (5, 1.6)  # 2, 1, 3, 1, 1
    assert per_kid["counts"] == {"1": 3, "2": 1, "3": 1}
    assert (questions["size"]["n"], questions["large_only"]["n"]) == (5, 1)
    # One large family only: its figure would be that family's, so it is withheld.
    large_only = questions["large_only"]
    assert large_only["suppressed"] and large_only["reason"] == "minimum"
    assert (large_only["mean"], large_only["counts"]) == (None, {})
