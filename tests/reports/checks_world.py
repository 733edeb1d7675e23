"""The world of the reports' validation-violation and outlier tests: quality_world (S1, S2 and
«Школа 10» of M1, S2's leader, M1's collection) with four counted indicators, two validation
rules and a bound on `students_total`, and values that break and cross them, through the
real api:

- S1: `students_total` 500, 510, 505 in the three school years before PERIOD, 5000 in PERIOD
  (above the bound 3000, and far from its own history: two flags);
- S2: 120 passed of 100 students (breaks `passed_le_total`, importance high);
- «Школа 10»: 5 students (below the bound 10) and 30 teachers with a category of 20
  (breaks `category_le_total`, importance medium).
"""

import httpx

from tests.api.validation import add_rule
from tests.factories import add_data_indicator
from tests.reports.helpers import PERIOD, post_values
from tests.reports.quality_world import quality_world

COUNTED = (
    ("students_total", "Обучающихся всего"),
    ("students_passed", "Обучающихся, сдавших ГИА"),
    ("teachers_total", "Педагогов всего"),
    ("teachers_with_category", "Педагогов с категорией"),
)
PASSED = "Сдавших больше, чем обучающихся"
CATEGORY = "Педагогов с категорией больше, чем педагогов"


async def checks_world(db, settings):
    world = await quality_world(db, settings)
    for code, name in COUNTED:
        await add_data_indicator(db, code, name, "number", min=0)
    return world


async def break_and_flag(client: httpx.AsyncClient, world) -> None:
    """The rules, the bound and the values of the module's docstring."""
    await add_rule(client, world, message=PASSED)
    await add_rule(
        client,
        world,
        code="category_le_total",
        left="teachers_with_category",
        right="teachers_total",
        importance="medium",
        message=CATEGORY,
    )
    bound = await client.put(
        "/v1/outlier-bounds",
        json={"indicator_code": "students_total", "lower": 10, "upper": 3000},
        headers=world.headers("admin"),
    )
    assert bound.status_code == 200, bound.text
    s1, s2, s10 = world.s1.id, world.s2.id, world.s10.id
    history = [("students_total", s1, p, v) for p, v in HISTORY.items()]
    await post_values(
        client,
        world,
        [
            *history,
            ("students_total", s1, PERIOD, 5000),
            ("students_passed", s2, PERIOD, 120),
            ("students_total", s2, PERIOD, 100),
            ("students_total", s10, PERIOD, 5),
            ("teachers_total", s10, PERIOD, 20),
            ("teachers_with_category", s10, PERIOD, 30),
        ],
    )


HISTORY = {"2018/2019": 500, "2019/2020": 510, "2020/2021": 505}
