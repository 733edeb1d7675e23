"""The demo district's НОК: checklist values and parents' answers make GET /v1/nok rank it;
and the district's decisions on its recommendations (GET /v1/decisions)."""

import re

import httpx
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.demo.decisions import ANSWERED, DECISIONS
from services.demo.indicators import _schools
from services.demo.loader import DEMO_PASSWORD
from services.demo.surveys import BELOW_MINIMUM, respondents
from services.demo.years import demo_years
from shared.db import create_engine
from tests.conftest import running_apps
from tests.demo.helpers import organizations, read
from tests.facts import sync_facts

# weights.json "survey_suppressed": «…ответов меньше порога раскрытия ({n})…», n the school's;
# "survey_suppressed_difference": «…результаты опроса (ответивших: {n}) скрыты…».
NOTE_N = re.compile(r"ответов меньше порога раскрытия \((\d+)\)|\(ответивших: (\d+)\) скрыты")


def test_three_schools_answer_below_the_disclosure_minimum_the_others_at_it_or_above():
    demo_schools = _schools(organizations())
    counts = respondents(demo_schools, minimum=5)
    assert counts == respondents(_schools(organizations()), minimum=5)  # seeded
    below = [school_id for school_id, n in counts.items() if n < 5]
    assert len(below) == BELOW_MINIMUM == 3
    assert all(1 <= counts[s] <= 4 for s in below)
    assert len(counts) == 25 and all(5 <= n <= 60 for s, n in counts.items() if s not in below)


async def test_the_demo_districts_nok_has_totals_and_ranks(loaded_demo):
    settings, said = loaded_demo.settings, loaded_demo.said
    # The НОК of the earlier completed school year; the decisions' effect in the later one.
    previous, current = demo_years(settings.today())
    assert "the НОК checklist (200 values)" in said  # 8 checklist values × 25 schools
    engine = create_engine(settings.database_url)
    try:
        async with running_apps(settings) as apps:
            await sync_facts(apps, async_sessionmaker(engine, expire_on_commit=False))
            async with httpx.AsyncClient(
                transport=httpx.ASGITransport(app=apps.api), base_url="http://api"
            ) as client:
                signed = await client.post(
                    "/v1/auth/token",
                    data={"username": "analyst@demo.soko.ru", "password": DEMO_PASSWORD},
                )
            token = signed.json()["access_token"]
            district = (await read(apps.api, "/v1/me", token))["scope_id"]
            where = {"territory_id": district, "period": previous}
            body = await read(apps.reports, "/v1/nok", token, **where)
            campaigns = await read(apps.surveys, "/v1/campaigns", token)
            decisions = (
                await read(
                    apps.reports,
                    "/v1/decisions",
                    token,
                    territory_id=district,
                    period=previous,
                    compare_period=current,
                )
            )["items"]
    finally:
        await engine.dispose()

    # 28 organizations: 25 schools with checklist values and parents' answers, 2 kindergartens
    # and a centre with neither (unranked). Three schools have fewer answers than the
    # disclosure minimum (5): 1, 1 and 2 (seeded), 4 people together, so the district's figure
    # minus the others' would describe 4 < 5 people: one more school, the smallest of the rest
    # (6 answers), is withheld too (shared/disclosure.py). 25 - 4 = 21 schools ranked.
    assert len(body["organizations"]) == 28
    withheld = {
        o["name"]: next(int(n) for n in NOTE_N.search(" ".join(o["notes"])).groups() if n)
        for o in body["organizations"]
        if NOTE_N.search(" ".join(o["notes"]))
    }
    assert sorted(withheld.values()) == [1, 1, 2, 6]
    # The school of 6 is said to be withheld by difference, not to be below the minimum.
    notes = " ".join(n for o in body["organizations"] for n in o["notes"])
    assert "порога раскрытия (6)" not in notes and "(ответивших: 6) скрыты" in notes
    assert all(o["total"] is None for o in body["organizations"] if o["name"] in withheld)
    assert body["organizations_ranked"] == 21
    ranked = [o for o in body["organizations"] if o["rank"] is not None]
    assert len(ranked) == 21 and ranked[0]["rank"] == 1
    assert all(0 < o["total"] <= 100 for o in ranked)
    assert [o["total"] for o in ranked] == sorted((o["total"] for o in ranked), reverse=True)
    assert 0 < body["total"] <= 100
    parents = [c for c in campaigns["items"] if c["audience"] == "parents"]
    assert sorted(c["title"] for c in parents if c["period"] == previous) == [
        "НОК УООД: анкета родителей",
        "Удовлетворённость родителей",
    ]
    # services/demo/decisions.py: three decisions on the first year's recommendations, each
    # with its effect in the next year (the demo has both years' values of its school).
    assert sorted(d["text"] for d in decisions) == sorted(DECISIONS)
    assert sorted(d["indicator_code"] for d in decisions) == sorted(ANSWERED)
    effects = [d["effect"] for d in decisions]
    assert all(e["period"] == current and e["before"] is not None for e in effects)
    assert all(e["after"] is not None and e["improved"] is not None for e in effects)
    generated = re.search(r"(\d+) recommendations, 3 decisions", said)
    assert generated and int(generated.group(1)) > 3  # the default rules over the demo year
