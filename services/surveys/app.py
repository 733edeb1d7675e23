"""The surveys service: instrument bank, campaigns, responses, the form, scoring, aggregates."""

import httpx
from fastapi import FastAPI

from shared.app import build_app
from shared.settings import Settings, get_settings
from shared.whoami import router as whoami_router


def create_app(
    settings: Settings | None = None,
    *,
    peer_transports: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    return build_app(
        service="surveys",
        title="Soko Surveys",
        description="Банк инструментов, анкетирование, диагностика профессиональных дефицитов.",
        settings=settings or get_settings(),
        routers=[whoami_router],
        peers=("api",),
        peer_transports=peer_transports,
    )
