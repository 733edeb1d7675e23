"""Concurrent PATCHes of one row that each change a part of it (an organization's context,
merged as a JSON merge patch; a cluster's coordinator, who joins its members; a validation
rule's two sides, which give the indicators it reads) both stay: the
row is locked when it is loaded for the change, so the second merges into what the first
committed, not into what both read."""

import asyncio

import httpx
import pytest
from sqlalchemy import select

from services.api.organizations.models import ClusterMember, Organization
from tests.api.validation import add_rule, validation_world
from tests.factories import committed_world

ROUNDS = 10


@pytest.mark.committed
async def test_concurrent_context_patches_keep_both_fields(apps, isolation, settings):
    world = await committed_world(isolation, settings)
    admin = world.headers("admin")
    url = f"/v1/organizations/{world.s1.id}"
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for round_ in range(ROUNDS):
            students, social_index = 600 + round_, round(0.1 + round_ / 100, 2)
            answers = await asyncio.gather(
                client.patch(url, json={"context": {"students": students}}, headers=admin),
                client.patch(url, json={"context": {"social_index": social_index}}, headers=admin),
            )
            assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
            async with isolation() as session:
                context = await session.scalar(
                    select(Organization.context).where(Organization.id == world.s1.id)
                )
            assert context["students"] == students, (round_, context)
            assert context["social_index"] == social_index, (round_, context)


@pytest.mark.committed
async def test_a_new_coordinator_joins_members_changed_at_the_same_time(apps, isolation, settings):
    world = await committed_world(isolation, settings)
    admin = world.headers("admin")
    url = f"/v1/clusters/{world.c1.id}"
    s1, s2 = str(world.s1.id), str(world.s2.id)
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for round_ in range(ROUNDS):
            # back to coordinator S1 with members S1 and S2
            reset = {"coordinator_id": s1, "member_ids": [s1, s2]}
            assert (await client.patch(url, json=reset, headers=admin)).status_code == 200
            answers = await asyncio.gather(
                client.patch(url, json={"member_ids": [s1]}, headers=admin),
                client.patch(url, json={"coordinator_id": s2}, headers=admin),
            )
            assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
            async with isolation() as session:
                members = set(
                    await session.scalars(
                        select(ClusterMember.organization_id).where(
                            ClusterMember.cluster_id == world.c1.id
                        )
                    )
                )
            assert world.s2.id in members, (round_, members)  # the coordinator is a member


@pytest.mark.committed
async def test_a_rules_two_sides_changed_at_once_both_give_its_indicators(
    apps, isolation, settings
):
    async with isolation() as session:
        world = await validation_world(session, settings)
        await session.commit()
    analyst = world.headers("analyst")
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        rule = await add_rule(client, world)
        url = f"/v1/validation-rules/{rule['id']}"
        for round_ in range(ROUNDS):
            back = {"left": "students_passed", "right": "students_total"}
            assert (await client.patch(url, json=back, headers=analyst)).status_code == 200
            answers = await asyncio.gather(
                client.patch(url, json={"left": "teachers_with_category"}, headers=analyst),
                client.patch(url, json={"right": "teachers_total"}, headers=analyst),
            )
            assert [a.status_code for a in answers] == [200, 200], [a.text for a in answers]
            stored = (await client.get(url, headers=analyst)).json()
            assert (stored["left"], stored["right"]) == ("teachers_with_category", "teachers_total")
            wanted = ["teachers_total", "teachers_with_category"]
            assert stored["indicator_codes"] == wanted, (round_, stored)
