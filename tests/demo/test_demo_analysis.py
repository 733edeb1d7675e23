"""The demo district has content for every part of the complex analysis: after `soko demo`,
the reports service (its facts following the feeds) finds each featured school's sign, the
low-results school and the resilient one."""

import httpx

from services.demo import load
from services.demo.assessments import standouts
from services.demo.loader import DEMO_PASSWORD
from services.demo.participants import roles
from services.demo.years import demo_years
from shared.migrations import upgrade
from shared.settings import Settings
from tests.conftest import run_sync, running_apps


async def test_the_demo_district_shows_each_sign_a_low_results_and_a_resilient_school(
    scratch_database,
):
    url = scratch_database()
    run_sync(upgrade, url)
    settings = Settings(
        database_url=url, environment="test", following_feeds=False, log_format="text"
    )
    await load(url, only_if_empty=True, settings=settings)
    earlier, latest = demo_years(settings.today())  # the demo's two school years
    async with running_apps(settings) as apps:
        for follower in apps.reports.state.followers.values():
            await follower.catch_up()
        api = httpx.AsyncClient(transport=httpx.ASGITransport(app=apps.api), base_url="http://a")
        reports = httpx.AsyncClient(
            transport=httpx.ASGITransport(app=apps.reports), base_url="http://r"
        )
        async with api, reports:
            token = await api.post(
                "/v1/auth/token",
                data={"username": "analyst@demo.soko.ru", "password": DEMO_PASSWORD},
            )
            headers = {"Authorization": f"Bearer {token.json()['access_token']}"}
            district = (await api.get("/v1/me", headers=headers)).json()["scope_id"]
            found = await api.get("/v1/organizations?limit=100", headers=headers)
            organizations = found.json()["items"]
            names = {o["id"]: o["name"] for o in organizations}
            role = {r: str(s.id) for r, s in roles(organizations).items()}

            async def analysis(what: str, year: str = latest, **params) -> dict:
                answer = await reports.get(
                    f"/v1/analysis/{what}",
                    params={"territory_id": district, "year": year, **params},
                    headers=headers,
                )
                assert answer.status_code == 200, answer.text
                return answer.json()

            # Which school shows which sign, by (year, school, subject, grade).
            signs: dict[str, set] = {}
            for year in (earlier, latest):
                found = await analysis("objectivity", year, risk="low", limit=500)
                assert found["total"] == len(found["items"])  # every item with a sign
                for item in found["items"]:
                    for sign in item["signs"]:
                        key = (item["organization_id"], item["subject"], item["grade"])
                        signs.setdefault(sign["code"], set()).add((year, *key))
            standout = {r: str(s.id) for r, s in standouts(organizations).items()}
            assert (latest, role["boundary_spike"], "Русский язык", 4) in signs["boundary_spike"]
            for year in (earlier, latest):
                assert (year, role["inverted_profile"], "Математика", 5) in signs[
                    "inverted_profile"
                ]
                assert (year, role["journal_mismatch"], "Русский язык", 4) in signs[
                    "journal_mismatch"
                ]
            cohort = (earlier, standout["not_confirmed_by_gia"], "Математика", 8)
            assert cohort in signs["not_confirmed_by_gia"]
            rise = (latest, standout["sudden_rise"], "Математика", 6)
            assert rise in signs["sudden_rise"]

            low = {i["organization_id"] for i in (await analysis("low-results"))["items"]}
            assert role["low_results"] in low
            resilient = {i["organization_id"]: i for i in (await analysis("resilient"))["items"]}
            assert resilient[role["resilient"]]["resilient"] is True
            assert resilient[role["resilient"]]["group"] == "unfavourable"
            # Most of the district is neither: the analysis picks out, not everyone.
            assert sum(i["resilient"] for i in resilient.values()) <= 3
            assert len(low) <= 5, [names[o] for o in low]
