"""A collection step's comment refused (Post/Redirect/Get: the home again, the problem beside
the form's field) while someone else takes a step on the same data: the form is gone from the
reloaded home, which then says that the person's step was not taken and their comment not
saved, naming the organization and the collection, instead of showing nothing."""

from tests.api import test_pages
from tests.api.test_pages_collections import approval, card, late_world, step
from tests.surveys.forms import Dom, csrf_of

browser = test_pages.browser
signed_in = test_pages.signed_in
late_world = late_world  # the collections' world: M1's «Мониторинг готовности», S1 submitting


async def test_a_refused_return_whose_data_was_approved_meanwhile_says_so(browser, late_world, db):
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    await step(leader, home, world, "submit")
    analyst, home = await signed_in(browser, "analyst@soko.example")
    refused = await step(analyst, home, world, "return", comment=" ")  # spaces only
    assert refused.status_code == 303
    # Before the home reloads, a colleague (here: the same analyst's other tab) approves.
    assert (await step(analyst, home, world, "approve")).status_code == 303
    back = await analyst.get(refused.headers["location"])
    assert back.status_code == 200 and await approval(db, world) == "approved"
    field = f"return-{world.monitoring.id}-{world.s1.id}-field"
    said = Dom(back.text).text(field).replace("\xa0", " ")  # where the address leads
    assert "Действие «Вернуть на доработку» не выполнено, комментарий не сохранён." in said
    assert "Укажите, что исправить" in said
    assert "«Школа 1»" in said and "«Мониторинг готовности»" in said
    assert "кто-то другой" in said
    assert f'id="{field}"' in back.text and 'role="alert"' in back.text
    assert "Утверждено вами: 1" in card(back, world)  # the data as they are now


async def test_a_refused_return_whose_form_is_still_there_is_said_beside_it(browser, late_world):
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    await step(leader, home, world, "submit")
    analyst, home = await signed_in(browser, "analyst@soko.example")
    refused = await step(analyst, home, world, "return", comment=" ")
    back = await analyst.get(refused.headers["location"])
    assert "не выполнено, комментарий не сохранён" not in back.text  # the field says it
    field = f"return-{world.monitoring.id}-{world.s1.id}-field"
    assert "Ошибка: Укажите, что исправить." in Dom(back.text).text(field)


async def test_a_leader_s_refused_withdrawal_whose_data_was_returned_meanwhile_says_so(
    browser, late_world
):
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    await step(leader, home, world, "submit")
    home = await leader.get("/home")
    refused = await step(leader, home, world, "withdraw", comment="Причина " * 700)  # too long
    assert refused.status_code == 303
    analyst, own = await signed_in(browser, "analyst@soko.example")
    await step(analyst, own, world, "return", comment="Нет данных о КПК")
    back = await leader.get(refused.headers["location"])
    field = f"withdraw-{world.monitoring.id}-{world.s1.id}-field"
    said = Dom(back.text).text(field).replace("\xa0", " ")
    assert "Действие «Отозвать представление» не выполнено, комментарий не сохранён." in said
    assert "не длиннее 5000 знаков" in said and "«Школа 1»" in said
    assert "Статус: возвращено на доработку" in card(back, world)


async def test_a_step_on_a_page_left_open_while_the_school_withdrew_brings_the_home_back(
    browser, late_world, db
):
    """The analyst's home shows S1 waiting; the leader then withdraws. The analyst's «Вернуть»
    (a comment typed) or «Утвердить» on the page left open was a 409 page at the form's
    address, naming neither the school nor the collection, saying «ещё не подала данные»."""
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    await step(leader, home, world, "submit")
    analyst, stale = await signed_in(browser, "analyst@soko.example")
    assert (await step(leader, await leader.get("/home"), world, "withdraw")).status_code == 303
    for action, comment, name in (
        ("return", "Нет данных о КПК", "Вернуть на доработку"),
        ("approve", None, "Утвердить"),
    ):
        taken = await step(analyst, stale, world, action, comment=comment)
        assert taken.status_code == 303, taken.text
        back = await analyst.get(taken.headers["location"])
        assert back.status_code == 200
        field = f"{action}-{world.monitoring.id}-{world.s1.id}-field"
        said = Dom(back.text).text(field).replace("\xa0", " ")
        assert f"Действие «{name}» не выполнено" in said, said
        assert ("комментарий не сохранён" in said) == (comment is not None), said
        assert "«Школа 1»" in said and "«Мониторинг готовности»" in said, said
        assert "Пока страница была открыта" in said
        assert await approval(db, world) == "not_submitted"


async def test_a_step_posted_after_the_session_ended_is_said_on_the_sign_in_page(
    browser, late_world, db
):
    """Signed out in another tab, the leader presses «Представить на утверждение» on the page
    left open: the sign-in page said nothing of why, and nothing was done."""
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    out = await leader.post("/sign-out", data={"_csrf": csrf_of(home)})  # the other tab
    assert out.status_code == 303
    taken = await step(leader, home, world, "submit")
    assert taken.status_code == 303 and "lost=1" in taken.headers["location"], taken.headers
    page = await leader.get(taken.headers["location"])
    said = Dom(page.text).text("session-ended").replace("\xa0", " ")
    assert "Сеанс завершён, действие не выполнено." in said, said
    assert await approval(db, world) is None  # nothing submitted
    # Signed in again from there, the home: no notice of a lost step on a fresh sign-in page.
    assert "session-ended" not in (await browser().get("/")).text
