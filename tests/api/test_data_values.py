"""Data values in bulk: partial rejection, dry run, idempotency, scope, spreadsheets, audit."""

import uuid
from datetime import date
from functools import partial

import pytest
from sqlalchemy import select

from services.api.data_values.models import DataValue
from services.api.indicators.models import Indicator
from services.api.organizations.models import Organization
from shared.periods import academic_year_of
from tests.api.helpers import (
    check_an_api_key_posts_for_its_school_only,
    check_an_idempotency_key_replays,
    check_more_than_ten_thousand_rows_is_422,
    check_the_same_rows_twice_change_nothing,
    post_at_once,
    the_update_audited,
    upload,
    xlsx,
)
from tests.factories import TRAINED, add_data_indicator, build_world


@pytest.fixture
async def world(db, settings):
    world = await build_world(db, settings)
    await add_data_indicator(db, "teachers_trained", TRAINED, "percent")
    await add_data_indicator(db, "nok_info_stand_items", "Информация на стенде", "number", min=0)
    db.add(
        Indicator(
            code="share_planning",
            name="Доля ОО",
            unit="percent",
            level="territory",
            method="organization_share",
            params={"indicator_code": "e_planning", "condition": {"op": "==", "value": True}},
        )
    )
    await db.flush()
    return world


def row(world, code="teachers_trained", org=None, period="2021/2022", value=80.0):
    return {
        "indicator_code": code,
        "organization_id": str(org or world.s1.id),
        "period": period,
        "value": value,
    }


async def post(client, world, values, who="leader", **params):
    headers = world.headers(who) if isinstance(who, str) else who
    return await client.post(
        "/v1/data-values", json={"values": values}, params=params, headers=headers
    )


async def test_valid_rows_are_kept_and_each_bad_row_is_named(api_client, world, db):
    values = [
        row(world),
        row(world, code="e_planning", value=True),
        row(world, value=140),  # a percent above 100
        row(world, code="share_planning"),  # not a data_value indicator
        row(world, period="2021-2023"),  # no school year (2021-2022 is one: said)
        row(world, org=world.s3.id),  # outside the leader's school
        {
            "indicator_code": "teachers_trained",
            "period": "2021/2022",
            "value": 5,
        },  # no organization
        row(world, code="e_planning", value=2),  # a boolean expected (1 and 0 are read as one)
        row(world),  # the same key as row 0
    ]
    answer = await post(api_client, world, values)
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert (summary["imported"], summary["updated"], summary["unchanged"]) == (2, 0, 0)
    rejected = {r["index"]: r["errors"][0]["loc"][-1] for r in summary["rejected"]}
    assert rejected == {
        2: "value",
        3: "indicator_code",
        4: "period",
        5: "organization_id",
        6: "organization_id",
        7: "value",
        8: "indicator_code",
    }
    stored = (await db.scalars(select(DataValue).order_by(DataValue.value))).all()
    assert [v.value for v in stored] == [1.0, 80.0]


async def test_spaces_around_a_period_or_an_indicator_code_are_no_part_of_it(api_client, world, db):
    """« 2021/2022 » typed with spaces (a client's form, a copy from a sheet) is 2021/2022, as
    a file's cell is: the row is stored under the code, and a later row without the spaces
    is the same value."""
    values = [
        row(world, period=" 2021/2022 ", code="teachers_trained\t"),  # the short way
        row(world, period="\u00a02021/2022", code=" e_planning ", value="да"),  # the long way
    ]
    answer = await post(api_client, world, values)
    assert answer.status_code == 200, answer.text
    assert (answer.json()["imported"], answer.json()["rejected"]) == (2, [])
    periods = set(await db.scalars(select(DataValue.period)))
    assert periods == {"2021/2022"}
    again = await post(api_client, world, [row(world)])
    assert again.json()["unchanged"] == 1, again.text
    read = await api_client.get(
        "/v1/data-values", params={"period": " 2021/2022 "}, headers=world.headers("leader")
    )
    assert read.status_code == 200 and read.json()["total"] == 2, read.text


async def test_the_same_payload_twice_changes_nothing(api_client, world):
    values = [row(world), row(world, code="e_planning", value=False)]
    await check_the_same_rows_twice_change_nothing(
        partial(post, api_client, world), values, row(world, value=85.5)
    )


async def test_dry_run_reports_the_same_and_stores_nothing(api_client, world, db):
    dry = (await post(api_client, world, [row(world), row(world, value=-1)], dry_run="true")).json()
    assert dry["dry_run"] is True and dry["imported"] == 1 and len(dry["rejected"]) == 1
    assert (await db.scalars(select(DataValue))).all() == []


async def test_change_is_audited_with_the_previous_value(api_client, world):
    await post(api_client, world, [row(world, value=70)])
    await post(api_client, world, [row(world, value=75)], who={"X-API-Key": world.key_s1})
    event = await the_update_audited(api_client, world, "data_value")
    assert event["changes"] == {"value": {"before": 70.0, "after": 75.0}}
    assert event["actor_kind"] == "api_key"


async def test_api_key_posts_only_for_its_own_school(api_client, world):
    await check_an_api_key_posts_for_its_school_only(
        partial(post, api_client, world), row(world), row(world, org=world.s2.id), world.key_s1
    )


async def test_analyst_posts_for_every_school_of_the_territory(api_client, world):
    values = [row(world, org=world.s1.id), row(world, org=world.s2.id), row(world, org=world.s3.id)]
    summary = (await post(api_client, world, values, who="analyst")).json()
    assert summary["imported"] == 2 and [r["index"] for r in summary["rejected"]] == [2]


async def test_more_than_ten_thousand_rows_is_422(api_client, world):
    await check_more_than_ten_thousand_rows_is_422(
        partial(post, api_client, world), row(world), "values"
    )


async def test_idempotency_key_replays_the_first_answer_and_refuses_another_body(api_client, world):
    headers = world.headers("leader") | {"Idempotency-Key": "batch-2021-10-01"}
    await check_an_idempotency_key_replays(
        partial(post, api_client, world), headers, row(world), row(world, value=10)
    )


async def test_spreadsheets_upload_with_the_same_summary(api_client, world):
    csv = (
        "indicator_code;organization_id;period;value\n"
        f"teachers_trained;{world.s1.id};2021/2022;64,5\n"
        f"teachers_trained;{world.s1.id};2021/22;70\n"
    ).encode("cp1251")
    summary = await upload(api_client, world, "/v1/data-values/upload", "values.csv", csv)
    assert summary["imported"] == 1 and summary["rejected"][0]["index"] == 3  # line 3 of the file
    content = xlsx(
        ["indicator_code", "organization_id", "period", "value"],
        ["e_planning", str(world.s1.id), "2021/2022", True],
        ["nok_info_stand_items", str(world.s1.id), "2021/2022", 12],
    )
    summary = await upload(api_client, world, "/v1/data-values/upload", "values.xlsx", content)
    assert summary["imported"] == 2 and summary["rejected"] == []


async def test_values_are_read_back_with_filters(api_client, world):
    await post(
        api_client,
        world,
        [row(world, period=p, value=v) for p, v in (("2020/2021", 60), ("2021/2022", 80))],
    )
    answer = await api_client.get(
        "/v1/data-values",
        params={"indicator_code": "teachers_trained", "period": "2021/2022"},
        headers=world.headers("viewer"),
    )
    assert [(v["period"], v["value"]) for v in answer.json()["items"]] == [("2021/2022", 80.0)]
    hidden = await api_client.get("/v1/data-values", headers=world.headers("leader3"))
    assert hidden.json()["total"] == 0


async def test_rows_posted_as_a_bare_list_are_told_the_object_they_belong_in(api_client, world):
    """[{…}] instead of {"values": [{…}]}: «ожидается объект» alone did not say a list came."""
    answer = await api_client.post(
        "/v1/data-values", json=[row(world, value=80)], headers=world.headers("admin")
    )
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["loc"] == ["body"]
    assert error["msg"] == "ожидается объект JSON в фигурных скобках {…}, а передан список […]"


@pytest.mark.parametrize(
    ("period", "said"),
    [
        ("2021-2022", "не распознан"),  # a typo: not an empty answer a client takes for «no data»
        ("2021/2023", "два соседних года"),
        ("1900", "вне 1950–2090"),
    ],
)
async def test_a_malformed_period_filter_is_422_naming_it(api_client, world, period, said):
    await post(api_client, world, [row(world, period="2021/2022", value=80)])
    answer = await api_client.get(
        "/v1/data-values", params={"period": period}, headers=world.headers("viewer")
    )
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["loc"] == ["query", "period"] and said in error["msg"], error


@pytest.mark.committed
async def test_concurrent_posts_of_the_same_rows_store_each_value_once(apps, isolation, settings):
    async with isolation() as session:
        world = await build_world(session, settings)
        await add_data_indicator(session, "teachers_trained", "КПК", "percent")
        await session.commit()
    values = [row(world, period=f"2021-{m:02d}", value=50 + m) for m in range(1, 13)]
    await post_at_once(apps.api, lambda client, rows: post(client, world, rows), values, 12)
    async with isolation() as session:
        stored = (await session.scalars(select(DataValue))).all()
    assert len(stored) == 12 and len({(v.period, v.organization_id) for v in stored}) == 12
    assert uuid.UUID(str(stored[0].organization_id)) == world.s1.id


async def test_query_reads_many_indicators_and_periods_of_the_callers_schools(api_client, world):
    values = [
        row(world, value=80.0),
        row(world, period="2020/2021", value=60.0),
        row(world, org=world.s2.id, value=50.0),
        row(world, org=world.s3.id, value=90.0),
        row(world, code="e_planning", value=True),
        row(world, period="2019/2020", value=10.0),  # a period not asked for
    ]
    answer = await post(api_client, world, values, who="admin")
    assert answer.json()["imported"] == 6, answer.text
    query = {
        "indicator_codes": ["teachers_trained", "e_planning"],
        "periods": ["2021/2022", "2020/2021"],
        "organization_ids": None,
    }
    answer = await api_client.post(
        "/v1/data-values/query", json=query, headers=world.headers("viewer")
    )
    assert answer.status_code == 200, answer.text
    got = {
        (i["indicator_code"], i["organization_id"], i["period"], i["value"])
        for i in answer.json()["items"]
    }
    s1, s2 = str(world.s1.id), str(world.s2.id)
    assert got == {  # M1's schools only: S3 is outside the viewer's municipality
        ("teachers_trained", s1, "2021/2022", 80.0),
        ("teachers_trained", s1, "2020/2021", 60.0),
        ("teachers_trained", s2, "2021/2022", 50.0),
        ("e_planning", s1, "2021/2022", 1.0),
    }
    only_s2 = await api_client.post(
        "/v1/data-values/query",
        json=query | {"organization_ids": [s2]},
        headers=world.headers("service"),  # a service acting for nobody may ask: it only reads
    )
    assert only_s2.status_code == 200, only_s2.text
    assert [i["organization_id"] for i in only_s2.json()["items"]] == [s2]


async def test_values_of_a_period_not_yet_begun_are_stored_with_a_warning(api_client, world):
    """«2030/2031» typed for «2020/2021»: stored as posted (a plan may be entered ahead), and
    the summary says once per period that it has not begun and how many values it holds."""
    ahead = academic_year_of(date.today()).next.next
    values = [
        row(world, period=ahead.code, value=70.0),
        row(world, org=world.s2.id, period=ahead.code, value=60.0),
        row(world, period="2020/2021", value=50.0),
    ]
    answer = await post(api_client, world, values, who="analyst")
    assert answer.status_code == 200, answer.text
    summary = answer.json()
    assert summary["imported"] == 3
    said = [w for w in summary["warnings"] if w["loc"] == ["period"]]
    assert [w["index"] for w in said] == [None]
    assert (
        f"Период «{ahead.code}» ещё не начался (начнётся 01.09.{ahead.start.year})"
        in said[0]["msg"]
    )
    assert "2 строки за него — проверьте, не опечатка ли это" in said[0]["msg"]
    past = await post(api_client, world, [row(world, period="2019/2020")], who="analyst")
    assert not [w for w in past.json()["warnings"] if w["loc"] == ["period"]]


async def test_values_of_a_long_past_period_are_stored_with_a_warning(api_client, world):
    """«2002/2003» typed for «2022/2023»: stored, but the summary says the period ended more
    than ten years ago (a stray value would be every report's «previous period»); nine years
    back is history, not warned of; «1900/1901» is no period anyone reports on."""
    current = academic_year_of(date.today())
    far = current
    for _ in range(11):
        far = far.previous
    recent = current
    for _ in range(9):
        recent = recent.previous
    values = [
        row(world, period="1900/1901", value=10.0),
        row(world, period=far.code, value=20.0),
        row(world, period=recent.code, value=30.0),
        row(world, code="nok_info_stand_items", period="1900/1901", value=10.0),
    ]
    summary = (await post(api_client, world, values, who="analyst")).json()
    assert summary["imported"] == 2
    # Before 1950 no period is taken: each of its rows is told why (a report stepping back
    # from it would reach no period at all).
    refused = "Период «1900/1901»: год 1900 вне 1950–2090"
    assert [(r["index"], r["errors"][0]["msg"]) for r in summary["rejected"]] == [
        (0, refused),
        (3, refused),
    ]
    said = [w["msg"] for w in summary["warnings"] if w["loc"] == ["period"]]
    assert said == [
        f"Период «{far.code}» закончился больше 10 лет назад (31.08.{far.end.year}): 1 строка "
        "за него — проверьте, не опечатка ли это",
    ]


async def test_a_period_in_digits_of_another_script_is_rejected_not_stored_as_a_new_key(
    api_client, world
):
    """«٢٠٢٦/٢٠٢٧» (Arabic-Indic digits) and «２０２６/２０２７» (fullwidth) were stored as
    periods of their own beside «2026/2027», read by no report: each row is refused naming
    `period`, with the code meant; «9999» is told the same years as «1900/1901»."""
    values = [
        row(world, period="٢٠٢٦/٢٠٢٧"),
        row(world, period="２０２６/２０２７"),
        row(world, period="9999"),
    ]
    summary = (await post(api_client, world, values, who="analyst")).json()
    assert summary["imported"] == 0
    errors = [r["errors"][0] for r in summary["rejected"]]
    assert [e["loc"] for e in errors] == [["period"]] * 3
    assert "имелось в виду «2026/2027»" in errors[0]["msg"]
    assert "имелось в виду «2026/2027»" in errors[1]["msg"]
    assert errors[2]["msg"] == "Период «9999»: год 9999 вне 1950–2090"


async def test_a_value_of_an_indicator_for_other_kinds_is_rejected_naming_them(
    api_client, world, db
):
    """A kindergarten's value of an indicator for schools would be stored and never counted
    (nor compared with the schools' as an outlier): rejected, saying whom it is for."""
    garden = Organization(name="Детский сад 1", kind="kindergarten", territory_id=world.m1.id)
    db.add(garden)
    for_schools = await db.scalar(select(Indicator).where(Indicator.code == "teachers_trained"))
    for_schools.applies_to = ["school", "college"]
    await db.flush()
    values = [row(world, org=garden.id), row(world, code="nok_info_stand_items", org=garden.id)]
    summary = (await post(api_client, world, values, who="analyst")).json()
    assert summary["imported"] == 1  # the indicator for every kind
    [refused] = summary["rejected"]
    assert refused["index"] == 0 and refused["errors"] == [
        {
            "loc": ["indicator_code"],
            "msg": "показатель «teachers_trained» — для школ, колледжей, а не для детских садов: "
            "такое значение не вошло бы ни в один расчёт",
        }
    ]
