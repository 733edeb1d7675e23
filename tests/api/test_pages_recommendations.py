"""The recommendations of the analyst's and the methodologist's homes, page by page and
filtered by status and by school (finding #3: «Показаны 50 из 293» and no way to the rest).
Plain links and a GET form; another territory's recommendations never show."""

import re

from services.reports.recommendations.models import Recommendation
from tests.api import test_pages
from tests.factories import add_recommendation
from tests.surveys.forms import Dom, csrf_of

browser = test_pages.browser
signed_in = test_pages.signed_in
MORE = 60  # beside S1's own: 61 in M1, two pages of 50


async def _many(db, world) -> list[Recommendation]:
    """`MORE` recommendations in M1: S2's, every third accepted."""
    made = []
    for n in range(MORE):
        rec = await add_recommendation(db, world.s2, world.m1)
        rec.subject = f"indicator:e_planning_{n}"
        rec.text = f"Рекомендация школе 2 номер {n}."
        if n % 3 == 0:
            rec.status = "accepted"
        made.append(rec)
    await db.flush()
    return made


def _shown(page: str) -> set[str]:
    return set(re.findall(r'id="rec-([0-9a-f-]{36})"', page))


def _link(page: str, rel: str) -> str | None:
    found = re.search(rf'<a href="([^"]+)" rel="{rel}">', page)
    return found and found.group(1).replace("&amp;", "&")


async def test_the_analyst_pages_through_all_recommendations(browser, world, db):
    made = await _many(db, world)
    everyone = {str(r.id) for r in made} | {str(world.rec_s1.id)}
    client, home = await signed_in(browser, "analyst@soko.example")
    first = _shown(home.text)
    text = Dom(home.text).text("main")
    assert len(first) == 50 and "Показаны 1–50 из 61" in text
    assert _link(home.text, "prev") is None
    following = _link(home.text, "next")
    assert following == "/home?rec_from=50#recommendations-title"
    second = await client.get(following)
    assert second.status_code == 200
    rest = _shown(second.text)
    assert "Показаны 51–61 из 61" in Dom(second.text).text("main")
    assert first | rest == everyone and not first & rest
    assert str(world.rec_s3.id) not in second.text  # M2's
    assert _link(second.text, "next") is None
    assert _link(second.text, "prev") == "/home#recommendations-title"


async def test_the_analyst_filters_by_status_and_school(browser, world, db):
    made = await _many(db, world)
    client, home = await signed_in(browser, "analyst@soko.example")
    assert 'name="rec_status"' in home.text and f'value="{world.s2.id}"' in home.text
    accepted = await client.get("/home", params={"rec_status": "accepted"})
    assert _shown(accepted.text) == {str(r.id) for r in made if r.status == "accepted"}
    assert "Всего: 20" in Dom(accepted.text).text("main")
    # The intro speaks of what is shown: accepted ones are no longer «к рассмотрению».
    assert "Принятые — возьмите в работу или отклоните" in accepted.text
    assert "Новые — к рассмотрению" not in accepted.text
    assert "Новые — к рассмотрению" in home.text
    of_s1 = await client.get("/home", params={"rec_org": str(world.s1.id)})
    assert _shown(of_s1.text) == {str(world.rec_s1.id)}
    # Another territory's school: nothing of it, not an error.
    of_s3 = await client.get("/home", params={"rec_org": str(world.s3.id)})
    assert of_s3.status_code == 200 and _shown(of_s3.text) == set()
    assert "По этому отбору рекомендаций нет" in of_s3.text
    # Nonsense in the query: the first page, unfiltered.
    odd = await client.get("/home", params={"rec_status": "x", "rec_org": "y", "rec_from": "-3"})
    assert odd.status_code == 200 and len(_shown(odd.text)) == 50
    new = await client.get("/home", params={"rec_status": "new", "rec_from": "0"})
    assert "Всего: 41" in Dom(new.text).text("main") and len(_shown(new.text)) == 41


async def test_the_methodologist_pages_too(browser, world, db):
    await _many(db, world)
    client, home = await signed_in(browser, "method@soko.example")
    assert len(_shown(home.text)) == 50
    following = _link(home.text, "next")
    assert following is not None
    assert len(_shown((await client.get(following)).text)) == 11


async def test_moving_a_recommendation_keeps_the_page_and_the_filter(browser, world, db):
    made = await _many(db, world)
    client, _ = await signed_in(browser, "analyst@soko.example")
    second = await client.get("/home", params={"rec_status": "new", "rec_from": "0"})
    chosen = next(r for r in made if r.status == "new")
    form = second.text[second.text.index(f'action="/recommendations/{chosen.id}/status"') :]
    back = re.search(r'name="back" value="([^"]*)"', form).group(1).replace("&amp;", "&")
    assert back == "rec_status=new"
    moved = await client.post(
        f"/recommendations/{chosen.id}/status",
        data={"status": "accepted", "_csrf": csrf_of(second), "back": back},
    )
    assert moved.headers["location"] == "/home?moved=accepted&rec_status=new#recommendations-title"
    after = await client.get(moved.headers["location"])
    assert "Статус рекомендации: принята." in after.text
    assert str(chosen.id) not in _shown(after.text) and len(_shown(after.text)) == 40
    # Anything else posted as `back` is dropped, never echoed into the address.
    other = next(r for r in made if r.status == "new" and r.id != chosen.id)
    odd = await client.post(
        f"/recommendations/{other.id}/status",
        data={"status": "accepted", "_csrf": csrf_of(second), "back": "x=1&rec_from=z"},
    )
    assert odd.headers["location"] == "/home?moved=accepted#recommendations-title"


async def test_a_page_past_the_end_says_so_and_links_to_the_first(browser, world, db):
    await _many(db, world)
    client, _ = await signed_in(browser, "analyst@soko.example")
    page = await client.get("/home", params={"rec_from": "999999"})
    assert page.status_code == 200
    text = Dom(page.text).text("main").replace("\xa0", " ")
    assert "Страница за концом списка: всего 61 рекомендация" in text
    assert "По этому отбору рекомендаций нет" not in text
    assert '<a href="/home#recommendations-title">← К первой странице</a>' in page.text
    assert _link(page.text, "prev") is None and _link(page.text, "next") is None
    filtered = await client.get("/home", params={"rec_status": "accepted", "rec_from": "100"})
    text = Dom(filtered.text).text("main").replace("\xa0", " ")
    assert "Страница за концом списка: по этому отбору всего 20 рекомендаций" in text
    assert "/home?rec_status=accepted#recommendations-title" in filtered.text


async def test_the_pages_keep_the_campaigns_page(browser, world, db):
    await _many(db, world)
    client, _ = await signed_in(browser, "analyst@soko.example")
    page = await client.get("/home", params={"camp_from": "10"})
    assert _link(page.text, "next") == "/home?rec_from=50&camp_from=10#recommendations-title"
    second = await client.get("/home", params={"rec_from": "50", "camp_from": "10"})
    assert _link(second.text, "prev") == "/home?camp_from=10#recommendations-title"
