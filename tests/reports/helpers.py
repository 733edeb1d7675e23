"""What the reports tests share: the "trained" indicator many of them define, posting data
values, the requests they make of a whole territory (a report of it, its indicator values,
issuing its recommendations, deciding on one), and a stored individual route."""

import httpx

from services.reports.pd_order.models import IndividualRoute

PERIOD = "2021/2022"

# The share of a school's teachers trained (КПК), a value the schools report; target ≥ 70 %.
TRAINED_INDICATOR = {
    "code": "trained",
    "name": "Доля педагогов, прошедших КПК",
    "unit": "percent",
    "level": "organization",
    "method": "data_value",
    "params": {"value_type": "percent"},
    "target": {"op": ">=", "value": 70},
}


def below_rule(code: str, threshold: float = 60, **changes) -> dict:
    """A body of `POST /v1/recommendation-rules`: the leader of a school whose "trained" value
    is below `threshold` (percent) is told so; `changes` replace or add fields."""
    return {
        "code": code,
        "title": f"Меньше {threshold} % обученных педагогов",
        "condition": "indicator_below",
        "params": {"indicator_codes": ["trained"], "threshold": threshold},
        "addressee_type": "organization_leader",
        "template": "В «{where}» {indicator}: {value}, ниже порога {threshold}.",
    } | changes


async def territory_report(
    client: httpx.AsyncClient, path: str, world, who: str = "analyst", territory=None
) -> httpx.Response:
    """`GET path` with `territory_id` M1 (or the id `territory`) and `period` PERIOD, as `who`:
    the answer as it is (`/v1/nok`, `/v1/pd-order`)."""
    params = {"territory_id": str(territory or world.m1.id), "period": PERIOD}
    return await client.get(path, params=params, headers=world.headers(who))


async def generate(
    client: httpx.AsyncClient,
    world,
    who: str = "analyst",
    territory=None,
    period: str = PERIOD,
) -> httpx.Response:
    """`POST /v1/recommendations/generate` for M1 (or the id `territory`) and `period` (text,
    as a client sends it), as `who`: the answer as it is."""
    body = {"territory_id": str(territory or world.m1.id), "period": period}
    return await client.post("/v1/recommendations/generate", json=body, headers=world.headers(who))


async def decide(client: httpx.AsyncClient, world, decision: dict, period: str = PERIOD) -> dict:
    """`decision` taken by the analyst on S1's "trained" recommendation of `period` (the one
    for its leader, the target not achieved; issued before): the recommendation."""
    listed = await client.get(
        "/v1/recommendations",
        params={"organization_id": str(world.s1.id), "period": period},
        headers=world.headers("analyst"),
    )
    [rec] = [r for r in listed.json()["items"] if r["indicator_code"] == "trained"
             and r["rule_code"] == "leader_indicator_not_achieved"]  # fmt: skip
    posted = await client.post(
        f"/v1/recommendations/{rec['id']}/decisions",
        json=decision,
        headers=world.headers("analyst"),
    )
    assert posted.status_code == 201, posted.text
    return rec


def individual_route(staff, territory_id, period: str = PERIOD, **fields) -> IndividualRoute:
    """An individual route of `staff` (a StaffMember: their name and school) in the territory
    `territory_id`, as the reports service stores it; no deficits and no steps unless `fields`
    give them."""
    return IndividualRoute(
        staff_id=staff.id,
        full_name=staff.full_name,
        organization_id=staff.organization_id,
        territory_id=territory_id,
        period=period,
        **({"deficits": [], "steps": []} | fields),
    )


async def read_values(
    client: httpx.AsyncClient, world, who: str = "analyst", scope=None, **params
) -> httpx.Response:
    """`GET /v1/indicator-values` of the territory M1 (or the territory id `scope`) in PERIOD,
    as `who`, with the query `params` beside (they win over these): the answer as it is."""
    query = {"period": PERIOD, "scope_type": "territory", "scope_id": str(scope or world.m1.id)}
    return await client.get(
        "/v1/indicator-values", params=query | params, headers=world.headers(who)
    )


async def post_values(client: httpx.AsyncClient, world, rows, who: str = "analyst") -> dict:
    """`POST /v1/data-values` of `rows`, each (indicator code, organization id, period, value),
    as `who`; asserted 200: the summary (imported, updated, unchanged, rejected)."""
    values = [
        {"indicator_code": code, "organization_id": str(org), "period": period, "value": value}
        for code, org, period, value in rows
    ]
    answer = await client.post(
        "/v1/data-values", json={"values": values}, headers=world.headers(who)
    )
    assert answer.status_code == 200, answer.text
    return answer.json()
