"""An information system syncing data values with `changed_since` and the answer's
`next_changed_since`: nothing committed out of order is missed; naive times are Moscow's."""

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import text

from tests.factories import add_data_indicator, build_world


@pytest.fixture
async def world(db, settings):
    """The standard world with a percent indicator schools report."""
    world = await build_world(db, settings)
    await add_data_indicator(db, "teachers_trained", "КПК", "percent")
    return world


def value(world, period, number):
    return {
        "indicator_code": "teachers_trained",
        "organization_id": str(world.s1.id),
        "period": period,
        "value": number,
    }


async def changed_since(client, world, since, **params):
    """GET /v1/data-values?changed_since=… as the municipality's analyst (its IS): the page."""
    answer = await client.get(
        "/v1/data-values",
        params={"changed_since": since, **params},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


@pytest.mark.committed
async def test_a_client_following_the_cursor_sees_an_import_committed_out_of_order(
    apps, isolation, settings, api_client, test_engine
):
    """An import whose transaction began first and commits last stamps its rows earlier than a
    small post committed meanwhile: the greatest `updated_at` a client saw skips the import,
    the answer's `next_changed_since` does not."""
    async with isolation() as session:
        world = await build_world(session, settings)
        indicator = await add_data_indicator(session, "teachers_trained", "КПК", "percent")
        await session.commit()
    start = await changed_since(api_client, world, "2000-01-01T00:00:00Z")
    assert start["items"] == [] and start["next_changed_since"] is not None

    async with test_engine.connect() as big_import:  # begins first, commits last
        await big_import.begin()
        await big_import.execute(
            text(
                "INSERT INTO api.data_value (indicator_id, organization_id, period, value) "
                "VALUES (:indicator, :organization, '2021/2022', 70)"
            ),
            {"indicator": indicator.id, "organization": world.s1.id},
        )
        await asyncio.sleep(0.3)  # longer than the watermark's margin: only counting it saves
        small = await api_client.post(
            "/v1/data-values",
            json={"values": [value(world, "2022/2023", 80)]},
            headers=world.headers("leader"),
        )
        assert small.json()["imported"] == 1, small.text
        seen = await changed_since(api_client, world, start["next_changed_since"])
        assert [i["period"] for i in seen["items"]] == ["2022/2023"]
        await big_import.commit()

    after, _ = await follow(api_client, world, seen["next_changed_since"])
    assert "2021/2022" in [key[2] for key in after]
    # what a client storing "the latest updated_at I saw" would have asked: the import is lost
    naive_cursor = max(i["updated_at"] for i in seen["items"])
    lost = await changed_since(api_client, world, naive_cursor)
    assert [i["period"] for i in lost["items"]] == ["2022/2023"]


async def follow(client, world, since, limit=500):
    """README's sync loop: every value changed at or after `since` (by key, latest state)
    and the cursor to resume from. A page with `next_after`: the next read starts past its
    last value (`after`); without one and with the same cursor back (a transaction open since
    before the page holds it), the next offset; else the next read starts at the cursor."""
    values, offset, after = {}, 0, None
    for _ in range(10_000):
        params = {"limit": limit, "offset": offset} | ({"after": after} if after else {})
        page = await changed_since(client, world, since, **params)
        for item in page["items"]:
            values[(item["organization_id"], item["indicator_code"], item["period"])] = item
        cursor = page["next_changed_since"]
        if offset + len(page["items"]) >= page["total"]:
            return values, cursor
        if page["next_after"]:
            since, after, offset = cursor, page["next_after"], 0
        elif datetime.fromisoformat(cursor) == datetime.fromisoformat(since):
            offset += len(page["items"])
        else:
            since, after, offset = cursor, None, 0
    raise AssertionError("the cursor never reached the end")


@pytest.mark.committed
async def test_changes_come_oldest_first_and_small_pages_lose_nothing(
    apps, isolation, settings, api_client
):
    """Paging a `changed_since` read: oldest change first; a page more rows follow gives a
    cursor not after its last row, the last page the watermark; following the cursor with
    pages of two collects every value."""
    async with isolation() as session:
        world = await build_world(session, settings)
        await add_data_indicator(session, "teachers_trained", "КПК", "percent")
        await session.commit()
    for period, number in (("2019/2020", 50), ("2020/2021", 60), ("2021/2022", 70)):
        await api_client.post(
            "/v1/data-values",
            json={"values": [value(world, period, number)]},
            headers=world.headers("leader"),
        )
    first = await changed_since(api_client, world, "2000-01-01T00:00:00Z", limit=2)
    assert first["total"] == 3
    assert [i["period"] for i in first["items"]] == ["2019/2020", "2020/2021"]
    last_seen = datetime.fromisoformat(first["items"][-1]["updated_at"])
    assert datetime.fromisoformat(first["next_changed_since"]) <= last_seen
    values, cursor = await follow(api_client, world, "2000-01-01T00:00:00Z", limit=2)
    assert sorted(v["value"] for v in values.values()) == [50.0, 60.0, 70.0]
    assert datetime.fromisoformat(cursor) > datetime.fromisoformat(first["next_changed_since"])
    unfiltered = await api_client.get("/v1/data-values", headers=world.headers("analyst"))
    assert unfiltered.json()["next_changed_since"] is None


async def test_a_time_without_an_offset_is_read_in_moscow_time(api_client, world, db):
    """«2026-12-02T20:25:00» typed by a Moscow user means 17:25 UTC, not 20:25 UTC."""
    await api_client.post(
        "/v1/data-values",
        json={"values": [value(world, "2021/2022", 70)]},
        headers=world.headers("leader"),
    )
    stored = await db.scalar(text("SELECT max(updated_at) FROM api.data_value"))
    moscow = (stored - timedelta(minutes=1)).astimezone(ZoneInfo("Europe/Moscow"))
    typed = moscow.replace(tzinfo=None).isoformat(timespec="seconds")
    assert (await changed_since(api_client, world, typed))["total"] == 1
    in_utc = datetime.fromisoformat(typed).replace(tzinfo=ZoneInfo("UTC")).isoformat()
    assert (await changed_since(api_client, world, in_utc))["total"] == 0
    for beginning in ("0001-01-01T00:00:00", "0001-01-01T00:00:00+05:00"):
        assert (await changed_since(api_client, world, beginning))["total"] == 1
    assert (await changed_since(api_client, world, "9999-12-31T23:59:59-05:00"))["total"] == 0


@pytest.mark.committed
async def test_a_value_changed_while_paging_through_one_moment_does_not_hide_another(
    apps, isolation, settings, api_client
):
    """Five values posted at once share one `updated_at`; a client pages through them two at
    a time and the first is changed meanwhile: with `after` every value still comes (the
    changed one again, later); paging that moment by `offset` would have skipped one."""
    async with isolation() as session:
        world = await build_world(session, settings)
        await add_data_indicator(session, "teachers_trained", "КПК", "percent")
        await session.commit()
    periods = [f"{year}/{year + 1}" for year in range(2017, 2022)]
    posted = await api_client.post(
        "/v1/data-values",
        json={"values": [value(world, period, 50) for period in periods]},
        headers=world.headers("leader"),
    )
    assert posted.json()["imported"] == 5, posted.text
    await asyncio.sleep(0.2)  # past the watermark's margin: the cursor is the values' moment
    start = "2000-01-01T00:00:00Z"
    first = await changed_since(api_client, world, start, limit=2)
    assert [i["period"] for i in first["items"]] == periods[:2]
    assert first["next_changed_since"] == first["items"][-1]["updated_at"]
    assert first["next_after"]
    changed = await api_client.post(
        "/v1/data-values",
        json={"values": [value(world, periods[0], 55)]},
        headers=world.headers("leader"),
    )
    assert changed.json()["updated"] == 1, changed.text

    by_offset = await changed_since(api_client, world, start, limit=2, offset=2)
    assert periods[2] not in [i["period"] for i in by_offset["items"]]  # the slip `after` mends

    seen = {i["period"]: i["value"] for i in first["items"]}
    since, after = first["next_changed_since"], first["next_after"]
    for _ in range(5):
        page = await changed_since(api_client, world, since, limit=2, after=after)
        seen |= {i["period"]: i["value"] for i in page["items"]}
        if len(page["items"]) >= page["total"]:
            break
        since, after = page["next_changed_since"], page["next_after"]
    assert sorted(seen) == periods
    assert seen[periods[0]] == 55.0


async def test_an_after_token_must_be_one_the_service_gave(api_client, world):
    """A made-up or altered `after`, or one without `changed_since`: 422 naming `after`."""
    for params in (
        {"changed_since": "2000-01-01T00:00:00Z", "after": "not-a-token"},
        {"changed_since": "2000-01-01T00:00:00Z", "after": "WyJ4IiwgMSwgMl0"},  # ["x", 1, 2]
        {"changed_since": "2000-01-01T00:00:00Z", "after": "A" * 2000},
        {"after": "WyJ4IiwgMSwgMl0"},
    ):
        answer = await api_client.get(
            "/v1/data-values", params=params, headers=world.headers("analyst")
        )
        assert answer.status_code == 422, (params, answer.text)
        problem = answer.json()
        assert problem["errors"][0]["loc"] == ["query", "after"], problem
        assert "after" in problem["detail"]
