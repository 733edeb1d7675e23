"""Assessment procedures, the assessment calendar with its conflicts, and assessment results:
the rules of each row, partial rejection, dry run, idempotency, spreadsheets, aggregates."""

from functools import partial

import pytest
from sqlalchemy import func, select

from services.api.assessments.models import AssessmentResult
from tests.api.helpers import (
    check_an_api_key_posts_for_its_school_only,
    check_an_idempotency_key_replays,
    check_more_than_ten_thousand_rows_is_422,
    check_the_same_rows_twice_change_nothing,
    post_at_once,
    result,
    the_update_audited,
    upload,
    xlsx,
)
from tests.factories import committed_world


async def post(client, world, rows, who="leader", **params):
    headers = world.headers(who) if isinstance(who, str) else who
    return await client.post(
        "/v1/assessment-results", json={"results": rows}, params=params, headers=headers
    )


async def rejected_fields(client, world, row, who="leader"):
    """Post one row; what was rejected, by field (nothing may have been stored)."""
    summary = (await post(client, world, [row], who=who)).json()
    assert summary["imported"] == 0, summary
    [rejected] = summary["rejected"]
    return [error["loc"][0] for error in rejected["errors"]]


async def stored(db, **where):
    query = select(AssessmentResult).filter_by(**where).order_by(AssessmentResult.subject)
    return (await db.scalars(query)).all()


# --- the catalogue -----------------------------------------------------------------------------


async def test_catalogue_is_seeded_with_maximum_primary_scores(api_client, world):
    answer = await api_client.get(
        "/v1/assessment-procedures", params={"limit": 500}, headers=world.headers("teacher")
    )
    procedures = {p["code"]: p for p in answer.json()["items"]}
    assert {"vpr", "oge", "ege", "niko", "msi_pisa", "msi_timss", "msi_pirls", "rdr", "mdr"} <= set(
        procedures
    )
    maximum = {
        (code, s["subject"], s["grade"]): s["max_primary_score"]
        for code, p in procedures.items()
        for s in p["subjects"]
    }
    assert maximum[("oge", "Математика", 9)] == 31
    assert maximum[("ege", "Русский язык", 11)] == 50
    assert maximum[("ege", "Математика профильная", 11)] == 31
    assert maximum[("vpr", "Окружающий мир", 4)] == 32
    assert procedures["vpr"]["has_marks"] and not procedures["ege"]["has_marks"]


async def test_admin_adds_a_regional_diagnostic_with_its_subjects(api_client, world):
    body = {
        "code": "rdr_literacy",
        "name": "Региональная диагностика читательской грамотности",
        "kind": "regional",
        "has_marks": True,
        "subjects": [{"subject": "Читательская грамотность", "grade": 6, "max_primary_score": 18}],
    }
    created = await api_client.post(
        "/v1/assessment-procedures", json=body, headers=world.headers("admin")
    )
    assert created.status_code == 201, created.text
    assert created.json()["subjects"][0]["max_primary_score"] == 18
    again = await api_client.post(
        "/v1/assessment-procedures", json=body, headers=world.headers("admin")
    )
    assert again.status_code == 409


async def test_a_subject_already_in_the_procedure_is_409_whatever_its_case(api_client, world):
    answer = await api_client.post(
        f"/v1/assessment-procedures/{world.vpr.id}/subjects",
        json={"subject": "математика", "grade": 5, "max_primary_score": 20},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 409


# --- the calendar ------------------------------------------------------------------------------


def event(world, org=None, **fields):
    return {
        "organization_id": str(org or world.s1.id),
        "procedure": "vpr",
        "subject": "Русский язык",
        "grade": 5,
        "class_label": "5А",
        "event_date": "2022-04-12",
    } | fields


async def plan(client, world, who="leader", **fields):
    answer = await client.post(
        "/v1/assessment-calendar", json=event(world, **fields), headers=world.headers(who)
    )
    assert answer.status_code == 201, answer.text
    return answer.json()


async def test_two_assessments_of_one_class_on_one_day_conflict(api_client, world):
    created = await plan(api_client, world)  # world: ВПР, математика, 5А, 12.04.2022
    assert [c["id"] for c in created["conflicts"]] == [str(world.event_s1.id)]
    calendar = await api_client.get(
        "/v1/assessment-calendar",
        params={"organization_id": str(world.s1.id)},
        headers=world.headers("teacher"),
    )
    conflicts = {
        e["subject"]: [c["subject"] for c in e["conflicts"]] for e in calendar.json()["items"]
    }
    assert conflicts == {"Математика": ["Русский язык"], "Русский язык": ["Математика"]}


async def test_an_event_for_the_whole_grade_conflicts_with_every_class_of_it(api_client, world):
    other_class = await plan(api_client, world, class_label="5 б", subject="История")
    whole_grade = await plan(api_client, world, class_label=None)
    assert other_class["class_label"] == "5Б" and other_class["conflicts"] == []
    assert sorted(c["class_label"] for c in whole_grade["conflicts"]) == ["5А", "5Б"]


async def test_a_class_written_with_a_latin_letter_is_the_same_class(api_client, world):
    created = await plan(api_client, world, class_label="5a")  # Latin "a"
    assert created["class_label"] == "5А" and len(created["conflicts"]) == 1


async def test_other_classes_grades_days_and_schools_do_not_conflict(api_client, world):
    for fields in (
        {"class_label": "5Б"},
        {"event_date": "2022-04-13"},
        {"grade": 6, "class_label": "6А"},
    ):
        assert (await plan(api_client, world, **fields))["conflicts"] == []
    elsewhere = await plan(api_client, world, who="admin", org=world.s2.id, class_label=None)
    assert elsewhere["conflicts"] == []


async def test_conflicts_lists_each_pair_once(api_client, world):
    await plan(api_client, world)
    await plan(api_client, world, subject="История")
    answer = await api_client.get(
        "/v1/assessment-calendar/conflicts",
        params={"territory_id": str(world.m1.id), "from": "2022-04-01", "to": "2022-04-30"},
        headers=world.headers("analyst"),
    )
    pairs = answer.json()
    assert pairs["total"] == 3  # математика, русский язык, история of 5А: three pairs
    assert {p["event_date"] for p in pairs["items"]} == {"2022-04-12"}
    later = await api_client.get(
        "/v1/assessment-calendar/conflicts",
        params={"from": "2022-04-13"},
        headers=world.headers("analyst"),
    )
    assert later.json()["total"] == 0


async def test_calendar_filters_by_dates_and_stays_in_the_callers_scope(api_client, world):
    await plan(api_client, world, event_date="2022-05-10")
    april = await api_client.get(
        "/v1/assessment-calendar",
        params={"to": "2022-04-30", "procedure": "vpr"},
        headers=world.headers("analyst"),
    )
    assert [e["id"] for e in april.json()["items"]] == [str(world.event_s1.id)]  # not S3's
    everything = await api_client.get("/v1/assessment-calendar", headers=world.headers("admin"))
    assert everything.json()["total"] == 3


async def test_a_class_of_another_grade_is_422(api_client, world):
    answer = await api_client.post(
        "/v1/assessment-calendar",
        json=event(world, class_label="6А"),
        headers=world.headers("leader"),
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == [
        "body",
        "class_label",
    ]


async def test_a_subject_outside_the_catalogue_is_422(api_client, world):
    answer = await api_client.post(
        "/v1/assessment-calendar",
        json=event(world, subject="Физика"),  # no ВПР in physics in the 5th grade
        headers=world.headers("leader"),
    )
    assert answer.status_code == 422 and answer.json()["errors"][0]["loc"] == ["body", "subject"]


async def test_the_same_event_twice_is_409(api_client, world):
    answer = await api_client.post(
        "/v1/assessment-calendar",
        json=event(world, subject="Математика"),
        headers=world.headers("leader"),
    )
    assert answer.status_code == 409


# --- results: the rules of a row ---------------------------------------------------------------


async def test_a_school_outside_the_callers_scope_is_rejected(api_client, world):
    assert await rejected_fields(api_client, world, result(world, org=world.s3.id)) == [
        "organization_id"
    ]


async def test_an_unknown_organization_is_rejected(api_client, world):
    row = result(world, org="00000000-0000-0000-0000-000000000000")
    assert await rejected_fields(api_client, world, row, who="admin") == ["organization_id"]


async def test_an_unknown_procedure_is_rejected(api_client, world):
    assert await rejected_fields(api_client, world, result(world, procedure="gia")) == ["procedure"]


async def test_a_subject_or_grade_outside_the_catalogue_is_rejected(api_client, world):
    assert await rejected_fields(api_client, world, result(world, subject="Химия")) == ["subject"]
    assert await rejected_fields(api_client, world, result(world, grade=10)) == ["subject"]


async def test_the_year_is_an_academic_or_a_calendar_year(api_client, world):
    for year in ("2022Q2", "2021-2023", "2021/2023", "2022-13"):
        assert await rejected_fields(api_client, world, result(world, year=year)) == ["year"]
    summary = (await post(api_client, world, [result(world, year="2022")])).json()
    assert summary["imported"] == 1


async def test_marks_must_add_up_to_the_participants(api_client, world):
    row = result(world, marks={"2": 1, "3": 3, "4": 4, "5": 1})
    assert await rejected_fields(api_client, world, row) == ["marks"]


async def test_marks_are_refused_for_a_procedure_without_marks(api_client, world):
    row = result(world, procedure="ege", subject="Химия", grade=11, year="2022")
    assert await rejected_fields(api_client, world, row) == ["marks"]


async def test_the_score_distribution_must_add_up_to_the_participants(api_client, world):
    row = result(world, score_distribution={"20": 4, "30": 5})
    assert await rejected_fields(api_client, world, row) == ["score_distribution"]


async def test_no_score_may_exceed_the_subjects_maximum(api_client, world):
    row = result(world, score_distribution={"20": 9, "46": 1})  # ВПР, 5th grade: at most 45
    assert await rejected_fields(api_client, world, row) == ["score_distribution"]


async def test_a_posted_mean_above_the_maximum_is_rejected(api_client, world):
    assert await rejected_fields(api_client, world, result(world, mean_score=45.5)) == [
        "mean_score"
    ]


@pytest.mark.parametrize(
    ("mean_score", "said"),
    [
        (1e300, "число по модулю больше 10^15"),
        ("NaN", "ожидается число, например 15,5"),
        ("—", "ожидается число, например 15,5"),
        (-1, "ожидается число не меньше 0"),
    ],
)
async def test_a_mean_score_that_is_no_score_says_why(api_client, world, mean_score, said):
    """Not «ожидается число не меньше 0» for 1e300 or a dash: the reason is the one that
    holds."""
    summary = (await post(api_client, world, [result(world, mean_score=mean_score)])).json()
    [rejected] = summary["rejected"]
    assert [(e["loc"], e["msg"]) for e in rejected["errors"]] == [(["mean_score"], said)]


async def test_lowered_confirmed_and_raised_cannot_exceed_the_participants(api_client, world):
    row = result(world, lowered=3, confirmed=6, raised=2)
    assert await rejected_fields(api_client, world, row) == ["lowered"]


async def test_counts_cannot_be_negative(api_client, world):
    row = result(world, participants=-1, marks=None, lowered=-2)
    assert await rejected_fields(api_client, world, row) == ["participants", "lowered"]


async def test_unknown_and_missing_fields_are_named(api_client, world):
    row = result(world, school="Школа 1")
    del row["subject"]
    assert await rejected_fields(api_client, world, row) == ["school", "subject"]


async def test_the_mean_score_is_computed_from_the_distribution(api_client, world, db):
    row = result(world, score_distribution={"20": 4, "30": 3, "45": 3}, mean_score=1)
    assert (await post(api_client, world, [row])).json()["imported"] == 1
    [stored_row] = await stored(db, subject="Русский язык")
    assert stored_row.mean_score == pytest.approx((80 + 90 + 135) / 10)
    assert stored_row.score_distribution == {"20": 4, "30": 3, "45": 3}


async def test_the_same_key_twice_in_one_request_is_rejected(api_client, world):
    summary = (await post(api_client, world, [result(world), result(world)])).json()
    assert summary["imported"] == 1 and summary["rejected"][0]["index"] == 1


# --- results: the import -----------------------------------------------------------------------


async def test_valid_rows_are_kept_and_each_bad_row_is_named(api_client, world, db):
    rows = [
        result(world),
        result(world, subject="Математика", grade=4, participants=3, marks={"5": 3}),
        result(world, org=world.s3.id),
        result(world, subject="Биология", marks={"5": 1}),
        "not a row",
    ]
    summary = (await post(api_client, world, rows)).json()
    assert (summary["imported"], summary["updated"], summary["unchanged"]) == (2, 0, 0)
    assert [r["index"] for r in summary["rejected"]] == [2, 3, 4]
    assert [r.subject for r in await stored(db, year="2021/2022", grade=4)] == ["Математика"]


async def test_dry_run_reports_the_same_and_stores_nothing(api_client, world, db):
    rows = [result(world), result(world, grade=6, marks={"5": 1})]
    dry = (await post(api_client, world, rows, dry_run="true")).json()
    assert dry["dry_run"] is True and dry["imported"] == 1 and len(dry["rejected"]) == 1
    assert await stored(db, subject="Русский язык") == []


async def test_the_same_payload_twice_changes_nothing(api_client, world):
    rows = [result(world), result(world, subject="Биология", marks=None, mean_score=17.5)]
    await check_the_same_rows_twice_change_nothing(
        partial(post, api_client, world), rows, result(world, lowered=1)
    )


async def test_a_change_is_audited_with_the_previous_values(api_client, world):
    await post(api_client, world, [result(world)])
    await post(
        api_client,
        world,
        [result(world, marks={"2": 0, "3": 4, "4": 4, "5": 2})],
        who={"X-API-Key": world.key_s1},
    )
    audit = await the_update_audited(api_client, world, "assessment_result")
    assert audit["changes"] == {
        "mark_2": {"before": 1, "after": 0},
        "mark_3": {"before": 3, "after": 4},
    }
    assert audit["actor_kind"] == "api_key"


async def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(api_client, world):
    headers = world.headers("leader") | {"Idempotency-Key": "vpr-2022-upload-1"}
    other = result(world, participants=11)
    await check_an_idempotency_key_replays(
        partial(post, api_client, world), headers, result(world), other
    )


async def test_an_api_key_posts_only_for_its_own_school(api_client, world):
    await check_an_api_key_posts_for_its_school_only(
        partial(post, api_client, world),
        result(world),
        result(world, org=world.s2.id),
        world.key_s1,
    )


async def test_more_than_ten_thousand_rows_is_422(api_client, world):
    await check_more_than_ten_thousand_rows_is_422(
        partial(post, api_client, world), result(world), "results"
    )


async def test_a_csv_file_is_imported_with_the_same_summary(api_client, world, db):
    csv = (
        "organization_id;procedure;year;subject;grade;participants;mark_2;mark_3;mark_4;mark_5;"
        "lowered;confirmed;raised;mean_score;score_10;score_20\n"
        f"{world.s1.id};vpr;2021/2022;Русский язык;5;4;0;1;3;0;1;3;0;;1;3\n"
        f"{world.s1.id};vpr;2021/2022;Математика;4;2;;;;;;;;12,5;;\n"
        f"{world.s1.id};vpr;2021/2022;Математика;5;2;1;1;1;0;;;;;;\n"
    ).encode("cp1251")
    summary = await upload(api_client, world, "/v1/assessment-results/upload", "results.csv", csv)
    assert summary["imported"] == 2 and [r["index"] for r in summary["rejected"]] == [4]
    [russian] = await stored(db, subject="Русский язык")
    assert (russian.mean_score, russian.score_distribution) == (17.5, {"10": 1, "20": 3})
    assert (russian.mark_4, russian.lowered, russian.confirmed) == (3, 1, 3)
    [fourth_grade] = await stored(db, grade=4)
    assert fourth_grade.mean_score == 12.5 and fourth_grade.mark_5 is None


async def test_an_xlsx_file_is_imported(api_client, world, db):
    content = xlsx(
        ["organization_id", "procedure", "year", "subject", "grade", "participants"],
        [str(world.s1.id), "oge", 2022, "Математика", 9, 25],
        [str(world.s1.id), "oge", "2022", "Физика", 9, 3.5],
    )
    path = "/v1/assessment-results/upload"
    summary = await upload(api_client, world, path, "results.xlsx", content)
    assert summary["imported"] == 1 and summary["rejected"][0]["index"] == 3
    [mathematics] = await stored(db, year="2022")
    assert (mathematics.subject, mathematics.participants) == ("Математика", 25)


async def test_results_are_read_back_with_filters_in_the_callers_scope(api_client, world):
    await post(api_client, world, [result(world), result(world, year="2022")])
    answer = await api_client.get(
        "/v1/assessment-results",
        params={"procedure": "vpr", "year": "2021/2022", "subject": "русский язык"},
        headers=world.headers("viewer"),
    )
    [row] = answer.json()["items"]
    assert row["marks"] == {"2": 1, "3": 3, "4": 4, "5": 2} and row["mean_score"] is None
    everything = await api_client.get("/v1/assessment-results", headers=world.headers("viewer"))
    assert everything.json()["total"] == 3  # and not S3's result
    other = await api_client.get("/v1/assessment-results", headers=world.headers("leader3"))
    assert [r["organization_id"] for r in other.json()["items"]] == [str(world.s3.id)]


# --- aggregates --------------------------------------------------------------------------------


async def oge_mathematics(api_client, world):
    """S1: 1 at 10 and 3 at 20 (mean 17.5); S2: 1 at 5, 1 at 31 (mean 18); S3: mean 30 of 10."""
    rows = [
        result(
            world,
            procedure="oge",
            year="2022",
            subject="Математика",
            grade=9,
            participants=4,
            marks={"3": 1, "4": 2, "5": 1},
            score_distribution={"10": 1, "20": 3},
            lowered=1,
            confirmed=3,
        ),
        result(
            world,
            org=world.s2.id,
            procedure="oge",
            year="2022",
            subject="Математика",
            grade=9,
            participants=2,
            marks={"2": 1, "5": 1},
            score_distribution={"5": 1, "31": 1},
        ),
        result(
            world,
            org=world.s3.id,
            procedure="oge",
            year="2022",
            subject="Математика",
            grade=9,
            participants=10,
            marks={"5": 10},
            mean_score=30,
        ),
    ]
    summary = (await post(api_client, world, rows, who="admin")).json()
    assert summary["imported"] == 3, summary


async def aggregates(api_client, world, who, **params):
    answer = await api_client.get(
        "/v1/assessment-results/aggregates",
        params={"procedure": "oge", "year": "2022"} | params,
        headers=world.headers(who),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


async def test_aggregates_pool_the_mean_over_participants(api_client, world):
    await oge_mathematics(api_client, world)
    [m1] = await aggregates(api_client, world, "analyst", group_by="territory")
    assert m1["territory_id"] == str(world.m1.id) and m1["organization_id"] is None
    assert (m1["organizations"], m1["participants"]) == (2, 6)
    assert m1["marks"] == {"2": 1, "3": 1, "4": 2, "5": 2}
    assert m1["mean_score"] == round((10 + 3 * 20 + 5 + 31) / 6, 2)  # 17.67, not (17.5 + 18) / 2
    assert m1["mean_mark"] == round((2 + 3 + 2 * 4 + 2 * 5) / 6, 2)
    assert (m1["lowered"], m1["confirmed"], m1["raised"]) == (1, 3, None)


async def test_aggregates_count_only_the_callers_organizations(api_client, world):
    await oge_mathematics(api_client, world)
    by_school = await aggregates(api_client, world, "viewer", group_by="organization")
    assert {(a["organization_id"], a["participants"]) for a in by_school} == {
        (str(world.s1.id), 4),
        (str(world.s2.id), 2),
    }
    every_territory = await aggregates(api_client, world, "admin", group_by="territory")
    assert {a["territory_id"]: a["mean_score"] for a in every_territory} == {
        str(world.m1.id): 17.67,
        str(world.m2.id): 30.0,
    }
    m2_only = await aggregates(
        api_client, world, "service", group_by="territory", territory_id=str(world.m2.id)
    )
    assert [a["participants"] for a in m2_only] == [10]


# --- concurrency -------------------------------------------------------------------------------


@pytest.mark.committed
async def test_concurrent_posts_of_the_same_results_store_each_once(apps, isolation, settings):
    world = await committed_world(isolation, settings)
    rows = [
        result(world, year="2022", subject=subject, grade=grade, marks=None)
        for grade in (4, 5, 6, 7, 8)
        for subject in ("Русский язык", "Математика")
    ]
    await post_at_once(apps.api, lambda client, rows: post(client, world, rows), rows, 10)
    r = AssessmentResult
    async with isolation() as session:
        per_key = (
            await session.execute(
                select(func.count())
                .where(r.year == "2022")
                .group_by(r.organization_id, r.procedure_id, r.year, r.subject, r.grade)
            )
        ).scalars()
        assert sorted(per_key) == [1] * 10
