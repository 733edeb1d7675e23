"""Organizations and clusters over the API."""

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_serializer

from shared.validation import CLEARABLE, Count, UpdateSchema

OrganizationKind = Literal["school", "kindergarten", "additional", "college"]


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
    name: str = Field(min_length=1, max_length=500)
    short_name: str | None = Field(default=None, max_length=200)
    kind: OrganizationKind
    territory_id: uuid.UUID
    context: OrganizationContext = Field(default_factory=OrganizationContext)


class OrganizationUpdate(UpdateSchema):
    name: str | None = Field(default=None, min_length=1, max_length=500)
    short_name: Annotated[str | None, CLEARABLE] = Field(default=None, max_length=200)
    kind: OrganizationKind | None = None
    territory_id: uuid.UUID | None = None
    context: OrganizationContext | None = None


class OrganizationRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    short_name: str | None
    kind: OrganizationKind
    territory_id: uuid.UUID
    context: OrganizationContext
    created_at: datetime
    updated_at: datetime

    @field_serializer("context")
    def _known_context_only(self, context: OrganizationContext) -> dict[str, Any]:
        return context.model_dump(exclude_none=True)


class ClusterCreate(BaseModel):
    name: str = Field(min_length=1, max_length=500)
    description: str | None = None
    territory_id: uuid.UUID
    coordinator_id: uuid.UUID | None = None
    member_ids: list[uuid.UUID] = Field(default_factory=list, max_length=5000)


class ClusterUpdate(UpdateSchema):
    name: str | None = Field(default=None, min_length=1, max_length=500)
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
