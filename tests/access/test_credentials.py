"""Missing, malformed, expired, foreign, revoked or unknown credentials: 401 everywhere but on
the public endpoints."""

import pytest

from tests.access.cases import call
from tests.access.endpoints import CASES
from tests.factories import World, expired_token


def bad_credentials(world: World, settings) -> dict[str, dict[str, str]]:
    return {
        "none": {},
        "garbage": {"Authorization": "Bearer not-a-jwt"},
        "expired": {"Authorization": f"Bearer {expired_token(settings, world)}"},
        "foreign_secret": {
            "Authorization": "Bearer eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJ4In0.c2lnbmF0dXJl"
        },
        "revoked_key": {"X-API-Key": world.revoked_key},
        "unknown_key": {"X-API-Key": "soko_000000000000_nope"},
    }


@pytest.mark.parametrize(
    "credential", ["none", "garbage", "expired", "foreign_secret", "revoked_key", "unknown_key"]
)
@pytest.mark.parametrize("key", list(CASES))
async def test_missing_or_bad_credentials_are_401(
    apps, isolation, world, settings, key, credential
):
    case = CASES[key]
    if case.public and credential == "none":
        pytest.skip("a public endpoint answers without credentials")
    headers = bad_credentials(world, settings)[credential]
    answer = await call(apps, case, world, headers, inside=True)
    assert answer.status_code == 401, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
