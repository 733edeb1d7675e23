"""The reports service: indicator values, recommendations, the PD order, analytical reports."""

import logging

import httpx
from fastapi import FastAPI
from sqlalchemy.exc import ProgrammingError

from services.reports.documents.router import router as documents_router
from services.reports.indicator_values.router import router as indicator_values_router
from services.reports.nok.router import router as nok_router
from services.reports.pd.catalogue import load_default_catalogue
from services.reports.pd.router import router as pd_router
from services.reports.recommendations.router import router as recommendations_router
from services.reports.recommendations.rules import sync_defaults as sync_rules
from shared.app import build_app
from shared.settings import Settings, get_settings
from shared.whoami import router as whoami_router

logger = logging.getLogger("soko.reports")


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
        routers=[
            whoami_router,
            indicator_values_router,
            nok_router,
            recommendations_router,
            pd_router,
            documents_router,
        ],
        peers=("api", "surveys"),
        peer_transports=peer_transports,
        startup=[load_rules, load_default_catalogue],
    )


async def load_rules(app: FastAPI) -> None:
    """Make sure the default recommendation rules exist (the first start of a fresh database)."""
    try:
        async with app.state.db.sessionmaker.begin() as session:
            added = await sync_rules(session)
    except ProgrammingError:  # not migrated yet: /readyz says so, the service still starts
        logger.warning("recommendation rules not loaded: the database schema is not migrated")
        return
    if added:
        logger.info("added %d default recommendation rules", added)
