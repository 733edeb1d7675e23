"""Writes through the api service's own endpoints reach its change feed: a spreadsheet upload
of data values, a batch of assessment results, a roadmap import, and targets replaced (the
ones taken away are deletions). tests/api/test_changes.py covers the feed itself."""

from services.demo.loader import SEEDS
from tests.changes import of, read_all


async def test_an_uploaded_spreadsheet_of_values_is_in_the_feed_row_by_row(
    apps, settings, api_client, world
):
    _, cursor = await read_all(apps.api, settings)
    csv = (
        "indicator_code;organization_id;period;value\n"
        f"e_planning;{world.s1.id};2019/2020;false\n"
        f"e_planning;{world.s1.id};2020/2021;true\n"
        f"e_planning;{world.s1.id};2021/2022;true\n"
        f"e_planning;{world.s1.id};2021/22;true\n"  # rejected: not a period
    ).encode("cp1251")
    answer = await api_client.post(
        "/v1/data-values/upload",
        files={"file": ("values.csv", csv)},
        headers=world.headers("leader"),
    )
    assert answer.json()["imported"] == 3, answer.text
    items, _ = await read_all(apps.api, settings, cursor)
    got = {
        (i["state"]["indicator_code"], i["key"]["organization_id"], i["key"]["period"]): i["state"][
            "value"
        ]
        for i in items
        if i["entity"] == "data_value"
    }
    assert got == {
        ("e_planning", str(world.s1.id), "2019/2020"): 0.0,
        ("e_planning", str(world.s1.id), "2020/2021"): 1.0,
        ("e_planning", str(world.s1.id), "2021/2022"): 1.0,
    }
    assert {i["op"] for i in items} == {"upsert"}


async def test_posted_assessment_results_are_in_the_feed_with_their_procedure(
    apps, settings, api_client, world
):
    _, cursor = await read_all(apps.api, settings)
    rows = [
        {
            "organization_id": str(world.s1.id),
            "procedure": "vpr",
            "year": "2021/2022",
            "subject": subject,
            "grade": 5,
            "participants": 10,
            "marks": {"2": 1, "3": 3, "4": 4, "5": 2},
        }
        for subject in ("Русский язык", "Математика")
    ]
    answer = await api_client.post(
        "/v1/assessment-results", json={"results": rows}, headers=world.headers("leader")
    )
    assert answer.json()["imported"] + answer.json()["updated"] == 2, answer.text
    items, _ = await read_all(apps.api, settings, cursor)
    results = of(items, "assessment_result")
    assert {r["state"]["organization_id"] for r in results} == {str(world.s1.id)}
    assert sorted(
        (r["state"]["subject"], r["state"]["procedure_code"], r["state"]["mark_4"]) for r in results
    ) == [("Математика", "vpr", 4), ("Русский язык", "vpr", 4)]
    # A second post of the same rows with other marks: the same keys, their new state.
    rows[0]["marks"] = {"2": 0, "3": 3, "4": 5, "5": 2}
    await api_client.post(
        "/v1/assessment-results", json={"results": rows}, headers=world.headers("leader")
    )
    again, _ = await read_all(apps.api, settings, cursor)
    [russian] = [
        r for r in of(again, "assessment_result") if r["state"]["subject"] == "Русский язык"
    ]
    assert (russian["state"]["mark_2"], russian["state"]["mark_4"]) == (0, 5)


async def test_an_imported_roadmap_is_in_the_feed_with_its_sections_and_activities(
    apps, settings, api_client, world
):
    _, cursor = await read_all(apps.api, settings)
    path = next(SEEDS.glob("000_*.txt"))
    answer = await api_client.post(
        "/v1/roadmaps/import",
        data={"level": "municipality", "owner_type": "territory", "owner_id": str(world.m1.id)},
        files={"file": (path.name, path.read_bytes())},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 201, answer.text
    roadmap = answer.json()["roadmap"]
    items, _ = await read_all(apps.api, settings, cursor)
    assert [i["state"]["title"] for i in of(items, "roadmap", id=roadmap["id"])] == [
        roadmap["title"]
    ]
    sections = [
        i for i in of(items, "roadmap_section") if i["state"]["roadmap_id"] == roadmap["id"]
    ]
    assert len(sections) == len(roadmap["sections"])
    activities = {i["key"]["id"] for i in items if i["entity"] == "activity"}
    assert activities == {a["id"] for s in roadmap["sections"] for a in s["activities"]}


async def test_targets_replaced_through_the_api_leave_deletions_of_the_old_ones(
    apps, settings, api_client, world
):
    admin = world.headers("admin")
    path = f"/v1/indicators/{world.planning.id}"
    first = [{"op": ">=", "value": 0.5, "period": p} for p in ("2021/2022", "2022/2023")]
    assert (await api_client.patch(path, json={"targets": first}, headers=admin)).status_code == 200
    items, cursor = await read_all(apps.api, settings)
    old = {
        i["key"]["id"]
        for i in of(items, "indicator_target")
        if i["state"]["indicator_id"] == str(world.planning.id)
    }
    assert len(old) == 2

    second = [{"op": ">=", "value": 0.8, "period": "2023/2024"}]
    assert (
        await api_client.patch(path, json={"targets": second}, headers=admin)
    ).status_code == 200
    items, _ = await read_all(apps.api, settings, cursor)
    deleted = {
        i["key"]["id"] for i in items if i["entity"] == "indicator_target" and i["op"] == "delete"
    }
    assert deleted == old
    [new] = [i for i in items if i["entity"] == "indicator_target" and i["op"] == "upsert"]
    assert (new["state"]["period"], new["state"]["value"]) == ("2023/2024", 0.8)
    assert all(i["state"] is None for i in items if i["op"] == "delete")
