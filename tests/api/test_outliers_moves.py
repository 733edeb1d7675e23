"""A school moved to another territory (`PATCH /v1/organizations/{id}` with `territory_id`)
is compared with its new territory's schools at once: the flags of the groups it left and of
those it joined are recomputed with the move, no value posted."""

import pytest

from services.api.organizations.models import Organization
from tests.api.test_outliers import flagged, outliers, post, row
from tests.factories import TRAINED, add_data_indicator, build_world


@pytest.fixture
async def world(db, settings):
    """The standard world and the percent indicator `teachers_trained`; M1 with three more
    schools (five with S1 and S2: just enough to be compared), M2 with three more (four with
    S3: too few)."""
    world = await build_world(db, settings)
    await add_data_indicator(db, "teachers_trained", TRAINED, "percent")
    world.m1_more = [
        Organization(name=name, kind="school", territory_id=world.m1.id)
        for name in ("Школа 11", "Школа 12", "Школа 13")
    ]
    world.m2_more = [
        Organization(name=name, kind="school", territory_id=world.m2.id)
        for name in ("Школа 31", "Школа 32", "Школа 33")
    ]
    db.add_all([*world.m1_more, *world.m2_more])
    await db.flush()
    return world


def rows(schools, values) -> list[dict]:
    return [row(school, value) for school, value in zip(schools, values, strict=True)]


async def test_a_moved_school_is_compared_with_its_new_territory_at_once(api_client, world):
    """S2's 5 is far from M1's 80s (flagged there) and keeps M1 at five values, so M1's 40 is
    flagged too; in M2 it is among 4–6, and its joining makes M2 five values, so M2's 60 is.
    After the move M1 has four values (no comparison: both flags go) and M2 flags its 60."""
    m1_values = rows([world.s1, *world.m1_more], [80, 79, 81, 40])
    m2_values = rows([world.s3, *world.m2_more], [5, 6, 4, 60])
    await post(api_client, world, [*m1_values, row(world.s2, 5), *m2_values], who="admin")
    assert flagged(await outliers(api_client, world, who="admin")) == {
        "Школа 13": [("territory_z", 40.0, None)],
        "Школа 2": [("territory_z", 5.0, None)],
    }
    assert flagged(await outliers(api_client, world, who="admin", territory=world.m2)) == {}

    moved = await api_client.patch(
        f"/v1/organizations/{world.s2.id}",
        json={"territory_id": str(world.m2.id)},
        headers=world.headers("admin"),
    )
    assert moved.status_code == 200, moved.text

    assert flagged(await outliers(api_client, world, who="admin")) == {}
    in_m2 = await outliers(api_client, world, who="admin", territory=world.m2)
    assert flagged(in_m2) == {"Школа 33": [("territory_z", 60.0, None)]}
    [flag] = in_m2["items"][0]["flags"]
    assert (flag["median"], flag["n"]) == (5.0, 5)  # S2's 5 among M2's values


async def test_a_school_moved_back_is_flagged_again_in_its_first_territory(api_client, world):
    """Moving is no one-way street: each move recomputes both territories' groups."""
    m1_values = rows([world.s1, *world.m1_more], [80, 79, 81, 80])
    await post(api_client, world, [*m1_values, row(world.s2, 5)], who="admin")
    path, admin = f"/v1/organizations/{world.s2.id}", world.headers("admin")
    expected = {"Школа 2": [("territory_z", 5.0, None)]}
    assert flagged(await outliers(api_client, world, who="admin")) == expected
    away = await api_client.patch(path, json={"territory_id": str(world.m2.id)}, headers=admin)
    assert away.status_code == 200, away.text
    assert flagged(await outliers(api_client, world, who="admin", territory=world.m2)) == {}
    back = await api_client.patch(path, json={"territory_id": str(world.m1.id)}, headers=admin)
    assert back.status_code == 200, back.text
    assert flagged(await outliers(api_client, world, who="admin")) == expected
