"""The api service: territories, organizations, staff, users; roadmaps; indicators; data."""

import httpx
from fastapi import FastAPI

from shared.app import build_app
from shared.settings import Settings, get_settings


def create_app(
    settings: Settings | None = None,
    *,
    peer_transports: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    return build_app(
        service="api",
        title="Soko API",
        description="Территории, организации, пользователи, дорожные карты, показатели и данные.",
        settings=settings or get_settings(),
        routers=[],
        peers=(),
        peer_transports=peer_transports,
    )
