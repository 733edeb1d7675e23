"""Every table model of the reports service, imported here so that Alembic sees them all."""

from services.reports.facts import tables as facts  # noqa: F401 - the facts tables
from services.reports.indicator_values import store  # noqa: F401 - kept indicator values
from services.reports.pd_order.models import IndividualRoute, PdProgramme
from services.reports.recommendations.models import Decision, Recommendation, RecommendationRule
from services.reports.snapshots.models import Snapshot
from shared.audit_outbox import audit_outbox_table
from shared.db import metadata
from shared.idempotency import idempotency_table
from shared.scope_cache import scope_cache_table

# Answers of the api service about scopes, shared by every process of this service.
ScopeCache = scope_cache_table("reports")
# Audit entries written with a change, sent to the api service after the commit.
AuditOutboxTable = audit_outbox_table("reports")
# The `Idempotency-Key`s of this service's posts (shared/keyed_routes.py).
IdempotencyKeys = idempotency_table(metadata, "reports")

__all__ = [
    "AuditOutboxTable",
    "Decision",
    "IdempotencyKeys",
    "IndividualRoute",
    "PdProgramme",
    "Recommendation",
    "RecommendationRule",
    "ScopeCache",
    "Snapshot",
]
