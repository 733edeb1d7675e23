"""The surveys service: instrument bank, campaigns, responses, the form, scoring, aggregates."""

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from services.surveys.campaigns.router import router as campaigns_router
from services.surveys.campaigns.sheet_routes import router as sheets_router
from services.surveys.changes.entities import FEED
from services.surveys.changes.router import router as changes_router
from services.surveys.form.paper import router as paper_router
from services.surveys.form.router import STATIC_PATH as FORM_STATIC_PATH
from services.surveys.form.router import link_not_found_page
from services.surveys.form.router import outage_page as form_outage_page
from services.surveys.form.router import router as form_router
from services.surveys.form.router import static_files as form_static_files
from services.surveys.form.service import LinkNotFound
from services.surveys.instruments.parsed import Definitions
from services.surveys.instruments.router import router as instruments_router
from services.surveys.instruments.service import sync_bank
from services.surveys.responses.models import IdempotencyKeys, RateLimits
from services.surveys.responses.router import router as responses_router
from services.surveys.versions.router import router as versions_router
from shared.app import PeerTransports, add_to_lifespan, build_app, reference_data
from shared.browser import answer_browsers_with_pages, home_router
from shared.changes.serve import serve_changes
from shared.outage import set_outage_page
from shared.ratelimit import SharedRateLimit
from shared.settings import Settings
from shared.whoami import router as whoami_router

logger = logging.getLogger("soko.surveys")


def create_app(
    settings: Settings | None = None,
    *,
    peer_transports: PeerTransports = None,
) -> FastAPI:
    app = build_app(
        idempotency_keys=IdempotencyKeys,
        service="surveys",
        title="Soko Surveys",
        description="The instrument bank, survey campaigns and their responses, diagnostics of "
        "teachers' professional deficits. Sign in with Authorize (at the api service).",
        settings=settings,
        routers=[
            whoami_router,
            instruments_router,
            campaigns_router,
            sheets_router,
            responses_router,
            versions_router,
            changes_router,
        ],
        peers=("api",),
        peer_transports=peer_transports,
        startup=[reference_data("instruments of the bank", sync_bank, logger)],
    )
    app.state.definitions = Definitions()  # this app's own: never shared with another app
    # The respondents' form is HTML for people, not part of the /v1 API: it lives at /s/{code}.
    app.include_router(form_router)
    app.include_router(paper_router)  # an operator keys in paper questionnaires
    app.mount(FORM_STATIC_PATH, form_static_files, name="form-static")
    set_outage_page(app, form_outage_page)  # a Russian page, not problem+json, at /s/...
    app.add_exception_handler(LinkNotFound, link_not_found_page)  # so is a wrong link's 404
    _open_anonymous_limit(app)
    serve_changes(app, FEED)
    # A person's browser: `/` leads to the api's home, a 401 or 404 is a Russian page.
    app.include_router(home_router)
    answer_browsers_with_pages(app, lambda s: str(s.surveys_url))
    return app


def _open_anonymous_limit(app: FastAPI) -> None:
    """Within the app's lifespan: the limit of public submissions per address, in PostgreSQL
    (so that every process of the service counts the same hits), on `app.state`."""
    settings: Settings = app.state.settings

    @asynccontextmanager
    async def opened(app: FastAPI) -> AsyncIterator[None]:
        assert settings.database_url is not None  # build_app refuses an app without one
        limit = SharedRateLimit.open(
            settings.database_url,
            RateLimits,
            settings.secret_key.get_secret_value().encode(),
            scope="anonymous-submissions",
            limit=settings.anonymous_rate_per_minute,
            window_seconds=60,
        )
        app.state.anonymous_limit = limit
        try:
            yield
        finally:
            await limit.aclose()

    add_to_lifespan(app, opened)
