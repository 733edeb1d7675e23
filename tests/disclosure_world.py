"""Diagnosed teachers for the disclosure tests: the access world with its colleagues (T2 of S1,
the leader of S2), as many more teachers per school as a test needs, each with an account,
and a diagnostic they take through the real surveys app.

Every teacher answers the same profile: "design" without a deficit, "interpretation" with one,
"tools" with one for every other teacher (so a group's shares are not all 0 or 100).
"""

from datetime import UTC, datetime, timedelta
from typing import Any

from services.api.auth.service import user_principal
from services.api.organizations.models import Organization
from services.api.staff.models import StaffMember
from shared.identity import issue_user_token
from tests.factories import World, add_colleagues, add_user, build_world
from tests.surveys.forms import DIAGNOSTIC, diagnostic_answers

NOW = datetime.now(UTC)
MINIMUM = 5  # SOKO_DISCLOSURE_MINIMUM of the test settings (the default)
# Who may not read S1's teachers' personal results, and who may.
OUTSIDERS = ("analyst", "viewer", "teacher2", "service+viewer", "service+analyst", "service")
READERS = ("admin", "methodologist", "leader")


async def disclosure_world(db, settings) -> World:
    """The access world, its own diagnostics closed long ago (an open diagnostic of the
    period would withhold every figure of the period from outsiders: the tests open theirs)."""
    world = await add_colleagues(db, settings, await build_world(db, settings))
    world.staff = {}  # principal name -> StaffMember of the teachers added below
    for name in ("diagnostic_s1", "diagnostic_s3"):
        world.campaigns[name].closes_at = NOW - timedelta(hours=2)
    await db.flush()
    return world


async def add_school(db, world: World, name: str = "Школа 4") -> Organization:
    """One more school of M1, in no cluster."""
    school = Organization(name=name, kind="school", territory_id=world.m1.id)
    db.add(school)
    await db.flush()
    return school


async def add_teachers(db, settings, world: World, school, count: int, tag: str) -> list[str]:
    """`count` teachers of the school, each with an account; their principal names."""
    names = []
    for i in range(count):
        name = f"{tag}{i}"
        staff = StaffMember(
            organization_id=school.id, full_name=f"Педагог {tag.upper()}-{i}", position="teacher"
        )
        db.add(staff)
        await db.flush()
        world.users[name] = add_user(
            db, f"{name}@soko.example", "teacher", "organization", school.id, staff.id
        )
        await db.flush()
        world.tokens[name] = issue_user_token(settings, user_principal(world.users[name]))
        world.staff[name] = staff
        names.append(name)
    return names


def profile(index: int) -> dict[str, str]:
    """The answers of the index-th teacher: see the module's docstring."""
    correct = {"design": 5, "interpretation": 0, "processing": 5, "security": 5}
    return diagnostic_answers(correct | {"tools": 1 if index % 2 == 0 else 5})


async def diagnose(
    surveys_client, world: World, schools: list, takers: list[str], *, closed: bool = True
) -> dict:
    """A diagnostic campaign (launched by the methodologist) for the schools' teachers, taken
    by `takers` (principal names of teachers added with add_teachers, or "teacher"), then
    closed long enough ago for its figures to be out, unless not `closed`."""
    launched = await surveys_client.post(
        "/v1/campaigns",
        headers=world.headers("methodologist"),
        json={
            "instrument_id": await _instrument_id(surveys_client, world),
            "audience": "teachers",
            "organization_ids": [str(s.id) for s in schools],
            "period": "2021/2022",
            "opens_at": (NOW - timedelta(days=1)).isoformat(),
            "closes_at": (NOW + timedelta(days=7)).isoformat(),
            "anonymous": False,
        },
    )
    assert launched.status_code == 201, launched.text
    campaign = launched.json()
    for index, who in enumerate(takers):
        staff = world.t1 if who == "teacher" else world.staff[who]
        taken = await surveys_client.post(
            f"/v1/campaigns/{campaign['id']}/responses",
            json={"staff_id": str(staff.id), "answers": profile(index)},
            headers=world.headers(who),
        )
        assert taken.status_code == 201, taken.text
    if closed:
        campaign = await close(surveys_client, world, campaign)
    return campaign


async def answer(surveys_client, world: World, campaign: dict, who: str, index: int = 0) -> None:
    """`who` (a teacher added with add_teachers) takes the diagnostic."""
    taken = await surveys_client.post(
        f"/v1/campaigns/{campaign['id']}/responses",
        json={"staff_id": str(world.staff[who].id), "answers": profile(index)},
        headers=world.headers(who),
    )
    assert taken.status_code == 201, taken.text


async def close(surveys_client, world: World, campaign: dict, ago=timedelta(hours=1)):
    """The methodologist closes the campaign as of `ago` before now (by default long enough
    ago for its figures to be published before this test's transaction began: routes built in
    it are stamped with its start)."""
    closed = await surveys_client.patch(
        f"/v1/campaigns/{campaign['id']}",
        json={"closes_at": (datetime.now(UTC) - ago).isoformat()},
        headers=world.headers("methodologist"),
    )
    assert closed.status_code == 200, closed.text
    return closed.json()


async def _instrument_id(surveys_client, world: World) -> str:
    listed = await surveys_client.get(
        "/v1/instruments?kind=deficit", headers=world.headers("viewer")
    )
    return next(i["id"] for i in listed.json()["items"] if i["code"] == DIAGNOSTIC.code)


async def aggregates(client, world: World, campaign: dict, who: str, **params) -> list[dict]:
    """The campaign's aggregates as `who` reads them (200 asserted): their items."""
    answer = await client.get(
        f"/v1/campaigns/{campaign['id']}/aggregates", params=params, headers=world.headers(who)
    )
    assert answer.status_code == 200, answer.text
    return answer.json()["items"]


def withheld(item: dict[str, Any], reason: str | None = None) -> bool:
    """Whether an aggregates item is withheld (for `reason`, if given): flagged, and nothing
    left in it but how many answered: no question, no competence, not even their `n`."""
    return (
        item["suppressed"] is True
        and reason in (None, item.get("reason"))
        and item["questions"] == []
        and item["competences"] == []
    )


def by_scope(items: list[dict]) -> dict[str, dict]:
    """Aggregates (or values) by their `scope_id`."""
    return {i["scope_id"]: i for i in items}


async def move_school(api_client, world: World, school_id, territory_id, who: str = "admin"):
    """Move the school to the territory as `who` (the api's PATCH /v1/organizations/{id})."""
    moved = await api_client.patch(
        f"/v1/organizations/{school_id}",
        json={"territory_id": str(territory_id)},
        headers=world.headers(who),
    )
    assert moved.status_code == 200, moved.text


async def one_six_nine(db, settings, surveys_client, world: World) -> tuple[Organization, dict]:
    """S1 with one diagnosed teacher (withheld: below the minimum), S2 with six (withheld
    beside it: M1 − S4 would be S1), and S4, a new school of M1, with nine (shown); the
    diagnostic closed and published. S4 and the campaign."""
    s4 = await add_school(db, world)
    takers = await add_teachers(db, settings, world, world.s1, 1, "a")
    takers += await add_teachers(db, settings, world, world.s2, 6, "b")
    takers += await add_teachers(db, settings, world, s4, 9, "d")
    return s4, await diagnose(surveys_client, world, [world.s1, world.s2, s4], takers)
