"""Outside their scope (M2, school S3), every scoped principal is refused."""

import pytest

from tests.access.cases import call
from tests.access.endpoints import CASES

SCOPED_PRINCIPALS = ("analyst", "methodologist", "leader", "teacher", "viewer")


@pytest.mark.parametrize("who", SCOPED_PRINCIPALS)
@pytest.mark.parametrize("key", [k for k, c in CASES.items() if c.scoped])
async def test_outside_the_scope_is_refused(apps, isolation, world, key, who):
    case = CASES[key]
    answer = await call(apps, case, world, world.headers(who), inside=False)
    assert answer.status_code in (403, 404), answer.text
