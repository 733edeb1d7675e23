"""Data collections, their status and their approval over the API."""

import uuid
from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from services.api.indicators.schemas import in_kind_order
from services.api.organizations.schemas import OrganizationKind
from shared.indicator_methods import Code
from shared.periods import PeriodBody
from shared.texts import HumanText
from shared.validation import CLEARABLE, ReportedDate, UpdateSchema

OrganizationKinds = Annotated[
    list[OrganizationKind],
    Field(
        min_length=1,
        max_length=4,
        description="The kinds of organization that report (school, kindergarten, "
        "additional, college)",
    ),
    AfterValidator(in_kind_order),
]
IndicatorCodes = Annotated[
    list[Code],
    Field(
        min_length=1,
        max_length=500,
        description="Codes of the indicators organizations report (method data_value)",
    ),
]
ApprovalStatus = Literal["not_submitted", "submitted", "returned", "approved"]
ApprovalAction = Literal["submit", "withdraw", "approve", "return", "unapprove"]


class Window(BaseModel):
    """One reporting period: values are expected from `opens_date` and due by `due_date`
    (both days inclusive, in the service's time zone)."""

    period: PeriodBody
    opens_date: ReportedDate
    due_date: ReportedDate


class WindowRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    period: str
    opens_date: date
    due_date: date


class CollectionCreate(BaseModel):
    name: HumanText = Field(max_length=300)
    description: str | None = Field(default=None, max_length=5000)
    owner_territory_id: uuid.UUID = Field(
        description="The territory whose organizations (its whole subtree) report, and whose "
        "analysts own the collection and give the last approval"
    )
    organization_kinds: OrganizationKinds = Field(default_factory=lambda: ["school"])
    indicator_codes: IndicatorCodes
    windows: list[Window] = Field(default_factory=list, max_length=200)


class CollectionUpdate(UpdateSchema):
    name: HumanText | None = Field(default=None, max_length=300)
    description: Annotated[str | None, CLEARABLE] = Field(default=None, max_length=5000)
    organization_kinds: OrganizationKinds | None = None
    indicator_codes: IndicatorCodes | None = None
    windows: list[Window] | None = Field(
        default=None, max_length=200, description="Replaces every window"
    )


class CollectionRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    owner_territory_id: uuid.UUID
    organization_kinds: list[str]
    indicator_codes: list[str]
    windows: list[WindowRead]
    created_at: datetime
    updated_at: datetime


class ApprovalState(BaseModel):
    status: ApprovalStatus = Field(
        description="not_submitted (nothing yet, or the submission withdrawn), submitted (by "
        "the organization, unlocked), returned (to the organization with a comment), "
        "approved (locked)"
    )
    level: int = Field(
        description="Territories of the approval chain that approved: 0 none, 1 the "
        "organization's municipality, 2 the territory above it, …"
    )
    levels: int = Field(description="Territories in the chain: the last is the owner")


class OrganizationStatus(BaseModel):
    organization_id: uuid.UUID
    name: str
    expected: int = Field(
        description="Values expected: indicators that apply to its kind; 0 when the "
        "organization was not open during the window (opened_on after the due date, or "
        "closed_on before the opening date) but reported or submitted all the same"
    )
    present: int = Field(description="Expected values stored now")
    present_by_due: int = Field(description="Expected values first stored by the due date")
    completeness: float | None = Field(description="present / expected, percent 0-100")
    timeliness: float | None = Field(description="present_by_due / expected, percent 0-100")
    late: bool = Field(description="Past the due date and incomplete")
    approval: ApprovalState


class TerritoryStatus(BaseModel):
    territory_id: uuid.UUID
    organizations: int
    expected: int
    present: int
    present_by_due: int
    completeness: float | None = Field(description="Pooled: sum present / sum expected, percent")
    timeliness: float | None = Field(description="Pooled: sum present_by_due / sum expected")
    late: int = Field(description="Organizations that are late")
    approved: int = Field(description="Organizations whose data are approved at any level")


class CollectionStatus(BaseModel):
    collection_id: uuid.UUID
    period: str
    opens_date: date
    due_date: date
    past_due: bool
    territory: TerritoryStatus
    organizations: list[OrganizationStatus]


class ApprovalStep(BaseModel):
    """One step of the approval of an organization's data for a period."""

    organization_id: uuid.UUID
    period: PeriodBody
    comment: str | None = Field(
        default=None,
        max_length=5000,
        description="Required to return (what to fix) and to unapprove (the reason); "
        "optional to submit and withdraw",
    )


class ApprovalRead(BaseModel):
    id: uuid.UUID = Field(description="The approval's id: its audit events' entity_id")
    collection_id: uuid.UUID
    organization_id: uuid.UUID
    period: str
    status: ApprovalStatus
    level: int
    levels: int
    last_action: ApprovalAction | None
    comment: str | None
    updated_at: datetime | None


class ApprovalStepAnswer(ApprovalRead):
    """A step's answer: the approval as it now stands and how complete the data it is about
    are, so that whoever submits or approves sees a half-filled return before signing it off
    (DHIS2 lets incomplete data be approved; so does Soko, but says so)."""

    completeness: float | None = Field(
        description="Percent 0-100 of the expected values present (the status' formula); "
        "null when nothing is expected of the organization"
    )
    missing_indicator_codes: list[str] = Field(
        description="The collection's indicators that apply to the organization and have no "
        "value for the period"
    )


class ApprovalStepRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: int
    organization_id: uuid.UUID
    period: str
    action: ApprovalAction
    level: int = Field(description="0 the organization; k the k-th territory of its chain")
    territory_id: uuid.UUID | None
    status: ApprovalStatus = Field(description="The status after the step")
    comment: str | None
    actor_id: str | None
    actor_name: str | None
    at: datetime
