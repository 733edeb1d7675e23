"""An analyst manages no account of their own rank or above: another analyst of the same
district, the region's analyst, an administrator. Setting a peer's password was an account
takeover; re-scoping, re-roling or deactivating a peer is the administrator's alone. Each is
tried here as the attacker would, then checked for what the victim notices: they still sign
in with their own password, and their account is as it was."""

import pytest

from tests.api.test_auth import account, sign_in
from tests.factories import PASSWORD

PEERS_ADMIN_ONLY = (
    "Учётные записи аналитиков территорий и администраторов создаёт и меняет только администратор"
)
STOLEN = "taken-over-2026"


async def make_analyst(api_client, world, email: str, territory_id) -> tuple[str, dict]:
    """An analyst account made by the administrator (its id) and its signed-in headers."""
    body = account(email, "Аналитик", "territory_analyst", "territory", territory_id)
    body["password"] = PASSWORD
    made = await api_client.post("/v1/users", json=body, headers=world.headers("admin"))
    assert made.status_code == 201, made.text
    signed = await sign_in(api_client, email, PASSWORD)
    assert signed.status_code == 200, signed.text
    return made.json()["id"], {"Authorization": f"Bearer {signed.json()['access_token']}"}


async def assert_untouched(api_client, world, user_id: str, email: str, before: dict) -> None:
    """The account reads as before and its owner still signs in with their own password,
    the attacker's not."""
    now = await api_client.get(f"/v1/users/{user_id}", headers=world.headers("admin"))
    assert {k: now.json()[k] for k in before} == before
    assert (await sign_in(api_client, email, STOLEN, "10.9.0.1")).status_code == 401
    assert (await sign_in(api_client, email, PASSWORD, "10.9.0.2")).status_code == 200


ATTACKS = [
    {"password": STOLEN},
    {"is_active": False},
    {"role": "viewer"},
    {"scope_type": "territory", "scope_id": "m2"},
    {"full_name": "Переименован аналитиком"},
]


def attack(world, change: dict) -> dict:
    if change.get("scope_id") == "m2":
        return change | {"scope_id": str(world.m2.id)}
    return change


@pytest.mark.parametrize("change", ATTACKS, ids=lambda c: "-".join(c))
async def test_an_analyst_changes_nothing_of_a_peer_analyst_of_the_same_district(
    api_client, world, change
):
    peer_id, peer = await make_analyst(api_client, world, "peer@soko.example", world.m1.id)
    before = {"role": "territory_analyst", "scope_id": str(world.m1.id), "is_active": True}
    before["full_name"] = "Аналитик"
    refused = await api_client.patch(
        f"/v1/users/{peer_id}", json=attack(world, change), headers=world.headers("analyst")
    )
    assert refused.status_code == 403, refused.text
    assert refused.json()["detail"] == PEERS_ADMIN_ONLY
    assert (await api_client.get("/v1/me", headers=peer)).status_code == 200  # token stands
    await assert_untouched(api_client, world, peer_id, "peer@soko.example", before)


async def test_a_region_analyst_does_not_take_over_a_district_analyst(api_client, world):
    _, region = await make_analyst(api_client, world, "region@soko.example", world.region.id)
    victim = world.users["analyst"].id
    for change in ATTACKS:
        refused = await api_client.patch(
            f"/v1/users/{victim}", json=attack(world, change), headers=region
        )
        assert refused.status_code == 403, (change, refused.text)
        assert refused.json()["detail"] == PEERS_ADMIN_ONLY
    before = {"role": "territory_analyst", "scope_id": str(world.m1.id), "is_active": True}
    await assert_untouched(api_client, world, str(victim), "analyst@soko.example", before)


async def test_a_district_analyst_does_not_reach_the_region_analyst(api_client, world):
    """Their account is outside the district: not found, as anything outside one's scope."""
    region_id, _ = await make_analyst(api_client, world, "region@soko.example", world.region.id)
    refused = await api_client.patch(
        f"/v1/users/{region_id}", json={"password": STOLEN}, headers=world.headers("analyst")
    )
    assert refused.status_code == 404, refused.text
    before = {"role": "territory_analyst", "scope_id": str(world.region.id), "is_active": True}
    await assert_untouched(api_client, world, region_id, "region@soko.example", before)


async def test_an_analyst_neither_changes_nor_makes_an_administrator(api_client, world):
    admin_id = world.users["admin"].id
    analyst = world.headers("analyst")
    refused = await api_client.patch(
        f"/v1/users/{admin_id}", json={"password": STOLEN}, headers=analyst
    )
    assert refused.status_code == 404, refused.text  # administrators have no scope to be in
    assert (await sign_in(api_client, "admin@soko.example", STOLEN)).status_code == 401
    assert (await sign_in(api_client, "admin@soko.example", PASSWORD)).status_code == 200
    boss = account("boss@soko.example", "Начальник", "admin")
    made = await api_client.post("/v1/users", json=boss, headers=analyst)
    assert made.status_code == 403 and made.json()["detail"] == PEERS_ADMIN_ONLY


async def test_an_analyst_makes_no_analyst_nor_promotes_a_viewer_to_one(api_client, world):
    analyst = world.headers("analyst")
    body = account("a-new@soko.example", "Аналитик", "territory_analyst", "territory", world.m1.id)
    made = await api_client.post("/v1/users", json=body, headers=analyst)
    assert made.status_code == 403 and made.json()["detail"] == PEERS_ADMIN_ONLY
    assert (await sign_in(api_client, "a-new@soko.example", "long-enough-1")).status_code == 401
    viewer = world.users["viewer"].id  # a viewer of the district
    promoted = await api_client.patch(
        f"/v1/users/{viewer}", json={"role": "territory_analyst"}, headers=analyst
    )
    assert promoted.status_code == 403 and promoted.json()["detail"] == PEERS_ADMIN_ONLY
    kept = await api_client.get(f"/v1/users/{viewer}", headers=world.headers("admin"))
    assert kept.json()["role"] == "viewer"


@pytest.mark.parametrize(
    "change",
    [{"role": "admin"}, {"scope_id": "region"}, {"is_active": False}],
    ids=["role", "scope", "activity"],
)
async def test_an_analyst_does_not_raise_their_own_role_or_scope(api_client, world, change):
    me = world.users["analyst"].id
    if change.get("scope_id") == "region":
        change = {"scope_id": str(world.region.id)}
    refused = await api_client.patch(
        f"/v1/users/{me}", json=change, headers=world.headers("analyst")
    )
    assert refused.status_code == 403, refused.text
    own = await api_client.get("/v1/me", headers=world.headers("analyst"))
    assert own.status_code == 200
    assert own.json()["role"] == "territory_analyst"
    assert own.json()["scope_id"] == str(world.m1.id)


async def test_an_analyst_still_changes_their_own_password(api_client, world):
    me = world.users["analyst"].id
    changed = await api_client.patch(
        f"/v1/users/{me}",
        json={"password": "my-own-new-2026", "current_password": PASSWORD},
        headers=world.headers("analyst"),
    )
    assert changed.status_code == 200, changed.text
    assert (await sign_in(api_client, "analyst@soko.example", "my-own-new-2026")).status_code == 200


async def test_an_analyst_still_resets_a_viewers_password(api_client, world):
    viewer = world.users["viewer"].id
    reset = await api_client.patch(
        f"/v1/users/{viewer}",
        json={"password": "viewer-new-2026"},
        headers=world.headers("analyst"),
    )
    assert reset.status_code == 200, reset.text
    assert (await sign_in(api_client, "viewer@soko.example", "viewer-new-2026")).status_code == 200


async def test_the_administrator_still_manages_analysts(api_client, world):
    peer_id, _ = await make_analyst(api_client, world, "peer@soko.example", world.m1.id)
    admin = world.headers("admin")
    for change in (
        {"password": "reset-by-admin-1"},
        {"scope_id": str(world.m2.id)},
        {"is_active": False},
        {"is_active": True},
        {"role": "viewer"},
        {"role": "territory_analyst"},
    ):
        answer = await api_client.patch(f"/v1/users/{peer_id}", json=change, headers=admin)
        assert answer.status_code == 200, (change, answer.text)
    assert (await sign_in(api_client, "peer@soko.example", "reset-by-admin-1")).status_code == 200
    read = await api_client.get(f"/v1/users/{peer_id}", headers=admin)
    assert read.json()["role"] == "territory_analyst"
    assert read.json()["scope_id"] == str(world.m2.id) and read.json()["is_active"] is True
