"""Every table model of the surveys service, imported here so that Alembic sees them all."""

from services.surveys.campaigns.models import Campaign, CampaignOrganization, Invitation
from services.surveys.changes.models import ChangeHorizon, ChangeTombstones
from services.surveys.instruments.models import Instrument, InstrumentVersion
from services.surveys.responses.models import (
    Answer,
    AnswerTally,
    CompetenceScore,
    CompetenceTally,
    IdempotencyKeys,
    RateLimits,
    Response,
)
from shared.audit_outbox import audit_outbox_table
from shared.scope_cache import scope_cache_table

# Answers of the api service about scopes, shared by every process of this service.
ScopeCache = scope_cache_table("surveys")
# Audit entries written with a change, sent to the api service after the commit.
AuditOutboxTable = audit_outbox_table("surveys")

__all__ = [
    "Answer",
    "AnswerTally",
    "AuditOutboxTable",
    "Campaign",
    "CampaignOrganization",
    "ChangeHorizon",
    "ChangeTombstones",
    "CompetenceScore",
    "CompetenceTally",
    "IdempotencyKeys",
    "Instrument",
    "InstrumentVersion",
    "Invitation",
    "RateLimits",
    "Response",
    "ScopeCache",
]
