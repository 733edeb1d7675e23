"""A campaign launched for a mistyped period is corrected by `PATCH period` while no one has
answered; once someone has, the answers count for the period they were given in and the
change is a 409 naming `period` (moved, they would change both periods' figures by exactly
them). The change is checked as a launch is, audited, and followed by the change feed."""

import asyncio
import uuid
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import select, text

from services.surveys.campaigns.models import Campaign, Invitation
from services.surveys.responses.service import LOCK_INVITATION
from tests.changes import of, read_all
from tests.factories import committed_world
from tests.surveys.forms import NOW, launch, nok_answers
from tests.surveys.test_campaign_rights import audit_events


async def _patch(client, world, campaign: dict, who: str = "analyst", **body):
    return await client.patch(
        f"/v1/campaigns/{campaign['id']}", json=body, headers=world.headers(who)
    )


async def _period_of(client, world, campaign: dict) -> str:
    read = await client.get(f"/v1/campaigns/{campaign['id']}", headers=world.headers("analyst"))
    return read.json()["period"]


def _current_school_year() -> str:
    start = NOW.year if NOW.month >= 9 else NOW.year - 1
    return f"{start}/{start + 1}"


async def test_a_mistyped_period_is_corrected_before_anyone_answers(
    apps, settings, surveys_client, api_client, world
):
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    assert campaign["period"] == "2021/2022" and campaign["warnings"]  # opened years after it
    _, cursor = await read_all(apps.surveys, settings)
    right = _current_school_year()
    answer = await _patch(surveys_client, world, campaign, who="leader", period=right)
    assert answer.status_code == 200, answer.text
    assert answer.json()["period"] == right and answer.json()["warnings"] == []
    assert await _period_of(surveys_client, world, campaign) == right
    [update] = [
        e for e in await audit_events(api_client, world, campaign["id"]) if e["action"] == "update"
    ]
    assert update["changes"] == {"period": {"before": "2021/2022", "after": right}}
    # The reports service learns it from the feed: the campaign with its new period.
    items, _ = await read_all(apps.surveys, settings, cursor)
    [changed] = of(items, "campaign", id=campaign["id"])
    assert changed["state"]["period"] == right


async def test_a_new_period_far_from_the_opening_is_warned_about_as_at_a_launch(
    surveys_client, world
):
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    answer = await _patch(surveys_client, world, campaign, period="2019/2020")
    assert answer.status_code == 200, answer.text
    [warning] = answer.json()["warnings"]
    assert warning.startswith("period: кампания открывается") and "«2019/2020»" in warning


async def test_the_period_of_a_campaign_with_answers_stays(surveys_client, world):
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    sent = await surveys_client.post(
        f"/v1/campaigns/{campaign['id']}/responses",
        json={"organization_id": str(world.s1.id), "answers": nok_answers()},
    )
    assert sent.status_code == 201, sent.text
    answer = await _patch(surveys_client, world, campaign, period=_current_school_year())
    assert answer.status_code == 409, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["loc"] == ["body", "period"]
    assert (
        "уже есть ответы" in answer.json()["detail"] and "новую кампанию" in answer.json()["detail"]
    )
    assert await _period_of(surveys_client, world, campaign) == "2021/2022"
    # Nor does a change of the title alongside go through: the request is refused whole.
    both = await _patch(surveys_client, world, campaign, title="Другое", period="2022/2023")
    assert both.status_code == 409
    read = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}", headers=world.headers("analyst")
    )
    assert read.json()["title"] == campaign["title"]


@pytest.mark.committed
@pytest.mark.parametrize("who", ["a parent", "a teacher"])
async def test_a_change_of_period_waits_for_a_submission_in_flight_and_sees_it(
    apps, isolation, settings, who
):
    """A response being stored when the period is changed (its transaction not yet
    committed) is waited for, and the change then refused: it never succeeds beside an
    answer it did not see. A parent's response row takes the campaign's key share by its
    foreign key; a teacher's draft turned into a submission, by the personal link's lock."""
    world = await committed_world(isolation, settings)
    key = "parents_s1" if who == "a parent" else "diagnostic_s1"
    campaign = world.campaigns[key]
    transport = httpx.ASGITransport(app=apps.surveys, client=("192.0.2.91", 5000))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        if who == "a teacher":
            draft = await client.post(
                f"/v1/campaigns/{campaign.id}/responses",
                json={"staff_id": str(world.t1.id), "answers": {}, "draft": True},
                headers=world.headers("teacher"),
            )
            assert draft.status_code in (200, 201), draft.text
        async with isolation() as submitting:
            if who == "a parent":
                await submitting.execute(
                    text(
                        "INSERT INTO surveys.response (id, campaign_id, organization_id,"
                        " instrument_version_id, status, submitted_on, channel)"
                        " VALUES (:id, :campaign, :org, :version, 'submitted', :today, 'web')"
                    ),
                    {
                        "id": uuid.uuid4(),
                        "campaign": campaign.id,
                        "org": world.s1.id,
                        "version": campaign.instrument_version_id,
                        "today": NOW.date(),
                    },
                )
            else:
                invitation = await submitting.scalar(
                    select(Invitation.id).where(
                        Invitation.campaign_id == campaign.id,
                        Invitation.staff_id == world.t1.id,
                    )
                )
                await submitting.execute(LOCK_INVITATION, {"invitation": invitation})
                await submitting.execute(
                    text(
                        "UPDATE surveys.response SET status = 'submitted', submitted_on = :today"
                        " WHERE invitation_id = :invitation"
                    ),
                    {"today": NOW.date(), "invitation": invitation},
                )
            change = asyncio.create_task(
                client.patch(
                    f"/v1/campaigns/{campaign.id}",
                    json={"period": _current_school_year()},
                    headers=world.headers("analyst"),
                )
            )
            await asyncio.sleep(0.5)
            assert not change.done()  # waiting for the submission's transaction
            await submitting.commit()
        answer = await change
    assert answer.status_code == 409, answer.text
    async with isolation() as session:
        kept = await session.scalar(select(Campaign.period).where(Campaign.id == campaign.id))
    assert kept == "2021/2022"


async def test_a_bad_period_or_one_after_the_closing_is_422_naming_it(surveys_client, world):
    campaign = await launch(surveys_client, world, "nok_parents_2018", "parents", [world.s1.id])
    for period in ("2026/2028", "осень", "20221"):
        answer = await _patch(surveys_client, world, campaign, period=period)
        assert answer.status_code == 422, (period, answer.text)
        assert answer.json()["errors"][0]["loc"] == ["body", "period"]
    later = f"{NOW.year + 2}/{NOW.year + 3}"  # begins long after the campaign closes (a week)
    answer = await _patch(surveys_client, world, campaign, period=later)
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["body", "period"]
    assert "до начала периода" in answer.json()["errors"][0]["msg"]
    assert await _period_of(surveys_client, world, campaign) == "2021/2022"
    null = await _patch(surveys_client, world, campaign, period=None)
    assert null.status_code == 422 and null.json()["errors"][0]["loc"] == ["body", "period"]


async def test_a_campaign_of_a_period_not_begun_may_still_be_closed_at_once(surveys_client, world):
    """Launched by mistake for next year: closed now, before that year begins."""
    campaign = await launch(
        surveys_client,
        world,
        "nok_parents_2018",
        "parents",
        [world.s1.id],
        period=str(NOW.year + 1),
        closes_at=(NOW + timedelta(days=400)).isoformat(),
    )
    answer = await _patch(surveys_client, world, campaign, closes_at=NOW.isoformat())
    assert answer.status_code == 200, answer.text
    assert answer.json()["status"] == "closed"


async def test_a_leader_of_one_school_cannot_change_the_period_of_a_wider_campaign(
    surveys_client, world
):
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id]
    )
    answer = await _patch(surveys_client, world, campaign, who="leader", period="2022/2023")
    assert answer.status_code == 403, answer.text
    assert await _period_of(surveys_client, world, campaign) == "2021/2022"


def _month_after_next() -> tuple[str, datetime]:
    """The period of the month after next ("2027-02") and its first day (UTC midnight)."""
    year, month = divmod(NOW.month + 1, 12)
    first = datetime(NOW.year + year, month + 1, 1, tzinfo=UTC)
    return f"{first:%Y-%m}", first


async def test_a_new_closing_still_to_come_may_not_end_before_the_period_begins(
    surveys_client, world
):
    period, first = _month_after_next()
    campaign = await launch(
        surveys_client,
        world,
        "nok_parents_2018",
        "parents",
        [world.s1.id],
        period=period,
        closes_at=(first + timedelta(days=5)).isoformat(),
    )
    early = (NOW + timedelta(days=10)).isoformat()  # still to come, before the period
    answer = await _patch(surveys_client, world, campaign, closes_at=early)
    assert answer.status_code == 422, answer.text
    [error] = answer.json()["errors"]
    assert error["loc"] == ["body", "closes_at"] and "до начала периода" in error["msg"]
    read = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}", headers=world.headers("analyst")
    )
    assert read.json()["closes_at"] == campaign["closes_at"]
    # Extended within the period: taken, and answered as a read gives it back.
    later = (first + timedelta(days=20)).isoformat()
    extended = await _patch(surveys_client, world, campaign, closes_at=later)
    assert extended.status_code == 200, extended.text
    read = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}", headers=world.headers("analyst")
    )
    assert extended.json()["closes_at"] == read.json()["closes_at"]
