"""Indicator values in SQL over the facts agree with the Calculator (tests/reports/oracle.py)
on the demo district: every indicator × scope × period, every field, for each demo account."""

import httpx
import pytest
from sqlalchemy.ext.asyncio import async_sessionmaker

from services.demo import load
from services.demo.loader import DEMO_PASSWORD
from services.demo.years import demo_years
from services.reports.indicator_values import computation
from shared.db import create_engine
from shared.errors import NotFound
from shared.identity import ScopeType, decode_token
from shared.migrations import upgrade
from shared.periods import period_or_invalid
from shared.scope import ensure_in_scope
from shared.settings import Settings
from tests.conftest import run_sync, running_apps
from tests.disclosure_world import add_school, add_teachers, diagnose, disclosure_world
from tests.facts import sync_facts
from tests.reports.oracle import calculator_items, differences
from tests.reports.test_disclosure import arrange as deficits_arrange
from tests.reports.test_indicator_values import PERIOD
from tests.reports.test_indicator_values import arrange as values_arrange
from tests.surveys.test_results import DIAGNOSTIC

ACCOUNTS = ("admin", "analyst", "methodologist", "leader", "viewer")


@pytest.fixture(scope="module")
def demo_settings(scratch_database) -> Settings:
    url = scratch_database()
    run_sync(upgrade, url)
    settings = Settings(database_url=url, environment="test", log_format="text")
    run_sync(_load, url, settings)
    return settings


def _load(url: str, settings: Settings) -> None:
    import asyncio

    asyncio.run(load(url, only_if_empty=False, settings=settings))


async def _token(apps, login: str) -> str:
    transport = httpx.ASGITransport(app=apps.api)
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        answer = await client.post(
            "/v1/auth/token",
            data={"username": f"{login}@demo.soko.ru", "password": DEMO_PASSWORD},
        )
        assert answer.status_code == 200, answer.text
        return answer.json()["access_token"]


def flagged_share(code: str, name: str, direction: str = "lower", **params) -> dict:
    return {
        "code": code,
        "name": name,
        "unit": "percent",
        "direction": direction,
        "level": "territory",
        "method": "organization_flagged_share",
        "params": params,
    }


# The complex analysis' shares of schools (issue 15), on top of the demo's own indicators.
FLAGGED_SHARES = [
    flagged_share(
        "flagged_objectivity_high",
        "Доля школ с высоким риском необъективности",
        flag="objectivity_risk",
    ),
    flagged_share(
        "flagged_objectivity_any",
        "Доля школ с риском необъективности",
        flag="objectivity_risk",
        risk="low",
    ),
    flagged_share("flagged_low_results", "Доля ШНОР", flag="low_results"),
    flagged_share("flagged_unfavourable", "Доля ШНСУ", flag="unfavourable_context"),
    flagged_share("flagged_resilient", "Доля резильентных школ", "higher", flag="resilient"),
]


async def _define_flagged_shares(apps) -> None:
    transport = httpx.ASGITransport(app=apps.api)
    headers = {"Authorization": f"Bearer {await _token(apps, 'admin')}"}
    async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
        for definition in FLAGGED_SHARES:
            answer = await client.post("/v1/indicators", json=definition, headers=headers)
            assert answer.status_code in (200, 201), answer.text


async def test_sql_values_agree_with_the_calculator_on_the_demo_district(demo_settings):
    settings = demo_settings
    engine = create_engine(settings.database_url)
    sessions = async_sessionmaker(engine, expire_on_commit=False)
    try:
        async with running_apps(settings) as apps:
            await _define_flagged_shares(apps)
            await sync_facts(apps, sessions)
            district = decode_token(settings, await _token(apps, "analyst")).scope_id
            compared = flagged = 0
            for login in ACCOUNTS:
                token = await _token(apps, login)
                principal = decode_token(settings, token)
                scope_type = principal.scope_type or ScopeType.territory
                scope_id = principal.scope_id or district
                for period in reversed(demo_years(settings.today())):
                    for public in (False, True):
                        async with sessions() as session:
                            resolver = apps.reports.state.scope_resolver.using(session)
                            scope = await ensure_in_scope(principal, resolver, scope_type, scope_id)
                            expected = await calculator_items(
                                apps, token, scope, period, public=public
                            )
                            actual, _ = await computation.scope_items(
                                session,
                                principal,
                                resolver,
                                scope,
                                period,
                                period_or_invalid(period).previous.code,
                                None,
                                minimum=settings.disclosure_minimum,
                                public=public,
                            )
                        assert expected, (login, period)
                        assert differences(expected, actual) == [], (login, period, public)
                        compared += len(expected)
                        flagged += sum(
                            1
                            for i in actual
                            if i["indicator_code"].startswith("flagged_") and i["value"]
                        )
            assert compared > 10_000
            assert flagged > 0  # the analysis flagged some of the demo's schools
    finally:
        await engine.dispose()


SURVEY_CODES = {
    "parents_satisfied",
    "parents_mean",
    "deficit_tools",
    "deficit_interpretation",
    "deficit_any",
}
# Deficit shares beside test_disclosure's ("tools", every other teacher): "interpretation",
# every teacher's (withheld from outsiders for individual results), and every competence
# (withheld as soon as one of them is).
DEFICIT_SHARES = [
    {
        "code": code,
        "name": name,
        "unit": "percent",
        "level": "organization",
        "method": "deficit_share",
        "params": {"instrument_code": DIAGNOSTIC.code, "competences": competences},
    }
    for code, name, competences in (
        ("deficit_interpretation", "Дефицит интерпретации", ["interpretation"]),
        ("deficit_any", "Дефициты", []),
    )
]
SURVEY_MEAN = {
    "code": "parents_mean",
    "name": "Средний балл ответов родителей",
    "unit": "score",
    "level": "organization",
    "method": "survey_mean",
    "params": {"instrument_code": "nok_parents_2018", "audience": "parents"},
}


async def test_survey_values_and_their_disclosure_agree_with_the_calculator(
    apps, db, isolation, settings, api_client, surveys_client
):
    """Parents' answers (S2 below the minimum, S1 withheld beside it), a closed diagnostic
    with one teacher in S1 (withheld, S2 beside it by difference), and an open one: as every
    person of the world reads them, in their own scope and in M1, personal or public."""
    world = await disclosure_world(db, settings)
    world.s4 = await add_school(db, world)
    await values_arrange(api_client, surveys_client, world, apps)
    await api_client.post("/v1/indicators", json=SURVEY_MEAN, headers=world.headers("analyst"))
    for definition in DEFICIT_SHARES:
        added = await api_client.post(
            "/v1/indicators",
            json=definition | {"roadmap_ids": [str(world.r1.id)]},
            headers=world.headers("analyst"),
        )
        assert added.status_code == 201, added.text
    await deficits_arrange(db, settings, api_client, surveys_client, world, 1)
    late = await add_teachers(db, settings, world, world.s4, 2, "d")
    await diagnose(surveys_client, world, [world.s4], late, closed=False)
    await sync_facts(apps, isolation)
    compared, reasons, survey_values = 0, set(), 0
    for who, token in sorted(world.tokens.items()):
        principal = decode_token(settings, token)
        if principal.kind != "user" or (principal.scope_id is None and not principal.unrestricted):
            continue
        resolver = apps.reports.state.scope_resolver.using(db)
        scopes = {(principal.scope_type, principal.scope_id)} if principal.scope_id else set()
        scopes.add((ScopeType.territory, world.m1.id))
        for scope_type, scope_id in sorted(scopes, key=str):
            try:
                scope = await ensure_in_scope(principal, resolver, scope_type, scope_id)
            except NotFound:
                continue
            for public in (False, True):
                expected = await calculator_items(apps, token, scope, PERIOD, public=public)
                actual, _ = await computation.scope_items(
                    db,
                    principal,
                    resolver,
                    scope,
                    PERIOD,
                    "2020/2021",
                    None,
                    minimum=settings.disclosure_minimum,
                    public=public,
                )
                assert differences(expected, actual) == [], (who, scope_type, public)
                compared += len(expected)
                for item in actual:
                    reasons.update((item["coverage"] or {}).get("withheld") or ())
                    survey_values += item["indicator_code"] in SURVEY_CODES and (
                        item["value"] is not None
                    )
    assert compared > 100
    # Every rule had something to withhold, for someone, and values were shown too.
    assert reasons == {"minimum", "difference", "campaign_open", "individual_results"}
    assert survey_values > 10
