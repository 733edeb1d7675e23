"""Reading a service's change feed in tests, as a Soko service does (its own token)."""

from typing import Any

import httpx
from fastapi import FastAPI

from shared.identity import issue_service_token
from shared.settings import Settings


def service_headers(settings: Settings) -> dict[str, str]:
    return {"Authorization": f"Bearer {issue_service_token(settings, 'reports')}"}


async def get_changes(
    app: FastAPI, settings: Settings, after: str = "", limit: int = 5000, wait: float = 0
) -> httpx.Response:
    params: dict[str, Any] = {"limit": limit, "wait": wait}
    if after:
        params["after"] = after
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://feed", timeout=60) as c:
        return await c.get("/v1/changes", params=params, headers=service_headers(settings))


async def read_all(
    app: FastAPI, settings: Settings, after: str = "", limit: int = 5000
) -> tuple[list[dict[str, Any]], str]:
    """Every change after `after`, page by page: (items in order, the last cursor)."""
    items: list[dict[str, Any]] = []
    while True:
        answer = await get_changes(app, settings, after, limit)
        assert answer.status_code == 200, answer.text
        body = answer.json()
        items += body["items"]
        after = body["cursor"]
        if not body["has_more"]:
            return items, after


def of(items: list[dict[str, Any]], entity: str, **key: Any) -> list[dict[str, Any]]:
    """The items of one entity (and, given key fields, of that key), in feed order."""
    wanted = {k: str(v) for k, v in key.items()}
    return [
        i
        for i in items
        if i["entity"] == entity and all(str(i["key"].get(k)) == v for k, v in wanted.items())
    ]
