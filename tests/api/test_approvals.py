"""Approval of a collection's data, school → municipality → region, and the lock it puts on
the approved values: every step audited and kept in the history; access tried as an attacker
would (a leader approving, another school's leader, another municipality's analyst)."""

import re
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from services.api.auth.service import user_principal
from services.api.data_values.models import DataValue
from shared.identity import issue_user_token
from shared.templating import moscow_relative
from tests.collections_world import add_collection
from tests.factories import TRAINED, add_colleagues, add_data_indicator, add_user, build_world

PERIOD = "2021/2022"
WINDOW = {
    PERIOD: (date(2021, 9, 1), date(2021, 10, 1)),
    "2089/2090": (date(2089, 9, 1), date(2089, 10, 1)),
}


@pytest.fixture
async def world(db, settings):
    return await approval_world(db, settings)


async def approval_world(db, settings):
    """The test world with a regional analyst, another municipality's, and a collection of
    M1 (`municipal`) and one of the region (`regional`) over two indicators."""
    world = await build_world(db, settings)
    await add_colleagues(db, settings, world)
    world.users["regional"] = add_user(
        db, "regional@soko.example", "territory_analyst", "territory", world.region.id
    )
    world.users["analyst2"] = add_user(
        db, "analyst2@soko.example", "territory_analyst", "territory", world.m2.id
    )
    await db.flush()
    for name in ("regional", "analyst2"):
        world.tokens[name] = issue_user_token(settings, user_principal(world.users[name]))
    world.trained = await add_data_indicator(db, "teachers_trained", TRAINED, "percent")
    await add_data_indicator(db, "stand_items", "Информация на стенде", "number")
    indicators = [world.planning, world.trained]
    world.municipal = await add_collection(db, world.m1, indicators, WINDOW, name="Сбор района")
    world.regional = await add_collection(db, world.region, indicators, WINDOW, name="Сбор области")
    return world


def values(world, trained=80.0, org=None, also=()):
    org = str((org or world.s1).id)
    return [
        {"indicator_code": "e_planning", "organization_id": org, "period": PERIOD, "value": True},
        {
            "indicator_code": "teachers_trained",
            "organization_id": org,
            "period": PERIOD,
            "value": trained,
        },
        *also,
    ]


async def post_values(api_client, world, rows, who="leader"):
    return await api_client.post(
        "/v1/data-values", json={"values": rows}, headers=world.headers(who)
    )


async def act(
    api_client, world, action, who, collection=None, org=None, comment=None, period=PERIOD
):
    collection = collection or world.municipal
    body = {"organization_id": str((org or world.s1).id), "period": period}
    if comment is not None:
        body["comment"] = comment
    return await api_client.post(
        f"/v1/collections/{collection.id}/approvals/{action}", json=body, headers=world.headers(who)
    )


async def stored(db, world):
    query = select(DataValue.value).where(
        DataValue.organization_id == world.s1.id,
        DataValue.indicator_id == world.trained.id,
        DataValue.period == PERIOD,
    )
    return await db.scalar(query)


async def test_submit_approve_refuse_a_change_unapprove_then_the_change_is_accepted(
    api_client, db, world
):
    assert (await post_values(api_client, world, values(world))).status_code == 200
    submitted = await act(api_client, world, "submit", "leader")
    assert submitted.status_code == 200, submitted.text
    assert (submitted.json()["status"], submitted.json()["level"]) == ("submitted", 0)
    # Submitted is not yet locked: the school may still correct.
    assert (await post_values(api_client, world, values(world, 81.0))).status_code == 200
    approved = await act(api_client, world, "approve", "analyst")
    assert approved.status_code == 200, approved.text
    assert approved.json() | {"updated_at": None} == {
        "completeness": 100.0,
        "missing_indicator_codes": [],
        "id": submitted.json()["id"],
        "collection_id": str(world.municipal.id),
        "organization_id": str(world.s1.id),
        "period": PERIOD,
        "status": "approved",
        "level": 1,
        "levels": 1,
        "last_action": "approve",
        "comment": None,
        "updated_at": None,
    }

    refused = await post_values(api_client, world, values(world, 90.0))
    assert refused.status_code == 409
    assert refused.headers["content-type"] == "application/problem+json"
    problem = refused.json()
    assert "Район 1" in problem["detail"] and "analyst" in problem["detail"]
    assert "Сбор района" in problem["detail"]
    # When, as the territory reads the time (Moscow), not in UTC.
    assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d МСК\b", problem["detail"]), problem["detail"]
    [approval] = problem["approvals"]
    assert approval["approved_by"] == str(world.users["analyst"].id)
    assert approval["level"] == 1 and approval["territory_id"] == str(world.m1.id)
    assert [e["loc"] for e in problem["errors"]] == [["values", 1, "value"]]
    assert await stored(db, world) == 81.0
    # A dry run says the same; the analyst is held by the lock too, and so is a file.
    dry = await api_client.post(
        "/v1/data-values",
        json={"values": values(world, 90.0)},
        params={"dry_run": "true"},
        headers=world.headers("leader"),
    )
    assert dry.status_code == 409
    assert (await post_values(api_client, world, values(world, 90.0), "analyst")).status_code == 409
    sheet = (
        f"indicator_code;organization_id;period;value\nteachers_trained;{world.s1.id};{PERIOD};90\n"
    )
    answer = await api_client.post(
        "/v1/data-values/upload",
        files={"file": ("values.csv", sheet.encode())},
        headers=world.headers("leader"),
    )
    assert answer.status_code == 409
    assert await stored(db, world) == 81.0
    # The same values again change nothing and pass.
    same = await post_values(api_client, world, values(world, 81.0))
    assert same.status_code == 200 and same.json()["unchanged"] == 2

    no_reason = await act(api_client, world, "unapprove", "analyst")
    assert no_reason.status_code == 422
    assert no_reason.json()["errors"][0]["loc"] == ["body", "comment"]
    unapproved = await act(api_client, world, "unapprove", "analyst", comment="Ошибка в КПК")
    assert unapproved.status_code == 200, unapproved.text
    assert (unapproved.json()["status"], unapproved.json()["level"]) == ("submitted", 0)
    assert (await post_values(api_client, world, values(world, 90.0))).status_code == 200
    assert await stored(db, world) == 90.0

    history = await api_client.get(
        f"/v1/collections/{world.municipal.id}/approvals/history",
        params={"organization_id": str(world.s1.id)},
        headers=world.headers("leader"),
    )
    steps = history.json()["items"]
    assert [(s["action"], s["level"], s["status"], s["actor_name"]) for s in steps] == [
        ("submit", 0, "submitted", "leader"),
        ("approve", 1, "approved", "analyst"),
        ("unapprove", 1, "submitted", "analyst"),
    ]
    assert steps[2]["comment"] == "Ошибка в КПК" and steps[1]["territory_id"] == str(world.m1.id)

    events = await api_client.get(
        "/v1/audit-events",
        params={"entity_type": "collection_approval", "entity_id": submitted.json()["id"]},
        headers=world.headers("admin"),
    )
    audited = events.json()["items"][::-1]  # oldest first
    assert [(e["action"], e["actor_id"]) for e in audited] == [
        ("create", str(world.users["leader"].id)),
        ("update", str(world.users["analyst"].id)),
        ("update", str(world.users["analyst"].id)),
    ]
    assert audited[1]["changes"]["status"] == {"before": "submitted", "after": "approved"}
    assert audited[2]["changes"]["comment"] == {"before": None, "after": "Ошибка в КПК"}


async def test_a_request_touching_a_locked_value_writes_nothing(api_client, db, world):
    await post_values(api_client, world, values(world))
    await act(api_client, world, "submit", "leader")
    await act(api_client, world, "approve", "analyst")
    s2 = values(world, 55.0, org=world.s2)  # S2's values are not approved
    answer = await post_values(api_client, world, [*values(world, 99.0), *s2], who="analyst")
    assert answer.status_code == 409
    assert [e["loc"] for e in answer.json()["errors"]] == [["values", 1, "value"]]
    query = select(DataValue).where(DataValue.organization_id == world.s2.id)
    assert (await db.scalars(query)).all() == []
    # An indicator the collection does not hold is no part of the lock.
    stand = {"indicator_code": "stand_items", "organization_id": str(world.s1.id), "period": PERIOD}
    free = await post_values(api_client, world, [{**stand, "value": 12}])
    assert free.status_code == 200 and free.json()["imported"] == 1


async def test_a_return_says_what_to_fix_and_the_school_submits_again(api_client, world):
    await act(api_client, world, "submit", "leader")
    assert (await act(api_client, world, "return", "analyst")).status_code == 422
    for blank in ("   ", "\u200b", " \u200b\u200d "):  # a zero-width space pasted from Word
        refused = await act(api_client, world, "return", "analyst", comment=blank)
        assert refused.status_code == 422, (blank, refused.text)
        assert refused.json()["errors"][0]["loc"] == ["body", "comment"]
    returned = await act(api_client, world, "return", "analyst", comment="Нет данных о КПК")
    assert returned.status_code == 200, returned.text
    assert (returned.json()["status"], returned.json()["comment"]) == (
        "returned",
        "Нет данных о КПК",
    )
    seen = await api_client.get(
        f"/v1/collections/{world.municipal.id}/approvals", headers=world.headers("leader")
    )
    [mine] = seen.json()["items"]
    assert (mine["status"], mine["comment"], mine["last_action"]) == (
        "returned",
        "Нет данных о КПК",
        "return",
    )
    assert (await act(api_client, world, "approve", "analyst")).status_code == 409
    again = await act(api_client, world, "submit", "leader")
    assert again.status_code == 200 and again.json()["status"] == "submitted"


async def test_school_then_municipality_then_region_in_this_order(api_client, world):
    regional = world.regional

    async def step(action, who, comment=None):
        return await act(api_client, world, action, who, collection=regional, comment=comment)

    assert (await step("approve", "analyst")).status_code == 409  # nothing submitted
    assert (await step("submit", "leader")).json()["levels"] == 2
    early = await step("approve", "regional")
    assert early.status_code == 409
    assert "Район 1" in early.json()["detail"]
    municipal = await step("approve", "analyst")
    assert (municipal.json()["status"], municipal.json()["level"]) == ("approved", 1)
    assert (await step("approve", "analyst")).status_code == 409  # already at this level
    # The region sees what the municipality approved.
    seen = await api_client.get(
        f"/v1/collections/{regional.id}/approvals",
        params={"status": "approved"},
        headers=world.headers("regional"),
    )
    assert [(a["organization_id"], a["level"]) for a in seen.json()["items"]] == [
        (str(world.s1.id), 1)
    ]
    final = await step("approve", "regional")
    assert (final.json()["status"], final.json()["level"]) == ("approved", 2)
    # Only the region takes its approval back; then it is the municipality's again, still locked.
    assert (await step("unapprove", "analyst", "Ошибка")).status_code == 409
    back = await step("unapprove", "regional", "Пересчитать")
    assert (back.json()["status"], back.json()["level"]) == ("approved", 1)
    assert (await post_values(api_client, world, values(world, 10.0))).status_code == 409
    down = await step("unapprove", "analyst", "Пересчитать")
    assert (down.json()["status"], down.json()["level"]) == ("submitted", 0)
    assert (await post_values(api_client, world, values(world, 10.0))).status_code == 200


async def test_the_region_returns_to_the_school(api_client, world):
    regional = world.regional
    await act(api_client, world, "submit", "leader", collection=regional)
    await act(api_client, world, "approve", "analyst", collection=regional)
    returned = await act(
        api_client, world, "return", "regional", collection=regional, comment="Сверить"
    )
    assert (returned.json()["status"], returned.json()["level"]) == ("returned", 0)


@pytest.mark.parametrize(
    ("who", "action", "collection", "expected"),
    [
        ("leader", "approve", "municipal", 403),  # a leader does not approve
        ("leader", "return", "municipal", 403),
        ("analyst", "submit", "municipal", 403),  # an analyst does not submit for a school
        ("viewer", "approve", "municipal", 403),
        ("leader2", "submit", "municipal", 404),  # another school of the same municipality
        ("leader3", "submit", "municipal", 404),
        ("analyst2", "approve", "municipal", 404),  # another municipality's analyst
        ("analyst2", "approve", "regional", 404),  # … of a collection both report to
        ("analyst2", "unapprove", "regional", 404),
        ("regional", "approve", "municipal", 403),  # the region is no level of M1's collection
    ],
)
async def test_access_as_an_attacker_would_try(
    api_client, world, who, action, collection, expected
):
    collection = getattr(world, collection)
    await act(api_client, world, "submit", "leader", collection=collection)
    if action == "unapprove":
        await act(api_client, world, "approve", "analyst", collection=collection)
    answer = await act(api_client, world, action, who, collection=collection, comment="Причина")
    assert answer.status_code == expected, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    if expected == 403:  # who may take the step, in Russian
        said = answer.json()["detail"]
        if who == "regional":
            assert said.endswith("в этом сборе их утверждают аналитики территорий «Район 1»"), said
        elif action == "submit":
            assert said.startswith("Подавать данные на утверждение и отзывать подачу может руков")
        else:
            assert said.startswith("Утверждать данные, возвращать их на доработку и отзывать")


async def test_another_schools_leader_sees_nothing_of_the_approval(api_client, world):
    await act(api_client, world, "submit", "leader")
    path = f"/v1/collections/{world.municipal.id}/approvals"
    listed = await api_client.get(path, headers=world.headers("leader2"))
    assert listed.status_code == 200 and listed.json()["items"] == []
    history = await api_client.get(
        f"{path}/history",
        params={"organization_id": str(world.s1.id)},
        headers=world.headers("leader2"),
    )
    assert history.status_code == 404
    whole = await api_client.get(f"{path}/history", headers=world.headers("leader2"))
    assert whole.json()["items"] == []


async def test_submitting_before_the_window_opens_is_409(api_client, world):
    answer = await act(api_client, world, "submit", "leader", period="2089/2090")
    assert answer.status_code == 409
    assert "01.09.2089" in answer.json()["detail"]


async def test_an_organization_the_collection_does_not_ask_is_422(api_client, db, world):
    from services.api.organizations.models import Organization

    kindergarten = Organization(name="Детский сад", kind="kindergarten", territory_id=world.m1.id)
    db.add(kindergarten)
    await db.flush()
    answer = await act(api_client, world, "approve", "analyst", org=kindergarten)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "organization_id"]


@pytest.mark.committed
async def test_a_write_in_progress_holds_the_approvals_of_its_rows(isolation, settings):
    """No approval is given (or taken back) between the lock check and the write's commit: the
    write holds the approval rows of its organizations and periods until it ends."""
    from sqlalchemy import text
    from sqlalchemy.exc import DBAPIError

    from services.api.collections.locks import refuse_locked_changes
    from services.api.data_values.service import _STAGED, Valid, _stage
    from tests.collections_world import SUBMITTED
    from tests.factories import committed_world

    world = await committed_world(isolation, settings)
    row = Valid(0, world.planning.id, world.s1.id, SUBMITTED, 1.0)
    held = "SELECT 1 FROM api.collection_approval WHERE organization_id = :org AND period = :p"
    async with isolation() as writer, isolation() as approver:
        await _stage(writer, [row])
        await refuse_locked_changes(writer, [row], staged=_STAGED)  # S1's 2021/2022: submitted
        with pytest.raises(DBAPIError, match="could not obtain lock"):
            await approver.execute(
                text(held + " FOR UPDATE NOWAIT"), {"org": world.s1.id, "p": SUBMITTED}
            )
        await approver.rollback()
        await writer.commit()
        locked = await approver.execute(
            text(held + " FOR UPDATE NOWAIT"), {"org": world.s1.id, "p": SUBMITTED}
        )
        assert locked.scalar() == 1


async def test_submitting_and_approving_half_filled_data_say_what_is_missing(api_client, world):
    """Allowed (as in DHIS2), but the answer says how complete the data are and what is
    missing, so nobody signs off a half-filled return without seeing it."""
    half = [values(world)[0]]  # e_planning only; teachers_trained missing
    assert (await post_values(api_client, world, half)).status_code == 200
    for action, who in (("submit", "leader"), ("approve", "analyst")):
        answer = await act(api_client, world, action, who)
        assert answer.status_code == 200, answer.text
        assert answer.json()["completeness"] == 50.0
        assert answer.json()["missing_indicator_codes"] == ["teachers_trained"]


@pytest.mark.parametrize(
    ("zone", "said"),
    [
        ("Europe/Moscow", "МСК"),
        ("Asia/Yekaterinburg", "МСК+2"),
        ("Asia/Vladivostok", "МСК+7"),
        ("Europe/Kaliningrad", "МСК−1"),
    ],
)
def test_the_time_of_an_approval_is_said_from_moscow_as_russian_timetables_do(zone, said):
    """«04.12.2026 10:02 MSK» was English; «+05» for Yekaterinburg said nothing to a reader."""
    assert moscow_relative(datetime(2026, 12, 4, 10, 2, tzinfo=ZoneInfo(zone))) == said
