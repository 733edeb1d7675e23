"""The evidence page's form carries the activity's ETag: when someone changed the activity after
the page was opened, the link typed is not attached — the page says so in Russian and shows
the link as typed, beside the activity as it is now; opened afresh, it attaches."""

import html
import re

from tests.api import test_pages
from tests.api.test_pages_evidence import LINK, evidence, stored
from tests.surveys.forms import csrf_of

browser = test_pages.browser
signed_in = test_pages.signed_in
STALE = "Запись изменил другой пользователь после того, как вы её открыли"


def etag_of(page) -> str:
    found = re.search(r'<input type="hidden" name="etag" value="([^"]*)">', page.text)
    assert found, "the form carries no etag"
    return html.unescape(found.group(1))


async def test_a_link_typed_on_a_page_opened_before_someone_elses_change_is_not_attached(
    browser, world, db, api_client
):
    client, _ = await signed_in(browser, "leader@soko.example")
    opened = await client.get(evidence(world.a1))
    assert (
        etag_of(opened)
        == (
            await api_client.get(f"/v1/activities/{world.a1.id}", headers=world.headers("analyst"))
        ).headers["ETag"]
    )
    other = {"url": "https://school1.example/other", "title": "Приложил аналитик"}
    meanwhile = await api_client.patch(
        f"/v1/activities/{world.a1.id}",
        json={"evidence": [other]},
        headers=world.headers("analyst"),
    )
    assert meanwhile.status_code == 200, meanwhile.text

    posted = await client.post(
        evidence(world.a1), data=LINK | {"_csrf": csrf_of(opened), "etag": etag_of(opened)}
    )

    assert posted.status_code == 303, posted.text
    again = await client.get(posted.headers["location"])
    assert STALE in again.text
    assert f'value="{LINK["url"]}"' in again.text  # what was typed is still in the form
    assert f'value="{LINK["title"]}"' in again.text
    assert other["title"] in again.text  # the activity as it is now
    assert (await stored(db, world.a1))[0] == [other]  # the analyst's link stays alone

    retried = await client.post(
        evidence(world.a1), data=LINK | {"_csrf": csrf_of(again), "etag": etag_of(again)}
    )
    assert retried.headers["location"] == f"{evidence(world.a1)}?added=link#attached"
    assert (await stored(db, world.a1))[0] == [other, LINK]


async def test_a_page_nobody_changed_since_attaches_as_before(browser, world, db):
    client, _ = await signed_in(browser, "leader@soko.example")
    opened = await client.get(evidence(world.a1))

    posted = await client.post(
        evidence(world.a1), data=LINK | {"_csrf": csrf_of(opened), "etag": etag_of(opened)}
    )

    assert posted.headers["location"] == f"{evidence(world.a1)}?added=link#attached"
    assert (await stored(db, world.a1))[0] == [LINK]


async def test_a_file_alone_is_attached_whatever_changed_since(browser, world, db, api_client):
    """A file overwrites nobody's change (the activity's links are what a stale page could):
    sent from a page opened before an analyst's link, it was refused and had to be picked
    again; it is attached beside that link now. A link with it still waits for a fresh page."""
    client, _ = await signed_in(browser, "leader@soko.example")
    opened = await client.get(evidence(world.a1))
    other = {"url": "https://school1.example/other", "title": "Приложил аналитик"}
    meanwhile = await api_client.patch(
        f"/v1/activities/{world.a1.id}",
        json={"evidence": [other]},
        headers=world.headers("analyst"),
    )
    assert meanwhile.status_code == 200, meanwhile.text
    form = {"_csrf": csrf_of(opened), "etag": etag_of(opened)}
    order = {"file": ("приказ.pdf", b"%PDF-1.4 order", "application/pdf")}
    _, files = await stored(db, world.a1)

    posted = await client.post(evidence(world.a1), data=form, files=order)

    assert posted.headers["location"] == f"{evidence(world.a1)}?added=file#attached"
    links, names = await stored(db, world.a1)
    assert (links, sorted(names)) == ([other], sorted([*files, "приказ.pdf"]))
    both = await client.post(evidence(world.a1), data=LINK | form, files=order)
    again = await client.get(both.headers["location"])
    assert STALE in again.text
    links, names = await stored(db, world.a1)
    assert (links, sorted(names)) == ([other], sorted([*files, "приказ.pdf"]))
