"""The reports service: indicator values, recommendations, the PD order, analytical reports."""

import httpx
from fastapi import FastAPI

from services.reports.indicator_values.router import router as indicator_values_router
from services.reports.nok.router import router as nok_router
from shared.app import build_app
from shared.settings import Settings, get_settings
from shared.whoami import router as whoami_router


def create_app(
    settings: Settings | None = None,
    *,
    peer_transports: dict[str, httpx.AsyncBaseTransport] | None = None,
) -> FastAPI:
    return build_app(
        service="reports",
        title="Soko Reports",
        description="Значения показателей, адресные рекомендации, план-заказ, отчёты.",
        settings=settings or get_settings(),
        routers=[whoami_router, indicator_values_router, nok_router],
        peers=("api", "surveys"),
        peer_transports=peer_transports,
    )
