"""A village school's full name ends with its locality (МБОУ «СОШ № 13» с. Каменка, as the
demo names them): a file naming it without the locality («СОШ № 13», «МБОУ «СОШ № 13»») names
that school when it is the one of the caller's that fits, said in `warnings`; two that fit
(«СОШ № 1» in two villages) are refused and both suggested; a school outside the caller's
scope is neither matched nor revealed."""

import pytest
from sqlalchemy import select

from services.api.data_values.models import DataValue
from services.api.organizations.models import Organization
from tests.factories import add_data_indicator

NAMES = {  # the analyst's district (M1), as the demo writes village schools
    "kamenka": "МБОУ «СОШ № 13» с. Каменка",
    "lesnoy": "МКОУ «СОШ № 14» р.п. Лесной",
    "first_a": "МБОУ «СОШ № 1» с. Берёзовка",
    "first_b": "МБОУ «СОШ № 1» пос. Дальний",
    "khutor": "МБОУ «ООШ № 5» (х. Красный)",
}


@pytest.fixture
async def schools(db, world) -> dict[str, Organization]:
    await add_data_indicator(db, "teachers_count", "teachers_count", value_type="number")
    made = {
        key: Organization(name=name, kind="school", territory_id=world.m1.id)
        for key, name in NAMES.items()
    }
    # Another district's school, outside the analyst's scope.
    made["outside"] = Organization(
        name="МБОУ «СОШ № 15» с. Заречье", kind="school", territory_id=world.m2.id
    )
    db.add_all(made.values())
    await db.flush()
    return made


async def _upload(client, world, names: list[str]) -> dict:
    lines = [f"teachers_count;{name};2024/2025;7" for name in names]
    content = "\r\n".join(["Показатель;Организация;Период;Значение", *lines]).encode()
    answer = await client.post(
        "/v1/data-values/upload",
        files={"file": ("v.csv", content)},
        headers=world.headers("analyst"),
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def _stored(db) -> set:
    return set(await db.scalars(select(DataValue.organization_id)))


async def test_a_village_school_named_without_its_locality_is_that_school(
    api_client, world, db, schools
):
    summary = await _upload(
        api_client,
        world,
        ["МБОУ «СОШ № 13»", "СОШ № 14", "ооо 5", "ООШ № 5"],
    )
    assert summary["imported"] == 3, summary
    assert [r["index"] for r in summary["rejected"]] == [4]  # «ооо 5» is no school's name
    assert await _stored(db) == {schools["kamenka"].id, schools["lesnoy"].id, schools["khutor"].id}
    said = {w["index"]: w["msg"] for w in summary["warnings"] if w["loc"] == ["organization"]}
    assert said == {
        2: "организация: «МБОУ «СОШ № 13»» → МБОУ «СОШ № 13» с. Каменка (без населённого пункта)",
        3: "организация: «СОШ № 14» → МКОУ «СОШ № 14» р.п. Лесной (без населённого пункта)",
        5: "организация: «ООШ № 5» → МБОУ «ООШ № 5» (х. Красный) (без населённого пункта)",
    }


async def test_a_name_two_village_schools_fit_is_refused_suggesting_both(
    api_client, world, db, schools
):
    summary = await _upload(api_client, world, ["СОШ № 1", "МБОУ СОШ №13 с. Берёзовка", "СОШ 13"])
    assert summary["imported"] == 1 and await _stored(db) == {schools["kamenka"].id}
    both, wrong_village = (r["errors"][0]["msg"] for r in summary["rejected"])
    assert both.startswith(
        "организация «СОШ № 1» не найдена или вне вашей зоны доступа; похожие названия: "
        f"МБОУ «СОШ № 1» пос. Дальний ({schools['first_b'].id}); "
        f"МБОУ «СОШ № 1» с. Берёзовка ({schools['first_a'].id})"
    ), both
    # A school named with another village is not that school.
    assert wrong_village.startswith(
        "организация «МБОУ СОШ №13 с. Берёзовка» не найдена или вне вашей зоны доступа"
    ), wrong_village
    assert str(schools["kamenka"].id) not in wrong_village


async def test_a_school_outside_the_callers_scope_is_not_matched_nor_revealed(
    api_client, world, db, schools
):
    summary = await _upload(api_client, world, ["СОШ № 15", "МБОУ «СОШ № 15»", "СОШ № 14"])
    assert summary["imported"] == 1 and await _stored(db) == {schools["lesnoy"].id}
    for refused in summary["rejected"]:
        message = refused["errors"][0]["msg"]
        assert "не найдена или вне вашей зоны доступа (строка" in message, message
        assert "Заречье" not in message and str(schools["outside"].id) not in message


async def test_assessment_results_name_village_schools_alike(api_client, world, db, schools):
    content = (
        "ОО;procedure;year;subject;grade;participants\r\n"
        "СОШ № 13;vpr;2031;Математика;4;10\r\n"
        "СОШ № 1;vpr;2031;Математика;4;10\r\n"
    ).encode()
    answer = await api_client.post(
        "/v1/assessment-results/upload",
        files={"file": ("r.csv", content)},
        headers=world.headers("analyst"),
    )
    summary = answer.json()
    assert summary["imported"] == 1, summary
    assert summary["warnings"][0]["msg"] == (
        "организация: «СОШ № 13» → МБОУ «СОШ № 13» с. Каменка (без населённого пункта)"
    )
    [refused] = summary["rejected"]
    assert str(schools["first_a"].id) in refused["errors"][0]["msg"]
    assert str(schools["first_b"].id) in refused["errors"][0]["msg"]
