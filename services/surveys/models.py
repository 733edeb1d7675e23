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
]
