"""Data collections on the homes: the leader sees their school's completeness, due date,
lateness and missing indicators and submits or withdraws; the analyst sees the late schools in
natural order and approves or returns what was submitted. The rights are the API's (another
school's leader of the same district changes nothing); every form carries the CSRF token."""

import uuid
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from sqlalchemy import select

from services.api.collections.models import CollectionApproval, CollectionApprovalStep
from services.api.data_values.models import DataValue
from services.api.organizations.models import Organization
from tests.api import test_pages
from tests.api.validation import add_rule, post, row, set_bound
from tests.collections_world import add_collection
from tests.factories import TRAINED, add_colleagues, add_data_indicator, add_user
from tests.facts import sync_facts
from tests.shared.test_unstorable_input import indicator
from tests.surveys.forms import Dom, csrf_of

browser = test_pages.browser  # the pages' "browser" fixture: a client with its own cookie jar
signed_in = test_pages.signed_in
PERIOD = "2026/2027"


@pytest.fixture
async def late_world(world, db, settings):
    """M1's «Мониторинг готовности» of two indicators, its window of `PERIOD` opened a month
    ago and due five days ago; «Школа 10» beside S1 and S2; S1 has reported one value of two."""
    await add_colleagues(db, settings, world)
    today = settings.today()
    trained = await add_data_indicator(db, "teachers_trained", TRAINED, "percent")
    world.s10 = Organization(name="Школа 10", kind="school", territory_id=world.m1.id)
    db.add(world.s10)
    window = {PERIOD: (today - timedelta(days=30), today - timedelta(days=5))}
    world.monitoring = await add_collection(
        db, world.m1, [world.planning, trained], window, name="Мониторинг готовности"
    )
    db.add(DataValue(indicator_id=world.planning.id, organization_id=world.s1.id,
                     period=PERIOD, value=1.0))  # fmt: skip
    await db.flush()
    return world


def card(home, world) -> str:
    return Dom(home.text).text(f"collection-{world.monitoring.id}").replace("\xa0", " ")


async def step(client, page, world, action, org=None, comment=None):
    fields = {
        "_csrf": csrf_of(page),
        "organization_id": str((org or world.s1).id),
        "period": PERIOD,
    }
    if comment is not None:
        fields["comment"] = comment
    return await client.post(f"/collections/{world.monitoring.id}/{action}", data=fields)


async def approval(db, world, org=None):
    query = select(CollectionApproval.status).where(
        CollectionApproval.collection_id == world.monitoring.id,
        CollectionApproval.organization_id == (org or world.s1).id,
    )
    return await db.scalar(query)


async def test_the_leader_sees_what_is_missing_and_submits_then_withdraws(
    browser, late_world, db, settings
):
    world = late_world
    client, home = await signed_in(browser, "leader@soko.example")
    shown = card(home, world)
    assert "Мониторинг готовности" in shown and f"Период {PERIOD}" in shown
    due = settings.today() - timedelta(days=5)
    assert f"срок сдачи {due:%d.%m.%Y}" in shown
    assert "Заполнено: 50 % (1 из 2)" in shown
    assert "срок сдачи прошёл, данные не полные" in shown
    assert "Статус: не представлено" in shown
    assert f"Не внесены: {TRAINED}" in shown  # the missing indicator, by its name
    assert world.planning.name not in shown  # reported
    assert 'class="card collection late"' in home.text
    dom = Dom(home.text)
    assert any(
        f["name"] == "organization_id" and f["value"] == str(world.s1.id)
        for f in dom.named("organization_id")
    )

    submitted = await step(client, home, world, "submit")
    assert submitted.status_code == 303
    assert submitted.headers["location"] == "/home?collection=submit#collections-title"
    assert await approval(db, world) == "submitted"
    home = await client.get(submitted.headers["location"])
    assert "Данные представлены на утверждение." in home.text
    shown = card(home, world)
    assert "Статус: представлено на утверждение" in shown and "Отозвать представление" in shown
    assert "Представить на утверждение" not in shown
    assert Dom(home.text).label(f"withdraw-{world.monitoring.id}-{world.s1.id}") == (
        "Причина (необязательно)"
    )

    withdrawn = await step(client, home, world, "withdraw", comment="Допишем КПК")
    assert withdrawn.status_code == 303
    assert await approval(db, world) == "not_submitted"
    home = await client.get(withdrawn.headers["location"])
    assert "Данные отозваны с утверждения" in home.text
    assert "Представить на утверждение" in card(home, world)
    steps = await db.execute(
        select(CollectionApprovalStep.action, CollectionApprovalStep.comment)
        .where(CollectionApprovalStep.collection_id == world.monitoring.id)
        .order_by(CollectionApprovalStep.id)
    )
    assert steps.all() == [("submit", None), ("withdraw", "Допишем КПК")]


async def test_the_analyst_sees_late_schools_in_natural_order_and_approves(browser, late_world, db):
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    assert (await step(leader, home, world, "submit")).status_code == 303
    client, home = await signed_in(browser, "analyst@soko.example")
    shown = card(home, world)
    assert "Опаздывают: 3 из 3" in shown
    late = shown[shown.index("Опаздывают") : shown.index("Ждут утверждения")]
    # № 2 before № 10; each with its completeness.
    assert late.index("Школа 1 — заполнено 50 %") < late.index("Школа 2 — заполнено 0 %")
    assert late.index("Школа 2 — заполнено 0 %") < late.index("Школа 10 — заполнено 0 %")
    assert "Заполнено по территории: 16,7 %" in shown  # 1 of 6 values (pooled)
    waiting = shown[shown.index("Ждут утверждения") :]
    assert "Ждут утверждения: 1" in waiting and "Школа 1 — заполнено 50 % (1 из 2)" in waiting
    assert "Школа 2 —" not in waiting
    assert Dom(home.text).label(f"return-{world.monitoring.id}-{world.s1.id}") == "Что исправить"

    # No comment (or spaces only): the home again, the problem beside the form's field.
    for comment in (None, " \t "):
        no_comment = await step(client, home, world, "return", comment=comment)
        assert no_comment.status_code == 303
        field = f"return-{world.monitoring.id}-{world.s1.id}"
        assert no_comment.headers["location"].endswith(f"#{field}-field")
        back = await client.get(no_comment.headers["location"])
        assert "Ошибка: Укажите, что исправить." in Dom(back.text).text(f"{field}-field")
        assert "<details open>" in back.text and "Действие со сбором данных" not in back.text
    too_long = await step(client, home, world, "return", comment="Исправьте " * 501)
    back = await client.get(too_long.headers["location"])
    assert "Комментарий — не длиннее 5000 знаков." in Dom(back.text).text(f"{field}-field")
    assert await approval(db, world) == "submitted"
    approved = await step(client, home, world, "approve")
    assert approved.status_code == 303
    assert await approval(db, world) == "approved"
    home = await client.get(approved.headers["location"])
    assert "Данные утверждены" in home.text
    assert "Ждут утверждения: 1" not in card(home, world)
    # The leader can no longer withdraw: the page offers nothing; forced, the API refuses it
    # (409) and the home says the step was not taken.
    again, own = await signed_in(browser, "leader@soko.example")
    assert "Статус: утверждено" in card(own, world) and "Отозвать" not in card(own, world)
    forced = await step(again, own, world, "withdraw")
    assert forced.status_code == 303
    said = (await again.get(forced.headers["location"])).text
    assert "Действие «Отозвать представление» не выполнено" in said
    assert await approval(db, world) == "approved"


async def test_the_analyst_returns_with_a_comment(browser, late_world, db, settings, api_client):
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    await step(leader, home, world, "submit")
    client, home = await signed_in(browser, "analyst@soko.example")
    returned = await step(client, home, world, "return", comment="Нет данных о КПК")
    assert returned.status_code == 303
    assert await approval(db, world) == "returned"
    leader, own = await signed_in(browser, "leader@soko.example")
    assert "Статус: возвращено на доработку" in card(own, world)
    assert "Представить на утверждение" in card(own, world)
    # What to fix, and when it came back, where the leader submits again.
    today = settings.today()
    assert f"Возвращено на доработку {today:%d.%m.%Y}: Нет данных о КПК" in card(own, world)
    # Submitted again, the old comment is gone; the approval withdrawn says why.
    assert (await step(leader, own, world, "submit")).status_code == 303
    _, own = await signed_in(browser, "leader@soko.example")
    assert "Нет данных о КПК" not in card(own, world)
    assert (await step(client, home, world, "approve")).status_code == 303
    answer = await api_client.post(
        f"/v1/collections/{world.monitoring.id}/approvals/unapprove",
        json={"organization_id": str(world.s1.id), "period": PERIOD, "comment": "Проверим КПК"},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    _, own = await signed_in(browser, "leader@soko.example")
    assert f"Утверждение отозвано {today:%d.%m.%Y}: Проверим КПК" in card(own, world)


async def test_a_comment_with_line_breaks_the_page_let_through_is_taken_as_typed(
    browser, late_world, db
):
    """The textarea's maxlength (5000) counts a line break as one character, the browser sends
    it as "\\r\\n": a comment of 5000 characters typed on many lines is taken, stored as typed."""
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    await step(leader, home, world, "submit")
    client, home = await signed_in(browser, "analyst@soko.example")
    typed = "\n".join(["Исправьте КПК"] * 357) + "\n" + "x" * 2  # 5000 characters as typed
    assert len(typed) == 5000
    returned = await step(client, home, world, "return", comment=typed.replace("\n", "\r\n"))
    assert returned.status_code == 303 and "-field" not in returned.headers["location"]
    assert await approval(db, world) == "returned"
    comments = (await db.scalars(select(CollectionApprovalStep.comment))).all()
    assert typed in comments


async def test_another_school_s_leader_and_a_stale_form_change_nothing(browser, late_world, db):
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    await step(leader, home, world, "submit")
    other, other_home = await signed_in(browser, "leader2@soko.example")  # S2, same district
    assert str(world.s1.id) not in Dom(other_home.text).text(f"collection-{world.monitoring.id}")
    for action in ("withdraw", "approve"):
        refused = await step(other, other_home, world, action)
        assert refused.status_code in (403, 404), refused.text
        assert "Действие со сбором данных не выполнено" in refused.text
    stale = await leader.post(
        f"/collections/{world.monitoring.id}/withdraw",
        data={"organization_id": str(world.s1.id), "period": PERIOD},
    )
    assert stale.status_code == 403 and "Страница устарела" in stale.text
    assert await approval(db, world) == "submitted"
    # A viewer's home has no collections' buttons.
    _, viewer = await signed_in(browser, "viewer@soko.example")
    assert "/collections/" not in viewer.text


async def test_a_form_sending_a_field_twice_changes_nothing_and_says_which(browser, late_world, db):
    """Every field of the pages' forms holds one value: a post with two (forged, or a broken
    page) is a 422 page naming the field, never one of the values taken silently."""
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    pairs = [
        ("_csrf", csrf_of(home)),
        ("organization_id", str(world.s1.id)),
        ("period", PERIOD),
        ("period", "2016/2017"),
    ]
    refused = await leader.post(
        f"/collections/{world.monitoring.id}/submit",
        content=urlencode(pairs),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert refused.status_code == 422, refused.text
    assert "Поле «period» отправлено несколько раз" in refused.text
    assert await approval(db, world) is None
    # the same on the other pages' buttons (an activity's, a recommendation's)
    twice = await leader.post(
        f"/activities/{uuid.uuid4()}/done",
        content=urlencode([("_csrf", csrf_of(home)), ("back", "evidence"), ("back", "x")]),
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert twice.status_code == 422 and "Форма заполнена неверно" in twice.text
    assert "Поле «back» отправлено несколько раз" in twice.text


async def test_each_level_of_the_chain_sees_what_waits_for_it(browser, late_world, db, settings):
    """The region's collection: S1's data wait for the municipality once submitted, then for
    the region once the municipality approved — never for a level that cannot approve them
    yet (the API would answer 409)."""
    world = late_world
    world.users["regional"] = add_user(
        db, "regional@soko.example", "territory_analyst", "territory", world.region.id
    )
    await db.flush()
    window = {PERIOD: (settings.today() - timedelta(days=30), settings.today() + timedelta(days=5))}
    world.monitoring = await add_collection(
        db, world.region, [world.planning], window, name="Сбор области"
    )
    await db.commit()
    leader, home = await signed_in(browser, "leader@soko.example")
    assert (await step(leader, home, world, "submit")).status_code == 303

    def waiting(home) -> str:
        shown = card(home, world)
        return shown[shown.index("Ждут утверждения") :].split("Утверждено вами")[0]

    regional, region_home = await signed_in(browser, "regional@soko.example")
    assert "Школа 1 —" not in waiting(region_home)  # the municipality's turn first
    # …which the region is told, never «nothing submitted».
    assert "Ждут утверждения муниципалитетом: 1 — Район 1 (Школа 1)" in waiting(region_home)
    assert "Вашего утверждения представленные данные пока не ждут." in waiting(region_home)
    assert "ждущих утверждения, нет" not in waiting(region_home)
    analyst, m1_home = await signed_in(browser, "analyst@soko.example")
    assert "Школа 1 —" in waiting(m1_home) and "муниципалитетом" not in waiting(m1_home)
    assert (await step(analyst, m1_home, world, "approve")).status_code == 303
    m1_home = await analyst.get("/home")
    assert "Школа 1 —" not in waiting(m1_home)  # done at this level, now the region's turn
    assert "Ждут утверждения регионом: 1 — Область (Школа 1)" in waiting(m1_home)
    # The municipality may take back its own approval while the region has not approved.
    assert "Утверждено вами: 1" in card(m1_home, world)
    region_home = await regional.get("/home")
    assert "Школа 1 —" in waiting(region_home)  # now the region's turn
    assert "Ждут утверждения муниципалитетом" not in waiting(region_home)
    # Approved by the municipality only: not yet counted as approved, said apart; the
    # school's leader is told a level is still to approve.
    assert "(ещё 1 — пока только нижним уровнем)" in card(region_home, world)
    _, leader_home = await signed_in(browser, "leader@soko.example")
    assert "Статус: утверждено — на уровне 1 из 2, ждёт утверждения следующего уровня" in card(
        leader_home, world
    )
    approved = await step(regional, region_home, world, "approve")
    assert approved.status_code == 303, approved.text
    region_home = await regional.get("/home")
    assert "(ещё" not in card(region_home, world)
    # Now the region's approval is the top one: the region may take it back, the
    # municipality (which the region stands on) is offered nothing.
    assert "Утверждено вами: 1" in card(region_home, world)
    assert "Утверждено вами" not in card(await analyst.get("/home"), world)
    _, leader_home = await signed_in(browser, "leader@soko.example")
    assert "ждёт утверждения следующего уровня" not in card(leader_home, world)
    level = await db.scalar(
        select(CollectionApproval.level).where(
            CollectionApproval.collection_id == world.monitoring.id
        )
    )
    assert level == 2


async def test_the_region_sees_what_waits_in_a_municipalitys_own_collection(
    browser, late_world, db
):
    """M1's own collection (the region is not in its chain): the region's analyst reads that
    S1's and S2's submitted data wait for the municipality, named, not that none wait."""
    world = late_world
    add_user(db, "regional@soko.example", "territory_analyst", "territory", world.region.id)
    await db.commit()
    for leader_email in ("leader@soko.example", "leader2@soko.example"):
        leader, home = await signed_in(browser, leader_email)
        school = world.s1 if leader_email.startswith("leader@") else world.s2
        assert (await step(leader, home, world, "submit", org=school)).status_code == 303
    _, region_home = await signed_in(browser, "regional@soko.example")
    waiting = card(region_home, world).split("Ждут утверждения", 1)[1]
    assert "Ждут утверждения муниципалитетом: 2 — Район 1 (Школа 1, Школа 2)" in waiting
    assert "ждущих утверждения, нет" not in waiting
    assert "Утвердить" not in waiting  # not the region's to approve


async def test_the_leader_and_the_analyst_see_what_to_check(browser, late_world, api_client):
    # S1's 95 % of trained teachers breaks a rule (at most 90) and the bound (at most 90).
    world = late_world
    await add_rule(
        api_client, world, code="trained_le_90", left="teachers_trained", right="90",
        message="Доля обученных больше 90 %",
    )  # fmt: skip
    await set_bound(api_client, world, "teachers_trained", 0, 90)
    await post(api_client, world, [row(world, "teachers_trained", 95, period=PERIOD)])
    leader, home = await signed_in(browser, "leader@soko.example")
    shown = card(home, world)
    assert "Проверьте данные (2) — до утверждения их стоит исправить:" in shown
    # The side that is an indicator named with its value; «90» says itself.
    assert f"Доля обученных больше 90 %: «{TRAINED}» = 95" in shown
    assert f"«{TRAINED}»: 95 — за допустимой границей 90" in shown
    assert (await step(leader, home, world, "submit")).status_code == 303

    analyst, home = await signed_in(browser, "analyst@soko.example")
    waiting = card(home, world).split("Ждут утверждения")[1]
    assert "Проверка данных: нарушено правил — 1, возможных выбросов — 1" in waiting
    # And which: what the analyst reads before approving or returning, as the leader read it.
    assert f"Доля обученных больше 90 %: «{TRAINED}» = 95" in waiting
    assert f"«{TRAINED}»: 95 — за допустимой границей 90" in waiting
    # Approved as they are: the leader is told they can be fixed once the approval is withdrawn.
    assert (await step(analyst, home, world, "approve")).status_code == 303
    _, home = await signed_in(browser, "leader@soko.example")
    shown = card(home, world)
    assert "Данные утверждены, но проверка нашла (2) — исправить их можно, когда" in shown
    assert "до утверждения их стоит исправить" not in shown
    # Another school's leader of the district sees nothing of S1's.
    _, other = await signed_in(browser, "leader2@soko.example")
    assert "Проверьте данные" not in card(other, world)


async def test_the_analyst_withdraws_an_approval_with_a_reason_on_the_home(
    browser, late_world, db, settings
):
    """The leader is told approved data can be fixed once the approval is withdrawn: the
    analyst who approved can do it on the home, with a reason the leader then reads."""
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    assert (await step(leader, home, world, "submit")).status_code == 303
    client, home = await signed_in(browser, "analyst@soko.example")
    assert "Утверждено вами" not in card(home, world)
    assert (await step(client, home, world, "approve")).status_code == 303
    home = await client.get("/home")
    shown = card(home, world)
    assert "Утверждено вами: 1" in shown and "Отозвать утверждение" in shown
    field = f"unapprove-{world.monitoring.id}-{world.s1.id}"
    assert Dom(home.text).label(field) == "Причина отзыва"
    # Without a reason: said beside the field on the home; the data stay approved.
    bare = await step(client, home, world, "unapprove", comment="   ")
    assert bare.status_code == 303
    back = await client.get(bare.headers["location"])
    assert "Укажите причину отзыва." in Dom(back.text).text(f"{field}-field")
    assert await approval(db, world) == "approved"
    # Another school's leader cannot take it back.
    other, other_home = await signed_in(browser, "leader2@soko.example")
    refused = await step(other, other_home, world, "unapprove", comment="Чужое")
    assert refused.status_code in (403, 404)
    assert await approval(db, world) == "approved"
    done = await step(client, home, world, "unapprove", comment="Проверим КПК")
    assert done.status_code == 303
    assert await approval(db, world) == "submitted"
    after = await client.get(done.headers["location"])
    assert "Утверждение отозвано: организация видит причину" in after.text
    assert "Утверждено вами" not in card(after, world)
    assert "Ждут утверждения: 1" in card(after, world)  # submitted again: the analyst's turn
    _, own = await signed_in(browser, "leader@soko.example")
    assert f"Утверждение отозвано {settings.today():%d.%m.%Y}: Проверим КПК" in card(own, world)


async def test_the_checks_of_a_card_are_of_its_collections_indicators_only(
    browser, late_world, api_client
):
    """A value of an indicator no collection of the card asks for (another's, flagged by its
    bound and breaking its rule in the same period) is not the card's to check or count."""
    world = late_world
    created = await api_client.post(
        "/v1/indicators", json=indicator("not_collected"), headers=world.headers("admin")
    )
    assert created.status_code == 201, created.text
    await add_rule(
        api_client, world, code="not_collected_le_5", left="not_collected", right="5",
        message="Не собираемое значение больше 5",
    )  # fmt: skip
    await set_bound(api_client, world, "not_collected", 0, 5)
    await set_bound(api_client, world, "teachers_trained", 0, 90)
    await post(
        api_client,
        world,
        [
            row(world, "not_collected", 8.88, period=PERIOD),
            row(world, "teachers_trained", 95, period=PERIOD),
        ],
    )
    leader, home = await signed_in(browser, "leader@soko.example")
    shown = card(home, world)
    assert "Проверьте данные (1) — до утверждения их стоит исправить:" in shown, shown
    assert "8,88" not in shown and "Не собираемое" not in shown
    assert (await step(leader, home, world, "submit")).status_code == 303
    _, home = await signed_in(browser, "analyst@soko.example")
    waiting = card(home, world).split("Ждут утверждения")[1]
    assert "Проверка данных: нарушено правил — 0, возможных выбросов — 1" in waiting, waiting
    assert "8,88" not in waiting and "Не собираемое" not in waiting  # not the collection's


async def test_each_school_waiting_for_approval_links_to_its_submitted_values(
    browser, late_world, apps, isolation
):
    """Before approving, the analyst opens the school's values of the collection's period."""
    world = late_world
    leader, home = await signed_in(browser, "leader@soko.example")
    assert (await step(leader, home, world, "submit")).status_code == 303
    await sync_facts(apps, isolation)
    client, home = await signed_in(browser, "analyst@soko.example")
    waiting = home.text[home.text.index("Ждут утверждения") :]
    link = f"/values?scope_type=organization&amp;scope_id={world.s1.id}&amp;period={PERIOD}"
    assert f'href="{link}"' in waiting
    assert f"scope_id={world.s2.id}" not in waiting  # S2 submitted nothing
    values = await client.get(link.replace("&amp;", "&"))
    assert values.status_code == 200, values.text
    shown = values.text.replace("\xa0", " ")
    assert "Школа 1" in shown and PERIOD in shown
    assert world.planning.name in shown  # the value S1 submitted
