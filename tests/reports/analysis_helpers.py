"""What the tests of /v1/analysis/… share: schools of M1 with context data, their results
posted to the api, and the analysis asked of the reports app."""


async def add_school(api_client, world, name: str, context: dict, kind: str = "school") -> str:
    """A school (or an organization of `kind`) of M1 with its context data, posted by the
    analyst: its id."""
    body = {"name": name, "kind": kind, "territory_id": str(world.m1.id), "context": context}
    answer = await api_client.post("/v1/organizations", json=body, headers=world.headers("analyst"))
    assert answer.status_code == 201, answer.text
    return answer.json()["id"]


async def add_schools(api_client, world, contexts: dict[str, dict]) -> dict[str, str]:
    """Schools «Школа <code>» of M1 with the contexts by code: their ids by code."""
    return {
        code: await add_school(api_client, world, f"Школа {code}", c)
        for code, c in contexts.items()
    }


async def post_results(api_client, world, rows: list[dict]) -> None:
    """`POST /v1/assessment-results` of `rows` as the analyst, asserted all stored."""
    answer = await api_client.post(
        "/v1/assessment-results", json={"results": rows}, headers=world.headers("analyst")
    )
    assert answer.status_code == 200 and not answer.json()["rejected"], answer.text


async def analysis(client, world, what: str, who: str = "analyst", **params):
    """`GET /v1/analysis/<what>` of M1 (unless `params` name another territory) as `who`."""
    query = {"territory_id": str(world.m1.id)} | params
    return await client.get(f"/v1/analysis/{what}", params=query, headers=world.headers(who))
