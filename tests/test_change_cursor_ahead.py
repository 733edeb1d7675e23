"""A cursor past every change the database has given out (forged, or kept by a follower from
before the database was restored from an older backup) is answered 410, as an expired one:
the follower resyncs instead of waiting for ever after changes that come below its cursor. A
cursor the feed cannot read is 422 naming `after`, said in Russian."""

import base64
import re

import pytest

from tests.changes import get_changes, read_all
from tests.factories import build_world
from tests.test_change_reader import reader_of

SERVICES = ("api", "surveys")


def forged(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


def _app(apps, service: str):
    return apps.api if service == "api" else apps.surveys


@pytest.mark.parametrize("service", SERVICES)
@pytest.mark.parametrize(
    "numbers",
    [
        "4000000000:999999999",  # a transaction the database has not given out
        "1:999999999999",  # a number its sequence has not given out
        "0:1:4000000000:1",  # a horizon reached that the database never had
    ],
)
async def test_a_cursor_from_the_future_is_answered_410(apps, db, settings, service, numbers):
    await build_world(db, settings)
    answer = await get_changes(_app(apps, service), settings, forged(f"{service}:{numbers}"))
    assert answer.status_code == 410, answer.text
    body = answer.json()
    assert body["type"].endswith("change-cursor-expired"), body
    assert "впереди" in body["detail"] and "с начала" in body["detail"], body


@pytest.mark.parametrize("service", SERVICES)
async def test_a_cursor_the_feed_gave_is_still_read(apps, db, settings, service):
    await build_world(db, settings)
    app = _app(apps, service)
    items, cursor = await read_all(app, settings)
    assert items
    again = await get_changes(app, settings, cursor)
    assert again.status_code == 200, again.text
    assert again.json() == {"items": [], "cursor": cursor, "has_more": False}


async def test_a_follower_holding_a_cursor_from_the_future_resyncs(apps, db, settings):
    await build_world(db, settings)
    reader = reader_of(apps.api, settings, "api")
    got, resyncs = [], []

    async def apply(batch) -> None:
        got.extend(batch.items)

    async def resync() -> None:
        resyncs.append(True)
        got.clear()

    future = forged("api:4000000000:999999999")
    await reader.follow(future, apply, resync, until_caught_up=True, limit=5000)
    await reader.client.aclose()
    whole, _ = await read_all(apps.api, settings)
    assert resyncs == [True]
    assert [i.model_dump() for i in got] == whole and whole


@pytest.mark.parametrize(
    ("after", "named"),
    [
        ("%%%", ""),
        (forged("api:12:x"), ""),
        (forged("surveys:12:34"), "surveys"),
        (forged("somewhere:12:34"), "somewhere"),
        (forged(":12:34"), ""),
    ],
)
async def test_a_cursor_the_feed_cannot_read_is_refused_in_russian(apps, settings, after, named):
    answer = await get_changes(apps.api, settings, after)
    assert answer.status_code == 422, answer.text
    body = answer.json()
    [error] = body["errors"]
    assert error["loc"] == ["query", "after"], error
    for said in (body["detail"], error["msg"]):
        words = said.replace(named, "").replace("api", "") if named else said.replace("api", "")
        assert not re.search("[A-Za-z]", words), said
        assert said.startswith("Курсор ленты изменений не распознан") or "курсор" in said
