"""The reports service: indicator values, recommendations, the PD order, analytical reports."""

import logging

from fastapi import FastAPI

from services.reports.analysis.router import router as analysis_router
from services.reports.analysis.thresholds import Thresholds
from services.reports.documents.router import router as documents_router
from services.reports.facts.freshness import readiness as facts_readiness
from services.reports.facts.running import following
from services.reports.indicator_values.router import router as indicator_values_router
from services.reports.indicator_values.units import KnownUnits
from services.reports.models import IdempotencyKeys
from services.reports.pd_order.catalogue import sync_catalogue
from services.reports.pd_order.router import router as pd_router
from services.reports.quality_evaluation.router import router as nok_router
from services.reports.recommendations.router import router as recommendations_router
from services.reports.recommendations.rules import sync_defaults as sync_rules
from shared.app import PeerTransports, add_to_lifespan, build_app, reference_data
from shared.browser import answer_browsers_with_pages, home_router
from shared.settings import Settings
from shared.whoami import router as whoami_router

logger = logging.getLogger("soko.reports")


async def keep_known_units(app: FastAPI) -> None:
    """This process's known units of scopes (`KnownUnits` of indicator_values/units.py: it
    cannot disagree with another process's), and the indicator values it is recomputing after
    an answer."""
    app.state.known_units = KnownUnits()
    app.state.values_refreshing = set()


async def keep_analysis_thresholds(app: FastAPI) -> None:
    """The complex analysis' thresholds (`SOKO_ANALYSIS_…`), read once at startup."""
    app.state.analysis_thresholds = Thresholds()


def create_app(
    settings: Settings | None = None,
    *,
    peer_transports: PeerTransports = None,
) -> FastAPI:
    app = build_app(
        idempotency_keys=IdempotencyKeys,
        service="reports",
        title="Soko Reports",
        description="Indicator values, targeted recommendations, the PD order (professional "
        "development), reports. Sign in with Authorize (at the api service).",
        settings=settings,
        routers=[
            whoami_router,
            indicator_values_router,
            nok_router,
            recommendations_router,
            pd_router,
            documents_router,
            analysis_router,
        ],
        peers=("api", "surveys"),
        peer_transports=peer_transports,
        startup=[
            keep_known_units,
            keep_analysis_thresholds,
            reference_data("default recommendation rules", sync_rules, logger),
            reference_data("programmes of the default PD catalogue", sync_catalogue, logger),
        ],
    )

    # The facts follow the peers' change feeds for as long as the app runs (services/reports/facts).
    add_to_lifespan(app, following)
    app.state.readiness_checks = {"facts": facts_readiness}
    # A person's browser: `/` leads to the api's home, a 401 or 404 is a Russian page.
    app.include_router(home_router)
    answer_browsers_with_pages(app, lambda s: str(s.reports_url))
    return app
