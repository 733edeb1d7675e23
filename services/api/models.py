"""Every table model of the api service, imported here so that Alembic sees them all."""

from services.api.api_keys.models import ApiKey
from services.api.assessment_tasks.models import (
    AssessmentParticipant,
    AssessmentSpecification,
    AssessmentTask,
)
from services.api.assessments.models import (
    AssessmentEvent,
    AssessmentProcedure,
    AssessmentResult,
    AssessmentSubject,
)
from services.api.audit.models import AuditEvent
from services.api.auth.models import LoginAttempt, RevokedToken
from services.api.changes.models import ChangeHorizon, ChangeTombstones
from services.api.collections.models import (
    Collection,
    CollectionApproval,
    CollectionApprovalStep,
    CollectionWindow,
)
from services.api.data_values.models import DataValue, IdempotencyKeys
from services.api.indicators.models import Indicator, IndicatorRoadmap, IndicatorTarget
from services.api.organizations.models import Cluster, ClusterMember, Organization
from services.api.outliers.models import OutlierBound, OutlierFlag
from services.api.roadmaps.models import (
    Activity,
    ActivityFile,
    ActivityStatusChange,
    Roadmap,
    RoadmapSection,
)
from services.api.staff.models import StaffMember
from services.api.territories.models import Territory
from services.api.users.models import User
from services.api.validation.models import ValidationRule, ValidationViolation

__all__ = [
    "Activity",
    "ActivityFile",
    "ActivityStatusChange",
    "ApiKey",
    "AssessmentEvent",
    "AssessmentParticipant",
    "AssessmentProcedure",
    "AssessmentResult",
    "AssessmentSpecification",
    "AssessmentSubject",
    "AssessmentTask",
    "AuditEvent",
    "ChangeHorizon",
    "ChangeTombstones",
    "Cluster",
    "ClusterMember",
    "Collection",
    "CollectionApproval",
    "CollectionApprovalStep",
    "CollectionWindow",
    "DataValue",
    "IdempotencyKeys",
    "Indicator",
    "IndicatorRoadmap",
    "IndicatorTarget",
    "LoginAttempt",
    "Organization",
    "OutlierBound",
    "OutlierFlag",
    "RevokedToken",
    "Roadmap",
    "RoadmapSection",
    "StaffMember",
    "Territory",
    "User",
    "ValidationRule",
    "ValidationViolation",
]
