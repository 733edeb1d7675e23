"""Campaigns and responses, through the real surveys app (which asks the real api app)."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import inspect, select

from services.surveys.responses.models import Answer, Response
from shared.settings import get_settings
from tests.disclosure_world import close
from tests.surveys.forms import EMPTY, NOW, launch_optional, nok_answers, post_campaign, responses


async def test_parents_campaign_gives_one_link_per_school(surveys_client, world):
    answer = await post_campaign(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id]
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    assert body["status"] == "open" and body["anonymous"] is True and body["version"] == 1
    assert {link["organization_id"] for link in body["links"]} == {
        str(world.s1.id),
        str(world.s2.id),
    }
    assert all("/s/" in link["url"] for link in body["links"])


@pytest.mark.parametrize(
    ("code", "audience", "anonymous", "field"),
    [
        ("nok_parents_2018", "parents", False, "anonymous"),  # parents only anonymously
        ("teacher_digital_assessment_deficits", "teachers", True, "anonymous"),  # personal only
        ("nok_parents_2018", "teachers", True, "audience"),  # not for this audience
        # A questionnaire, not a diagnostic: identified, its leader would read each teacher's
        # ratings (DEFECT 22); only diagnostics' results are personal.
        ("teachers_digital_tools_satisfaction", "teachers", False, "anonymous"),
        ("leader_self_assessment", "leaders", False, "anonymous"),
    ],
)
async def test_campaign_rules_name_the_field(
    surveys_client, world, code, audience, anonymous, field
):
    answer = await post_campaign(
        surveys_client, world, code, audience, [world.s1.id], anonymous=anonymous
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", field]


async def test_a_teachers_questionnaire_is_launched_anonymous(surveys_client, world):
    answer = await post_campaign(
        surveys_client,
        world,
        "teachers_digital_tools_satisfaction",
        "teachers",
        [world.s1.id],
        anonymous=False,
        who="leader",
    )
    assert answer.status_code == 422, answer.text
    assert "только диагностики" in answer.json()["errors"][0]["msg"]
    answer = await post_campaign(
        surveys_client,
        world,
        "teachers_digital_tools_satisfaction",
        "teachers",
        [world.s1.id],
        who="leader",
    )
    assert answer.status_code == 201, answer.text
    assert answer.json()["anonymous"] is True


async def test_campaign_for_a_school_outside_the_scope_is_refused(surveys_client, world):
    answer = await post_campaign(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s3.id]
    )
    assert answer.status_code == 422
    assert answer.json()["detail"] == (
        f"Организации не найдены или вне вашей зоны доступа: {world.s3.id}"
    )


async def test_anonymous_response_stores_nothing_identifying(surveys_client, world, db):
    campaign = (
        await post_campaign(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    ).json()
    answer = await surveys_client.post(
        f"/v1/campaigns/{campaign['id']}/responses",
        json={"organization_id": str(world.s1.id), "answers": nok_answers(nok_15="Больше кружков")},
        headers={"User-Agent": "Mozilla/5.0 (iPhone)", "X-Forwarded-For": "203.0.113.7"},
    )
    assert answer.status_code == 201, answer.text
    stored = await db.get(Response, answer.json()["id"])
    columns = {c.key for c in inspect(Response).mapper.column_attrs}
    assert columns == {
        "id",
        "campaign_id",
        "organization_id",
        "instrument_version_id",
        "invitation_id",
        "staff_id",
        "status",
        "draft",
        "submitted_on",
        "channel",
    }
    assert stored.staff_id is None and stored.invitation_id is None and stored.channel == "web"
    assert stored.submitted_on == NOW.astimezone().date() or stored.submitted_on is not None
    texts = [a.text for a in (await db.scalars(select(Answer))).all() if a.text]
    assert texts == ["Больше кружков"]  # the free text is kept, nothing about the sender


async def check_refused_naming(client, world, code: str, answers: dict, question: str) -> None:
    """A parent of S1 sending `answers` to a new parents' campaign of the bank's `code` in S1
    gets a 422 that names `question` among its errors."""
    campaign = (await post_campaign(client, world, code, "parents", [world.s1.id])).json()
    answer = await client.post(
        f"/v1/campaigns/{campaign['id']}/responses",
        json={"organization_id": str(world.s1.id), "answers": answers},
    )
    assert answer.status_code == 422
    assert ["body", "answers", question] in [e["loc"] for e in answer.json()["errors"]]


@pytest.mark.parametrize(
    ("answers", "question"),
    [
        (nok_answers(nok_01="да"), "nok_01"),  # yes_no needs true/false
        (nok_answers(nok_99=True), "nok_99"),  # unknown question
        ({k: v for k, v in nok_answers().items() if k != "nok_12"}, "nok_12"),  # required, missing
        (nok_answers(nok_07=True), "nok_07"),  # not shown when nok_06 is false
        (nok_answers(nok_15="x" * 5001), "nok_15"),  # text too long
    ],
)
async def test_bad_answer_is_422_naming_the_question(surveys_client, world, answers, question):
    await check_refused_naming(surveys_client, world, "nok_parents_2018", answers, question)


@pytest.mark.parametrize(
    ("question", "value"),
    [
        ("ps_teaching_1", 6),
        ("ps_teaching_1", True),
        ("ps_grade_band", "grade_13"),
        ("ps_teaching_1", "5"),
    ],
)
async def test_likert_and_single_choice_values_are_checked(surveys_client, world, question, value):
    await check_refused_naming(
        surveys_client, world, "parents_satisfaction", {question: value}, question
    )


async def test_closed_and_not_yet_open_campaigns_are_409_with_the_dates(surveys_client, world):
    future = await post_campaign(
        surveys_client,
        world,
        "nok_parents_2018",
        "parents",
        [world.s1.id],
        opens_at=(NOW + timedelta(days=1)).isoformat(),
        closes_at=(NOW + timedelta(days=2)).isoformat(),
    )
    answer = await surveys_client.post(
        f"/v1/campaigns/{future.json()['id']}/responses",
        json={"organization_id": str(world.s1.id), "answers": nok_answers()},
    )
    assert answer.status_code == 409
    assert answer.json()["opens_at"] and "ещё не открыта" in answer.json()["detail"]
    # The window as people read it: in the service's time zone (Moscow, UTC+3), not in UTC.
    opens = (NOW + timedelta(days=1)).astimezone(ZoneInfo(get_settings().timezone))
    assert f"приём ответов с {opens:%d.%m.%Y %H:%M} МСК по " in answer.json()["detail"]
    current = (
        await post_campaign(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    ).json()
    closed = await surveys_client.patch(
        f"/v1/campaigns/{current['id']}",
        json={"closes_at": NOW.isoformat()},
        headers=world.headers("analyst"),
    )
    assert closed.json()["status"] == "closed"
    late = await surveys_client.post(
        f"/v1/campaigns/{current['id']}/responses",
        json={"organization_id": str(world.s1.id), "answers": nok_answers()},
    )
    assert late.status_code == 409 and "уже закрыта" in late.json()["detail"]


async def test_idempotency_key_gives_one_response_for_retries(surveys_client, world, db):
    campaign = (
        await post_campaign(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    ).json()
    url = f"/v1/campaigns/{campaign['id']}/responses"
    body = {"organization_id": str(world.s1.id), "answers": nok_answers()}
    first = await surveys_client.post(url, json=body, headers={"Idempotency-Key": "phone-42"})
    again = await surveys_client.post(url, json=body, headers={"Idempotency-Key": "phone-42"})
    assert first.status_code == again.status_code == 201 and first.json() == again.json()
    assert len((await db.scalars(select(Response))).all()) == 1
    other = await surveys_client.post(
        url,
        json=body | {"answers": nok_answers(nok_12=False)},
        headers={"Idempotency-Key": "phone-42"},
    )
    # An anonymous caller's key is bound to its request (test_anonymity): other answers with
    # it are another response, not a 409 telling whoever sent them that the key was used.
    assert other.status_code == 201 and other.json()["id"] != first.json()["id"]


async def test_campaigns_can_be_listed_for_one_territory(surveys_client, world, parents):
    """A region's admin asks for one municipality's campaigns: those reaching its schools,
    with their links there only (the reports service asks this way for a municipality)."""
    both = parents  # in S1 (M1) and S3 (M2)
    only_m2 = await post_campaign(
        surveys_client, world, "parents_satisfaction", "parents", [world.s3.id], who="admin"
    )
    assert only_m2.status_code == 201
    listed = await surveys_client.get(
        "/v1/campaigns",
        params={"territory_id": str(world.m1.id), "limit": 100},
        headers=world.headers("admin"),
    )
    assert listed.status_code == 200, listed.text
    ids = {c["id"] for c in listed.json()["items"]}
    assert both["id"] in ids and only_m2.json()["id"] not in ids
    [found] = [c for c in listed.json()["items"] if c["id"] == both["id"]]
    assert [link["organization_id"] for link in found["links"]] == [str(world.s1.id)]
    outside = await surveys_client.get(
        "/v1/campaigns", params={"territory_id": str(world.m2.id)}, headers=world.headers("analyst")
    )
    assert outside.status_code == 404


async def test_a_window_without_an_offset_is_moscow_time_and_fixed_fields_are_named(
    surveys_client, world
):
    """«2026-12-01T00:00:00» typed by a Moscow analyst opens the campaign at Moscow's
    midnight, beside a closing time with an offset (was a 500: naive compared with aware); a
    PATCH of a field it cannot change (the opening) or an unknown one is a 422 naming it,
    not a 200 that changed nothing; a school listed twice is named."""
    moscow = ZoneInfo("Europe/Moscow")
    opens = (NOW - timedelta(days=1)).astimezone(moscow).replace(tzinfo=None, microsecond=0)
    created = await post_campaign(
        surveys_client,
        world,
        "nok_parents_2018",
        "parents",
        [world.s1.id],
        opens_at=opens.isoformat(),
    )
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert datetime.fromisoformat(campaign["opens_at"]) == opens.replace(tzinfo=moscow)
    closes = (NOW + timedelta(days=30)).astimezone(moscow).replace(tzinfo=None, microsecond=0)
    url = f"/v1/campaigns/{campaign['id']}"
    extended = await surveys_client.patch(
        url, json={"closes_at": closes.isoformat()}, headers=world.headers("analyst")
    )
    assert extended.status_code == 200, extended.text
    assert datetime.fromisoformat(extended.json()["closes_at"]) == closes.replace(tzinfo=moscow)
    for field, value in (("opens_at", opens.isoformat()), ("status", "closed")):
        refused = await surveys_client.patch(
            url, json={field: value}, headers=world.headers("analyst")
        )
        assert refused.status_code == 422, refused.text
        assert refused.json()["errors"][0]["loc"] == ["body", field]
    twice = await post_campaign(
        surveys_client,
        world,
        "nok_parents_2018",
        "parents",
        [world.s1.id, world.s2.id, world.s1.id],
    )
    assert twice.status_code == 422, twice.text
    error = twice.json()["errors"][0]
    assert error["loc"] == ["body", "organization_ids"]
    assert error["msg"] == (
        f"организация {world.s1.id} указана дважды (позиция 2): проверьте, "
        "не пропущена ли вместо неё другая"
    )


async def test_a_submission_with_no_answer_is_refused(surveys_client, world, db):
    """Every question optional: an empty submission (or one of blank texts) says nothing and
    would count as a respondent (DEFECT 17); refused, for the public and for an operator."""
    campaign = await launch_optional(surveys_client, world, [world.s1.id])
    url = f"/v1/campaigns/{campaign['id']}/responses"
    for answers, who in (
        ({}, None),
        ({"note": "   ", "topic": ""}, None),
        ({}, "leader"),  # keyed in from paper by the school's leader
    ):
        sent = await surveys_client.post(
            url,
            json={"organization_id": str(world.s1.id), "answers": answers},
            headers=world.headers(who) if who else {},
        )
        assert sent.status_code == 422, sent.text
        assert sent.json()["errors"] == [
            {"loc": ["body", "answers"], "msg": EMPTY, "type": "empty_response"}
        ]
    assert await responses(db) == []


async def test_empty_submissions_lift_no_school_over_the_minimum(surveys_client, world):
    campaign = await launch_optional(surveys_client, world, [world.s1.id])
    url = f"/v1/campaigns/{campaign['id']}/responses"
    school = str(world.s1.id)
    for answers in [{"mood": 2}, {"topic": "food"}] + [{}] * 5:
        await surveys_client.post(url, json={"organization_id": school, "answers": answers})
    await close(surveys_client, world, campaign)
    aggregates = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/aggregates", headers=world.headers("analyst")
    )
    [item] = aggregates.json()["items"]
    assert (item["n"], item["suppressed"], item["reason"]) == (2, True, "minimum")
    assert item["questions"] == []


async def test_a_required_text_of_spaces_is_no_answer(surveys_client, world, db):
    campaign = await launch_optional(surveys_client, world, [world.s1.id])
    sent = await surveys_client.post(
        f"/v1/campaigns/{campaign['id']}/responses",
        json={
            "organization_id": str(world.s1.id),
            "answers": {"topic": "other", "topic_other": "   "},
        },
    )
    assert sent.status_code == 422, sent.text
    [error] = sent.json()["errors"]
    assert (error["loc"], error["type"]) == (["body", "answers", "topic_other"], "missing")
    assert await responses(db) == []


async def test_staff_id_in_an_anonymous_response_is_refused(surveys_client, world, db):
    campaign = await launch_optional(surveys_client, world, [world.s1.id])
    sent = await surveys_client.post(
        f"/v1/campaigns/{campaign['id']}/responses",
        json={
            "organization_id": str(world.s1.id),
            "staff_id": str(world.t1.id),
            "answers": {"mood": 4},
        },
    )
    assert sent.status_code == 422, sent.text
    [error] = sent.json()["errors"]
    assert error["loc"] == ["body", "staff_id"] and "анонимная" in error["msg"]
    assert await responses(db) == []


async def test_an_over_long_answer_is_named_with_the_limit(surveys_client, world, db):
    campaign = await launch_optional(surveys_client, world, [world.s1.id])
    url = f"/v1/campaigns/{campaign['id']}/responses"
    school = str(world.s1.id)
    answers = {"topic": "other", "topic_other": "я" * 100_000}  # 200 KB
    sent = await surveys_client.post(url, json={"organization_id": school, "answers": answers})
    assert sent.status_code == 422, sent.text
    [error] = sent.json()["errors"]
    assert error["loc"] == ["body", "answers", "topic_other"]
    assert "не длиннее 5000 символов" in error["msg"]
    # Past 256 KB the body is not read at all: 413 at the body, naming its limit.
    answers["topic_other"] = "я" * 200_000  # 400 KB
    sent = await surveys_client.post(url, json={"organization_id": school, "answers": answers})
    assert sent.status_code == 413, sent.text
    assert sent.json()["detail"] == "Запрос не принят: тело запроса больше 256 КБ"
    # Past the limit of a text, within the body's: the question's own check says it.
    answers["topic_other"] = "я" * 6000
    sent = await surveys_client.post(url, json={"organization_id": school, "answers": answers})
    assert sent.status_code == 422, sent.text
    assert sent.json()["errors"][0]["loc"] == ["body", "answers", "topic_other"]
    # Many answers, none too long, past the body's limit: said at the body, with the limit.
    many = {"topic": "other", "topic_other": "я" * 4000, "note": "я" * 4000}
    many |= {f"x{i}": "я" * 4000 for i in range(10)}
    sent = await surveys_client.post(url, json={"organization_id": school, "answers": many})
    assert sent.status_code == 422, sent.text
    assert sent.json()["errors"][0]["loc"] == ["body"]
    assert "КБ" in sent.json()["errors"][0]["msg"]
    assert await responses(db) == []
