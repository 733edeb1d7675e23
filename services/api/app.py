"""The api service: territories, organizations, staff, users; roadmaps; indicators; data."""

import gc
import logging

from fastapi import FastAPI

from services.api.api_keys.router import router as api_keys_router
from services.api.assessment_tasks.router import router as assessment_tasks_router
from services.api.assessment_tasks.service import sync_specifications
from services.api.assessments.router import router as assessments_router
from services.api.audit.router import router as audit_router
from services.api.auth.router import router as auth_router
from services.api.changes.entities import FEED
from services.api.changes.router import router as changes_router
from services.api.collections.router import router as collections_router
from services.api.data_values.models import IdempotencyKeys
from services.api.data_values.router import router as data_values_router
from services.api.indicators.router import router as indicators_router
from services.api.indicators.shipped import sync_shipped_indicators
from services.api.organizations.router import router as organizations_router
from services.api.outliers.router import router as outliers_router
from services.api.pages.activities import router as activity_pages_router
from services.api.pages.campaign_launch import router as campaign_launch_pages_router
from services.api.pages.data_uploads import router as data_upload_pages_router
from services.api.pages.roadmap_activities import router as roadmap_pages_router
from services.api.pages.router import STATIC_PATH as PAGES_STATIC_PATH
from services.api.pages.router import router as pages_router
from services.api.pages.router import static_files as pages_static_files
from services.api.roadmaps.router import router as roadmaps_router
from services.api.staff.router import router as staff_router
from services.api.territories.router import router as territories_router
from services.api.users.router import router as users_router
from services.api.users.service import ensure_bootstrap_admin
from services.api.validation.router import router as validation_router
from services.api.versions.router import router as versions_router
from shared.app import PeerTransports, build_app, reference_data
from shared.browser import answer_browsers_with_pages
from shared.changes.serve import serve_changes
from shared.settings import Settings

logger = logging.getLogger("soko.api")


async def bootstrap_admin(app: FastAPI) -> None:
    """Create the first administrator from settings when there is no user yet."""
    settings: Settings = app.state.settings
    if not (settings.bootstrap_admin_email and settings.bootstrap_admin_password):
        return
    async with app.state.db.sessionmaker.begin() as session:
        password = settings.bootstrap_admin_password.get_secret_value()
        if await ensure_bootstrap_admin(session, settings.bootstrap_admin_email, password):
            logger.info("created the bootstrap administrator %s", settings.bootstrap_admin_email)


async def freeze_startup_heap(app: FastAPI) -> None:
    """Leave what start-up built (modules, models, schemas: a few hundred thousand objects) out
    of the cyclic garbage collector's passes: it lives as long as the process, and a bulk
    import of 10,000 rows otherwise triggers collections that walk all of it several times
    (a third of the import's CPU, README "Benchmarks"). Objects freed later by reference
    counting are freed as before."""
    gc.collect()
    gc.freeze()


def create_app(
    settings: Settings | None = None,
    *,
    peer_transports: PeerTransports = None,
) -> FastAPI:
    app = build_app(
        idempotency_keys=IdempotencyKeys,
        service="api",
        title="Soko API",
        description="Territories, organizations, staff and users; roadmaps; indicators and "
        "their data; assessment results. Sign in with Authorize (OAuth2 password flow) or "
        "an API key.",
        settings=settings,
        routers=[
            auth_router,
            users_router,
            territories_router,
            organizations_router,
            staff_router,
            api_keys_router,
            roadmaps_router,
            indicators_router,
            data_values_router,
            collections_router,
            outliers_router,
            validation_router,
            audit_router,
            assessments_router,
            assessment_tasks_router,
            versions_router,
            changes_router,
        ],
        # The pages ask them as the signed-in person; the API answers without them.
        peers=("surveys", "reports"),
        optional_peers=("surveys", "reports"),
        peer_transports=peer_transports,
        startup=[
            bootstrap_admin,
            reference_data("task specifications", sync_specifications, logger),
            reference_data("NOK checklist indicators", sync_shipped_indicators, logger),
            freeze_startup_heap,
        ],
    )
    # Pages for people in a browser (sign-in, each role's home): HTML outside the /v1 API.
    app.include_router(pages_router)
    app.include_router(activity_pages_router)  # an activity's evidence
    app.include_router(roadmap_pages_router)  # a roadmap's activities
    app.include_router(data_upload_pages_router)  # «Загрузить данные»
    app.include_router(campaign_launch_pages_router)  # «Запустить анкетирование»
    app.mount(PAGES_STATIC_PATH, pages_static_files, name="pages-static")
    # A person's browser asking for an address that is not there gets a Russian page.
    answer_browsers_with_pages(app, lambda s: str(s.api_url), statuses=(404, 422))
    serve_changes(app, FEED)
    return app
