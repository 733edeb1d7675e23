"""A session that ends keeps the answers; an account's change ends the form's session; a teacher
signed in on the pages needs no second sign-in, and signing out ends both."""

import pytest

from shared.identity import TokenChecker
from tests.factories import PASSWORD, expired_token
from tests.surveys.forms import Dom, csrf_of, sign_in
from tests.surveys.personal_links.helpers import (
    ANSWERS,
    EMAILS,
    pages_token,
    shows_the_form,
    stored,
)


async def test_an_ended_session_loses_no_answers(form, diagnostic, world, db, settings):
    """The token expired while the teacher was answering: the post shows the sign-in page with
    the answers carried; after signing in they are back in the form, stored only on submit."""
    _, links = diagnostic
    form.cookies.set("soko_form_session", expired_token(settings, world), path="/s/")
    posted = await form.post(links["t1"], data=ANSWERS | {"_action": "submit"})
    assert posted.status_code == 401 and "не потеряны" in posted.text
    hidden = [c for c in Dom(posted.text).controls if c.get("type") == "hidden"]
    carried = {str(c["name"]): str(c["value"]) for c in hidden}
    assert all(carried[f"a:{code}"] == value for code, value in ANSWERS.items())
    assert await stored(db) == 0
    fields = carried | {"username": EMAILS["teacher"], "password": PASSWORD}
    restored = await form.post(f"{links['t1']}/sign-in", data=fields)
    assert restored.status_code == 200 and "ответы на месте" in restored.text
    dom = Dom(restored.text)
    assert all(dom.checked(code) == [value] for code, value in ANSWERS.items())
    assert await stored(db) == 0
    done = await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(restored)})
    assert done.status_code == 303 and done.headers["location"] == f"{links['t1']}/thanks"
    assert "Ваш профиль компетенций" in (await form.get(done.headers["location"])).text


@pytest.mark.parametrize(
    "change", [{"is_active": False}, {"password": "a-new-password-1"}, {"role": "viewer"}]
)
async def test_a_form_session_ends_when_the_teachers_account_changes(
    form, diagnostic, world, db, apps, api_client, change
):
    """Deactivated, given a new password or another role: the session in the form's cookie
    stands no longer, as no token of that account does elsewhere; nothing is stored."""
    _, links = diagnostic
    await sign_in(form, links["t1"], EMAILS["teacher"])
    page = await form.get(links["t1"])
    assert shows_the_form(page)
    kept = apps.surveys.state.token_checker
    apps.surveys.state.token_checker = TokenChecker(apps.surveys.state.peers["api"], ttl=0)
    try:
        changed = await api_client.patch(
            f"/v1/users/{world.users['teacher'].id}", json=change, headers=world.headers("admin")
        )
        assert changed.status_code == 200, changed.text
        again = await form.get(links["t1"])
        assert again.status_code == 200 and "Вход для заполнения анкеты" in again.text
        assert not shows_the_form(again)
        posted = await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(page)})
        assert posted.status_code == 401 and "профиль" not in posted.text
    finally:
        apps.surveys.state.token_checker = kept
    assert await stored(db) == 0


async def test_signed_in_on_the_pages_the_teacher_needs_no_second_sign_in(
    form, diagnostic, api_client, db, settings
):
    """A teacher who came from their home (the api pages' `soko_session`, which a browser
    sends to every port) gets their form at once, with a way back to the home, and sends it;
    signing out of the form ends the pages' session too (its token revoked)."""
    _, links = diagnostic
    token = await pages_token(api_client, "teacher")
    form.cookies.set("soko_session", token)
    page = await form.get(links["t1"])
    assert page.status_code == 200 and shows_the_form(page)
    assert "Вход для заполнения анкеты" not in page.text
    home = f"{settings.peer_url('api').rstrip('/')}/home"
    assert f'href="{home}">Мой кабинет</a>' in page.text
    sent = await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(page)})
    assert sent.status_code == 303
    assert await stored(db) == 1
    profile = await form.get(sent.headers["location"])
    out = await form.post(f"{links['t1']}/sign-out", data={"_csrf": csrf_of(profile)})
    assert out.status_code == 303
    dropped = out.headers.get_list("set-cookie")
    assert any(c.startswith("soko_session=") and "max-age=0" in c.lower() for c in dropped)
    after = await api_client.get("/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert after.status_code == 401
