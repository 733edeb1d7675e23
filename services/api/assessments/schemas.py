"""Assessment procedures, the calendar and results over the API."""

import uuid
from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from shared.texts import FilledText
from shared.validation import ReportedDate

ProcedureKind = Literal["federal", "international", "regional", "municipal"]
ProcedureCode = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]{1,39}$")]
SubjectName = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Grade = Annotated[int, Field(ge=1, le=11)]
GroupBy = Literal["organization", "territory"]


class SubjectCreate(BaseModel):
    subject: SubjectName = Field(description="The subject in Russian, e.g. «Математика»")
    grade: Grade
    max_primary_score: int = Field(ge=1, le=1000)


class SubjectRead(SubjectCreate):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID


class ProcedureCreate(BaseModel):
    """A regional or municipal diagnostic (the federal and international ones are seeded)."""

    code: ProcedureCode
    name: FilledText = Field(max_length=300)
    kind: ProcedureKind
    has_marks: bool = Field(default=False, description="Whether marks 2–5 are given")
    subjects: list[SubjectCreate] = Field(default_factory=list, max_length=200)


class ProcedureRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    code: str
    name: str
    kind: str
    has_marks: bool
    subjects: list[SubjectRead]


class EventCreate(BaseModel):
    organization_id: uuid.UUID
    procedure: ProcedureCode = Field(description="Procedure code: vpr, oge, rdr, ...")
    subject: SubjectName
    grade: Grade
    class_label: str | None = Field(
        default=None, max_length=10, description="The class, e.g. «5А»; empty: the whole grade"
    )
    event_date: ReportedDate
    note: str | None = Field(default=None, max_length=1000)


class EventBrief(BaseModel):
    id: uuid.UUID
    procedure: str
    subject: str
    grade: int
    class_label: str | None


class EventRead(EventBrief):
    organization_id: uuid.UUID
    event_date: date
    note: str | None
    created_at: datetime
    conflicts: list[EventBrief] = Field(
        default_factory=list,
        description="Other procedures of the same class on the same day",
    )


class ConflictRead(BaseModel):
    """Two assessments of the same class (or of its whole grade) on the same day."""

    organization_id: uuid.UUID
    event_date: date
    first: EventBrief
    second: EventBrief


class ResultsIn(BaseModel):
    results: list[Any] = Field(
        max_length=10_000,
        description=(
            "[{organization_id, procedure, year, subject, grade, participants, marks, "
            "score_distribution, mean_score, lowered, confirmed, raised}], up to 10,000 a request"
        ),
    )


class ResultRead(BaseModel):
    organization_id: uuid.UUID
    procedure: str
    year: str
    subject: str
    grade: int
    participants: int
    marks: dict[str, int] | None = Field(description='{"2": n, "3": n, "4": n, "5": n}')
    score_distribution: dict[str, int] | None = Field(description="{primary score: participants}")
    mean_score: float | None
    lowered: int | None
    confirmed: int | None
    raised: int | None
    source: str | None
    updated_at: datetime


class AggregateRead(BaseModel):
    """One group's results: counts summed, the mean score pooled over its participants."""

    organization_id: uuid.UUID | None = Field(description="Empty with group_by=territory")
    territory_id: uuid.UUID
    procedure: str
    year: str
    subject: str
    grade: int
    organizations: int = Field(description="How many organizations posted results")
    participants: int
    marks: dict[str, int] | None
    mean_score: float | None = Field(description="Σ score×participants / Σ participants")
    mean_mark: float | None
    lowered: int | None
    confirmed: int | None
    raised: int | None
