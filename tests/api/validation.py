"""What the validation rules' tests share: a world with four counted indicators (and the
colleagues of S1: the leader of S2 and a second teacher), and posting, defining and reading."""

from tests.factories import add_colleagues, add_data_indicator, build_world

PERIOD = "2021/2022"


async def validation_world(db, settings):
    """The standard world with the indicators the rules read and S1's colleagues."""
    world = await build_world(db, settings)
    for code, name in (
        ("students_total", "Обучающихся всего"),
        ("students_passed", "Обучающихся, сдавших ГИА"),
        ("teachers_total", "Педагогов всего"),
        ("teachers_with_category", "Педагогов с категорией"),
    ):
        await add_data_indicator(db, code, name, "number", min=0)
    await add_colleagues(db, settings, world)
    return world


def row(world, code, value, org=None, period=PERIOD):
    return {
        "indicator_code": code,
        "organization_id": str(org or world.s1.id),
        "period": period,
        "value": value,
    }


async def post(client, world, values, who="analyst", **params):
    answer = await client.post(
        "/v1/data-values", json={"values": values}, headers=world.headers(who), params=params
    )
    assert answer.status_code == 200, answer.text
    return answer.json()


async def add_rule(client, world, who="analyst", **fields):
    body = {
        "code": "passed_le_total",
        "left": "students_passed",
        "operator": "<=",
        "right": "students_total",
        "importance": "high",
        "message": "Сдавших больше, чем обучающихся",
        "action": "warn",
    } | fields
    answer = await client.post("/v1/validation-rules", json=body, headers=world.headers(who))
    assert answer.status_code == 201, answer.text
    return answer.json()


async def results(client, world, who="analyst", **params):
    answer = await client.get("/v1/validation-results", params=params, headers=world.headers(who))
    assert answer.status_code == 200, answer.text
    return answer.json()


async def set_bound(client, world, code: str, lower: float | None, upper: float | None) -> None:
    """`PUT /v1/outlier-bounds` of the indicator `code` (global) as the administrator, asserted
    200: the values outside it are flagged (`min_max`), those posted already too."""
    answer = await client.put(
        "/v1/outlier-bounds",
        json={"indicator_code": code, "lower": lower, "upper": upper},
        headers=world.headers("admin"),
    )
    assert answer.status_code == 200, answer.text
