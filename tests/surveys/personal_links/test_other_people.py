"""Anyone but the link's teacher, signed in on the link or on the pages, gets a 403 page and
stores nothing; the teacher's session opens only their own link."""

import pytest

from tests.surveys.forms import csrf_of, sign_in
from tests.surveys.personal_links.helpers import (
    ANSWERS,
    EMAILS,
    pages_token,
    shows_the_form,
    stored,
)


@pytest.mark.parametrize("who", ["teacher2", "leader", "analyst", "methodologist", "admin"])
async def test_anyone_elses_session_gets_a_403_page_and_nothing_is_stored(
    form, diagnostic, db, who
):
    """A colleague, the leader, an analyst, a methodologist, an administrator: signed in on
    the teacher's link, they see neither the form nor the title, and store nothing."""
    campaign, links = diagnostic
    refused = await sign_in(form, links["t1"], EMAILS[who])
    assert refused.status_code == 403 and "Это чужая персональная ссылка" in refused.text
    assert "soko_form_session=" in refused.headers["set-cookie"]  # signed in, but not here
    for url in (links["t1"], f"{links['t1']}/thanks", f"{links['t1']}?saved=1"):
        page = await form.get(url)
        assert page.status_code == 403 and "Это чужая персональная ссылка" in page.text
        assert not shows_the_form(page) and campaign["title"] not in page.text
    token = csrf_of(page)  # their own page's token: the refusal is not about CSRF
    for action in ("submit", "draft"):
        posted = await form.post(links["t1"], data=ANSWERS | {"_action": action, "_csrf": token})
        assert posted.status_code == 403 and "профиль" not in posted.text
    assert await stored(db) == 0


async def test_the_teachers_session_opens_only_their_own_link(form, diagnostic, db):
    _, links = diagnostic
    await sign_in(form, links["t1"], EMAILS["teacher"])
    colleague = await form.get(links["t2"])
    assert colleague.status_code == 403 and not shows_the_form(colleague)
    token = csrf_of(colleague)
    posted = await form.post(links["t2"], data=ANSWERS | {"_csrf": token})
    assert posted.status_code == 403
    assert await stored(db) == 0


@pytest.mark.parametrize("who", ["teacher2", "leader", "analyst"])
async def test_someone_else_signed_in_on_the_pages_gets_a_403_page_on_a_teachers_link(
    form, diagnostic, api_client, db, who
):
    """A colleague of the same school, its leader, the territory's analyst: their pages'
    session opens neither the form nor the title, and stores nothing."""
    campaign, links = diagnostic
    form.cookies.set("soko_session", await pages_token(api_client, who))
    page = await form.get(links["t1"])
    assert page.status_code == 403 and not shows_the_form(page)
    assert campaign["title"] not in page.text
    posted = await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(page)})
    assert posted.status_code == 403
    assert await stored(db) == 0
