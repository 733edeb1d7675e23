"""Organizations and clusters over the API."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from shared.texts import HumanText
from shared.validation import CLEARABLE, Count, ReportedDate, UpdateSchema

OrganizationKind = Literal["school", "kindergarten", "additional", "college"]


OpenDay = ReportedDate | None
"""An ISO date (`2021-09-01`) of an organization's opening or closing, its year within
MIN_YEAR–MAX_YEAR (422 naming the field otherwise), or null."""
OPENED_ON = (
    "The day the organization opened (ISO date, inclusive); null: open since always. A data "
    "collection expects it in a window only when it opened by the window's due date"
)
CLOSED_ON = (
    "The day the organization closed (ISO date, inclusive, not before `opened_on`); null: "
    "still open. A data collection expects it in a window only when it closed on or after "
    "the window's opening date"
)


class OrganizationContext(BaseModel):
    """Context data used by complex analysis (контекстные данные); all optional."""

    model_config = ConfigDict(extra="forbid")

    students: Count | None = Field(default=None, description="Number of students")
    teachers: Count | None = Field(default=None, description="Number of teachers")
    classes: Count | None = Field(default=None, description="Number of classes (groups)")
    rural: bool | None = Field(default=None, description="In a rural area")
    social_index: float | None = Field(
        default=None, ge=0, le=100, description="Social well-being index, 0–100"
    )
    low_results: bool | None = Field(default=None, description="A school with low results (ШНОР)")
    unfavourable_conditions: bool | None = Field(
        default=None, description="A school in adverse social conditions (ШНСУ)"
    )
    disabled_students: Count | None = Field(
        default=None, description="Students with special educational needs (ОВЗ)"
    )
    non_native_speakers: Count | None = Field(
        default=None, description="Students whose first language is not Russian"
    )
    shifts: int | None = Field(default=None, ge=1, le=3, description="Number of shifts")
    parents_higher_education_share: float | None = Field(
        default=None, ge=0, le=100, description="Share of parents with higher education, %"
    )
    single_parent_share: float | None = Field(
        default=None, ge=0, le=100, description="Share of single-parent families, %"
    )
    families_at_risk_share: float | None = Field(
        default=None,
        ge=0,
        le=100,
        description="Share of families in a socially dangerous situation (СОП), %",
    )


class OrganizationCreate(BaseModel):
    name: HumanText = Field(max_length=500)
    short_name: HumanText | None = Field(default=None, max_length=200)
    kind: OrganizationKind
    territory_id: uuid.UUID
    context: OrganizationContext = Field(default_factory=OrganizationContext)
    opened_on: OpenDay = Field(default=None, description=OPENED_ON)
    closed_on: OpenDay = Field(default=None, description=CLOSED_ON)


class OrganizationUpdate(UpdateSchema):
    name: HumanText | None = Field(default=None, max_length=500)
    short_name: Annotated[HumanText | None, CLEARABLE] = Field(default=None, max_length=200)
    kind: OrganizationKind | None = None
    territory_id: uuid.UUID | None = None
    context: OrganizationContext | None = Field(
        default=None,
        description="Merged into the stored context (a JSON merge patch, RFC 7396): each field "
        "sent replaces its value, one sent as null is removed, the others stay",
    )
    opened_on: Annotated[OpenDay, CLEARABLE] = Field(default=None, description=OPENED_ON)
    closed_on: Annotated[OpenDay, CLEARABLE] = Field(default=None, description=CLOSED_ON)


class OrganizationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    short_name: str | None
    kind: OrganizationKind
    territory_id: uuid.UUID
    context: OrganizationContext
    opened_on: date | None = Field(description=OPENED_ON)
    closed_on: date | None = Field(description=CLOSED_ON)
    created_at: datetime
    updated_at: datetime

    @field_serializer("context")
    def _known_context_only(self, context: OrganizationContext) -> dict[str, Any]:
        return context.model_dump(exclude_none=True)


class ClusterCreate(BaseModel):
    name: HumanText = Field(max_length=500)
    description: str | None = None
    territory_id: uuid.UUID
    coordinator_id: uuid.UUID | None = None
    member_ids: list[uuid.UUID] = Field(default_factory=list, max_length=5000)


class ClusterUpdate(UpdateSchema):
    name: HumanText | None = Field(default=None, max_length=500)
    description: Annotated[str | None, CLEARABLE] = None
    coordinator_id: Annotated[uuid.UUID | None, CLEARABLE] = None
    member_ids: list[uuid.UUID] | None = Field(default=None, max_length=5000)


class ClusterRead(BaseModel):
    id: uuid.UUID
    name: str
    description: str | None
    territory_id: uuid.UUID
    coordinator_id: uuid.UUID | None
    member_ids: list[uuid.UUID]
    created_at: datetime
    updated_at: datetime
