"""A second organization of a territory that uploads would take for one already there is
refused (409 naming the field and that organization): the same name in another spelling, the
same name without or under another legal form, another's short name. The check and the upload
matcher share one definition of "the same name" (`matching.naming_keys`). Clashes stored
before the rule leave an upload naming them ambiguous, never a silent pick of one."""

from sqlalchemy import select

from services.api.data_values.models import DataValue
from services.api.organizations.models import Organization
from shared.templating import quoted
from tests.api import test_data_value_tables as data_values
from tests.api.test_data_value_tables import upload

world = data_values.world  # the fixture: the test world with the data indicators


def _school(world, name: str, **more) -> dict:
    return {"name": name, "kind": "school", "territory_id": str(world.m1.id), **more}


async def _post(client, world, body: dict):
    return await client.post("/v1/organizations", json=body, headers=world.headers("admin"))


async def _rename(client, world, org_id, **fields):
    return await client.patch(
        f"/v1/organizations/{org_id}", json=fields, headers=world.headers("admin")
    )


async def _made(client, world, name: str, **more) -> dict:
    answer = await _post(client, world, _school(world, name, **more))
    assert answer.status_code == 201, answer.text
    return answer.json()


def _refused(answer, field: str, existing: dict) -> str:
    """The 409's detail, checked to name `field` and the organization already there."""
    assert answer.status_code == 409, answer.text
    assert answer.json()["errors"][0]["loc"][-1] == field, answer.text
    detail = answer.json()["detail"]
    # The name's own quotes nest as Russian typography sets them: «МБОУ „Гимназия № 1“».
    assert f"{quoted(existing['name'])} (id {existing['id']})" in detail, detail
    return detail


async def test_the_gymnasium_without_its_legal_form_is_refused_and_uploads_still_find_it(
    api_client, world, db
):
    gymnasium = await _made(api_client, world, "МБОУ «Гимназия № 1»")
    for again in ("гимназия №1", "Гимназия 1", "«Гимназия N 1»"):
        detail = _refused(await _post(api_client, world, _school(world, again)), "name", gymnasium)
        assert "уже есть организация" in detail and quoted(again) in detail, detail
    renamed = await _rename(api_client, world, world.s2.id, name="Гимназия № 1")
    _refused(renamed, "name", gymnasium)
    content = "Код показателя;ОО;Период;Значение\r\nteachers_count;Гимназия 1;2032;5\r\n"
    summary = await upload(api_client, world, "v.csv", content.encode())
    assert (summary["imported"], summary["rejected"]) == (1, []), summary
    owners = set(await db.scalars(select(DataValue.organization_id)))
    assert {str(o) for o in owners} == {gymnasium["id"]}


async def test_a_name_under_another_legal_form_is_refused(api_client, world):
    gymnasium = await _made(api_client, world, "МБОУ «Гимназия № 1»")
    maou = await _post(api_client, world, _school(world, "МАОУ «Гимназия № 1»"))
    detail = _refused(maou, "name", gymnasium)
    assert "назвало бы и «МАОУ „Гимназия № 1“»: «МБОУ „Гимназия № 1“»" in detail, detail
    moved = _school(world, "МАОУ Гимназия №1") | {"territory_id": str(world.m2.id)}
    other = await _post(api_client, world, moved)
    assert other.status_code == 201, other.text  # another territory has its own
    back = await _rename(api_client, world, other.json()["id"], territory_id=str(world.m1.id))
    _refused(back, "name", gymnasium)


async def test_another_organizations_short_name_is_refused_either_way(api_client, world):
    fifth = await _made(
        api_client, world, "МБОУ «Средняя общеобразовательная школа № 5»", short_name="СОШ № 5"
    )
    # A name that is the fifth's short name.
    _refused(await _post(api_client, world, _school(world, "СОШ 5")), "name", fifth)
    # A short name that is the fifth's full name without its legal form.
    body = _school(world, "МБОУ «Школа № 9»", short_name="Средняя общеобразовательная школа №5")
    _refused(await _post(api_client, world, body), "short_name", fifth)
    # A leader's rename of their school's short name onto it too.
    leader = await api_client.patch(
        f"/v1/organizations/{world.s1.id}",
        json={"short_name": "сош  №5"},
        headers=world.headers("leader"),
    )
    _refused(leader, "short_name", fifth)


async def test_a_different_school_is_created_and_a_school_keeps_its_name_respelled(
    api_client, world
):
    gymnasium = await _made(api_client, world, "МБОУ «Гимназия № 1»", short_name="Гимназия 1")
    await _made(api_client, world, "МБОУ «Гимназия № 2»")
    await _made(api_client, world, "Гимназия № 10")
    await _made(api_client, world, "МБОУ «Гимназия № 1» с. Берёзовка")
    for spelling in ("мбоу гимназия №1", "Гимназия № 1", "МБОУ «Гимназия № 1»"):
        kept = await _rename(api_client, world, gymnasium["id"], name=spelling)
        assert kept.status_code == 200, kept.text
        assert kept.json()["name"] == spelling


async def test_clashing_names_stored_before_the_rule_make_an_upload_ambiguous(
    api_client, world, db
):
    """Written past the API (as an older Soko could store them): «Гимназия №3» beside МБОУ
    «Гимназия № 3». A row naming «Гимназия 3» is refused naming both, not given to either."""
    first = Organization(name="МБОУ «Гимназия № 3»", kind="school", territory_id=world.m1.id)
    second = Organization(name="Гимназия №3", kind="school", territory_id=world.m1.id)
    db.add_all([first, second])
    await db.flush()
    content = "Код показателя;ОО;Период;Значение\r\nteachers_count;Гимназия 3;2032;5\r\n"
    summary = await upload(api_client, world, "v.csv", content.encode())
    assert summary["imported"] == 0, summary
    (refused,) = summary["rejected"]
    message = refused["errors"][0]["msg"]
    assert "несколько организаций «Гимназия 3»" in message, message
    assert str(first.id) in message and str(second.id) in message, message
    assert await db.scalar(select(DataValue.organization_id)) is None
