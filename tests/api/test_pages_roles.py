"""Each role's home beyond the roadmaps, read from the surveys and reports services as the
signed-in person: a teacher's own diagnostics (their personal link, never a colleague's), the
analyst's recommendations moved through their lifecycle and campaigns' response rates, a
school leader's recommendations and who has not answered, the methodologist's diagnostics,
PD order and routes. Attackers inside one territory: another school's leader, a colleague."""

import re
from datetime import timedelta

from sqlalchemy import select

from services.reports.pd_order.models import IndividualRoute
from services.reports.recommendations.models import Recommendation
from services.surveys.campaigns.models import Invitation
from shared.client import ServiceClient
from tests.api import test_pages
from tests.surveys.forms import (
    DIAGNOSTIC,
    Dom,
    add_colleague,
    answer_as_parents,
    csrf_of,
    diagnostic_answers,
    launch,
)
from tests.surveys.test_results import nok

browser = test_pages.browser  # the pages' "browser" fixture: a client with its own cookie jar
signed_in = test_pages.signed_in


async def _diagnostic(surveys_client, world, db, settings) -> tuple[dict, dict]:
    """An identified diagnostic in S1 for its two teachers (T1, and a colleague T2 with an
    account), and their personal link codes by name."""
    await add_colleague(db, settings, world)
    campaign = await launch(
        surveys_client, world, DIAGNOSTIC.code, "teachers", [world.s1.id], anonymous=False
    )
    rows = await db.execute(
        select(Invitation.staff_id, Invitation.code).where(Invitation.campaign_id == campaign["id"])
    )
    codes = dict(rows.all())
    return campaign, {"t1": codes[world.t1.id], "t2": codes[world.t2.id]}


async def _submit_as_t1(surveys_client, world, campaign) -> None:
    answers = diagnostic_answers({"design": 5, "tools": 3, "processing": 2, "security": 4})
    posted = await surveys_client.post(
        f"/v1/campaigns/{campaign['id']}/responses",
        json={"staff_id": str(world.t1.id), "answers": answers},
        headers=world.headers("teacher"),
    )
    assert posted.status_code == 201, posted.text


async def test_the_teacher_sees_their_own_diagnostic_link_and_no_colleague_s(
    browser, surveys_client, world, db, settings
):
    campaign, codes = await _diagnostic(surveys_client, world, db, settings)
    _, home = await signed_in(browser, "teacher@soko.example")
    assert campaign["title"] in home.text and "не начата" in home.text
    assert f"/s/{codes['t1']}" in home.text
    assert codes["t2"] not in home.text  # the colleague's link, same school, same campaign
    assert f"Пройти: {campaign['title']}" in home.text
    _, colleague = await signed_in(browser, "t2@soko.example")
    assert f"/s/{codes['t2']}" in colleague.text and codes["t1"] not in colleague.text
    # Nobody else is shown a personal link: not the leader, not the analyst.
    for who in ("leader@soko.example", "analyst@soko.example", "method@soko.example"):
        _, other = await signed_in(browser, who)
        assert codes["t1"] not in other.text and codes["t2"] not in other.text, who

    await _submit_as_t1(surveys_client, world, campaign)
    _, after = await signed_in(browser, "teacher@soko.example")
    assert "ответы отправлены" in after.text
    assert f'href="{settings.peer_url("surveys")}/s/{codes["t1"]}/thanks"' in after.text


async def test_the_leader_sees_who_has_not_answered_and_another_school_s_leader_does_not(
    browser, surveys_client, world, db, settings
):
    campaign, _ = await _diagnostic(surveys_client, world, db, settings)
    await _submit_as_t1(surveys_client, world, campaign)
    _, home = await signed_in(browser, "leader@soko.example")
    assert "<title>Мероприятия организации — Soko</title>" in home.text
    section = Dom(home.text).text("main")
    # S1 expects its 2 teachers, 1 answered: 1 of 2 = 50 %; the colleague is the one left.
    assert "Ответили 1 из 2 (50 %)" in section.replace("\xa0", " ")
    assert "Не ответили: 1" in section and "Смирнова Ольга" in section
    _, other = await signed_in(browser, "leader3@soko.example")  # S3's leader, region's other
    assert campaign["title"] not in other.text and "Смирнова Ольга" not in other.text


async def _after_t1_answered(browser, surveys_client, world, db, settings, email: str):
    """T1 answered the diagnostic; `email` signs in: their client, home, and its main text."""
    campaign, _ = await _diagnostic(surveys_client, world, db, settings)
    await _submit_as_t1(surveys_client, world, campaign)
    client, home = await signed_in(browser, email)
    return campaign, client, home, Dom(home.text).text("main").replace("\xa0", " ")


async def test_the_analyst_sees_rates_and_moves_a_recommendation(
    browser, surveys_client, world, db, settings
):
    campaign, client, home, text = await _after_t1_answered(
        browser, surveys_client, world, db, settings, "analyst@soko.example"
    )
    assert campaign["title"] in text and "Ответили 1 из 2 (50 %)" in text
    # M1's analyst: S1's recommendation, not S3's (M2).
    assert world.rec_s1.text in home.text and world.rec_s3.text not in home.text
    assert "Статус: новая" in text
    action = f'action="/recommendations/{world.rec_s1.id}/status"'
    assert action in home.text

    stale = await client.post(
        f"/recommendations/{world.rec_s1.id}/status", data={"status": "accepted", "_csrf": "x"}
    )
    assert stale.status_code == 403 and "Страница устарела" in stale.text
    moved = await client.post(
        f"/recommendations/{world.rec_s1.id}/status",
        data={"status": "accepted", "_csrf": csrf_of(home)},
    )
    assert moved.status_code == 303 and moved.headers["location"].startswith("/home?moved=")
    after = await client.get(moved.headers["location"])
    assert "Статус рекомендации: принята." in after.text
    assert "Статус: <strong>принята</strong>" in after.text
    status = await db.scalar(
        select(Recommendation.status).where(Recommendation.id == world.rec_s1.id)
    )
    assert status == "accepted"
    # accepted → new is not a move the lifecycle has: a page says so, nothing changes.
    back = await client.post(
        f"/recommendations/{world.rec_s1.id}/status", data={"status": "new", "_csrf": csrf_of(home)}
    )
    assert back.status_code == 409 and "Действие недоступно" in back.text


async def test_a_leader_sees_and_moves_only_the_school_s_recommendations(browser, world, db):
    client, home = await signed_in(browser, "leader3@soko.example")  # S3's leader
    assert world.rec_s3.text in home.text and world.rec_s1.text not in home.text
    refused = await client.post(
        f"/recommendations/{world.rec_s1.id}/status",
        data={"status": "rejected", "_csrf": csrf_of(home)},
    )
    assert refused.status_code == 404 and "Такой рекомендации нет" in refused.text
    status = await db.scalar(
        select(Recommendation.status).where(Recommendation.id == world.rec_s1.id)
    )
    assert status == "new"
    _, viewer = await signed_in(browser, "viewer@soko.example")
    assert "/recommendations/" not in viewer.text  # a viewer's home moves nothing


async def test_the_methodologist_sees_diagnostics_the_pd_order_and_routes(
    browser, surveys_client, world, db, settings
):
    campaign, codes = await _diagnostic(surveys_client, world, db, settings)
    client, home = await signed_in(browser, "method@soko.example")
    text = Dom(home.text).text("main").replace("\xa0", " ")
    assert text.startswith("Диагностики и план-заказ — Район 1")
    assert campaign["title"] in text and "Ответили 0 из 2 (0 %)" in text
    assert "План-заказ КПК на 2021/2022" in text
    # Nobody answered yet: no route, no seat (the reports service's note says why).
    assert "Педагогов с маршрутом: 0, мест на курсах: 0." in text
    assert "Индивидуальных маршрутов пока нет" in text
    assert codes["t1"] not in home.text
    # Another school year on request; a period that is not one says so (not the newest year
    # shown as if it had been asked: test_pages_refused_posts.py).
    earlier = await client.get("/home", params={"period": "2020/2021"})
    assert "План-заказ КПК на 2020/2021" in earlier.text
    garbage = await client.get("/home", params={"period": "2021"})
    assert garbage.status_code == 422 and "Период не распознан" in garbage.text


async def test_a_service_down_leaves_the_rest_of_the_home(browser, apps, world):
    """The reports service does not answer (nothing listens on port 9): the analyst's
    recommendations say so, the roadmaps and the campaigns still show."""
    kept = apps.api.state.peers["reports"]
    apps.api.state.peers["reports"] = ServiceClient("reports", "http://127.0.0.1:9", retries=0)
    try:
        _, home = await signed_in(browser, "analyst@soko.example")
    finally:
        await apps.api.state.peers["reports"].aclose()
        apps.api.state.peers["reports"] = kept
    assert "Раздел временно недоступен: данные не удалось получить" in home.text
    assert "сервис" not in home.text  # the system's inner word, not the analyst's
    assert "Дорожная карта МСОКО" in home.text and "parents_s1" in home.text
    assert world.rec_s1.text not in home.text


async def _rebuild(client, home):
    """Press «Пересобрать заказ» on the methodologist's home; the home it leads back to."""
    assert "Пересобрать заказ" in home.text
    posted = await client.post(
        "/pd-order/rebuild", data={"period": "2021/2022", "_csrf": csrf_of(home)}
    )
    assert posted.status_code == 303, posted.text
    assert posted.headers["location"] == "/home?rebuilt=1&period=2021/2022#order-title"
    after = await client.get(posted.headers["location"])
    assert "План-заказ пересобран по результатам диагностики." in after.text
    return after


async def _built_at(db) -> list:
    rows = await db.execute(select(IndividualRoute.staff_id, IndividualRoute.built_at))
    return sorted(rows.all())


async def test_visiting_the_methodologist_s_home_never_rebuilds_the_pd_order(
    browser, surveys_client, world, db, settings
):
    _, client, _home, shown = await _after_t1_answered(
        browser, surveys_client, world, db, settings, "method@soko.example"
    )
    # A visit shows the order as stored: nothing built yet, though T1 has answered.
    assert "Педагогов с маршрутом: 0, мест на курсах: 0." in shown
    assert await _built_at(db) == []
    again = await client.get("/home")
    assert "Педагогов с маршрутом: 0" in Dom(again.text).text("main").replace("\xa0", " ")
    assert await _built_at(db) == []
    # The button rebuilds it, and says when it was built.
    after = await _rebuild(client, again)
    text = Dom(after.text).text("main").replace("\xa0", " ")
    assert "Педагогов с маршрутом: 1, мест на курсах: 2." in text and "Собран " in text
    built = await _built_at(db)
    assert [staff for staff, _ in built] == [world.t1.id]
    # Two more visits later: the same routes, built at the same moment, shown the same way.
    stamp = Dom(after.text).text("main").split("Собран ")[1][:20]
    assert re.fullmatch(r"\d\d\.\d\d\.\d{4} \d\d:\d\d МСК", stamp), stamp  # the zone said
    for _ in range(2):
        visit = await client.get("/home")
        assert f"Собран {stamp}" in Dom(visit.text).text("main")
    assert await _built_at(db) == built


async def test_only_the_methodologist_s_own_form_rebuilds_the_pd_order(
    browser, surveys_client, world, db, settings
):
    campaign, _ = await _diagnostic(surveys_client, world, db, settings)
    await _submit_as_t1(surveys_client, world, campaign)
    client, _ = await signed_in(browser, "method@soko.example")
    stale = await client.post("/pd-order/rebuild", data={"period": "2021/2022", "_csrf": "x"})
    assert stale.status_code == 403 and "Страница устарела" in stale.text
    leader, home = await signed_in(browser, "leader@soko.example")
    refused = await leader.post(
        "/pd-order/rebuild", data={"period": "2021/2022", "_csrf": csrf_of(home)}
    )
    assert refused.status_code == 403
    assert "Пересобрать план-заказ может только методист" in refused.text
    assert "Пересобрать заказ" not in home.text
    assert await _built_at(db) == []


async def test_a_route_built_by_the_methodologist_shows_on_the_teacher_s_home(
    browser, surveys_client, world, db, settings
):
    campaign, _ = await _diagnostic(surveys_client, world, db, settings)
    await _submit_as_t1(surveys_client, world, campaign)
    client, home = await signed_in(browser, "method@soko.example")
    home = await _rebuild(client, home)  # builds the routes of 2021/2022
    text = Dom(home.text).text("main").replace("\xa0", " ")
    # T1 answered design 5, tools 3, processing 2, security 4 items right, none of
    # interpretation (5 items each): the deficits are interpretation 0 of 5 (0 %) first,
    # then processing 2 of 5 (40 %); one programme for each, so 2 seats for 1 teacher.
    assert "Педагогов с маршрутом: 1, мест на курсах: 2." in text
    deficits = "Интерпретация результатов и обратная связь — 0 из 5 баллов (0 %)"
    assert "Иванова Мария" in text and deficits in text
    assert "Сбор и обработка результатов — 2 из 5 баллов (40 %)" in text
    _, own = await signed_in(browser, "teacher@soko.example")
    mine = Dom(own.text).text("main").replace("\xa0", " ")
    assert "Маршрут на 2021/2022" in mine and deficits in mine
    _, colleague = await signed_in(browser, "t2@soko.example")
    assert "Маршрут на" not in colleague.text and "Иванова Мария" not in colleague.text


async def test_namesakes_among_those_who_have_not_answered_are_told_apart(
    browser, surveys_client, world, db, settings
):
    """Two teachers of one school with the same full name: the leader reminding people sees
    what tells them apart (subjects, else the position), never just the name twice."""
    from services.api.staff.models import StaffMember

    db.add(
        StaffMember(
            organization_id=world.s1.id,
            full_name="Смирнова Ольга",
            position="teacher",
            subjects=["Химия", "Биология"],
        )
    )
    await db.flush()
    await _diagnostic(surveys_client, world, db, settings)
    _, home = await signed_in(browser, "leader@soko.example")
    section = Dom(home.text).text("main")
    assert "Не ответили: 3" in section
    assert "Смирнова Ольга (Химия, Биология)" in section
    assert "Смирнова Ольга (педагог)" in section  # T2: no subjects, their position
    assert "Иванова Мария (" not in section  # no namesake: the name alone


async def test_a_campaign_closing_at_midnight_is_open_until_the_day_before_on_the_homes(
    browser, surveys_client, world, settings
):
    """`closes_at` sent as a date (2021-12-20: midnight in SOKO_TIMEZONE, as the API reads a
    moment without an offset) takes its last answers the day before: the homes say «до» that
    day, never the closing date on which the link already refuses answers."""
    last = settings.today() + timedelta(days=7)
    closes = last + timedelta(days=1)
    title = "Диагностика, закрытие в полночь"
    await launch(
        surveys_client,
        world,
        DIAGNOSTIC.code,
        "teachers",
        [world.s1.id],
        anonymous=False,
        closes_at=closes.isoformat(),
        title=title,
    )
    _, teacher = await signed_in(browser, "teacher@soko.example")
    text = Dom(teacher.text).text("main")
    assert f"{title} Открыта до {last:%d.%m.%Y} · не начата" in text
    _, analyst = await signed_in(browser, "analyst@soko.example")
    text = Dom(analyst.text).text("main")
    assert f"{title} педагоги · 2021/2022 · идёт, до {last:%d.%m.%Y}" in text


async def test_the_analyst_reads_each_school_s_expected_count_grouped_in_threes(
    browser, surveys_client, world, db
):
    """The campaign's table by organization groups a count of a thousand and more in threes
    («1 234»), as the line above it does, not «1234»."""
    world.s2.context = {"students": 1234}
    await db.flush()
    await launch(
        surveys_client, world, "parents_satisfaction", "parents", [world.s1.id, world.s2.id]
    )
    _, home = await signed_in(browser, "analyst@soko.example")
    text = Dom(home.text).text("main").replace("\xa0", " ")
    table = text[text.index("По организациям") :]
    assert "Ответили 0 из 1 734" in text and "1 234" in table and "1234" not in table


async def test_the_analyst_reads_why_a_school_has_no_share_of_respondents(
    browser, surveys_client, world, db, apps
):
    """S2 has no number of pupils recorded: the card says over which schools the share is
    counted and, for S2, what to record, not a bare «—»."""
    world.s1.context, world.s2.context = {"students": 4}, {}
    await db.flush()
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", [world.s1.id, world.s2.id], True
    )
    await answer_as_parents(apps, campaign["id"], [(world.s1.id, nok()), (world.s2.id, nok())])
    _, home = await signed_in(browser, "analyst@soko.example")
    text = Dom(home.text).text("main").replace("\xa0", " ")
    # S1 expects its 4 pupils' parents: 1 of them answered; S2's answer is counted apart.
    assert "Ответили 2; там, где известно, сколько ожидается: 1 из 4 (25 %)" in text, text
    assert (
        "Доля ответивших не считается в 1 организации: в контекстных данных организации не "
        "указано число обучающихся." in text
    )
    table = text[text.index("По организациям") :]
    assert "Школа 21не указано—" in table, table  # S2: 1 answered, expected not recorded
