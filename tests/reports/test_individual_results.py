"""An attacker inside one school: a teacher (or a viewer) who knows their own diagnostic result
reads the school's share of teachers with a deficit. 100 % over five teachers, 0 %, 4 of 5
(read by the fifth) or 1 of 5 (read by the one) tells every colleague's result; so for those
who may not read personal results the share is withheld (`individual_results`, the same words
whichever extreme it is) unless at least two teachers are on each side, and so is a figure
a difference would give it away by (another school's beside the district's, a follow-up
diagnostic's pooled with the first one's between two readings). The school's leader
and the territory's methodologists keep the exact figure; so do the recommendations, which
are told from the exact counts and go to them alone.

The world: S4 (a school of M1 in no cluster) with five teachers; `k` of them have the "tools"
deficit. Nothing else of M1 is diagnosed, so M1's figure is S4's.
"""

from datetime import timedelta
from io import BytesIO

import pytest
from openpyxl import load_workbook

from services.api.auth.service import user_principal
from shared.identity import issue_user_token
from shared.value_labels import INDIVIDUAL_RESULTS_TEXT
from tests.api.test_pages import browser, signed_in
from tests.api.test_pages_values import text_of
from tests.disclosure_world import (
    NOW,
    add_school,
    add_teachers,
    close,
    disclosure_world,
    move_school,
)
from tests.factories import add_user
from tests.reports.helpers import generate
from tests.reports.test_disclosure import CODE, add_indicator
from tests.surveys.forms import diagnostic_answers
from tests.surveys.test_results import DIAGNOSTIC

PERIOD = "2021/2022"
TEACHERS = 5
SCHOOL_NAME = "Школа 4"
browser = browser  # the api's pages in a "browser" (tests/api/test_pages.py)


@pytest.fixture
async def world(db, settings):
    world = await disclosure_world(db, settings)
    world.s4 = await add_school(db, world, SCHOOL_NAME)
    world.users["leader4"] = add_user(
        db, "leader4@soko.example", "organization_leader", "organization", world.s4.id
    )
    await db.flush()
    world.tokens["leader4"] = issue_user_token(settings, user_principal(world.users["leader4"]))
    return world


def answers(deficit: bool) -> dict[str, str]:
    """A teacher's answers: the "tools" deficit or not, nothing else."""
    correct = {"design": 5, "interpretation": 5, "processing": 5, "security": 5}
    return diagnostic_answers(correct | {"tools": 1 if deficit else 5})


async def arrange(db, settings, api_client, surveys_client, world, k: int, schools=None) -> list:
    """The indicator (on M1's roadmap) and S4's five teachers' diagnostic, the first `k` with
    the deficit, closed long enough ago for its figures to be out; `schools`: more (school,
    with deficit) to diagnose in the same campaign, five teachers each. The teachers' names."""
    await add_indicator(api_client, world)  # "tools", CODE, on M1's roadmap
    plan = [(world.s4, k, "a"), *((s, d, f"x{i}") for i, (s, d) in enumerate(schools or []))]
    takers = []
    for school, with_deficit, tag in plan:
        names = await add_teachers(db, settings, world, school, TEACHERS, tag)
        takers += [(who, i < with_deficit) for i, who in enumerate(names)]
    world.campaign = await diagnostic(surveys_client, world, [p[0] for p in plan], takers)
    return [who for who, _ in takers]


async def launched(surveys_client, world, instrument_id: str, schools: list) -> dict:
    """A diagnostic of the instrument for the schools' teachers in the period, opened a day
    ago by the methodologist: the campaign."""
    answer = await surveys_client.post(
        "/v1/campaigns",
        headers=world.headers("methodologist"),
        json={
            "instrument_id": instrument_id,
            "audience": "teachers",
            "organization_ids": [str(s.id) for s in schools],
            "period": PERIOD,
            "opens_at": (NOW - timedelta(days=1)).isoformat(),
            "closes_at": (NOW + timedelta(days=7)).isoformat(),
            "anonymous": False,
        },
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def diagnostic(surveys_client, world, schools: list, takers: list) -> dict:
    """A diagnostic of the period for the schools, taken by `takers` ((name, with the deficit)),
    closed long enough ago for its figures to be out."""
    instruments = await surveys_client.get(
        "/v1/instruments?kind=deficit", headers=world.headers("viewer")
    )
    instrument = next(i for i in instruments.json()["items"] if i["code"] == DIAGNOSTIC.code)
    campaign = await launched(surveys_client, world, instrument["id"], schools)
    for who, deficit in takers:
        taken = await surveys_client.post(
            f"/v1/campaigns/{campaign['id']}/responses",
            json={"staff_id": str(world.staff[who].id), "answers": answers(deficit)},
            headers=world.headers(who),
        )
        assert taken.status_code == 201, taken.text
    return await close(surveys_client, world, campaign)


async def values(reports_client, world, who, scope) -> dict[str, dict]:
    """The indicator's items of `scope` (a school or M1) as `who` reads them: id -> item."""
    answer = await reports_client.get(
        "/v1/indicator-values",
        params={
            "period": PERIOD,
            "scope_type": "territory" if scope is world.m1 else "organization",
            "scope_id": str(scope.id),
            "indicator_code": CODE,
            "limit": 500,
        },
        headers=world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    return {i["scope_id"]: i for i in answer.json()["items"]}


async def tools(surveys_client, world, who) -> dict:
    """S4's "tools" competence in the campaign's aggregates as `who` reads them."""
    answer = await surveys_client.get(
        f"/v1/campaigns/{world.campaign['id']}/aggregates",
        params={"level": "organization", "organization_id": str(world.s4.id)},
        headers=world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    [item] = answer.json()["items"]
    assert not item["suppressed"], item  # five teachers: the school itself is shown
    return next(c for c in item["competences"] if c["code"] == "tools")


def withheld(item: dict) -> bool:
    """A value withheld for individual results: no figure, and why in words."""
    return (
        item["status"] == "insufficient_data"
        and (item["value"], item["numerator"], item["denominator"]) == (None, None, None)
        and "individual_results" in item["coverage"]["withheld"]
        and item["reason_text"] == INDIVIDUAL_RESULTS_TEXT
        and item["n"] == TEACHERS  # how many took it: always shown
    )


@pytest.mark.parametrize("k", [0, 1, TEACHERS - 1, TEACHERS])
async def test_a_share_that_tells_colleagues_results_is_withheld_inside_the_school(
    db, settings, api_client, surveys_client, reports_client, world, k
):
    teachers = await arrange(db, settings, api_client, surveys_client, world, k)
    s4, m1 = str(world.s4.id), str(world.m1.id)
    # Teacher A (one of the five, who knows their own result) and a viewer of M1.
    for who in (teachers[-1], teachers[0], "viewer"):
        item = (await values(reports_client, world, who, world.s4))[s4]
        assert withheld(item), (who, item)
        competence = await tools(surveys_client, world, who)
        assert competence["suppressed"] and competence["reason"] == "individual_results"
        assert competence["n"] == TEACHERS
        assert competence["with_deficit"] is competence["deficit_share"] is None, competence
    # The municipal analyst compares schools: not with teachers' results (S4 and M1, S4's).
    seen = await values(reports_client, world, "analyst", world.m1)
    assert withheld(seen[s4]) and withheld(seen[m1]), seen
    # The withholding says the same whichever extreme it is.
    said = {k: v for k, v in seen[s4].items() if k not in ("computed_at", "as_of")}
    assert said["coverage"]["withheld"] == ["individual_results"], said
    # Entitled readers: the exact figure.
    for who in ("leader4", "methodologist", "admin"):
        item = (await values(reports_client, world, who, world.s4))[s4]
        assert (item["value"], item["numerator"], item["denominator"]) == (
            100.0 * k / TEACHERS,
            k,
            TEACHERS,
        ), (who, item)
        assert item["reason_text"] is None
        assert (await tools(surveys_client, world, who))["with_deficit"] == k, who


@pytest.mark.parametrize("k", [2, 3])
async def test_a_share_with_two_on_each_side_is_shown_to_everyone(
    db, settings, api_client, surveys_client, reports_client, world, k
):
    teachers = await arrange(db, settings, api_client, surveys_client, world, k)
    s4 = str(world.s4.id)
    for who in (teachers[0], teachers[-1], "viewer", "analyst", "methodologist"):
        item = (await values(reports_client, world, who, world.s4))[s4]
        assert (item["value"], item["numerator"], item["denominator"]) == (
            100.0 * k / TEACHERS,
            k,
            TEACHERS,
        ), (who, item)
        assert item["reason_text"] is None and item["coverage"]["withheld"] == [], item
        assert (await tools(surveys_client, world, who))["with_deficit"] == k, who


async def test_a_teacher_reading_again_after_colleagues_results_change_learns_nothing(
    db, settings, api_client, surveys_client, reports_client, world
):
    # 2 of 5 with the deficit: teacher A (without) reads 40 %.
    teachers = await arrange(db, settings, api_client, surveys_client, world, 2)
    a, s4 = teachers[-1], str(world.s4.id)
    before = (await values(reports_client, world, a, world.s4))[s4]
    assert (before["value"], before["numerator"], before["denominator"]) == (40.0, 2, 5)
    # A follow-up diagnostic of the period: B and C now have it too (4 of 5). Pooled, 6 of 10
    # would give A the follow-up's 4 of 5 by subtraction: every colleague has it.
    await diagnostic(
        surveys_client, world, [world.s4], [(who, i < 4) for i, who in enumerate(teachers)]
    )
    after = (await values(reports_client, world, a, world.s4))[s4]
    assert withheld(after | {"n": TEACHERS}), after
    assert after["n"] == 2 * TEACHERS  # every diagnosed answer of the period
    mine = (await values(reports_client, world, "methodologist", world.s4))[s4]
    assert (mine["value"], mine["numerator"], mine["denominator"]) == (60.0, 6, 10)


async def test_a_difference_of_shown_shares_gives_no_school_away(
    db, settings, api_client, surveys_client, reports_client, world
):
    # S4: 5 of 5; S5: 2 of 5. M1 = 7 of 10 may be shown, but then S5's 2 of 5 would give
    # S4's 5 of 5 by subtraction: S5 is withheld too, for the same reason.
    s5 = await add_school(db, world, "Школа 5")
    await arrange(db, settings, api_client, surveys_client, world, TEACHERS, [(s5, 2)])
    seen = await values(reports_client, world, "analyst", world.m1)
    assert withheld(seen[str(world.s4.id)]) and withheld(seen[str(s5.id)]), seen
    m1 = seen[str(world.m1.id)]
    assert (m1["value"], m1["numerator"], m1["denominator"]) == (70.0, 7, 10), m1
    mine = await values(reports_client, world, "methodologist", world.m1)
    assert mine[str(s5.id)]["value"] == 40.0 and mine[str(world.s4.id)]["value"] == 100.0


async def test_a_cluster_drawn_after_the_close_gives_no_school_away(
    db, settings, api_client, surveys_client, reports_client, world
):
    # S4: 5 of 5 (withheld), S5 and S6: 2 and 3 of 5; one of them is withheld beside S4 (M1
    # minus the other two would be S4's). The analyst then draws a cluster of S4 and the
    # school shown: the cluster's share minus that school's, read before, would be S4's.
    s5 = await add_school(db, world, "Школа 5")
    s6 = await add_school(db, world, "Школа 6")
    await arrange(db, settings, api_client, surveys_client, world, TEACHERS, [(s5, 2), (s6, 3)])
    before = await values(reports_client, world, "analyst", world.m1)
    [shown] = [s for s in (s5, s6) if not withheld(before[str(s.id)])]
    assert withheld(before[str(world.s4.id)])

    drawn = await api_client.post(
        "/v1/clusters",
        json={
            "name": "Кластер 9",
            "territory_id": str(world.m1.id),
            "member_ids": [str(world.s4.id), str(shown.id)],
        },
        headers=world.headers("analyst"),
    )
    assert drawn.status_code == 201, drawn.text
    after = await values(reports_client, world, "analyst", world.m1)
    assert after[str(shown.id)]["value"] == before[str(shown.id)]["value"] is not None
    answer = await reports_client.get(
        "/v1/indicator-values",
        params={
            "period": PERIOD,
            "scope_type": "cluster",
            "scope_id": drawn.json()["id"],
            "indicator_code": CODE,
        },
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    cluster_id = drawn.json()["id"]
    [cluster] = [i for i in answer.json()["items"] if i["scope_id"] == cluster_id]
    assert withheld(cluster | {"n": TEACHERS}) and cluster["n"] == 2 * TEACHERS, cluster
    # The methodologist reads personal results: the cluster's exact share.
    mine = await reports_client.get(
        "/v1/indicator-values",
        params=answer.request.url.params,
        headers=world.headers("methodologist"),
    )
    [exact] = [i for i in mine.json()["items"] if i["scope_id"] == cluster_id]
    assert exact["denominator"] == 2 * TEACHERS and exact["numerator"] == TEACHERS + (
        2 if shown is s5 else 3
    ), exact


async def test_a_school_moved_out_of_the_district_gives_no_school_away(
    db, settings, api_client, surveys_client, reports_client, world, no_scope_cache
):
    # As above; then the region moves the school withheld beside S4 to M2. Decided over M1's
    # schools as they are now, M1 would be S4 and the school shown, and shown: minus that
    # school's share, read before, S4's. The moved school still takes part (never shown).
    s5 = await add_school(db, world, "Школа 5")
    s6 = await add_school(db, world, "Школа 6")
    await arrange(db, settings, api_client, surveys_client, world, TEACHERS, [(s5, 2), (s6, 3)])
    before = await values(reports_client, world, "analyst", world.m1)
    [shown] = [s for s in (s5, s6) if not withheld(before[str(s.id)])]
    [beside] = [s for s in (s5, s6) if s is not shown]
    assert before[str(world.m1.id)]["value"] is not None  # M1: 10 of 15, shown

    await move_school(api_client, world, beside.id, world.m2.id)

    after = await values(reports_client, world, "analyst", world.m1)
    assert str(beside.id) not in after
    assert after[str(shown.id)]["value"] == before[str(shown.id)]["value"] is not None
    district = after[str(world.m1.id)]
    assert district["value"] is None and district["n"] == 2 * TEACHERS, district
    assert "individual_results" in district["coverage"]["withheld"], district


async def test_documents_withhold_it_and_recommendations_keep_the_exact_counts(
    db, settings, api_client, surveys_client, reports_client, world
):
    await arrange(db, settings, api_client, surveys_client, world, TEACHERS)
    # The school's card (HTML and workbook): built for many readers, withheld for everyone.
    for who in ("viewer", "methodologist"):
        card = await reports_client.get(
            f"/v1/reports/organizations/{world.s4.id}",
            params={"period": PERIOD},
            headers=world.headers(who),
        )
        assert card.status_code == 200, card.text
        assert f'недостаточно данных: <span class="reason">{INDIVIDUAL_RESULTS_TEXT}</span>' in (
            card.text
        ), who
        assert "100,0" not in card.text and "100.0" not in card.text, who
    workbook = await reports_client.get(
        f"/v1/reports/organizations/{world.s4.id}",
        params={"period": PERIOD, "format": "xlsx"},
        headers=world.headers("viewer"),
    )
    assert workbook.status_code == 200, workbook.text
    sheets = load_workbook(BytesIO(workbook.content)).worksheets
    cells = [str(c) for sheet in sheets for row in sheet.iter_rows(values_only=True) for c in row]
    assert any(INDIVIDUAL_RESULTS_TEXT in c for c in cells), cells
    assert not any(c in ("100", "100.0", "100,0", "100,0 %") for c in cells), cells
    # The PD centre and S4's leader still hear that every teacher has the deficit: the
    # recommendation is told from the exact counts and read by the methodologists alone.
    issued = await generate(reports_client, world, "methodologist")
    assert issued.status_code == 200, issued.text
    listed = await reports_client.get(
        "/v1/recommendations",
        params={"limit": 500, "organization_id": str(world.s4.id)},
        headers=world.headers("methodologist"),
    )
    told = [r for r in listed.json()["items"] if r["rule_code"] == "leader_competence_deficit"]
    assert told and told[0]["evidence"]["with_deficit"] == TEACHERS, listed.text


async def test_the_values_page_says_why_to_a_viewer_and_shows_the_leader_the_share(
    db, settings, api_client, surveys_client, reports_client, world, browser
):
    await arrange(db, settings, api_client, surveys_client, world, TEACHERS)
    params = {"period": PERIOD, "scope_type": "organization", "scope_id": str(world.s4.id)}
    await reports_client.get("/healthz")  # the reports' facts brought up to date
    viewer, _ = await signed_in(browser, "viewer@soko.example")
    page = await viewer.get("/values", params=params)
    assert page.status_code == 200, page.text
    row = text_of(page, f"indicator-{CODE}")
    assert f"недостаточно данных: {INDIVIDUAL_RESULTS_TEXT}" in row, row
    assert "100,0" not in row, row
    leader, _ = await signed_in(browser, "leader4@soko.example")
    page = await leader.get("/values", params=params)
    assert page.status_code == 200, page.text
    row = text_of(page, f"indicator-{CODE}")
    assert f"{SCHOOL_NAME} 100,0 %" in row and INDIVIDUAL_RESULTS_TEXT not in row, row
