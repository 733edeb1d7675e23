"""A change of a collection and an approval step of its data, sent at once, take turns: a
PATCH or DELETE checks the approvals and writes under the collection's row lock, which every
approval step takes too (shared), so neither lands between the other's check and its write.
Never a collection changed, emptied of a window or deleted under an approval given (or a
submission taken) against what it was before."""

import asyncio

import httpx
import pytest

from tests.collections_world import SUBMITTED
from tests.factories import TRAINED, add_data_indicator, committed_world

ROUNDS = 10
WINDOW = {"period": SUBMITTED, "opens_date": "2021-09-01", "due_date": "2021-10-01"}
LATER = {"period": "2022/2023", "opens_date": "2022-09-01", "due_date": "2022-10-01"}


@pytest.fixture
async def world(apps, isolation, settings):
    """The committed test world with the percent indicator `teachers_trained` and S1's
    `e_planning` of the submitted period stored (so an approval of a collection of
    `e_planning` alone misses nothing)."""
    world = await committed_world(isolation, settings)
    async with isolation() as session:
        await add_data_indicator(session, "teachers_trained", TRAINED, "percent")
        await session.commit()
    return world


async def new_collection(client, world, windows=(WINDOW,), submit=True) -> str:
    """A collection of M1 over `e_planning`, S1's data of the period submitted; its path."""
    body = {
        "name": "Сбор для гонки",
        "owner_territory_id": str(world.m1.id),
        "indicator_codes": ["e_planning"],
        "windows": list(windows),
    }
    created = await client.post("/v1/collections", json=body, headers=world.headers("analyst"))
    assert created.status_code == 201, created.text
    path = f"/v1/collections/{created.json()['id']}"
    if submit:
        submitted = await step(client, world, path, "submit", "leader")
        assert submitted.status_code == 200, submitted.text
    return path


async def step(client, world, path, action, who) -> httpx.Response:
    body = {"organization_id": str(world.s1.id), "period": SUBMITTED}
    return await client.post(f"{path}/approvals/{action}", json=body, headers=world.headers(who))


def client_of(apps) -> httpx.AsyncClient:
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=apps.api), base_url="http://t")


@pytest.mark.committed
async def test_indicators_changed_while_data_are_approved_are_refused_or_approved_after(
    apps, world
):
    """Either the approval came first and the change is refused (409), or the change came
    first and the approval was given against the new indicators (it says what is missing)."""
    analyst = world.headers("analyst")
    async with client_of(apps) as client:
        planning = {"indicator_code": "e_planning", "organization_id": str(world.s1.id)}
        posted = await client.post(
            "/v1/data-values",
            json={"values": [{**planning, "period": SUBMITTED, "value": True}]},
            headers=world.headers("leader"),
        )
        assert posted.status_code == 200, posted.text
        for round_ in range(ROUNDS):
            path = await new_collection(client, world)
            changed, approved = await asyncio.gather(
                client.patch(
                    path,
                    json={"indicator_codes": ["e_planning", "teachers_trained"]},
                    headers=analyst,
                ),
                step(client, world, path, "approve", "analyst"),
            )
            assert approved.status_code == 200, (round_, approved.text)
            assert changed.status_code in (200, 409), (round_, changed.text)
            stored = (await client.get(path, headers=analyst)).json()["indicator_codes"]
            missing = approved.json()["missing_indicator_codes"]
            if changed.status_code == 409:  # approved first: the collection stayed
                assert (stored, missing) == (["e_planning"], []), round_
            else:  # changed first: the approval saw the new indicator missing
                assert stored == ["e_planning", "teachers_trained"], round_
                assert missing == ["teachers_trained"], (round_, approved.json())


@pytest.mark.committed
async def test_a_window_dropped_while_data_are_submitted_is_refused_or_the_submission_is(
    apps, world
):
    """Either the submission came first and the window stays (409), or the window went first
    and there is nothing to submit to (422): never a submission of a period without a window."""
    analyst = world.headers("analyst")
    async with client_of(apps) as client:
        for round_ in range(ROUNDS):
            path = await new_collection(client, world, windows=(WINDOW, LATER), submit=False)
            changed, submitted = await asyncio.gather(
                client.patch(path, json={"windows": [LATER]}, headers=analyst),
                step(client, world, path, "submit", "leader"),
            )
            answers = (changed.status_code, submitted.status_code)
            assert answers in ((409, 200), (200, 422)), (round_, changed.text, submitted.text)
            windows = (await client.get(path, headers=analyst)).json()["windows"]
            approvals = (await client.get(f"{path}/approvals", headers=analyst)).json()
            if submitted.status_code == 200:
                assert [w["period"] for w in windows] == [SUBMITTED, "2022/2023"], round_
                assert [a["status"] for a in approvals["items"]] == ["submitted"], round_
            else:
                assert [w["period"] for w in windows] == ["2022/2023"], round_
                assert approvals["items"] == [], round_


@pytest.mark.committed
async def test_a_collection_deleted_while_its_data_are_approved_is_refused_or_gone_first(
    apps, world
):
    """Either the approval came first and the collection stays (409), or the deletion came
    first and there is nothing left to approve (404): never approved data deleted."""
    analyst = world.headers("analyst")
    async with client_of(apps) as client:
        for round_ in range(ROUNDS):
            path = await new_collection(client, world)
            deleted, approved = await asyncio.gather(
                client.delete(path, headers=analyst),
                step(client, world, path, "approve", "analyst"),
            )
            answers = (deleted.status_code, approved.status_code)
            assert answers in ((409, 200), (204, 404)), (round_, deleted.text, approved.text)
            found = await client.get(path, headers=analyst)
            assert found.status_code == (200 if approved.status_code == 200 else 404), round_
