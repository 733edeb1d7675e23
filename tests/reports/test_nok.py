"""GET /v1/nok end to end: the reports app asks the real api and surveys apps. An anonymous
campaign's answers count once it has closed (shared/disclosure.py): the tests close theirs."""

from datetime import UTC, datetime, timedelta

from services.reports.quality_evaluation.compute import evaluate, load_weights
from services.surveys.campaigns.models import Campaign, CampaignOrganization
from tests.factories import groups_at_launch
from tests.facts import sync_facts
from tests.reports.helpers import post_values, territory_report
from tests.reports.outage import reports_without_surveys
from tests.reports.test_nok_compute import EXAMPLE, EXPECTED_CRITERIA
from tests.surveys.forms import BANK, answer_as_parents

PERIOD = "2021/2022"
CHECKLIST = {k: v for k, v in EXAMPLE.items() if k.startswith("nok_") and len(k) > 6}
# How many of the 20 parents answer "да" to each item (the first ones do, the rest "нет").
YES = {k: v for k, v in EXAMPLE.items() if len(k) == 6}
FOLLOW_UPS = {"nok_02": "nok_01", "nok_04": "nok_03", "nok_07": "nok_06", "nok_11": "nok_10"}
# What S1's evaluation shows: nok_07 (satisfied with accessibility) is asked of the 3 parents
# of a child with a disability only, fewer than the disclosure minimum (5), so it is withheld
# as the survey's aggregates withhold it, and К3 is rescaled without Пдостуд.
SHOWN = evaluate({k: v for k, v in EXAMPLE.items() if k != "nok_07"}, load_weights())


def parent(index: int) -> dict[str, bool]:
    """The answers of parent number `index` (0-19) of the hand-computed example; a follow-up
    question is asked only of those who answered "да" to the one before it."""
    answers = {code: index < yes for code, yes in YES.items()}
    for follow_up, condition in FOLLOW_UPS.items():
        if not answers[condition]:
            del answers[follow_up]
    return answers


async def closed(db, *campaigns: Campaign) -> None:
    """The campaigns closed an hour ago: their figures are out (shared/disclosure.py)."""
    for campaign in campaigns:
        campaign.closes_at = datetime.now(UTC) - timedelta(hours=1)
    await db.flush()


async def arrange(db, api_client, apps, world):
    """The eight checklist indicators with S1's values, and 20 parents' answers in S1, its
    campaign closed."""
    analyst = world.headers("analyst")
    for code in CHECKLIST:
        definition = {
            "code": code,
            "name": f"НОК: {code}",
            "unit": "count",
            "level": "organization",
            "method": "data_value",
            "params": {"value_type": "number"},
        }
        answer = await api_client.post("/v1/indicators", json=definition, headers=analyst)
        assert answer.status_code == 201, answer.text
    rows = [(c, world.s1.id, PERIOD, v) for c, v in CHECKLIST.items()]
    summary = await post_values(api_client, world, rows)
    assert summary["imported"] == len(rows), summary
    campaign = world.campaigns["parents_s1"]
    answers = [(world.s1.id, parent(index)) for index in range(EXAMPLE["respondents"])]
    await answer_as_parents(apps, campaign.id, answers)
    await closed(db, campaign)


async def get_nok(client, world, who="analyst"):
    answer = await territory_report(client, "/v1/nok", world, who)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def test_criteria_total_and_rank_of_a_municipalitys_schools(
    db, apps, api_client, reports_client, world
):
    await arrange(db, api_client, apps, world)
    body = await get_nok(reports_client, world)
    assert body["missing_inputs"] == [] and body["notes"] == []
    orgs = {o["organization_id"]: o for o in body["organizations"]}
    assert set(orgs) == {str(world.s1.id), str(world.s2.id)}  # S3 is in M2

    s1 = orgs[str(world.s1.id)]
    assert {k: s1[k] for k in EXPECTED_CRITERIA} == {k: SHOWN[k] for k in EXPECTED_CRITERIA}
    assert {k: s1[k] for k in ("k1", "k2", "k4", "k5")} == {
        k: EXPECTED_CRITERIA[k] for k in ("k1", "k2", "k4", "k5")
    }
    assert (s1["total"], s1["rank"]) == (SHOWN["total"], 1)
    assert s1["indicators"]["p_dost_ud"] is None
    assert s1["inputs"]["respondents"] == 20 and "nok_07" not in s1["inputs"]
    assert s1["inputs"]["nok_06"] == 3  # answered by all 20: shown, as the aggregates show it
    assert any("Пдостуд" in n and "порога раскрытия" in n for n in s1["notes"])
    assert not any("нет результатов анкетирования" in n for n in s1["notes"])  # there are some

    s2 = orgs[str(world.s2.id)]  # no checklist values, no parents' answers
    assert [s2[k] for k in ("k1", "k2", "k3", "k4", "k5", "total", "rank")] == [None] * 7
    # The questionnaire is named by its title, never by its code.
    title = BANK["nok_parents_2018"].title
    assert f"Анкетирование «{title}» в этом периоде не проводилось" in s2["notes"]
    assert not any("nok_parents_2018" in n for n in s2["notes"])
    assert any("экспертной проверки" in n for n in s2["notes"])

    assert body["organizations"][0]["organization_id"] == str(world.s1.id)  # ranked first
    assert (body["total"], body["organizations_ranked"]) == (SHOWN["total"], 1)


async def test_a_school_below_the_disclosure_minimum_has_no_survey_part(
    db, apps, api_client, reports_client, world
):
    await arrange(db, api_client, apps, world)
    campaign = world.campaigns["parents_s3"]  # S3, in M2: the admin reads it
    await answer_as_parents(apps, campaign.id, [(world.s3.id, parent(index)) for index in range(3)])
    await closed(db, campaign)
    answer = await territory_report(reports_client, "/v1/nok", world, "admin", world.m2.id)
    assert answer.status_code == 200, answer.text
    (s3,) = answer.json()["organizations"]
    assert (s3["k4"], s3["total"]) == (None, None)
    assert any("порога раскрытия (3)" in n for n in s3["notes"])


async def test_outside_the_callers_scope_is_404(reports_client, world):
    answer = await territory_report(reports_client, "/v1/nok", world, "analyst", world.m2.id)
    assert answer.status_code == 404


async def test_a_surveys_outage_changes_nothing_the_facts_are_used(
    db, apps, settings, isolation, api_client, world
):
    await arrange(db, api_client, apps, world)
    await sync_facts(apps, isolation)
    async with reports_without_surveys(apps, settings) as client:
        body = await get_nok(client, world)
    assert body["missing_inputs"] == [] and body["notes"] == []
    s1 = next(o for o in body["organizations"] if o["organization_id"] == str(world.s1.id))
    assert {k: s1[k] for k in EXPECTED_CRITERIA} == {k: SHOWN[k] for k in EXPECTED_CRITERIA}
    assert (s1["total"], s1["rank"]) == (SHOWN["total"], 1)


async def test_the_answers_of_two_campaigns_of_the_period_are_summed(
    db, apps, api_client, reports_client, world
):
    await arrange(db, api_client, apps, world)  # 20 parents in the first campaign
    first = world.campaigns["parents_s1"]
    second = Campaign(
        title="Родители, второй опрос",
        instrument_version_id=first.instrument_version_id,
        audience="parents",
        anonymous=True,
        period=PERIOD,
        opens_at=first.opens_at,
        closes_at=datetime.now(UTC) + timedelta(days=7),
    )
    db.add(second)
    await db.flush()
    db.add(
        CampaignOrganization(
            campaign_id=second.id,
            organization_id=world.s1.id,
            expected=10,
            code=f"second-{second.id.hex[:8]}",
            **await groups_at_launch(db, world.s1.id),
        )
    )
    await db.flush()
    await answer_as_parents(apps, second.id, [(world.s1.id, parent(index)) for index in range(6)])
    await closed(db, second)
    body = await get_nok(reports_client, world)
    s1 = next(o for o in body["organizations"] if o["organization_id"] == str(world.s1.id))
    # 20 + 6 parents; "да" to nok_06 from the first three of each campaign. nok_07, asked of
    # those three in each, is withheld in each: not summed into 6 answerers.
    assert s1["inputs"]["respondents"] == 26
    assert s1["inputs"]["nok_06"] == 3 + 3 and "nok_07" not in s1["inputs"]
    assert s1["inputs"]["nok_14"] == YES["nok_14"] + min(6, YES["nok_14"])


async def test_a_missing_checklist_value_is_named_as_the_api_names_it(
    db, apps, api_client, reports_client, world
):
    # S2 has every checklist value but the stand's items: its notes name that indicator by
    # its name («НОК: …» as defined in arrange), never by its code alone.
    await arrange(db, api_client, apps, world)
    rows = [
        (c, world.s2.id, PERIOD, v) for c, v in CHECKLIST.items() if c != "nok_info_stand_items"
    ]
    assert (await post_values(api_client, world, rows))["imported"] == len(rows)
    body = await get_nok(reports_client, world)
    s2 = next(o for o in body["organizations"] if o["organization_id"] == str(world.s2.id))
    assert "Экспертная проверка: нет значения «НОК: nok_info_stand_items»" in s2["notes"]
    assert any("нет значения «НОК: nok_info_stand_items»" in n for n in s2["notes"][1:])


async def test_a_school_withheld_by_difference_is_not_said_to_be_below_the_minimum(
    db, apps, reports_client, world
):
    """S2 has 2 answers (below 5); S1's 6 are withheld too, or the district minus S1 would
    give S2's. S1's note said «ответов меньше порога раскрытия (6)», which 6 is not."""
    campaign = world.campaigns["parents_s1"]
    db.add(
        CampaignOrganization(
            campaign_id=campaign.id,
            organization_id=world.s2.id,
            expected=10,
            code="s2-nok",
            **await groups_at_launch(db, world.s2.id),
        )
    )
    await db.flush()
    answers = [(world.s1.id, parent(i)) for i in range(6)]
    answers += [(world.s2.id, parent(i)) for i in range(2)]
    await answer_as_parents(apps, campaign.id, answers)
    await closed(db, campaign)
    body = await get_nok(reports_client, world)
    notes = {o["organization_id"]: " ".join(o["notes"]) for o in body["organizations"]}
    assert "ответов меньше порога раскрытия (2)" in notes[str(world.s2.id)]
    s1 = notes[str(world.s1.id)]
    assert "порога раскрытия (6)" not in s1
    assert "результаты опроса (ответивших: 6) скрыты и не используются" in s1
    assert "по разности с итогом территории" in s1
