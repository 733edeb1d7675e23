"""The api service's change feed: what it carries, in which order, once; deletions; cursors.

These tests write and read in the test's one transaction (the feed delivers a reader's own
writes); tests/test_change_feeds.py commits for real (concurrent transactions, the long poll).
"""

import base64
import json
import uuid

import httpx
import pytest
from sqlalchemy import text

from services.api.changes.entities import FEED
from shared.changes.positions import Position, decode_cursor, encode_cursor
from shared.changes.serve import compact
from tests.changes import get_changes, of, read_all, service_headers

API_ENTITIES = {
    "territory",
    "organization",
    "cluster",
    "cluster_member",
    "indicator",
    "indicator_target",
    "indicator_roadmap",
    "data_value",
    "assessment_procedure",
    "assessment_subject",
    "assessment_result",
    "assessment_specification",
    "assessment_task",
    "assessment_participant",
    "roadmap",
    "roadmap_section",
    "activity",
    "activity_status_change",
    # Data collections and where each organization's approval stands (status and level only:
    # who approved and their comments stay in the api).
    "collection",
    "collection_window",
    "collection_approval",
    # The validation rules (no author), their current violations and the outlier flags.
    "validation_rule",
    "validation_violation",
    "outlier_flag",
}
# Fields that name people, accounts or keys: never in a feed.
PERSONAL_FIELDS = {
    "source",
    "created_by",
    "changed_by",
    "uploaded_by",
    "responsible_staff_ids",
    "staff_id",
    "email",
    "full_name",
    "password_hash",
    "key_hash",
}


async def post_value(api_client, world, value, period="2021/2022", who="leader"):
    body = {
        "values": [
            {
                "indicator_code": "e_planning",
                "organization_id": str(world.s1.id),
                "period": period,
                "value": value,
            }
        ]
    }
    answer = await api_client.post("/v1/data-values", json=body, headers=world.headers(who))
    assert answer.status_code == 200 and not answer.json()["rejected"], answer.text
    return answer


async def test_the_feed_is_for_entities_of_the_contract_only(apps, settings, world):
    assert {e.name for e in FEED.entities} == API_ENTITIES
    items, _ = await read_all(apps.api, settings)
    assert {i["entity"] for i in items} <= API_ENTITIES
    assert {"territory", "organization", "cluster_member", "roadmap", "activity"} <= {
        i["entity"] for i in items
    }
    assert {i["op"] for i in items} == {"upsert"}


async def test_a_new_territory_comes_with_its_state(apps, settings, api_client, world):
    _, cursor = await read_all(apps.api, settings)
    created = await api_client.post(
        "/v1/territories",
        json={"name": "Новый район", "kind": "municipality", "parent_id": str(world.region.id)},
        headers=world.headers("admin"),
    )
    assert created.status_code == 201
    items, _ = await read_all(apps.api, settings, cursor)
    assert items == [
        {
            "entity": "territory",
            "key": {"id": created.json()["id"]},
            "op": "upsert",
            "state": {
                "id": created.json()["id"],
                "name": "Новый район",
                "kind": "municipality",
                "parent_id": str(world.region.id),
            },
        }
    ]


async def test_a_value_changed_many_times_is_there_once_at_its_latest_state(
    apps, settings, api_client, world
):
    for value in (True, False, True, False):
        await post_value(api_client, world, value)
    items, _ = await read_all(apps.api, settings)
    key = {"indicator_id": world.planning.id, "organization_id": world.s1.id, "period": "2021/2022"}
    [item] = of(items, "data_value", **key)
    state = item["state"]
    assert (state["indicator_code"], state["value"]) == ("e_planning", 0.0)
    assert set(state) == {
        "indicator_id",
        "indicator_code",
        "organization_id",
        "period",
        "value",
        "created_at",  # first stored: the collections' timeliness
        "updated_at",
    }


async def test_reading_on_from_the_cursor_gives_the_later_changes_only(
    apps, settings, api_client, world
):
    _, cursor = await read_all(apps.api, settings)
    again = await get_changes(apps.api, settings, cursor)
    assert again.json() == {"items": [], "cursor": cursor, "has_more": False}

    await api_client.patch(
        f"/v1/organizations/{world.s2.id}",
        json={"context": {"students": 320, "rural": True}},
        headers=world.headers("admin"),
    )
    await post_value(api_client, world, True, period="2022/2023")
    items, later = await read_all(apps.api, settings, cursor)
    assert [(i["entity"], i["op"]) for i in items] == [
        ("organization", "upsert"),
        ("data_value", "upsert"),
    ]
    assert items[0]["state"]["context"] == {"students": 320, "rural": True}
    assert later != cursor
    assert (await read_all(apps.api, settings, later))[0] == []


async def test_pages_give_every_change_once_in_order(apps, settings, api_client, world):
    for period in ("2019/2020", "2020/2021", "2021/2022", "2022/2023"):
        await post_value(api_client, world, True, period=period)
    whole, end = await read_all(apps.api, settings)
    paged, cursor, pages = [], "", 0
    while True:
        body = (await get_changes(apps.api, settings, cursor, limit=7)).json()
        assert len(body["items"]) <= 7
        paged += body["items"]
        cursor, pages = body["cursor"], pages + 1
        if not body["has_more"]:
            break
    assert paged == whole and cursor == end
    assert pages == -(-len(whole) // 7)
    keys = [(i["entity"], json.dumps(i["key"], sort_keys=True)) for i in whole]
    assert len(keys) == len(set(keys)), "a row appears twice in one reading"


async def test_a_removed_cluster_member_is_a_deletion_until_it_is_added_again(
    apps, settings, api_client, world
):
    _, cursor = await read_all(apps.api, settings)
    admin = world.headers("admin")
    path = f"/v1/clusters/{world.c1.id}"
    await api_client.patch(path, json={"member_ids": [str(world.s1.id)]}, headers=admin)
    items, after_removal = await read_all(apps.api, settings, cursor)
    removed = {"cluster_id": str(world.c1.id), "organization_id": str(world.s2.id)}
    assert {"entity": "cluster_member", "key": removed, "op": "delete", "state": None} in items

    # Added back: its live row stands, the deletion is not delivered any more.
    members = [str(world.s1.id), str(world.s2.id)]
    await api_client.patch(path, json={"member_ids": members}, headers=admin)
    items, _ = await read_all(apps.api, settings, after_removal)
    assert of(items, "cluster_member", **removed) == [
        {"entity": "cluster_member", "key": removed, "op": "upsert", "state": removed}
    ]
    whole, _ = await read_all(apps.api, settings)
    assert [i["op"] for i in of(whole, "cluster_member", **removed)] == ["upsert"]


async def test_a_key_changed_in_sql_is_a_deletion_of_the_old_key(
    apps, settings, db, api_client, world
):
    await post_value(api_client, world, True, period="2022")
    _, cursor = await read_all(apps.api, settings)
    await db.execute(text("UPDATE api.data_value SET period = '2022/2023' WHERE period = '2022'"))
    items, _ = await read_all(apps.api, settings, cursor)
    org, indicator = str(world.s1.id), str(world.planning.id)
    old = {"indicator_id": indicator, "organization_id": org, "period": "2022"}
    assert [(i["op"], i["key"]) for i in items] == [
        ("upsert", {**old, "period": "2022/2023"}),
        ("delete", old),
    ]


async def test_an_indicator_is_its_definition_as_the_api_gives_it(
    apps, settings, api_client, world
):
    created = await api_client.post(
        "/v1/indicators",
        json={
            "code": "feed_check",
            "name": "Доля школ с планом",
            "unit": "percent",
            "direction": "higher",
            "level": "territory",
            "method": "organization_share",
            "params": {"indicator_code": "e_planning", "condition": {"op": "==", "value": True}},
            "target": {"op": ">=", "value": 90},
            "targets": [{"op": ">=", "value": 95, "period": "2022/2023"}],
            "min_n": 3,
            "roadmap_ids": [str(world.r1.id)],
        },
        headers=world.headers("admin"),
    )
    assert created.status_code == 201, created.text
    definition = created.json()
    items, _ = await read_all(apps.api, settings)
    [indicator] = of(items, "indicator", id=definition["id"])
    skipped = {"targets", "roadmap_ids", "created_at", "updated_at", "warnings"}
    assert indicator["state"] == {k: v for k, v in definition.items() if k not in skipped}
    [target] = of(items, "indicator_target")
    assert target["state"] | {"id": None} == {
        "id": None,
        "indicator_id": definition["id"],
        "period": "2022/2023",
        "scope_type": None,
        "scope_id": None,
        "op": ">=",
        "value": 95.0,
    }
    roadmap = {"indicator_id": definition["id"], "roadmap_id": str(world.r1.id)}
    assert [i["state"] for i in of(items, "indicator_roadmap")] == [roadmap]


async def test_the_feed_names_no_person_account_or_key(apps, settings, api_client, world):
    # A value posted with the school's API key: its row names the key as its source.
    body = {
        "values": [
            {
                "indicator_code": "e_planning",
                "organization_id": str(world.s1.id),
                "period": "2021/2022",
                "value": True,
            }
        ]
    }
    posted = await api_client.post("/v1/data-values", json=body, headers=world.headers("api_key"))
    assert posted.status_code == 200
    items, _ = await read_all(apps.api, settings)
    assert not any(PERSONAL_FIELDS & set(i["state"]) for i in items)
    everything = json.dumps(items, ensure_ascii=False)
    for secret in (
        world.t1.id,
        world.t3.id,
        world.t1.full_name,
        world.key_s1_id,
        world.key_s1,
        *(u.id for u in world.users.values()),
        *(u.email for u in world.users.values()),
    ):
        assert str(secret) not in everything


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor",
        "%%%",
        base64.urlsafe_b64encode(b"surveys:1:2").decode(),  # the other feed's
        base64.urlsafe_b64encode(b"api:-1:2").decode(),
        base64.urlsafe_b64encode(b"api:1").decode(),
        base64.urlsafe_b64encode(b"api:99999999999999999999:1").decode(),
        base64.urlsafe_b64encode("api:١:2".encode()).decode(),
    ],
)
async def test_a_cursor_this_feed_did_not_give_is_422_naming_after(apps, settings, cursor):
    answer = await get_changes(apps.api, settings, cursor)
    assert answer.status_code == 422, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert [e["loc"] for e in answer.json()["errors"]] == [["query", "after"]]


@pytest.mark.parametrize("query", ["limit=0", "limit=5001", "wait=31", "wait=-1", "wait=nan"])
async def test_limit_and_wait_outside_their_bounds_are_422(apps, settings, query):
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://feed") as client:
        answer = await client.get(f"/v1/changes?{query}", headers=service_headers(settings))
    assert answer.status_code == 422, answer.text
    assert answer.json()["errors"][0]["loc"] == ["query", query.split("=")[0]]


async def add_old_tombstone(db, days: int) -> tuple[Position, str]:
    """A deletion of a territory by a transaction long finished, `days` ago: its position
    and the territory's id."""
    row = (
        await db.execute(
            text(
                "INSERT INTO api.change_tombstone (entity, key, change_xid, change_seq, "
                "deleted_at) VALUES ('territory', jsonb_build_object('id', gen_random_uuid()), "
                "1, nextval('api.change_seq'), now() - make_interval(days => :days)) "
                "RETURNING change_xid, change_seq, key->>'id' AS id"
            ),
            {"days": days},
        )
    ).one()
    return Position(row.change_xid, row.change_seq), row.id


async def test_a_cursor_below_the_horizon_is_410_and_the_beginning_is_not(apps, settings, db):
    gone, gone_id = await add_old_tombstone(db, days=8)
    _, kept_id = await add_old_tombstone(db, days=3)
    assert await compact(db, FEED, retention_days=7) == 1
    assert await compact(db, FEED, retention_days=7) == 0
    row = (await db.execute(text("SELECT change_xid, change_seq FROM api.change_horizon"))).one()
    horizon = Position(row.change_xid, row.change_seq)
    assert horizon >= gone  # (a TRUNCATE of earlier tests may have moved it further)

    below = encode_cursor("api", Position(horizon.xid, horizon.seq - 1))
    expired = await get_changes(apps.api, settings, below)
    assert expired.status_code == 410, expired.text
    assert expired.headers["content-type"] == "application/problem+json"
    assert expired.json()["type"] == "urn:soko:problem:change-cursor-expired"

    assert (await get_changes(apps.api, settings, encode_cursor("api", horizon))).status_code == 200
    resync, _ = await read_all(apps.api, settings)
    deleted = [i["key"]["id"] for i in resync if i["op"] == "delete"]
    assert kept_id in deleted and gone_id not in deleted
    # A resync starts under the horizon: reading on from it is no 410, though it has not
    # reached the horizon yet (the catalogue the migrations put in is older).
    first = (await get_changes(apps.api, settings, limit=1)).json()
    assert decode_cursor("api", first["cursor"]).position < horizon
    assert (await get_changes(apps.api, settings, first["cursor"])).status_code == 200


async def test_a_truncated_table_sends_every_reader_back_to_the_beginning(
    apps, settings, db, world
):
    _, cursor = await read_all(apps.api, settings)
    await db.execute(text("TRUNCATE api.indicator_roadmap"))
    assert (await get_changes(apps.api, settings, cursor)).status_code == 410
    assert (await get_changes(apps.api, settings)).status_code == 200


async def test_a_service_acting_for_a_user_may_not_read_either_feed(apps, world):
    for app in (apps.api, apps.surveys):
        for who in ("service+admin", "service+analyst", "admin"):
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://feed"
            ) as client:
                answer = await client.get("/v1/changes", headers=world.headers(who))
            assert answer.status_code == 403, (who, answer.text)
            assert answer.headers["content-type"] == "application/problem+json"


async def test_an_unknown_id_is_not_a_cursor(apps, settings):
    answer = await get_changes(apps.api, settings, str(uuid.uuid4()))
    assert answer.status_code == 422
