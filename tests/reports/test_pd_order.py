"""The PD catalogue, the PD order and individual routes, end to end: diagnostics are taken
through the real surveys app with personal links, and scored by its real scoring.

The world (period 2021/2022, municipality M1), with the test catalogue below:
- S1: A (Иванова Мария) — professional diagnostic: methodological 2/6 (33.3 %),
  communicative 3/6 (50 %); digital diagnostic: interpretation 1/5 (20 %);
  B (Кузнецова Анна) — methodological 3/6 (50 %);
  C (Соколова Елена) — methodological 5/6 (83.3 %), nothing below 4/6: no deficit.
- S2: D (Попов Сергей) — subject 1/6 (16.7 %), psycho_pedagogical 2/6 (33.3 %),
  methodological 3/6 (50 %).
A deficit is a score below 60 % of the maximum (the instruments' threshold).

Routes by hand:
- A: interpretation → t_interpretation (all cover one; it covers the first deficit);
  methodological → t_method_short (24 h beats 36 h and 72 h), mentor C (83.3 % ≥ 80 %);
  communicative → no programme, no mentor (B and C have 66.7 %).
- B: methodological → t_method_short, mentor C.
- D: t_method_psy covers two deficits and is chosen first, then t_subject; listed by the
  priority of the first deficit each addresses: t_subject, then t_method_psy.
Seats: t_method_short 2 (S1 2), t_interpretation 1 (S1), t_method_psy 1 (S2), t_subject 1 (S2);
S1 3 seats / 2 teachers, S2 2 seats / 1 teacher; 5 seats, 3 teachers; communicative uncovered 1.
"""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update

from services.api.auth.service import user_principal
from services.api.staff.models import StaffMember
from services.reports.pd_order.catalogue import sync_catalogue
from services.reports.pd_order.compute import (
    Profile,
    Programme,
    Result,
    choose_programmes,
    mentor_of,
)
from services.reports.pd_order.compute import load_catalogue as default_catalogue
from services.reports.pd_order.models import IndividualRoute, PdProgramme
from services.surveys.instruments.definition import load_bank
from shared.identity import issue_user_token
from tests.factories import add_user, build_world
from tests.reports.helpers import individual_route, territory_report
from tests.surveys.forms import diagnostic_answers

PERIOD = "2021/2022"
NOW = datetime.now(UTC)
BANK = {d.code: d for d in load_bank()}
PROFESSIONAL = BANK["teacher_professional_deficits"]
DIGITAL = BANK["teacher_digital_assessment_deficits"]
TEST_CATALOGUE = [
    ("t_interpretation", ["interpretation"], 36),
    ("t_method_short", ["methodological"], 24),
    ("t_method_long", ["methodological"], 36),
    ("t_method_psy", ["methodological", "psycho_pedagogical"], 72),
    ("t_subject", ["subject"], 48),
]
STRONG = {"subject": 6, "methodological": 6, "psycho_pedagogical": 6, "communicative": 6}
PROFILES = {  # correct answers per competence (6 items each) in the professional diagnostic
    "teacher": STRONG | {"methodological": 2, "communicative": 3},
    "teacher_b": STRONG | {"methodological": 3, "communicative": 4},
    "teacher_c": {"subject": 4, "methodological": 5, "psycho_pedagogical": 4, "communicative": 4},
    "teacher_d": STRONG | {"subject": 1, "psycho_pedagogical": 2, "methodological": 3},
}


@pytest.fixture
async def world(db, settings):
    world = await build_world(db, settings)
    world.staff = {"teacher": world.t1}
    for who, org, name in (
        ("teacher_b", world.s1, "Кузнецова Анна"),
        ("teacher_c", world.s1, "Соколова Елена"),
        ("teacher_d", world.s2, "Попов Сергей"),
    ):
        staff = StaffMember(organization_id=org.id, full_name=name, position="teacher")
        db.add(staff)
        await db.flush()
        world.users[who] = add_user(db, f"{who}@soko.example", "teacher", "organization", org.id)
        world.users[who].staff_id = staff.id
        await db.flush()
        world.tokens[who] = issue_user_token(settings, user_principal(world.users[who]))
        world.staff[who] = staff
    return world


@pytest.fixture
async def catalogue(db, reports_client, world):
    """Only the test programmes are active: the default catalogue may change."""
    await db.execute(update(PdProgramme).values(active=False))
    created = {}
    for code, competences, hours in TEST_CATALOGUE:
        answer = await reports_client.post(
            "/v1/pd-programmes",
            json={
                "code": code,
                "title": f"Программа {code}",
                "provider": "ЦНППМ",
                "hours": hours,
                "competences": competences,
            },
            headers=world.headers("methodologist"),
        )
        assert answer.status_code == 201, answer.text
        created[code] = answer.json()
    return created


async def diagnose(surveys_client, world):
    """The professional diagnostic in S1 and S2, and A's digital one (the world's campaign)."""
    listed = await surveys_client.get(
        "/v1/instruments?kind=deficit", headers=world.headers("viewer")
    )
    instrument = next(i["id"] for i in listed.json()["items"] if i["code"] == PROFESSIONAL.code)
    launched = await surveys_client.post(
        "/v1/campaigns",
        headers=world.headers("methodologist"),
        json={
            "instrument_id": instrument,
            "audience": "teachers",
            "organization_ids": [str(world.s1.id), str(world.s2.id)],
            "period": PERIOD,
            "opens_at": (NOW - timedelta(days=1)).isoformat(),
            "closes_at": (NOW + timedelta(days=7)).isoformat(),
            "anonymous": False,
        },
    )
    assert launched.status_code == 201, launched.text
    assert launched.json()["invitations"] == 4
    taken = [
        (launched.json()["id"], who, diagnostic_answers(c, PROFESSIONAL))
        for who, c in PROFILES.items()
    ]
    digital = STRONG | {"design": 5, "tools": 5, "processing": 5, "interpretation": 1}
    taken.append(
        (
            world.campaigns["diagnostic_s1"].id,
            "teacher",
            diagnostic_answers(digital | {"security": 5}, DIGITAL),
        )
    )
    for campaign_id, who, given in taken:
        answer = await surveys_client.post(
            f"/v1/campaigns/{campaign_id}/responses",
            json={"staff_id": str(world.staff[who].id), "answers": given},
            headers=world.headers(who),
        )
        assert answer.status_code == 201, answer.text


async def order(reports_client, world, who):
    answer = await territory_report(reports_client, "/v1/pd-order", world, who)
    assert answer.status_code == 200, answer.text
    return answer.json()


async def routes(reports_client, world, who, **params):
    return await reports_client.get(
        "/v1/individual-routes",
        params={"period": PERIOD, **{k: str(v) for k, v in params.items()}},
        headers=world.headers(who),
    )


def summary(route):
    """Each step as (programme code or None, [(competence, mentor's name or None)])."""
    return [
        (
            step["programme"]["code"] if step["programme"] else None,
            [(c["code"], (c["mentor"] or {}).get("full_name")) for c in step["competences"]],
        )
        for step in route["steps"]
    ]


async def test_a_methodologist_builds_the_routes_and_the_order_counts_seats(
    db, surveys_client, reports_client, world, catalogue
):
    stale = [
        # C (Соколова Елена, S1): no deficit any more, removed by the build.
        individual_route(world.staff["teacher_c"], world.m1.id),
        individual_route(
            world.t3, world.m2.id
        ),  # Петров Иван, S3: another municipality, left alone
    ]
    db.add_all(stale)
    await db.flush()
    await diagnose(surveys_client, world)

    body = await order(reports_client, world, "methodologist")
    s1, s2 = str(world.s1.id), str(world.s2.id)
    seats = {
        p["code"]: (
            p["seats"],
            p["hours"],
            [(o["organization_id"], o["seats"]) for o in p["organizations"]],
        )
        for p in body["programmes"]
    }
    assert seats == {
        "t_method_short": (2, 24, [(s1, 2)]),
        "t_interpretation": (1, 36, [(s1, 1)]),
        "t_method_psy": (1, 72, [(s2, 1)]),
        "t_subject": (1, 48, [(s2, 1)]),
    }
    assert [p["code"] for p in body["programmes"]] == [  # most seats first, then by code
        "t_method_short",
        "t_interpretation",
        "t_method_psy",
        "t_subject",
    ]
    assert [(o["name"], o["seats"], o["teachers"]) for o in body["organizations"]] == [
        ("Школа 1", 3, 2),
        ("Школа 2", 2, 1),
    ]
    assert (body["seats"], body["teachers"]) == (5, 3)
    assert [(u["competence"], u["teachers"]) for u in body["uncovered"]] == [("communicative", 1)]
    assert body["built_at"] is not None and body["notes"] == [] and body["missing_inputs"] == []
    assert "Иванова" not in str(body) and "share" not in str(body)  # counts only

    listed = await routes(reports_client, world, "methodologist")
    by_name = {r["full_name"]: r for r in listed.json()["items"]}
    assert set(by_name) == {"Иванова Мария", "Кузнецова Анна", "Попов Сергей"}
    a = by_name["Иванова Мария"]
    assert [(d["code"], d["share"]) for d in a["deficits"]] == [
        ("interpretation", 20.0),
        ("methodological", 33.3),
        ("communicative", 50.0),
    ]
    assert summary(a) == [
        ("t_interpretation", [("interpretation", None)]),
        ("t_method_short", [("methodological", "Соколова Елена")]),
        (None, [("communicative", None)]),
    ]
    assert a["steps"][2]["note"].startswith("Программы повышения квалификации по этой компетенции")
    mentor = a["steps"][1]["competences"][0]["mentor"]
    assert mentor == {"staff_id": str(world.staff["teacher_c"].id), "full_name": "Соколова Елена"}
    assert summary(by_name["Кузнецова Анна"]) == [
        ("t_method_short", [("methodological", "Соколова Елена")])
    ]
    assert summary(by_name["Попов Сергей"]) == [
        ("t_subject", [("subject", None)]),
        ("t_method_psy", [("psycho_pedagogical", None), ("methodological", None)]),
    ]
    stored = set(await db.scalars(select(IndividualRoute.staff_id)))
    assert world.staff["teacher_c"].id not in stored and world.t3.id in stored

    again = await order(reports_client, world, "methodologist")  # a rebuild changes nothing
    assert (again["seats"], again["teachers"]) == (5, 3)
    assert await db.scalar(
        select(IndividualRoute.id).where(IndividualRoute.staff_id == world.t1.id)
    )


async def test_routes_are_the_teachers_own_and_the_leaders_school_and_reads_are_audited(
    api_client, surveys_client, reports_client, world, catalogue
):
    await diagnose(surveys_client, world)
    await order(reports_client, world, "methodologist")

    own = await routes(reports_client, world, "teacher")
    assert [r["full_name"] for r in own.json()["items"]] == ["Иванова Мария"]
    # Her mentor (Соколова Елена, 83.3 %) is not named to her: it is a colleague's result.
    assert "Соколова" not in own.text
    assert summary(own.json()["items"][0]) == [
        ("t_interpretation", [("interpretation", None)]),
        ("t_method_short", [("methodological", None)]),
        (None, [("communicative", None)]),
    ]
    other = await routes(reports_client, world, "teacher", staff_id=world.staff["teacher_b"].id)
    assert other.json() == {"items": [], "total": 0}
    school = await routes(reports_client, world, "leader")
    assert [r["full_name"] for r in school.json()["items"]] == ["Иванова Мария", "Кузнецова Анна"]
    assert summary(school.json()["items"][1]) == [
        ("t_method_short", [("methodological", "Соколова Елена")])
    ]
    elsewhere = await routes(reports_client, world, "leader", organization_id=world.s2.id)
    assert elsewhere.status_code == 404
    s2 = await routes(reports_client, world, "methodologist", organization_id=world.s2.id)
    assert [r["full_name"] for r in s2.json()["items"]] == ["Попов Сергей"]
    for who in ("analyst", "viewer", "admin"):
        answer = await routes(reports_client, world, who)
        assert answer.status_code == 403, who

    events = await api_client.get(
        "/v1/audit-events",
        params={"entity_type": "individual_route"},
        headers=world.headers("admin"),
    )
    readers = sorted(e["actor_role"] for e in events.json()["items"])
    assert readers == ["methodologist", "organization_leader", "teacher"]  # empty reads: none
    assert {e["service"] for e in events.json()["items"]} == {"reports"}


async def test_others_read_the_stored_order_without_rebuilding_it(
    surveys_client, reports_client, world, catalogue
):
    await diagnose(surveys_client, world)
    before = await order(reports_client, world, "admin")
    assert before["programmes"] == [] and (before["seats"], before["teachers"]) == (0, 0)
    assert before["built_at"] is None
    assert before["notes"] == [default_catalogue()["notes"]["not_built"]]
    assert "методист" in before["notes"][0]

    await order(reports_client, world, "methodologist")
    after = await order(reports_client, world, "admin")
    assert (after["seats"], after["teachers"]) == (5, 3) and after["notes"] == []
    assert {p["code"]: p["seats"] for p in after["programmes"]}["t_method_short"] == 2
    # Four teachers diagnosed in M1, fewer than the disclosure minimum: an analyst's order
    # would show their personal results (see test_pd_disclosure.py).
    withheld = await order(reports_client, world, "analyst")
    assert withheld["suppressed"] is True and withheld["seats"] is None
    assert withheld["programmes"] == [] and withheld["organizations"] == []
    for who in ("leader", "teacher"):  # the order is for the territory's readers
        answer = await territory_report(reports_client, "/v1/pd-order", world, who)
        assert answer.status_code == 403, who


async def test_catalogue_writes_are_validated_naming_the_field(reports_client, world, catalogue):
    url, headers = "/v1/pd-programmes", world.headers("analyst")
    valid = {
        "code": "new_one",
        "title": "Новая",
        "provider": "ИМЦ",
        "hours": 16,
        "competences": ["tools"],
    }
    for field, value in (("hours", 0), ("competences", []), ("code", "")):
        answer = await reports_client.post(url, json=valid | {field: value}, headers=headers)
        assert answer.status_code == 422, field
        assert answer.json()["errors"][0]["loc"] == ["body", field]
    duplicate = await reports_client.post(url, json=valid | {"code": "t_subject"}, headers=headers)
    assert duplicate.status_code == 409
    assert duplicate.json()["errors"][0]["loc"] == ["body", "code"]
    forbidden = await reports_client.post(url, json=valid, headers=world.headers("leader"))
    assert forbidden.status_code == 403

    created = await reports_client.post(url, json=valid, headers=headers)
    assert created.status_code == 201 and created.json()["active"] is True
    item = f"{url}/{created.json()['id']}"
    cleared = await reports_client.patch(item, json={"title": None}, headers=headers)
    assert cleared.status_code == 422 and cleared.json()["errors"][0]["loc"] == ["body", "title"]
    renamed = await reports_client.patch(item, json={"code": "t_subject"}, headers=headers)
    assert renamed.status_code == 409
    changed = await reports_client.patch(
        item, json={"hours": 24, "competences": ["tools", "security", "tools"]}, headers=headers
    )
    assert changed.status_code == 200
    assert (changed.json()["hours"], changed.json()["competences"]) == (24, ["tools", "security"])
    listed = await reports_client.get(
        url, params={"competence": "security", "active": "true"}, headers=world.headers("teacher")
    )
    assert [p["code"] for p in listed.json()["items"]] == ["new_one"]

    assert (await reports_client.delete(item, headers=headers)).status_code == 204
    assert (await reports_client.get(item, headers=headers)).status_code == 404


async def test_the_default_catalogue_covers_every_competence_of_the_bank(db, reports_client, world):
    default = default_catalogue()["programmes"]
    covered = {c for p in default for c in p["competences"]}
    for definition in (PROFESSIONAL, DIGITAL):
        assert {c.code for c in definition.competences} <= covered, definition.code
    assert all(16 <= p["hours"] <= 72 for p in default)
    assert any(len(p["competences"]) == 2 for p in default)

    listed = await reports_client.get(
        "/v1/pd-programmes", params={"limit": 500}, headers=world.headers("viewer")
    )
    stored = {p["code"]: p for p in listed.json()["items"]}
    assert {p["code"] for p in default} <= set(stored)  # loaded at start-up

    first = default[0]["code"]
    edited = f"/v1/pd-programmes/{stored[first]['id']}"
    # The global catalogue is the administrators' (tests/reports/test_pd_programme_owners.py).
    await reports_client.patch(edited, json={"hours": 40}, headers=world.headers("admin"))
    assert await sync_catalogue(db) == 0  # nothing missing, and an edit is not overwritten
    programme = await db.scalar(select(PdProgramme).where(PdProgramme.code == first))
    await db.refresh(programme)
    assert programme.hours == 40
    # Removing a default programme only retires it: the start-up would bring it back.
    answer = await reports_client.delete(edited, headers=world.headers("admin"))
    assert answer.status_code == 204
    assert (await reports_client.get(edited, headers=world.headers("viewer"))).json()[
        "active"
    ] is False


def profile(name: str, org: uuid.UUID, **shares: int) -> Profile:
    results = {c: Result(c, c, s, 100, s < 60) for c, s in shares.items()}
    return Profile(uuid.uuid4(), name, org, results)


def test_ties_go_to_the_first_deficit_then_fewer_hours_then_the_code():
    def programme(code: str, hours: int, *competences: str) -> Programme:
        return Programme(uuid.uuid4(), code, code, "ИМЦ", hours, competences)

    catalogue = [
        programme("b_late", 16, "late"),
        programme("z_first", 36, "first"),
        programme("a_first", 36, "first"),
        programme("long_first", 72, "first"),
    ]
    chosen = choose_programmes(["first", "late"], catalogue)
    assert [(p.code if p else None, codes) for p, codes in chosen] == [
        ("a_first", ["first"]),
        ("b_late", ["late"]),
    ]
    both = programme("both", 72, "first", "late")
    assert [p.code for p, _ in choose_programmes(["first", "late"], [*catalogue, both])] == ["both"]


def test_the_mentor_is_the_strongest_colleague_ties_by_name():
    school = uuid.uuid4()
    teacher = profile("Я", school, methodological=40)
    colleagues = [
        teacher,
        profile("Яковлева", school, methodological=90),
        profile("Андреева", school, methodological=90),
        profile("Борисова", school, methodological=85),
        profile("Васильева", school, methodological=79),
    ]
    assert mentor_of(colleagues, teacher, "methodological", 80)["full_name"] == "Андреева"
    assert mentor_of(colleagues[:1] + colleagues[4:], teacher, "methodological", 80) is None
