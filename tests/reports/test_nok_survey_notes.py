"""Why a school's НОК is not computed: «Анкетирование «…»: нет ответов» claimed a survey
the school never had. A school no campaign of the parents' questionnaire reached in the
period reads that none was run; one a closed campaign reached and nobody answered, «нет
ответов» — in GET /v1/nok and on the school's card alike."""

from services.surveys.campaigns.models import CampaignOrganization
from tests.factories import groups_at_launch
from tests.reports.test_nok import PERIOD, closed, get_nok
from tests.surveys.forms import BANK

TITLE = BANK["nok_parents_2018"].title
NOT_RUN = f"Анкетирование «{TITLE}» в этом периоде не проводилось"
NO_ANSWERS = f"Анкетирование «{TITLE}»: нет ответов"


async def s2_notes(reports_client, world) -> tuple[list[str], str]:
    body = await get_nok(reports_client, world)
    notes = {o["organization_id"]: o["notes"] for o in body["organizations"]}[str(world.s2.id)]
    card = await reports_client.get(
        f"/v1/reports/organizations/{world.s2.id}",
        params={"period": PERIOD},
        headers=world.headers("analyst"),
    )
    assert card.status_code == 200, card.text
    return notes, card.text


async def test_a_school_no_campaign_reached_is_not_said_to_have_no_answers(
    db, reports_client, world
):
    await closed(db, world.campaigns["parents_s1"])  # S1's campaign only: S2 had none
    notes, card = await s2_notes(reports_client, world)
    assert NOT_RUN in notes and NO_ANSWERS not in notes
    assert f"Не рассчитана: {NOT_RUN}" in card and "нет ответов" not in card


async def test_a_campaign_nobody_answered_is_said_to_have_no_answers(db, reports_client, world):
    campaign = world.campaigns["parents_s1"]
    db.add(
        CampaignOrganization(
            campaign_id=campaign.id, organization_id=world.s2.id, expected=10,
            code=f"parents-s2-{campaign.id.hex[:8]}",
            **await groups_at_launch(db, world.s2.id),
        )
    )  # fmt: skip
    await closed(db, campaign)
    notes, card = await s2_notes(reports_client, world)
    assert NO_ANSWERS in notes and NOT_RUN not in notes
    assert f"Не рассчитана: {NO_ANSWERS}" in card
