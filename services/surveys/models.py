"""Every table model of the surveys service, imported here so that Alembic sees them all."""

from services.surveys.campaigns.models import Campaign, CampaignOrganization, Invitation
from services.surveys.instruments.models import Instrument, InstrumentVersion
from services.surveys.responses.models import (
    Answer,
    CompetenceScore,
    IdempotencyKeys,
    RateLimits,
    Response,
)
from shared.scope_cache import scope_cache_table

# Answers of the api service about scopes, shared by every process of this service.
ScopeCache = scope_cache_table("surveys")

__all__ = [
    "Answer",
    "Campaign",
    "CampaignOrganization",
    "CompetenceScore",
    "IdempotencyKeys",
    "Instrument",
    "InstrumentVersion",
    "Invitation",
    "RateLimits",
    "Response",
    "ScopeCache",
]
