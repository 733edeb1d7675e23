"""Validation rules: kept as data, checked at creation, evaluated on every import of values
(a `warn` rule stores and lists, a `reject` rule refuses the rows it reads), current
violations listed per school and cleared by a fix (who reads them: test_validation_access)."""

import asyncio

import httpx
import pytest

from tests.api.helpers import upload, xlsx
from tests.api.validation import PERIOD, add_rule, post, results, row, validation_world
from tests.factories import add_data_indicator, build_world


@pytest.fixture
async def world(db, settings):
    return await validation_world(db, settings)


async def test_a_warning_rule_stores_the_values_and_lists_the_violation(api_client, world):
    rule = await add_rule(api_client, world)
    assert rule["owner_territory_id"] == str(world.m1.id)
    assert rule["indicator_codes"] == ["students_passed", "students_total"]
    summary = await post(
        api_client,
        world,
        [
            row(world, "students_total", 100),
            row(world, "students_passed", 120),
            row(world, "students_total", 50, org=world.s2.id),
            row(world, "students_passed", 40, org=world.s2.id),
        ],
    )
    assert summary["imported"] == 4 and summary["rejected"] == []
    assert summary["violations"] == [
        {
            "rule_code": "passed_le_total",
            "organization_id": str(world.s1.id),
            "period": PERIOD,
            "message": "Сдавших больше, чем обучающихся",
            "importance": "high",
            "left_value": 120.0,
            "right_value": 100.0,
        }
    ]
    listed = await results(api_client, world, territory_id=world.m1.id, period=PERIOD)
    assert listed["total"] == 1
    (school,) = listed["items"]
    assert school["organization_id"] == str(world.s1.id)
    assert school["organization_name"] == "Школа 1"
    assert [(v["rule_code"], v["left_value"], v["right_value"]) for v in school["violations"]] == [
        ("passed_le_total", 120.0, 100.0)
    ]


async def test_a_fix_clears_the_violation(api_client, world):
    await add_rule(api_client, world)
    await post(
        api_client, world, [row(world, "students_total", 100), row(world, "students_passed", 120)]
    )
    # The fix comes later, one value alone: combined with the stored total.
    summary = await post(api_client, world, [row(world, "students_passed", 90)])
    assert summary["updated"] == 1 and summary["violations"] == []
    assert (await results(api_client, world, territory_id=world.m1.id))["items"] == []
    # Breaking it again through the other side lists it again.
    summary = await post(api_client, world, [row(world, "students_total", 80)])
    assert [v["left_value"] for v in summary["violations"]] == [90.0]
    assert (await results(api_client, world, period=PERIOD))["total"] == 1


async def test_a_rejecting_rule_refuses_only_the_rows_it_reads(api_client, world):
    await add_rule(api_client, world, action="reject")
    summary = await post(
        api_client,
        world,
        [
            row(world, "students_total", 100),
            row(world, "students_passed", 120),
            row(world, "teachers_total", 30),  # not read by the rule: stored
            row(world, "students_total", 50, org=world.s2.id),  # another school, fine
            row(world, "students_passed", 40, org=world.s2.id),
        ],
    )
    assert summary["imported"] == 3
    assert summary["violations"] == []
    refused = {r["index"]: r["errors"] for r in summary["rejected"]}
    assert set(refused) == {0, 1}
    assert refused[1] == [
        {
            "loc": ["value"],
            "msg": "Сдавших больше, чем обучающихся (правило проверки «passed_le_total»: "
            "students_passed <= students_total: 120 и 100)",
        }
    ]
    stored = await api_client.get(
        "/v1/data-values",
        params={"organization_id": str(world.s1.id)},
        headers=world.headers("analyst"),
    )
    assert [v["indicator_code"] for v in stored.json()["items"]] == ["teachers_total"]
    # Against a stored total: the new passed value alone is refused, nothing changes.
    await post(api_client, world, [row(world, "students_total", 100)])
    summary = await post(api_client, world, [row(world, "students_passed", 101)])
    assert summary["imported"] == 0 and [r["index"] for r in summary["rejected"]] == [0]
    assert (await results(api_client, world))["items"] == []


async def test_a_dry_run_lists_without_storing(api_client, world):
    await add_rule(api_client, world)
    values = [row(world, "students_total", 100), row(world, "students_passed", 120)]
    summary = await post(api_client, world, values, dry_run=True)
    assert summary["dry_run"] and len(summary["violations"]) == 1
    assert (await results(api_client, world))["items"] == []


async def test_rules_on_a_file_upload(api_client, world):
    await add_rule(api_client, world, action="reject")
    await add_rule(
        api_client,
        world,
        code="category_share",
        left="teachers_with_category / teachers_total * 100",
        operator="<=",
        right="100",
        importance="medium",
        message="Педагогов с категорией больше, чем педагогов",
    )
    header = ["indicator_code", "organization_id", "period", "value"]
    content = xlsx(
        header,
        ["students_total", str(world.s1.id), PERIOD, 100],
        ["students_passed", str(world.s1.id), PERIOD, 150],
        ["teachers_total", str(world.s1.id), PERIOD, 20],
        ["teachers_with_category", str(world.s1.id), PERIOD, 25],
    )
    summary = await upload(
        api_client, world, "/v1/data-values/upload", "values.xlsx", content, who="analyst"
    )
    assert summary["imported"] == 2
    assert [r["index"] for r in summary["rejected"]] == [2, 3]  # the file's rows
    message = summary["rejected"][1]["errors"][0]["msg"]
    assert message.startswith("Сдавших больше, чем обучающихся (правило проверки")
    assert "строка 3, столбец D" in message  # the cell is named as for any refusal
    assert [(v["rule_code"], v["left_value"]) for v in summary["violations"]] == [
        ("category_share", 125.0)
    ]
    header_line = "indicator_code;organization_id;period;value\n"
    csv = header_line + "".join(
        f"{code};{world.s1.id};{PERIOD};{value}\n"
        for code, value in (
            ("teachers_with_category", 15),  # fixes the warning
            ("students_total", 200),
            ("students_passed", 130),
        )
    )
    summary = await upload(
        api_client, world, "/v1/data-values/upload", "values.csv", csv.encode(), who="analyst"
    )
    assert (summary["imported"], summary["updated"]) == (2, 1)
    assert summary["rejected"] == [] and summary["violations"] == []
    csv = header_line + f"students_passed;{world.s1.id};{PERIOD};250\n"
    summary = await upload(
        api_client, world, "/v1/data-values/upload", "values.csv", csv.encode(), who="analyst"
    )
    assert summary["updated"] == 0 and [r["index"] for r in summary["rejected"]] == [2]
    assert (
        "«passed_le_total»: students_passed <= students_total: 250 и 200"
        in (summary["rejected"][0]["errors"][0]["msg"])
    )


async def test_an_expression_changed_to_one_that_cannot_be_used_is_422(api_client, world):
    rule = await add_rule(api_client, world)
    for body, field in (({"right": "students_total +* 2"}, "right"), ({"left": "nobody"}, "left")):
        answer = await api_client.patch(
            f"/v1/validation-rules/{rule['id']}", json=body, headers=world.headers("analyst")
        )
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["loc"] == ["body", field]
    # Another territory as the owner of a new rule: not the analyst's to name.
    answer = await api_client.post(
        "/v1/validation-rules",
        json={
            "code": "elsewhere",
            "owner_territory_id": str(world.m2.id),
            "left": "students_passed",
            "operator": "<=",
            "right": "students_total",
            "message": "Чужая территория",
        },
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 404
    taken = await api_client.post(
        "/v1/validation-rules",
        json={k: rule[k] for k in ("code", "left", "operator", "right", "message")},
        headers=world.headers("analyst"),
    )
    assert taken.status_code == 409


async def test_missing_values_and_division_by_zero_break_nothing(api_client, world):
    await add_rule(
        api_client,
        world,
        code="category_share",
        left="teachers_with_category / teachers_total * 100",
        operator="<",
        right="50",
        action="reject",
    )
    summary = await post(
        api_client,
        world,
        [
            row(world, "teachers_with_category", 10),  # S1: no total at all
            row(world, "teachers_with_category", 10, org=world.s2.id),
            row(world, "teachers_total", 0, org=world.s2.id),  # S2: a division by zero
        ],
    )
    assert summary["imported"] == 3 and summary["rejected"] == [] and summary["violations"] == []


async def test_a_side_past_what_a_double_holds_is_computed_and_shown_as_null(api_client, world):
    await add_rule(
        api_client,
        world,
        code="huge",
        left="students_total * students_passed * 1e300",
        operator="<",
        right="0",
    )
    summary = await post(
        api_client,
        world,
        [row(world, "students_total", 1e15), row(world, "students_passed", 1e15)],
    )
    assert summary["imported"] == 2, summary
    assert [(v["left_value"], v["right_value"]) for v in summary["violations"]] == [(None, 0.0)]


async def test_a_new_rule_finds_the_stored_violations_and_a_switched_off_one_drops_them(
    api_client, world
):
    await post(
        api_client, world, [row(world, "students_total", 10), row(world, "students_passed", 12)]
    )
    rule = await add_rule(api_client, world)
    assert (await results(api_client, world))["total"] == 1
    answer = await api_client.patch(
        f"/v1/validation-rules/{rule['id']}",
        json={"active": False},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    assert (await results(api_client, world))["total"] == 0
    answer = await api_client.patch(
        f"/v1/validation-rules/{rule['id']}",
        json={"active": True, "right": "students_total * 2"},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200 and answer.json()["right"] == "students_total * 2"
    assert (await results(api_client, world))["total"] == 0  # 12 <= 20
    deleted = await api_client.delete(
        f"/v1/validation-rules/{rule['id']}", headers=world.headers("analyst")
    )
    assert deleted.status_code == 204


@pytest.mark.parametrize(
    ("field", "text", "says"),
    [
        ("left", "students_passed +", "не разобрано"),
        ("left", "__import__('os')", "допустимы только"),
        ("right", "students_total.real", "допустимы только"),
        ("right", "students_total ** 2", "допустимы только"),
        ("left", "students_passed if 1 else 2", "допустимы только"),
        ("right", "'сто'", "не число"),
        ("right", "1" * 400, "больше, чем можно сравнить"),
        ("right", "students_all", "«students_all»"),
        ("left", "e_planning_share", "«e_planning_share»"),
        # A divisor of numbers alone that is zero: the rule would never check a value.
        ("left", "students_passed / 0", "делитель «0» всегда равен нулю"),
        ("right", "students_total * 100 / (2 - 2)", "делитель «2 - 2»"),
        ("right", "students_total / -0.0", "делитель «-0.0»"),
        ("left", "students_passed / 1e-400", "делитель «1e-400»"),
    ],
)
async def test_an_expression_that_cannot_be_used_is_422_naming_its_side(
    api_client, world, field, text, says
):
    body = {
        "code": "bad",
        "left": "students_passed",
        "operator": "<=",
        "right": "students_total",
        "message": "Ошибка",
    } | {field: text}
    answer = await api_client.post(
        "/v1/validation-rules", json=body, headers=world.headers("analyst")
    )
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["errors"]
    assert error["loc"] == ["body", field]
    assert says in error["msg"]


@pytest.mark.committed
async def test_two_imports_at_once_leave_the_violation_their_values_make(apps, isolation, settings):
    """Each import recomputes the school's violations from what it sees; the second to
    recompute waits for the first to commit, so the result is that of both values."""
    async with isolation() as session:
        world = await build_world(session, settings)
        for code in ("students_total", "students_passed"):
            await add_data_indicator(session, code, code, "number", min=0)
        await session.commit()
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        await add_rule(client, world)
        for total, passed in ((100, 120), (130, 120), (90, 95), (200, 95), (10, 11)):
            answers = await asyncio.gather(
                client.post(
                    "/v1/data-values",
                    json={"values": [row(world, "students_total", total)]},
                    headers=world.headers("analyst"),
                ),
                client.post(
                    "/v1/data-values",
                    json={"values": [row(world, "students_passed", passed)]},
                    headers=world.headers("leader"),
                ),
            )
            assert [a.status_code for a in answers] == [200, 200]
            listed = await results(client, world)
            expected = [(float(passed), float(total))] if passed > total else []
            assert [
                (v["left_value"], v["right_value"])
                for item in listed["items"]
                for v in item["violations"]
            ] == expected, (total, passed)
