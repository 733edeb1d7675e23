"""Every table model of the reports service, imported here so that Alembic sees them all."""

from services.reports.pd.models import IndividualRoute, PdProgramme
from services.reports.recommendations.models import Decision, Recommendation, RecommendationRule
from services.reports.snapshots.models import Snapshot

__all__ = [
    "Decision",
    "IndividualRoute",
    "PdProgramme",
    "Recommendation",
    "RecommendationRule",
    "Snapshot",
]
