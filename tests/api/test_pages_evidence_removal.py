"""An attached link or file can be taken off again (attached by mistake, the wrong version):
«Убрать» beside each on the evidence page, `DELETE /v1/activities/{id}/files/{file_id}` in the
API. Whoever may change the activity may; another school's leader of the district and a viewer
change nothing (403), another district's leader reads nothing (404); the deletion is audited.
A second «Убрать» of what is gone (another tab) says so and changes nothing."""

from sqlalchemy import select

from services.api.audit.models import AuditEvent
from services.api.roadmaps.models import ActivityFile
from tests.api.test_pages_evidence import LINK, browser, evidence, signed_in, stored
from tests.factories import add_colleagues
from tests.surveys.forms import Dom, csrf_of

browser = browser


async def attached(client, world) -> tuple:
    """The leader's link and file attached to A1; the page listing them."""
    page = await client.get(evidence(world.a1))
    posted = await client.post(
        evidence(world.a1),
        data=LINK | {"_csrf": csrf_of(page)},
        files={"file": ("приказ.pdf", b"%PDF-1.4 order", "application/pdf")},
    )
    assert posted.status_code == 303, posted.text
    return await client.get(posted.headers["location"])


async def test_the_leader_removes_a_link_and_a_file_from_the_page(browser, world, db):
    client, _ = await signed_in(browser, "leader@soko.example")
    page = await attached(client, world)
    assert 'aria-label="Убрать ссылку «Новость о семинаре»"' in page.text
    file_id = await db.scalar(select(ActivityFile.id).where(ActivityFile.file_name == "приказ.pdf"))
    removed = await client.post(
        f"{evidence(world.a1)}/remove",
        data={"link_url": LINK["url"], "link_title": LINK["title"], "_csrf": csrf_of(page)},
    )
    assert removed.status_code == 303
    after = await client.get(removed.headers["location"])
    assert "Ссылка убрана." in Dom(after.text).text("main")
    assert await stored(db, world.a1) == ([], ["протокол.pdf", "приказ.pdf"])
    removed = await client.post(
        f"{evidence(world.a1)}/remove", data={"file_id": str(file_id), "_csrf": csrf_of(after)}
    )
    after = await client.get(removed.headers["location"])
    assert "Файл удалён." in after.text and "приказ.pdf" not in after.text
    assert await stored(db, world.a1) == ([], ["протокол.pdf"])
    # The same «Убрать» again (the page left open in another tab): said, nothing else goes.
    again = await client.post(
        f"{evidence(world.a1)}/remove", data={"file_id": str(file_id), "_csrf": csrf_of(after)}
    )
    assert "Этого материала уже нет" in (await client.get(again.headers["location"])).text
    assert await stored(db, world.a1) == ([], ["протокол.pdf"])
    deleted = await db.scalar(
        select(AuditEvent).where(
            AuditEvent.entity_type == "activity_file",
            AuditEvent.entity_id == str(file_id),
            AuditEvent.action == "delete",
        )
    )
    assert deleted is not None and "PDF-1.4" not in str(deleted.changes)  # never the bytes
    assert "приказ.pdf" in str(deleted.changes)  # which file it was


async def test_others_remove_nothing_through_the_page_or_the_api(
    browser, api_client, world, db, settings
):
    await add_colleagues(db, settings, world)
    leader, _ = await signed_in(browser, "leader@soko.example")
    page = await attached(leader, world)
    file_id = await db.scalar(select(ActivityFile.id).where(ActivityFile.file_name == "приказ.pdf"))
    for who, status in (
        ("leader2@soko.example", 403),  # S2's leader: the same district, not responsible
        ("viewer@soko.example", 403),
        ("leader3@soko.example", 404),  # another district's: does not read R1
    ):
        client, home = await signed_in(browser, who)
        for fields in (
            {"file_id": str(file_id)},
            {"link_url": LINK["url"], "link_title": LINK["title"]},
        ):
            refused = await client.post(
                f"{evidence(world.a1)}/remove", data=fields | {"_csrf": csrf_of(home)}
            )
            assert refused.status_code == status, (who, refused.status_code)
    for who, status in (("viewer", 403), ("leader3", 404)):
        answer = await api_client.delete(
            f"/v1/activities/{world.a1.id}/files/{file_id}", headers=world.headers(who)
        )
        assert answer.status_code == status, (who, answer.text)
    # A file of another activity named under A1: not found, nothing removed.
    other = await api_client.delete(
        f"/v1/activities/{world.a2.id}/files/{file_id}", headers=world.headers("admin")
    )
    assert other.status_code == 404, other.text
    assert await stored(db, world.a1) == ([LINK], ["протокол.pdf", "приказ.pdf"])
    # The analyst of the roadmap's owner removes it through the API.
    answer = await api_client.delete(
        f"/v1/activities/{world.a1.id}/files/{file_id}", headers=world.headers("analyst")
    )
    assert answer.status_code == 204, answer.text
    assert await stored(db, world.a1) == ([LINK], ["протокол.pdf"])
    assert page.status_code == 200
