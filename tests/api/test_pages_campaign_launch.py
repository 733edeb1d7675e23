"""«Запустить анкетирование» (`/campaigns/new`): the analyst's and the administrator's form of a
campaign's launch, posted as `POST /v1/campaigns` of the real surveys app as the visitor; the
problems it answers said beside their fields with everything typed kept; the other roles
refused."""

import re
import uuid
from datetime import date, datetime, timedelta
from html import unescape
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from services.surveys.campaigns.models import Campaign, CampaignOrganization
from shared.client import ServiceClient
from shared.periods import academic_year_of
from tests.api import test_pages
from tests.surveys.forms import DIAGNOSTIC, csrf_of

browser = test_pages.browser
signed_in = test_pages.signed_in
PATH = "/campaigns/new"


def _text(html: str) -> str:
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", html)).replace("\xa0", " ").split())


def _options(html: str, name: str) -> dict[str, tuple[str, bool]]:
    """A select's options: value → (label, selected)."""
    start = html.index(f'name="{name}"')
    block = html[start : html.index("</select>", start)]
    found = re.findall(r'<option value="([^"]*)"( selected)?>([^<]*)</option>', block)
    return {unescape(v): (unescape(label), bool(sel)) for v, sel, label in found}


def _value(html: str, name: str) -> str:
    found = re.search(rf'<input [^>]*name="{name}" value="([^"]*)"', html)
    assert found, name
    return unescape(found[1])


def _checked_schools(html: str) -> set[str]:
    return set(re.findall(r'name="org-([0-9a-f-]{36})" value="1" checked', html))


def _schools(html: str) -> list[str]:
    """The schools' names in the order the form lists them."""
    return [
        unescape(n) for n in re.findall(r'name="org-[^"]+" value="1"[^>]*> ([^<]+)</label>', html)
    ]


def _problem_at(html: str, field: str) -> list[str]:
    return [unescape(m) for m in re.findall(rf'id="{field}-error">([^<]+)</p>', html)]


async def _form(client) -> tuple[str, dict[str, str]]:
    """The form's page and the fields it posts as shown (CSRF, key, defaults)."""
    page = await client.get(PATH)
    assert page.status_code == 200, page.text
    fields = {
        "_csrf": csrf_of(page),
        "launch_key": _value(page.text, "launch_key"),
        "period": _value(page.text, "period"),
        "opens_on": _value(page.text, "opens_on"),
        "anonymous": "1",
    }
    return page.text, fields


def _choice(html: str, world, code: str) -> str:
    """The questionnaire option of the bank's instrument `code` (its latest version)."""
    instrument_id, _ = world.instruments[code]
    return next(v for v in _options(html, "instrument") if v.startswith(f"{instrument_id}:"))


async def test_the_analyst_s_home_links_to_a_form_with_its_defaults(browser, world, settings):
    client, home = await signed_in(browser, "analyst@soko.example")
    assert re.search(
        r'<a class="button secondary" href="/campaigns/new">Запустить анкетирование</a>', home.text
    )
    html, fields = await _form(client)
    today = settings.today()
    # The current school year, opening today, anonymous; no school checked.
    assert fields["period"] == academic_year_of(today).code
    assert fields["opens_on"] == today.isoformat()
    assert re.search(r'name="anonymous" value="1" checked', html)
    assert "Анкеты родителей и обучающихся всегда анонимны" in _text(html)
    assert re.fullmatch(r"[0-9a-f]{32}", fields["launch_key"])
    # The bank's instruments, each at its latest version, for whom said in Russian.
    instruments = _options(html, "instrument")
    nok_id, _ = world.instruments["nok_parents_2018"]
    nok = [label for v, (label, _) in instruments.items() if v.startswith(f"{nok_id}:")]
    assert len(nok) == 1 and nok[0].endswith("(родители) — версия 1"), nok
    assert f"{DIAGNOSTIC.title} (педагоги) — версия 1" in [
        label for label, _ in instruments.values()
    ]
    assert not any(selected for _, selected in instruments.values())
    audiences = {v: label for v, (label, _) in _options(html, "audience").items() if v}
    assert audiences == {
        "parents": "Родители",
        "teachers": "Педагоги",
        "leaders": "Руководители",
        "students": "Обучающиеся",
    }
    # The schools of the analyst's district (M1) only, with «Выбрать все».
    assert _schools(html) == ["Школа 1", "Школа 2"]
    assert _checked_schools(html) == set()
    assert "Выбрать все" in html and "Отмечено 0 из 2." in _text(html)


async def test_the_administrator_s_form_lists_every_school_by_territory(browser, world, db):
    from services.api.organizations.models import Organization

    db.add(Organization(name="Школа 10", kind="school", territory_id=world.m1.id))
    db.add(Organization(name="Закрытая школа", kind="school", territory_id=world.m1.id,
                        closed_on=date(2020, 1, 1)))  # fmt: skip
    await db.flush()
    client, home = await signed_in(browser, "admin@soko.example")
    assert 'href="/campaigns/new"' in home.text
    html, _ = await _form(client)
    # Territories by name, their schools in natural order (№ 2 before № 10); a school closed
    # before today is not offered.
    assert re.findall(r"<h3>([^<]+)</h3>", html) == ["Район 1", "Район 2"]
    assert _schools(html) == ["Школа 1", "Школа 2", "Школа 10", "Школа 3"]
    assert "Выбрать все: Район 2" in html


async def test_a_launch_for_two_schools_reaches_the_home_and_their_leader(
    browser, world, settings, db
):
    client, _ = await signed_in(browser, "analyst@soko.example")
    html, fields = await _form(client)
    fields |= {
        "_action": "launch",
        "instrument": _choice(html, world, "nok_parents_2018"),
        "audience": "parents",
        "title": "Удовлетворённость родителей, весна",
        "opens_on": "2026-12-01",
        "closes_on": "2026-12-20",
        f"org-{world.s1.id}": "1",
        f"org-{world.s2.id}": "1",
    }
    answer = await client.post(PATH, data=fields)
    assert answer.status_code == 303, answer.text
    where = answer.headers["location"]
    found = re.fullmatch(r"/home\?launched=([0-9a-f-]{36})#campaigns-title", where)
    assert found, where
    campaign = await db.get(Campaign, uuid.UUID(found[1]))
    assert campaign is not None and campaign.title == "Удовлетворённость родителей, весна"
    assert campaign.created_by == str(world.users["analyst"].id) and campaign.anonymous
    local = ZoneInfo(settings.timezone)
    # From the start of the first day to the end of the last, in the territory's time.
    assert campaign.opens_at == datetime(2026, 12, 1, tzinfo=local)
    assert campaign.closes_at == datetime(2026, 12, 21, tzinfo=local)
    assert campaign.period == fields["period"]
    members = set(
        await db.scalars(
            select(CampaignOrganization.organization_id).where(
                CampaignOrganization.campaign_id == campaign.id
            )
        )
    )
    assert members == {world.s1.id, world.s2.id}

    home = await client.get(where.split("#")[0])
    notice = re.search(r'<div class="notice" role="status"><p>(.*?)</p>', home.text)
    assert notice and _text(notice[1]).startswith(
        "Анкетирование «Удовлетворённость родителей, весна» запущено: приём ответов с "
        "01.12.2026 по 20.12.2026"
    ), home.text
    assert "Удовлетворённость родителей, весна" in re.findall(r"<h3>([^<]+)</h3>", home.text)

    leader, leader_home = await signed_in(browser, "leader@soko.example")
    assert "Удовлетворённость родителей, весна" in leader_home.text
    # A launch's notice is the launcher's: another's `?launched=` says nothing.
    other = await leader.get(f"/home?launched={campaign.id}")
    assert "запущено" not in _text(other.text)


async def test_closing_before_opening_is_said_beside_the_closing_day_keeping_the_input(
    browser, world, db
):
    client, _ = await signed_in(browser, "analyst@soko.example")
    html, fields = await _form(client)
    nok = _choice(html, world, "nok_parents_2018")
    fields |= {
        "_action": "launch",
        "instrument": nok,
        "audience": "parents",
        "title": "Опрос «Весна»",
        "period": "2025/2026",
        "opens_on": "2026-03-10",
        "closes_on": "2026-03-01",
        f"org-{world.s2.id}": "1",
    }
    fields.pop("anonymous")
    answer = await client.post(PATH, data=fields)
    assert answer.status_code == 422, answer.text
    page = answer.text
    assert _problem_at(page, "closes_on") == ["Закрытие должно быть позже открытия."]
    assert "Анкетирование не запущено" in page and "closes_at" not in page
    # Everything as typed, the anonymity unchecked too; the same key.
    assert _options(page, "instrument")[nok][1] and _options(page, "audience")["parents"][1]
    assert _value(page, "title") == "Опрос «Весна»" and _value(page, "period") == "2025/2026"
    assert (_value(page, "opens_on"), _value(page, "closes_on")) == ("2026-03-10", "2026-03-01")
    assert not re.search(r'name="anonymous" value="1" checked', page)
    assert _checked_schools(page) == {str(world.s2.id)}
    assert _value(page, "launch_key") == fields["launch_key"]
    stored = await db.scalars(select(Campaign.title).where(Campaign.title == "Опрос «Весна»"))
    assert list(stored) == []


@pytest.mark.parametrize(
    ("code", "audience", "anonymous", "field", "said"),
    [
        # The surveys service's rules, said in Russian beside the field they name.
        ("nok_parents_2018", "parents", False, "anonymous",
         "Ответы родителей и обучающихся собираются только анонимно."),
        (DIAGNOSTIC.code, "parents", False, "audience", "Инструмент рассчитан на: педагоги."),
        (DIAGNOSTIC.code, "teachers", True, "anonymous",
         "Диагностика дефицитов проводится по персональным ссылкам."),
    ],
)  # fmt: skip
async def test_a_rule_of_the_launch_is_said_beside_its_field(
    browser, world, code, audience, anonymous, field, said
):
    client, _ = await signed_in(browser, "analyst@soko.example")
    html, fields = await _form(client)
    fields |= {"_action": "launch", "instrument": _choice(html, world, code), "audience": audience}
    fields[f"org-{world.s1.id}"] = "1"
    fields["closes_on"] = (date.fromisoformat(fields["opens_on"]) + timedelta(days=10)).isoformat()
    if not anonymous:
        fields.pop("anonymous")
    answer = await client.post(PATH, data=fields)
    assert answer.status_code == 422, answer.text
    assert _problem_at(answer.text, field) == [said]
    assert _checked_schools(answer.text) == {str(world.s1.id)}


async def test_a_form_sent_empty_says_what_to_fill_in(browser, world):
    client, _ = await signed_in(browser, "analyst@soko.example")
    _, fields = await _form(client)
    fields |= {"_action": "launch", "period": "", "opens_on": ""}
    answer = await client.post(PATH, data=fields)
    assert answer.status_code == 422
    page = answer.text
    assert _problem_at(page, "instrument") == ["Выберите анкету."]
    assert _problem_at(page, "audience") == ["Выберите, кто отвечает на анкету."]
    assert _problem_at(page, "period") == ["Укажите период, например учебный год 2026/2027."]
    assert _problem_at(page, "opens_on") == ["Укажите дату начала: день, месяц и год."]
    assert _problem_at(page, "schools") == ["Отметьте хотя бы одну организацию."]


async def test_select_all_checks_every_school_and_keeps_the_rest(browser, world, db):
    client, _ = await signed_in(browser, "analyst@soko.example")
    _, fields = await _form(client)
    fields |= {"_action": "all", "title": "Черновик", "audience": "leaders"}
    fields.pop("anonymous")
    shown = await client.post(PATH, data=fields)
    assert shown.status_code == 200, shown.text
    assert _checked_schools(shown.text) == {str(world.s1.id), str(world.s2.id)}
    assert _value(shown.text, "title") == "Черновик"
    assert _options(shown.text, "audience")["leaders"][1]
    assert not re.search(r'name="anonymous" value="1" checked', shown.text)
    assert "Отмечено 2 из 2." in _text(shown.text)
    cleared = await client.post(PATH, data=fields | {"_action": "none", f"org-{world.s1.id}": "1"})
    assert _checked_schools(cleared.text) == set()
    # Nothing launched; another district's school posted is no checkbox of the page: dropped.
    forged = await client.post(PATH, data=fields | {"_action": "none", f"org-{world.s3.id}": "1"})
    assert forged.status_code == 200 and str(world.s3.id) not in forged.text
    assert list(await db.scalars(select(Campaign.id).where(Campaign.title == "Черновик"))) == []


async def test_the_same_form_sent_twice_launches_once(browser, world, db):
    client, _ = await signed_in(browser, "analyst@soko.example")
    html, fields = await _form(client)
    fields |= {
        "_action": "launch",
        "instrument": _choice(html, world, "nok_parents_2018"),
        "audience": "parents",
    }
    fields |= {"title": "Дважды", f"org-{world.s1.id}": "1"}
    fields["closes_on"] = (date.fromisoformat(fields["opens_on"]) + timedelta(days=7)).isoformat()
    first = await client.post(PATH, data=fields)
    second = await client.post(PATH, data=fields)
    assert first.status_code == second.status_code == 303
    assert first.headers["location"] == second.headers["location"]
    assert len(list(await db.scalars(select(Campaign.id).where(Campaign.title == "Дважды")))) == 1
    # Back to that form, changed, sent again: said, with a new key to launch another.
    changed = await client.post(PATH, data=fields | {"title": "Дважды, иначе"})
    assert changed.status_code == 409
    assert "Эта форма уже была отправлена с другими данными" in _text(changed.text)
    assert _value(changed.text, "title") == "Дважды, иначе"
    used = fields["launch_key"]
    fields |= {"title": "Дважды, иначе", "launch_key": _value(changed.text, "launch_key")}
    assert fields["launch_key"] != used
    assert (await client.post(PATH, data=fields)).status_code == 303


async def test_the_surveys_service_down_loses_nothing(browser, apps, world, db):
    client, _ = await signed_in(browser, "analyst@soko.example")
    html, fields = await _form(client)
    nok = _choice(html, world, "nok_parents_2018")
    fields |= {"_action": "launch", "instrument": nok, "audience": "parents", "title": "Без связи"}
    fields |= {"closes_on": "2026-12-31", f"org-{world.s2.id}": "1"}
    kept = apps.api.state.peers["surveys"]
    apps.api.state.peers["surveys"] = ServiceClient("surveys", "http://127.0.0.1:9", retries=0)
    try:
        answer = await client.post(PATH, data=fields)
    finally:
        await apps.api.state.peers["surveys"].aclose()
        apps.api.state.peers["surveys"] = kept
    assert answer.status_code == 503
    text = _text(answer.text)
    assert "Анкетирование не запущено: сервис анкетирования сейчас не отвечает." in text
    assert "Всё введённое сохранено на этой странице" in text
    # The questionnaire chosen stays chosen though the list could not be read.
    assert _options(answer.text, "instrument")[nok][1]
    assert _value(answer.text, "title") == "Без связи"
    assert _checked_schools(answer.text) == {str(world.s2.id)}
    assert _value(answer.text, "launch_key") == fields["launch_key"]
    # Sent again once it is back: launched.
    again = await client.post(PATH, data=fields)
    assert again.status_code == 303, again.text
    assert list(await db.scalars(select(Campaign.title).where(Campaign.title == "Без связи")))


@pytest.mark.parametrize(
    "email",
    ["leader@soko.example", "teacher@soko.example", "viewer@soko.example", "method@soko.example"],
)
async def test_other_roles_have_no_link_and_are_refused(browser, world, db, email):
    client, home = await signed_in(browser, email)
    assert "/campaigns/new" not in home.text and "Запустить анкетирование" not in home.text
    page = await client.get(PATH)
    assert page.status_code == 403
    assert "Запускать анкетирование со страницы могут аналитики территорий" in page.text
    posted = await client.post(
        PATH,
        data={"_csrf": csrf_of(home), "_action": "launch", "audience": "parents",
              f"org-{world.s1.id}": "1", "title": "Чужой запуск"},
    )  # fmt: skip
    assert posted.status_code == 403
    assert list(await db.scalars(select(Campaign.id).where(Campaign.title == "Чужой запуск"))) == []


async def test_a_launch_without_a_session_leads_to_sign_in_and_back(browser, world):
    client = browser()
    page = await client.get(PATH)
    assert page.status_code == 303 and page.headers["location"] == "/?next=%2Fcampaigns%2Fnew"


async def test_a_launch_far_from_its_period_is_warned_of_on_the_home(browser, world, settings):
    """`POST /v1/campaigns` warns of a 2019/2020 campaign opening in 2026 (its answers would
    count for 2019/2020), but the redirect to the home dropped the warning: the notice says it
    now; a launch for the current year says nothing of the kind."""
    client, _ = await signed_in(browser, "analyst@soko.example")
    html, _ = await _form(client)
    opens = settings.today()
    common = {
        "_action": "launch",
        "instrument": _choice(html, world, "nok_parents_2018"),
        "audience": "parents",
        "opens_on": opens.isoformat(),
        "closes_on": (opens + timedelta(days=14)).isoformat(),
        f"org-{world.s1.id}": "1",
    }

    async def notice_of(**changes) -> str:
        _, form = await _form(client)
        answer = await client.post(PATH, data=form | common | changes)
        assert answer.status_code == 303, answer.text
        home = await client.get(answer.headers["location"].split("#")[0])
        notice = re.search(r'<div class="notice" role="status">(.*?)</div>', home.text, re.S)
        assert notice, home.text
        return _text(notice[1])

    old = await notice_of(title="Старый опрос", period="2019/2020")
    assert "Анкетирование «Старый опрос» запущено" in old
    assert (
        f"⚠ Кампания открывается {opens:%d.%m.%Y}, больше чем через год после конца периода "
        "«2019/2020» (31.08.2020); её ответы будут засчитаны в показатели периода «2019/2020»"
    ) in old
    current = await notice_of(title="Этого года")
    assert "запущено" in current and "⚠" not in current and "больше чем" not in current


async def test_a_school_year_is_read_as_people_write_it(browser, world, db, settings):
    """«2024-2025» was «Период «2024-2025» не распознан», though an upload reads it; years
    swapped are said so, the form keeping what was typed."""
    client, _ = await signed_in(browser, "analyst@soko.example")
    html, fields = await _form(client)
    opens = settings.today()
    fields |= {
        "_action": "launch",
        "instrument": _choice(html, world, "nok_parents_2018"),
        "audience": "parents",
        "title": "Опрос прошлого года",
        "opens_on": opens.isoformat(),
        "closes_on": (opens + timedelta(days=7)).isoformat(),
        f"org-{world.s1.id}": "1",
    }
    swapped = await client.post(PATH, data=fields | {"period": "2025-2024"})
    assert swapped.status_code == 422, swapped.text
    assert _problem_at(swapped.text, "period") == [
        "Период «2025-2024»: учебный год — два соседних года по порядку, ожидается 2024/2025"
    ]
    assert _value(swapped.text, "period") == "2025-2024"
    _, fresh = await _form(client)
    launched = await client.post(PATH, data=fields | fresh | {"period": "2024–2025 учебный год"})
    assert launched.status_code == 303, launched.text
    campaign_id = re.search(r"launched=([0-9a-f-]{36})", launched.headers["location"])[1]
    campaign = await db.get(Campaign, uuid.UUID(campaign_id))
    assert campaign.period == "2024/2025"


async def test_an_instrument_s_earlier_versions_are_offered_from_one_call(
    browser, world, apps, surveys_client, monkeypatch
):
    """Three versions of an instrument: the latest first, then «прежняя версия» 2 and 1, all
    from the bank's one list (was: one more call to the surveys service per instrument with
    several versions)."""
    definition = {
        "code": "launch_versions",
        "kind": "satisfaction",
        "title": "Опрос о питании",
        "description": "",
        "audience": ["parents"],
        "sections": [
            {
                "code": "main",
                "title": "Основное",
                "questions": [{"code": "q1", "type": "yes_no", "text": "Вопрос?"}],
            }
        ],
    }
    for n in (1, 2, 3):
        added = await surveys_client.post(
            "/v1/instruments",
            json=definition | {"description": f"Редакция {n}"},
            headers=world.headers("admin"),
        )
        assert added.status_code == 201, added.text
    asked: list[str] = []
    peer = apps.api.state.peers["surveys"]
    original = peer.request

    async def counted(method, path, **kwargs):
        asked.append(path)
        return await original(method, path, **kwargs)

    monkeypatch.setattr(peer, "request", counted)
    client, _ = await signed_in(browser, "analyst@soko.example")
    html, _ = await _form(client)
    labels = [label for label, _ in _options(html, "instrument").values()]
    ours = [label for label in labels if label.startswith("Опрос о питании")]
    assert [label.split(" — ")[1][:17] for label in ours] == [
        "версия 3",
        "прежняя версия 2 ",
        "прежняя версия 1 ",
    ]
    assert not [path for path in asked if path.endswith("/versions")], asked
