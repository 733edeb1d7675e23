"""The demo's people are told apart by name: no two staff members, and no two accounts of
different people, share a full name, so no teacher's route names a mentor of her own name."""

from collections import Counter

import httpx

from services.demo.district import schools
from services.demo.loader import DEMO_PASSWORD
from services.demo.years import current_year, year_before
from tests.conftest import running_apps
from tests.demo.helpers import read


def _repeated(names: list[str]) -> dict[str, int]:
    return {name: n for name, n in Counter(names).items() if n > 1}


def test_every_staff_member_of_the_district_has_a_name_of_her_own():
    names = [name for school in schools() for name, _, _ in school.staff]
    assert len(names) > 250  # the district's staff, all of them
    assert _repeated(names) == {}
    assert [s.staff for s in schools()] == [s.staff for s in schools()]  # seeded


async def _token(app, email: str) -> str:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://a") as c:
        signed = await c.post("/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD})
    assert signed.status_code == 200, signed.text
    return signed.json()["access_token"]


async def test_no_two_demo_people_share_a_name_nor_a_mentor_her_mentee_s(loaded_demo):
    settings = loaded_demo.settings
    async with running_apps(settings) as apps:
        admin = await _token(apps.api, "admin@demo.soko.ru")
        methodologist = await _token(apps.api, "methodologist@demo.soko.ru")
        organizations = await read(apps.api, "/v1/organizations", admin, limit=500)
        staff = []
        for org in organizations["items"]:
            path = f"/v1/organizations/{org['id']}/staff"
            staff += (await read(apps.api, path, admin, limit=500))["items"]
        users = (await read(apps.api, "/v1/users", admin, limit=500))["items"]
        routes = []
        for period in (year_before(settings.today()), current_year(settings.today())):
            found = await read(
                apps.reports, "/v1/individual-routes", methodologist, period=period, limit=500
            )
            routes += found["items"]

    # A person is a staff member (with the account linked to her, if any) or an account of
    # no staff member (the analyst, the methodologist, …).
    assert len(staff) > 250 and len(users) > 40
    named = {m["id"]: m["full_name"] for m in staff}
    for user in users:
        if user["staff_id"] is not None:
            assert user["staff_id"] in named, user
    people = list(named.values()) + [u["full_name"] for u in users if u["staff_id"] is None]
    assert _repeated(people) == {}
    # Every mentor is another teacher, of another name.
    mentored = [
        (route, competence["mentor"])
        for route in routes
        for step in route["steps"]
        for competence in step["competences"]
        if competence["mentor"]
    ]
    assert mentored  # the demo's routes name mentors
    for route, mentor in mentored:
        assert mentor["staff_id"] != route["staff_id"]
        assert mentor["full_name"] != route["full_name"], route
