"""What the demo tests share: the api app on a demo database, signed in as a demo account."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx

from services.api.app import create_app as create_api
from services.demo.district import schools
from services.demo.loader import DEMO_PASSWORD
from shared.settings import Settings


@asynccontextmanager
async def demo_api(settings: Settings, email: str) -> AsyncIterator[httpx.AsyncClient]:
    """A client of the api app (running its lifespan) on the database of `settings`, signed in
    as the demo account `email` with DEMO_PASSWORD (asserted 200): its bearer token is in the
    client's headers."""
    app = create_api(settings)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://api") as client:
            token = await client.post(
                "/v1/auth/token", data={"username": email, "password": DEMO_PASSWORD}
            )
            assert token.status_code == 200, token.text
            client.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
            yield client


def organizations() -> list[dict]:
    """The demo district's organizations as GET /v1/organizations lists them (ids "org-N"),
    without a database: what the demo's synthetic data is computed from."""
    return [
        {
            "id": f"org-{n}",
            "name": s.name,
            "kind": s.kind,
            "context": {"students": s.students, "rural": s.rural, "social_index": s.social_index},
        }
        for n, s in enumerate(schools())
    ]


async def read(app, path: str, token: str | None = None, **params) -> Any:
    """GET `path` of `app` (with the bearer `token`, if any), asserted 200: its JSON."""
    transport = httpx.ASGITransport(app=app)
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        answer = await client.get(path, params=params, headers=headers)
        assert answer.status_code == 200, answer.text
        return answer.json()
