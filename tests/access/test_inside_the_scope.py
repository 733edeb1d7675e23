"""Inside their scope, only the principals a row allows succeed; the others get a problem:
403 for a principal who may not do it at all, 404 only where the row hides the target from
them (`Case.hidden`)."""

import pytest

from tests.access.cases import PRINCIPALS, call
from tests.access.endpoints import CASES


@pytest.mark.parametrize("who", [*PRINCIPALS, "api_key"])
@pytest.mark.parametrize("key", list(CASES))
async def test_inside_the_scope_only_allowed_principals_succeed(apps, isolation, world, key, who):
    case = CASES[key]
    if who == "api_key" and case.service != "api":
        pytest.skip("API keys are checked by the api service only (see the 401 test)")
    answer = await call(apps, case, world, world.headers(who), inside=True)
    if who in case.allowed or who in case.extra_ok:
        assert answer.status_code == case.ok, answer.text
    else:
        assert answer.status_code == (404 if who in case.hidden else 403), answer.text
        assert answer.headers["content-type"] == "application/problem+json"
