"""HTTP: /v1/changes, for the other Soko services."""

from services.api.auth.deps import Caller
from shared.changes.serve import changes_router

router = changes_router(Caller)
