"""Sign-out revokes the token (RFC 7009 `POST /v1/auth/revoke`), as an attacker would test it:
a copy of the token kept from before the sign-out is refused by every service.

The api service refuses a revoked token at once; the surveys and reports services ask it
(`/v1/auth/introspect`) and refuse it within `SOKO_TOKEN_CHECK_SECONDS`.
"""

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from services.api.auth.models import RevokedToken
from shared.db import utcnow
from shared.errors import AccountChanged
from shared.identity import TokenChecker, decode_token
from tests.factories import PASSWORD, expired_token
from tests.test_token_checks import bearer, fresh_checks  # noqa: F401 - a fixture

pytestmark = pytest.mark.usefixtures("fresh_checks")


async def signed_in(api_client, email: str = "leader@soko.example") -> str:
    answer = await api_client.post("/v1/auth/token", data={"username": email, "password": PASSWORD})
    assert answer.status_code == 200, answer.text
    return answer.json()["access_token"]


def reads(api_client, surveys_client, reports_client):
    return [(api_client, "/v1/me"), (surveys_client, "/v1/me"), (reports_client, "/v1/me")]


async def test_a_revoked_token_is_refused_by_every_service(
    api_client, surveys_client, reports_client, world
):
    kept, other = await signed_in(api_client), await signed_in(api_client)
    for client, path in reads(api_client, surveys_client, reports_client):
        assert (await client.get(path, headers=bearer(kept))).status_code == 200
    revoked = await api_client.post("/v1/auth/revoke", data={"token": kept})
    assert revoked.status_code == 200 and revoked.content == b""
    assert revoked.headers["cache-control"] == "no-store"
    for client, path in reads(api_client, surveys_client, reports_client):
        answer = await client.get(path, headers=bearer(kept))
        assert answer.status_code == 401, (path, answer.text)
        assert answer.headers["content-type"] == "application/problem+json"
        assert "выполнен выход" in answer.json()["detail"]  # not only «учётная запись изменена»
    # Passed on by a service for the user (X-Soko-User), it is refused too.
    passed_on = world.headers("service") | {"X-Soko-User": kept}
    assert (await api_client.get("/v1/me", headers=passed_on)).status_code == 401
    # Only that token: the same account's other session goes on.
    for client, path in reads(api_client, surveys_client, reports_client):
        assert (await client.get(path, headers=bearer(other))).status_code == 200
    # Revoking again changes nothing and says nothing new.
    again = await api_client.post("/v1/auth/revoke", data={"token": kept})
    assert again.status_code == 200


async def test_the_token_in_the_authorization_header_is_revoked_without_a_body(
    api_client, reports_client, world
):
    token = await signed_in(api_client)
    answer = await api_client.post("/v1/auth/revoke", headers=bearer(token))
    assert answer.status_code == 200, answer.text
    assert (await api_client.get("/v1/me", headers=bearer(token))).status_code == 401
    assert (await reports_client.get("/v1/me", headers=bearer(token))).status_code == 401


@pytest.mark.parametrize("kind", ["garbage", "expired", "service", "forged"])
async def test_unknown_expired_or_foreign_tokens_are_200_and_store_nothing(
    api_client, world, settings, db, kind
):
    token = {
        "garbage": "not-a-token",
        "expired": expired_token(settings, world),
        "service": world.tokens["service"],
        "forged": world.tokens["admin"][:-4] + "AAAA",
    }[kind]
    answer = await api_client.post("/v1/auth/revoke", data={"token": token})
    assert answer.status_code == 200, answer.text
    assert await db.scalar(select(func.count()).select_from(RevokedToken)) == 0
    # The admin's real token, which the forged one imitates, still stands.
    assert (await api_client.get("/v1/me", headers=world.headers("admin"))).status_code == 200


async def test_no_token_at_all_is_422_naming_the_field(api_client, world):
    answer = await api_client.post("/v1/auth/revoke", data={"token_type_hint": "access_token"})
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["errors"][0]["loc"] == ["body", "token"]


async def test_the_denylist_row_lasts_as_long_as_the_token_and_expired_ones_are_purged(
    api_client, world, settings, db
):
    db.add(RevokedToken(jti="old" * 10, expires_at=utcnow() - timedelta(minutes=1)))
    await db.flush()
    token = await signed_in(api_client)
    assert (await api_client.post("/v1/auth/revoke", data={"token": token})).status_code == 200
    rows = (await db.scalars(select(RevokedToken))).all()
    claims = decode_token(settings, token)
    assert [(r.jti, r.expires_at) for r in rows] == [(claims.token_id, claims.expires_at)]


async def test_a_peer_refuses_a_revoked_token_within_its_check_seconds(apps, api_client, world):
    now = [1000.0]
    checker = TokenChecker(apps.surveys.state.peers["api"], ttl=5, timer=lambda: now[0])
    token = await signed_in(api_client)
    await checker.ensure_current(token)
    assert (await api_client.post("/v1/auth/revoke", data={"token": token})).status_code == 200
    now[0] += 5.1
    with pytest.raises(AccountChanged):
        await checker.ensure_current(token)


async def test_a_user_token_without_a_jti_is_refused(api_client, world, settings):
    """Every token we issue has a `jti`; one without it could never be revoked."""
    import jwt

    from shared.identity import ALGORITHM, ISSUER

    now = utcnow()
    user = world.users["admin"]
    claims = {"iss": ISSUER, "sub": str(user.id), "kind": "user", "role": "admin"}
    claims |= {"ver": user.token_version, "iat": now, "exp": now + timedelta(minutes=5)}
    secret = settings.secret_key.get_secret_value()
    token = jwt.encode(claims, secret, algorithm=ALGORITHM)
    assert (await api_client.get("/v1/me", headers=bearer(token))).status_code == 401
    with_jti = jwt.encode(claims | {"jti": "x" * 32}, secret, algorithm=ALGORITHM)
    assert (await api_client.get("/v1/me", headers=bearer(with_jti))).status_code == 200
