"""Group figures as an attacker reads them: another teacher of the same school, a viewer, an
analyst (and the services acting for them).

1. A withheld group shows how many answered and why, nothing else: with a conditional question
   (asked only after a "да"), a per-question `n` would tell who said "да".
2. An identified campaign's groups are withheld from them while it takes answers: a reading
   before and one after a colleague answers (`/pending` says who) would differ by that
   colleague's result. Its leader and methodologists see them all along.
3. Only a diagnostic's results are personal: an identified questionnaire (one launched before
   only diagnostics could be identified) keeps the minimum for its leader too.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from services.surveys.campaigns.models import Campaign
from services.surveys.instruments.models import Instrument, InstrumentVersion
from tests.disclosure_world import (
    MINIMUM,
    add_teachers,
    aggregates,
    answer,
    close,
    diagnose,
    disclosure_world,
    withheld,
)
from tests.surveys.forms import DIAGNOSTIC, answer_as_parents
from tests.surveys.test_results import launch, nok

ATTACKERS = ("teacher2", "viewer", "analyst", "service+viewer", "service+analyst")
SATISFACTION = "teachers_digital_tools_satisfaction"
LEVELS = ("organization", "cluster", "territory")


@pytest.fixture
async def world(db, settings):
    return await disclosure_world(db, settings)


async def every_reading(client, world, campaign, who) -> list[dict]:
    """Every item `who` can get: each level, all schools and each school alone (a school
    outside `who`'s scope, or not in the campaign, is a 404 naming `organization_id`: nothing
    to read)."""
    items = []
    for level in LEVELS:
        items += await aggregates(client, world, campaign, who, level=level)
        for school in (world.s1, world.s2):
            alone = await client.get(
                f"/v1/campaigns/{campaign['id']}/aggregates",
                params={"level": level, "organization_id": str(school.id)},
                headers=world.headers(who),
            )
            if alone.status_code == 404:
                assert alone.json()["errors"][0]["loc"] == ["query", "organization_id"]
                continue
            assert alone.status_code == 200, alone.text
            items += alone.json()["items"]
    return items


async def legacy_identified(db, client, world, code: str, orgs: list) -> dict:
    """An identified campaign of the questionnaire `code`, as a database may still hold one
    launched before only diagnostics could be identified: a diagnostic launched (personal
    links made), its version then swapped for the questionnaire's."""
    campaign = await launch(client, world, DIAGNOSTIC.code, "teachers", orgs, False)
    version = await db.scalar(
        select(InstrumentVersion.id)
        .join(Instrument, Instrument.id == InstrumentVersion.instrument_id)
        .where(Instrument.code == code)
        .order_by(InstrumentVersion.version.desc())
        .limit(1)
    )
    await db.execute(
        update(Campaign)
        .where(Campaign.id == uuid.UUID(campaign["id"]))
        .values(instrument_version_id=version)
    )
    await db.flush()
    return campaign


def satisfaction(uses_tests: bool) -> dict:
    """A teacher's answers: "dt_sat_tests" is asked only of those who use tests."""
    answers = {f"dt_use_{k}": False for k in ("tests", "surveys", "planning", "analysis")}
    answers |= {f"dt_sat_{k}": 4 for k in ("catalog", "time", "support", "overall")}
    if uses_tests:
        answers |= {"dt_use_tests": True, "dt_sat_tests": 2}
    return answers


@pytest.mark.parametrize("size", [1, 2, MINIMUM - 1])
async def test_a_small_group_of_teachers_shows_no_per_question_n(
    db, settings, surveys_client, world, size
):
    """S1: `size` teachers, one of them uses tests (and so answers "dt_sat_tests"); S2: 6.
    Closed: S1 is withheld for the minimum, S2 with it (M1 − S2 = S1)."""
    takers = await add_teachers(db, settings, world, world.s1, size, "a")
    six = await add_teachers(db, settings, world, world.s2, 6, "b")
    campaign = await legacy_identified(
        db, surveys_client, world, SATISFACTION, [world.s1.id, world.s2.id]
    )
    for index, who in enumerate(takers + six):
        taken = await surveys_client.post(
            f"/v1/campaigns/{campaign['id']}/responses",
            json={"staff_id": str(world.staff[who].id), "answers": satisfaction(index == 0)},
            headers=world.headers(who),
        )
        assert taken.status_code == 201, taken.text
    await close(surveys_client, world, campaign)
    for who in ATTACKERS:
        items = await every_reading(surveys_client, world, campaign, who)
        schools = [i for i in items if i["scope_id"] in (str(world.s1.id), str(world.s2.id))]
        assert schools, who
        for item in schools:
            assert withheld(item), (who, item)
            assert item["n"] == (size if item["scope_id"] == str(world.s1.id) else 6)
        s1 = [i for i in schools if i["scope_id"] == str(world.s1.id)]
        assert {i["reason"] for i in s1} == {"minimum"}, who
    # A questionnaire's answers are no personal results: S1's leader reads them as anyone
    # does, its `n` only (it was each teacher's ratings, one by one, while open too).
    [own] = await aggregates(surveys_client, world, campaign, "leader")
    assert withheld(own) and own["reason"] == "minimum" and own["n"] == size


async def test_an_identified_questionnaire_withholds_a_question_few_answered_from_its_leader(
    db, settings, surveys_client, world
):
    """S1: 6 teachers of a legacy identified satisfaction survey, one uses tests: the leader
    sees the school, but not the one teacher's rating of tests; nothing at all while open."""
    six = await add_teachers(db, settings, world, world.s1, 6, "a")
    campaign = await legacy_identified(db, surveys_client, world, SATISFACTION, [world.s1.id])
    for index, who in enumerate(six):
        taken = await surveys_client.post(
            f"/v1/campaigns/{campaign['id']}/responses",
            json={"staff_id": str(world.staff[who].id), "answers": satisfaction(index == 0)},
            headers=world.headers(who),
        )
        assert taken.status_code == 201, taken.text
    [open_] = await aggregates(surveys_client, world, campaign, "leader")
    assert withheld(open_) and open_["reason"] == "campaign_open" and open_["n"] == 6
    await close(surveys_client, world, campaign)
    for who in ("leader", "methodologist", "admin"):
        [own] = await aggregates(surveys_client, world, campaign, who)
        assert not withheld(own), who
        questions = {q["code"]: q for q in own["questions"]}
        assert questions["dt_sat_overall"]["counts"] == {"4": 6}
        tests = questions["dt_sat_tests"]
        assert tests["suppressed"] and tests["reason"] == "minimum" and tests["n"] == 1, who
        assert tests["counts"] == {} and tests["mean"] is None, who


async def test_a_small_group_of_parents_shows_no_per_question_n_to_anyone(
    apps, surveys_client, world
):
    """Two parents of S1, one says "да" to nok_01 and so answers nok_02; S2 has 7."""
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id], True
    )
    skipped = nok(nok_01=False)
    del skipped["nok_02"]
    answers = [(world.s1.id, nok()), (world.s1.id, skipped), *((world.s2.id, nok()),) * 7]
    await answer_as_parents(apps, campaign["id"], answers)
    await close(surveys_client, world, campaign)
    for who in ("admin", "methodologist", "leader", *ATTACKERS):
        items = await every_reading(surveys_client, world, campaign, who)
        schools = [i for i in items if i["scope_type"] == "organization"]
        assert schools and all(withheld(i) for i in schools), who
        # Closed, anonymous answers follow the minimum alone: the district is shown.
        assert not any(i["reason"] == "campaign_open" for i in items), who


async def test_an_open_diagnostic_is_withheld_before_and_after_one_more_answer(
    db, settings, surveys_client, world
):
    """S1: the minimum of teachers have answered, one more has not (`/pending` names them).
    Readings before and after their answer would give their result: both withheld."""
    five = await add_teachers(db, settings, world, world.s1, MINIMUM, "a")
    [late] = await add_teachers(db, settings, world, world.s1, 1, "z")
    campaign = await diagnose(surveys_client, world, [world.s1], five, closed=False)
    pending = await surveys_client.get(
        f"/v1/campaigns/{campaign['id']}/pending", headers=world.headers("analyst")
    )
    assert pending.status_code == 200, pending.text
    assert str(world.staff[late].id) in pending.text
    before = {who: await every_reading(surveys_client, world, campaign, who) for who in ATTACKERS}
    await answer(surveys_client, world, campaign, late, index=len(five))
    for who in ATTACKERS:
        after = await every_reading(surveys_client, world, campaign, who)
        for items, n in ((before[who], MINIMUM), (after, MINIMUM + 1)):
            s1 = [i for i in items if i["n"]]
            assert s1, who
            for item in s1:
                assert withheld(item, "campaign_open"), (who, item)
                assert item["n"] == n  # how many: still shown
    # Public view (documents, recommendations): withheld for readers of personal results too.
    [public] = await aggregates(surveys_client, world, campaign, "methodologist", public="true")
    assert withheld(public, "campaign_open")
    # The readers of personal results see the group as it stands.
    for who in ("leader", "methodologist", "admin"):
        [item] = await aggregates(surveys_client, world, campaign, who)
        assert not item["suppressed"] and item["reason"] is None, who
        weak = next(c for c in item["competences"] if c["code"] == "interpretation")
        assert (weak["n"], weak["with_deficit"]) == (MINIMUM + 1, MINIMUM + 1), who


async def test_a_closed_diagnostic_shows_its_figures_once_they_settle(
    db, settings, surveys_client, world
):
    six = await add_teachers(db, settings, world, world.s1, MINIMUM + 1, "a")
    campaign = await diagnose(surveys_client, world, [world.s1], six, closed=False)
    # Just closed: a submission accepted before the close may still be committing.
    await close(surveys_client, world, campaign, ago=timedelta(0))
    for who in ATTACKERS:
        for item in await every_reading(surveys_client, world, campaign, who):
            assert withheld(item, "campaign_open") or item["n"] == 0, (who, item)
    await close(surveys_client, world, campaign)
    for who in ATTACKERS:
        items = [i for i in await every_reading(surveys_client, world, campaign, who) if i["n"]]
        assert items, who
        for item in items:
            assert not item["suppressed"] and item["reason"] is None, (who, item)
            # Every other teacher has it (everyone's "interpretation", 100 %, is withheld for
            # individual results: tests/reports/test_individual_results.py).
            weak = next(c for c in item["competences"] if c["code"] == "tools")
            assert weak["deficit_share"] == 50.0, who


async def test_a_diagnostic_whose_figures_are_out_cannot_be_reopened(
    db, settings, surveys_client, world, apps
):
    """Reopened, one late answer and closed again, it would differ by that teacher alone."""
    six = await add_teachers(db, settings, world, world.s1, MINIMUM + 1, "a")
    campaign = await diagnose(surveys_client, world, [world.s1], six)
    url = f"/v1/campaigns/{campaign['id']}"
    later = {"closes_at": (datetime.now(UTC) + timedelta(days=365)).isoformat()}
    refused = await surveys_client.patch(url, json=later, headers=world.headers("methodologist"))
    assert refused.status_code == 409, refused.text
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["loc"] == ["body", "closes_at"]
    # Closed only just now (figures not out yet), or without answers: may be extended.
    empty = await diagnose(surveys_client, world, [world.s2], [])
    fresh = await diagnose(surveys_client, world, [world.s1], six[:1], closed=False)
    await close(surveys_client, world, fresh, ago=timedelta(0))
    for other in (empty, fresh):
        extended = await surveys_client.patch(
            f"/v1/campaigns/{other['id']}", json=later, headers=world.headers("methodologist")
        )
        assert extended.status_code == 200, extended.text
    # An anonymous survey's figures are out at its close too: the same 409.
    parents = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id], True
    )
    await answer_as_parents(apps, parents["id"], [(world.s1.id, nok())])
    await close(surveys_client, world, parents)
    reopened = await surveys_client.patch(
        f"/v1/campaigns/{parents['id']}", json=later, headers=world.headers("methodologist")
    )
    assert reopened.status_code == 409, reopened.text
