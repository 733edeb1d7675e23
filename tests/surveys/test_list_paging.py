"""The surveys' lists that answered a bare array answer `{items, total}` and page by `limit` and
`offset`: instrument codes, an instrument's versions, a campaign's rates and who has not
answered it."""

from sqlalchemy import select

from services.api.staff.models import StaffMember
from tests.paging import walk
from tests.surveys.forms import DIAGNOSTIC, launch


def _instrument(title: str) -> dict:
    return {
        "code": "paged_versions",
        "kind": "satisfaction",
        "title": title,
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


async def test_instrument_codes_page_by_code(surveys_client, world):
    codes = ["teacher_professional_deficits", "no_such_instrument", "nok_parents_2018"]
    codes.append("parents_satisfaction")
    found = await walk(
        surveys_client,
        "/v1/instruments/codes",
        world.headers("analyst"),
        total=3,
        params={"code": codes},
    )
    assert [i["code"] for i in found] == sorted(set(codes) - {"no_such_instrument"})
    assert all(i["question_codes"] for i in found)


async def test_an_instruments_versions_page(surveys_client, world):
    headers = world.headers("analyst")
    for title in ("Редакция 1", "Редакция 2", "Редакция 3"):
        added = await surveys_client.post(
            "/v1/instruments", json=_instrument(title), headers=headers
        )
        assert added.status_code == 201, added.text
    url = f"/v1/instruments/{added.json()['id']}/versions"
    versions = await walk(surveys_client, url, headers, total=3)
    assert [v["version"] for v in versions] == [1, 2, 3]
    missing = await surveys_client.get(
        "/v1/instruments/00000000-0000-0000-0000-000000000000/versions", headers=headers
    )
    assert missing.status_code == 404, missing.text


async def test_a_campaigns_rates_page_by_organization(surveys_client, world):
    schools = [world.s1.id, world.s2.id, world.s3.id]
    campaign = await launch(
        surveys_client, world, "nok_parents_2018", "parents", schools, who="admin"
    )
    url = f"/v1/campaigns/{campaign['id']}/rates"
    rates = await walk(surveys_client, url, world.headers("admin"), total=3)
    assert [r["organization_id"] for r in rates] == sorted(str(s) for s in schools)
    # The district's analyst reads its two schools only: `total` counts those.
    district = await walk(surveys_client, url, world.headers("analyst"), total=2)
    assert {r["organization_id"] for r in district} == {str(world.s1.id), str(world.s2.id)}


async def test_who_has_not_answered_pages_by_school_and_name(surveys_client, world, db):
    db.add_all(
        StaffMember(organization_id=school.id, full_name=name, position="teacher")
        for school, name in (
            (world.s1, "Андреева Вера"),
            (world.s1, "Яковлева Нина"),
            (world.s2, "Борисов Олег"),
            (world.s2, "Борисов Олег"),  # namesakes: both listed, each once
        )
    )
    await db.flush()
    schools = [world.s1.id, world.s2.id]
    campaign = await launch(surveys_client, world, DIAGNOSTIC.code, "teachers", schools, False)
    assert campaign["invitations"] == 5
    url = f"/v1/campaigns/{campaign['id']}/pending"
    pending = await walk(surveys_client, url, world.headers("analyst"), total=5)
    keys = [(p["organization_id"], p["full_name"]) for p in pending]
    assert keys == sorted(keys)
    staff = set(await db.scalars(select(StaffMember.id).where(StaffMember.position == "teacher")))
    assert len({p["staff_id"] for p in pending}) == 5
    assert {p["staff_id"] for p in pending} <= {str(s) for s in staff}
