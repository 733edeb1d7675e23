"""The demo's teachers' diagnostics: the methodologist's PD order and the teachers' routes
exist, the demo teacher has a result, a route and an open diagnostic to take, and the leader
sees who has not answered."""

import re

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.demo import load
from services.demo.diagnostics import (
    DEMO_TEACHER_WEAK,
    DIFFICULTY,
    TITLES,
    Teacher,
    answers,
    participants,
    takers,
)
from services.demo.indicators import _schools
from services.demo.loader import DEMO_PASSWORD
from services.demo.years import current_year, year_before
from shared.db import create_engine
from shared.migrations import upgrade
from shared.settings import Settings
from tests.conftest import run_sync, running_apps
from tests.demo.helpers import organizations, read
from tests.facts import sync_facts
from tests.surveys.forms import BANK


def test_the_answers_are_seeded_and_show_deficits_in_some_competences_only():
    schools = participants(_schools(organizations()))
    assert len(schools) == 6
    found = [
        Teacher(f"staff-{s.name}-{n}", f"Педагог {n}", s, f"p-{s.name}-{n}@demo.soko.ru")
        for s in schools
        for n in range(8)
    ]
    definition = BANK["teacher_professional_deficits"]
    profiles = [answers(t, definition, "main") for t in found]
    assert profiles == [answers(t, definition, "main") for t in found]  # seeded
    right = {c: 0 for c in DIFFICULTY}
    for profile in profiles:
        for item in definition.scored_items():
            correct = {o.code for o in item.options if o.correct}
            right[item.competence] += profile[item.code] in correct
    # The hardest competence is answered worst, the easiest best, none all right or wrong.
    assert min(right, key=right.get) == "methodological"
    assert max(right, key=right.get) == "communicative"
    assert all(0 < n < 6 * len(found) for n in right.values())
    main, follow_up = takers(found, found[0].staff_id)
    ids = [{t.staff_id for t in group} for group in (follow_up, main, found)]
    assert found[0].staff_id in ids[0] and ids[0] < ids[1] < ids[2]
    weak = answers(found[0], definition, "main", weak=DEMO_TEACHER_WEAK)
    items = [i for i in definition.scored_items() if i.competence == DEMO_TEACHER_WEAK]
    assert sum(weak[i.code] in {o.code for o in i.options if o.correct} for i in items) == 2


async def test_the_demo_has_a_pd_order_routes_results_and_an_open_diagnostic(scratch_database):
    url = scratch_database()
    run_sync(upgrade, url)
    settings = Settings(database_url=url, environment="test", log_format="text")
    said = await load(url, only_if_empty=True, settings=settings)
    # The main diagnostic of the school year before today's (closed), its follow-up of this one.
    period, current = year_before(settings.today()), current_year(settings.today())
    found = re.search(rf"(\d+) of (\d+) teachers answered the {period} one, (\d+) its", said)
    assert found, said
    answered, invited, retook = (int(n) for n in found.groups())
    assert invited == 48 and invited * 0.8 < answered < invited  # most, not all
    assert 0 < retook < answered
    engine = create_engine(url)
    try:
        async with running_apps(settings) as apps:
            await sync_facts(apps, async_sessionmaker(engine, expire_on_commit=False))
            tokens = {}
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=apps.api), base_url="http://api"
            ) as client:
                for who in ("methodologist", "analyst", "leader", "teacher"):
                    signed = await client.post(
                        "/v1/auth/token",
                        data={"username": f"{who}@demo.soko.ru", "password": DEMO_PASSWORD},
                    )
                    tokens[who] = signed.json()["access_token"]
                district = (
                    await client.get(
                        "/v1/me", headers={"Authorization": f"Bearer {tokens['analyst']}"}
                    )
                ).json()["scope_id"]
            where = {"territory_id": district, "period": period}
            order = await read(apps.reports, "/v1/pd-order", tokens["methodologist"], **where)
            public = await read(apps.reports, "/v1/pd-order", tokens["analyst"], **where)
            routes = await read(
                apps.reports, "/v1/individual-routes", tokens["methodologist"], period=period
            )
            where["period"] = current
            current_order = await read(
                apps.reports, "/v1/pd-order", tokens["methodologist"], **where
            )
            own_routes = await read(apps.reports, "/v1/individual-routes", tokens["teacher"])
            invitations = await read(apps.surveys, "/v1/me/invitations", tokens["teacher"])
            campaigns = await read(apps.surveys, "/v1/campaigns", tokens["leader"])
            (follow_up,) = [c for c in campaigns["items"] if c["title"] == TITLES["follow_up"]]
            pending_page = await read(
                apps.surveys,
                f"/v1/campaigns/{follow_up['id']}/pending",
                tokens["leader"],
                limit=500,
            )
            pending = pending_page["items"]
    finally:
        await engine.dispose()

    # The methodologist's order of the closed diagnostic: seats in programmes, in several
    # schools; the analyst reads the same order (closed and published: nothing withheld).
    assert 0 < order["teachers"] <= answered and order["seats"] > 0
    assert order["programmes"] and len(order["organizations"]) >= 3
    assert not public["suppressed"] and public["seats"] == order["seats"]
    assert routes["total"] == order["teachers"]
    assert all(r["deficits"] and r["steps"] for r in routes["items"])
    # The follow-up, still open, has its order too (the methodologist's).
    assert 0 < current_order["teachers"] <= retook
    # The demo teacher: a route for each year with the methodological deficit, their
    # follow-up answered (its result on their home), the digital diagnostic still to take.
    assert {r["period"] for r in own_routes["items"]} == {period, current}
    for route in own_routes["items"]:
        assert DEMO_TEACHER_WEAK in {d["code"] for d in route["deficits"]}
    assert {i["title"]: i["status"] for i in invitations["items"]} == {
        TITLES["follow_up"]: "submitted",
        TITLES["digital"]: "not_started",
    }
    # The gymnasium's leader sees who has not answered the follow-up, by name.
    assert pending_page["total"] == len(pending)
    assert pending and all(p["full_name"] and p["status"] == "not_started" for p in pending)
