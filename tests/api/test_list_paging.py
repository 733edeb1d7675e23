"""The api's lists that answered a bare array answer `{items, total}` and page by `limit` and
`offset`: an organization's API keys, an activity's status history and its evidence files."""

from tests.paging import walk


async def test_an_organizations_api_keys_page(api_client, world):
    url = f"/v1/organizations/{world.s1.id}/api-keys"
    leader = world.headers("leader")
    for name in ("АИС 1", "АИС 2", "АИС 3"):
        made = await api_client.post(url, json={"name": name}, headers=leader)
        assert made.status_code == 201, made.text
    keys = await walk(api_client, url, leader, total=5)  # the world's two keys and these three
    assert [k["name"] for k in keys[2:]] == ["АИС 1", "АИС 2", "АИС 3"]
    assert {k["organization_id"] for k in keys} == {str(world.s1.id)}


async def test_an_activitys_history_pages(api_client, world):
    url = f"/v1/activities/{world.a1.id}"
    analyst = world.headers("analyst")
    for status in ("in_progress", "done", "in_progress"):
        changed = await api_client.patch(url, json={"status": status}, headers=analyst)
        assert changed.status_code == 200, changed.text
    history = await walk(api_client, f"{url}/history", world.headers("viewer"), total=3)
    assert [(h["from_status"], h["to_status"]) for h in history] == [
        ("planned", "in_progress"),
        ("in_progress", "done"),
        ("done", "in_progress"),
    ]


async def test_an_activitys_files_page(api_client, world):
    url = f"/v1/activities/{world.a1.id}/files"
    analyst = world.headers("analyst")
    for name in ("протокол.pdf", "приказ.pdf", "отчёт.pdf"):
        files = {"file": (name, b"%PDF-1.4 " + name.encode(), "application/pdf")}
        uploaded = await api_client.post(url, files=files, headers=analyst)
        assert uploaded.status_code == 201, uploaded.text
    listed = await walk(api_client, url, world.headers("viewer"), total=4)  # and the world's
    assert [f["file_name"] for f in listed[1:]] == ["протокол.pdf", "приказ.pdf", "отчёт.pdf"]
    assert "content" not in listed[0]
