"""An `Idempotency-Key` is bound to the whole request: a dry run neither takes nor replays it
(checking a batch and then storing it with the same key stores it), and a file upload honours
it as the JSON post does (a retry replays, another file with the same key is 409, nothing of
it stored)."""

import pytest
from sqlalchemy import select

from services.api.data_values.models import DataValue
from tests.api.test_data_values import post, row
from tests.api.test_data_values import world as data_world

world = data_world

PATH = "/v1/data-values"


async def _stored(db, world) -> list[float]:
    found = await db.scalars(
        select(DataValue.value).where(DataValue.organization_id == world.s1.id)
    )
    return sorted(found)


def _headers(world, key: str) -> dict:
    return world.headers("leader") | {"Idempotency-Key": key}


async def test_a_dry_run_then_the_real_post_with_the_same_key_stores(api_client, world, db):
    headers = _headers(world, "batch-1")
    checked = await post(api_client, world, [row(world, value=41)], who=headers, dry_run="true")
    assert checked.json()["dry_run"] is True and checked.json()["imported"] == 1
    assert await _stored(db, world) == []
    stored = await post(api_client, world, [row(world, value=41)], who=headers)
    assert "idempotent-replayed" not in stored.headers
    assert stored.json()["dry_run"] is False and stored.json()["imported"] == 1
    assert await _stored(db, world) == [41.0]
    # A retry of the real post replays it; a dry run after it is run, not replayed.
    again = await post(api_client, world, [row(world, value=41)], who=headers)
    assert again.headers["idempotent-replayed"] == "true" and again.json() == stored.json()
    checked = await post(api_client, world, [row(world, value=42)], who=headers, dry_run="true")
    assert checked.json()["dry_run"] is True and checked.json()["updated"] == 1
    assert "idempotent-replayed" not in checked.headers
    assert await _stored(db, world) == [41.0]


def _csv(world, value: str) -> bytes:
    return (
        "indicator_code;organization_id;period;value\n"
        f"teachers_trained;{world.s1.id};2021/2022;{value}\n"
    ).encode()


async def _upload(client, world, key: str, content: bytes, **params):
    return await client.post(
        f"{PATH}/upload",
        files={"file": ("values.csv", content)},
        params=params,
        headers=_headers(world, key),
    )


async def test_an_upload_with_a_key_is_stored_once_and_another_file_is_409(api_client, world, db):
    first = await _upload(api_client, world, "file-1", _csv(world, "45"))
    assert first.status_code == 200 and first.json()["imported"] == 1, first.text
    # The retry (curl draws a new multipart boundary each time) gets the first answer.
    again = await _upload(api_client, world, "file-1", _csv(world, "45"))
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
    other = await _upload(api_client, world, "file-1", _csv(world, "5"))
    assert other.status_code == 409, other.text
    problem = other.json()
    assert problem["field"] == "Idempotency-Key", problem
    assert "Idempotency-Key уже использован с другим запросом" in problem["detail"]
    assert await _stored(db, world) == [45.0]  # the other file's 5 is not stored
    # A dry run of another file with the used key is checked, not refused.
    checked = await _upload(api_client, world, "file-1", _csv(world, "5"), dry_run="true")
    assert checked.status_code == 200 and checked.json()["updated"] == 1


@pytest.mark.parametrize(
    "path", ["/v1/assessment-results/upload", "/v1/assessment-results/participants/upload"]
)
async def test_every_bulk_upload_reads_the_key(api_client, world, path):
    # The upload's documented parameters name the key (the JSON post's do too).
    spec = (await api_client.get("/openapi.json")).json()
    parameters = spec["paths"][path]["post"]["parameters"]
    assert "Idempotency-Key" in [p["name"] for p in parameters]
