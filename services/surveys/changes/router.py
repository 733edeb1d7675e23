"""HTTP: /v1/changes, for the other Soko services."""

from shared.changes.serve import changes_router
from shared.identity import Caller

router = changes_router(Caller)
