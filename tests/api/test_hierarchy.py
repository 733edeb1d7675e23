"""Territories, organizations with context data, clusters and staff, as analysts build them."""


async def test_analyst_builds_a_municipality_with_schools_and_a_cluster(api_client, world):
    h = world.headers("analyst")
    settlement = await api_client.post(
        "/v1/territories",
        json={"name": "Сельское поселение", "kind": "municipality", "parent_id": str(world.m1.id)},
        headers=h,
    )
    assert settlement.status_code == 201
    school = await api_client.post(
        "/v1/organizations",
        json={
            "name": "МБОУ «СОШ № 5»",
            "kind": "school",
            "territory_id": settlement.json()["id"],
            "context": {"students": 212, "rural": True, "social_index": 41.5},
        },
        headers=h,
    )
    assert school.status_code == 201
    assert school.json()["context"]["rural"] is True
    cluster = await api_client.post(
        "/v1/clusters",
        json={
            "name": "Кластер сельских школ",
            "territory_id": str(world.m1.id),
            "coordinator_id": school.json()["id"],
            "member_ids": [str(world.s2.id)],
        },
        headers=h,
    )
    assert cluster.status_code == 201
    # The coordinator is always a member.
    assert set(cluster.json()["member_ids"]) == {school.json()["id"], str(world.s2.id)}

    # Organizations of M1 include those of the settlement inside it.
    listed = await api_client.get(f"/v1/organizations?territory_id={world.m1.id}", headers=h)
    names = [o["name"] for o in listed.json()["items"]]
    assert listed.json()["total"] == 3 and "МБОУ «СОШ № 5»" in names


async def test_unknown_context_attribute_is_422_naming_it(api_client, world):
    answer = await api_client.post(
        "/v1/organizations",
        json={
            "name": "Школа",
            "kind": "school",
            "territory_id": str(world.m1.id),
            "context": {"students": -1, "colour": "blue"},
        },
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 422
    locs = {tuple(e["loc"]) for e in answer.json()["errors"]}
    assert ("body", "context", "students") in locs and ("body", "context", "colour") in locs


async def test_lists_show_only_the_callers_scope(api_client, world):
    as_analyst = await api_client.get("/v1/organizations", headers=world.headers("analyst"))
    assert {o["name"] for o in as_analyst.json()["items"]} == {"Школа 1", "Школа 2"}
    as_leader = await api_client.get("/v1/organizations", headers=world.headers("leader"))
    assert [o["name"] for o in as_leader.json()["items"]] == ["Школа 1"]
    territories = await api_client.get("/v1/territories", headers=world.headers("leader"))
    assert {t["name"] for t in territories.json()["items"]} == {"Область", "Район 1"}
    clusters = await api_client.get("/v1/clusters", headers=world.headers("leader"))
    assert [c["name"] for c in clusters.json()["items"]] == ["Кластер 1"]
    as_admin = await api_client.get(
        "/v1/organizations?limit=2&offset=1", headers=world.headers("admin")
    )
    assert as_admin.json()["total"] == 3 and len(as_admin.json()["items"]) == 2


async def test_cluster_with_a_school_outside_the_analysts_territory_is_refused(api_client, world):
    answer = await api_client.post(
        "/v1/clusters",
        json={"name": "Чужой", "territory_id": str(world.m1.id), "member_ids": [str(world.s3.id)]},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "member_ids"]
    assert answer.json()["errors"][0]["msg"] == (
        f"Организации не найдены или вне вашей зоны доступа: {world.s3.id}"
    )


async def test_regional_analyst_builds_a_cluster_across_municipalities(
    api_client, db, world, settings
):
    from services.api.auth.service import user_principal
    from shared.identity import issue_user_token
    from tests.factories import add_user

    regional = add_user(
        db, "region@soko.example", "territory_analyst", "territory", world.region.id
    )
    await db.flush()
    h = {"Authorization": f"Bearer {issue_user_token(settings, user_principal(regional))}"}
    answer = await api_client.post(
        "/v1/clusters",
        json={
            "name": "Межмуниципальный",
            "territory_id": str(world.region.id),
            "coordinator_id": str(world.s1.id),
            "member_ids": [str(world.s3.id)],
        },
        headers=h,
    )
    assert answer.status_code == 201
    # The school in M2 sees the cluster it belongs to.
    as_leader3 = await api_client.get(
        f"/v1/clusters/{answer.json()['id']}", headers=world.headers("leader3")
    )
    assert as_leader3.status_code == 200


async def test_territory_cannot_move_under_itself(api_client, world):
    answer = await api_client.patch(
        f"/v1/territories/{world.region.id}",
        json={"parent_id": str(world.m1.id)},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["loc"] == ["body", "parent_id"]


async def test_leader_edits_context_but_not_the_name_of_the_school(api_client, world):
    h = world.headers("leader")
    url = f"/v1/organizations/{world.s1.id}"
    ok = await api_client.patch(url, json={"context": {"students": 510, "shifts": 2}}, headers=h)
    assert ok.status_code == 200 and ok.json()["context"] == {"students": 510, "shifts": 2}
    assert (await api_client.patch(url, json={"name": "Лицей"}, headers=h)).status_code == 403


async def test_a_context_change_keeps_the_fields_not_sent(api_client, world):
    """PATCH {"context": {"students": 601}} replaced the whole context: the school's rural
    flag, social index and the rest, which the context analysis reads, were lost, and two
    people changing two fields at once lost one change. The fields sent are merged in; one
    sent as null is removed."""
    url = f"/v1/organizations/{world.s1.id}"
    full = {"students": 500, "rural": True, "social_index": 42.5, "shifts": 2}
    assert (
        await api_client.patch(url, json={"context": full}, headers=world.headers("admin"))
    ).status_code == 200
    leader = await api_client.patch(
        url, json={"context": {"students": 601}}, headers=world.headers("leader")
    )
    analyst = await api_client.patch(
        url, json={"context": {"shifts": 1, "rural": None}}, headers=world.headers("analyst")
    )
    assert leader.status_code == analyst.status_code == 200, analyst.text
    assert leader.json()["context"] == full | {"students": 601}
    assert analyst.json()["context"] == {"students": 601, "social_index": 42.5, "shifts": 1}


async def test_staff_member_is_created_listed_and_read_by_the_teacher_themself(api_client, world):
    h = world.headers("leader")
    created = await api_client.post(
        f"/v1/organizations/{world.s1.id}/staff",
        json={
            "full_name": "Кузнецова Ольга",
            "position": "teacher",
            "subjects": ["Математика", "Физика"],
        },
        headers=h,
    )
    assert created.status_code == 201
    listed = await api_client.get(
        f"/v1/organizations/{world.s1.id}/staff?position=teacher", headers=h
    )
    assert {m["full_name"] for m in listed.json()["items"]} == {"Иванова Мария", "Кузнецова Ольга"}
    own = await api_client.get(f"/v1/staff/{world.t1.id}", headers=world.headers("teacher"))
    assert own.status_code == 200
    other = await api_client.get(
        f"/v1/staff/{created.json()['id']}", headers=world.headers("teacher")
    )
    assert other.status_code in (403, 404)
