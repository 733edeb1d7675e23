"""A personal link's form sent: the same page again shows the profile and stores nothing, and the
link opened later is the teacher's results page."""

from datetime import timedelta

from sqlalchemy import update

from services.surveys.responses.models import Response
from tests.surveys.forms import Dom, csrf_of, sign_in
from tests.surveys.personal_links.helpers import ANSWERS, EMAILS, stored


async def test_the_same_page_sent_again_shows_the_profile_and_stores_nothing(form, diagnostic, db):
    _, links = diagnostic
    await sign_in(form, links["t1"], EMAILS["teacher"])
    page = await form.get(links["t1"])
    [token] = Dom(page.text).named("_submission")
    fields = ANSWERS | {"_csrf": csrf_of(page), "_submission": str(token["value"])}
    done = await form.post(links["t1"], data=fields)
    assert done.status_code == 303 and done.headers["location"] == f"{links['t1']}/thanks"
    assert "Ваш профиль компетенций" in (await form.get(done.headers["location"])).text
    again = await form.post(links["t1"], data=fields)
    assert again.status_code == 303 and again.headers["location"] == f"{links['t1']}/thanks"
    assert "Ваш профиль компетенций" in (await form.get(again.headers["location"])).text
    # Another page of the same link (a new token) is refused as before.
    another = fields | {"_submission": "another-page-of-the-same-link-0123456789"}
    refused = await form.post(links["t1"], data=another)
    assert refused.status_code == 409 and "Ответ уже отправлен" in refused.text
    assert await stored(db) == 1


async def test_opened_again_later_the_thanks_is_the_teachers_results_page(
    form, diagnostic, db, settings
):
    _, links = diagnostic
    await sign_in(form, links["t1"], EMAILS["teacher"])
    page = await form.get(links["t1"])
    done = await form.post(links["t1"], data=ANSWERS | {"_csrf": csrf_of(page)})
    thanks = (await form.get(done.headers["location"])).text
    assert "Спасибо! Ваши ответы приняты" in thanks and "Ответы отправлены" not in thanks
    # Weeks later (the response sent on an earlier day), the same link is their results.
    sent = settings.today() - timedelta(days=20)
    await db.execute(update(Response).values(submitted_on=sent))
    await db.commit()
    later = (await form.get(done.headers["location"])).text
    assert "<h1>Ваши ответы</h1>" in later and "Спасибо!" not in later
    assert f"Ответы отправлены {sent:%d.%m.%Y}." in later
    assert "Ваш профиль компетенций" in later
